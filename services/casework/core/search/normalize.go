package search

import (
	"regexp"
	"strings"
	"unicode"
)

// regionSuffix matches a trailing market/region marker such as "(UK)", "/UK",
// "-EU", " UK version" or "[GB plug]". A separator or bracket must precede the
// code so that a model genuinely ending in "UK" (e.g. "X100UK") is kept.
var regionSuffix = regexp.MustCompile(
	`(?:[\s\-/_.,]+|[\s\-/_.,]*[(\[]\s*)(?:uk|gb|eu|us|au)(?:\s*(?:version|ver\.?|edition|plug|model|spec))?\s*[)\]]?\s*$`)

// NormalizeModel folds a model number to the form sellers' spellings agree
// on: lower case, region suffixes removed, then every character that is not
// a letter or digit (spaces, hyphens, dots, slashes, underscores…) removed.
// "HS-100", "hs 100", "HS100(UK)" and "hs100/uk" all become "hs100".
func NormalizeModel(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for {
		loc := regionSuffix.FindStringIndex(s)
		if loc == nil || loc[0] == 0 {
			break
		}
		s = strings.TrimSpace(s[:loc[0]])
	}
	return strings.Map(keepAlnum, s)
}

func keepAlnum(r rune) rune {
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return -1
}

// minModelKey is the shortest model key worth indexing or querying: shorter
// digit strings ("4", "10") match far too much to identify a product.
const minModelKey = 3

// maxKeyTokens bounds the work done on one title or query.
const maxKeyTokens = 64

