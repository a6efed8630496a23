package listings

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/gs1"
	"github.com/tradewarden/tradewarden/services/casework/core/categories"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Input is a listing as submitted by an officer or read from an import
// line: text as written, validated and normalised by parse.
type Input struct {
	ExternalID  string
	Retailer    string
	MarketType  string
	Seller      string
	URL         string
	Title       string
	Description string
	Brand       string
	Model       string
	GTIN        string
	// Price is a decimal amount in major units as written ("12.99", "£12.99");
	// PricePence is the same in minor units. At most one may be given.
	Price       string
	PricePence  *int64
	Currency    string
	Condition   string
	ObservedAt  string // RFC 3339 or YYYY-MM-DD; empty means now
	SupportText string
	Status      string
	ProductID   string // an officer's link; empty for none
	// NoProduct records an officer's decision that the listing is of no
	// product in the register (with ProductID empty).
	NoProduct bool
	// SellerCategory is the seller's category as written (a path such as
	// "Electronics > Smart Home > Smart Plugs" or a single name).
	SellerCategory             string
	VulnerabilityDisclosureURL string
}

// Field limits, in bytes.
const (
	maxShort       = 200
	maxSeller      = 300
	maxTitle       = 500
	maxURL         = 2000
	maxDescription = 20000
	maxSupportText = 2000
	maxCategory    = 1000
	maxPricePence  = 100_000_000_00 // £100m: a listing price above it is a typo
	// futureSkew tolerates clocks of capture tools running a little fast.
	futureSkew = 5 * time.Minute
)

// parse validates in and returns the listing it describes (without id,
// link or bookkeeping). Field errors name the import/JSON field.
func parse(in Input, now time.Time) (Listing, error) {
	var fe apperr.Fields
	text := func(field, v string, max int, required bool) string {
		v = strings.TrimSpace(v)
		switch {
		case !utf8.ValidString(v):
			fe.Add(field, "is not valid UTF-8")
		case strings.ContainsRune(v, 0):
			fe.Add(field, "must not contain NUL characters")
		case required && v == "":
			fe.Add(field, "is required")
		case len(v) > max:
			fe.Add(field, "must be at most %d bytes", max)
		default:
			return v
		}
		return ""
	}
	l := Listing{
		ExternalID:                 text("external_id", in.ExternalID, maxShort, false),
		Retailer:                   strings.Join(strings.Fields(text("retailer", in.Retailer, maxShort, true)), " "),
		MarketType:                 strings.ToLower(text("market_type", in.MarketType, maxShort, true)),
		Seller:                     text("seller", in.Seller, maxSeller, false),
		URL:                        text("url", in.URL, maxURL, true),
		Title:                      text("title", in.Title, maxTitle, true),
		Description:                text("description", in.Description, maxDescription, false),
		Brand:                      text("brand", in.Brand, maxShort, false),
		Model:                      text("model", in.Model, maxShort, false),
		SupportText:                text("support_period_text", in.SupportText, maxSupportText, false),
		Condition:                  strings.ToLower(text("condition", in.Condition, maxShort, false)),
		Status:                     strings.ToLower(text("status", in.Status, maxShort, false)),
		ProductID:                  text("product_id", in.ProductID, maxShort, false),
		SellerCategory:             strings.Join(strings.Fields(text("category", in.SellerCategory, maxCategory, false)), " "),
		VulnerabilityDisclosureURL: text("vulnerability_disclosure_url", in.VulnerabilityDisclosureURL, maxURL, false),
	}
	l.Category, _ = categories.Map(l.SellerCategory)
	if l.MarketType != "" && !oneOf(l.MarketType, search.MarketRetailer, search.MarketMarketplace, search.MarketSecondary) {
		fe.Add("market_type", "must be one of retailer, marketplace, secondary (got %q)", clip(l.MarketType))
	}
	if l.URL != "" {
		if msg := checkURL(l.URL); msg != "" {
			fe.Add("url", "%s", msg)
		}
	}
	if g := text("gtin", in.GTIN, maxShort, false); g != "" {
		switch n, kind := classifyGTIN(g); kind {
		case gtinValid:
			l.GTIN = n
		case gtinPlaceholder:
			l.gtinPlaceholder = true
		default:
			l.GTINRaw = g
			l.Quality = append(l.Quality, QualityGTINInvalid)
		}
	}
	if v := l.VulnerabilityDisclosureURL; v != "" && !plausibleVDP(v) {
		l.Quality = append(l.Quality, QualityVDPInvalid)
	}
	switch {
	case l.Condition == "" && l.MarketType == search.MarketSecondary:
		l.Condition = search.ConditionUsed
	case l.Condition == "":
		l.Condition = search.ConditionNew
	case !oneOf(l.Condition, search.ConditionNew, search.ConditionUsed, search.ConditionRefurbished):
		fe.Add("condition", "must be one of new, used, refurbished (got %q)", clip(l.Condition))
	}
	switch {
	case l.Status == "":
		l.Status = search.StatusLive
	case !oneOf(l.Status, search.StatusLive, search.StatusRemoved):
		fe.Add("status", "must be live or removed (got %q)", clip(l.Status))
	}
	l.PricePence, l.Currency = parsePrice(&fe, in)
	l.ObservedAt = parseObserved(&fe, in.ObservedAt, now)
	if err := fe.Err(); err != nil {
		return Listing{}, err
	}
	l.ContentHash = contentHash(l)
	l.cacheKeys()
	return l, nil
}

