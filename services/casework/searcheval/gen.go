// Package searcheval is the listing-search relevance harness: a
// deterministic generator of marketplace-shaped listings with ground truth
// (which product each listing sells), labelled queries of several kinds, a
// scorer printing recall@20, R-precision and all-found per kind, and a
// small normalising reference engine to compare against in the same run.
//
// Ground truth follows what an officer means by "this product": every
// listing of it whatever the seller wrote (bundles, packs, colours, region
// suffixes, "Generic" brand fields, misspelt or transliterated brands) and
// not the accessories that mention it nor its sibling models or other
// generations (X-100 Pro, X-100 V2 and X-110 are other products than X-100).
package searcheval

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// product is one generated catalogue entry.
type product struct {
	key      string // ground-truth identity
	brand    *brand
	code     string // canonical model number, e.g. "KV-100 Pro"
	family   string // the family's base code: products sharing it are siblings
	gtin     string // EAN-13 or UPC-12 as printed on the box
	category string // category code
	noun     string // how titles name the category
	white    bool   // the code is a white-label code other brands sell too
	listings []string
}

// brand is one generated maker.
type brand struct {
	name     string   // canonical spelling, possibly accented
	variants []string // how sellers write it
}

// Corpus is a generated evaluation set.
type Corpus struct {
	Docs    []search.Doc
	Queries []Query
	// Truth maps a listing id to the product it sells ("" for an accessory
	// or an unrelated listing).
	Truth map[string]string
}

// Query is one labelled query: Relevant are the ids of every listing an
// officer typing Q wants to see.
type Query struct {
	Kind     string
	Q        string
	Relevant []string
}

// Query kinds.
const (
	KindBrandModel      = "brand+model"
	KindLowerBrandModel = "lower brand+model"
	KindBrandTypo       = "brand typo+model"
	KindBrandCategory   = "brand+category"
	KindModel           = "model only"
	KindGTIN            = "gtin"
	KindQuoted          = "quoted"
)

// Kinds lists the query kinds in report order.
var Kinds = []string{KindBrandModel, KindLowerBrandModel, KindBrandTypo, KindBrandCategory, KindModel, KindGTIN, KindQuoted}

// catNouns are, per category code, the ways titles and officers name it;
// the first is what officers type in brand+category queries most often.
var catNouns = map[string][]string{
	"smart_speaker":  {"speaker", "Smart Speaker", "WiFi Speaker", "Wireless Speaker"},
	"camera":         {"cctv", "Security Camera", "IP Camera", "CCTV Camera", "Outdoor Camera"},
	"smart_plug":     {"socket", "Smart Plug", "WiFi Plug", "Smart Socket"},
	"baby_monitor":   {"video baby monitor", "Baby Monitor", "Video Baby Monitor", "Baby Camera"},
	"video_doorbell": {"doorbell", "Video Doorbell", "Smart Doorbell", "Doorbell Camera"},
	"thermostat":     {"thermostat", "Smart Thermostat", "Heating Control"},
	"smart_lighting": {"smart bulb", "Smart Bulb", "Smart Light", "LED Bulb"},
	"router":         {"router", "Mesh WiFi", "WiFi Router", "Range Extender"},
}

