package search_test

import (
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Kärnvik":              "Karnvik",
		"Ka\u0308rnvik":        "Karnvik", // NFD
		"ＨＳ－１００":               "HS-100",  // full-width
		"Wi\u2011Fi":           "Wi-Fi",   // non-breaking hyphen
		"Kärnvik® Plug™":       "Karnvik Plug",
		"Søvik Æble Straße":    "Sovik AEble Strasse",
		"plain ascii":          "plain ascii",
		"10\u00a0W":            "10 W",
		"💡 bulb":               "💡 bulb",
		"":                     "",
		"\xff broken \xfe utf": "\ufffd broken \ufffd utf",
	}
	for in, want := range tests {
		if got := search.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTitleModel(t *testing.T) {
	tests := []struct {
		title, key string
		accessory  bool
	}{
		{"Kärnvik® KV-100 Smart Plug", "kv100", false},
		{"NEW 2025 Kärnvik KV100 Pro Wi‑Fi", "kv100pro", false},
		{"ＫＶ-１００ ｐｒｏ", "kv100pro", false},
		{"hs 100", "hs100", false},
		{"HS-100(UK)", "hs100", false},
		{"Tapo P100 Mini Smart Plug", "p100mini", false},
		{"HD 1080p Camera KV-300 V2 2 Pack", "kv300v2", false},
		{"kv-100 2nd gen (UK)", "kv1002ndgen", false},
		{"TORHOLYAR to-880 pro (UK) Video Doorbell", "to880pro", false},
		{"X-110 UK Plug", "x110", false},
		{"2.4GHz Smart Plug AB 250 Mini", "ab250mini", false},
		{"Kärnvik KV-100 Smart Plug 2 Pack White", "kv100", false},
		{"CCTV 360 Camera", "", false},
		{"Wall Mount for Kärnvik KV-100", "kv100", true},
		{"Silicone Case compatible with X-100 Pro", "x100pro", true},
		{"Smart Plug for Alexa KV-100", "kv100", false},
		{"Alexa Compatible Britor HL-700 V2 WiFi Speaker", "hl700v2", false},
		{"Protective Cover fits Wenvel w600", "w600", true},
		{"Kärnvik speaker", "", false},
		{"IP65 Outdoor 4G Camera E27 KV-300", "kv300", false},
		{"X-100 White", "x100", false},
		{"KAERNVIK X100 Plug x2", "x100", false},
	}
	for _, tc := range tests {
		key, _, _, acc, ok := search.TitleModel(tc.title)
		if key != tc.key || ok != (tc.key != "") || acc != tc.accessory {
			t.Errorf("TitleModel(%q) = %q, ok %v, accessory %v; want %q, accessory %v", tc.title, key, ok, acc, tc.key, tc.accessory)
		}
	}
}

func TestFeatures(t *testing.T) {
	d := search.Doc{ListingID: "l1", Title: "Kärnvik KV-100 Pro Mesh WiFi 2 Pack", Brand: "Kärnvik"}
	f := search.Features(d)
	if len(f.Models) != 1 || f.Models[0] != "kv100pro" {
		t.Errorf("models %v, want the title's kv100pro", f.Models)
	}
	if f.Category == "" || f.Accessory {
		t.Errorf("category %q (want the router words the title names), accessory %v", f.Category, f.Accessory)
	}
	for _, k := range f.ModelKeys {
		if k == "100" {
			t.Errorf("model keys %v hold a bare short number", f.ModelKeys)
		}
	}
	if f := search.Features(search.Doc{Title: "Kärnvik plug", Model: "KV-100 White"}); len(f.Models) != 1 || f.Models[0] != "kv100" {
		t.Errorf("a colour in the model field: models %v, want kv100", f.Models)
	}
	d.Model, d.Category = "KV-100 (UK)", "smart_speaker"
	if f := search.Features(d); len(f.Models) != 1 || f.Models[0] != "kv100" || f.Category != search.Features(search.Doc{Category: "Smart speaker"}).Category {
		t.Errorf("with a model field and a category: %+v", f)
	}
}
