package component_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/pkg/testkit"
	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/core/listings"
	"github.com/tradewarden/tradewarden/services/casework/demodata"
	"github.com/tradewarden/tradewarden/services/casework/searchtest"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// Import benchmarks: `go test -bench ListingImport -run ^$ ./tests/component/`
// (TW_TEST_DB=postgres for PostgreSQL; TW_BENCH_LISTINGS=1000000 for the
// figures that matter). Each run imports the same generated listings three
// ways, in this order, and reports listings/s:
//
//	raw-sql    the bare rows into the same schema (prepared INSERTs in
//	           1,000-row transactions on SQLite, COPY on PostgreSQL)
//	raw-bleve  the same listings into a plain Bleve index (an explicit
//	           mapping, batches of 1,000)
//	end-to-end NDJSON through listings.Service.Import (parse, validate,
//	           match products, upsert, outbox, audit) while the background
//	           indexer writes the Bleve engine, until the index caught up
//
// end-to-end also reports its ratio to raw-sql and raw-bleve run
// concurrently (the time of the slower of the two, as a pipeline of the
// bare libraries would take), the peak Go heap sampled during the import
// (transient: Bleve's segment merges) and the live heap once it is done
// (the importer keeps one batch; the engine keeps ~75 bytes per document).

var benchRawRates struct {
	sync.Mutex
	sql, bleve float64
}

func BenchmarkListingImport(b *testing.B) {
	n := searchtest.BenchListings(b)
	file := listingSampleFile(b, n)
	b.Run("raw-sql", func(b *testing.B) { benchRawSQL(b, n) })
	b.Run("raw-bleve", func(b *testing.B) { benchRawBleve(b, n) })
	b.Run("end-to-end", func(b *testing.B) { benchEndToEnd(b, n, file) })
}

// listingSampleFile writes n sample listings as NDJSON once per size.
func listingSampleFile(b *testing.B, n int) string {
	// The version in the name changes whenever demodata's records do.
	path := filepath.Join(os.TempDir(), "tradewarden-bench", fmt.Sprintf("listings-v2-%d.ndjson", n))
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return path
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		b.Fatal(err)
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := demodata.WriteNDJSON(w, 0, n); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchHeapSampler records the peak in-use heap while running.
type benchHeapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak uint64
}

func benchSampleHeap() *benchHeapSampler {
	h := &benchHeapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			h.peak = max(h.peak, ms.HeapInuse)
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *benchHeapSampler) finish() float64 {
	close(h.stop)
	<-h.done
	return float64(h.peak) / (1 << 20)
}

