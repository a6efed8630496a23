// Package categories is TradeWarden's one reviewed table of product
// categories and of the wordings sellers, marketplaces and officers use for
// them. A seller's category ("Electronics > Smart Home > Smart Plugs &
// Sockets", "CCTV", "Video Baby Monitors") is mapped onto a category code
// ("smart_plug", "camera", "baby_monitor"); what the seller wrote is kept
// beside it by the callers. Changing the table changes what imports and
// searches mean, so every entry is reviewed here and tested in
// categories_test.go.
package categories

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Category is one product category: its code (what listings, the search
// index and filters carry), the label shown to people, and the phrases that
// name it. Phrases are matched as whole words, in any case, with plurals
// and "&"/"and" folded ("Smart Plugs & Sockets" contains "smart plug").
type Category struct {
	Code    string
	Label   string
	Phrases []string
}

// Codes of the categories, for callers that test for one.
const (
	BabyMonitor     = "baby_monitor"
	VideoDoorbell   = "video_doorbell"
	SmartLock       = "smart_lock"
	Alarm           = "alarm"
	Thermostat      = "thermostat"
	EVCharger       = "ev_charger"
	StreamingDevice = "streaming_device"
	SmartTV         = "smart_tv"
	SmartSpeaker    = "smart_speaker"
	Router          = "router"
	Wearable        = "wearable"
	Smartphone      = "smartphone"
	Computer        = "computer"
	RobotVacuum     = "robot_vacuum"
	SmartAppliance  = "smart_appliance"
	SmartPlug       = "smart_plug"
	SmartLighting   = "smart_lighting"
	ConnectedToy    = "connected_toy"
	Drone           = "drone"
	GamesConsole    = "games_console"
	Printer         = "printer"
	Camera          = "camera"
	Sensor          = "sensor"
	SmartHub        = "smart_hub"
)

// table is in precedence order: when one category of a seller's wording
// names several products ("Doorbell Cameras", "Baby Monitor with Camera"),
// the earlier, more specific entry wins; generic words (camera, sensor, hub)
// come last.
var table = []Category{
	{BabyMonitor, "Baby monitor", []string{"baby monitor", "child monitor", "nursery monitor", "baby camera", "baby cam",
		"baby video monitor", "baby and child monitor"}},
	{VideoDoorbell, "Video doorbell", []string{"doorbell", "door bell", "door phone", "video intercom", "door entry camera"}},
	{SmartLock, "Smart lock", []string{"smart lock", "smart door lock", "keyless entry", "wifi lock", "wi fi lock",
		"bluetooth lock", "smart padlock"}},
	{Alarm, "Alarm or detector", []string{"alarm system", "security alarm", "burglar alarm", "home alarm", "intruder alarm",
		"smoke alarm", "smoke detector", "carbon monoxide detector", "carbon monoxide alarm", "co alarm", "co detector"}},
	{Thermostat, "Smart thermostat or heating control", []string{"thermostat", "heating control", "smart heating",
		"radiator valve", "smart trv"}},
	// EV charge points are excepted from the PSTI regime (Sch 3); the
	// category lets an officer see that at a glance.
	{EVCharger, "EV charge point (excepted, PSTI Sch 3)", []string{"ev charger", "ev charge point", "ev charging",
		"electric vehicle charger", "charge point", "wallbox"}},
	{StreamingDevice, "Streaming device", []string{"streaming device", "streaming stick", "streaming media player",
		"media streamer", "tv stick", "tv box", "android tv box"}},
	{SmartTV, "Smart TV", []string{"smart tv", "television", "tv"}},
	{SmartSpeaker, "Smart speaker or display", []string{"smart speaker", "smart display", "voice assistant",
		"wifi speaker", "wi fi speaker", "wireless speaker", "bluetooth speaker", "multiroom speaker", "multi room speaker"}},
	{Router, "Router or network device", []string{"router", "mesh wifi", "mesh wi fi", "mesh system", "wifi extender",
		"wi fi extender", "range extender", "access point", "modem", "powerline adapter", "powerline adaptor"}},
	{Wearable, "Wearable", []string{"smartwatch", "smart watch", "fitness tracker", "activity tracker", "smart band",
		"fitness band", "smart ring"}},
	{Smartphone, "Smartphone", []string{"smartphone", "smart phone", "mobile phone", "cell phone"}},
	// Desktops, laptops and tablets without a cellular connection are
	// excepted from the PSTI regime (Sch 3) unless made for children.
	{Computer, "Computer or tablet (may be excepted, PSTI Sch 3)", []string{"laptop", "notebook computer", "tablet",
		"desktop computer", "desktop pc", "chromebook"}},
	{RobotVacuum, "Robot vacuum", []string{"robot vacuum", "robotic vacuum", "robot hoover", "robot mop", "robot cleaner",
		"robotic cleaner"}},
	{SmartAppliance, "Smart appliance", []string{"smart appliance", "connected appliance", "smart kettle", "smart fridge",
		"smart oven", "smart washing machine", "smart dishwasher", "smart air purifier", "smart air fryer",
		"robot lawn mower", "robotic lawn mower", "robot mower", "robotic lawnmower", "robot lawnmower", "smart kitchen"}},
	{SmartPlug, "Smart plug", []string{"smart plug", "smart socket", "wifi plug", "wi fi plug", "wifi socket",
		"wi fi socket", "smart power strip", "smart extension lead", "smart power socket", "plug in smart"}},
	{SmartLighting, "Smart lighting", []string{"smart bulb", "smart light", "smart lighting", "wifi bulb", "wi fi bulb",
		"smart lamp", "smart switch", "smart light switch", "smart led strip", "smart led"}},
	{ConnectedToy, "Connected toy", []string{"smart toy", "connected toy", "interactive toy", "app controlled toy",
		"robot toy", "coding robot"}},
	{Drone, "Drone", []string{"drone", "quadcopter"}},
	{GamesConsole, "Games console", []string{"games console", "game console", "gaming console", "console"}},
	{Printer, "Printer", []string{"printer", "3d printer"}},
	{Camera, "Camera (security, IP, CCTV)", []string{"camera", "cam", "cctv", "ip camera", "security camera",
		"surveillance", "nanny cam", "spy camera", "camcorder", "dashcam"}},
	{Sensor, "Sensor", []string{"sensor", "motion detector", "leak detector", "water detector"}},
	{SmartHub, "Smart home hub", []string{"smart hub", "smart home hub", "home hub", "zigbee", "z wave", "zwave",
		"smart home controller", "home automation hub", "smart bridge", "hue bridge"}},
}

// accessoryWords mark a category of things for a product rather than the
// product ("Camera Mounts & Accessories", "Smart Watch Straps"): a seller
// category naming one is left unmapped instead of being filed as the
// product it fits.
var accessoryWords = map[string]bool{
	"accessory": true, "part": true, "spare": true, "replacement": true, "mount": true, "bracket": true, "stand": true,
	"holder": true, "case": true, "cover": true, "skin": true, "protector": true, "strap": true, "cable": true,
	"lead": true, "charger": true, "lens": true, "tripod": true, "card": true, "housing": true, "sticker": true,
	"sign": true, "dummy": true, "fake": true, "decoy": true, "aerial": true, "antenna": true,
}

// AccessoryWord reports whether a word (any case, singular or plural) names
// a thing for a product rather than a product: "mount", "cases", "Strap".
func AccessoryWord(w string) bool {
	w = strings.ToLower(w)
	return accessoryWords[w] || accessoryWords[singular(w)]
}

// Terms returns the words a category is known by (its code, label and
// phrases, each once) as one space-separated text, for search engines to
// index beside a listing so that "speaker", "cctv" or "socket" find the
// listings of smart_speaker, camera or smart_plug. It is "" for an unknown code.
func Terms(code string) string {
	if t, ok := terms[code]; ok {
		return t
	}
	return ""
}

var terms = map[string]string{}

// maxTermCategories: a word used by this many categories is left out of Terms.
const maxTermCategories = 6

// termStop are words of labels that name no product ("may be excepted, PSTI Sch 3").
var termStop = map[string]bool{"and": true, "or": true, "psti": true, "sch": true, "may": true, "be": true, "excepted": true}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// breadcrumb separators between the levels of a seller's category path.
const separators = ">/|»›\\:;"

type phrase struct {
	code  string
	words []string
}

var (
	phrases []phrase
	byCode  = map[string]Category{}
)

func init() {
	byWord := map[string]int{} // how many categories use each word
	termWords := map[string][]string{}
	for _, c := range table {
		byCode[c.Code] = c
		seen := map[string]bool{}
		for _, p := range append([]string{strings.ReplaceAll(c.Code, "_", " "), c.Label}, c.Phrases...) {
			for _, w := range words(p) {
				if !seen[w] && !termStop[w] && !allDigits(w) {
					seen[w] = true
					termWords[c.Code] = append(termWords[c.Code], w)
					byWord[w]++
				}
			}
		}
	}
	for code, list := range termWords {
		var t []string
		for _, w := range list {
			// A word many categories share ("smart", "wifi") tells none
			// of them apart, and would make a search touch most listings.
			if byWord[w] < maxTermCategories {
				t = append(t, w)
			}
		}
		terms[code] = strings.Join(t, " ")
	}
	for _, c := range table {
		// The code itself ("smart_plug") and the label are wordings too.
		all := append([]string{strings.ReplaceAll(c.Code, "_", " "), c.Label}, c.Phrases...)
		for _, p := range all {
			if w := words(p); len(w) > 0 {
				phrases = append(phrases, phrase{code: c.Code, words: w})
			}
		}
	}
}

// All returns the categories in precedence order.
func All() []Category {
	out := make([]Category, len(table))
	for i, c := range table {
		out[i] = Category{Code: c.Code, Label: c.Label, Phrases: append([]string(nil), c.Phrases...)}
	}
	return out
}

// Known reports whether code is a category code.
func Known(code string) bool {
	_, ok := byCode[code]
	return ok
}

// Label returns the label of a category code, or "" for an unknown code.
func Label(code string) string { return byCode[code].Label }

// cache remembers the mapping of recent wordings: a feed repeats a few
// hundred category strings across millions of lines.
var (
	cache     sync.Map // string → string
	cacheSize atomic.Int64
)

const maxCache = 8192

// Map returns the category code a wording names, or "" and false when it
// names none of the table's categories (or names an accessory). A path is
// read from its most specific level up: "Home & Garden > Security > CCTV"
// is a camera, "Cameras > Mounts & Brackets" is nothing.
func Map(raw string) (string, bool) {
	if raw = strings.TrimSpace(raw); raw == "" {
		return "", false
	}
	if v, ok := cache.Load(raw); ok {
		code := v.(string)
		return code, code != ""
	}
	code := mapUncached(raw)
	if cacheSize.Load() < maxCache && len(raw) <= 300 {
		if _, loaded := cache.LoadOrStore(raw, code); !loaded {
			cacheSize.Add(1)
		}
	}
	return code, code != ""
}

func mapUncached(raw string) string {
	levels := strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune(separators, r) })
	for i := len(levels) - 1; i >= 0; i-- {
		w := words(levels[i])
		if len(w) == 0 {
			continue
		}
		code, from, to := "", 0, 0
		for _, p := range phrases {
			if at := index(w, p.words); at >= 0 {
				code, from, to = p.code, at, at+len(p.words)
				break
			}
		}
		// An accessory word outside the phrase ("Camera Mounts") makes the
		// level a category of accessories: unmapped, and the levels above
		// it (which name the product it fits) are not consulted.
		for j, x := range w {
			if accessoryWords[x] && (j < from || j >= to) {
				return ""
			}
		}
		if code != "" {
			return code
		}
	}
	return ""
}

