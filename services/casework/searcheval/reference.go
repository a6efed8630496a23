package searcheval

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Reference is the baseline: a plain normalising engine. Text is NFKD
// folded, lower-cased and split into letter/digit words; each listing is
// indexed under its words, each pair of adjacent words joined ("kv 100"
// gives "kv100"), its normalised model number and its GTIN key. A query
// scores one per word found and two more for its whole normalised form;
// listings are ranked by score, then id.
type Reference struct {
	ids      []string
	postings map[string][]int32
}

// NewReference indexes docs.
func NewReference(docs []search.Doc) *Reference {
	r := &Reference{postings: map[string][]int32{}}
	for i, d := range docs {
		r.ids = append(r.ids, d.ListingID)
		seen := map[string]bool{}
		keys := refKeys(d.Title + " " + d.Brand + " " + d.Model + " " + strings.ReplaceAll(d.Category, "_", " "))
		keys = append(keys, search.NormalizeModel(refFold(d.Model)))
		if g, ok := search.GTINKey(d.GTIN); ok {
			keys = append(keys, g)
		}
		for _, k := range keys {
			if k != "" && !seen[k] {
				seen[k] = true
				r.postings[k] = append(r.postings[k], int32(i))
			}
		}
	}
	return r
}

func refFold(s string) string {
	var b strings.Builder
	for _, c := range norm.NFKD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func refWords(s string) []string {
	return strings.FieldsFunc(refFold(s), func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
}

func refKeys(s string) []string {
	w := refWords(s)
	out := append([]string(nil), w...)
	for i := 0; i+1 < len(w); i++ {
		out = append(out, w[i]+w[i+1])
	}
	return out
}

// Engine returns the reference as an Engine.
func (r *Reference) Engine() Engine {
	return func(_ context.Context, q string, limit int) ([]string, error) {
		score := map[int32]int{}
		for _, w := range refWords(q) {
			for _, i := range r.postings[w] {
				score[i]++
			}
		}
		whole := search.NormalizeModel(refFold(q))
		if g, ok := search.GTINKey(q); ok {
			whole = g
		}
		for _, i := range r.postings[whole] {
			score[i] += 2
		}
		hits := make([]int32, 0, len(score))
		for i := range score {
			hits = append(hits, i)
		}
		sort.Slice(hits, func(a, b int) bool {
			if score[hits[a]] != score[hits[b]] {
				return score[hits[a]] > score[hits[b]]
			}
			return r.ids[hits[a]] < r.ids[hits[b]]
		})
		if len(hits) > limit {
			hits = hits[:limit]
		}
		out := make([]string, len(hits))
		for i, h := range hits {
			out[i] = r.ids[h]
		}
		return out, nil
	}
}
