package httpapi

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// searchQuery is the listing search. q is plain text: query-language
// characters in it (*, ~, :, quotes) are searched for, never interpreted.
type searchQuery struct {
	Q string `query:"q" validate:"max=500"`
	// market_type, retailer, category and brand may be repeated
	// (retailer=Argos&retailer=Currys): a listing matches any of the values.
	// Facets are disjunctive: each is counted without its own filter.
	MarketType       []string `query:"market_type" validate:"max=50,dive,oneof=retailer marketplace secondary"`
	Retailer         []string `query:"retailer" validate:"max=50,dive,max=200"`
	Category         []string `query:"category" validate:"max=50,dive,max=100"`
	Brand            []string `query:"brand" validate:"max=50,dive,max=200"`
	Condition        string   `query:"condition" validate:"omitempty,oneof=new used refurbished"`
	Status           string   `query:"status" validate:"omitempty,oneof=live removed"`
	HasSupportPeriod string   `query:"has_support_period" validate:"omitempty,oneof=true false"`
	ProductID        string   `query:"product_id" validate:"max=64"`
	// HasOpenCase filters on whether the caller's authority has an open case on the listing's product.
	HasOpenCase  string `query:"has_open_case" validate:"omitempty,oneof=true false"`
	ObservedFrom string `query:"observed_from" validate:"max=40"`
	ObservedTo   string `query:"observed_to" validate:"max=40"`
	// Limit is clamped to 100.
	Limit  int    `query:"limit" validate:"gte=0"`
	Cursor string `query:"cursor" validate:"max=500"`
}

type productSearchQuery struct {
	searchQuery
	// Top is the number of listings shown per product (default 3, at most 10).
	Top int `query:"top" validate:"gte=0"`
}

func boolParam(s string) *bool {
	if s == "" {
		return nil
	}
	b := s == "true"
	return &b
}

// searchTime parses an RFC 3339 time or a date (midnight UTC).
func searchTime(fe *apperr.Fields, field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	fe.Add(field, "must be an RFC 3339 time or a date like 2026-11-26")
	return time.Time{}
}

func (q searchQuery) toQuery() (search.Query, error) {
	var fe apperr.Fields
	out := search.Query{Q: q.Q, MarketTypes: q.MarketType, Retailers: q.Retailer, Categories: q.Category, Brands: q.Brand,
		Condition: q.Condition, Status: q.Status, ProductID: q.ProductID, HasSupportPeriod: boolParam(q.HasSupportPeriod),
		HasOpenCase: boolParam(q.HasOpenCase), ObservedFrom: searchTime(&fe, "observed_from", q.ObservedFrom),
		ObservedTo: searchTime(&fe, "observed_to", q.ObservedTo), Limit: q.Limit, Cursor: q.Cursor}
	if !out.ObservedFrom.IsZero() && !out.ObservedTo.IsZero() && !out.ObservedFrom.Before(out.ObservedTo) {
		fe.Add("observed_to", "must be after observed_from")
	}
	return out, fe.Err()
}

type searchHitDTO struct {
	ListingID  string    `json:"listing_id"`
	ProductID  *string   `json:"product_id"`
	Title      string    `json:"title"`
	Retailer   string    `json:"retailer"`
	MarketType string    `json:"market_type"`
	Seller     string    `json:"seller"`
	URL        string    `json:"url"`
	Price      *priceDTO `json:"price"`
	ObservedAt time.Time `json:"observed_at"`
	Score      float64   `json:"score"`
	// Highlights maps a field to fragments with the matches wrapped in <mark>; other text is HTML-escaped.
	Highlights map[string][]string `json:"highlights"`
}

