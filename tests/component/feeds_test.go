package component_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/listings"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// feedReport is the import report's feed-tolerance part.
type feedReport struct {
	importView
	IgnoredFields map[string]int64 `json:"ignored_fields"`
	MappedFields  map[string]struct {
		Field string `json:"field"`
		Lines int64  `json:"lines"`
	} `json:"mapped_fields"`
	DataQuality        map[string]int64 `json:"data_quality"`
	UnmappedCategories map[string]int64 `json:"unmapped_categories"`
}

type feedListingView struct {
	listingView
	GTINRaw        string   `json:"gtin_raw"`
	VDPURL         string   `json:"vulnerability_disclosure_url"`
	Category       string   `json:"category"`
	SellerCategory string   `json:"seller_category"`
	DataQuality    []string `json:"data_quality"`
	IgnoredFields  []string `json:"ignored_fields"`
	MappedFields   map[string]string
}

// marketplaceFeed is shaped like a real marketplace export: extra columns,
// vdp_url, seller categories, placeholder and mistyped GTINs, numeric ids.
func marketplaceFeed(n int) []map[string]any {
	gtins := []any{"Does not apply", "N/A", "", 0, "5012345678901", "5012345678900", nil, "none"}
	cats := []string{"Electronics > Smart Home > Smart Plugs & Sockets", "CCTV", "Home & Garden", "Video Baby Monitors",
		"Smart Home > Cameras > Mounts & Accessories"}
	var out []map[string]any
	for i := 0; i < n; i++ {
		m := map[string]any{"listing_id": 125000000000 + i, "retailer": "eBay", "market_type": "marketplace",
			"seller": "plugs-r-us", "url": fmt.Sprintf("https://www.ebay.co.uk/itm/%d", 125000000000+i),
			"title": fmt.Sprintf("Smart WiFi plug lot %d", i), "brand": "Acme", "model": fmt.Sprintf("SP-%d", 100+i),
			"price": "12.99", "observed_at": "2026-11-01", "gtin": gtins[i%len(gtins)], "category": cats[i%len(cats)],
			"colour": "white", "item_specifics": map[string]any{"Wattage": "10A"}, "images": []string{"a.jpg"}}
		if i%2 == 0 {
			m["vdp_url"] = "https://acme.example/security"
		}
		if i%4 == 0 {
			m["support_period"] = "Security updates until 31 December 2028"
		}
		if gtins[i%len(gtins)] == nil {
			delete(m, "gtin")
		}
		out = append(out, m)
	}
	return out
}

