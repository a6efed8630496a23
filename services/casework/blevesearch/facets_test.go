package blevesearch_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/blevesearch"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/searchtest"
)

// TestTextFacetsMatchTheirHits checks the facets of text queries, which are
// counted per attribute combination of each segment, against the facets
// of every hit paged out one by one. Small batches and deletions give the
// shards several segments, some with deleted documents.
func TestTextFacetsMatchTheirHits(t *testing.T) {
	ctx := context.Background()
	e, err := blevesearch.NewMem(blevesearch.Options{Shards: 2, BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	docs := searchtest.Corpus(600)
	for i := 0; i < len(docs); i += 100 {
		if err := e.Upsert(ctx, docs[i:i+100]); err != nil {
			t.Fatal(err)
		}
	}
	byID := map[string]search.Doc{}
	var gone []string
	for i, d := range docs {
		if i%7 == 0 {
			gone = append(gone, d.ListingID)
			continue
		}
		byID[d.ListingID] = d
	}
	if err := e.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	for _, q := range []search.Query{
		{Q: "camera"},
		{Q: "smart plug"},
		{Q: "hs100"},
		{Q: "camera", MarketType: search.MarketMarketplace},
		{Q: "camera", Brand: "tapo", HasSupportPeriod: new(true)},
		{Q: "doorbell", Status: search.StatusLive, Retailer: "eBay"},
		{Q: "camera", Retailers: []string{"eBay", "Argos"}, MarketType: search.MarketMarketplace},
		{Q: "smart plug", Brands: []string{"TP-Link", "Meross"}, Categories: []string{searchtest.CatPlug}},
	} {
		t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
			r, err := e.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			pageAll := func(page search.Query) []search.Doc {
				var hits []search.Doc
				page.Limit = search.MaxLimit
				for {
					p, err := e.Search(ctx, page)
					if err != nil {
						t.Fatal(err)
					}
					for _, h := range p.Items {
						hits = append(hits, byID[h.ListingID])
					}
					if p.NextCursor == "" {
						return hits
					}
					page.Cursor = p.NextCursor
				}
			}
			hits := pageAll(q)
			if r.Total == 0 || int64(len(hits)) != r.Total {
				t.Fatalf("Total = %d, paged %d hits", r.Total, len(hits))
			}
			// Facets are disjunctive: they are those of the text's hits with
			// every filter but the facet's own applied.
			_, want := searchtest.ExpectedFacets(pageAll(search.Query{Q: q.Q}), q)
			for _, name := range search.FacetNames {
				if got := r.Facets[name]; !slices.Equal(got, want[name]) {
					t.Errorf("facet %s = %v, want %v", name, got, want[name])
				}
			}
		})
	}
}
