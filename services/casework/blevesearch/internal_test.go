package blevesearch

import (
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

func TestWithinOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"camera", "camera", true},
		{"camera", "camra", true},
		{"camera", "cameras", true},
		{"camera", "camara", true},
		{"camera", "cmaera", false}, // a transposition is two edits
		{"camera", "cam", false},
		{"", "a", true},
		{"ünïcode", "unïcode", true},
	}
	for _, tc := range tests {
		if got := withinOneEdit(tc.a, tc.b); got != tc.want {
			t.Errorf("withinOneEdit(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestHighlightTitle(t *testing.T) {
	an := newMapping().AnalyzerNamed(en.AnalyzerName)
	tests := []struct {
		title, q, want string
	}{
		{"Tapo C200 Home Camera", "camera", "Tapo C200 Home <mark>Camera</mark>"},
		{"Outdoor Camara <b>4G</b>", "camera", "Outdoor <mark>Camara</mark> &lt;b&gt;4G&lt;/b&gt;"},
		{"tp link HS 100 socket", "hs100", "tp link <mark>HS 100</mark> socket"},
		{"Kasa HS-100(UK) plug", "HS100", "Kasa <mark>HS-100</mark>(UK) plug"}, // two words whose join is the key
		{"Smart Plugs x2", "smart plug", "<mark>Smart</mark> <mark>Plugs</mark> x2"},
		{"Baby monitor", "doorbell", ""},
	}
	for _, tc := range tests {
		if got := highlightTitle(tc.title, parseText(tc.q, an), an); got != tc.want {
			t.Errorf("highlight(%q, %q) = %q, want %q", tc.title, tc.q, got, tc.want)
		}
	}
}

func TestPackedAttributesRoundTrip(t *testing.T) {
	ds := newDicts()
	d := search.Doc{
		ListingID: "lst\x1f1", ProductID: "prd-9", Retailer: "Argos\x1eUK", MarketType: search.MarketRetailer,
		Brand: "tp link", Category: "Smart plug", Condition: search.ConditionRefurbished, Status: search.StatusRemoved,
		SupportText: "until 2030", ObservedAt: time.Date(2026, 5, 1, 12, 0, 0, 7, time.UTC),
		OpenCaseAuthorities: []string{"TS-KENT", "OPSS"},
	}
	r, obs, id, err := ds.decode([]byte(packAttrs(d)))
	if err != nil {
		t.Fatal(err)
	}
	if id != "lst 1" || obs != d.ObservedAt.UnixNano() {
		t.Errorf("id %q observed %d", id, obs)
	}
	names := ds.retailer.snapshot()
	if names[r.retailer] != "Argos UK" || ds.brand.snapshot()[r.brand] != "TP-Link" || ds.product.snapshot()[r.product] != "prd-9" {
		t.Errorf("decoded row %+v", r)
	}
	if r.market != marketCodes[search.MarketRetailer] || r.cond != condCodes[search.ConditionRefurbished] ||
		r.status != statusCodes[search.StatusRemoved] || !r.support {
		t.Errorf("decoded codes %+v", r)
	}
	kent := ds.auths.containing("TS-KENT")
	bham := ds.auths.containing("TS-BHAM")
	if !kent[r.auths] || bham[r.auths] {
		t.Errorf("authority set %d: kent %v bham %v", r.auths, kent, bham)
	}
	f := ds.resolve(search.Query{Brand: "TPLINK", HasOpenCase: ptr(true), Authority: "OPSS"})
	if !f.match(&r) {
		t.Error("filter by brand alias and open case did not match")
	}
	if _, _, _, err := ds.decode([]byte("too\x1ffew")); err == nil {
		t.Error("decode accepted a malformed value")
	}
}

func ptr[T any](v T) *T { return &v }
