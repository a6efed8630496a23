package listings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

// field is one listing field of the import formats and the API.
type field uint8

// The fields, in the order Columns lists them.
const (
	fNone field = iota
	fListingID
	fExternalID
	fRetailer
	fMarketType
	fSeller
	fURL
	fTitle
	fDescription
	fBrand
	fModel
	fGTIN
	fGTINRaw
	fPrice
	fPricePence
	fCurrency
	fCondition
	fObservedAt
	fSupportText
	fStatus
	fProductID
	fCategory
	fSellerCategory
	fVDP
	fLink
	// fReadOnly is a field the API returns that is not input (id, version,
	// content_sha256…): accepted so a listing as returned can be sent back,
	// and dropped.
	fReadOnly
	numFields
)

// fieldNames are the canonical names.
var fieldNames = [numFields]string{fListingID: "listing_id", fExternalID: "external_id", fRetailer: "retailer",
	fMarketType: "market_type", fSeller: "seller", fURL: "url", fTitle: "title", fDescription: "description",
	fBrand: "brand", fModel: "model", fGTIN: "gtin", fGTINRaw: "gtin_raw", fPrice: "price", fPricePence: "price_pence",
	fCurrency: "currency", fCondition: "condition", fObservedAt: "observed_at", fSupportText: "support_period_text",
	fStatus: "status", fProductID: "product_id", fCategory: "category", fSellerCategory: "seller_category",
	fVDP: "vulnerability_disclosure_url", fLink: "link"}

// Columns are the field names of an import line: NDJSON object keys and CSV
// header names alike. listing_id is the source's own id (stored as the
// external id, the name the API returns it under, which is accepted too).
// Aliases lists the other names marketplace feeds use for them.
var Columns = func() []string {
	var out []string
	for f := fListingID; f < fReadOnly; f++ {
		if f != fExternalID && f != fLink {
			out = append(out, fieldNames[f])
		}
	}
	return out
}()

// Aliases maps the other names feeds give listing fields onto the field
// they mean (the one reviewed table of them). An alias is used only when
// the canonical name is not also given; either way the import report
// counts it.
var Aliases = map[string]string{
	"item_id": "listing_id", "item_number": "listing_id", "listing_number": "listing_id", "offer_id": "listing_id",
	"site": "retailer", "site_name": "retailer", "retailer_name": "retailer", "marketplace": "retailer", "platform": "retailer",
	"market": "market_type", "site_type": "market_type",
	"seller_name": "seller", "merchant": "seller", "merchant_name": "seller", "store": "seller", "store_name": "seller",
	"shop": "seller", "shop_name": "seller", "vendor": "seller",
	"listing_url": "url", "product_url": "url", "page_url": "url", "item_url": "url", "permalink": "url",
	"name": "title", "product_name": "title", "product_title": "title", "item_title": "title", "listing_title": "title",
	"desc": "description", "product_description": "description", "item_description": "description",
	"brand_name": "brand", "make": "brand", "manufacturer": "brand",
	"model_number": "model", "model_no": "model", "mpn": "model", "model_name": "model",
	"ean": "gtin", "ean13": "gtin", "ean_13": "gtin", "upc": "gtin", "upc_a": "gtin", "gtin8": "gtin", "gtin12": "gtin",
	"gtin13": "gtin", "gtin14": "gtin", "barcode": "gtin",
	"amount": "price", "price.amount": "price", "current_price": "price",
	"amount_pence": "price_pence", "price.amount_pence": "price_pence",
	"currency_code": "currency", "price_currency": "currency", "price.currency": "currency",
	"item_condition": "condition",
	"captured_at":    "observed_at", "seen_at": "observed_at", "scraped_at": "observed_at", "crawled_at": "observed_at",
	"observed": "observed_at", "last_seen": "observed_at", "date_observed": "observed_at",
	"support_period": "support_period_text", "support_text": "support_period_text",
	"security_update_period": "support_period_text", "security_updates": "support_period_text",
	"update_period": "support_period_text", "software_support_period": "support_period_text",
	"defined_support_period": "support_period_text", "support_period_statement": "support_period_text",
	"listing_status": "status",
	"category_path":  "category", "categories": "category", "product_category": "category", "breadcrumb": "category",
	"breadcrumbs": "category", "category_name": "category", "department": "category", "product_type": "category",
	"vdp_url": "vulnerability_disclosure_url", "vdp": "vulnerability_disclosure_url", "vdp_link": "vulnerability_disclosure_url",
	"vulnerability_disclosure":            "vulnerability_disclosure_url",
	"vulnerability_disclosure_policy":     "vulnerability_disclosure_url",
	"vulnerability_disclosure_policy_url": "vulnerability_disclosure_url",
	"security_contact":                    "vulnerability_disclosure_url", "security_contact_url": "vulnerability_disclosure_url",
	"security_policy_url": "vulnerability_disclosure_url", "report_vulnerability_url": "vulnerability_disclosure_url",
}

