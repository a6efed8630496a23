package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tradewarden/tradewarden/services/casework/core/categories"
)

// specialFolds are letters NFKD does not decompose into a base letter.
var specialFolds = map[rune]string{'ø': "o", 'Ø': "O", 'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE", 'ß': "ss",
	'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'þ': "th", 'Þ': "TH", 'ı': "i"}

// Fold rewrites text the way sellers' spellings agree: compatibility forms
// (full-width "ＨＳ１００", ligatures) become plain letters and digits,
// accents are dropped ("Kärnvik", and its NFD spelling, give "Karnvik"),
// every kind of dash (the non-breaking hyphen of "Wi‑Fi", en and em
// dashes, the minus sign) becomes "-", unusual spaces become " ", and the
// trade-mark signs ®, ™, © and ℠ are removed so "Kärnvik®" is the brand.
// Case is kept; engines fold it in their analysers.
func Fold(s string) string {
	if isPlainASCII(s) {
		return s
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '®' || r == '™' || r == '©' || r == '℠':
			return -1
		case r == '\u2010' || r == '\u2011' || r == '\u2012' || r == '\u2013' || r == '\u2014' || r == '\u2212' ||
			r == '\ufe63' || r == '\uff0d':
			return '-'
		case r != ' ' && unicode.IsSpace(r), r == '\u00a0', r == '\u202f':
			return ' '
		}
		return r
	}, s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := specialFolds[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// modelModifiers are the words that make a sibling model of a model number
// when they follow it: "X-100 Pro", "X-100 Mini" and "X-100 Lite" are other
// products than "X-100".
var modelModifiers = map[string]bool{"pro": true, "plus": true, "max": true, "mini": true, "lite": true,
	"ultra": true, "se": true, "air": true, "neo": true, "elite": true, "prime": true, "duo": true, "edge": true,
	"go": true, "sport": true, "select": true, "classic": true, "essential": true, "essentials": true,
	"premium": true, "advance": true, "advanced": true, "turbo": true, "xl": true, "xs": true, "fe": true,
	"gen": true, "generation": true, "mk": true, "mark": true, "ii": true, "iii": true, "iv": true, "evo": true,
	"s": true, "slim": true, "compact": true}

// regionWords end a model number: "X-100 UK" is X-100 for the UK market.
var regionWords = map[string]bool{"uk": true, "gb": true, "eu": true, "us": true, "au": true}

// accessoryMarkers before a model number, in a title that names an
// accessory, say the listing is for another product: "Wall mount for
// X-100", "Case compatible with X-100".
var accessoryMarkers = map[string]bool{"for": true, "fits": true, "fit": true, "compatible": true,
	"suitable": true, "suits": true, "replacement": true, "accessory": true, "accessories": true}

// notModelPrefix are short words that are not part of a model number even
// when a number follows them ("New 2025", "HD 1080").
var notModelPrefix = map[string]bool{"new": true, "hd": true, "the": true, "and": true, "with": true, "for": true,
	"pack": true, "of": true, "in": true, "to": true, "up": true, "by": true, "set": true, "kit": true,
	"uk": true, "eu": true, "usb": true, "led": true, "fhd": true, "uhd": true, "qhd": true, "top": true,
	"cctv": true, "wifi": true, "ip": true, "cam": true, "tv": true, "ptz": true, "pcs": true, "gen": true, "mini": true}

// TitleModel finds the model number a title or a query names, as a model
// key (see NormalizeModel), with the word span it covers in TitleWords.
// The model number is the first word holding a digit that is not a
// quantity ("1080p", "2.4GHz", "2 Pack", "2025"), joined to a short
// letter prefix written apart ("HS 100", "X-100") and to the sibling
// words after it ("Pro", "V2", "2nd Gen"); region words end it. ok is false
// when no model number is found, and accessory is true when words before
// it say the listing is a thing for that model ("Case for X-100").
func TitleModel(text string) (key string, from, to int, accessory, ok bool) {
	w, glued := titleTokens(text)
	nounAnywhere := false
	for _, t := range w {
		if categories.AccessoryWord(t) {
			nounAnywhere = true
			break
		}
	}
	marker := false
	for i := 0; i < len(w); i++ {
		t := w[i]
		// "Case for X-100" and "Mount, fits X-100" are accessories; "Smart
		// plug for Alexa X-100" is not: a marker needs an accessory noun.
		marker = marker || accessoryMarkers[t]
		if categories.AccessoryWord(t) || marker && nounAnywhere {
			accessory = true
		}
		if !hasDigit(t) || isQuantity(w, i) {
			continue
		}
		from = i
		// A letter prefix joins the number when written with it ("TO-880")
		// or as a short word before it ("HS 100").
		prefix := i > 0 && !hasDigit(w[i-1]) && (glued[i] && len(w[i-1]) <= 6 || isShortPrefix(w[i-1]))
		switch {
		case allDigits(t):
			if !prefix {
				continue
			}
			from = i - 1
		case t[0] >= '0' && t[0] <= '9' && prefix:
			from = i - 1 // "DS-2CD2143"
		}
		to = i + 1
		for to < len(w) && !regionWords[w[to]] {
			m := w[to]
			switch {
			case modelModifiers[m], isVersion(m):
				to++
				continue
			case isOrdinal(m) && to+1 < len(w) && (w[to+1] == "gen" || w[to+1] == "generation"):
				to += 2
				continue
			}
			break
		}
		var b strings.Builder
		for _, x := range w[from:to] {
			b.WriteString(x)
		}
		if k := b.String(); len(k) >= minModelKey {
			return k, from, to, accessory, true
		}
	}
	return "", 0, 0, accessory, false
}

// SkipRegion returns the index after the region words that follow a model
// number ending at word to ("HS100 UK version" → after "version"): they
// are part of how the model was written, not words to search for.
func SkipRegion(w []string, to int) int {
	for to < len(w) && regionWords[w[to]] {
		to++
		for to < len(w) && (w[to] == "version" || w[to] == "ver" || w[to] == "edition" || w[to] == "spec") {
			to++
		}
	}
	return to
}

// titleTokens splits folded text like TitleWords and reports for each word
// whether it was written joined to the previous one ("TO-880", "X100/UK").
func titleTokens(s string) ([]string, []bool) {
	var w []string
	var glued []bool
	for _, field := range strings.Fields(strings.ToLower(Fold(s))) {
		for j, x := range words(field) {
			if len(w) == maxKeyTokens {
				return w, glued
			}
			w = append(w, x)
			glued = append(glued, j > 0)
		}
	}
	return w, glued
}

// TitleWords splits folded text into lower-case runs of letters and
// digits: the words TitleModel's span indexes.
func TitleWords(s string) []string {
	w, _ := titleTokens(s)
	return w
}

// isQuantity reports whether word i is a quantity or a year, not a model number.
func isQuantity(w []string, i int) bool {
	t := w[i]
	if allDigits(t) {
		if len(t) == 4 && (strings.HasPrefix(t, "19") || strings.HasPrefix(t, "20")) {
			return true
		}
		if i+1 < len(w) {
			switch w[i+1] {
			case "pack", "pcs", "pieces", "piece", "x", "in", "gen", "generation", "year", "years", "yr", "way", "port", "ports", "pk":
				return true
			}
		}
		return len(t) <= 2 && (i == 0 || !isShortPrefix(w[i-1]))
	}
	if isOrdinal(t) || isVersion(t) {
		return true
	}
	// A number with a unit: 1080p, 4k, 2mp, 5ghz, 10w, 3000mah, 2pack, x2.
	j := 0
	for j < len(t) && t[j] >= '0' && t[j] <= '9' {
		j++
	}
	if j > 0 && j < len(t) {
		switch t[j:] {
		case "p", "k", "mp", "ghz", "mhz", "w", "v", "a", "mah", "mm", "cm", "m", "ft", "gb", "tb", "mb", "mbps",
			"pack", "pk", "pcs", "x", "in", "fps", "db", "hz", "kw", "kwh", "st", "nd", "rd", "th", "yr", "yrs", "min", "h", "s":
			return true
		}
	}
	if len(t) >= 2 && len(t) <= 3 && t[0] == 'x' && allDigits(t[1:]) {
		return true // "x2", "x10": a count
	}
	return specToken(t)
}

// specToken matches specification words that hold digits but name no
// model: IP ratings (ip65), lamp caps (e27, b22, gu10), codecs (h265),
// mobile generations (4g, 5g), Wi-Fi generations (wifi6).
func specToken(t string) bool {
	switch t {
	case "e14", "e26", "e27", "e12", "b22", "b15", "gu10", "gu5", "mr16", "h264", "h265", "2g", "3g", "4g", "5g":
		return true
	}
	for _, p := range []string{"ip", "wifi"} {
		if strings.HasPrefix(t, p) && allDigits(t[len(p):]) && len(t)-len(p) <= 2 {
			return true
		}
	}
	return false
}

func isShortPrefix(w string) bool {
	return len(w) <= 4 && !hasDigit(w) && !notModelPrefix[w] && !categories.AccessoryWord(w)
}

// isVersion matches "v2", "v10", "mk2", "gen3": a version of a model.
func isVersion(w string) bool {
	switch {
	case len(w) >= 2 && len(w) <= 3 && w[0] == 'v' && allDigits(w[1:]):
		return true
	case strings.HasPrefix(w, "mk") && len(w) > 2 && allDigits(w[2:]):
		return true
	case strings.HasPrefix(w, "gen") && len(w) > 3 && allDigits(w[3:]):
		return true
	}
	return false
}

func isOrdinal(w string) bool {
	if len(w) < 3 {
		return false
	}
	s := w[len(w)-2:]
	return (s == "st" || s == "nd" || s == "rd" || s == "th") && allDigits(w[:len(w)-2])
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// DocFeatures is what engines index for a listing's free text, computed
// the same way by every engine.
type DocFeatures struct {
	Text      string   // folded title and brand (ListingText)
	Category  string   // the words of the listing's category (categories.Terms), else of the one its title names
	Models    []string // model keys the listing is a listing of: its model field, else the model its title names
	ModelKeys []string // every model-number form its model and title mention (no bare short numbers)
	Accessory bool     // the title says it is a thing for a product ("Case for X-100")
}

// Features computes the indexed text features of d.
func Features(d Doc) DocFeatures {
	title := Fold(d.Title)
	f := DocFeatures{Text: ListingText(title, Fold(d.Brand)), Category: categoryTerms(d.Category)}
	key, _, _, accessory, found := TitleModel(title)
	f.Accessory = accessory
	if f.Category == "" && !accessory {
		// No category given: the title may name one ("Mesh WiFi", "Baby Camera").
		f.Category = categoryTerms(title)
	}
	if m := NormalizeModel(Fold(d.Model)); len(m) >= minModelKey && hasDigit(m) {
		// The model number within the field, without the colour, pack or
		// region words sellers add to it ("X-100 White" is X-100).
		if k, _, _, _, ok := TitleModel(d.Model); ok {
			m = k
		}
		f.Models = append(f.Models, m)
	} else if found && !accessory {
		f.Models = append(f.Models, key)
	}
	keys := IndexModelKeys(Fold(d.Model), title)
	if found && !contains(keys, key) {
		keys = append(keys, key)
	}
	for _, k := range keys {
		if !shortNumber(k) {
			f.ModelKeys = append(f.ModelKeys, k)
		}
	}
	return f
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// shortNumber reports a key that is only digits and too short to name a
// model: "100" of "X-100" would find every "P100" and "T-100".
func shortNumber(k string) bool {
	return allDigits(k) && len(k) < 6
}

// categoryTerms are the words of a listing's category, whether it holds a
// category code or a seller's wording.
func categoryTerms(c string) string {
	if c == "" {
		return ""
	}
	if categories.Known(c) {
		return categories.Terms(c)
	}
	if code, ok := categories.Map(c); ok {
		return categories.Terms(code)
	}
	return ""
}

// SplitPhrases takes up to max double-quoted parts (straight or curly
// quotes) out of q and returns the rest and the phrases. An unbalanced
// quote is ignored; a phrase beyond max stays in the rest as words.
func SplitPhrases(q string, max int) (string, []string) {
	q = strings.NewReplacer("\u201c", `"`, "\u201d", `"`).Replace(q)
	if strings.Count(q, `"`) < 2 {
		return strings.ReplaceAll(q, `"`, " "), nil
	}
	parts := strings.Split(q, `"`)
	var rest, phrases []string
	for i, p := range parts {
		if i%2 == 1 && i < len(parts)-1 && strings.TrimSpace(p) != "" && len(phrases) < max {
			phrases = append(phrases, p)
			continue
		}
		rest = append(rest, p)
	}
	return strings.Join(rest, " "), phrases
}

// MinShouldMatch is how many of n parts of a query (its words, and its
// model number as one part) a partial match must contain: one of one or
// two, all but one of three or four, three quarters of more.
func MinShouldMatch(n int) int {
	switch {
	case n <= 2:
		return 1
	case n <= 4:
		return n - 1
	default:
		return (n*3 + 3) / 4
	}
}