func toHitDTO(h search.Hit) searchHitDTO {
	d := searchHitDTO{ListingID: h.ListingID, Title: h.Title, Retailer: h.Retailer, MarketType: h.MarketType,
		Seller: h.Seller, URL: h.URL, ObservedAt: h.ObservedAt, Score: h.Score, Highlights: h.Highlights}
	if h.ProductID != "" {
		id := h.ProductID
		d.ProductID = &id
	}
	if h.Currency != "" {
		d.Price = &priceDTO{AmountPence: h.PricePence, Currency: h.Currency}
	}
	if d.Highlights == nil {
		d.Highlights = map[string][]string{}
	}
	return d
}

type searchResp struct {
	Total int64          `json:"total"`
	Items []searchHitDTO `json:"items"`
	// Facets maps each facet (retailer, market_type, brand, category) to term counts over the whole result.
	Facets     map[string]map[string]int64 `json:"facets"`
	NextCursor string                      `json:"next_cursor,omitempty"`
}

type productGroupDTO struct {
	ProductID    string           `json:"product_id"`
	Brand        string           `json:"brand,omitempty"`
	Model        string           `json:"model,omitempty"`
	GTIN         string           `json:"gtin,omitempty"`
	Category     string           `json:"category,omitempty"`
	Listings     int64            `json:"listings"`
	ByMarketType map[string]int64 `json:"by_market_type"`
	TopListings  []searchHitDTO   `json:"top_listings"`
}

type productSearchResp struct {
	Listings         int64             `json:"listings"`
	UnlinkedListings int64             `json:"unlinked_listings"`
	Products         []productGroupDTO `json:"products"`
}

func (s *Server) mountSearch() {
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/search/listings", Summary: "Search listings by text, model number " +
		"(however spelt) or GTIN, with filters and facets", Tag: "search", Access: Scoped, Perm: Perm{"listing", "read"},
		Query: searchQuery{}, Resp: searchResp{}, Handler: s.searchListings})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/search/products", Summary: "Search listings grouped by product, " +
		"with counts per market type", Tag: "search", Access: Scoped, Perm: Perm{"listing", "read"},
		Query: productSearchQuery{}, Resp: productSearchResp{}, Handler: s.searchProducts})
}

func (s *Server) searchListings(c *fiber.Ctx) error {
	q, err := parseQuery[searchQuery](c)
	if err != nil {
		return err
	}
	sq, err := q.toQuery()
	if err != nil {
		return err
	}
	res, err := s.deps.Listings.Search(c.UserContext(), sq)
	if err != nil {
		return err
	}
	out := searchResp{Total: res.Total, Items: make([]searchHitDTO, 0, len(res.Items)), NextCursor: res.NextCursor,
		Facets: map[string]map[string]int64{}}
	for _, h := range res.Items {
		out.Items = append(out.Items, toHitDTO(h))
	}
	for _, name := range search.FacetNames {
		terms := map[string]int64{}
		for _, fc := range res.Facets[name] {
			terms[fc.Term] = fc.Count
		}
		out.Facets[name] = terms
	}
	return c.JSON(out)
}

func (s *Server) searchProducts(c *fiber.Ctx) error {
	q, err := parseQuery[productSearchQuery](c)
	if err != nil {
		return err
	}
	sq, err := q.toQuery()
	if err != nil {
		return err
	}
	res, err := s.deps.Listings.SearchProducts(c.UserContext(), search.ProductQuery{Query: sq, TopListings: q.Top})
	if err != nil {
		return err
	}
	out := productSearchResp{Listings: res.Listings, UnlinkedListings: res.Unlinked, Products: []productGroupDTO{}}
	for _, g := range res.Products {
		d := productGroupDTO{ProductID: g.Product.ID, Brand: g.Product.Brand, Model: g.Product.Model, GTIN: g.Product.GTIN,
			Category: g.Product.Category, Listings: g.Listings, ByMarketType: g.ByMarketType, TopListings: []searchHitDTO{}}
		if d.ByMarketType == nil {
			d.ByMarketType = map[string]int64{}
		}
		for _, h := range g.Top {
			d.TopListings = append(d.TopListings, toHitDTO(h))
		}
		out.Products = append(out.Products, d)
	}
	return c.JSON(out)
}