func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}

// checkURL returns why raw is not an acceptable listing URL, or "".
func checkURL(raw string) string {
	if strings.ContainsAny(raw, " \t\r\n") {
		return "must not contain whitespace"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "is not a URL"
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "must be an http(s) URL"
	case u.Host == "" || u.Hostname() == "":
		return "must name a host"
	case u.User != nil:
		return "must not carry credentials"
	}
	return ""
}

// urlKey folds what does not distinguish two listing pages: scheme and host
// case, a default port, a trailing slash on the path, and the fragment.
func urlKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return strings.TrimSpace(raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	host = strings.TrimPrefix(host, "www.")
	if p := u.Port(); p != "" && !(p == "80" && u.Scheme == "http") && !(p == "443" && u.Scheme == "https") {
		host = net.JoinHostPort(host, p)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	path := u.EscapedPath()
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	if path == "/" {
		path = ""
	}
	k := host + path
	if u.RawQuery != "" {
		k += "?" + u.RawQuery
	}
	return k
}

// retailerKey folds case and spacing of a site name.
func retailerKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

var currencySymbols = map[string]string{"£": "GBP", "€": "EUR", "$": "USD"}

// parsePrice reads Price or PricePence and the currency (GBP by default).
func parsePrice(fe *apperr.Fields, in Input) (*int64, string) {
	cur := strings.ToUpper(strings.TrimSpace(in.Currency))
	price := strings.TrimSpace(in.Price)
	var pence *int64
	switch {
	case price != "" && in.PricePence != nil:
		fe.Add("price", "give price or price_pence, not both")
		return nil, ""
	case in.PricePence != nil:
		if *in.PricePence < 0 || *in.PricePence > maxPricePence {
			fe.Add("price_pence", "must be between 0 and %d", int64(maxPricePence))
			return nil, ""
		}
		v := *in.PricePence
		pence = &v
	case price != "":
		for sym, code := range currencySymbols {
			if rest, ok := strings.CutPrefix(price, sym); ok {
				if cur != "" && cur != code {
					fe.Add("currency", "is %s but the price is written in %s", cur, code)
					return nil, ""
				}
				cur, price = code, strings.TrimSpace(rest)
			}
		}
		v, ok := parseDecimalPence(price)
		if !ok {
			fe.Add("price", "%q is not an amount like 12.99", clip(in.Price))
			return nil, ""
		}
		pence = &v
	}
	if cur == "" {
		if pence == nil {
			return nil, ""
		}
		cur = "GBP"
	}
	if !isCurrency(cur) {
		fe.Add("currency", "%q is not an ISO 4217 currency code", clip(cur))
		return nil, ""
	}
	return pence, cur
}

// parseDecimalPence parses "12", "12.9", "12.99" or "1,299.00" exactly (no
// floating point) into minor units.
func parseDecimalPence(s string) (int64, bool) {
	s = strings.ReplaceAll(s, ",", "")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" && (!hasFrac || frac == "") {
		return 0, false
	}
	if len(frac) > 2 || (hasFrac && frac == "") {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, false
			}
		}
	}
	if len(whole) > 9 {
		return 0, false
	}
	w := int64(0)
	if whole != "" {
		w, _ = strconv.ParseInt(whole, 10, 64)
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	v := w*100 + f
	return v, v <= maxPricePence
}

