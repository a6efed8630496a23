package demodata_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/demodata"
)

func TestListingsAreDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := demodata.WriteNDJSON(&a, 0, 200); err != nil {
		t.Fatal(err)
	}
	if err := demodata.WriteNDJSON(&b, 0, 200); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the sample changed between two runs")
	}
	if first, again := demodata.Listing(7), demodata.Listing(7); first != again || first == demodata.Listing(8) {
		t.Fatal("Listing(i) is not a function of i")
	}
}

func TestSampleIsRealistic(t *testing.T) {
	markets := map[string]int{}
	sites := map[string]bool{}
	spellings := map[string]bool{}
	keys := map[string]bool{}
	withSupport, placeholders, typos, withCategory := 0, 0, 0, 0
	for i := 0; i < demodata.DemoListings; i++ {
		r := demodata.Listing(i)
		markets[r.MarketType]++
		sites[r.Retailer] = true
		if r.SupportText != "" {
			withSupport++
		}
		if search.NormalizeModel(r.Model) == "hs100" {
			spellings[r.Model] = true
		}
		if u, err := url.Parse(r.URL); err != nil || u.Scheme != "https" || u.Host == "" {
			t.Fatalf("listing %d: URL %q", i, r.URL)
		}
		switch _, ok := search.NormalizeGTIN(r.GTIN); {
		case r.GTIN == "" || ok:
		case slices.Contains([]string{"Does not apply", "N/A", "none", "0"}, r.GTIN):
			placeholders++
		case r.MarketType == "marketplace":
			typos++ // a marketplace seller's typo, as real feeds have
		default:
			t.Fatalf("listing %d: invalid GTIN %q", i, r.GTIN)
		}
		if r.Category != "" {
			withCategory++
		}
		key := strings.ToLower(r.Retailer) + " " + r.URL
		if keys[key] || keys[r.ListingID] {
			t.Fatalf("listing %d repeats a key", i)
		}
		keys[key], keys[r.ListingID] = true, true
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{"retailer", "marketplace", "secondary"} {
		if markets[m] < demodata.DemoListings/10 {
			t.Errorf("only %d %s listings", markets[m], m)
		}
	}
	for _, s := range []string{"Argos", "Currys", "John Lewis", "Amazon Marketplace", "eBay", "OnBuy", "Fruugo",
		"Facebook Marketplace", "Gumtree", "CeX"} {
		if !sites[s] {
			t.Errorf("no listing on %s", s)
		}
	}
	for _, s := range []string{"HS100", "HS-100", "hs100", "HS 100 (UK)"} {
		if !spellings[s] {
			t.Errorf("no listing spells the model %q", s)
		}
	}
	if placeholders < 50 || typos == 0 || typos > demodata.DemoListings/50 || withCategory < demodata.DemoListings/2 {
		t.Errorf("%d GTIN placeholders, %d GTIN typos, %d categories", placeholders, typos, withCategory)
	}
	if withSupport < 100 || withSupport > demodata.DemoListings/2 {
		t.Errorf("%d listings show a support period", withSupport)
	}
	for _, p := range demodata.Products() {
		if p.GTIN != "" {
			if _, ok := search.NormalizeGTIN(p.GTIN); !ok {
				t.Errorf("product %s %s has an invalid GTIN %q", p.Brand, p.Model, p.GTIN)
			}
		}
	}
}
