// Package searchtest is the contract every search.Index engine must satisfy:
// a realistic listing fixture generated in code, the conformance suite Run,
// and the shared benchmark bodies.
package searchtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Product is one catalogue entry the fixture sells.
type Product struct {
	ID       string
	Brand    string   // canonical brand
	Brands   []string // how sellers write the brand
	Model    string
	Models   []string // how sellers write the model number
	GTIN     string
	Category string
	Names    []string // product descriptions used in titles
	MinPence int64
	MaxPence int64
	// OpenCases are the authorities with an open case on the product.
	OpenCases []string
	weight    int
}

// Site is one place listings are seen.
type Site struct {
	Name       string
	MarketType string
	weight     int
}

// Categories used by the fixture.
const (
	CatPlug     = "Smart plug"
	CatCamera   = "Security camera"
	CatDoorbell = "Video doorbell"
	CatBaby     = "Baby monitor"
	CatHub      = "Smart home hub"
	CatHeating  = "Smart thermostat"
)

// Authority codes used by the fixture's open cases.
const (
	AuthKent       = "TS-KENT"
	AuthBirmingham = "TS-BHAM"
	AuthOPSS       = "OPSS"
)

// Catalogue is the fixed list of named products, most popular first.
var Catalogue = []Product{
	{ID: "prd-hs100", Brand: "TP-Link", Brands: []string{"TP-Link", "TP-LINK", "TPLink", "tp link", "Kasa"},
		Model: "HS100", Models: []string{"HS100", "HS-100", "HS 100", "HS100(UK)", "hs100"},
		Category: CatPlug, Names: []string{"Kasa Smart WiFi Plug", "Smart Wi-Fi Plug", "WiFi Smart Socket"},
		MinPence: 1299, MaxPence: 2499, OpenCases: []string{AuthKent}, weight: 9},
	{ID: "prd-hs110", Brand: "TP-Link", Brands: []string{"TP-Link", "Kasa", "TP-LINK"},
		Model: "HS110", Models: []string{"HS110", "HS-110", "HS110 (UK)", "hs 110"},
		Category: CatPlug, Names: []string{"Kasa Smart Plug with Energy Monitoring", "Smart WiFi Plug Energy Monitor"},
		MinPence: 1599, MaxPence: 2999, weight: 6},
	{ID: "prd-p100", Brand: "TP-Link", Brands: []string{"TP-Link", "Tapo"},
		Model: "Tapo P100", Models: []string{"Tapo P100", "P100", "Tapo P100 (UK)"},
		Category: CatPlug, Names: []string{"Mini Smart Wi-Fi Socket", "Smart Plug Alexa Google Home"},
		MinPence: 899, MaxPence: 1499, weight: 8},
	{ID: "prd-c200", Brand: "TP-Link", Brands: []string{"TP-Link", "Tapo", "TP-Link Tapo"},
		Model: "Tapo C200", Models: []string{"Tapo C200", "C200", "C-200", "Tapo C200/UK"},
		Category: CatCamera, Names: []string{"Pan/Tilt Home Security Wi-Fi Camera", "1080p Indoor Security Camera", "Baby Monitor Pet Camera 360"},
		MinPence: 1999, MaxPence: 3499, OpenCases: []string{AuthBirmingham, AuthOPSS}, weight: 9},
	{ID: "prd-c310", Brand: "TP-Link", Brands: []string{"TP-Link", "Tapo"},
		Model: "Tapo C310", Models: []string{"Tapo C310", "C310", "C 310"},
		Category: CatCamera, Names: []string{"Outdoor Security Wi-Fi Camera 3MP", "Outdoor CCTV Camera Night Vision"},
		MinPence: 3999, MaxPence: 5999, weight: 4},
	{ID: "prd-ring-vd4", Brand: "Ring", Brands: []string{"Ring", "Amazon Ring", "RING"},
		Model: "8VR1S7-0EU0", Models: []string{"8VR1S7-0EU0", "8VR1S7", "Video Doorbell 4"},
		Category: CatDoorbell, Names: []string{"Video Doorbell 4", "Video Doorbell 4 with HD Video", "Wireless Video Doorbell 4"},
		MinPence: 9999, MaxPence: 17999, weight: 7},
	{ID: "prd-ring-vd2", Brand: "Ring", Brands: []string{"Ring", "Amazon Ring"},
		Model: "5UM5E5-0EU0", Models: []string{"5UM5E5-0EU0", "5UM5E5"},
		Category: CatDoorbell, Names: []string{"Video Doorbell (2nd Gen)", "Battery Video Doorbell 2nd Generation"},
		MinPence: 5999, MaxPence: 9999, weight: 6},
	{ID: "prd-ring-sucb", Brand: "Ring", Brands: []string{"Ring"},
		Model: "8SB1S7-BEU0", Models: []string{"8SB1S7-BEU0", "8SB1S7"},
		Category: CatCamera, Names: []string{"Stick Up Cam Battery", "Stick Up Security Camera Battery"},
		MinPence: 6999, MaxPence: 9999, weight: 4},
	{ID: "prd-eufy-t8210", Brand: "eufy", Brands: []string{"eufy", "eufy Security", "Anker eufy"},
		Model: "T8210", Models: []string{"T8210", "T-8210", "T8210 UK"},
		Category: CatDoorbell, Names: []string{"Video Doorbell 2K Battery", "Wireless Doorbell Camera 2K HDR"},
		MinPence: 8999, MaxPence: 13999, weight: 4},
	{ID: "prd-nest-cam", Brand: "Google Nest", Brands: []string{"Google Nest", "Nest", "Google"},
		Model: "GA01317-GB", Models: []string{"GA01317-GB", "GA01317"},
		Category: CatCamera, Names: []string{"Cam Indoor Wired", "Nest Cam Indoor Security Camera"},
		MinPence: 6999, MaxPence: 9999, weight: 3},
	{ID: "prd-hik-2143", Brand: "Hikvision", Brands: []string{"Hikvision", "HIKVISION"},
		Model: "DS-2CD2143G2-I", Models: []string{"DS-2CD2143G2-I", "DS2CD2143G2I", "2CD2143G2"},
		Category: CatCamera, Names: []string{"4MP AcuSense Dome Network Camera", "IP PoE Dome CCTV Camera 4MP"},
		MinPence: 8999, MaxPence: 14999, weight: 3},
	{ID: "prd-mi-360", Brand: "Xiaomi", Brands: []string{"Xiaomi", "Mi", "Xiaomi Mijia"},
		Model: "MJSXJ05CM", Models: []string{"MJSXJ05CM", "MJSXJ05 CM"},
		Category: CatCamera, Names: []string{"Mi Home Security Camera 360 1080p", "360 Degree WiFi Camera"},
		MinPence: 2499, MaxPence: 3999, weight: 4},
	{ID: "prd-vtech-rm7764", Brand: "VTech", Brands: []string{"VTech", "Vtech", "VTECH"},
		Model: "RM7764HD", Models: []string{"RM7764HD", "RM7764 HD", "RM-7764HD"},
		Category: CatBaby, Names: []string{"Smart WiFi 1080p Video Baby Monitor", "7 inch Baby Monitor with Remote Access"},
		MinPence: 12999, MaxPence: 19999, weight: 3},
	{ID: "prd-moto-vm75", Brand: "Motorola", Brands: []string{"Motorola", "Motorola Nursery"},
		Model: "VM75", Models: []string{"VM75", "VM 75", "VM-75"},
		Category: CatBaby, Names: []string{"Connect Video Baby Monitor WiFi", "5 inch Video Baby Monitor App"},
		MinPence: 9999, MaxPence: 15999, weight: 3},
	{ID: "prd-a9-minicam", Brand: "Generic", Brands: []string{"Generic", "Unbranded", "Mini Cam"},
		Model: "A9", Models: []string{"A9", "A9 Mini"},
		Category: CatCamera, Names: []string{"Mini Spy Camera WiFi 1080P Hidden Wireless CCTV", "Mini WiFi Camera Magnetic Nanny Cam"},
		MinPence: 499, MaxPence: 1499, OpenCases: []string{AuthKent, AuthOPSS}, weight: 6},
	{ID: "prd-ycc365-bulb", Brand: "Generic", Brands: []string{"Generic", "YCC365", "Unbranded"},
		Model: "YCC365-E27", Models: []string{"YCC365-E27", "YCC365 E27", "E27 YCC365"},
		Category: CatCamera, Names: []string{"Light Bulb Camera 1080P WiFi Security", "Bulb CCTV Camera 360 Panoramic"},
		MinPence: 799, MaxPence: 1999, weight: 5},
	{ID: "prd-tuya-sp10", Brand: "Tuya", Brands: []string{"Tuya", "Smart Life", "TUYA"},
		Model: "SP10", Models: []string{"SP10", "SP-10", "SP10 UK"},
		Category: CatPlug, Names: []string{"WiFi Smart Plug Socket Timer", "Smart Socket Alexa Google Voice Control"},
		MinPence: 599, MaxPence: 1299, weight: 5},
	{ID: "prd-blink-mini", Brand: "Blink", Brands: []string{"Blink", "Amazon Blink", "Blink Home"},
		Model: "BCM00300U", Models: []string{"BCM00300U", "BCM00300"},
		Category: CatCamera, Names: []string{"Mini Indoor Plug-in Smart Security Camera", "Mini 1080p HD Camera"},
		MinPence: 2499, MaxPence: 3499, weight: 4},
	{ID: "prd-hue-bridge", Brand: "Philips Hue", Brands: []string{"Philips Hue", "Hue", "PHILIPS HUE"},
		Model: "BSB002", Models: []string{"BSB002", "BSB 002"},
		Category: CatHub, Names: []string{"Bridge Smart Lighting Hub", "Hue Bridge Hub"},
		MinPence: 3999, MaxPence: 5499, weight: 2},
	{ID: "prd-hive-slr2", Brand: "Hive", Brands: []string{"Hive", "Hive Home"},
		Model: "SLR2", Models: []string{"SLR2", "SLR-2", "SLR2 UK"},
		Category: CatHeating, Names: []string{"Active Heating Smart Thermostat Receiver", "Smart Heating Hub and Thermostat"},
		MinPence: 8999, MaxPence: 15999, weight: 2},
}