func TestMarketplaceFeedImportKeepsEveryListing(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	acme := newProduct(t, off, "Acme", "SP-0", "5012345678900")
	const n = 40
	body := ndjsonLines(marketplaceFeed(n)...) + "{this is not json\n" + ndjsonLines(marketplaceFeed(1)[0])
	var res feedReport
	importListings(off, "application/x-ndjson", "", body).Expect(200).JSON(&res)
	// Every listing is kept (the last line repeats the first: unchanged);
	// only the line that is not JSON is rejected, with its number.
	if res.Imported != n || res.Unchanged != 1 || res.RejectedTotal != 1 || res.Rejected[0].Line != n+1 ||
		!strings.Contains(res.Rejected[0].Error, "malformed JSON") {
		t.Fatalf("import: %+v", res.importView)
	}
	if res.IgnoredFields["colour"] != n+1 || res.IgnoredFields["item_specifics"] != n+1 || res.IgnoredFields["images"] != n+1 {
		t.Errorf("ignored fields: %v", res.IgnoredFields)
	}
	if m := res.MappedFields["vdp_url"]; m.Field != "vulnerability_disclosure_url" || m.Lines != n/2+1 {
		t.Errorf("mapped fields: %+v", res.MappedFields)
	}
	if m := res.MappedFields["support_period"]; m.Field != "support_period_text" || m.Lines != n/4+1 {
		t.Errorf("mapped fields: %+v", res.MappedFields)
	}
	// Of every 8 lines: 4 placeholders, one empty, one wrong check digit, one valid, one without.
	if res.DataQuality["gtin_placeholder"] != 4*n/8+1 || res.DataQuality["gtin_invalid"] != n/8 {
		t.Errorf("data quality: %v", res.DataQuality)
	}
	if res.DataQuality["category_unmapped"] != 2*n/5 || res.UnmappedCategories["Home & Garden"] != n/5 {
		t.Errorf("categories: %v %v", res.DataQuality, res.UnmappedCategories)
	}

	byExternal := func(i int) feedListingView {
		t.Helper()
		id := findExternal(t, env, "eBay", fmt.Sprint(125000000000+i))
		var l feedListingView
		off.Get("/api/v1/listings/" + id).Expect(200).JSON(&l)
		return l
	}
	l := byExternal(0) // "Does not apply", smart plug category, vdp_url, support period
	if l.GTIN != "" || l.GTINRaw != "" || l.Category != "smart_plug" ||
		l.SellerCategory != "Electronics > Smart Home > Smart Plugs & Sockets" ||
		l.VDPURL != "https://acme.example/security" || l.SupportPeriodText == "" || len(l.DataQuality) != 0 {
		t.Errorf("listing 0: %+v", l)
	}
	l = byExternal(4) // wrong check digit: kept raw, flagged, not matched on
	if l.GTIN != "" || l.GTINRaw != "5012345678901" || len(l.DataQuality) != 1 || l.DataQuality[0] != "gtin_invalid" ||
		l.Category != "" || l.SellerCategory == "" {
		t.Errorf("listing 4: %+v", l)
	}
	l = byExternal(5) // a valid GTIN links
	if l.GTIN != "5012345678900" || l.product() != acme || l.MatchReason != "gtin" || l.Category != "smart_plug" {
		t.Errorf("listing 5: %+v", l)
	}

	// Search files listings under the mapped category; the product's
	// category wins for linked listings; a filter may use any wording.
	waitIndexed(t, env)
	want := map[string]int64{}
	for i := 0; i < n; i++ {
		code := []string{"smart_plug", "camera", "", "baby_monitor", ""}[i%5]
		if i%8 == 5 { // linked by its GTIN: the product's category
			code = "smart_plug"
		}
		want[code]++
	}
	cctv := searchListings(t, off, urlParams("category", "CCTV", "limit", "100"))
	if cctv.Total != want["camera"] {
		t.Errorf("category=CCTV: %d, want %d", cctv.Total, want["camera"])
	}
	if got := searchListings(t, off, urlParams("category", "camera")); got.Total != cctv.Total {
		t.Errorf("category=camera %d, category=CCTV %d", got.Total, cctv.Total)
	}
	all := searchListings(t, off, urlParams("q", "plug", "limit", "1"))
	for _, c := range []string{"smart_plug", "camera", "baby_monitor"} {
		if all.Facets["category"][c] != want[c] {
			t.Errorf("category facet %s: %v, want %v", c, all.Facets["category"], want)
		}
	}

	// The same feed as CSV, with its own header spellings.
	csv := "Item ID,Site,market_type,Product URL,Name,EAN,Price,Colour,VDP URL,Category Path\n" +
		"c-1,Gumtree,secondary,https://www.gumtree.com/p/1,Ring doorbell,N/A,40,black,https://ring.example/vdp,Doorbells\n" +
		"c-2,Gumtree,secondary,https://www.gumtree.com/p/2,Baby cam,0000000000000,20,,,\n" +
		"c-3,Gumtree,secondary,https://www.gumtree.com/p/3\n"
	res = feedReport{}
	importListings(off, "text/csv", "", csv).Expect(200).JSON(&res)
	if res.Imported != 2 || res.RejectedTotal != 1 || res.Rejected[0].Line != 4 || res.IgnoredFields["colour"] != 1 ||
		res.MappedFields["product_url"].Lines != 2 || res.MappedFields["vdp_url"].Lines != 1 || res.DataQuality["gtin_placeholder"] != 2 {
		t.Fatalf("csv: %+v", res)
	}
	var doorbell feedListingView
	off.Get("/api/v1/listings/" + findExternal(t, env, "Gumtree", "c-1")).Expect(200).JSON(&doorbell)
	if doorbell.Category != "video_doorbell" || doorbell.VDPURL != "https://ring.example/vdp" || doorbell.Title != "Ring doorbell" {
		t.Errorf("csv listing: %+v", doorbell)
	}
}

