package search_test

import (
	"slices"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

func TestNormalizeModel(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"HS100", "hs100"},
		{"HS-100", "hs100"},
		{"hs 100", "hs100"},
		{"hs100(uk)", "hs100"},
		{"HS100 (UK)", "hs100"},
		{"HS100/UK", "hs100"},
		{"HS100-UK", "hs100"},
		{"HS100_EU", "hs100"},
		{"HS100 UK version", "hs100"},
		{"HS100 (UK Version)", "hs100"},
		{"HS100 [GB plug]", "hs100"},
		{"Tapo C200-EU/UK", "tapoc200"},
		{"  C200.V2 ", "c200v2"},
		{"WB-1080P/US", "wb1080p"},
		{"X100UK", "x100uk"}, // no separator: part of the model
		{"UK", "uk"},         // a bare code is not stripped to nothing
		{"(UK)", "uk"},
		{"", ""},
		{"Ｈ S-１００", "ｈs１００"}, // letters and digits of any script are kept, punctuation dropped
	}
	for _, tc := range tests {
		if got := search.NormalizeModel(tc.in); got != tc.want {
			t.Errorf("NormalizeModel(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeModelVariantsAgree(t *testing.T) {
	variants := []string{"HS-100", "HS100", "hs 100", "hs100(uk)", "Hs.100", "hs_100 /UK", "HS100 - UK Version"}
	for _, v := range variants {
		if got := search.NormalizeModel(v); got != "hs100" {
			t.Errorf("NormalizeModel(%q) = %q, want hs100", v, got)
		}
	}
}

func TestNormalizeGTIN(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"5012345678900", "5012345678900", true},   // EAN-13
		{"5 012345 678900", "5012345678900", true}, // spaced
		{"501-2345-678900", "5012345678900", true}, // hyphenated
		{"5012345678901", "5012345678901", false},  // wrong check digit
		{"96385074", "96385074", true},             // GTIN-8
		{"96385075", "96385075", false},
		{"036000291452", "036000291452", true},     // UPC-A / GTIN-12
		{"10012345678902", "10012345678902", true}, // GTIN-14
		{"501234567891", "501234567891", false},    // 12 digits, bad check
		{"50123456789", "50123456789", false},      // 11 digits
		{"501234567890A", "501234567890A", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := search.NormalizeGTIN(tc.in)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("NormalizeGTIN(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestGTINKey(t *testing.T) {
	upc, ok1 := search.GTINKey("036000291452")
	ean, ok2 := search.GTINKey("0036000291452")
	if !ok1 || !ok2 || upc != ean || upc != "00036000291452" {
		t.Errorf("GTINKey: UPC %q %v, EAN %q %v; want both 00036000291452", upc, ok1, ean, ok2)
	}
	if _, ok := search.GTINKey("0036000291453"); ok {
		t.Error("GTINKey accepted a bad check digit")
	}
}

func TestNormalizeBrand(t *testing.T) {
	tests := []struct {
		in, key, display string
	}{
		{"TP-Link", "tplink", "TP-Link"},
		{"TPLink", "tplink", "TP-Link"},
		{"tp link", "tplink", "TP-Link"},
		{"TP-LINK UK", "tplink", "TP-Link"},
		{"Tapo", "tplink", "TP-Link"},
		{"Google Nest", "googlenest", "Google Nest"},
		{"Nest", "googlenest", "Google Nest"},
		{"eufy Security", "eufy", "eufy"},
		{"  Acme   Cam ", "acmecam", "Acme Cam"},
		{"", "", ""},
	}
	for _, tc := range tests {
		if got := search.NormalizeBrand(tc.in); got != tc.key {
			t.Errorf("NormalizeBrand(%q) = %q, want %q", tc.in, got, tc.key)
		}
		if got := search.DisplayBrand(tc.in); got != tc.display {
			t.Errorf("DisplayBrand(%q) = %q, want %q", tc.in, got, tc.display)
		}
	}
}

func TestModelKeys(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"TP-Link HS 100 Smart Plug", []string{"hs100", "100", "100smart"}},
		{"Tapo C200 camera", []string{"tapoc200", "c200", "c200camera"}},
		{"Ring Video Doorbell 4", []string{"doorbell4"}},
		{"smart plug", nil},
	}
	for _, tc := range tests {
		if got := search.ModelKeys(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ModelKeys(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestQueryModelKeysStartsWithWholeQuery(t *testing.T) {
	tests := []struct {
		q     string
		first string
		has   string
	}{
		{"hs 100", "hs100", "hs100"},
		{"hs100(uk)", "hs100", "hs100uk"},
		{"tp link hs 100", "tplinkhs100", "hs100"},
		{"HS-110", "hs110", "hs110"},
	}
	for _, tc := range tests {
		got := search.QueryModelKeys(tc.q)
		if len(got) == 0 || got[0] != tc.first || !slices.Contains(got, tc.has) {
			t.Errorf("QueryModelKeys(%q) = %q, want first %q and to contain %q", tc.q, got, tc.first, tc.has)
		}
	}
	if got := search.QueryModelKeys("baby monitor"); len(got) != 0 {
		t.Errorf("QueryModelKeys(baby monitor) = %q, want none", got)
	}
}

func TestIndexModelKeys(t *testing.T) {
	got := search.IndexModelKeys("HS110(UK)", "Kasa Smart Plug HS 110 energy monitoring")
	if got[0] != "hs110" || !slices.Contains(got, "hs110uk") {
		t.Errorf("IndexModelKeys = %q", got)
	}
	if n := len(search.IndexModelKeys("", "no numbers here")); n != 0 {
		t.Errorf("IndexModelKeys of digit-free text gave %d keys", n)
	}
}

func TestExpandBrandWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"tplink smart plug", "TP-Link smart plug"},
		{"TPLINK hs100", "TP-Link hs100"},
		{"googlenest cam", "Google Nest cam"},
		{"tapo c200", "tapo c200"}, // sub-brands stay as typed: titles carry them
		{"tp link plug", "tp link plug"},
		{"baby monitor", "baby monitor"},
	}
	for _, tc := range tests {
		if got := search.ExpandBrandWords(tc.in); got != tc.want {
			t.Errorf("ExpandBrandWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestListingText(t *testing.T) {
	tests := []struct{ title, brand, want string }{
		{"Smart Plug", "TPLink", "Smart Plug TPLink TP-Link TPLink"},
		{"Doorbell", "Ring", "Doorbell Ring"},
		{"Outdoor Wi-Fi Camera", "Tapo", "Outdoor Wi-Fi Camera Tapo TP-Link WiFi TPLink"},
		{"Cam - 2-Pack", "Acme", "Cam - 2-Pack Acme 2Pack"},
	}
	for _, tc := range tests {
		if got := search.ListingText(tc.title, tc.brand); got != tc.want {
			t.Errorf("ListingText(%q, %q) = %q, want %q", tc.title, tc.brand, got, tc.want)
		}
	}
}

func TestQueryText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"wi-fi camera", "wifi camera"},
		{"tplink plug", "TPLink plug"},
		{"+plug -camera", "+plug -camera"},
		{"hs-100 uk", "hs100 uk"},
		{"a--b", "a--b"},
	}
	for _, tc := range tests {
		if got := search.QueryText(tc.in); got != tc.want {
			t.Errorf("QueryText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