func parseObserved(fe *apperr.Fields, s string, now time.Time) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return now.UTC().Truncate(time.Microsecond)
	}
	var t time.Time
	var err error
	if len(s) == len(time.DateOnly) {
		t, err = time.Parse(time.DateOnly, s)
	} else {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil {
		fe.Add("observed_at", "%q is not an RFC 3339 time or a date like 2026-11-26", clip(s))
		return time.Time{}
	}
	if t.After(now.Add(futureSkew)) {
		fe.Add("observed_at", "must not be in the future")
		return time.Time{}
	}
	if t.Year() < 1990 {
		fe.Add("observed_at", "is implausibly old")
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// contentHash is the SHA-256 of a listing's captured content in a fixed,
// unambiguous layout: each field length-prefixed, in a fixed order (domain
// brief §6: a listing is kept with its hash).
func contentHash(l Listing) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	field := func(s string) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		_, _ = io.WriteString(h, s)
	}
	price := ""
	if l.PricePence != nil {
		price = strconv.FormatInt(*l.PricePence, 10)
	}
	for _, f := range []string{"listing-content-v1", l.ExternalID, l.Retailer, l.MarketType, l.Seller, l.URL, l.Title,
		l.Description, l.Brand, l.Model, l.GTIN, price, l.Currency, l.Condition, l.SupportText, l.Status} {
		field(f)
	}
	// Fields added later extend the layout only when given, so listings
	// stored before them keep their hashes.
	if l.SellerCategory != "" || l.VulnerabilityDisclosureURL != "" || l.GTINRaw != "" {
		for _, f := range []string{"v2", l.SellerCategory, l.VulnerabilityDisclosureURL, l.GTINRaw} {
			field(f)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// isoCurrencies are the active ISO 4217 alphabetic codes.
const isoCurrencies = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD " +
	"CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD " +
	"HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD " +
	"MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG " +
	"QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD " +
	"TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG"

var currencySet = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(isoCurrencies) {
		m[c] = true
	}
	return m
}()

func isCurrency(c string) bool { return currencySet[c] }

type gtinKind int

const (
	gtinValid gtinKind = iota
	gtinPlaceholder
	gtinInvalid
)

// gtinPlaceholders are what feeds put in a GTIN field that has none, after
// folding case and dropping everything but letters and digits.
var gtinPlaceholders = map[string]bool{
	"doesnotapply": true, "na": true, "none": true, "null": true, "nil": true, "unknown": true, "notapplicable": true,
	"notavailable": true, "no": true, "n": true, "nogtin": true, "noean": true, "noupc": true, "nobarcode": true,
	"exempt": true, "tbc": true, "tba": true, "undefined": true, "": true,
	"nan": true, "x": true, "unbranded": true, "generic": true, "notknown": true, "notprovided": true,
}

// classifyGTIN tells a valid GTIN (returned normalised) from a placeholder
// that means "none" ("Does not apply", "N/A", "0", "0000000000000") and
// from an unusable value (a wrong check digit or length, stray letters).
func classifyGTIN(s string) (string, gtinKind) {
	if n, ok := gs1.Normalize(s); ok {
		if strings.Trim(n, "0") == "" {
			return "", gtinPlaceholder
		}
		return n, gtinValid
	}
	folded := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return -1
	}, s)
	if gtinPlaceholders[folded] || strings.Trim(folded, "0") == "" {
		return "", gtinPlaceholder
	}
	return "", gtinInvalid
}

// plausibleVDP reports whether v reads as a place to report a security
// issue: an http(s) URL or a mailto: address.
func plausibleVDP(v string) bool {
	if rest, ok := strings.CutPrefix(strings.ToLower(v), "mailto:"); ok {
		return strings.Contains(rest, "@") && !strings.ContainsAny(rest, " \t\r\n")
	}
	return checkURL(v) == ""
}
