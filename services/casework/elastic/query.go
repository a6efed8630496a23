package elastic

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/services/casework/core/categories"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Bounds and boosts, the same as the Bleve engine's so both rank alike.
const (
	maxQueryRunes   = 256
	maxModelKeys    = 12
	maxQueryWords   = 12
	maxPhrases      = 4
	boostGTIN       = 100
	boostModelExact = 50
	boostModelPart  = 20
	boostKeyExact   = 8
	boostKeyPart    = 2
	boostAllTerms   = 20
	boostCategory   = 0.5
	// accessoryFactor scales the score of an accessory's listing when the
	// query names no accessory (a boosting query's negative_boost).
	accessoryFactor = 0.25
	// fuzziness gives one edit to words of 5 to 99 characters and none to
	// shorter ones (AUTO:low,high), as the Bleve engine does; model
	// numbers get none.
	fuzziness = "AUTO:5,100"
)

// stopWords are the words of Elasticsearch's english analyzer stop list:
// dropped here so that a query part is never a word that cannot match.
var stopWords = map[string]bool{"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true,
	"but": true, "by": true, "for": true, "if": true, "in": true, "into": true, "is": true, "it": true, "no": true,
	"not": true, "of": true, "on": true, "or": true, "such": true, "that": true, "the": true, "their": true,
	"then": true, "there": true, "these": true, "they": true, "this": true, "to": true, "was": true, "will": true,
	"with": true}

func termClause(field, v string, boost float64) obj {
	return obj{"term": obj{field: obj{"value": v, "boost": boost}}}
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// wordClause matches one word in the text (one edit allowed in long words
// without digits) or, for less, among the words of the listing's category.
func wordClause(w string) obj {
	text := obj{"query": w, "zero_terms_query": "all", "fuzzy_transpositions": false}
	if !hasDigit(w) {
		text["fuzziness"] = fuzziness
		text["prefix_length"] = 0
	}
	return obj{"bool": obj{"should": []any{
		obj{"match": obj{fText: text}},
		obj{"match": obj{fCategoryTerms: obj{"query": w, "boost": boostCategory, "zero_terms_query": "all"}}},
	}}}
}

// parsed is a free-text query broken into its parts, as the Bleve engine
// breaks it (search.TitleModel, search.SplitPhrases).
type parsed struct {
	gtin       string
	model      string   // the model key the query names
	modelWords []string // the words of that model number
	words      []string // the other words
	keys       []string // further model-key candidates, whole query first
	phrases    []string
	phraseKeys []string
	accessory  bool // the query names an accessory
}

func parse(q string) parsed {
	var p parsed
	if g, ok := search.GTINKey(q); ok {
		p.gtin = g
	}
	rest, phrases := search.SplitPhrases(q, maxPhrases)
	for _, ph := range phrases {
		key, _, _, _, _ := search.TitleModel(ph)
		if whole := search.NormalizeModel(ph); hasDigit(whole) && len(whole) >= 3 {
			key = whole
		}
		p.phrases = append(p.phrases, strings.TrimSpace(ph))
		p.phraseKeys = append(p.phraseKeys, key)
		rest += " " + ph
	}
	w := search.TitleWords(rest)
	for _, x := range w {
		p.accessory = p.accessory || categories.AccessoryWord(x)
	}
	seen := map[string]bool{}
	keep := func(list []string) []string {
		var out []string
		for _, x := range list {
			if !stopWords[x] && !seen[x] && len(p.words)+len(p.modelWords)+len(out) < maxQueryWords {
				seen[x] = true
				out = append(out, x)
			}
		}
		return out
	}
	if key, from, to, _, ok := search.TitleModel(rest); ok {
		p.model = key
		p.modelWords = keep(w[from:to])
		w = append(append([]string(nil), w[:from]...), w[search.SkipRegion(w, to):]...)
	}
	p.words = keep(search.TitleWords(search.QueryText(strings.Join(w, " "))))
	for _, k := range search.QueryModelKeys(rest) {
		if k != p.model && !(allDigits(k) && len(k) < 6) && len(p.keys) < maxModelKeys {
			p.keys = append(p.keys, k)
		}
	}
	return p
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// textQuery builds the structured query for free text, as the Bleve
// engine does: the GTIN, a model number, or the words, where a listing
// with every part (each word, and the model number as one part) ranks
// above one with most of them (minimum_should_match); quoted phrases must
// match as phrases or as a model number; accessories rank below the
// products they fit unless the query names one. User input only ever
// appears as term values and match text, never as query syntax.
//
// Partial matches are only asked for (partial) when the strict query
// matches fewer than widenBelow listings, as in the Bleve engine; wideable
// reports whether they could match more.
func textQuery(q string, partial bool) (tq obj, ok, wideable bool) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, false, false
	}
	if utf8.RuneCountInString(q) > maxQueryRunes {
		q = string([]rune(q)[:maxQueryRunes])
	}
	p := parse(search.Fold(q))
	var should, parts []any
	if p.gtin != "" {
		should = append(should, termClause(fGTIN, p.gtin, boostGTIN))
	}
	for _, w := range p.words {
		parts = append(parts, wordClause(w))
	}
	if p.model != "" {
		// A query naming an accessory is answered by its words (see the Bleve engine).
		if !p.accessory {
			should = append(should, termClause(fModel, p.model, boostModelExact))
		}
		should = append(should, termClause(fModelKeys, p.model, boostKeyExact))
		alt := []any{termClause(fModel, p.model, 1), termClause(fModelKeys, p.model, 1)}
		if len(p.modelWords) > 0 {
			alt = append(alt, obj{"match": obj{fText: obj{"query": strings.Join(p.modelWords, " "), "operator": "and"}}})
		}
		parts = append(parts, obj{"bool": obj{"should": alt}})
	}
	for i, k := range p.keys {
		if i == 0 {
			should = append(should, termClause(fModel, k, boostModelExact), termClause(fModelKeys, k, boostKeyExact))
			continue
		}
		should = append(should, termClause(fModel, k, boostModelPart), termClause(fModelKeys, k, boostKeyPart))
	}
	switch len(parts) {
	case 0:
	case 1:
		should = append(should, parts[0])
	default:
		should = append(should, obj{"bool": obj{"must": parts, "boost": boostAllTerms}})
		if partial {
			should = append(should, obj{"bool": obj{"should": parts, "minimum_should_match": search.MinShouldMatch(len(parts))}})
		}
	}
	wideable = len(parts) > 1
	if len(should) == 0 && len(p.phrases) == 0 {
		return obj{"match_none": obj{}}, true, false
	}
	b := obj{"should": should, "minimum_should_match": 1}
	var must []any
	for i, ph := range p.phrases {
		alt := []any{obj{"match_phrase": obj{fText: ph}}}
		if k := p.phraseKeys[i]; k != "" {
			alt = append(alt, termClause(fModel, k, 1), termClause(fModelKeys, k, 1))
		}
		must = append(must, obj{"bool": obj{"should": alt}})
	}
	if len(must) > 0 {
		b["must"] = must
		if len(should) == 0 {
			delete(b, "should")
			delete(b, "minimum_should_match")
		}
	}
	tq = obj{"bool": b}
	if p.accessory {
		return tq, true, wideable
	}
	return obj{"boosting": obj{"positive": tq, "negative": obj{"term": obj{fAccessory: true}},
		"negative_boost": accessoryFactor}}, true, wideable
}

