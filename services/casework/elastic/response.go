package elastic

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

type esSource struct {
	ListingID  string    `json:"listing_id"`
	ProductID  string    `json:"product_id"`
	Title      string    `json:"title"`
	Retailer   string    `json:"retailer"`
	MarketType string    `json:"market_type"`
	Seller     string    `json:"seller"`
	URL        string    `json:"url"`
	PricePence int64     `json:"price_pence"`
	Currency   string    `json:"currency"`
	ObservedAt time.Time `json:"observed_at"`
}

type esHit struct {
	ID        string              `json:"_id"`
	Source    esSource            `json:"_source"`
	Sort      []json.RawMessage   `json:"sort"`
	Highlight map[string][]string `json:"highlight"`
}

type esHits struct {
	Total struct {
		Value int64 `json:"value"`
	} `json:"total"`
	Hits []esHit `json:"hits"`
}

type esBucket struct {
	Key      json.RawMessage `json:"key"`
	DocCount int64           `json:"doc_count"`
	Market   *struct {
		Buckets []esBucket `json:"buckets"`
	} `json:"market"`
	Top *struct {
		Hits esHits `json:"hits"`
	} `json:"top"`
}

type esAgg struct {
	Buckets  []esBucket `json:"buckets"`
	DocCount int64      `json:"doc_count"`
	// Terms is the terms sub-aggregation of a filtered (disjunctive) facet.
	Terms *esAgg `json:"terms"`
	// Strict is the sub-aggregation of textMatchesAgg.
	Strict *esAgg `json:"strict"`
}

// widen reports whether the strict text query matched so few listings
// that the search should be sent again with partial matches.
func (r esSearchResponse) widen() bool {
	a, ok := r.Aggregations[textMatchesAgg]
	return ok && a.Strict != nil && a.Strict.DocCount < widenBelow
}

// buckets returns the terms buckets of a facet, filtered or not.
func (a esAgg) buckets() []esBucket {
	if a.Terms != nil {
		return a.Terms.Buckets
	}
	return a.Buckets
}

type esSearchResponse struct {
	Hits         esHits           `json:"hits"`
	Aggregations map[string]esAgg `json:"aggregations"`
}

// sortKey reads the [score, listing_id] sort values of a hit.
func (h esHit) sortKey() (search.Cursor, error) {
	if len(h.Sort) != 2 {
		return search.Cursor{}, fmt.Errorf("hit %s has %d sort values, want 2", h.ID, len(h.Sort))
	}
	var c search.Cursor
	if err := json.Unmarshal(h.Sort[0], &c.Score); err != nil {
		return search.Cursor{}, fmt.Errorf("hit %s score: %w", h.ID, err)
	}
	if err := json.Unmarshal(h.Sort[1], &c.ListingID); err != nil {
		return search.Cursor{}, fmt.Errorf("hit %s listing id: %w", h.ID, err)
	}
	return c, nil
}

func (h esHit) toHit() (search.Hit, error) {
	key, err := h.sortKey()
	if err != nil {
		return search.Hit{}, err
	}
	s := h.Source
	out := search.Hit{
		ListingID: key.ListingID, ProductID: s.ProductID, Title: s.Title, Retailer: s.Retailer,
		MarketType: s.MarketType, Seller: s.Seller, URL: s.URL, PricePence: s.PricePence,
		Currency: s.Currency, ObservedAt: s.ObservedAt, Score: key.Score,
	}
	if frags := h.Highlight[fTitle]; len(frags) > 0 {
		out.Highlights = map[string][]string{"title": frags}
	}
	return out, nil
}

func toHits(hs []esHit) ([]search.Hit, error) {
	out := make([]search.Hit, 0, len(hs))
	for _, h := range hs {
		hit, err := h.toHit()
		if err != nil {
			return nil, err
		}
		out = append(out, hit)
	}
	return out, nil
}

func bucketKey(b esBucket) string {
	var s string
	if err := json.Unmarshal(b.Key, &s); err == nil {
		return s
	}
	return string(b.Key)
}

// toResult converts a search response; limit is the page size asked for
// (the request asked for one more).
func (r esSearchResponse) toResult(limit int) (search.Result, error) {
	res := search.Result{Total: r.Hits.Total.Value, Facets: map[string][]search.FacetCount{}}
	hits := r.Hits.Hits
	more := len(hits) > limit
	if more {
		hits = hits[:limit]
	}
	items, err := toHits(hits)
	if err != nil {
		return search.Result{}, err
	}
	res.Items = items
	if more && len(hits) > 0 {
		key, err := hits[len(hits)-1].sortKey()
		if err != nil {
			return search.Result{}, err
		}
		res.NextCursor = search.EncodeCursor(key)
	}
	for _, name := range search.FacetNames {
		list := []search.FacetCount{}
		for _, b := range r.Aggregations[name].buckets() {
			if k := bucketKey(b); k != "" {
				list = append(list, search.FacetCount{Term: k, Count: b.DocCount})
			}
		}
		res.Facets[name] = list
	}
	return res, nil
}

func (r esSearchResponse) toProducts() (search.ProductResult, error) {
	res := search.ProductResult{
		Listings: r.Hits.Total.Value,
		Unlinked: r.Aggregations["unlinked"].DocCount,
		Products: []search.ProductGroup{},
	}
	for _, b := range r.Aggregations["products"].Buckets {
		g := search.ProductGroup{ProductID: bucketKey(b), Listings: b.DocCount, ByMarketType: map[string]int64{}}
		if b.Market != nil {
			for _, m := range b.Market.Buckets {
				g.ByMarketType[bucketKey(m)] = m.DocCount
			}
		}
		if b.Top != nil {
			top, err := toHits(b.Top.Hits.Hits)
			if err != nil {
				return search.ProductResult{}, err
			}
			g.Top = top
		}
		res.Products = append(res.Products, g)
	}
	return res, nil
}

// esError is the error body Elasticsearch sends with a failed request.
type esError struct {
	Error struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
	Status int `json:"status"`
}
