// Package search is the listing-search port: the documents the engines index,
// the queries officers run against them, the normalisation of model numbers,
// GTINs and brands shared by every engine, and the Index interface the Bleve
// and Elasticsearch adapters implement.
package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Market types of the site a listing was seen on.
const (
	MarketRetailer    = "retailer"
	MarketMarketplace = "marketplace"
	MarketSecondary   = "secondary"
)

// Conditions of the item on sale.
const (
	ConditionNew         = "new"
	ConditionUsed        = "used"
	ConditionRefurbished = "refurbished"
)

// Statuses of a listing.
const (
	StatusLive    = "live"
	StatusRemoved = "removed"
)

// Facet names used as keys of Result.Facets.
const (
	FacetRetailer   = "retailer"
	FacetMarketType = "market_type"
	FacetBrand      = "brand"
	FacetCategory   = "category"
)

// FacetNames lists every facet a search returns, in display order.
var FacetNames = []string{FacetRetailer, FacetMarketType, FacetBrand, FacetCategory}

// Limits applied to every query.
const (
	DefaultLimit       = 20
	MaxLimit           = 100
	FacetSize          = 20 // terms returned per facet
	DefaultTopListings = 3
	MaxTopListings     = 10
)

// ErrBadCursor is returned when a cursor was not produced by a previous search.
var ErrBadCursor = errors.New("invalid search cursor")

// ErrBadQuery is returned (wrapped with the reason) when a query or document is
// malformed, e.g. an unknown market type or has_open_case without an authority.
var ErrBadQuery = errors.New("invalid search query")

// Doc is one listing as the engines index it.
type Doc struct {
	ListingID   string
	ProductID   string // empty when the listing is not linked to a product
	Title       string
	Description string
	Brand       string
	Model       string
	GTIN        string
	Category    string // from the linked product; may be empty
	Retailer    string // site name, e.g. "Argos", "eBay"
	MarketType  string // MarketRetailer, MarketMarketplace or MarketSecondary
	Seller      string
	URL         string
	PricePence  int64
	Currency    string
	Condition   string // ConditionNew, ConditionUsed or ConditionRefurbished
	ObservedAt  time.Time
	SupportText string // support-period text on the listing; empty means none shown
	Status      string // StatusLive or StatusRemoved
	// OpenCaseAuthorities are the codes of authorities with an open case on the linked product.
	OpenCaseAuthorities []string
}

// HasSupportPeriod reports whether the listing shows a support period.
func (d Doc) HasSupportPeriod() bool { return d.SupportText != "" }

// Validate checks what every engine relies on.
func (d Doc) Validate() error {
	if d.ListingID == "" {
		return fmt.Errorf("%w: listing id is empty", ErrBadQuery)
	}
	if !oneOf(d.MarketType, MarketRetailer, MarketMarketplace, MarketSecondary) {
		return fmt.Errorf("%w: listing %s: market type %q", ErrBadQuery, d.ListingID, d.MarketType)
	}
	if d.Condition != "" && !oneOf(d.Condition, ConditionNew, ConditionUsed, ConditionRefurbished) {
		return fmt.Errorf("%w: listing %s: condition %q", ErrBadQuery, d.ListingID, d.Condition)
	}
	if !oneOf(d.Status, StatusLive, StatusRemoved) {
		return fmt.Errorf("%w: listing %s: status %q", ErrBadQuery, d.ListingID, d.Status)
	}
	return nil
}

// MaxFilterValues bounds the values of one multi-select filter.
const MaxFilterValues = 50

// Query is a listing search. Zero-valued filters do not filter.
//
// The facet filters (market type, retailer, brand, category) are
// multi-select: a listing passes when it has any of the values given. They
// are also disjunctive for the facets: the counts of one facet are taken
// over the listings passing every filter except that facet's own, so that
// filtering on retailer=Argos still shows what the other retailers have.
type Query struct {
	Q string // free text: title, brand, model number or GTIN
	// MarketType, Retailer, Category and Brand are shorthand for a one-value
	// MarketTypes, Retailers, Categories or Brands; Normalized merges them in.
	MarketType  string
	Retailer    string
	Category    string
	Brand       string   // compared after NormalizeBrand
	MarketTypes []string // any of
	Retailers   []string // any of
	Categories  []string // any of
	Brands      []string // any of, compared after NormalizeBrand
	Condition   string
	Status      string // "" (any), StatusLive or StatusRemoved
	ProductID   string
	// HasSupportPeriod filters on whether the listing shows a support period.
	HasSupportPeriod *bool
	// HasOpenCase filters on whether Authority has an open case on the product.
	HasOpenCase *bool
	Authority   string // the caller's authority code
	// ObservedFrom (inclusive) and ObservedTo (exclusive) bound ObservedAt.
	ObservedFrom time.Time
	ObservedTo   time.Time
	Limit        int    // clamped to [1, MaxLimit]; 0 means DefaultLimit
	Cursor       string // NextCursor of the previous page
}

