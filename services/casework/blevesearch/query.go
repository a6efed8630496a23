package blevesearch

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Bounds on the work one query string can cause.
const (
	maxQueryRunes  = 256
	maxQueryTerms  = 12
	maxModelKeys   = 12
	fuzzyMinLength = 5 // words this long or longer tolerate one edit
)

// Boosts: an exact GTIN beats an exact model number, which beats a model
// number written in a title, which beats a title-only (possibly fuzzy) match.
const (
	boostGTIN       = 100
	boostModelExact = 50
	boostModelPart  = 20
	boostKeyExact   = 8
	boostKeyPart    = 4
)

// textQuery is a free-text query broken into what each field is searched for.
type textQuery struct {
	terms     []string // analysed words; all must match the text field
	modelKeys []string // normalised model-number candidates, whole query first
	gtin      string   // 14-digit key when the query is a valid GTIN
}

func (t textQuery) empty() bool {
	return len(t.terms) == 0 && len(t.modelKeys) == 0 && t.gtin == ""
}

// parseText analyses q. It never fails: whatever the user typed is only
// ever used as literal terms, never as query syntax.
func parseText(q string, an analysis.Analyzer) textQuery {
	q = truncateRunes(strings.TrimSpace(q), maxQueryRunes)
	var t textQuery
	if g, ok := search.GTINKey(q); ok {
		t.gtin = g
	}
	seen := map[string]bool{}
	for _, tok := range an.Analyze([]byte(search.QueryText(q))) {
		term := string(tok.Term)
		if term == "" || seen[term] {
			continue
		}
		seen[term] = true
		t.terms = append(t.terms, term)
		if len(t.terms) == maxQueryTerms {
			break
		}
	}
	t.modelKeys = search.QueryModelKeys(q)
	if len(t.modelKeys) > maxModelKeys {
		t.modelKeys = t.modelKeys[:maxModelKeys]
	}
	return t
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// fuzziness is the number of edits tolerated in an analysed word.
func fuzziness(term string) int {
	if utf8.RuneCountInString(term) >= fuzzyMinLength {
		return 1
	}
	return 0
}

// bleveQuery builds the structured query: any of the GTIN, the model keys or
// all of the words (each with typo tolerance) must match.
func (t textQuery) bleveQuery() query.Query {
	var should []query.Query
	term := func(field, v string, boost float64) {
		q := bleve.NewTermQuery(v)
		q.SetField(field)
		q.SetBoost(boost)
		should = append(should, q)
	}
	if t.gtin != "" {
		term(fieldGTIN, t.gtin, boostGTIN)
	}
	for i, k := range t.modelKeys {
		if i == 0 {
			term(fieldModel, k, boostModelExact)
			term(fieldModelKeys, k, boostKeyExact)
			continue
		}
		term(fieldModel, k, boostModelPart)
		term(fieldModelKeys, k, boostKeyPart)
	}
	if len(t.terms) > 0 {
		words := make([]query.Query, 0, len(t.terms))
		for _, w := range t.terms {
			if n := fuzziness(w); n > 0 {
				fq := bleve.NewFuzzyQuery(w)
				fq.SetField(fieldText)
				fq.SetFuzziness(n)
				words = append(words, fq)
				continue
			}
			tq := bleve.NewTermQuery(w)
			tq.SetField(fieldText)
			words = append(words, tq)
		}
		if len(words) == 1 {
			should = append(should, words[0])
		} else {
			should = append(should, bleve.NewConjunctionQuery(words...))
		}
	}
	if len(should) == 1 {
		return should[0]
	}
	return bleve.NewDisjunctionQuery(should...)
}
