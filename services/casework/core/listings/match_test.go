package listings

import (
	"slices"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/products"
)

func ref(id string, p products.Product) ProductRef {
	return ProductRef{ID: id, Brand: p.Brand, Model: p.Model, GTIN: p.GTIN, Keys: ProductKeys(p)}
}

var (
	hs100 = ref("p-hs100", products.Product{Brand: "TP-Link", Model: "HS100", Variants: []string{"HS100(UK)"}, GTIN: "5012345678900"})
	hs110 = ref("p-hs110", products.Product{Brand: "TP-Link", Model: "HS110"})
	c200  = ref("p-c200", products.Product{Brand: "TP-Link", Model: "Tapo C200"})
	a9    = ref("p-a9", products.Product{Brand: "Generic", Model: "A9"})
	other = ref("p-other", products.Product{Brand: "Acme", Model: "HS100"}) // another maker's HS100
	upc   = ref("p-upc", products.Product{Brand: "Hive", Model: "SLR2", GTIN: "036000291452"})
)

func TestProductKeys(t *testing.T) {
	keys := ProductKeys(products.Product{Brand: "Tapo", Model: "Tapo C200/UK", Variants: []string{"C-200"}, GTIN: "036000291452"})
	for _, want := range []ProductKey{{KeyBrand, "tplink"}, {KeyGTIN, "00036000291452"}, {KeyModel, "tapoc200"}, {KeyModel, "c200"}} {
		if !slices.Contains(keys, want) {
			t.Errorf("keys %v lack %v", keys, want)
		}
	}
}

func TestAutoMatch(t *testing.T) {
	all := []ProductRef{hs100, hs110, c200, a9, other, upc}
	tests := []struct {
		name         string
		l            Listing
		want, reason string
	}{
		{"gtin alone", Listing{Title: "smart socket", GTIN: "5012345678900"}, "p-hs100", ReasonGTIN},
		{"UPC-A product, EAN-13 listing", Listing{Title: "x", GTIN: "0036000291452"}, "p-upc", ReasonGTIN},
		{"brand alias and spelt model", Listing{Title: "plug", Brand: "Kasa", Model: "HS-100 (UK)"}, "p-hs100", ReasonBrandModel},
		{"brand in title only", Listing{Title: "TP Link smart plug", Model: "hs 100"}, "p-hs100", ReasonBrandModel},
		{"sub-brand model", Listing{Title: "cam", Brand: "Tapo", Model: "C200"}, "p-c200", ReasonBrandModel},
		{"other maker", Listing{Title: "plug", Brand: "Acme", Model: "HS100"}, "p-other", ReasonBrandModel},
		{"model without brand is ambiguous", Listing{Title: "smart plug", Model: "HS100"}, "", ""},
		{"title only", Listing{Title: "Faceplate fits TP-Link HS100", Brand: ""}, "", ""},
		{"wrong brand", Listing{Title: "plug", Brand: "Hive", Model: "HS110"}, "", ""},
		{"near miss", Listing{Title: "plug", Brand: "TP-Link", Model: "HS101"}, "", ""},
	}
	for _, tc := range tests {
		id, reason := autoMatch(tc.l, all)
		if id != tc.want || reason != tc.reason {
			t.Errorf("%s: got %q %q, want %q %q", tc.name, id, reason, tc.want, tc.reason)
		}
	}
}

func TestRankCandidates(t *testing.T) {
	all := []ProductRef{hs100, hs110, c200, a9, other}
	l := Listing{Title: "Faceplate fits TP-Link HS 100 socket", ProductID: "p-hs110"}
	cands := rankCandidates(l, all)
	if len(cands) < 2 || cands[0].Product.ID != "p-hs100" || cands[0].Reasons[0] != ReasonTitleModel {
		t.Fatalf("title mention with brand should rank HS100 first: %+v", cands)
	}
	if cands[0].Score >= reasonWeight[ReasonBrandModel] {
		t.Errorf("title evidence scored like a model match: %v", cands[0].Score)
	}
	l = Listing{Title: "plug", Brand: "TP-Link", Model: "HS101", ProductID: "p-hs110"}
	cands = rankCandidates(l, all)
	ids := []string{}
	for _, c := range cands {
		ids = append(ids, c.Product.ID)
		if c.Product.ID == "p-hs110" && !c.Linked {
			t.Error("the linked product is not marked")
		}
	}
	if !slices.Contains(ids, "p-hs100") || !slices.Contains(ids, "p-hs110") || slices.Contains(ids, "p-c200") {
		t.Errorf("one-edit model candidates: %v", ids)
	}
	strong := rankCandidates(Listing{Title: "x", Brand: "TP-Link", Model: "HS100", GTIN: "5012345678900"}, all)
	if strong[0].Product.ID != "p-hs100" || strong[0].Score <= reasonWeight[ReasonGTIN]-0.001 || len(strong[0].Reasons) != 2 {
		t.Errorf("GTIN and model together: %+v", strong[0])
	}
}

func TestOneEdit(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{{"hs100", "hs110", true}, {"hs100", "hs1000", true}, {"hs100", "sh100", true}, {"hs100", "hs100", false},
		{"hs100", "hs120x", false}, {"c200", "c2000x", false}, {"ab", "ba", true}} {
		if got := oneEdit(tc.a, tc.b); got != tc.want {
			t.Errorf("oneEdit(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