// readOnlyNames are what the API returns beside the input fields.
var readOnlyNames = []string{"id", "has_support_period", "match_reason", "content_sha256", "created_at", "updated_at",
	"version", "data_quality", "ignored_fields", "mapped_fields"}

type fieldRef struct {
	f     field
	alias bool
}

// fieldByName resolves a normalised name (see normName).
var fieldByName = func() map[string]fieldRef {
	m := map[string]fieldRef{}
	for f := fListingID; f < fReadOnly; f++ {
		m[fieldNames[f]] = fieldRef{f: f}
	}
	for a, to := range Aliases {
		m[a] = fieldRef{f: m[to].f, alias: true}
	}
	for _, n := range readOnlyNames {
		m[n] = fieldRef{f: fReadOnly}
	}
	return m
}()

// normName folds a field name as feeds write it ("Listing ID",
// "Vulnerability-Disclosure-URL") to the table's form.
func normName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, s)
}

func lookupField(name string) (fieldRef, bool) {
	if r, ok := fieldByName[name]; ok {
		return r, true
	}
	r, ok := fieldByName[normName(name)]
	return r, ok
}

// maxNoteName bounds a reported field name.
const maxNoteName = 64

// FieldNotes says what became of the fields of one line (or request) that
// are not listing fields under their own names.
type FieldNotes struct {
	// Ignored are unknown fields that carried a value.
	Ignored []string
	// Mapped are aliases read as the field they stand for.
	Mapped []MappedName
}

// MappedName is an alias and the field it was read as.
type MappedName struct{ From, To string }

// lineValues collects one line's fields before they become an Input.
type lineValues struct {
	v     [numFields]string
	set   [numFields]bool // given with a value (not null)
	null  [numFields]bool // given as JSON null
	from  [numFields]string
	notes FieldNotes
	// price given as an object ({"amount_pence","currency"}), as returned.
	objPence    *int64
	objCurrency string
	// obj is the JSON object being decoded and src the same bytes as one
	// string, which field values are substrings of.
	obj      []byte
	src      string
	err      string
	errField string // the field err is about, when one
}

func (lv *lineValues) reset() {
	*lv = lineValues{notes: FieldNotes{Ignored: lv.notes.Ignored[:0], Mapped: lv.notes.Mapped[:0]}}
}

func noteName(name string) string {
	if len(name) > maxNoteName {
		return clip(name)
	}
	return name
}

// ignore records an unknown (or superseded) field that carried a value.
func (lv *lineValues) ignore(name string) {
	lv.notes.Ignored = append(lv.notes.Ignored, noteName(name))
}

