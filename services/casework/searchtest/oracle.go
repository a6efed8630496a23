package searchtest

import (
	"sort"
	"strings"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Matches reports whether d passes every filter of q (the text is ignored).
// It is the reference the suite checks engines against.
func Matches(d search.Doc, q search.Query) bool {
	q = normalized(q)
	return matchesBase(d, q) && misses(d, q) == ""
}

// normalized merges q's one-value filters into its lists, as engines do.
func normalized(q search.Query) search.Query {
	if nq, err := q.Normalized(); err == nil {
		return nq
	}
	return q
}

func anyOf(list []string, v string, eq func(a, b string) bool) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		if eq(x, v) {
			return true
		}
	}
	return false
}

func same(a, b string) bool { return a == b }

func sameBrand(a, b string) bool { return search.NormalizeBrand(a) == search.NormalizeBrand(b) }

// misses names the facets whose filter d fails, joined; "" when none.
func misses(d search.Doc, q search.Query) string {
	var m []string
	if !anyOf(q.Retailers, d.Retailer, same) {
		m = append(m, search.FacetRetailer)
	}
	if !anyOf(q.MarketTypes, d.MarketType, same) {
		m = append(m, search.FacetMarketType)
	}
	if !anyOf(q.Brands, d.Brand, sameBrand) {
		m = append(m, search.FacetBrand)
	}
	if !anyOf(q.Categories, d.Category, same) {
		m = append(m, search.FacetCategory)
	}
	return strings.Join(m, ",")
}

// matchesBase checks the filters other than the facet filters.
func matchesBase(d search.Doc, q search.Query) bool {
	switch {
	case q.Condition != "" && d.Condition != q.Condition,
		q.Status != "" && d.Status != q.Status,
		q.ProductID != "" && d.ProductID != q.ProductID,
		q.HasSupportPeriod != nil && d.HasSupportPeriod() != *q.HasSupportPeriod,
		!q.ObservedFrom.IsZero() && d.ObservedAt.Before(q.ObservedFrom),
		!q.ObservedTo.IsZero() && !d.ObservedAt.Before(q.ObservedTo):
		return false
	}
	if q.HasOpenCase != nil {
		has := false
		for _, a := range d.OpenCaseAuthorities {
			if a == q.Authority {
				has = true
			}
		}
		if has != *q.HasOpenCase {
			return false
		}
	}
	return true
}

// ExpectedFacets computes the total of the docs that pass q's filters and
// the facets, each counted over the docs passing every filter but its own
// (disjunctive facets).
func ExpectedFacets(docs []search.Doc, q search.Query) (int64, map[string][]search.FacetCount) {
	q = normalized(q)
	counts := map[string]map[string]int64{}
	for _, name := range search.FacetNames {
		counts[name] = map[string]int64{}
	}
	var total int64
	for _, d := range docs {
		if !matchesBase(d, q) {
			continue
		}
		m := misses(d, q)
		if m == "" {
			total++
		}
		count := func(facet, term string) {
			if m == "" || m == facet {
				counts[facet][term]++
			}
		}
		count(search.FacetRetailer, d.Retailer)
		count(search.FacetMarketType, d.MarketType)
		count(search.FacetBrand, search.DisplayBrand(d.Brand))
		count(search.FacetCategory, d.Category)
	}
	out := map[string][]search.FacetCount{}
	for name, m := range counts {
		list := []search.FacetCount{}
		for term, n := range m {
			if term != "" {
				list = append(list, search.FacetCount{Term: term, Count: n})
			}
		}
		sortFacet(list)
		if len(list) > search.FacetSize {
			list = list[:search.FacetSize]
		}
		out[name] = list
	}
	return total, out
}

func sortFacet(list []search.FacetCount) {
	sort.Slice(list, func(i, j int) bool {
		if list[i].Count != list[j].Count {
			return list[i].Count > list[j].Count
		}
		return list[i].Term < list[j].Term
	})
}
