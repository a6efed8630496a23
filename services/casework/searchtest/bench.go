package searchtest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// DefaultBenchListings keeps `go test -bench` quick; set TW_BENCH_LISTINGS
// (e.g. 1000000) for the figures that matter.
const DefaultBenchListings = 20000

// BenchListings returns the corpus size benchmarks use.
func BenchListings(tb testing.TB) int {
	v := os.Getenv("TW_BENCH_LISTINGS")
	if v == "" {
		return DefaultBenchListings
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		tb.Fatalf("TW_BENCH_LISTINGS=%q is not a positive integer", v)
	}
	return n
}

// Query classes of the benchmark mix.
const (
	ClassModel  = "model"  // model-number lookup as a seller or officer spells it
	ClassTitle  = "title"  // title words
	ClassFilter = "filter" // term filters with no text (all facets are computed)
)

// MixQuery is one query of the benchmark mix.
type MixQuery struct {
	Class string
	Query search.Query
}

// SearchMix is the query mix: equal parts model lookups, title matches and
// filter-only queries. Every query asks for the default page and facets.
func SearchMix() []MixQuery {
	models := []string{"HS-100", "tapo c200", "RM7764HD", "8VR1S7", "DS-2CD2143G2-I", "BCM00300U",
		"hs110 uk", "T8210", "VM 75", "SP10", "MJSXJ05CM", "YCC365 E27"}
	titles := []string{"smart plug", "security camera", "video doorbell", "baby monitor", "wifi camera outdoor",
		"mini spy camera", "energy monitor plug", "light bulb camera", "smart thermostat", "pan tilt camera",
		"doorbell chime", "smart socket alexa"}
	filters := []search.Query{
		{MarketType: search.MarketMarketplace},
		{Retailer: "eBay"},
		{Category: CatCamera},
		{Brand: "TP-Link"},
		{MarketType: search.MarketSecondary, Condition: search.ConditionUsed},
		{MarketType: search.MarketMarketplace, HasSupportPeriod: bptr(false)},
		{Retailer: "Amazon Marketplace", Category: CatPlug},
		{Status: search.StatusRemoved},
		{Category: CatDoorbell, MarketType: search.MarketRetailer},
		{Retailer: "Argos"},
		{Brand: "Ring", Status: search.StatusLive},
		{ObservedFrom: Epoch.AddDate(0, 0, 30), ObservedTo: Epoch.AddDate(0, 0, 90), MarketType: search.MarketMarketplace},
	}
	var out []MixQuery
	for i := range models {
		out = append(out,
			MixQuery{ClassModel, search.Query{Q: models[i]}},
			MixQuery{ClassTitle, search.Query{Q: titles[i]}},
			MixQuery{ClassFilter, filters[i]})
	}
	return out
}

// BenchSearchMix runs the mix round-robin b.N times through run (which
// returns the total hits) and reports latency percentiles in milliseconds:
// p50-ms and p95-ms over the whole mix, <class>-p50-ms and <class>-p95-ms
// per class (model, title, filter), and the mean hits/op. Engines and their
// raw-library baselines report the same units, so a table compares them.
func BenchSearchMix(b *testing.B, run func(ctx context.Context, q MixQuery) (int64, error)) {
	mix := SearchMix()
	ctx := context.Background()
	// One untimed pass warms caches the way a running server would be warm.
	for _, q := range mix {
		if _, err := run(ctx, q); err != nil {
			b.Fatalf("%s %+v: %v", q.Class, q.Query, err)
		}
	}
	lat := map[string][]time.Duration{}
	var all []time.Duration
	var hits int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := mix[i%len(mix)]
		start := time.Now()
		n, err := run(ctx, q)
		d := time.Since(start)
		if err != nil {
			b.Fatalf("%s %+v: %v", q.Class, q.Query, err)
		}
		hits += n
		lat[q.Class] = append(lat[q.Class], d)
		all = append(all, d)
	}
	b.StopTimer()
	b.ReportMetric(percentile(all, 50), "p50-ms")
	b.ReportMetric(percentile(all, 95), "p95-ms")
	for _, c := range []string{ClassModel, ClassTitle, ClassFilter} {
		if len(lat[c]) > 0 {
			b.ReportMetric(percentile(lat[c], 50), c+"-p50-ms")
			b.ReportMetric(percentile(lat[c], 95), c+"-p95-ms")
		}
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

func percentile(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return float64(s[i].Microseconds()) / 1000
}

// BenchIndex measures indexing throughput: each iteration writes n
// generated listings in batches of batch through write into a fresh index
// made by open. Generating listings is not timed. It reports docs/s and the
// peak Go heap and resident set size sampled every 50 batches.
func BenchIndex(b *testing.B, n, batch int, open func(b *testing.B) (write func(context.Context, []search.Doc) error, done func() error)) {
	ctx := context.Background()
	var peakHeap uint64
	var peakRSS float64
	var ms runtime.MemStats
	var elapsed time.Duration
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		write, done := open(b)
		buf := make([]search.Doc, 0, batch)
		for i := 0; i < n; i += batch {
			buf = buf[:0]
			for j := i; j < min(i+batch, n); j++ {
				buf = append(buf, Listing(j))
			}
			start := time.Now()
			b.StartTimer()
			if err := write(ctx, buf); err != nil {
				b.Fatalf("write batch at %d: %v", i, err)
			}
			b.StopTimer()
			elapsed += time.Since(start)
			if (i/batch)%50 == 0 {
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapInuse)
				peakRSS = max(peakRSS, rssMB())
			}
		}
		start := time.Now()
		b.StartTimer()
		if err := done(); err != nil {
			b.Fatalf("finish: %v", err)
		}
		b.StopTimer()
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "docs/s")
	b.ReportMetric(float64(peakHeap)/(1<<20), "MB-peak-heap")
	if peakRSS > 0 {
		b.ReportMetric(peakRSS, "MB-peak-rss")
	}
}

// rssMB reads the process's resident set size in MiB (Linux only; 0 elsewhere).
func rssMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			if _, err := fmt.Sscan(strings.TrimPrefix(line, "VmRSS:"), &kb); err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

// CachedCorpusDir returns a directory, keyed by engine and size, under the
// temp dir where a benchmark index of n listings can be kept between runs,
// and whether a complete one is already there. Call MarkCorpusReady once the
// index is fully built.
func CachedCorpusDir(tb testing.TB, engine string, n int) (string, bool) {
	dir := fmt.Sprintf("%s/tradewarden-bench/%s-%d-v%d", os.TempDir(), engine, n, fixtureVersion)
	if _, err := os.Stat(dir + "/READY"); err == nil {
		return dir, true
	}
	if err := os.RemoveAll(dir); err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		tb.Fatal(err)
	}
	return dir, false
}

// MarkCorpusReady records that the index under dir is complete.
func MarkCorpusReady(tb testing.TB, dir string) {
	if err := os.WriteFile(dir+"/READY", []byte(time.Now().UTC().Format(time.RFC3339)), 0o640); err != nil {
		tb.Fatal(err)
	}
}

// fixtureVersion changes whenever Listing generates different documents, so
// cached benchmark indexes are rebuilt.
const fixtureVersion = 1