// Sites are the retailers, marketplaces and second-hand sites listings come from.
var Sites = []Site{
	{"Argos", search.MarketRetailer, 6},
	{"Currys", search.MarketRetailer, 5},
	{"John Lewis", search.MarketRetailer, 2},
	{"Amazon", search.MarketRetailer, 6},
	{"Amazon Marketplace", search.MarketMarketplace, 9},
	{"eBay", search.MarketMarketplace, 9},
	{"OnBuy", search.MarketMarketplace, 3},
	{"Fruugo", search.MarketMarketplace, 2},
	{"AliExpress", search.MarketMarketplace, 4},
	{"Temu", search.MarketMarketplace, 3},
	{"Facebook Marketplace", search.MarketSecondary, 4},
	{"Gumtree", search.MarketSecondary, 2},
	{"CeX", search.MarketSecondary, 2},
}

var sellers = []string{"Smart Home Deals UK", "gadgetworld_uk", "BrightBuys Ltd", "tech-bargains-247",
	"Shenzhen Yuelong Trading", "HomeSecure Direct", "electro_clearance", "J. Patel", "M. Robinson",
	"cheapcams4u", "Vantage Retail", "Northside Electricals", "plugnplay-store", "S. Okafor", "K. Nowak"}

var extras = []string{"", "", "", "2 Pack", "Works with Alexa", "Night Vision", "Two-Way Audio",
	"App Control", "UK Plug", "2.4GHz", "Motion Detection", "Free Delivery", "Brand New Sealed", "Boxed"}