// put records the value of a named field; canonical names win over aliases.
func (lv *lineValues) put(name string, ref fieldRef, val string, isNull bool) {
	f := ref.f
	switch {
	case f == fReadOnly:
		return
	case f == fLink && !isLinkValue(val) && !isNull:
		// Feeds in the Google Merchant shape call the listing's URL "link";
		// the API's "link" says who linked the product.
		ref, f = fieldRef{f: fURL, alias: true}, fURL
	}
	if isNull {
		lv.null[f] = true
		return
	}
	if lv.set[f] && lv.v[f] != "" {
		if ref.alias || lv.from[f] == "" {
			if val != "" && val != lv.v[f] {
				lv.ignore(name)
			}
			return
		}
		// A canonical name after an alias supersedes it, unless empty.
		if val == "" {
			return
		}
		if lv.v[f] != val {
			lv.ignore(lv.from[f])
		}
	}
	lv.v[f], lv.set[f], lv.from[f] = val, true, ""
	if ref.alias && val != "" {
		lv.from[f] = noteName(name)
	}
}

func isLinkValue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", string(LinkAuto), string(LinkOfficer), "none":
		return true
	}
	return false
}

// finish turns the collected values into an Input. PATCH semantics
// (absent means unchanged) are built from the same values by patch.
func (lv *lineValues) finish() (Input, string) {
	for f := fListingID; f < fReadOnly; f++ {
		if lv.from[f] != "" {
			lv.notes.Mapped = append(lv.notes.Mapped, MappedName{From: lv.from[f], To: fieldNames[f]})
		}
	}
	if lv.err != "" {
		return Input{}, lv.err
	}
	fail := func(field, msg string) (Input, string) {
		lv.fail(field, "%s", msg)
		return Input{}, msg
	}
	v := &lv.v
	in := Input{ExternalID: v[fListingID], Retailer: v[fRetailer], MarketType: v[fMarketType], Seller: v[fSeller],
		URL: v[fURL], Title: v[fTitle], Description: v[fDescription], Brand: v[fBrand], Model: v[fModel], GTIN: v[fGTIN],
		Price: v[fPrice], Currency: v[fCurrency], Condition: v[fCondition], ObservedAt: v[fObservedAt],
		SupportText: v[fSupportText], Status: v[fStatus], ProductID: v[fProductID], SellerCategory: v[fCategory],
		VulnerabilityDisclosureURL: v[fVDP]}
	if e := v[fExternalID]; e != "" {
		if in.ExternalID != "" && in.ExternalID != e {
			return fail("listing_id", "listing_id and external_id differ; give one")
		}
		in.ExternalID = e
	}
	if strings.TrimSpace(in.GTIN) == "" {
		in.GTIN = v[fGTINRaw]
	}
	if s := v[fSellerCategory]; strings.TrimSpace(s) != "" {
		in.SellerCategory = s
	}
	if p := strings.TrimSpace(v[fPricePence]); p != "" {
		n, ok := wholeNumber(p)
		if !ok {
			return fail("price_pence", fmt.Sprintf("price_pence %q is not a whole number", clip(p)))
		}
		in.PricePence = &n
	}
	if strings.HasPrefix(strings.TrimSpace(in.Price), "{") {
		// A CSV cell holding the price as the API returns it.
		if msg := lv.priceObject([]byte(in.Price)); msg != "" {
			return fail("price", msg)
		}
		in.Price = ""
	}
	if lv.objPence != nil {
		if in.PricePence != nil && *in.PricePence != *lv.objPence {
			return fail("price_pence", "price.amount_pence and price_pence differ; give one")
		}
		in.PricePence = lv.objPence
		if c := lv.objCurrency; c != "" {
			if in.Currency != "" && !strings.EqualFold(strings.TrimSpace(in.Currency), c) {
				return fail("currency", "price.currency and currency differ; give one")
			}
			in.Currency = c
		}
	}
	switch strings.ToLower(strings.TrimSpace(v[fLink])) {
	case string(LinkAuto), "none":
		// A listing sent back as returned: its product_id was matching's
		// (or no one's) conclusion, not an officer's decision to record.
		in.ProductID = ""
	case string(LinkOfficer):
		in.NoProduct = strings.TrimSpace(in.ProductID) == ""
	}
	return in, ""
}