func benchEndToEnd(b *testing.B, n int, file string) {
	var elapsed time.Duration
	var peakHeap, liveHeap float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		env := wiringtest.New(b)
		ctx := env.Ctx()
		f, err := os.Open(file)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		heap := benchSampleHeap()
		start := time.Now()
		b.StartTimer()
		res, err := env.App.Listings.Import(ctx, bufio.NewReaderSize(f, 1<<20),
			listings.ImportOptions{Format: listings.FormatNDJSON, BatchSize: 2000})
		if err != nil {
			b.Fatal(err)
		}
		importDone := time.Since(start)
		for {
			lag, err := env.App.Search.Store.OutboxLag(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if lag.Pending == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		b.StopTimer()
		elapsed += time.Since(start)
		b.Logf("database import done after %v, index caught up after %v", importDone, time.Since(start))
		peakHeap = max(peakHeap, heap.finish())
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		liveHeap = max(liveHeap, float64(ms.HeapAlloc)/(1<<20))
		_ = f.Close()
		if res.Imported != int64(n) || res.RejectedTotal != 0 {
			b.Fatalf("import: %+v", res)
		}
		if got, _ := env.App.Search.Index.Count(ctx); got != int64(n) {
			b.Fatalf("%d documents indexed, want %d", got, n)
		}
		_ = env.App.Close()
	}
	rate := float64(n*b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "listings/s")
	b.ReportMetric(peakHeap, "MB-peak-heap")
	b.ReportMetric(liveHeap, "MB-live-heap-after")
	if rss := benchPeakRSS(); rss > 0 {
		b.ReportMetric(rss, "MB-peak-rss")
	}
	benchRawRates.Lock()
	defer benchRawRates.Unlock()
	if benchRawRates.sql > 0 && benchRawRates.bleve > 0 {
		b.ReportMetric(rate/min(benchRawRates.sql, benchRawRates.bleve), "x-raw-pipeline")
		b.ReportMetric(rate/benchRawRates.bleve, "x-raw-bleve")
	}
}

// benchRawSQL inserts the same listings with the database's fastest bulk
// path and nothing else: no parsing, validation, matching, outbox or audit.
func benchRawSQL(b *testing.B, n int) {
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := testkit.OpenDB(b)
		if err := bunstore.Migrate(context.Background(), db, time.Minute, benchQuietLog()); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		b.StartTimer()
		var err error
		if db.Engine == database.Postgres {
			err = benchRawCopy(db, n)
		} else {
			err = benchRawInsert(db, n)
		}
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		elapsed += time.Since(start)
	}
	rate := float64(n*b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "listings/s")
	benchRawRates.Lock()
	benchRawRates.sql = rate
	benchRawRates.Unlock()
}

const benchRawColumns = "id, external_id, retailer, retailer_key, market_type, seller, url, url_key, title, description, brand, " +
	"model, gtin, price_pence, currency, condition, observed_at, support_text, status, link_source, match_reason, " +
	"content_hash, created_at, updated_at, version, seller_category, vdp_url"

func benchRawValues(r demodata.Record) []any {
	price, _ := strconv.ParseFloat(r.Price, 64)
	obs, _ := time.Parse(time.RFC3339, r.ObservedAt)
	var gtin any
	if r.GTIN != "" {
		gtin = r.GTIN
	}
	now := time.Now().UTC()
	return []any{ids.New(), r.ListingID, r.Retailer, strings.ToLower(r.Retailer), r.MarketType, r.Seller, r.URL, r.URL,
		r.Title, r.Description, r.Brand, r.Model, gtin, int64(price * 100), r.Currency, r.Condition, obs, r.SupportText,
		r.Status, "", "", "", now, now, 1, r.Category, r.VDPURL}
}

func benchRawInsert(db *database.DB, n int) error {
	ctx := context.Background()
	// The same page cache the listings store gives its writers.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "PRAGMA cache_size = -65536"); err != nil {
		return err
	}
	ph := strings.TrimSuffix(strings.Repeat("?, ", 27), ", ")
	for start := 0; start < n; start += 1000 {
		tx, err := db.DB.DB.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, "INSERT INTO listings ("+benchRawColumns+") VALUES ("+ph+")")
		if err != nil {
			return err
		}
		for i := start; i < min(start+1000, n); i++ {
			if _, err := stmt.ExecContext(ctx, benchRawValues(demodata.Listing(i))...); err != nil {
				return err
			}
		}
		_ = stmt.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

func benchRawCopy(db *database.DB, n int) error {
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	esc := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	for start := 0; start < n; start += 1000 {
		var buf bytes.Buffer
		for i := start; i < min(start+1000, n); i++ {
			for j, v := range benchRawValues(demodata.Listing(i)) {
				if j > 0 {
					buf.WriteByte('\t')
				}
				switch v := v.(type) {
				case nil:
					buf.WriteString(`\N`)
				case time.Time:
					buf.WriteString(v.Format(time.RFC3339Nano))
				default:
					esc.WriteString(&buf, fmt.Sprint(v))
				}
			}
			buf.WriteByte('\n')
		}
		if _, err := pgdriver.CopyFrom(ctx, conn, &buf, "COPY listings ("+benchRawColumns+") FROM STDIN"); err != nil {
			return err
		}
	}
	return nil
}

