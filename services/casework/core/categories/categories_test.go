package categories_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/categories"
)

func TestMapSellerWordings(t *testing.T) {
	tests := map[string]string{
		"CCTV":                    categories.Camera,
		"cctv":                    categories.Camera,
		"Smart Plugs & Sockets":   categories.SmartPlug,
		"Smart Plugs and Sockets": categories.SmartPlug,
		"smart_plug":              categories.SmartPlug,
		"Smart plug":              categories.SmartPlug,
		"Wi-Fi Plugs":             categories.SmartPlug,
		"Electronics > Smart Home > Smart Plugs & Sockets": categories.SmartPlug,
		"Home & Garden / Home Security / Security Cameras": categories.Camera,
		"Home Security > CCTV > Indoor":                    categories.Camera, // an unnamed level defers to its parent
		"Security camera":                                  categories.Camera,
		"IP Cameras":                                       categories.Camera,
		"Doorbell Cameras":                                 categories.VideoDoorbell, // the more specific category wins
		"Video Doorbells":                                  categories.VideoDoorbell,
		"Video Baby Monitors":                              categories.BabyMonitor,
		"Baby & Child Monitors":                            categories.BabyMonitor,
		"Baby Monitor with Camera":                         categories.BabyMonitor,
		"Smart Speakers & Displays":                        categories.SmartSpeaker,
		"Smart Thermostats":                                categories.Thermostat,
		"Smart home hub":                                   categories.SmartHub,
		"Smart Lighting > Bulbs":                           categories.SmartLighting,
		"Smart Watches":                                    categories.Wearable,
		"Robot Vacuums":                                    categories.RobotVacuum,
		"Mesh Wi-Fi Systems":                               categories.Router,
		"Powerline Adapters":                               categories.Router,
		"EV Chargers":                                      categories.EVCharger,
		"Smart Extension Leads":                            categories.SmartPlug,
		"Caméras de surveillance":                          categories.Camera, // accents folded
		"ＣＣＴＶ":                                             categories.Camera, // full-width letters folded
		"Games & Consoles":                                 categories.GamesConsole,
		"Tablets":                                          categories.Computer,
	}
	for raw, want := range tests {
		if got, ok := categories.Map(raw); got != want || !ok {
			t.Errorf("Map(%q) = %q, %v; want %q", raw, got, ok, want)
		}
	}
}

func TestMapLeavesUnknownAndAccessoriesUnmapped(t *testing.T) {
	for _, raw := range []string{"", "  ", "Home & Garden", "Electronics", "Smart Home", "Plugs & Sockets", "Light bulbs",
		"Camera Mounts & Accessories", "Cameras > Mounts & Brackets", "Smart Watch Straps", "Doorbell Batteries > Chargers",
		"Security Signs", "Dummy CCTV Cameras", "Camera Lenses", "USB Hubs"} {
		if got, ok := categories.Map(raw); ok || got != "" {
			t.Errorf("Map(%q) = %q, want unmapped", raw, got)
		}
	}
}

func TestMapIsStableUnderRepetition(t *testing.T) {
	// The cache must give the same answer as the first lookup.
	for i := 0; i < 3; i++ {
		if got, _ := categories.Map("Security Cameras & CCTV"); got != categories.Camera {
			t.Fatalf("run %d: %q", i, got)
		}
		if got, ok := categories.Map("Home & Garden"); ok || got != "" {
			t.Fatalf("run %d: %q", i, got)
		}
	}
}

func TestTableIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range categories.All() {
		if seen[c.Code] || c.Label == "" || !categories.Known(c.Code) || categories.Label(c.Code) != c.Label {
			t.Errorf("category %+v: duplicate, unlabelled or unknown", c)
		}
		seen[c.Code] = true
		// Every category's own code and label map back onto it.
		for _, w := range []string{c.Code, c.Label} {
			if got, _ := categories.Map(w); got != c.Code {
				t.Errorf("Map(%q) = %q, want %q", w, got, c.Code)
			}
		}
	}
	if categories.Known("gadget") || categories.Label("gadget") != "" {
		t.Error("an unknown code is known")
	}
}

func TestTerms(t *testing.T) {
	for code, want := range map[string][]string{categories.SmartSpeaker: {"speaker", "voice"}, categories.Camera: {"cctv", "camera"},
		categories.SmartPlug: {"socket", "plug"}, categories.BabyMonitor: {"baby", "video", "monitor"}} {
		got := strings.Fields(categories.Terms(code))
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("Terms(%s) = %v, want %q among them", code, got, w)
			}
		}
		if slices.Contains(got, "smart") {
			t.Errorf("Terms(%s) = %v holds words most categories share", code, got)
		}
	}
	if categories.Terms("no_such") != "" {
		t.Error("an unknown code has terms")
	}
}
