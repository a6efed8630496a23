package elastic

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Bounds and boosts, the same as the Bleve engine's so both rank alike.
const (
	maxQueryRunes   = 256
	maxModelKeys    = 12
	boostGTIN       = 100
	boostModelExact = 50
	boostModelPart  = 20
	boostKeyExact   = 8
	boostKeyPart    = 4
	// fuzziness gives one edit to words of 5 to 99 characters and none to
	// shorter ones (AUTO:low,high), as the Bleve engine does.
	fuzziness = "AUTO:5,100"
)

// textQuery builds the structured query for free text: any of the GTIN, a
// model key, or all the words (each with typo tolerance) must match. User
// input only ever appears as term values and match text, never as query
// syntax, so nothing typed can change the query's shape.
func textQuery(q string) (obj, bool) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, false
	}
	if utf8.RuneCountInString(q) > maxQueryRunes {
		q = string([]rune(q)[:maxQueryRunes])
	}
	var should []any
	term := func(field, v string, boost float64) {
		should = append(should, obj{"term": obj{field: obj{"value": v, "boost": boost}}})
	}
	if g, ok := search.GTINKey(q); ok {
		term(fGTIN, g, boostGTIN)
	}
	keys := search.QueryModelKeys(q)
	if len(keys) > maxModelKeys {
		keys = keys[:maxModelKeys]
	}
	for i, k := range keys {
		if i == 0 {
			term(fModel, k, boostModelExact)
			term(fModelKeys, k, boostKeyExact)
			continue
		}
		term(fModel, k, boostModelPart)
		term(fModelKeys, k, boostKeyPart)
	}
	should = append(should, obj{"match": obj{fText: obj{
		"query":                search.QueryText(q),
		"operator":             "and",
		"fuzziness":            fuzziness,
		"prefix_length":        0,
		"fuzzy_transpositions": false,
		"zero_terms_query":     "none",
	}}})
	return obj{"bool": obj{"should": should, "minimum_should_match": 1}}, true
}