// index returns where want occurs in w as consecutive words, or -1.
func index(w, want []string) int {
	for i := 0; i+len(want) <= len(w); i++ {
		match := true
		for j := range want {
			if w[i+j] != want[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// words folds text to lower-case, accent-free, singular words; "&" and "+"
// become "and" and other punctuation separates words ("Wi-Fi" is "wi fi").
func words(s string) []string {
	s = foldAccents(strings.ToLower(s))
	s = strings.NewReplacer("&", " and ", "+", " and ").Replace(s)
	f := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(f) > 32 {
		f = f[:32]
	}
	for i, w := range f {
		f[i] = singular(w)
	}
	return f
}

func foldAccents(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// notPlural are words ending in "s" that are not plurals.
var notPlural = map[string]bool{"lens": true, "series": true, "status": true, "alias": true, "news": true, "gas": true,
	"chassis": true, "bluetooth": true}

// irregular are plurals the suffix rules get wrong.
var irregular = map[string]string{"lenses": "lens", "mice": "mouse", "children": "child"}

// singular strips an English plural ending: "cameras", "batteries",
// "switches" → "camera", "battery", "switch". Words of three letters or
// fewer ("cctv", "bus", "gps") and "-ss" words ("wireless") are kept.
func singular(w string) string {
	switch {
	case notPlural[w]:
		return w
	case irregular[w] != "":
		return irregular[w]
	case len(w) <= 3 || strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "sses"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}
