package blevesearch_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/blevesearch"
	"github.com/tradewarden/tradewarden/services/casework/searcheval"
)

// evaluate indexes a generated evaluation corpus in a fresh in-memory
// engine and scores it against the reference engine on the same corpus.
func evaluate(tb testing.TB, seed uint64, listings, queries int) (engine, reference searcheval.Report) {
	tb.Helper()
	ctx := context.Background()
	c := searcheval.Generate(seed, listings, queries)
	e, err := blevesearch.NewMem(blevesearch.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	for i := 0; i < len(c.Docs); i += 2000 {
		if err := e.Upsert(ctx, c.Docs[i:min(i+2000, len(c.Docs))]); err != nil {
			tb.Fatal(err)
		}
	}
	if engine, err = searcheval.Score(ctx, searcheval.IndexEngine(e), c.Queries); err != nil {
		tb.Fatal(err)
	}
	if reference, err = searcheval.Score(ctx, searcheval.NewReference(c.Docs).Engine(), c.Queries); err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	searcheval.Print(&b, engine, reference)
	tb.Logf("relevance on %d listings, %d queries (seed %d):\n%s", len(c.Docs), len(c.Queries), seed, b.String())
	return engine, reference
}

// Targets of issue 16 for the evaluation, overall.
const (
	targetRecall     = 0.98
	targetRPrecision = 0.93
	targetAllFound   = 0.93
)

// TestRelevanceSmallSet runs the evaluation harness on small sets of
// several seeds and asserts the targets: overall recall@20, R-precision
// and all-found, and no query kind below the reference engine.
func TestRelevanceSmallSet(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		e, r := evaluate(t, seed, 4000, 140)
		checkTargets(t, seed, e, r)
	}
}

func checkTargets(tb testing.TB, seed uint64, e, r searcheval.Report) {
	tb.Helper()
	o := e.Overall
	if o.Recall < targetRecall || o.RPrecision < targetRPrecision || o.AllFound < targetAllFound {
		tb.Errorf("seed %d: recall@20 %.3f, R-precision %.3f, all-found %.3f; want at least %.2f, %.2f, %.2f",
			seed, o.Recall, o.RPrecision, o.AllFound, targetRecall, targetRPrecision, targetAllFound)
	}
	for kind, f := range e.ByKind {
		ref := r.ByKind[kind]
		if f.Recall < ref.Recall || f.RPrecision < ref.RPrecision || f.AllFound < ref.AllFound {
			tb.Errorf("seed %d, %s: recall@20 %.3f, R-precision %.3f, all-found %.3f; the reference has %.3f, %.3f, %.3f",
				seed, kind, f.Recall, f.RPrecision, f.AllFound, ref.Recall, ref.RPrecision, ref.AllFound)
		}
	}
}

// BenchmarkRelevance is the evaluation: 60,000 listings (set
// TW_EVAL_LISTINGS to change) and 210 labelled queries, with the reference
// engine's figures from the same run.
func BenchmarkRelevance(b *testing.B) {
	n := 60000
	if v := os.Getenv("TW_EVAL_LISTINGS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("TW_EVAL_LISTINGS=%q is not a positive integer", v)
		}
	}
	for i := 0; i < b.N; i++ {
		e, r := evaluate(b, 60, n, 210)
		checkTargets(b, 60, e, r)
		b.ReportMetric(e.Overall.Recall, "recall@20")
		b.ReportMetric(e.Overall.RPrecision, "R-prec")
		b.ReportMetric(e.Overall.AllFound, "all-found")
		b.ReportMetric(r.Overall.Recall, "ref-recall@20")
		b.ReportMetric(r.Overall.RPrecision, "ref-R-prec")
		b.ReportMetric(r.Overall.AllFound, "ref-all-found")
	}
}
