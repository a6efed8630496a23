package console

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

type price struct {
	AmountPence int64  `json:"amount_pence"`
	Currency    string `json:"currency"`
}

type searchHit struct {
	ListingID  string    `json:"listing_id"`
	ProductID  *string   `json:"product_id"`
	Title      string    `json:"title"`
	Retailer   string    `json:"retailer"`
	MarketType string    `json:"market_type"`
	Seller     string    `json:"seller"`
	URL        string    `json:"url"`
	Price      *price    `json:"price"`
	ObservedAt time.Time `json:"observed_at"`
}

type searchResult struct {
	Total      int64                       `json:"total"`
	Items      []searchHit                 `json:"items"`
	Facets     map[string]map[string]int64 `json:"facets"`
	NextCursor string                      `json:"next_cursor"`
}

type productGroup struct {
	ProductID    string           `json:"product_id"`
	Brand        string           `json:"brand"`
	Model        string           `json:"model"`
	GTIN         string           `json:"gtin"`
	Category     string           `json:"category"`
	Listings     int64            `json:"listings"`
	ByMarketType map[string]int64 `json:"by_market_type"`
	TopListings  []searchHit      `json:"top_listings"`
}

type productResult struct {
	Listings         int64          `json:"listings"`
	UnlinkedListings int64          `json:"unlinked_listings"`
	Products         []productGroup `json:"products"`
}

type facetValue struct {
	Value    string
	Count    int64
	Selected bool
}

type facetGroup struct {
	Name, Label string
	Values      []facetValue
}

type searchView struct {
	Q        string
	View     string // "listings" or "products"
	Result   searchResult
	Products productResult
	Facets   []facetGroup
	Filters  url.Values
	Ran      bool
}

// maxFacetValues is how many values of one facet a search may select (the
// API's limit).
const maxFacetValues = 50

var facetNames = []struct{ name, label string }{{"market_type", "Type of site"}, {"retailer", "Site"},
	{"brand", "Brand"}, {"category", "Category"}}

func (con *Console) searchPage(c *fiber.Ctx) error {
	v := searchView{Q: strings.TrimSpace(c.Query("q")), View: c.Query("view"), Filters: url.Values{}}
	if v.View != "products" {
		v.View = "listings"
	}
	args := url.Values{}
	for _, f := range facetNames {
		for _, val := range queryValues(c, f.name) {
			if val = strings.TrimSpace(val); val != "" && len(val) <= 200 && len(v.Filters[f.name]) < maxFacetValues {
				v.Filters.Add(f.name, val)
				args.Add(f.name, val)
			}
		}
	}
	if v.Q == "" && len(v.Filters) == 0 {
		return con.render(c, http.StatusOK, "search", "Search listings", v, withNav("search"))
	}
	v.Ran = true
	args.Set("q", v.Q)
	path := "/search/products?"
	var out any = &v.Products
	if v.View == "listings" {
		args.Set("limit", "20")
		if cur := c.Query("cursor"); cur != "" {
			args.Set("cursor", cur)
		}
		path, out = "/search/listings?", &v.Result
	}
	err := sess(c).api.call(ctx(c), http.MethodGet, path+args.Encode(), nil, out)
	if p, ok := asProblem(err); ok && p.Status == http.StatusUnprocessableEntity {
		return con.render(c, p.Status, "search", "Search listings", v, withNav("search"), withErrors(fieldErrors(p, nil)))
	}
	if err != nil {
		return err
	}
	v.Facets = facetGroups(v.Result.Facets, v.Filters)
	return con.render(c, http.StatusOK, "search", "Search listings", v, withNav("search"))
}

func facetGroups(in map[string]map[string]int64, selected url.Values) []facetGroup {
	var out []facetGroup
	for _, f := range facetNames {
		counts := in[f.name]
		if len(counts) == 0 {
			continue
		}
		g := facetGroup{Name: f.name, Label: f.label}
		for val, n := range counts {
			g.Values = append(g.Values, facetValue{Value: val, Count: n, Selected: slices.Contains(selected[f.name], val)})
		}
		sort.Slice(g.Values, func(i, j int) bool {
			a, b := g.Values[i], g.Values[j]
			if a.Selected != b.Selected {
				return a.Selected
			}
			if a.Count != b.Count {
				return a.Count > b.Count
			}
			return a.Value < b.Value
		})
		if len(g.Values) > 10 {
			g.Values = g.Values[:10]
		}
		out = append(out, g)
	}
	return out
}

// link is the search URL for the same query and filters, changed by edit.
func (v searchView) link(edit func(url.Values)) string {
	args := url.Values{}
	for k, vals := range v.Filters {
		args[k] = slices.Clone(vals)
	}
	args.Set("q", v.Q)
	if v.View == "products" {
		args.Set("view", "products")
	}
	edit(args)
	return "/search?" + args.Encode()
}

// FacetLink adds the value to the facet's selection, or takes it out when
// it is already selected: values of one facet are alternatives (any of them).
func (v searchView) FacetLink(name, value string) string {
	return v.link(func(a url.Values) {
		vals := a[name]
		if i := slices.Index(vals, value); i >= 0 {
			a[name] = slices.Delete(vals, i, i+1)
			return
		}
		a.Add(name, value)
	})
}

// ViewLink is the same search shown as listings or grouped by product.
func (v searchView) ViewLink(view string) string {
	return v.link(func(a url.Values) {
		a.Del("view")
		if view == "products" {
			a.Set("view", view)
		}
	})
}

// NextLink is the next page of the same search.
func (v searchView) NextLink() string {
	return v.link(func(a url.Values) { a.Set("cursor", v.Result.NextCursor) })
}

// queryValues is every value a query parameter was given (multi-select).
func queryValues(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().URI().QueryArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}
