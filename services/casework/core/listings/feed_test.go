package listings

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/services/casework/core/categories"
)

func TestGTINPlaceholdersAndInvalidGTINs(t *testing.T) {
	for _, g := range []string{"Does not apply", "does not apply", "DOES NOT APPLY", "N/A", "n/a", "NA", "none", "None",
		"0", "00000000", "0000000000000", "-", "—", "not applicable", "Unknown", "null", " ", "TBC"} {
		in := validInput()
		in.GTIN = g
		l, err := parse(in, testNow)
		if err != nil || l.GTIN != "" || l.GTINRaw != "" || len(l.Quality) != 0 {
			t.Errorf("GTIN %q should count as absent: %+v %v", g, l, err)
		}
		if strings.TrimSpace(g) != "" && !l.gtinPlaceholder {
			t.Errorf("GTIN %q not counted as a placeholder", g)
		}
	}
	for _, g := range []string{"5012345678901", "12345", "501234567890X", "ABC-123", "5012345678900 5012345678900"} {
		in := validInput()
		in.GTIN = g
		l, err := parse(in, testNow)
		if err != nil || l.GTIN != "" || l.GTINRaw != g || !slices.Equal(l.Quality, []string{QualityGTINInvalid}) {
			t.Errorf("GTIN %q should be kept raw and flagged: %+v %v", g, l, err)
		}
		if k := keysOf(l, true); k.gtin != "" {
			t.Errorf("an invalid GTIN %q was used for matching", g)
		}
	}
	in := validInput()
	in.GTIN = "5 012345 678900"
	if l, err := parse(in, testNow); err != nil || l.GTIN != "5012345678900" || l.GTINRaw != "" || len(l.Quality) != 0 {
		t.Errorf("valid GTIN: %+v %v", l, err)
	}
}