var catCodes = func() []string {
	out := make([]string, 0, len(catNouns))
	for c := range catNouns {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}()

var (
	syllables = []string{"kar", "nor", "vel", "tam", "lun", "zen", "bri", "sol", "mar", "dov", "pex", "qui", "ral",
		"sen", "tor", "vik", "wen", "yar", "hol", "fen", "gar", "jor", "lox", "mev", "nix", "orb", "pal", "rim"}
	accented  = map[string]string{"a": "ä", "o": "ö", "u": "ü", "e": "é"}
	translit  = map[string]string{"ä": "ae", "ö": "oe", "ü": "ue", "é": "e"}
	nfd       = map[string]string{"ä": "a\u0308", "ö": "o\u0308", "ü": "u\u0308", "é": "e\u0301"}
	plainOf   = map[string]string{"ä": "a", "ö": "o", "ü": "u", "é": "e"}
	noise     = []string{"IP65", "E27", "4G", "1080P", "2K", "NEW", "2025", "UK Stock", "Free P&P", "Best Seller", "Fast Dispatch", "Alexa Compatible", "Google Home", "HD 1080p", "App Control", "Wi\u2011Fi", "2.4GHz", "🔥", "✅", "⭐⭐⭐⭐⭐", "Genuine", "Official", "Latest Model", "Energy Saving", "Voice Control"}
	colours   = []string{"White", "Black", "Grey", "Silver", "Blue"}
	packs     = []string{"2 Pack", "Twin Pack", "3-Pack", "4 Pack", "Bundle", "Starter Kit", "x2"}
	regions   = []string{"(UK)", "UK Version", "UK Plug", "/UK", "-EU", "[GB]"}
	mods      = []string{"Pro", "V2", "Plus", "Mini", "Max", "Lite", "2nd Gen", "Pro V2"}
	accessory = []string{"Wall Mount for", "Silicone Case for", "Replacement Power Cable for", "Screen Protector for",
		"Stand compatible with", "Mounting Bracket for", "Charger for", "Protective Cover fits", "Spare Battery for"}
	generics = []string{"Generic", "Unbranded", "generic", "Does not apply", ""}
	sites    = []struct{ name, market string }{{"Argos", search.MarketRetailer}, {"Currys", search.MarketRetailer},
		{"Amazon Marketplace", search.MarketMarketplace}, {"eBay", search.MarketMarketplace}, {"OnBuy", search.MarketMarketplace},
		{"Facebook Marketplace", search.MarketSecondary}, {"Gumtree", search.MarketSecondary}}
)

// gen carries the generator's state.
type gen struct {
	r        *rand.Rand
	brands   []*brand
	products []*product
	byFamily map[string][]*product
	docs     []search.Doc
	truth    map[string]string
	gtins    map[string]bool
	// visible records the listings whose brand field or title names the
	// brand: the only ones a brand+category query can be expected to find.
	visible map[string]bool
}

// Generate builds a corpus of about n listings and its labelled queries
// (about queries of them) from seed; the same arguments give the same corpus.
func Generate(seed uint64, n, queries int) Corpus {
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x5eed5eed)), byFamily: map[string][]*product{},
		truth: map[string]string{}, gtins: map[string]bool{}, visible: map[string]bool{}}
	g.makeBrands(max(8, n/120))
	for len(g.docs) < n {
		g.family()
	}
	g.docs = g.docs[:n]
	for _, p := range g.products {
		p.listings = slices.DeleteFunc(p.listings, func(id string) bool { return g.truth[id] == "" || !g.kept(id, n) })
	}
	c := Corpus{Docs: g.docs, Truth: g.truth}
	c.Queries = g.queries(queries)
	return c
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) makeBrands(n int) {
	seen := map[string]bool{}
	for len(g.brands) < n {
		parts := 2
		if g.r.IntN(4) == 0 {
			parts = 3
		}
		var b strings.Builder
		for i := 0; i < parts; i++ {
			b.WriteString(g.pick(syllables))
		}
		plain := b.String()
		if seen[plain] || tooClose(plain, seen) {
			continue
		}
		seen[plain] = true
		name := plain
		if g.r.IntN(3) == 0 { // an accented brand
			for i, ch := range plain {
				if a, ok := accented[string(ch)]; ok && i > 0 {
					name = plain[:i] + a + plain[i+1:]
					break
				}
			}
		}
		name = strings.ToUpper(name[:1]) + name[1:]
		g.brands = append(g.brands, &brand{name: name, variants: brandVariants(name)})
	}
}

// tooClose keeps brands at least three edits apart, so that a one-edit typo
// names one brand.
func tooClose(s string, seen map[string]bool) bool {
	for o := range seen {
		if editDistance(s, o) < 3 {
			return true
		}
	}
	return false
}

// brandVariants are the spellings sellers use: as is, upper, lower, accents
// folded, transliterated, NFD, with ® or ™.
func brandVariants(name string) []string {
	v := []string{name, name, strings.ToUpper(name), strings.ToLower(name), name + "®", name + "™"}
	folded, tr, decomposed := name, name, name
	for a, t := range translit {
		folded = strings.ReplaceAll(folded, a, plainOf[a])
		tr = strings.ReplaceAll(tr, a, t)
		decomposed = strings.ReplaceAll(decomposed, a, nfd[a])
	}
	if folded != name {
		v = append(v, folded, tr, decomposed, strings.ToUpper(folded))
	}
	return v
}

