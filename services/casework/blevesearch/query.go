package blevesearch

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/tradewarden/tradewarden/services/casework/core/categories"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Bounds on the work one query string can cause.
const (
	maxQueryRunes  = 256
	maxQueryTerms  = 12
	maxModelKeys   = 12
	maxPhrases     = 4
	fuzzyMinLength = 5 // words this long or longer tolerate one edit
)

// Boosts. An exact GTIN beats an exact model number, which beats a listing
// matching every word of the query, which beats one matching most of them
// (minimum should match); a model number the title only mentions ranks
// below the listings of that model and above unrelated ones; a listing of
// an accessory that names a product ranks below it (accessoryFactor).
const (
	boostGTIN       = 100
	boostModelExact = 50
	boostModelPart  = 20
	boostKeyExact   = 8
	boostKeyPart    = 2
	boostAllTerms   = 20
	boostCategory   = 0.5 // a word found only among the category's words counts less than one in the title
)

// accessoryFactor scales the score of an accessory's listing when the
// query names no accessory, so that "Case for X-100" ranks below X-100
// listings matching as many words; a query for "x-100 case" ranks it as usual.
const accessoryFactor = 0.25

// textQuery is a free-text query broken into what each field is searched for.
type textQuery struct {
	terms      []string // analysed words outside the model number; each must match text or category
	modelTerms []string // analysed words of the model number, e.g. "kv", "100", "pro"
	model      string   // model key the query names (search.TitleModel), "" if none
	modelKeys  []string // further normalised model-number candidates, whole query first
	gtin       string   // 14-digit key when the query is a valid GTIN
	phrases    [][]string
	phraseKeys []string // model key of each phrase ("" when it has none)
	accessory  bool     // the query names an accessory ("case", "mount")
	// partial adds the listings with most but not all parts (minimum
	// should match); see widen.
	partial bool
}

// widenBelow is the number of strict matches (every part, the model
// number or the GTIN) under which a search is run again with partial
// matches added. Partial matches rank below strict ones, so with this many
// strict matches they could only appear after the largest page; not
// looking for them keeps common queries ("smart plug") fast.
const widenBelow = search.MaxLimit

// widen returns t with partial matches, and whether that can match more.
func (t textQuery) widen() (textQuery, bool) {
	t.partial = true
	return t, len(t.terms)+len(t.modelTerms) > 1 || (t.model != "" && len(t.terms) > 0)
}

func (t textQuery) empty() bool {
	return len(t.terms) == 0 && len(t.modelTerms) == 0 && t.model == "" && len(t.modelKeys) == 0 && t.gtin == ""
}

// allTerms is every analysed word, for highlighting.
func (t textQuery) allTerms() []string {
	return append(append([]string(nil), t.terms...), t.modelTerms...)
}

// parseText analyses q. It never fails: whatever the user typed is only
// ever used as literal terms, never as query syntax. Text in double quotes
// is a phrase the listing must contain.
func parseText(q string, an analysis.Analyzer) textQuery {
	q = search.Fold(truncateRunes(strings.TrimSpace(q), maxQueryRunes))
	var t textQuery
	if g, ok := search.GTINKey(q); ok {
		t.gtin = g
	}
	q, phrases := search.SplitPhrases(q, maxPhrases)
	seen := map[string]bool{}
	analyse := func(s string, into *[]string) {
		for _, tok := range an.Analyze([]byte(search.QueryText(s))) {
			term := string(tok.Term)
			if term == "" || seen[term] || len(t.terms)+len(t.modelTerms) >= maxQueryTerms {
				continue
			}
			seen[term] = true
			*into = append(*into, term)
		}
	}
	for _, p := range phrases {
		var words []string
		for _, tok := range an.Analyze([]byte(p)) {
			words = append(words, string(tok.Term))
		}
		key, _, _, _, _ := search.TitleModel(p)
		if whole := search.NormalizeModel(p); hasDigit(whole) && len(whole) >= 3 {
			key = whole
		}
		if len(words) > 0 || key != "" {
			t.phrases = append(t.phrases, words)
			t.phraseKeys = append(t.phraseKeys, key)
		}
		q += " " + p
	}
	w := search.TitleWords(q)
	for _, x := range w {
		if categories.AccessoryWord(x) {
			t.accessory = true
		}
	}
	if key, from, to, _, ok := search.TitleModel(q); ok {
		t.model = key
		analyse(strings.Join(w[from:to], " "), &t.modelTerms)
		w = append(append([]string(nil), w[:from]...), w[search.SkipRegion(w, to):]...)
	}
	analyse(strings.Join(w, " "), &t.terms)
	keys := search.QueryModelKeys(q)
	for _, k := range keys {
		if k != t.model && !shortNumber(k) && len(t.modelKeys) < maxModelKeys {
			t.modelKeys = append(t.modelKeys, k)
		}
	}
	return t
}