func TestListingRoundTrip(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	hs100 := newProduct(t, off, "TP-Link", "HS100", "")
	var created feedListingView
	off.Post("/api/v1/listings", map[string]any{"listing_id": 4711, "retailer": "Amazon Marketplace",
		"market_type": "marketplace", "url": "https://www.amazon.co.uk/dp/B0RT", "title": "Kasa HS100 smart plug",
		"brand": "Kasa", "model": "HS-100", "price": 14.99, "gtin": "12345", "category": "Smart Plugs & Sockets",
		"vdp_url": "https://www.tp-link.com/uk/security", "colour": "white"}).Expect(201).JSON(&created)
	if created.ExternalID != "4711" || created.product() != hs100 || created.Link != "auto" || created.GTINRaw != "12345" ||
		created.Category != "smart_plug" || created.VDPURL == "" {
		t.Fatalf("created: %+v", created)
	}
	if len(created.IgnoredFields) != 1 || created.IgnoredFields[0] != "colour" {
		t.Errorf("ignored fields: %v", created.IgnoredFields)
	}
	get := off.Get("/api/v1/listings/" + created.ID).Expect(200)
	var returned map[string]any
	get.JSON(&returned)
	raw, _ := json.Marshal(returned)

	// Sent back as an import line: recognised, nothing changes.
	var res feedReport
	importListings(off, "application/x-ndjson", "", string(raw)+"\n").Expect(200).JSON(&res)
	if res.Unchanged != 1 || res.Imported+res.Updated+res.RejectedTotal != 0 || len(res.IgnoredFields) != 0 {
		t.Fatalf("re-import of GET: %+v", res)
	}
	// Sent back as a PATCH: no change, no new version; the automatic link
	// does not turn into an officer's.
	var patched feedListingView
	off.Patch("/api/v1/listings/"+created.ID, returned).Expect(200).JSON(&patched)
	if patched.Version != created.Version || patched.Link != "auto" || len(patched.IgnoredFields) != 0 {
		t.Fatalf("PATCH of GET: %+v", patched)
	}
	// Sent to another TradeWarden: the same listing, the same content hash.
	other := wiringtest.New(t).As(officer, "KENT-TS")
	var copied feedListingView
	other.Post("/api/v1/listings", returned).Expect(201).JSON(&copied)
	if copied.ContentSHA256 != created.ContentSHA256 || copied.Price == nil || copied.Price.AmountPence != 1499 ||
		copied.ExternalID != "4711" || copied.product() != "" || copied.Link != "none" || copied.GTINRaw != "12345" ||
		copied.SellerCategory != created.SellerCategory {
		t.Fatalf("copy: %+v", copied)
	}
	// An officer's "no product" survives the round trip.
	off.Patch("/api/v1/listings/"+created.ID, map[string]any{"product_id": nil}).Expect(200).JSON(&patched)
	off.Get("/api/v1/listings/" + created.ID).Expect(200).JSON(&returned)
	returned["url"] = "https://www.amazon.co.uk/dp/B0RT2"
	returned["external_id"] = "4712"
	other.Post("/api/v1/listings", returned).Expect(201).JSON(&copied)
	if copied.product() != "" || copied.Link != "officer" {
		t.Fatalf("officer's no-product: %+v", copied)
	}
	// CSV with the API's price shape.
	csv := "external_id,retailer,market_type,url,title,price.amount_pence,price.currency\n" +
		"4713,Argos,retailer,https://www.argos.co.uk/product/4713,Plug,1250,GBP\n"
	importListings(off, "text/csv", "", csv).Expect(200).JSON(&res)
	if res.Imported != 1 {
		t.Fatalf("csv price object: %+v", res)
	}
}