// facetFilters are the multi-select facet filters (any of the values), by
// facet name; a facet without a filter is absent. q must be normalised.
func facetFilters(q search.Query) map[string]any {
	out := map[string]any{}
	terms := func(name, field string, values []string) {
		switch len(values) {
		case 0:
		case 1:
			out[name] = obj{"term": obj{field: values[0]}}
		default:
			out[name] = obj{"terms": obj{field: values}}
		}
	}
	terms(search.FacetMarketType, fMarketType, q.MarketTypes)
	terms(search.FacetRetailer, fRetailerKW, q.Retailers)
	terms(search.FacetCategory, fCategoryKW, q.Categories)
	var keys []string
	for _, b := range q.Brands {
		if k := search.NormalizeBrand(b); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	terms(search.FacetBrand, fBrandKey, keys)
	return out
}

// facetFilterList is the facet filters other than except's, in facet order.
func facetFilterList(ff map[string]any, except string) []any {
	var out []any
	for _, name := range facetFilterOrder {
		if f, ok := ff[name]; ok && name != except {
			out = append(out, f)
		}
	}
	return out
}

// facetFilterOrder is the order facet filters are sent in.
var facetFilterOrder = []string{search.FacetMarketType, search.FacetRetailer, search.FacetCategory, search.FacetBrand}

// filters turns the query's filters into non-scoring clauses; the facet
// filters are included when withFacets is set.
func filters(q search.Query, withFacets bool) (filter, mustNot []any) {
	term := func(field, v string) {
		if v != "" {
			filter = append(filter, obj{"term": obj{field: v}})
		}
	}
	if withFacets {
		filter = append(filter, facetFilterList(facetFilters(q), "")...)
	}
	term(fCondition, q.Condition)
	term(fStatus, q.Status)
	term(fProductID, q.ProductID)
	if q.HasSupportPeriod != nil {
		filter = append(filter, obj{"term": obj{fHasSupport: *q.HasSupportPeriod}})
	}
	if q.HasOpenCase != nil {
		c := obj{"term": obj{fAuthorities: q.Authority}}
		if *q.HasOpenCase {
			filter = append(filter, c)
		} else {
			mustNot = append(mustNot, c)
		}
	}
	if !q.ObservedFrom.IsZero() || !q.ObservedTo.IsZero() {
		r := obj{}
		if !q.ObservedFrom.IsZero() {
			r["gte"] = q.ObservedFrom.UTC().Format(time.RFC3339Nano)
		}
		if !q.ObservedTo.IsZero() {
			r["lt"] = q.ObservedTo.UTC().Format(time.RFC3339Nano)
		}
		filter = append(filter, obj{"range": obj{fObservedAt: r}})
	}
	return filter, mustNot
}

// boolQuery combines text and filters (the facet filters only when
// withFacets is set). Without text nothing scores, so every hit has score 0
// and the order falls to the listing id.
func boolQuery(q search.Query, withFacets bool) obj {
	b := obj{}
	if tq, ok := textQuery(q.Q); ok {
		b["must"] = []any{tq}
	}
	filter, mustNot := filters(q, withFacets)
	if len(filter) > 0 {
		b["filter"] = filter
	}
	if len(mustNot) > 0 {
		b["must_not"] = mustNot
	}
	if len(b) == 0 {
		return obj{"match_all": obj{}}
	}
	return obj{"bool": b}
}

// hitOrder is the stable total order pagination relies on.
var hitOrder = []any{obj{"_score": "desc"}, obj{fListingID: "asc"}}

// bucketOrder is count desc, then term asc, as the contract requires.
var bucketOrder = []any{obj{"_count": "desc"}, obj{"_key": "asc"}}

var facetFields = map[string]string{
	search.FacetRetailer:   fRetailerKW,
	search.FacetMarketType: fMarketType,
	search.FacetBrand:      fBrandFacet,
	search.FacetCategory:   fCategoryKW,
}

func highlight() obj {
	return obj{
		"pre_tags": []string{"<mark>"}, "post_tags": []string{"</mark>"}, "encoder": "html",
		// The words are matched on the combined text field but shown on the title.
		"require_field_match": false,
		"fields":              obj{fTitle: obj{"number_of_fragments": 0}},
	}
}

// facetTerms is the sub-aggregation of a filtered facet.
const facetTerms = "terms"

// searchBody is the request for one page of a listing search: size is one
// more than the limit so the presence of a next page is known. Facets are
// disjunctive: the facet filters go in post_filter (hits and total obey
// them, aggregations do not) and each facet's aggregation is filtered by
// the other facets' filters only.
func searchBody(q search.Query, after *search.Cursor) ([]byte, error) {
	ff := facetFilters(q)
	aggs := obj{}
	for name, field := range facetFields {
		terms := obj{"terms": obj{"field": field, "size": search.FacetSize, "order": bucketOrder}}
		if others := facetFilterList(ff, name); len(others) > 0 {
			terms = obj{"filter": obj{"bool": obj{"filter": others}}, "aggs": obj{facetTerms: terms}}
		}
		aggs[name] = terms
	}
	body := obj{
		"size":             q.Limit + 1,
		"track_total_hits": true,
		"query":            boolQuery(q, false),
		"sort":             hitOrder,
		"_source":          sourceFields,
		"aggs":             aggs,
	}
	if all := facetFilterList(ff, ""); len(all) > 0 {
		body["post_filter"] = obj{"bool": obj{"filter": all}}
	}
	if strings.TrimSpace(q.Q) != "" {
		body["highlight"] = highlight()
	}
	if after != nil {
		body["search_after"] = []any{after.Score, after.ListingID}
	}
	return json.Marshal(body)
}

// productsBody groups the matching listings by product with a terms
// aggregation whose sub-aggregations count market types and pick the top
// listings.
func productsBody(pq search.ProductQuery) ([]byte, error) {
	top := obj{"size": pq.TopListings, "sort": hitOrder, "_source": sourceFields}
	if strings.TrimSpace(pq.Query.Q) != "" {
		top["highlight"] = highlight()
	}
	body := obj{
		"size":             0,
		"track_total_hits": true,
		"query":            boolQuery(pq.Query, true),
		"aggs": obj{
			"products": obj{
				"terms": obj{"field": fProductID, "size": pq.Query.Limit, "order": bucketOrder},
				"aggs": obj{
					"market": obj{"terms": obj{"field": fMarketType, "size": 3}},
					"top":    obj{"top_hits": top},
				},
			},
			"unlinked": obj{"missing": obj{"field": fProductID}},
		},
	}
	return json.Marshal(body)
}