// noNameNames describe the unbranded products that make up most of the long tail.
var noNameNames = []struct {
	category string
	names    []string
}{
	{CatCamera, []string{"WiFi IP Camera 1080P Wireless CCTV", "Outdoor Security Camera Solar Powered 4G", "Dummy Fake CCTV Camera with LED", "Dash Cam WiFi Front and Rear"}},
	{CatPlug, []string{"WiFi Smart Plug Socket with Energy Monitor", "Smart Power Strip 4 Way WiFi", "Smart Plug Outlet Timer Switch"}},
	{CatBaby, []string{"Video Baby Monitor with Camera and Audio", "WiFi Baby Camera Night Vision Lullabies"}},
	{CatDoorbell, []string{"Wireless Video Doorbell Camera with Chime", "Smart Doorbell WiFi Intercom"}},
	{CatHub, []string{"Zigbee Gateway Smart Home Hub", "Smart IR Remote Controller Hub"}},
}

var noNameBrands = []string{"Generic", "Unbranded", "ANNKE", "SANNCE", "Wansview", "ieGeek", "Victure",
	"Meross", "Gosund", "BlitzWolf", "Teckin", "Nooie", "Boifun", "Hiseeu", "Jennov", "Ctronics", "Zosi"}

var authorities = []string{AuthKent, AuthBirmingham, AuthOPSS, "TS-NORF", "TS-GLAS"}

// Epoch is the first ObservedAt of generated listings; they span Days days.
var Epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Days is how many days generated observations span.
const Days = 300

var catalogueTotal, siteTotal int

func init() {
	for i := range Catalogue {
		Catalogue[i].GTIN = gtinFor(i)
		catalogueTotal += Catalogue[i].weight
	}
	for _, s := range Sites {
		siteTotal += s.weight
	}
}

// gtinFor returns a valid EAN-13 with the UK 50 prefix for catalogue entry i.
func gtinFor(i int) string {
	body := fmt.Sprintf("5060%08d", 41000+i*37)
	return body + strconv.Itoa(checkDigit(body))
}