// words splits s into lower-case runs of letters and digits.
func words(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(f) > maxKeyTokens {
		f = f[:maxKeyTokens]
	}
	return f
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// ModelKeys returns the model-number forms found in free text such as a
// title: each word and each pair of adjacent words joined ("HS 100" gives
// "hs100"), kept when it contains a digit and is at least three characters
// long. Engines index these so a model number written anywhere in a title is
// found however it was spaced or hyphenated.
func ModelKeys(text string) []string {
	w := words(text)
	var out []string
	seen := map[string]bool{}
	add := func(k string) {
		if len(k) >= minModelKey && hasDigit(k) && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for i, t := range w {
		add(t)
		if i+1 < len(w) {
			add(t + w[i+1])
		}
	}
	return out
}

// IndexModelKeys returns the model keys a listing is indexed under: its
// normalised model number plus the keys found in its model and title.
func IndexModelKeys(model, title string) []string {
	keys := ModelKeys(model + " " + title)
	if m := NormalizeModel(model); m != "" {
		keys = append([]string{m}, remove(keys, m)...)
	}
	return keys
}

// QueryModelKeys returns the model keys to look up for a free-text query:
// the whole query normalised as a model number (if it has a digit) followed
// by ModelKeys of the query.
func QueryModelKeys(q string) []string {
	keys := ModelKeys(q)
	if m := NormalizeModel(q); len(m) >= minModelKey && hasDigit(m) {
		keys = append([]string{m}, remove(keys, m)...)
	}
	return keys
}

func remove(list []string, s string) []string {
	out := list[:0:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// NormalizeGTIN strips spaces and hyphens and reports whether the rest is a
// GTIN-8, -12, -13 or -14 with a valid GS1 check digit. The digits are
// returned as written (not padded).
func NormalizeGTIN(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return s, false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return s, false
		}
		if i == len(s)-1 {
			break
		}
		d := int(c - '0')
		// Weights alternate 3, 1, 3… leftwards from the digit before the check digit.
		if (len(s)-2-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return s, (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

// GTINKey returns the 14-digit (zero-padded) form of a valid GTIN, so that a
// UPC-A, an EAN-13 and a GTIN-14 of the same item compare equal. Engines
// index and look up GTINs by this key.
func GTINKey(s string) (string, bool) {
	g, ok := NormalizeGTIN(s)
	if !ok {
		return "", false
	}
	return strings.Repeat("0", 14-len(g)) + g, true
}

// brandAliases maps the folded spelling of a brand (see brandFold) to the
// canonical key; sub-brands map to the maker that answers for them.
var brandAliases = map[string]string{
	"tplink": "tplink", "tplinkuk": "tplink", "tapo": "tplink", "kasa": "tplink", "kasasmart": "tplink",
	"ring": "ring", "amazonring": "ring", "ringcom": "ring",
	"nest": "googlenest", "googlenest": "googlenest", "google": "googlenest",
	"eufy": "eufy", "eufysecurity": "eufy", "ankereufy": "eufy",
	"hikvision": "hikvision", "hikvisionuk": "hikvision",
	"xiaomi": "xiaomi", "mi": "xiaomi", "mijia": "xiaomi",
	"vtech": "vtech", "motorola": "motorola", "motorolanursery": "motorola",
	"arlo": "arlo", "netgeararlo": "arlo",
	"blink": "blink", "blinkhome": "blink", "amazonblink": "blink",
	"philipshue": "philipshue", "hue": "philipshue",
	"hive": "hive", "hivehome": "hive",
	"tuya": "tuya", "tuyasmart": "tuya", "smartlife": "tuya",
}

// brandNames is the display name of each canonical brand key.
var brandNames = map[string]string{
	"tplink": "TP-Link", "ring": "Ring", "googlenest": "Google Nest", "eufy": "eufy",
	"hikvision": "Hikvision", "xiaomi": "Xiaomi", "vtech": "VTech", "motorola": "Motorola",
	"arlo": "Arlo", "blink": "Blink", "philipshue": "Philips Hue", "hive": "Hive", "tuya": "Tuya",
}

func brandFold(s string) string { return strings.Map(keepAlnum, strings.ToLower(s)) }

// NormalizeBrand returns the key brands are compared by: case and
// punctuation folded, known aliases resolved ("TP-Link", "TPLink" and
// "tp link" all give "tplink").
func NormalizeBrand(s string) string {
	k := brandFold(s)
	if c, ok := brandAliases[k]; ok {
		return c
	}
	return k
}

// DisplayBrand returns the name a brand is shown (and faceted) under: the
// canonical name for known brands, otherwise the input with spaces tidied.
func DisplayBrand(s string) string {
	if n, ok := brandNames[NormalizeBrand(s)]; ok {
		return n
	}
	return strings.Join(strings.Fields(s), " ")
}

// ExpandBrandWords rewrites each word of a free-text query that is the
// folded form of a known brand ("tplink", "googlenest") as the brand's
// display name ("TP-Link", "Google Nest"), so that it matches listings
// however the seller spaced or hyphenated the brand. Engines index each
// listing's text with its DisplayBrand for the same reason.
func ExpandBrandWords(q string) string {
	fields := strings.Fields(q)
	changed := false
	for i, f := range fields {
		k := brandFold(f)
		if name, ok := brandNames[k]; ok && brandAliases[k] == k && f != name {
			fields[i] = name
			changed = true
		}
	}
	if !changed {
		return q
	}
	return strings.Join(fields, " ")
}

// ListingText is the free text engines index for a listing: its title, its
// brand as written and, when different, the brand's display name, followed
// by the joined form of every hyphenated word ("Wi-Fi" adds "WiFi"), so
// that "wifi", "Wi-Fi" and "WiFi" find each other.
func ListingText(title, brand string) string {
	text := title + " " + brand
	if d := DisplayBrand(brand); d != strings.Join(strings.Fields(brand), " ") {
		text += " " + d
	}
	var joined []string
	for _, w := range strings.Fields(text) {
		if j := joinHyphens(w); j != w {
			joined = append(joined, j)
		}
	}
	if len(joined) > 0 {
		text += " " + strings.Join(joined, " ")
	}
	return text
}

// QueryText prepares free text for matching against ListingText: brand
// words are expanded (ExpandBrandWords) and hyphenated words joined.
func QueryText(q string) string {
	fields := strings.Fields(ExpandBrandWords(q))
	for i, f := range fields {
		fields[i] = joinHyphens(f)
	}
	return strings.Join(fields, " ")
}

// joinHyphens removes hyphens that sit between two letters or digits.
func joinHyphens(w string) string {
	if !strings.Contains(w, "-") {
		return w
	}
	r := []rune(w)
	out := make([]rune, 0, len(r))
	for i, c := range r {
		if c == '-' && i > 0 && i+1 < len(r) && isAlnum(r[i-1]) && isAlnum(r[i+1]) {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
