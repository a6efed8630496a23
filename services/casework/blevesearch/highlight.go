package blevesearch

import (
	"html"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Titles are highlighted here rather than by Bleve's highlighter, which
// needs term vectors and a stored copy of the analysed field for every
// listing; marking up the twenty titles of a page costs far less than
// indexing term positions for a million.

// highlightTitle marks the words of title that the query matched: analysed
// words equal to (or, for long words, one edit from) a query word, and
// words or adjacent word pairs whose normalised form is a query model key.
// Text outside the marks is HTML-escaped. It returns "" when nothing matched.
func highlightTitle(title string, t textQuery, an analysis.Analyzer) string {
	toks := an.Analyze([]byte(title))
	type span struct{ start, end int }
	var marks []span
	keys := map[string]bool{}
	for _, k := range t.modelKeys {
		keys[k] = true
	}
	if t.model != "" {
		keys[t.model] = true
	}
	terms := t.allTerms()
	for i, tok := range toks {
		term := search.Fold(string(tok.Term))
		hit := false
		for _, w := range terms {
			if term == w || (fuzziness(w) > 0 && withinOneEdit(term, w)) {
				hit = true
				break
			}
		}
		if !hit && keys[search.NormalizeModel(search.Fold(title[tok.Start:tok.End]))] {
			hit = true
		}
		if hit {
			marks = append(marks, span{tok.Start, tok.End})
			continue
		}
		if i+1 < len(toks) {
			next := toks[i+1]
			if keys[search.NormalizeModel(search.Fold(title[tok.Start:next.End]))] {
				marks = append(marks, span{tok.Start, next.End})
			}
		}
	}
	if len(marks) == 0 {
		return ""
	}
	var b strings.Builder
	pos := 0
	for _, m := range marks {
		if m.start < pos {
			continue // overlaps the previous mark
		}
		b.WriteString(html.EscapeString(title[pos:m.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(title[m.start:m.end]))
		b.WriteString("</mark>")
		pos = m.end
	}
	b.WriteString(html.EscapeString(title[pos:]))
	return b.String()
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion or substitution of a rune.
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > len(rb) {
		ra, rb = rb, ra
	}
	if len(rb)-len(ra) > 1 {
		return false
	}
	i, j, edits := 0, 0, 0
	for i < len(ra) && j < len(rb) {
		if ra[i] == rb[j] {
			i++
			j++
			continue
		}
		edits++
		if edits > 1 {
			return false
		}
		if len(ra) == len(rb) {
			i++
		}
		j++
	}
	return edits+(len(rb)-j)+(len(ra)-i) <= 1
}