func wholeNumber(s string) (int64, bool) {
	var n json.Number = json.Number(s)
	v, err := n.Int64()
	return v, err == nil
}

// priceObject reads {"amount_pence": 1499, "currency": "GBP"} (or
// "amount": "14.99"), the shape the API returns a price in.
func (lv *lineValues) priceObject(raw []byte) string {
	var p struct {
		AmountPence *json.Number `json:"amount_pence"`
		Amount      *json.Number `json:"amount"`
		Currency    *string      `json:"currency"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return "price must be a number, a string or an object {\"amount_pence\", \"currency\"}"
	}
	switch {
	case p.AmountPence != nil && p.Amount != nil:
		return "price: give amount_pence or amount, not both"
	case p.AmountPence != nil:
		v, err := p.AmountPence.Int64()
		if err != nil {
			return fmt.Sprintf("price.amount_pence %q is not a whole number", clip(p.AmountPence.String()))
		}
		lv.objPence = &v
	case p.Amount != nil:
		lv.put("price.amount", fieldRef{f: fPrice}, p.Amount.String(), false)
	default:
		return "price must give amount_pence or amount"
	}
	if p.Currency != nil {
		lv.objCurrency = strings.TrimSpace(*p.Currency)
	}
	return ""
}

// patch builds a partial update from the values: fields not given are
// left unchanged; product_id null (or "") records that the listing is of
// no product in the register.
func (lv *lineValues) patch() (Patch, string) {
	in, msg := lv.finish()
	if msg != "" {
		return Patch{}, msg
	}
	var p Patch
	given := func(fs ...field) bool {
		for _, f := range fs {
			if lv.set[f] {
				return true
			}
		}
		return false
	}
	str := func(v string, fs ...field) *string {
		if !given(fs...) {
			return nil
		}
		return &v
	}
	p.ExternalID = str(in.ExternalID, fListingID, fExternalID)
	p.Retailer = str(in.Retailer, fRetailer)
	p.MarketType = str(in.MarketType, fMarketType)
	p.Seller = str(in.Seller, fSeller)
	p.URL = str(in.URL, fURL)
	p.Title = str(in.Title, fTitle)
	p.Description = str(in.Description, fDescription)
	p.Brand = str(in.Brand, fBrand)
	p.Model = str(in.Model, fModel)
	p.GTIN = str(in.GTIN, fGTIN, fGTINRaw)
	p.Currency = str(in.Currency, fCurrency)
	p.Condition = str(in.Condition, fCondition)
	p.ObservedAt = str(in.ObservedAt, fObservedAt)
	p.SupportText = str(in.SupportText, fSupportText)
	p.Status = str(in.Status, fStatus)
	p.SellerCategory = str(in.SellerCategory, fCategory, fSellerCategory)
	p.VulnerabilityDisclosureURL = str(in.VulnerabilityDisclosureURL, fVDP)
	switch {
	case in.PricePence != nil:
		p.PricePence = in.PricePence
	case given(fPrice):
		p.Price = &in.Price
	}
	link := strings.ToLower(strings.TrimSpace(lv.v[fLink]))
	if (given(fProductID) || lv.null[fProductID]) && link != string(LinkAuto) && link != "none" {
		id := strings.TrimSpace(lv.v[fProductID])
		p.ProductID = &id
	}
	return p, ""
}

// jsonText reads a JSON scalar as text: a string unescaped, a number as
// written. ok is false for other kinds.
func jsonText(raw []byte) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		if bytes.IndexByte(raw, '\\') < 0 {
			return string(raw[1 : len(raw)-1]), true
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw), true
	}
	return "", false
}

// jsonKind names the kind of a JSON value for an error message.
func jsonKind(raw []byte) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case 'n':
		return "null"
	}
	return "a number"
}

// text returns b, a sub-slice of the object being decoded, as a
// substring of its one string copy: decoding a line allocates that copy
// once instead of one string per field.
func (lv *lineValues) text(b []byte) string {
	i := cap(lv.obj) - cap(b)
	return lv.src[i : i+len(b)]
}

// scalarText reads a JSON string or number member as text.
func (lv *lineValues) scalarText(raw []byte) (string, bool) {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return lv.text(raw[1 : len(raw)-1]), true
	}
	if len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		return lv.text(raw), true
	}
	return jsonText(raw)
}

// putJSON records one member of a JSON object.
func (lv *lineValues) putJSON(key, raw []byte) {
	name, ok := lv.scalarText(key)
	if !ok {
		return
	}
	ref, known := lookupField(name)
	isNull := len(raw) == 4 && string(raw) == "null"
	if !known {
		if !isNull && !emptyJSON(raw) {
			lv.ignore(name)
		}
		return
	}
	if isNull || ref.f == fReadOnly {
		lv.put(name, ref, "", isNull)
		return
	}
	if text, ok := lv.scalarText(raw); ok {
		lv.put(name, ref, text, false)
		return
	}
	switch {
	case raw[0] == '{' && ref.f == fPrice:
		if msg := lv.priceObject(raw); msg != "" {
			lv.fail("price", "%s", msg)
		}
	case raw[0] == '[' && (ref.f == fCategory || ref.f == fSellerCategory):
		// A category path given as a list of levels.
		var levels []string
		if json.Unmarshal(raw, &levels) != nil {
			lv.fail(name, "%s must be a string or a list of strings", name)
			return
		}
		lv.put(name, ref, strings.Join(levels, " > "), false)
	default:
		lv.fail(name, "%s must be a string or a number, not %s", name, jsonKind(raw))
	}
}

func (lv *lineValues) fail(field, format string, args ...any) {
	if lv.err == "" {
		lv.err, lv.errField = fmt.Sprintf(format, args...), field
	}
}

func emptyJSON(raw []byte) bool {
	s := string(raw)
	return s == `""` || s == "[]" || s == "{}"
}

// DecodeInput reads a listing an officer sends as one JSON object: the
// import's field names and aliases, or a listing as the API returned it.
// Unknown fields are ignored and named in the notes.
func DecodeInput(body []byte) (Input, FieldNotes, error) {
	var lv lineValues
	if err := decodeBody(&lv, body); err != nil {
		return Input{}, FieldNotes{}, err
	}
	in, msg := lv.finish()
	if msg != "" {
		return Input{}, lv.notes, lv.problem()
	}
	return in, lv.notes, nil
}

// DecodePatch reads a partial update sent as one JSON object: fields left
// out stay unchanged, product_id null records that the listing is of no
// product in the register.
func DecodePatch(body []byte) (Patch, FieldNotes, error) {
	var lv lineValues
	if err := decodeBody(&lv, body); err != nil {
		return Patch{}, FieldNotes{}, err
	}
	p, msg := lv.patch()
	if msg != "" {
		return Patch{}, lv.notes, lv.problem()
	}
	return p, lv.notes, nil
}

func decodeBody(lv *lineValues, body []byte) error {
	if !utf8.Valid(body) {
		return apperr.New(apperr.Malformed, "the request body is not valid UTF-8")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.Malformed, "the request body is empty; send a JSON object")
	}
	if msg := decodeObject(lv, body); msg != "" {
		return apperr.New(apperr.Malformed, "%s", strings.Replace(msg, "the line", "the body", 1))
	}
	return nil
}

func (lv *lineValues) problem() error {
	if lv.errField == "" {
		return apperr.New(apperr.Malformed, "%s", lv.err)
	}
	e := apperr.InvalidField(lv.errField, "%s", lv.err)
	e.Code = apperr.Malformed
	return e
}
