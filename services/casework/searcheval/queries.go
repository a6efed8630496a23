package searcheval

import (
	"fmt"
	"strings"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// maxRelevant keeps brand+category queries to sets a first page or two can show.
const maxRelevant = 40

// queries labels about n queries, an equal share of each kind.
func (g *gen) queries(n int) []Query {
	if len(g.products) == 0 {
		return nil
	}
	per := max(1, n/len(Kinds))
	byKind := map[string][]Query{}
	used := map[string]bool{}
	gtinOf := map[string]string{}
	for _, d := range g.docs {
		if k, ok := search.GTINKey(d.GTIN); ok {
			gtinOf[d.ListingID] = k
		}
	}
	add := func(kind, q string, rel []string) {
		if len(rel) == 0 || len(byKind[kind]) >= per || used[kind+"\x00"+q] {
			return
		}
		used[kind+"\x00"+q] = true
		byKind[kind] = append(byKind[kind], Query{Kind: kind, Q: q, Relevant: rel})
	}
	for tries := 0; tries < 50*n && !g.full(byKind, per); tries++ {
		p := g.products[g.r.IntN(len(g.products))]
		if len(p.listings) == 0 {
			continue
		}
		own := p.listings
		if p.white { // a white-label listing without its brand could be any maker's
			own = g.onlyVisible(p.listings)
		}
		switch kind := Kinds[tries%len(Kinds)]; kind {
		case KindBrandModel:
			add(kind, p.brand.name+" "+p.code, own)
		case KindLowerBrandModel:
			b := strings.ToLower(g.pick(p.brand.variants[:5]))
			b = strings.TrimRight(b, "®™")
			add(kind, b+" "+strings.ToLower(g.modelSpelling(p.code)), own)
		case KindBrandTypo:
			if len([]rune(p.brand.name)) >= 6 {
				add(kind, g.typo(p.brand.name)+" "+p.code, own)
			}
		case KindBrandCategory:
			nouns := catNouns[p.category]
			noun := nouns[0]
			if g.r.IntN(3) == 0 {
				noun = strings.ToLower(g.pick(nouns))
			}
			add(kind, p.brand.name+" "+noun, g.brandCategory(p))
		case KindModel:
			add(kind, strings.TrimSpace(g.modelSpelling(p.code)), g.sameCode(p))
		case KindGTIN:
			var rel []string
			want, _ := search.GTINKey(p.gtin)
			for _, id := range p.listings {
				if gtinOf[id] == want {
					rel = append(rel, id)
				}
			}
			add(kind, g.gtinSpelling(p.gtin), rel)
		case KindQuoted:
			if strings.Contains(p.code, " ") || g.r.IntN(3) == 0 {
				add(kind, fmt.Sprintf("%q", p.code), g.sameCode(p))
			}
		}
	}
	var out []Query
	for _, k := range Kinds {
		out = append(out, byKind[k]...)
	}
	return out
}

func (g *gen) full(byKind map[string][]Query, per int) bool {
	for _, k := range Kinds {
		if len(byKind[k]) < per {
			return false
		}
	}
	return true
}

func (g *gen) onlyVisible(ids []string) []string {
	var out []string
	for _, id := range ids {
		if g.visible[id] {
			out = append(out, id)
		}
	}
	return out
}

// sameCode is every listing of every product sold under p's exact code.
func (g *gen) sameCode(p *product) []string {
	var out []string
	for _, o := range g.byFamily[p.family] {
		if search.NormalizeModel(o.code) == search.NormalizeModel(p.code) {
			out = append(out, o.listings...)
		}
	}
	return out
}

// brandCategory is every listing naming p's brand of a product of that
// brand in p's category; nil when there are too many to label.
func (g *gen) brandCategory(p *product) []string {
	var out []string
	for _, o := range g.products {
		if o.brand == p.brand && o.category == p.category {
			out = append(out, g.onlyVisible(o.listings)...)
		}
	}
	if len(out) > maxRelevant {
		return nil
	}
	return out
}

// typo misspells s by one edit (substitution, deletion, insertion or
// transposition) away from its first letter.
func (g *gen) typo(s string) string {
	r := []rune(s)
	i := 1 + g.r.IntN(len(r)-2)
	letter := rune('a' + g.r.IntN(26))
	switch g.r.IntN(4) {
	case 0:
		if r[i] == letter {
			letter = 'x'
		}
		r[i] = letter
	case 1:
		r = append(r[:i], r[i+1:]...)
	case 2:
		r = append(r[:i], append([]rune{letter}, r[i:]...)...)
	default:
		if r[i] == r[i+1] {
			r[i] = letter
		} else {
			r[i], r[i+1] = r[i+1], r[i]
		}
	}
	return string(r)
}
