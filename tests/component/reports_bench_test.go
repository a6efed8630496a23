package component_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// BenchmarkSummaryReport times GET /api/v1/reports/summary (JSON) over a
// bulk-seeded dataset: TW_BENCH_REPORT_CASES cases (default 2,000; the
// issue's figure is 100,000), three findings per case and one notice per
// five cases, over 33 months and two authorities. ns/op is a national
// analyst's report on every authority over the whole range (every case);
// own-ms is a local analyst's report on its own authority (half of them),
// timed separately in the same iterations.
func BenchmarkSummaryReport(b *testing.B) {
	cases := 2000
	if v := os.Getenv("TW_BENCH_REPORT_CASES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			b.Fatalf("TW_BENCH_REPORT_CASES=%q: want a number of cases ≥ 10", v)
		}
		cases = n
	}
	env := wiringtest.New(b)
	seedReportVolume(b, env, volumeFor(cases))
	period := "from=" + seedStart.Format("2006-01") + "&to=" + seedEnd.Format("2006-01")
	national, local := env.As(analyst, "OPSS"), env.As(analyst, "KENT-TS")
	var own time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := national.Get("/api/v1/reports/summary?" + period + "&authority=ALL").Expect(200); len(r.Body) == 0 {
			b.Fatal("empty summary")
		}
		b.StopTimer()
		start := time.Now()
		local.Get("/api/v1/reports/summary?" + period).Expect(200)
		own += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(own.Microseconds())/1000/float64(b.N), "own-ms")
}