// benchRawDoc is a listing as a plain Bleve user would index it.
type benchRawDoc struct {
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Brand       string    `json:"brand"`
	Model       string    `json:"model"`
	GTIN        string    `json:"gtin"`
	Retailer    string    `json:"retailer"`
	MarketType  string    `json:"market_type"`
	Seller      string    `json:"seller"`
	URL         string    `json:"url"`
	Condition   string    `json:"condition"`
	Status      string    `json:"status"`
	SupportText string    `json:"support_text"`
	Category    string    `json:"category"`
	Price       float64   `json:"price"`
	ObservedAt  time.Time `json:"observed_at"`
}

// benchRawMapping is an explicit mapping a careful Bleve user would write for
// listing search: analysed text, keyword filters and facets with doc
// values, the result fields stored, nothing indexed dynamically.
func benchRawMapping() mapping.IndexMapping {
	text := func(analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer, f.Store, f.IncludeTermVectors, f.DocValues = analyzer, store, false, false
		return f
	}
	keyword := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store, f.IncludeTermVectors = store, false
		return f
	}
	stored := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index, f.Store, f.IncludeInAll, f.DocValues = false, true, false, false
		return f
	}
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt("title", text(en.AnalyzerName, true))
	dm.AddFieldMappingsAt("description", text(en.AnalyzerName, false))
	dm.AddFieldMappingsAt("brand", keyword(false))
	dm.AddFieldMappingsAt("model", text(standard.Name, false))
	dm.AddFieldMappingsAt("gtin", keyword(false))
	dm.AddFieldMappingsAt("retailer", keyword(true))
	dm.AddFieldMappingsAt("market_type", keyword(true))
	dm.AddFieldMappingsAt("condition", keyword(false))
	dm.AddFieldMappingsAt("status", keyword(false))
	dm.AddFieldMappingsAt("seller", stored())
	dm.AddFieldMappingsAt("url", stored())
	dm.AddFieldMappingsAt("support_text", text(en.AnalyzerName, false))
	dm.AddFieldMappingsAt("category", keyword(false))
	price := bleve.NewNumericFieldMapping()
	price.Store = true
	dm.AddFieldMappingsAt("price", price)
	obs := bleve.NewDateTimeFieldMapping()
	obs.Store = true
	dm.AddFieldMappingsAt("observed_at", obs)
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = standard.Name
	return im
}

func benchRawBleve(b *testing.B, n int) {
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		idx, err := bleve.New(filepath.Join(b.TempDir(), "raw"), benchRawMapping())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		b.StartTimer()
		batch := idx.NewBatch()
		for j := 0; j < n; j++ {
			r := demodata.Listing(j)
			price, _ := strconv.ParseFloat(r.Price, 64)
			obs, _ := time.Parse(time.RFC3339, r.ObservedAt)
			if err := batch.Index(r.ListingID, benchRawDoc{Title: r.Title, Description: r.Description, Brand: r.Brand,
				Model: r.Model, GTIN: r.GTIN, Retailer: r.Retailer, MarketType: r.MarketType, Seller: r.Seller, URL: r.URL,
				Condition: r.Condition, Status: r.Status, SupportText: r.SupportText, Category: r.Category, Price: price,
				ObservedAt: obs}); err != nil {
				b.Fatal(err)
			}
			if batch.Size() >= 1000 {
				if err := idx.Batch(batch); err != nil {
					b.Fatal(err)
				}
				batch.Reset()
			}
		}
		if err := idx.Batch(batch); err != nil {
			b.Fatal(err)
		}
		if err := idx.Close(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		elapsed += time.Since(start)
	}
	rate := float64(n*b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "listings/s")
	benchRawRates.Lock()
	benchRawRates.bleve = rate
	benchRawRates.Unlock()
}

// benchPeakRSS reads the process's high-water resident set size (Linux only).
func benchPeakRSS() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

func benchQuietLog() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