// Normalized validates q and returns it with defaults applied, the limit
// clamped and the one-value facet filters merged into their lists (the
// singular fields are then empty; engines read only the lists).
func (q Query) Normalized() (Query, error) {
	q.MarketTypes = mergeValues(q.MarketTypes, q.MarketType)
	q.Retailers = mergeValues(q.Retailers, q.Retailer)
	q.Categories = mergeValues(q.Categories, q.Category)
	q.Brands = mergeValues(q.Brands, q.Brand)
	q.MarketType, q.Retailer, q.Category, q.Brand = "", "", "", ""
	for name, list := range map[string][]string{"market_type": q.MarketTypes, "retailer": q.Retailers,
		"category": q.Categories, "brand": q.Brands} {
		if len(list) > MaxFilterValues {
			return q, fmt.Errorf("%w: more than %d %s values", ErrBadQuery, MaxFilterValues, name)
		}
	}
	for _, m := range q.MarketTypes {
		if !oneOf(m, MarketRetailer, MarketMarketplace, MarketSecondary) {
			return q, fmt.Errorf("%w: market type %q", ErrBadQuery, m)
		}
	}
	switch {
	case q.Limit <= 0:
		q.Limit = DefaultLimit
	case q.Limit > MaxLimit:
		q.Limit = MaxLimit
	}
	if q.Condition != "" && !oneOf(q.Condition, ConditionNew, ConditionUsed, ConditionRefurbished) {
		return q, fmt.Errorf("%w: condition %q", ErrBadQuery, q.Condition)
	}
	if q.Status != "" && !oneOf(q.Status, StatusLive, StatusRemoved) {
		return q, fmt.Errorf("%w: status %q", ErrBadQuery, q.Status)
	}
	if q.HasOpenCase != nil && q.Authority == "" {
		return q, fmt.Errorf("%w: has_open_case needs the caller's authority", ErrBadQuery)
	}
	if !q.ObservedFrom.IsZero() && !q.ObservedTo.IsZero() && !q.ObservedFrom.Before(q.ObservedTo) {
		return q, fmt.Errorf("%w: observed_from must be before observed_to", ErrBadQuery)
	}
	if q.Cursor != "" {
		if _, err := DecodeCursor(q.Cursor); err != nil {
			return q, err
		}
	}
	return q, nil
}

// Hit is one listing in a result page.
type Hit struct {
	ListingID  string
	ProductID  string
	Title      string
	Retailer   string
	MarketType string
	Seller     string
	URL        string
	PricePence int64
	Currency   string
	ObservedAt time.Time
	Score      float64
	// Highlights maps a field name ("title") to fragments with matches wrapped in <mark>.
	Highlights map[string][]string
}

// FacetCount is one term of a facet with the number of matching listings.
type FacetCount struct {
	Term  string
	Count int64
}

// Result is one page of a listing search.
type Result struct {
	Total int64 // listings matching the query and filters
	Items []Hit // ordered by score desc, then listing id asc
	// Facets holds, per facet name, the top FacetSize terms ordered by
	// count desc, then term asc, counted over the listings passing every
	// filter but that facet's own (disjunctive facets).
	Facets     map[string][]FacetCount
	NextCursor string // empty on the last page
}

// ProductQuery groups the listings matching Query by linked product.
type ProductQuery struct {
	Query       Query // text and filters select listings; Limit caps the products; Cursor is not used
	TopListings int   // listings shown per product: 0 means DefaultTopListings, at most MaxTopListings
}

// Normalized validates q and applies defaults.
func (q ProductQuery) Normalized() (ProductQuery, error) {
	q.Query.Cursor = ""
	nq, err := q.Query.Normalized()
	if err != nil {
		return q, err
	}
	q.Query = nq
	switch {
	case q.TopListings <= 0:
		q.TopListings = DefaultTopListings
	case q.TopListings > MaxTopListings:
		q.TopListings = MaxTopListings
	}
	return q, nil
}

// ProductGroup is one product with the matching listings that sell it.
type ProductGroup struct {
	ProductID    string
	Listings     int64            // matching listings of this product
	ByMarketType map[string]int64 // matching listings per market type
	Top          []Hit            // best matching listings, score desc then listing id
}

// ProductResult is the matching listings grouped by product.
type ProductResult struct {
	Listings int64          // matching listings, linked or not
	Unlinked int64          // matching listings with no product
	Products []ProductGroup // by Listings desc, then product id asc
}

// Source streams every document of the system of record into emit.
type Source func(ctx context.Context, emit func(Doc) error) error

// Index is a listing search engine.
type Index interface {
	// Upsert adds or replaces listings by ListingID.
	Upsert(ctx context.Context, docs []Doc) error
	// Delete removes listings; unknown ids are ignored.
	Delete(ctx context.Context, ids []string) error
	// Search runs a listing query.
	Search(ctx context.Context, q Query) (Result, error)
	// SearchProducts groups the matching listings by product.
	SearchProducts(ctx context.Context, q ProductQuery) (ProductResult, error)
	// Rebuild builds a fresh index from src and swaps it in atomically;
	// searches keep being served from the old index meanwhile.
	Rebuild(ctx context.Context, src Source) error
	// Count returns the number of indexed listings.
	Count(ctx context.Context) (int64, error)
	// Close releases the index.
	Close() error
}

// mergeValues returns list with one added, blanks and repeats dropped, in
// first-seen order; nil when nothing is left.
func mergeValues(list []string, one string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range append(append([]string(nil), list...), one) {
		if v = strings.TrimSpace(v); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}
