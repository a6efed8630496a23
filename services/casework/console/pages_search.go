package console

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

type searchHit struct {
	ListingID  string  `json:"listing_id"`
	ProductID  *string `json:"product_id"`
	Title      string  `json:"title"`
	Retailer   string  `json:"retailer"`
	MarketType string  `json:"market_type"`
	Seller     string  `json:"seller"`
	URL        string  `json:"url"`
	Price      *struct {
		AmountPence int64  `json:"amount_pence"`
		Currency    string `json:"currency"`
	} `json:"price"`
	ObservedAt time.Time `json:"observed_at"`
}

type searchResult struct {
	Total      int64                       `json:"total"`
	Items      []searchHit                 `json:"items"`
	Facets     map[string]map[string]int64 `json:"facets"`
	NextCursor string                      `json:"next_cursor"`
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
	Q       string
	Result  searchResult
	Facets  []facetGroup
	Filters map[string]string
	Ran     bool
}

var facetNames = []struct{ name, label string }{{"market_type", "Type of site"}, {"retailer", "Site"},
	{"brand", "Brand"}, {"category", "Category"}}

func (con *Console) searchPage(c *fiber.Ctx) error {
	v := searchView{Q: strings.TrimSpace(c.Query("q")), Filters: map[string]string{}}
	args := []string{"q", v.Q, "limit", "20", "cursor", c.Query("cursor")}
	for _, f := range facetNames {
		if val := strings.TrimSpace(c.Query(f.name)); val != "" && len(val) <= 200 {
			v.Filters[f.name] = val
			args = append(args, f.name, val)
		}
	}
	if v.Q != "" || len(v.Filters) > 0 {
		v.Ran = true
		err := sess(c).api.call(ctx(c), http.MethodGet, "/search/listings"+query(args...), nil, &v.Result)
		if p, ok := asProblem(err); ok && p.Status == http.StatusUnprocessableEntity {
			return con.render(c, p.Status, "search", "Search listings", v, withNav("search"),
				withErrors(fieldErrors(p, nil)))
		}
		if err != nil {
			return err
		}
		v.Facets = facetGroups(v.Result.Facets, v.Filters)
	}
	return con.render(c, http.StatusOK, "search", "Search listings", v, withNav("search"))
}

func facetGroups(in map[string]map[string]int64, selected map[string]string) []facetGroup {
	var out []facetGroup
	for _, f := range facetNames {
		counts := in[f.name]
		if len(counts) == 0 {
			continue
		}
		g := facetGroup{Name: f.name, Label: f.label}
		for val, n := range counts {
			g.Values = append(g.Values, facetValue{Value: val, Count: n, Selected: selected[f.name] == val})
		}
		sort.Slice(g.Values, func(i, j int) bool {
			if g.Values[i].Count != g.Values[j].Count {
				return g.Values[i].Count > g.Values[j].Count
			}
			return g.Values[i].Value < g.Values[j].Value
		})
		if len(g.Values) > 10 {
			g.Values = g.Values[:10]
		}
		out = append(out, g)
	}
	return out
}

// FacetLink is the search URL with one facet set (or cleared when it is
// already the selected value).
func (v searchView) FacetLink(name, value string) string {
	args := []string{"q", v.Q}
	for k, val := range v.Filters {
		if k != name {
			args = append(args, k, val)
		}
	}
	if v.Filters[name] != value {
		args = append(args, name, value)
	}
	return "/search" + query(args...)
}

// NextLink is the next page of the same search.
func (v searchView) NextLink() string {
	args := []string{"q", v.Q, "cursor", v.Result.NextCursor}
	for k, val := range v.Filters {
		args = append(args, k, val)
	}
	return "/search" + query(args...)
}
