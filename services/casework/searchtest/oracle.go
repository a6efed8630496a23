package searchtest

import (
	"sort"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Matches reports whether d passes every filter of q (the text is ignored).
// It is the reference the suite checks engines against.
func Matches(d search.Doc, q search.Query) bool {
	switch {
	case q.MarketType != "" && d.MarketType != q.MarketType,
		q.Retailer != "" && d.Retailer != q.Retailer,
		q.Category != "" && d.Category != q.Category,
		q.Brand != "" && search.NormalizeBrand(d.Brand) != search.NormalizeBrand(q.Brand),
		q.Condition != "" && d.Condition != q.Condition,
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

// ExpectedFacets computes the facets of the docs that pass q's filters.
func ExpectedFacets(docs []search.Doc, q search.Query) (int64, map[string][]search.FacetCount) {
	counts := map[string]map[string]int64{}
	for _, name := range search.FacetNames {
		counts[name] = map[string]int64{}
	}
	var total int64
	for _, d := range docs {
		if !Matches(d, q) {
			continue
		}
		total++
		counts[search.FacetRetailer][d.Retailer]++
		counts[search.FacetMarketType][d.MarketType]++
		counts[search.FacetBrand][search.DisplayBrand(d.Brand)]++
		counts[search.FacetCategory][d.Category]++
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