func TestParseCategoryAndDisclosureURL(t *testing.T) {
	in := validInput()
	in.SellerCategory = "  Electronics >  Smart Home > Smart Plugs & Sockets "
	in.VulnerabilityDisclosureURL = "https://www.tp-link.com/uk/press/security-advisory/"
	l, err := parse(in, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if l.SellerCategory != "Electronics > Smart Home > Smart Plugs & Sockets" || l.Category != categories.SmartPlug {
		t.Errorf("category: raw %q code %q", l.SellerCategory, l.Category)
	}
	if l.VulnerabilityDisclosureURL != in.VulnerabilityDisclosureURL || len(l.Quality) != 0 {
		t.Errorf("vdp: %+v", l)
	}
	plain, _ := parse(validInput(), testNow)
	if plain.ContentHash == l.ContentHash {
		t.Error("the category and disclosure URL are not part of the content hash")
	}
	for v, ok := range map[string]bool{"mailto:security@example.com": true, "see our website": false,
		"javascript:alert(1)": false, "https://example.com/.well-known/security.txt": true} {
		in.VulnerabilityDisclosureURL = v
		l, err := parse(in, testNow)
		if err != nil || l.VulnerabilityDisclosureURL != v || slices.Contains(l.Quality, QualityVDPInvalid) == ok {
			t.Errorf("vdp %q: flags %v, err %v", v, l.Quality, err)
		}
	}
	in = validInput()
	in.SellerCategory = "Home & Garden"
	if l, _ := parse(in, testNow); l.Category != "" || l.SellerCategory != "Home & Garden" {
		t.Errorf("unmapped category: %+v", l)
	}
}

func TestContentHashUnchangedWithoutNewFields(t *testing.T) {
	// Listings stored before categories and disclosure URLs keep their hash:
	// this is the v1 layout's hash of validInput.
	l, err := parse(validInput(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if l.ContentHash != contentHashV1(l) {
		t.Errorf("hash of a listing without new fields changed: %s", l.ContentHash)
	}
}

// contentHashV1 is the layout before seller categories existed.
func contentHashV1(l Listing) string {
	l.SellerCategory, l.VulnerabilityDisclosureURL, l.GTINRaw = "", "", ""
	return contentHash(l)
}

func decodeOne(t *testing.T, line string) record {
	t.Helper()
	recs := drain(t, newNDJSONDecoder(newTracker(line+"\n"), 1, 0, 1<<16))
	if len(recs) != 1 {
		t.Fatalf("%d records from %q", len(recs), line)
	}
	return recs[0]
}

func TestNDJSONUnknownFieldsAndAliases(t *testing.T) {
	r := decodeOne(t, `{"listing_id":123456789012,"Retailer":"eBay","market_type":"marketplace","link":"https://www.ebay.co.uk/itm/1",`+
		`"name":"Tapo C200","brand":"TP-Link","mpn":"C200","ean":"6935364088767","gtin":"","category":["Home","Security","CCTV"],`+
		`"vdp_url":"https://www.tp-link.com/uk/security","colour":"white","images":["a.jpg"],"rating":4.5,"empty":"","nothing":null,`+
		`"support_period":"Updates until 2028"}`)
	if r.err != "" {
		t.Fatal(r.err)
	}
	in := r.in
	if in.ExternalID != "123456789012" || in.Retailer != "eBay" || in.URL != "https://www.ebay.co.uk/itm/1" ||
		in.Title != "Tapo C200" || in.Model != "C200" || in.GTIN != "6935364088767" ||
		in.SellerCategory != "Home > Security > CCTV" || in.VulnerabilityDisclosureURL != "https://www.tp-link.com/uk/security" ||
		in.SupportText != "Updates until 2028" {
		t.Fatalf("input: %+v", in)
	}
	slices.Sort(r.notes.Ignored)
	if !slices.Equal(r.notes.Ignored, []string{"colour", "images", "rating"}) {
		t.Errorf("ignored: %v", r.notes.Ignored)
	}
	mapped := map[string]string{}
	for _, m := range r.notes.Mapped {
		mapped[m.From] = m.To
	}
	want := map[string]string{"link": "url", "name": "title", "mpn": "model", "ean": "gtin", "vdp_url": "vulnerability_disclosure_url",
		"support_period": "support_period_text"}
	for k, v := range want {
		if mapped[k] != v {
			t.Errorf("alias %s mapped to %q, want %q (all: %v)", k, mapped[k], v, mapped)
		}
	}
	// The canonical name wins over an alias, whichever comes first.
	r = decodeOne(t, `{"ean":"111","gtin":"5012345678900","title":"t","name":"other"}`)
	if r.in.GTIN != "5012345678900" || r.in.Title != "t" || !slices.Contains(r.notes.Ignored, "ean") ||
		!slices.Contains(r.notes.Ignored, "name") {
		t.Errorf("precedence: %+v %+v", r.in, r.notes)
	}
	for line, want := range map[string]string{
		`{"title":true}`:                   "title must be a string or a number, not a boolean",
		`{"title":{"a":1}}`:                "title must be",
		`{"price":{"amount_pence":"x"}}`:   "amount_pence",
		`{"price":[1]}`:                    "price must be",
		`{"price_pence":1.5}`:              "price_pence",
		`{"listing_id":"a","item_id":"b"}`: "",
	} {
		r := decodeOne(t, line)
		if (want == "") != (r.err == "") || !strings.Contains(r.err, want) {
			t.Errorf("%s: error %q, want %q", line, r.err, want)
		}
	}
}

func TestListingAsReturnedCanBeSentBack(t *testing.T) {
	// The API's own shape: price as an object, external_id, read-only fields.
	returned := `{"id":"01a21939-0000-7000-8000-000000000001","external_id":"eb-1","retailer":"eBay","market_type":"marketplace",` +
		`"url":"https://www.ebay.co.uk/itm/1","title":"Plug","gtin_raw":"5012345678901",` +
		`"price":{"amount_pence":1499,"currency":"GBP"},"condition":"new","observed_at":"2026-11-20T10:15:00Z",` +
		`"support_period_text":"","has_support_period":false,"status":"live","product_id":"01a21939-0000-7000-8000-0000000000aa",` +
		`"link":"auto","match_reason":"gtin","category":"smart_plug","seller_category":"Smart Plugs & Sockets",` +
		`"data_quality":["gtin_invalid"],"content_sha256":"ab","created_at":"2026-11-20T10:15:00Z","version":3}`
	r := decodeOne(t, returned)
	if r.err != "" || len(r.notes.Ignored) != 0 || len(r.notes.Mapped) != 0 {
		t.Fatalf("round trip: %q %+v", r.err, r.notes)
	}
	in := r.in
	if in.ExternalID != "eb-1" || in.PricePence == nil || *in.PricePence != 1499 || in.Currency != "GBP" || in.Price != "" ||
		in.GTIN != "5012345678901" || in.SellerCategory != "Smart Plugs & Sockets" {
		t.Fatalf("input: %+v", in)
	}
	if in.ProductID != "" || in.NoProduct {
		t.Errorf("an automatic link sent back must not become an officer's: %+v", in)
	}
	l, err := parse(in, testNow)
	if err != nil || l.GTINRaw != "5012345678901" || l.Category != categories.SmartPlug {
		t.Fatalf("parse: %+v %v", l, err)
	}
	r = decodeOne(t, `{"product_id":null,"link":"officer","title":"x"}`)
	if !r.in.NoProduct || r.in.ProductID != "" {
		t.Errorf("officer's no-product: %+v", r.in)
	}
	r = decodeOne(t, `{"price":{"amount_pence":100,"currency":"EUR"},"currency":"GBP"}`)
	if !strings.Contains(r.err, "currency") {
		t.Errorf("contradicting currencies: %q", r.err)
	}
}

func TestDecodePatchKeepsAbsentFields(t *testing.T) {
	p, notes, err := DecodePatch([]byte(`{"category":"CCTV","vdp_url":"https://x.example/vdp","product_id":null,"colour":"red"}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != nil || p.Price != nil || p.SellerCategory == nil || *p.SellerCategory != "CCTV" ||
		p.VulnerabilityDisclosureURL == nil || p.ProductID == nil || *p.ProductID != "" {
		t.Fatalf("patch: %+v", p)
	}
	if !slices.Equal(notes.Ignored, []string{"colour"}) {
		t.Errorf("notes: %+v", notes)
	}
	p, _, err = DecodePatch([]byte(`{"product_id":"01a21939-0000-7000-8000-0000000000aa","link":"auto","price":{"amount_pence":5}}`))
	if err != nil || p.ProductID != nil || p.PricePence == nil || *p.PricePence != 5 {
		t.Fatalf("round-trip patch: %+v %v", p, err)
	}
	for _, body := range []string{`[]`, `{"title":`, `{"title":true}`, `{} {}`, "{\"t\":\"caf\xe9\"}"} {
		if _, _, err := DecodePatch([]byte(body)); err == nil {
			t.Errorf("%q accepted", body)
		}
	}
}

func TestCSVUnknownColumnsAliasesAndPriceShapes(t *testing.T) {
	input := "Listing ID,Retailer,market_type,Product URL,title,EAN,price.amount_pence,price.currency,Colour,vdp_url,Category\n" +
		"a-1,Argos,retailer,https://a.example/1,Plug,Does not apply,1299,GBP,white,https://a.example/vdp,CCTV\n" +
		"a-2,Argos,retailer,https://a.example/2,Cam,5012345678901,,,,,\n"
	tr := newTracker(input)
	d, err := readCSVHeader(tr)
	if err != nil {
		t.Fatal(err)
	}
	recs := drain(t, d)
	if len(recs) != 2 || recs[0].err != "" || recs[1].err != "" {
		t.Fatalf("records: %+v", recs)
	}
	in := recs[0].in
	if in.ExternalID != "a-1" || in.URL != "https://a.example/1" || in.GTIN != "Does not apply" || in.PricePence == nil ||
		*in.PricePence != 1299 || in.Currency != "GBP" || in.SellerCategory != "CCTV" || in.VulnerabilityDisclosureURL == "" {
		t.Fatalf("first: %+v", in)
	}
	if !slices.Equal(recs[0].notes.Ignored, []string{"colour"}) || len(recs[1].notes.Ignored) != 0 {
		t.Errorf("ignored (an empty cell is not counted): %v %v", recs[0].notes.Ignored, recs[1].notes.Ignored)
	}
	// The price as the API returns it, in one cell.
	tr = newTracker("retailer,url,title,price\nArgos,https://a.example/3,x,\"{\"\"amount_pence\"\":250,\"\"currency\"\":\"\"EUR\"\"}\"\n")
	if d, err = readCSVHeader(tr); err != nil {
		t.Fatal(err)
	}
	recs = drain(t, d)
	if len(recs) != 1 || recs[0].err != "" || *recs[0].in.PricePence != 250 || recs[0].in.Currency != "EUR" || recs[0].in.Price != "" {
		t.Fatalf("price object in CSV: %+v", recs)
	}
}

// readAll runs an import's reading half (decode, validate, count) over
// NDJSON and returns the report it accumulates, without a store.
func readAll(t *testing.T, input string) (ImportResult, int) {
	t.Helper()
	run := &importRun{s: &Service{now: func() time.Time { return testNow }}, opt: ImportOptions{BatchSize: 3},
		t: &tracker{src: strings.NewReader(input), h: sha256.New(), limit: 1 << 20}}
	run.res = &ImportResult{}
	out := make(chan chunk)
	go run.read(context.Background(), newNDJSONDecoder(run.t, 1, 0, 1<<16), out)
	kept := 0
	for ch := range out {
		run.res.Lines += ch.lines
		run.res.add(ch.stats)
		for _, le := range ch.rejected {
			run.res.reject(le.Line, le.Error)
		}
		kept += len(ch.batch)
	}
	return *run.res, kept
}

func TestImportReport(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 10; i++ {
		m := map[string]any{"retailer": "eBay", "market_type": "marketplace", "url": "https://e.example/" + string(rune('a'+i)),
			"title": "Smart plug", "vdp_url": "https://x.example/vdp", "colour": "white"}
		switch i % 5 {
		case 0:
			m["gtin"] = "Does not apply"
		case 1:
			m["gtin"] = "5012345678901" // wrong check digit
		case 2:
			m["category"] = "Home & Garden"
		case 3:
			m["category"] = "Smart Plugs & Sockets"
		}
		raw, _ := json.Marshal(m)
		b.Write(raw)
		b.WriteByte('\n')
	}
	b.WriteString("not json\n")
	res, kept := readAll(t, b.String())
	if kept != 10 || res.RejectedTotal != 1 || res.Rejected[0].Line != 11 || res.Lines != 11 {
		t.Fatalf("kept %d: %+v", kept, res)
	}
	if res.IgnoredFields["colour"] != 10 || len(res.IgnoredFields) != 1 {
		t.Errorf("ignored: %v", res.IgnoredFields)
	}
	if m := res.MappedFields["vdp_url"]; m.Field != "vulnerability_disclosure_url" || m.Lines != 10 {
		t.Errorf("mapped: %v", res.MappedFields)
	}
	if res.DataQuality[DataGTINPlaceholder] != 2 || res.DataQuality[QualityGTINInvalid] != 2 ||
		res.DataQuality[DataCategoryUnmapped] != 2 || res.UnmappedCategories["Home & Garden"] != 2 {
		t.Errorf("quality: %v %v", res.DataQuality, res.UnmappedCategories)
	}
}

func TestReportBoundsDistinctNames(t *testing.T) {
	var b strings.Builder
	for i := 0; i < maxReportFields+50; i++ {
		raw, _ := json.Marshal(map[string]any{"retailer": "eBay", "market_type": "marketplace", "title": "x",
			"url": fmt.Sprintf("https://e.example/%d", i), fmt.Sprintf("extra_%03d", i): 1})
		b.Write(raw)
		b.WriteByte('\n')
	}
	res, _ := readAll(t, b.String())
	if len(res.IgnoredFields) != maxReportFields+1 || res.IgnoredFields[OtherNames] != 50 {
		t.Errorf("%d names, others %d", len(res.IgnoredFields), res.IgnoredFields[OtherNames])
	}
}

// FuzzEachMember checks the allocation-free member scan against
// encoding/json on every valid JSON object.
func FuzzEachMember(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":{"c":[1,"x\"}"]},"d":"e\\"}`))
	f.Add([]byte(` { "k" : [ ] , "l":null,"m":true } `))
	f.Fuzz(func(t *testing.T, data []byte) {
		data = bytes.TrimSpace(data)
		// Lines are checked to be UTF-8 before they are scanned.
		if !utf8.Valid(data) || !json.Valid(data) || len(data) == 0 || data[0] != '{' {
			return
		}
		var keys, vals []string
		eachMember(data, func(k, v []byte) {
			s, ok := jsonText(k)
			if !ok {
				t.Fatalf("key %q is not a string", k)
			}
			keys, vals = append(keys, s), append(vals, string(v))
		})
		dec := json.NewDecoder(bytes.NewReader(data))
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		i := 0
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if i >= len(keys) || tok.(string) != keys[i] || !json.Valid([]byte(vals[i])) {
				t.Fatalf("member %d: %q, scan gave %q", i, tok, keys)
			}
			var a, b any
			_ = json.Unmarshal(v, &a)
			_ = json.Unmarshal([]byte(vals[i]), &b)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("member %q: value %s, scan gave %s", keys[i], v, vals[i])
			}
			i++
		}
		if i != len(keys) {
			t.Fatalf("%d members, scan gave %d", i, len(keys))
		}
	})
}