// family makes a model family (a base code and some siblings) of one brand,
// or a white-label family several brands sell, with their listings.
func (g *gen) family() {
	b := g.brands[g.r.IntN(len(g.brands))]
	prefix := strings.ToUpper(string([]rune(foldBrand(b.name))[:1+g.r.IntN(2)]))
	if g.r.IntN(3) == 0 {
		prefix = string(rune('A'+g.r.IntN(26))) + string(rune('A'+g.r.IntN(26)))
	}
	num := 10 * (10 + g.r.IntN(89))
	base := fmt.Sprintf("%s-%d", prefix, num)
	if g.r.IntN(4) == 0 {
		base = fmt.Sprintf("%s%d", prefix, num)
	}
	// "M-570" and "M570" are one model number: families are told apart by
	// the normalised code, and no code of one family may be another's.
	next := fmt.Sprintf("%s%d", base[:len(base)-len(strconv.Itoa(num))], num+10)
	for _, c := range []string{base, next} {
		if _, dup := g.byFamily[search.NormalizeModel(c)]; dup {
			return
		}
	}
	g.byFamily[search.NormalizeModel(next)] = nil // reserved for this family's X-110
	cat := catCodes[g.r.IntN(len(catCodes))]
	codes := []string{base}
	switch g.r.IntN(4) {
	case 0: // a lone model
	case 1:
		codes = append(codes, base+" "+g.pick(mods))
	default: // the classic sibling set: Pro, X-100 V2, X-110
		codes = append(codes, base+" Pro", base+" V2", next)
	}
	makers := []*brand{b}
	white := g.r.IntN(8) == 0
	if white {
		for i := 0; i < 1+g.r.IntN(2); i++ {
			makers = append(makers, g.brands[g.r.IntN(len(g.brands))])
		}
	}
	seenMaker := map[*brand]bool{}
	for _, m := range makers {
		if seenMaker[m] {
			continue
		}
		seenMaker[m] = true
		for _, code := range codes {
			p := &product{key: fmt.Sprintf("p%05d", len(g.products)), brand: m, code: code, family: search.NormalizeModel(base),
				category: cat, noun: g.pick(catNouns[cat][1:]), white: len(seenMaker) > 1 || white, gtin: g.newGTIN()}
			g.products = append(g.products, p)
			g.byFamily[p.family] = append(g.byFamily[p.family], p)
			for i, k := 0, 1+g.r.IntN(9); i < k; i++ {
				g.listing(p)
			}
			for i, k := 0, g.r.IntN(3); i < k; i++ {
				g.accessory(p)
			}
		}
	}
}

func (g *gen) newGTIN() string {
	for {
		var body string
		if g.r.IntN(5) == 0 { // UPC-A
			body = fmt.Sprintf("%011d", 10000000000+g.r.Int64N(89999999999))
		} else {
			body = fmt.Sprintf("50%010d", g.r.Int64N(9999999999))
		}
		s := body + strconv.Itoa(checkDigit(body))
		if !g.gtins[s] {
			g.gtins[s] = true
			return s
		}
	}
}

func checkDigit(body string) int {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// modelSpelling writes code the way a seller might.
func (g *gen) modelSpelling(code string) string {
	s := code
	switch g.r.IntN(8) {
	case 0:
		s = strings.ReplaceAll(s, "-", "")
	case 1:
		s = strings.ToLower(strings.ReplaceAll(s, "-", " "))
	case 2:
		s = strings.ReplaceAll(s, " ", "")
	case 3:
		s = strings.ToLower(s)
	case 4:
		s = toFullWidth(s)
	}
	return s
}

func toFullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r - 0x21 + 0xff01
		}
		return r
	}, s)
}

// gtinSpelling writes a GTIN the way a feed might: plain, spaced,
// hyphenated, as GTIN-14, or a UPC-12 as EAN-13.
func (g *gen) gtinSpelling(gtin string) string {
	switch g.r.IntN(6) {
	case 0:
		if len(gtin) == 13 {
			return gtin[:1] + " " + gtin[1:7] + " " + gtin[7:]
		}
		return gtin[:1] + " " + gtin[1:6] + " " + gtin[6:]
	case 1:
		return gtin[:4] + "-" + gtin[4:8] + "-" + gtin[8:]
	case 2:
		return strings.Repeat("0", 14-len(gtin)) + gtin
	case 3:
		if len(gtin) == 12 {
			return "0" + gtin
		}
	}
	return gtin
}

func (g *gen) base(id string) search.Doc {
	s := sites[g.r.IntN(len(sites))]
	return search.Doc{ListingID: id, Retailer: s.name, MarketType: s.market, Seller: "seller-" + strconv.Itoa(g.r.IntN(500)),
		Currency: "GBP", PricePence: 999 + g.r.Int64N(20000), Condition: search.ConditionNew, Status: search.StatusLive,
		ObservedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.r.IntN(200*24)) * time.Hour)}
}