func checkDigit(body string) int {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// ListingID returns the id of generated listing i; ids sort in generation order.
func ListingID(i int) string { return fmt.Sprintf("lst-%08d", i) }

// Listing deterministically generates listing i of a corpus. Roughly 70% of
// listings are of catalogue products, the rest of a long tail of no-name
// products (a tenth of them unlinked to any product).
func Listing(i int) search.Doc {
	r := rand.New(rand.NewPCG(uint64(i), 0x7e57ab1e))
	site := pickSite(r)
	d := search.Doc{
		ListingID:  ListingID(i),
		Retailer:   site.Name,
		MarketType: site.MarketType,
		Seller:     sellers[r.IntN(len(sellers))],
		Currency:   "GBP",
		ObservedAt: Epoch.Add(time.Duration(r.IntN(Days*24*60)) * time.Minute),
		Status:     search.StatusLive,
		Condition:  search.ConditionNew,
	}
	switch site.MarketType {
	case search.MarketRetailer:
		d.Seller = site.Name
	case search.MarketSecondary:
		d.Condition = []string{search.ConditionUsed, search.ConditionUsed, search.ConditionRefurbished}[r.IntN(3)]
	default:
		if r.IntN(8) == 0 {
			d.Condition = search.ConditionRefurbished
		}
	}
	if r.IntN(12) == 0 {
		d.Status = search.StatusRemoved
	}
	extra := extras[r.IntN(len(extras))]
	if r.IntN(10) < 7 {
		p := pickProduct(r)
		brand := p.Brands[r.IntN(len(p.Brands))]
		model := p.Models[r.IntN(len(p.Models))]
		name := p.Names[r.IntN(len(p.Names))]
		d.ProductID, d.Brand, d.Model, d.GTIN, d.Category = p.ID, brand, model, p.GTIN, p.Category
		d.OpenCaseAuthorities = p.OpenCases
		d.PricePence = p.MinPence + r.Int64N(p.MaxPence-p.MinPence+1)
		switch r.IntN(4) {
		case 0:
			d.Title = join(brand, model, name, extra)
		case 1:
			d.Title = join(brand, name, model, extra)
		case 2:
			d.Title = join(name, "-", brand, model)
		default:
			d.Title = join(brand, name, extra)
		}
		if r.IntN(3) > 0 {
			d.SupportText = fmt.Sprintf("Security updates provided until %s", Epoch.AddDate(1+r.IntN(4), 0, 0).Format("January 2006"))
		}
	} else {
		nn := noNameNames[r.IntN(len(noNameNames))]
		name := nn.names[r.IntN(len(nn.names))]
		brand := noNameBrands[r.IntN(len(noNameBrands))]
		model := fmt.Sprintf("%s%d", string(rune('A'+r.IntN(26))), 100+r.IntN(900))
		n := r.IntN(2000)
		d.Brand, d.Model, d.Category = brand, model, nn.category
		if r.IntN(10) > 0 {
			d.ProductID = fmt.Sprintf("prd-nn-%04d", n)
		} else {
			d.Category = ""
		}
		if n%97 == 0 {
			d.OpenCaseAuthorities = []string{authorities[n%len(authorities)]}
		}
		d.PricePence = 399 + r.Int64N(6000)
		d.Title = join(brand, name, model, extra)
		if r.IntN(6) == 0 {
			d.SupportText = "Software updates for 2 years"
		}
	}
	d.Description = fmt.Sprintf("%s. Sold by %s on %s. Condition: %s.", d.Title, d.Seller, d.Retailer, d.Condition)
	d.URL = fmt.Sprintf("https://%s.example/item/%d", strings.ToLower(strings.ReplaceAll(site.Name, " ", "-")), 100000+i)
	return d
}

func pickProduct(r *rand.Rand) *Product {
	n := r.IntN(catalogueTotal)
	for i := range Catalogue {
		if n < Catalogue[i].weight {
			return &Catalogue[i]
		}
		n -= Catalogue[i].weight
	}
	return &Catalogue[len(Catalogue)-1]
}

func pickSite(r *rand.Rand) Site {
	n := r.IntN(siteTotal)
	for _, s := range Sites {
		if n < s.weight {
			return s
		}
		n -= s.weight
	}
	return Sites[len(Sites)-1]
}

func join(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// Corpus returns generated listings 0..n-1.
func Corpus(n int) []search.Doc {
	out := make([]search.Doc, n)
	for i := range out {
		out[i] = Listing(i)
	}
	return out
}

// Emit streams generated listings 0..n-1 as a search.Source.
func Emit(n int) search.Source {
	return func(ctx context.Context, emit func(search.Doc) error) error {
		for i := 0; i < n; i++ {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := emit(Listing(i)); err != nil {
				return err
			}
		}
		return nil
	}
}