// shortNumber reports a key that is only digits and too short to name a
// model (see search.Features).
func shortNumber(k string) bool {
	for _, r := range k {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(k) < 6
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
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

// fuzziness is the number of edits tolerated in an analysed word: one for
// long words, none for short ones or model numbers (HS100 is not HS110).
func fuzziness(term string) int {
	if utf8.RuneCountInString(term) >= fuzzyMinLength && !hasDigit(term) {
		return 1
	}
	return 0
}

func termQuery(field, v string, boost float64) query.Query {
	q := bleve.NewTermQuery(v)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// wordQuery matches one analysed word in the text, with typo tolerance,
// or among the words of the listing's category.
func wordQuery(w string) query.Query {
	var text query.Query
	if n := fuzziness(w); n > 0 {
		fq := bleve.NewFuzzyQuery(w)
		fq.SetField(fieldText)
		fq.SetFuzziness(n)
		text = fq
	} else {
		text = termQuery(fieldText, w, 1)
	}
	return bleve.NewDisjunctionQuery(text, termQuery(fieldCategory, w, boostCategory))
}

func conjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewConjunctionQuery(qs...)
}

// bleveQuery builds the structured query. A listing matches by its GTIN,
// by a model number, or by the words: every part (each word, and the model
// number as a whole) ranks it first, most parts (minimum should match) after.
// Quoted phrases must match as phrases or as a model number.
func (t textQuery) bleveQuery() query.Query {
	var should []query.Query
	if t.gtin != "" {
		should = append(should, termQuery(fieldGTIN, t.gtin, boostGTIN))
	}
	var parts []query.Query
	for _, w := range t.terms {
		parts = append(parts, wordQuery(w))
	}
	if t.model != "" {
		// A query naming an accessory ("x-100 wall mount") is answered by its
		// words: the model's own listings do not jump ahead of the mount.
		if !t.accessory {
			should = append(should, termQuery(fieldModel, t.model, boostModelExact))
		}
		should = append(should, termQuery(fieldModelKeys, t.model, boostKeyExact))
		alt := []query.Query{termQuery(fieldModel, t.model, 1), termQuery(fieldModelKeys, t.model, 1)}
		if len(t.modelTerms) > 0 {
			words := make([]query.Query, len(t.modelTerms))
			for i, w := range t.modelTerms {
				words[i] = termQuery(fieldText, w, 1)
			}
			alt = append(alt, conjunction(words))
		}
		parts = append(parts, bleve.NewDisjunctionQuery(alt...))
	} else {
		for _, w := range t.modelTerms {
			parts = append(parts, wordQuery(w))
		}
	}
	for i, k := range t.modelKeys {
		if i == 0 {
			should = append(should, termQuery(fieldModel, k, boostModelExact), termQuery(fieldModelKeys, k, boostKeyExact))
			continue
		}
		should = append(should, termQuery(fieldModel, k, boostModelPart), termQuery(fieldModelKeys, k, boostKeyPart))
	}
	switch len(parts) {
	case 0:
	case 1:
		should = append(should, parts[0])
	default:
		all := bleve.NewConjunctionQuery(parts...)
		all.SetBoost(boostAllTerms)
		should = append(should, all)
		if t.partial {
			some := bleve.NewDisjunctionQuery(parts...)
			some.SetMin(float64(search.MinShouldMatch(len(parts))))
			should = append(should, some)
		}
	}
	var main query.Query
	if len(should) == 1 {
		main = should[0]
	} else {
		main = bleve.NewDisjunctionQuery(should...)
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(main)
	for i, words := range t.phrases {
		var alt []query.Query
		if len(words) == 1 {
			alt = append(alt, termQuery(fieldText, words[0], 1))
		} else if len(words) > 1 {
			pq := bleve.NewPhraseQuery(words, fieldText)
			alt = append(alt, pq)
		}
		if k := t.phraseKeys[i]; k != "" {
			alt = append(alt, termQuery(fieldModel, k, 1), termQuery(fieldModelKeys, k, 1))
		}
		b.AddMust(bleve.NewDisjunctionQuery(alt...))
	}
	return b
}