func (g *gen) nextID() string { return fmt.Sprintf("ev-%07d", len(g.docs)) }

// kept reports whether listing id survived truncation to n listings.
func (g *gen) kept(id string, n int) bool {
	i, err := strconv.Atoi(strings.TrimPrefix(id, "ev-"))
	return err == nil && i < n
}

// listing adds one listing of p, written as a seller might.
func (g *gen) listing(p *product) {
	d := g.base(g.nextID())
	brandText := g.pick(p.brand.variants)
	d.Brand = brandText
	titleBrand := brandText
	switch g.r.IntN(10) {
	case 0: // a "Generic" brand field; the brand may still be in the title
		d.Brand = g.pick(generics)
		if g.r.IntN(2) == 0 {
			titleBrand = ""
		}
	case 1:
		titleBrand = "" // brand only in the brand field
	}
	model := g.modelSpelling(p.code)
	if g.r.IntN(3) == 0 {
		model += " " + g.pick(regions)
	}
	if g.r.IntN(6) > 0 {
		d.Model = model
		if g.r.IntN(8) == 0 { // sellers add the colour or pack to the model field
			d.Model += " " + g.pick(append(colours, "2-Pack"))
		}
	}
	if g.r.IntN(2) == 0 && d.Model != "" {
		model = g.modelSpelling(p.code) // the title spells it differently again
	}
	noun := p.noun
	if g.r.IntN(3) == 0 {
		noun = "" // the category only in the category field
	}
	var parts []string
	if g.r.IntN(3) == 0 {
		parts = append(parts, g.pick(noise))
	}
	if g.r.IntN(4) == 0 {
		parts = append(parts, noun, titleBrand, model)
	} else {
		parts = append(parts, titleBrand, model, noun)
	}
	for i, k := 0, g.r.IntN(3); i < k; i++ {
		parts = append(parts, g.pick(noise))
	}
	if g.r.IntN(4) == 0 {
		parts = append(parts, g.pick(colours))
	}
	if g.r.IntN(5) == 0 {
		parts = append(parts, g.pick(packs))
	}
	d.Title = joinWords(parts)
	g.visible[d.ListingID] = titleBrand != "" || d.Brand == brandText
	if g.r.IntN(10) > 0 {
		d.Category = g.sellerCategory(p)
	} else if noun == "" {
		d.Title += " " + p.noun
	}
	switch k := g.r.IntN(20); {
	case k < 13:
		d.GTIN = g.gtinSpelling(p.gtin)
	case k < 15:
		d.GTIN = g.pick([]string{"Does not apply", "N/A", ""})
	case k == 15: // a wrong check digit: not evidence of the product
		d.GTIN = p.gtin[:len(p.gtin)-1] + strconv.Itoa((int(p.gtin[len(p.gtin)-1]-'0')+1)%10)
	}
	d.Description = fmt.Sprintf("%s. Sold by %s.", d.Title, d.Seller)
	g.docs = append(g.docs, d)
	g.truth[d.ListingID] = p.key
	p.listings = append(p.listings, d.ListingID)
}

// sellerCategory writes p's category as a feed might: the code we map it
// to, or the seller's own wording or breadcrumb.
func (g *gen) sellerCategory(p *product) string {
	switch g.r.IntN(3) {
	case 0:
		return p.category
	case 1:
		return "Electronics > Smart Home > " + p.noun + "s"
	}
	return p.noun
}

// accessory adds a listing of a thing for p: it mentions p's brand and model
// but is not p.
func (g *gen) accessory(p *product) {
	d := g.base(g.nextID())
	d.Brand = g.pick([]string{"Generic", "Unbranded", "AccessoryPro", "Fitz", ""})
	parts := []string{g.pick(accessory)}
	if g.r.IntN(2) == 0 {
		parts = append(parts, g.pick(p.brand.variants))
	}
	parts = append(parts, g.modelSpelling(p.code), p.noun)
	if g.r.IntN(2) == 0 {
		parts = append(parts, g.pick(colours))
	}
	d.Title = joinWords(parts)
	d.Description = d.Title
	g.docs = append(g.docs, d)
	g.truth[d.ListingID] = ""
}

func joinWords(parts []string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// foldBrand is the brand folded to plain lower-case letters.
func foldBrand(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'ä':
			r = 'a'
		case 'ö':
			r = 'o'
		case 'ü':
			r = 'u'
		case 'é':
			r = 'e'
		}
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