// widenBelow is the number of strict text matches under which the search
// is sent again with partial matches (see the Bleve engine's widenBelow).
const widenBelow = search.MaxLimit

// textMatchesAgg counts the strict text matches before any filter, so the
// engine can tell whether to widen: a global aggregation filtered by the
// text query alone.
const textMatchesAgg = "text_matches"

func textMatches(tq obj) obj {
	return obj{"global": obj{}, "aggs": obj{"strict": obj{"filter": tq}}}
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
func boolQuery(q search.Query, withFacets, partial bool) obj {
	b := obj{}
	if tq, ok, _ := textQuery(q.Q, partial); ok {
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
func searchBody(q search.Query, after *search.Cursor, partial bool) ([]byte, error) {
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
		"query":            boolQuery(q, false, partial),
		"sort":             hitOrder,
		"_source":          sourceFields,
		"aggs":             aggs,
	}
	if tq, ok, wideable := textQuery(q.Q, false); ok && wideable && !partial {
		aggs[textMatchesAgg] = textMatches(tq)
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
func productsBody(pq search.ProductQuery, partial bool) ([]byte, error) {
	top := obj{"size": pq.TopListings, "sort": hitOrder, "_source": sourceFields}
	if strings.TrimSpace(pq.Query.Q) != "" {
		top["highlight"] = highlight()
	}
	body := obj{
		"size":             0,
		"track_total_hits": true,
		"query":            boolQuery(pq.Query, true, partial),
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
	if tq, ok, wideable := textQuery(pq.Query.Q, false); ok && wideable && !partial {
		body["aggs"].(obj)[textMatchesAgg] = textMatches(tq)
	}
	return json.Marshal(body)
}
