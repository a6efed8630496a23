package blevesearch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/tradewarden/tradewarden/services/casework/blevesearch"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/searchtest"
)

// Benchmarks: `go test -bench . -run ^$ ./services/casework/blevesearch/`
// with TW_BENCH_LISTINGS=1000000 for the figures that matter. Search
// benchmarks build their index once per size and keep it under the temp
// dir, so later runs only reopen it. The Raw* benchmarks do the same work
// with Bleve used directly (explicit mapping, Bleve facets) as a baseline.

const benchBatch = 1000

func BenchmarkIndex(b *testing.B) {
	n := searchtest.BenchListings(b)
	searchtest.BenchIndex(b, n, benchBatch, func(b *testing.B) (func(context.Context, []search.Doc) error, func() error) {
		e, err := blevesearch.Open(b.TempDir(), blevesearch.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return e.Upsert, e.Close
	})
}

func BenchmarkRawBleveIndex(b *testing.B) {
	n := searchtest.BenchListings(b)
	searchtest.BenchIndex(b, n, benchBatch, func(b *testing.B) (func(context.Context, []search.Doc) error, func() error) {
		idx, err := bleve.New(filepath.Join(b.TempDir(), "raw"), rawMapping())
		if err != nil {
			b.Fatal(err)
		}
		return func(_ context.Context, docs []search.Doc) error { return rawWrite(idx, docs) }, idx.Close
	})
}

var (
	benchOnce   sync.Mutex
	benchEngine = map[int]*blevesearch.Engine{}
	benchRaw    = map[int]bleve.Index{}
)

// cachedEngine opens (building once per size) the benchmark index.
func cachedEngine(b *testing.B, n int) *blevesearch.Engine {
	benchOnce.Lock()
	defer benchOnce.Unlock()
	if e := benchEngine[n]; e != nil {
		return e
	}
	dir, ready := searchtest.CachedCorpusDir(b, "bleve", n)
	path := filepath.Join(dir, "index")
	e, err := blevesearch.Open(path, blevesearch.Options{})
	if errors.Is(err, blevesearch.ErrFormat) {
		// Cached by an older version of the engine: build it again.
		if err := os.RemoveAll(path); err != nil {
			b.Fatal(err)
		}
		ready = false
		e, err = blevesearch.Open(path, blevesearch.Options{})
	}
	if err != nil {
		b.Fatal(err)
	}
	if !ready {
		start := time.Now()
		if err := e.Rebuild(context.Background(), searchtest.Emit(n)); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %d listings in %v", n, time.Since(start).Round(time.Millisecond))
		searchtest.MarkCorpusReady(b, dir)
		// Measure what a restarted server would serve, as a cached run
		// does, not an index still settling from the build.
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
		if e, err = blevesearch.Open(path, blevesearch.Options{}); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
	}
	benchEngine[n] = e
	return e
}

func cachedRaw(b *testing.B, n int) bleve.Index {
	benchOnce.Lock()
	defer benchOnce.Unlock()
	if idx := benchRaw[n]; idx != nil {
		return idx
	}
	dir, ready := searchtest.CachedCorpusDir(b, "raw-bleve", n)
	path := filepath.Join(dir, "index")
	var idx bleve.Index
	var err error
	if ready {
		idx, err = bleve.Open(path)
	} else {
		idx, err = bleve.New(path, rawMapping())
		if err == nil {
			start := time.Now()
			buf := make([]search.Doc, 0, benchBatch)
			for i := 0; i < n && err == nil; i++ {
				buf = append(buf, searchtest.Listing(i))
				if len(buf) == benchBatch || i == n-1 {
					err = rawWrite(idx, buf)
					buf = buf[:0]
				}
			}
			b.Logf("raw: built %d listings in %v", n, time.Since(start).Round(time.Millisecond))
			if err == nil {
				searchtest.MarkCorpusReady(b, dir)
				idx, err = reopenRaw(idx, path)
			}
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	benchRaw[n] = idx
	return idx
}

// reopenRaw closes a freshly built raw index and opens it again, so it is
// measured in the same state as a cached one (see cachedEngine).
func reopenRaw(idx bleve.Index, path string) (bleve.Index, error) {
	if err := idx.Close(); err != nil {
		return nil, err
	}
	idx, err := bleve.Open(path)
	runtime.GC()
	return idx, err
}

func BenchmarkSearchMix(b *testing.B) {
	e := cachedEngine(b, searchtest.BenchListings(b))
	searchtest.BenchSearchMix(b, func(ctx context.Context, q searchtest.MixQuery) (int64, error) {
		r, err := e.Search(ctx, q.Query)
		return r.Total, err
	})
}

func BenchmarkSearchProducts(b *testing.B) {
	e := cachedEngine(b, searchtest.BenchListings(b))
	searchtest.BenchSearchMix(b, func(ctx context.Context, q searchtest.MixQuery) (int64, error) {
		r, err := e.SearchProducts(ctx, search.ProductQuery{Query: q.Query})
		return r.Listings, err
	})
}

func BenchmarkRawBleveSearchMix(b *testing.B) {
	idx := cachedRaw(b, searchtest.BenchListings(b))
	searchtest.BenchSearchMix(b, func(ctx context.Context, q searchtest.MixQuery) (int64, error) {
		r, err := idx.SearchInContext(ctx, rawRequest(q))
		if err != nil {
			return 0, err
		}
		return int64(r.Total), nil
	})
}

// rawListing is a listing as Bleve's reflection-based mapping indexes it.
type rawListing struct {
	Title       string    `json:"title"`
	Brand       string    `json:"brand"`
	Model       string    `json:"model"`
	GTIN        string    `json:"gtin"`
	Category    string    `json:"category"`
	Retailer    string    `json:"retailer"`
	MarketType  string    `json:"market_type"`
	Seller      string    `json:"seller"`
	URL         string    `json:"url"`
	PricePence  float64   `json:"price_pence"`
	Condition   string    `json:"condition"`
	Status      string    `json:"status"`
	ProductID   string    `json:"product_id"`
	HasSupport  bool      `json:"has_support"`
	ObservedAt  time.Time `json:"observed_at"`
	Authorities []string  `json:"authorities"`
}

// rawMapping is the straightforward explicit mapping: English text for the
// title, keywords with doc values for filters and facets, Bleve defaults
// otherwise (stored fields, term vectors), no _all field.
func rawMapping() mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = keyword.Name
	dm := bleve.NewDocumentStaticMapping()
	title := bleve.NewTextFieldMapping()
	title.Analyzer = en.AnalyzerName
	title.IncludeInAll = false
	dm.AddFieldMappingsAt("title", title)
	for _, f := range []string{"brand", "model", "gtin", "category", "retailer", "market_type", "seller", "url",
		"condition", "status", "product_id", "authorities"} {
		kw := bleve.NewKeywordFieldMapping()
		kw.IncludeInAll = false
		dm.AddFieldMappingsAt(f, kw)
	}
	num := bleve.NewNumericFieldMapping()
	num.IncludeInAll = false
	dm.AddFieldMappingsAt("price_pence", num)
	bl := bleve.NewBooleanFieldMapping()
	bl.IncludeInAll = false
	dm.AddFieldMappingsAt("has_support", bl)
	dt := bleve.NewDateTimeFieldMapping()
	dt.IncludeInAll = false
	dm.AddFieldMappingsAt("observed_at", dt)
	m.DefaultMapping = dm
	return m
}

func rawWrite(idx bleve.Index, docs []search.Doc) error {
	batch := idx.NewBatch()
	for _, d := range docs {
		err := batch.Index(d.ListingID, rawListing{
			Title: d.Title, Brand: d.Brand, Model: d.Model, GTIN: d.GTIN, Category: d.Category,
			Retailer: d.Retailer, MarketType: d.MarketType, Seller: d.Seller, URL: d.URL,
			PricePence: float64(d.PricePence), Condition: d.Condition, Status: d.Status, ProductID: d.ProductID,
			HasSupport: d.HasSupportPeriod(), ObservedAt: d.ObservedAt, Authorities: d.OpenCaseAuthorities,
		})
		if err != nil {
			return err
		}
	}
	return idx.Batch(batch)
}

// rawRequest is the same work done naively: a match query (AND, one edit)
// or a keyword lookup, term filters, the four facets from doc values, the
// first page with its stored fields.
func rawRequest(q searchtest.MixQuery) *bleve.SearchRequest {
	var qs []query.Query
	switch q.Class {
	case searchtest.ClassModel:
		mq := bleve.NewMatchQuery(strings.ToUpper(q.Query.Q))
		mq.SetField("model")
		qs = append(qs, mq)
	case searchtest.ClassTitle:
		mq := bleve.NewMatchQuery(q.Query.Q)
		mq.SetField("title")
		mq.SetOperator(query.MatchQueryOperatorAnd)
		mq.SetFuzziness(1)
		qs = append(qs, mq)
	}
	term := func(field, v string) {
		if v != "" {
			tq := bleve.NewTermQuery(v)
			tq.SetField(field)
			qs = append(qs, tq)
		}
	}
	f := q.Query
	term("market_type", f.MarketType)
	term("retailer", f.Retailer)
	term("category", f.Category)
	term("brand", f.Brand)
	term("condition", f.Condition)
	term("status", f.Status)
	if f.HasSupportPeriod != nil {
		bq := bleve.NewBoolFieldQuery(*f.HasSupportPeriod)
		bq.SetField("has_support")
		qs = append(qs, bq)
	}
	if !f.ObservedFrom.IsZero() || !f.ObservedTo.IsZero() {
		dq := bleve.NewDateRangeQuery(f.ObservedFrom, f.ObservedTo)
		dq.SetField("observed_at")
		qs = append(qs, dq)
	}
	var top query.Query = bleve.NewMatchAllQuery()
	if len(qs) == 1 {
		top = qs[0]
	} else if len(qs) > 1 {
		top = bleve.NewConjunctionQuery(qs...)
	}
	req := bleve.NewSearchRequestOptions(top, search.DefaultLimit, 0, false)
	req.Fields = []string{"title", "retailer", "market_type", "seller", "url", "price_pence", "observed_at", "product_id"}
	for _, name := range []string{"retailer", "market_type", "brand", "category"} {
		req.AddFacet(name, bleve.NewFacetRequest(name, search.FacetSize))
	}
	return req
}
