// Package demodata generates a realistic, deterministic sample of UK
// listings of connectable products: smart plugs, cameras, doorbells and baby
// monitors sold by established retailers, on online marketplaces and on
// second-hand sites, with model numbers spelt the ways sellers spell them.
// The same index always yields the same listing, so loading the sample twice
// changes nothing, and benchmarks can generate millions of listings without
// storing them.
package demodata

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// DemoListings is the size of the sample `tradewarden demo` loads.
const DemoListings = 3000

// Categories of the sample products.
const (
	CatPlug     = "Smart plug"
	CatCamera   = "Security camera"
	CatDoorbell = "Video doorbell"
	CatBaby     = "Baby monitor"
)

// Product is a product of the sample catalogue as the register records it.
type Product struct {
	Brand    string
	Model    string
	Variants []string
	GTIN     string // empty for no-name products
	Category string

	brands   []string // how sellers write the brand ("" = left out)
	models   []string // how sellers write the model number
	names    []string // product descriptions used in titles
	minPence int64
	maxPence int64
	weight   int
}

// gtin appends the GS1 check digit to the first 12 digits of an EAN-13.
func gtin(first12 string) string {
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(first12[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return first12 + string(rune('0'+(10-sum%10)%10))
}

var catalogue = []Product{
	{Brand: "TP-Link", Model: "HS100", Variants: []string{"HS100(UK)"}, GTIN: gtin("690197621000"), Category: CatPlug,
		brands: []string{"TP-Link", "TP-LINK", "Kasa", "TPLink", ""}, models: []string{"HS100", "HS-100", "hs100", "HS 100 (UK)", "HS100(UK)"},
		names:    []string{"Kasa Smart Wi-Fi Plug", "Smart WiFi Plug, Works with Alexa", "WiFi Smart Socket Remote Control"},
		minPence: 1299, maxPence: 2499, weight: 10},
	{Brand: "TP-Link", Model: "HS110", Variants: []string{"HS110(UK)"}, GTIN: gtin("690197621001"), Category: CatPlug,
		brands: []string{"TP-Link", "Kasa", "TP-LINK", ""}, models: []string{"HS110", "HS-110", "hs 110", "HS110 (UK)"},
		names:    []string{"Kasa Smart Plug with Energy Monitoring", "Smart WiFi Plug Energy Monitor"},
		minPence: 1599, maxPence: 2999, weight: 6},
	{Brand: "TP-Link", Model: "Tapo P100", Variants: []string{"P100"}, GTIN: gtin("690197621002"), Category: CatPlug,
		brands: []string{"TP-Link", "Tapo", ""}, models: []string{"Tapo P100", "P100", "P-100", "Tapo P100 (UK)"},
		names:    []string{"Mini Smart Wi-Fi Socket", "Smart Plug, Alexa and Google Home compatible"},
		minPence: 899, maxPence: 1499, weight: 7},
	{Brand: "TP-Link", Model: "Tapo C200", Variants: []string{"C200"}, GTIN: gtin("690197621003"), Category: CatCamera,
		brands: []string{"TP-Link", "Tapo", "TP-Link Tapo", ""}, models: []string{"Tapo C200", "C200", "C-200", "Tapo C200/UK"},
		names:    []string{"Pan/Tilt Home Security Wi-Fi Camera", "1080p Indoor Security Camera", "Baby Monitor Pet Camera 360"},
		minPence: 1999, maxPence: 3499, weight: 9},
	{Brand: "Ring", Model: "8VR1S7-0EU0", Variants: []string{"Video Doorbell 4"}, GTIN: gtin("084117330700"), Category: CatDoorbell,
		brands: []string{"Ring", "Amazon Ring", "RING", ""}, models: []string{"8VR1S7-0EU0", "8VR1S7", "Video Doorbell 4"},
		names:    []string{"Video Doorbell 4", "Battery Video Doorbell 4 with HD Video", "Wireless Video Doorbell 4"},
		minPence: 9999, maxPence: 17999, weight: 7},
	{Brand: "Ring", Model: "5UM5E5-0EU0", Variants: []string{"Video Doorbell (2nd Gen)"}, GTIN: gtin("084117330701"),
		Category: CatDoorbell, brands: []string{"Ring", "Amazon Ring", ""}, models: []string{"5UM5E5-0EU0", "5UM5E5", "5UM5E5 0EU0"},
		names:    []string{"Video Doorbell (2nd Gen)", "Battery Video Doorbell 2nd Generation"},
		minPence: 5999, maxPence: 9999, weight: 5},
	{Brand: "eufy", Model: "T8210", GTIN: gtin("519457962010"), Category: CatDoorbell,
		brands: []string{"eufy", "eufy Security", "Anker eufy", ""}, models: []string{"T8210", "T-8210", "T8210 UK"},
		names:    []string{"Video Doorbell 2K Battery", "Wireless Doorbell Camera 2K HDR"},
		minPence: 8999, maxPence: 13999, weight: 4},
	{Brand: "Hikvision", Model: "DS-2CD2143G2-I", GTIN: gtin("694105461230"), Category: CatCamera,
		brands: []string{"Hikvision", "HIKVISION", ""}, models: []string{"DS-2CD2143G2-I", "DS2CD2143G2I", "DS-2CD2143G2-I (UK)"},
		names:    []string{"4MP AcuSense Dome Network Camera", "IP PoE Dome CCTV Camera 4MP"},
		minPence: 8999, maxPence: 14999, weight: 3},
	{Brand: "Generic", Model: "A9", Variants: []string{"A9 Mini"}, Category: CatCamera,
		brands: []string{"Generic", "Unbranded", "", ""}, models: []string{"A9", "A9 Mini", "A-9"},
		names:    []string{"Mini Spy Camera WiFi 1080P Hidden Wireless CCTV", "Mini WiFi Camera Magnetic Nanny Cam"},
		minPence: 499, maxPence: 1499, weight: 6},
	{Brand: "Generic", Model: "YCC365-E27", Variants: []string{"YCC365"}, Category: CatCamera,
		brands: []string{"Generic", "YCC365", "Unbranded", ""}, models: []string{"YCC365-E27", "YCC365 E27", "E27"},
		names:    []string{"Light Bulb Security Camera 360 WiFi E27", "Bulb CCTV Camera 1080P Two Way Audio"},
		minPence: 999, maxPence: 1999, weight: 4},
	{Brand: "VTech", Model: "RM7764HD", GTIN: gtin("302252627764"), Category: CatBaby,
		brands: []string{"VTech", "Vtech", "VTECH", ""}, models: []string{"RM7764HD", "RM7764 HD", "RM-7764HD"},
		names:    []string{"Smart WiFi 1080p Video Baby Monitor", "7 inch Baby Monitor with Remote Access"},
		minPence: 12999, maxPence: 19999, weight: 3},
	{Brand: "Motorola", Model: "VM75", GTIN: gtin("501214508753"), Category: CatBaby,
		brands: []string{"Motorola", "Motorola Nursery", ""}, models: []string{"VM75", "VM 75", "VM-75"},
		names:    []string{"Connect Video Baby Monitor WiFi", "5 inch Video Baby Monitor with App"},
		minPence: 9999, maxPence: 15999, weight: 3},
	{Brand: "Google Nest", Model: "GA01317-GB", GTIN: gtin("019390703410"), Category: CatCamera,
		brands: []string{"Google Nest", "Nest", "Google", ""}, models: []string{"GA01317-GB", "GA01317"},
		names:    []string{"Cam Indoor Wired", "Nest Cam Indoor Security Camera"},
		minPence: 6999, maxPence: 9999, weight: 3},
}

// Products returns the sample catalogue.
func Products() []Product {
	out := make([]Product, len(catalogue))
	copy(out, catalogue)
	return out
}

// Site is a place listings are seen.
type Site struct {
	Name       string
	MarketType string
	slug       string
	weight     int
	url        func(r *rand.Rand, i int, p *Product) string
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

var sites = []Site{
	{Name: "Argos", MarketType: "retailer", slug: "argos", weight: 8, url: func(_ *rand.Rand, i int, _ *Product) string {
		return fmt.Sprintf("https://www.argos.co.uk/product/%07d", 1000000+i)
	}},
	{Name: "Currys", MarketType: "retailer", slug: "currys", weight: 7, url: func(_ *rand.Rand, i int, p *Product) string {
		return fmt.Sprintf("https://www.currys.co.uk/products/%s-%d.html", slugify(p.Brand+" "+p.Model), 10000000+i)
	}},
	{Name: "John Lewis", MarketType: "retailer", slug: "johnlewis", weight: 5, url: func(_ *rand.Rand, i int, p *Product) string {
		return fmt.Sprintf("https://www.johnlewis.com/%s/p%d", slugify(p.Brand+" "+p.names[0]), 5000000+i)
	}},
	{Name: "Amazon Marketplace", MarketType: "marketplace", slug: "amazon", weight: 16, url: func(_ *rand.Rand, i int, _ *Product) string {
		return fmt.Sprintf("https://www.amazon.co.uk/dp/B0%08X", 0x1000000+i)
	}},
	{Name: "eBay", MarketType: "marketplace", slug: "ebay", weight: 16, url: func(_ *rand.Rand, i int, _ *Product) string {
		return fmt.Sprintf("https://www.ebay.co.uk/itm/%012d", 125000000000+i)
	}},
	{Name: "OnBuy", MarketType: "marketplace", slug: "onbuy", weight: 6, url: func(_ *rand.Rand, i int, p *Product) string {
		return fmt.Sprintf("https://www.onbuy.com/gb/%s~p%d/", slugify(p.names[0]), 40000000+i)
	}},
	{Name: "Fruugo", MarketType: "marketplace", slug: "fruugo", weight: 5, url: func(_ *rand.Rand, i int, p *Product) string {
		return fmt.Sprintf("https://www.fruugo.co.uk/%s/p-%d", slugify(p.names[0]), 90000000+i)
	}},
	{Name: "Facebook Marketplace", MarketType: "secondary", slug: "facebook", weight: 8, url: func(_ *rand.Rand, i int, _ *Product) string {
		return fmt.Sprintf("https://www.facebook.com/marketplace/item/%d/", 700000000000000+i)
	}},
	{Name: "Gumtree", MarketType: "secondary", slug: "gumtree", weight: 5, url: func(_ *rand.Rand, i int, p *Product) string {
		return fmt.Sprintf("https://www.gumtree.com/p/home-appliances/%s/%d", slugify(p.names[0]), 1450000000+i)
	}},
	{Name: "CeX", MarketType: "secondary", slug: "cex", weight: 4, url: func(_ *rand.Rand, i int, p *Product) string {
		return fmt.Sprintf("https://uk.webuy.com/product-detail?id=%s%06dB", strings.ToLower(slugify(p.Model)), i)
	}},
}

// Sites returns the sites of the sample.
func Sites() []Site {
	out := make([]Site, len(sites))
	copy(out, sites)
	return out
}

var (
	marketSellers = []string{"TechDeals UK", "GadgetHub Direct", "shenzhen-smart-store", "bargain_bazaar_99", "HomeTech Outlet",
		"Smart Living Co", "plugandplay-uk", "ElectroMart Ltd", "best-price-electricals", "Yiwu Home Supplies"}
	secondSellers = []string{"Dave, Maidstone", "Sarah K (Canterbury)", "moving_sale_2026", "J. Patel, Ashford", "Tom (Dover)",
		"clearout_kent", "Lisa M., Tunbridge Wells", "Gary, Sevenoaks"}
	cexBranches   = []string{"CeX Canterbury", "CeX Maidstone", "CeX Bluewater", "CeX Online"}
	supportTexts  = []string{"Security updates until 31 December 2027", "Software updates guaranteed until 2028-06-30", "Defined support period: security updates to 30/04/2029", "This product receives security updates until at least March 2027"}
	marketTitles  = []string{"%[1]s %[2]s %[3]s, Works with Alexa & Google Home", "%[2]s %[3]s %[1]s UK Plug", "2 Pack %[1]s %[3]s %[2]s", "NEW %[1]s %[2]s %[3]s Fast UK Dispatch"}
	secondTitles  = []string{"%[1]s %[2]s - used, boxed", "%[3]s %[2]s hardly used", "Used %[1]s %[3]s, working", "%[2]s %[3]s (no box)"}
	retailTitles  = []string{"%[1]s %[3]s %[2]s", "%[1]s %[2]s %[3]s"}
	descriptions  = []string{"Control your devices from anywhere with the app.", "Easy setup in minutes, no hub required.", "Voice control with Alexa and Google Assistant.", "Night vision and motion detection alerts to your phone."}
	observedStart = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
)

func pickWeighted[T any](r *rand.Rand, items []T, weight func(T) int) T {
	total := 0
	for _, it := range items {
		total += weight(it)
	}
	n := r.IntN(total)
	for _, it := range items {
		if n -= weight(it); n < 0 {
			return it
		}
	}
	return items[len(items)-1]
}

// Record is one listing line of an import, in the import format's field names.
type Record struct {
	ListingID   string `json:"listing_id"`
	Retailer    string `json:"retailer"`
	MarketType  string `json:"market_type"`
	Seller      string `json:"seller,omitempty"`
	URL         string `json:"url"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Brand       string `json:"brand,omitempty"`
	Model       string `json:"model,omitempty"`
	GTIN        string `json:"gtin,omitempty"`
	Price       string `json:"price"`
	Currency    string `json:"currency"`
	Condition   string `json:"condition"`
	ObservedAt  string `json:"observed_at"`
	SupportText string `json:"support_period_text,omitempty"`
	Status      string `json:"status"`
	// Marketplace feeds carry more than the listing format: the seller's
	// category, a disclosure URL under the common "vdp_url" alias, and
	// fields TradeWarden does not keep.
	Category string `json:"category,omitempty"`
	VDPURL   string `json:"vdp_url,omitempty"`
	Colour   string `json:"colour,omitempty"`
	Rating   string `json:"seller_rating,omitempty"`
}

// sellerCategories are how sites file each category of the catalogue; the
// last of each is too vague to map onto a product category.
var sellerCategories = map[string][]string{
	CatPlug: {"Smart Plugs & Sockets", "Electronics > Smart Home > Smart Plugs", "Home, Garden & DIY > Smart Home > Smart Plugs",
		"Smart plug", "Smart Home"},
	CatCamera: {"CCTV", "Security Cameras & CCTV", "Home & Garden > Home Security > Surveillance Cameras",
		"Cameras & Camcorders > IP Cameras", "Home Security"},
	CatDoorbell: {"Video Doorbells", "Home Security > Doorbells", "Smart Home > Video Doorbells & Chimes", "Home Security"},
	CatBaby:     {"Baby Monitors", "Baby > Safety > Video Baby Monitors", "Baby & Child Monitors", "Baby"},
}

// gtinPlaceholders are what marketplace sellers type when asked for a
// barcode they do not have.
var gtinPlaceholders = []string{"Does not apply", "N/A", "none", "0"}

// vdpURLs are the makers' vulnerability-disclosure pages by brand.
var vdpURLs = map[string]string{
	"TP-Link": "https://www.tp-link.com/uk/press/security-advisory/", "Ring": "https://ring.com/security",
	"eufy": "https://www.eufy.com/vulnerability-reward-program", "Hikvision": "https://www.hikvision.com/uk/support/cybersecurity/",
	"VTech": "https://www.vtech.co.uk/security", "Motorola": "https://www.motorolanursery.com/security",
	"Google Nest": "https://about.google/appsecurity/",
}

// Listing returns the i-th listing of the sample; the same i always gives
// the same listing.
func Listing(i int) Record {
	r := rand.New(rand.NewPCG(0x7472616465, uint64(i)))
	p := pickWeighted(r, catalogue, func(p Product) int { return p.weight })
	s := pickWeighted(r, sites, func(s Site) int { return s.weight })
	rec := Record{ListingID: fmt.Sprintf("%s-%07d", s.slug, i), Retailer: s.Name, MarketType: s.MarketType,
		URL: s.url(r, i, &p), Currency: "GBP", Status: "live",
		ObservedAt: observedStart.Add(time.Duration(r.IntN(150*24*60)) * time.Minute).Format(time.RFC3339)}
	brand := p.brands[r.IntN(len(p.brands))]
	model := p.models[r.IntN(len(p.models))]
	name := p.names[r.IntN(len(p.names))]
	price := p.minPence + r.Int64N(p.maxPence-p.minPence+1)
	chance := func(pct int) bool { return r.IntN(100) < pct }
	switch s.MarketType {
	case "retailer":
		if brand == "" {
			brand = p.Brand
		}
		rec.Seller, rec.Brand, rec.Model = s.Name, brand, p.models[0]
		rec.Title = fmt.Sprintf(retailTitles[r.IntN(len(retailTitles))], brand, model, name)
		rec.Condition = "new"
		if chance(70) {
			rec.GTIN = p.GTIN
		}
		if chance(60) {
			rec.SupportText = supportTexts[r.IntN(len(supportTexts))]
		}
		rec.Description = descriptions[r.IntN(len(descriptions))]
	case "marketplace":
		rec.Seller = marketSellers[r.IntN(len(marketSellers))]
		rec.Title = strings.TrimSpace(fmt.Sprintf(marketTitles[r.IntN(len(marketTitles))], brand, model, name))
		if chance(80) {
			rec.Brand = brand
		}
		if chance(70) {
			rec.Model = model
		}
		if chance(30) {
			rec.GTIN = p.GTIN
		}
		if chance(15) {
			rec.SupportText = supportTexts[r.IntN(len(supportTexts))]
		}
		rec.Condition = "new"
		if chance(10) {
			rec.Condition = "refurbished"
		}
		price = price * int64(70+r.IntN(40)) / 100
		rec.Description = descriptions[r.IntN(len(descriptions))]
	default:
		rec.Seller = secondSellers[r.IntN(len(secondSellers))]
		if s.Name == "CeX" {
			rec.Seller = cexBranches[r.IntN(len(cexBranches))]
			rec.Brand, rec.Model = p.Brand, model
		}
		rec.Title = strings.TrimSpace(fmt.Sprintf(secondTitles[r.IntN(len(secondTitles))], brand, model, name))
		if rec.Brand == "" && chance(40) {
			rec.Brand = brand
		}
		if rec.Model == "" && chance(40) {
			rec.Model = model
		}
		rec.Condition = "used"
		if chance(20) {
			rec.Condition = "refurbished"
		}
		price = price * int64(30+r.IntN(40)) / 100
	}
	rec.Title = strings.Join(strings.Fields(rec.Title), " ")
	rec.Price = fmt.Sprintf("%d.%02d", price/100, price%100)
	if chance(5) {
		rec.Status = "removed"
	}
	feedFields(r, &rec, &p, s)
	return rec
}

// feedFields adds what real feeds carry beyond the listing format. It
// draws its random numbers after every other field's, so the rest of a
// listing is the same as before these fields existed.
func feedFields(r *rand.Rand, rec *Record, p *Product, s Site) {
	chance := func(pct int) bool { return r.IntN(100) < pct }
	cats := sellerCategories[p.Category]
	if s.MarketType != "secondary" || chance(50) {
		rec.Category = cats[r.IntN(len(cats))]
	}
	if v := vdpURLs[p.Brand]; v != "" && chance(25) {
		rec.VDPURL = v
	}
	if s.MarketType != "marketplace" {
		return
	}
	rec.Colour = []string{"White", "Black", "Grey"}[r.IntN(3)]
	rec.Rating = fmt.Sprintf("%d%% positive", 90+r.IntN(10))
	switch {
	case rec.GTIN == "" && chance(30):
		rec.GTIN = gtinPlaceholders[r.IntN(len(gtinPlaceholders))]
	case rec.GTIN != "" && chance(3):
		// A typo: the check digit no longer matches.
		last := (int(rec.GTIN[len(rec.GTIN)-1]-'0') + 1) % 10
		rec.GTIN = rec.GTIN[:len(rec.GTIN)-1] + string(rune('0'+last))
	}
}

// WriteNDJSON writes listings [from, to) of the sample as NDJSON.
func WriteNDJSON(w io.Writer, from, to int) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := from; i < to; i++ {
		if err := enc.Encode(Listing(i)); err != nil {
			return fmt.Errorf("write sample listing %d: %w", i, err)
		}
	}
	return nil
}