// waitLinked waits until the background linker has nothing left to do and
// the index has caught up with what it changed (bounded).
func waitLinked(t *testing.T, env *wiringtest.Env) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		jobs, todo, err := env.App.Search.Store.LinkBacklog(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		lag, err := env.App.Search.Store.OutboxLag(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if jobs == 0 && todo == 0 && lag.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("linker still has %d products and %d listings to do, index %d behind, after 20s", jobs, todo, lag.Pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type productGroupView struct {
	Listings int64 `json:"listings"`
	Unlinked int64 `json:"unlinked"`
	Products []struct {
		ProductID    string           `json:"product_id"`
		Listings     int64            `json:"listings"`
		ByMarketType map[string]int64 `json:"by_market_type"`
	} `json:"products"`
}

func TestProductRecordedAfterItsListingsLinksThem(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	other := newProduct(t, off, "Generic", "X1", "")
	rows := []map[string]any{
		{"listing_id": "g-1", "retailer": "eBay", "market_type": "marketplace", "url": "https://www.ebay.co.uk/itm/1",
			"title": "WiFi socket", "gtin": "0 036000 291452"}, // the product's UPC-12 written as an EAN-13
		{"listing_id": "bm-1", "retailer": "Argos", "market_type": "retailer", "url": "https://www.argos.co.uk/product/1",
			"title": "Kasa smart plug", "brand": "Kasa", "model": "HS-100 (UK)"},
		{"listing_id": "bm-2", "retailer": "CeX", "market_type": "secondary", "url": "https://uk.webuy.com/p?id=1",
			"title": "tp link plug, used", "model": "hs 100"}, // brand only in the title
		{"listing_id": "t-1", "retailer": "eBay", "market_type": "marketplace", "url": "https://www.ebay.co.uk/itm/2",
			"title": "Faceplate fits TP-Link HS100"}, // title only: a candidate
		{"listing_id": "ob-1", "retailer": "OnBuy", "market_type": "marketplace", "url": "https://www.onbuy.com/p/1",
			"title": "Smart plug", "brand": "Acme", "model": "HS100"}, // another brand: a candidate
		{"listing_id": "off-1", "retailer": "Currys", "market_type": "retailer", "url": "https://www.currys.co.uk/p/1",
			"title": "TP-Link HS100", "brand": "TP-Link", "model": "HS100", "product_id": other}, // officer's link
		{"listing_id": "off-2", "retailer": "Currys", "market_type": "retailer", "url": "https://www.currys.co.uk/p/2",
			"title": "TP-Link HS100 display model", "brand": "TP-Link", "model": "HS100"},
	}
	var res importView
	importListings(off, "application/x-ndjson", "", ndjsonLines(rows...)).Expect(200).JSON(&res)
	if res.Imported != int64(len(rows)) {
		t.Fatalf("import: %+v", res)
	}
	// An officer records that off-2 is of no product in the register.
	off2 := findExternal(t, env, "Currys", "off-2")
	off.Patch("/api/v1/listings/"+off2, map[string]any{"product_id": nil}).Expect(200)
	waitLinked(t, env)

	before := auditCount(t, env)
	hs100 := newProduct(t, off, "TP-Link", "HS100", "036000291452")
	waitLinked(t, env)
	linked := map[string]listingView{}
	var page struct{ Items []listingView }
	off.Get("/api/v1/products/" + hs100 + "/listings").Expect(200).JSON(&page)
	for _, l := range page.Items {
		linked[l.ExternalID] = l
	}
	if len(linked) != 3 || linked["g-1"].MatchReason != "gtin" || linked["bm-1"].MatchReason != "brand_model" ||
		linked["bm-2"].MatchReason != "brand_model" || linked["g-1"].Link != "auto" || linked["bm-1"].Version != 2 {
		t.Fatalf("linked after the product was recorded: %+v", linked)
	}
	var l listingView
	off.Get("/api/v1/listings/" + findExternal(t, env, "Currys", "off-1")).Expect(200).JSON(&l)
	if l.product() != other || l.Link != "officer" {
		t.Errorf("an officer's link was overridden: %+v", l)
	}
	off.Get("/api/v1/listings/" + off2).Expect(200).JSON(&l)
	if l.product() != "" || l.Link != "officer" {
		t.Errorf("an officer's no-product was overridden: %+v", l)
	}
	if auditCount(t, env) <= before+1 {
		t.Error("the linking was not audited")
	}
	// The rest are offered as candidates.
	var cands struct {
		Items []struct {
			Score   float64     `json:"score"`
			Reasons []string    `json:"reasons"`
			Listing listingView `json:"listing"`
		} `json:"items"`
	}
	off.Get("/api/v1/products/" + hs100 + "/listing-candidates").Expect(200).JSON(&cands)
	if len(cands.Items) != 1 || cands.Items[0].Listing.ExternalID != "ob-1" || cands.Items[0].Reasons[0] != "model" {
		t.Errorf("product candidates: %+v", cands.Items)
	}
	var lc struct {
		Items []struct {
			ProductID string `json:"product_id"`
		} `json:"items"`
	}
	off.Get("/api/v1/listings/" + findExternal(t, env, "eBay", "t-1") + "/candidates").Expect(200).JSON(&lc)
	if len(lc.Items) == 0 || lc.Items[0].ProductID != hs100 {
		t.Errorf("the title-only listing should offer the new product: %+v", lc)
	}
	// Search by product reflects the links: count and market-type breakdown.
	var groups productGroupView
	off.Get("/api/v1/search/products?product_id=" + hs100).Expect(200).JSON(&groups)
	found := false
	for _, g := range groups.Products {
		if g.ProductID == hs100 {
			found = true
			if g.Listings != 3 || g.ByMarketType["retailer"] != 1 || g.ByMarketType["marketplace"] != 1 || g.ByMarketType["secondary"] != 1 {
				t.Errorf("product group: %+v", g)
			}
		}
	}
	if !found {
		t.Errorf("product search does not show the product: %+v", groups)
	}

	// A change of model relinks: the old model's links go, the GTIN's stay.
	var prod struct{ Version int }
	off.Get("/api/v1/products/" + hs100).Expect(200).JSON(&prod)
	off.Patch("/api/v1/products/"+hs100, map[string]any{"model": "HS110"}).Expect(200)
	waitLinked(t, env)
	off.Get("/api/v1/products/" + hs100 + "/listings").Expect(200).JSON(&page)
	if len(page.Items) != 1 || page.Items[0].ExternalID != "g-1" {
		t.Fatalf("after the model changed: %+v", page.Items)
	}
	groups = productGroupView{}
	off.Get("/api/v1/search/products?product_id=" + hs100).Expect(200).JSON(&groups)
	for _, g := range groups.Products {
		if g.ProductID == hs100 && g.Listings != 1 {
			t.Errorf("product search after relinking: %+v", g)
		}
	}
	// A change that does not touch what it is matched by queues nothing.
	off.Patch("/api/v1/products/"+hs100, map[string]any{"category": "smart plug"}).Expect(200)
	if jobs, _, _ := env.App.Search.Store.LinkBacklog(env.Ctx()); jobs != 0 {
		t.Errorf("%d linking jobs after a category change", jobs)
	}
}

// TestLinkerResumesAndIsIdempotent runs the linker by hand, page by page,
// on an app that runs none, as a process that stops half-way would.
func TestLinkerResumesAndIsIdempotent(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	var rows []map[string]any
	for i := 0; i < 9; i++ {
		rows = append(rows, map[string]any{"retailer": "eBay", "market_type": "marketplace",
			"url": fmt.Sprintf("https://www.ebay.co.uk/itm/%d", i), "title": "Baby monitor", "brand": "VTech", "model": "RM-7764HD"})
	}
	importListings(off, "application/x-ndjson", "", ndjsonLines(rows...)).Expect(200)
	waitLinked(t, env)
	cfg := listingRestartConfig(env)
	if err := env.App.Close(); err != nil {
		t.Fatal(err)
	}
	app, err := wiring.Open(context.Background(), cfg) // no linker runs in it
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	ctx := principal.System(context.Background(), "test")
	brand, model := "VTech", "RM7764HD"
	p, err := app.Products.Create(ctx, products.Input{Brand: &brand, Model: &model})
	if err != nil {
		t.Fatal(err)
	}
	linked := func() int {
		ls, err := app.Listings.ListForProduct(ctx, p.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(ls)
	}
	first := listings.NewLinker(app.Search.Store, app.Audit, time.Now, listings.LinkerOptions{Page: 2})
	for i := 0; i < 3; i++ {
		if did, err := first.Step(ctx); err != nil || !did {
			t.Fatalf("step %d: %v %v", i, did, err)
		}
	}
	// One page found none linked yet; two pages of two were linked.
	if n := linked(); n != 4 {
		t.Fatalf("%d listings linked after 3 pages of 2", n)
	}
	if jobs, _, _ := app.Search.Store.LinkBacklog(ctx); jobs != 1 {
		t.Fatalf("the job's progress was not kept: %d jobs", jobs)
	}
	// A new linker (another process, or this one restarted) carries on.
	if _, err := listings.NewLinker(app.Search.Store, app.Audit, time.Now, listings.LinkerOptions{}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := linked(); n != 9 {
		t.Fatalf("%d listings linked after resuming", n)
	}
	// Linking again changes nothing.
	head := func() int64 {
		seq, _, err := app.Audit.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	n := head()
	if err := app.Search.Store.InTx(ctx, func(ctx context.Context) error { return app.Search.Store.EnqueueLink(ctx, p.ID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := listings.NewLinker(app.Search.Store, app.Audit, time.Now, listings.LinkerOptions{}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	ls, _ := app.Listings.ListForProduct(ctx, p.ID, "", 100)
	for _, l := range ls {
		if l.Version != 2 {
			t.Errorf("listing %s at version %d after linking twice", l.ID, l.Version)
		}
	}
	if head() != n {
		t.Error("linking again wrote to the audit log")
	}
}
