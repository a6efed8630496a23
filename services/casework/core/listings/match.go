package listings

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// minModelMatch is the shortest normalised model number matched on: "a9"
// is a real no-name camera model, a single character never is.
const minModelMatch = 2

// ProductKeys returns the normalised keys a product is matched by: its
// GTIN (14-digit form), its brand (aliases resolved), and its model and
// variants with case, separators and region suffixes folded. A model
// written with a sub-brand ("Tapo C200") is also keyed without it ("c200").
func ProductKeys(p products.Product) []ProductKey {
	var out []ProductKey
	seen := map[ProductKey]bool{}
	add := func(kind, key string) {
		k := ProductKey{Kind: kind, Key: key}
		if key != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	if g, ok := search.GTINKey(p.GTIN); ok {
		add(KeyGTIN, g)
	}
	add(KeyBrand, search.NormalizeBrand(p.Brand))
	for _, m := range append([]string{p.Model}, p.Variants...) {
		if k := search.NormalizeModel(m); len(k) >= minModelMatch {
			add(KeyModel, k)
		}
		for _, k := range search.ModelKeys(m) {
			add(KeyModel, k)
		}
	}
	return out
}

// listingKeys are the normalised identifiers of a listing.
type listingKeys struct {
	gtin   string
	brand  string
	model  string   // from the model field
	titles []string // model-number forms found in the title
	words  []string // folded title words and adjacent pairs, to find a brand in the title
}

// keysOf computes a listing's keys; the title's model numbers only when
// withTitle (matching never relies on them), its words only when the brand
// field is empty (to find the brand in the title instead).
func keysOf(l Listing, withTitle bool) listingKeys {
	k := listingKeys{brand: search.NormalizeBrand(l.Brand)}
	if l.GTIN != "" {
		if g, ok := search.GTINKey(l.GTIN); ok {
			k.gtin = g
		}
	}
	k.model = l.ModelKey()
	if withTitle {
		k.titles = search.ModelKeys(l.Title)
	}
	if k.brand != "" {
		return k
	}
	w := strings.FieldsFunc(strings.ToLower(l.Title), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(w) > 32 {
		w = w[:32]
	}
	for i := range w {
		k.words = append(k.words, search.NormalizeBrand(w[i]))
		if i+1 < len(w) {
			k.words = append(k.words, search.NormalizeBrand(w[i]+w[i+1]))
		}
	}
	return k
}

// lookupKeys are the keys to fetch candidate products by.
func (k listingKeys) lookupKeys(withTitle bool) []string {
	var out []string
	if k.gtin != "" {
		out = append(out, k.gtin)
	}
	if k.model != "" {
		out = append(out, k.model)
	}
	if withTitle {
		out = append(out, k.titles...)
	}
	return out
}

func (p ProductRef) has(kind, key string) bool {
	if key == "" {
		return false
	}
	return slices.Contains(p.Keys, ProductKey{Kind: kind, Key: key})
}

func (p ProductRef) brand() string {
	for _, k := range p.Keys {
		if k.Kind == KeyBrand {
			return k.Key
		}
	}
	return ""
}

// sameBrand reports whether the listing names the product's brand: in its
// brand field, or (when that is empty) in its title.
func (k listingKeys) sameBrand(p ProductRef) bool {
	b := p.brand()
	if b == "" {
		return false
	}
	if k.brand != "" {
		return k.brand == b
	}
	return slices.Contains(k.words, b)
}

// autoMatch picks the product a listing is linked to without an officer:
// only on strong evidence (the same GTIN, or the same brand and normalised
// model number) and only when exactly one product qualifies. A model number
// found only in a title ("faceplate fits HS 100") is never enough.
func autoMatch(l Listing, prods []ProductRef) (string, string) {
	return autoMatchKeys(keysOf(l, false), prods)
}

// autoMatchKeys is autoMatch on keys already computed.
func autoMatchKeys(k listingKeys, prods []ProductRef) (string, string) {
	if k.gtin != "" {
		var hit []string
		for _, p := range prods {
			if p.has(KeyGTIN, k.gtin) {
				hit = append(hit, p.ID)
			}
		}
		if len(hit) == 1 {
			return hit[0], ReasonGTIN
		}
	}
	if k.model != "" {
		var hit []string
		for _, p := range prods {
			if p.has(KeyModel, k.model) && k.sameBrand(p) {
				hit = append(hit, p.ID)
			}
		}
		if len(hit) == 1 {
			return hit[0], ReasonBrandModel
		}
	}
	return "", ""
}

// Candidate is a product a listing may be of, with why.
type Candidate struct {
	Product ProductRef
	Score   float64 // 0..1, higher is stronger evidence
	Reasons []string
	Linked  bool // the listing is linked to it now
}

// Evidence weights of the candidate score: each reason's weight, the best one
// counting fully and the rest adding a little.
var reasonWeight = map[string]float64{
	ReasonGTIN:            1.0,
	ReasonBrandModel:      0.95,
	ReasonTitleModel:      0.75,
	"model":               0.7,
	"brand_similar_model": 0.6,
	"title_model":         0.5,
}

// maxCandidates bounds the candidate list.
const maxCandidates = 10

// rankCandidates scores every product against the listing and returns the
// plausible ones, best first.
func rankCandidates(l Listing, prods []ProductRef) []Candidate {
	k := keysOf(l, true)
	var out []Candidate
	for _, p := range prods {
		var reasons []string
		brand := k.sameBrand(p)
		if p.has(KeyGTIN, k.gtin) {
			reasons = append(reasons, ReasonGTIN)
		}
		switch {
		case p.has(KeyModel, k.model) && brand:
			reasons = append(reasons, ReasonBrandModel)
		case p.has(KeyModel, k.model):
			reasons = append(reasons, "model")
		case brand && k.model != "" && similarModel(k.model, p):
			reasons = append(reasons, "brand_similar_model")
		}
		for _, t := range k.titles {
			if p.has(KeyModel, t) && t != k.model {
				if brand {
					reasons = append(reasons, ReasonTitleModel)
				} else {
					reasons = append(reasons, "title_model")
				}
				break
			}
		}
		if len(reasons) == 0 {
			continue
		}
		score := 0.0
		for i, r := range sortReasons(reasons) {
			if i == 0 {
				score = reasonWeight[r]
			} else {
				score += (1 - score) * reasonWeight[r] * 0.2
			}
		}
		out = append(out, Candidate{Product: p, Score: float64(int(score*1000+0.5)) / 1000, Reasons: sortReasons(reasons),
			Linked: p.ID == l.ProductID})
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Product.ID, b.Product.ID)
	})
	if len(out) > maxCandidates {
		out = out[:maxCandidates]
	}
	return out
}

func sortReasons(r []string) []string {
	s := slices.Clone(r)
	slices.SortStableFunc(s, func(a, b string) int { return cmp.Compare(reasonWeight[b], reasonWeight[a]) })
	return slices.Compact(s)
}

// similarModel reports whether a model key of p is one edit away from m.
func similarModel(m string, p ProductRef) bool {
	for _, k := range p.Keys {
		if k.Kind == KeyModel && len(k.Key) >= 3 && oneEdit(m, k.Key) {
			return true
		}
	}
	return false
}

// oneEdit reports whether a and b differ by exactly one insertion,
// deletion, substitution or transposition of adjacent characters.
func oneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	switch len(ra) - len(rb) {
	case 0:
		var diff []int
		for i := range ra {
			if ra[i] != rb[i] {
				diff = append(diff, i)
				if len(diff) > 2 {
					return false
				}
			}
		}
		switch len(diff) {
		case 1:
			return true
		case 2:
			i, j := diff[0], diff[1]
			return j == i+1 && ra[i] == rb[j] && ra[j] == rb[i]
		}
		return false
	case 1:
		i := 0
		for i < len(rb) && ra[i] == rb[i] {
			i++
		}
		return string(ra[i+1:]) == string(rb[i:])
	}
	return false
}
