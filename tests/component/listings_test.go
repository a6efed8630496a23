package component_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/pkg/password"
	"github.com/tradewarden/tradewarden/pkg/testkit"
	"github.com/tradewarden/tradewarden/services/casework/core/listings"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// Listing routes in the authorization sweep: shared registers every
// authority's officers and supervisors maintain and analysts read.
func init() {
	for route, roles := range map[string]string{
		"POST /api/v1/listings": "OS", "POST /api/v1/listings/import": "OS", "GET /api/v1/listings/:id": "OSA",
		"PATCH /api/v1/listings/:id": "OS", "GET /api/v1/listings/:id/candidates": "OSA",
		"GET /api/v1/products/:id/listings": "OSA", "GET /api/v1/products/:id/listing-candidates": "OSA", "GET /api/v1/search/listings": "OSA", "GET /api/v1/search/products": "OSA",
	} {
		sweepTable[route] = rule{roles: roles}
	}
}

// sweepListing records a listing for the authorization sweep's fixtures.
func sweepListing(t *testing.T, c *wiringtest.Client) string {
	t.Helper()
	return newListing(t, c, map[string]any{"retailer": "Argos", "market_type": "retailer",
		"url": "https://www.argos.co.uk/product/sweep-1", "title": "Sweep smart plug"}).ID
}

type priceView struct {
	AmountPence int64  `json:"amount_pence"`
	Currency    string `json:"currency"`
}

type listingView struct {
	ID                string     `json:"id"`
	ExternalID        string     `json:"external_id"`
	Retailer          string     `json:"retailer"`
	MarketType        string     `json:"market_type"`
	Seller            string     `json:"seller"`
	URL               string     `json:"url"`
	Title             string     `json:"title"`
	Brand             string     `json:"brand"`
	Model             string     `json:"model"`
	GTIN              string     `json:"gtin"`
	Price             *priceView `json:"price"`
	Condition         string     `json:"condition"`
	ObservedAt        time.Time  `json:"observed_at"`
	SupportPeriodText string     `json:"support_period_text"`
	HasSupportPeriod  bool       `json:"has_support_period"`
	Status            string     `json:"status"`
	ProductID         *string    `json:"product_id"`
	Link              string     `json:"link"`
	MatchReason       string     `json:"match_reason"`
	ContentSHA256     string     `json:"content_sha256"`
	Version           int        `json:"version"`
}

func (l listingView) product() string {
	if l.ProductID == nil {
		return ""
	}
	return *l.ProductID
}

func newListing(t *testing.T, c *wiringtest.Client, body map[string]any) listingView {
	t.Helper()
	var l listingView
	c.Post("/api/v1/listings", body).Expect(201).JSON(&l)
	return l
}

type hitView struct {
	ListingID  string              `json:"listing_id"`
	ProductID  *string             `json:"product_id"`
	Title      string              `json:"title"`
	Retailer   string              `json:"retailer"`
	MarketType string              `json:"market_type"`
	Seller     string              `json:"seller"`
	URL        string              `json:"url"`
	Price      *priceView          `json:"price"`
	ObservedAt time.Time           `json:"observed_at"`
	Score      float64             `json:"score"`
	Highlights map[string][]string `json:"highlights"`
}

type searchView struct {
	Total      int64                       `json:"total"`
	Items      []hitView                   `json:"items"`
	Facets     map[string]map[string]int64 `json:"facets"`
	NextCursor string                      `json:"next_cursor"`
}

func (s searchView) ids() map[string]bool {
	out := map[string]bool{}
	for _, h := range s.Items {
		out[h.ListingID] = true
	}
	return out
}

func searchListings(t *testing.T, c *wiringtest.Client, params url.Values) searchView {
	t.Helper()
	var s searchView
	c.Get("/api/v1/search/listings?" + params.Encode()).Expect(200).JSON(&s)
	return s
}

type importView struct {
	Imported      int64 `json:"imported"`
	Updated       int64 `json:"updated"`
	Unchanged     int64 `json:"unchanged"`
	RejectedTotal int64 `json:"rejected_total"`
	Lines         int64 `json:"lines"`
	Resumed       int64 `json:"resumed_after_line"`
	Rejected      []struct {
		Line  int64  `json:"line"`
		Error string `json:"error"`
	} `json:"rejected"`
}

func importListings(c *wiringtest.Client, contentType, query, body string) *wiringtest.Response {
	return c.Header("Content-Type", contentType).Do("POST", "/api/v1/listings/import"+query, strings.NewReader(body))
}

// waitIndexed polls until the index has caught up with every queued change
// (bounded: a stuck indexer fails the test rather than hanging it).
func waitIndexed(t *testing.T, env *wiringtest.Env) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		lag, err := env.App.Search.Store.OutboxLag(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if lag.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("search index still %d changes behind after 20s", lag.Pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func urlParams(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestListingCRUDAndLinking(t *testing.T) {
	env := wiringtest.New(t)
	off, an := env.As(officer, "KENT-TS"), env.As(analyst, "OPSS")
	hs100 := newProduct(t, off, "TP-Link", "HS100", "5012345678900")
	before := auditCount(t, env)

	l := newListing(t, off, map[string]any{"retailer": "Argos", "market_type": "retailer", "seller": "Argos",
		"url": "https://www.argos.co.uk/product/8734211", "title": "TP-Link Kasa HS100 Smart Wi-Fi Plug",
		"brand": "TP-LINK", "model": "HS-100 (UK)", "price": 14.99, "observed_at": "2026-11-20T10:15:00Z",
		"support_period_text": "Security updates until 31/12/2027"})
	if l.product() != hs100 || l.Link != "auto" || l.MatchReason != "brand_model" {
		t.Fatalf("brand + normalised model should auto-link: %+v", l)
	}
	if l.Price == nil || l.Price.AmountPence != 1499 || l.Price.Currency != "GBP" || l.Condition != "new" || l.Status != "live" {
		t.Fatalf("defaults and price: %+v", l)
	}
	if len(l.ContentSHA256) != 64 || !l.HasSupportPeriod || l.Version != 1 {
		t.Fatalf("hash, support, version: %+v", l)
	}
	if auditCount(t, env) != before+1 {
		t.Fatal("create was not audited")
	}
	// Shared register: another authority's analyst reads it.
	var got listingView
	an.Get("/api/v1/listings/" + l.ID).Expect(200).JSON(&got)
	if got.ID != l.ID || got.URL != l.URL {
		t.Fatalf("get: %+v", got)
	}
	an.Post("/api/v1/listings", map[string]any{}).Expect(403)

	// The same retailer and URL (however cased) is a conflict naming the listing.
	p := off.Post("/api/v1/listings", map[string]any{"retailer": "argos", "market_type": "retailer",
		"url": "https://ARGOS.co.uk/product/8734211/", "title": "dup"}).Expect(409).Problem()
	if p.Extra["listing_id"] != l.ID {
		t.Fatalf("conflict should name the listing: %+v", p)
	}

	// GTIN evidence links even without brand or model.
	g := newListing(t, off, map[string]any{"retailer": "eBay", "market_type": "marketplace", "seller": "bargain-bin-uk",
		"url": "https://www.ebay.co.uk/itm/1234567890", "title": "Smart socket wifi", "gtin": "5 012345 678900", "price": "9.50"})
	if g.product() != hs100 || g.MatchReason != "gtin" || g.GTIN != "5012345678900" {
		t.Fatalf("GTIN should auto-link: %+v", g)
	}
	// A model number only in the title is a candidate, never a link.
	acc := newListing(t, off, map[string]any{"retailer": "eBay", "market_type": "marketplace",
		"url": "https://www.ebay.co.uk/itm/555", "title": "Replacement faceplate fits TP Link HS 100 socket"})
	if acc.product() != "" || acc.Link != "none" {
		t.Fatalf("title-only evidence must not link: %+v", acc)
	}
	var cands struct {
		Items []struct {
			ProductID string   `json:"product_id"`
			Score     float64  `json:"score"`
			Reasons   []string `json:"reasons"`
			Linked    bool     `json:"linked"`
		}
	}
	off.Get("/api/v1/listings/" + acc.ID + "/candidates").Expect(200).JSON(&cands)
	if len(cands.Items) != 1 || cands.Items[0].ProductID != hs100 || cands.Items[0].Linked || cands.Items[0].Score >= 0.95 {
		t.Fatalf("candidates: %+v", cands)
	}

	// PATCH with optimistic concurrency; an officer's link sticks.
	off.Header("If-Match", `"7"`).Patch("/api/v1/listings/"+acc.ID, map[string]any{"status": "removed"}).Expect(412)
	var upd listingView
	off.Header("If-Match", `"1"`).Patch("/api/v1/listings/"+acc.ID, map[string]any{"product_id": hs100, "status": "removed"}).Expect(200).JSON(&upd)
	if upd.product() != hs100 || upd.Link != "officer" || upd.Status != "removed" || upd.Version != 2 {
		t.Fatalf("officer link: %+v", upd)
	}
	off.Patch("/api/v1/listings/"+acc.ID, map[string]any{"title": "Faceplate for HS 100"}).Expect(200).JSON(&upd)
	if upd.product() != hs100 || upd.Link != "officer" {
		t.Fatalf("matching overrode the officer: %+v", upd)
	}
	off.Patch("/api/v1/listings/"+acc.ID, map[string]any{"product_id": nil}).Expect(200).JSON(&upd)
	if upd.product() != "" || upd.Link != "officer" {
		t.Fatalf("unlink: %+v", upd)
	}
	// An unchanged PATCH writes nothing.
	n := auditCount(t, env)
	off.Patch("/api/v1/listings/"+acc.ID, map[string]any{"status": "removed"}).Expect(200).JSON(&upd)
	if upd.Version != 4 || auditCount(t, env) != n {
		t.Fatalf("no-op patch bumped the version or the audit log: %+v", upd)
	}

	// Listings of a product, paginated.
	var page struct {
		Items      []listingView `json:"items"`
		NextCursor string        `json:"next_cursor"`
	}
	off.Get("/api/v1/products/" + hs100 + "/listings?limit=1").Expect(200).JSON(&page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("page 1: %+v", page)
	}
	first := page.Items[0].ID
	off.Get("/api/v1/products/" + hs100 + "/listings?limit=1&cursor=" + page.NextCursor).Expect(200).JSON(&page)
	if len(page.Items) != 1 || page.Items[0].ID == first {
		t.Fatalf("page 2: %+v", page)
	}
	off.Get("/api/v1/products/01a21939-0000-7000-8000-000000000000/listings").Expect(404)
	off.Get("/api/v1/listings/not-an-id").Expect(404)
}

func TestListingBadInput(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	base := func(kv ...any) map[string]any {
		m := map[string]any{"retailer": "Currys", "market_type": "retailer", "url": "https://www.currys.co.uk/p/1",
			"title": "Ring Video Doorbell 4"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		body  map[string]any
		field string
	}{
		{base("market_type", "car_boot_sale"), "market_type"},
		{base("url", "ftp://files.example/listing"), "url"},
		{base("url", "javascript:alert(1)"), "url"},
		{base("url", "https://user:pw@shop.example/p"), "url"},
		{base("gtin", "caf\x00"), "gtin"},
		{base("category", strings.Repeat("c", 1001)), "category"},
		{base("condition", "mint"), "condition"},
		{base("currency", "XXY"), "currency"},
		{base("price", "-3"), "price"},
		{base("price", "12.345"), "price"},
		{base("observed_at", "2999-01-01"), "observed_at"},
		{base("status", "sold"), "status"},
		{base("title", "a\x00b"), "title"},
		{base("product_id", "01a21939-0000-7000-8000-000000000000"), "product_id"},
	}
	for _, tc := range cases {
		p := off.Post("/api/v1/listings", tc.body).Expect(422).Problem()
		if !p.HasField(tc.field) {
			t.Errorf("%v: problem does not name %s: %+v", tc.body[tc.field], tc.field, p)
		}
	}
	off.Post("/api/v1/listings", `{"retailer": "Currys", "oops"`).Expect(400)
	off.Post("/api/v1/listings", `[1]`).Expect(400)
	if p := off.Post("/api/v1/listings", base("title", true)).Expect(400).Problem(); !p.HasField("title") {
		t.Errorf("a boolean title: %+v", p)
	}
	var l listingView
	off.Post("/api/v1/listings", base("price", "£1,299.00", "condition", "Refurbished")).Expect(201).JSON(&l)
	if l.Price == nil || l.Price.AmountPence != 129900 || l.Condition != "refurbished" {
		t.Fatalf("price or condition: %+v", l)
	}
}

func ndjsonLines(lines ...map[string]any) string {
	var b strings.Builder
	for _, l := range lines {
		raw, _ := json.Marshal(l)
		b.Write(raw)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestListingImportNDJSONAndCSV(t *testing.T) {
	env := wiringtest.New(t)
	off, an := env.As(officer, "KENT-TS"), env.As(analyst, "KENT-TS")
	hs100 := newProduct(t, off, "TP-Link", "HS100", "")
	good := func(i int, extra ...any) map[string]any {
		m := map[string]any{"listing_id": fmt.Sprintf("ebay-%d", i), "retailer": "eBay", "market_type": "marketplace",
			"seller": "plugs-r-us", "url": fmt.Sprintf("https://www.ebay.co.uk/itm/%d", 4000+i),
			"title": fmt.Sprintf("TP Link HS100 smart plug lot %d", i), "brand": "TP-Link", "model": "hs100",
			"price": "12.99", "observed_at": "2026-11-01"}
		for j := 0; j+1 < len(extra); j += 2 {
			m[extra[j].(string)] = extra[j+1]
		}
		return m
	}
	body := ndjsonLines(good(1), good(2)) +
		"{not json\n" +
		ndjsonLines(good(3, "gtin", "1234")) +
		"\n" + // blank lines are skipped but counted
		ndjsonLines(good(4, "market_type", "boot_sale"), good(5, "url", "mailto:x@example.com")) +
		`{"retailer":"eBay","market_type":"marketplace","url":"https://www.ebay.co.uk/itm/9","title":"caf` + "\xe9" + `"}` + "\n" +
		ndjsonLines(good(6)) +
		`{"retailer":"eBay","market_type":"marketplace","url":"https://www.ebay.co.uk/itm/10","title":"x","colour":"red"}` + "\n" +
		ndjsonLines(good(7)) // no trailing garbage
	an.Header("Content-Type", "application/x-ndjson").Do("POST", "/api/v1/listings/import", strings.NewReader(body)).Expect(403)
	var res importView
	importListings(off, "application/x-ndjson", "", body).Expect(200).JSON(&res)
	// An invalid GTIN (line 4) and an unknown field (line 10) no longer cost the listing.
	if res.Imported != 6 || res.Updated != 0 || res.RejectedTotal != 4 || len(res.Rejected) != 4 {
		t.Fatalf("import: %+v", res)
	}
	wantLines := map[int64]string{3: "malformed JSON", 6: "market_type", 7: "url", 8: "UTF-8"}
	for _, r := range res.Rejected {
		if w, ok := wantLines[r.Line]; !ok || !strings.Contains(r.Error, w) {
			t.Errorf("line %d rejected with %q; want lines %v", r.Line, r.Error, wantLines)
		}
	}
	// Re-importing is idempotent; a changed price is an update.
	importListings(off, "application/x-ndjson", "", body).Expect(200).JSON(&res)
	if res.Imported != 0 || res.Updated != 0 || res.Unchanged != 6 {
		t.Fatalf("re-import: %+v", res)
	}
	importListings(off, "application/x-ndjson", "", ndjsonLines(good(1, "price", "11.49"), good(1, "price", "10.99"))).Expect(200).JSON(&res)
	if res.Imported != 0 || res.Updated != 2 {
		t.Fatalf("price change: %+v", res)
	}
	var page struct{ Items []listingView }
	off.Get("/api/v1/products/" + hs100 + "/listings").Expect(200).JSON(&page)
	if len(page.Items) != 5 {
		t.Fatalf("imported listings should link to HS100: %d", len(page.Items))
	}
	for _, l := range page.Items {
		if l.ExternalID == "ebay-1" && (l.Price == nil || l.Price.AmountPence != 1099) {
			t.Fatalf("last line wins: %+v", l)
		}
	}

	// CSV: the same keys, a header row, quoted fields with commas and newlines.
	csv := "listing_id,retailer,market_type,url,title,brand,model,price,support_period_text\n" +
		`ebay-1,eBay,marketplace,https://www.ebay.co.uk/itm/4001,"TP Link HS100 smart plug lot 1",TP-Link,hs100,10.99,` + "\n" +
		`cex-1,CeX,secondary,https://uk.webuy.com/product-detail?id=hs100b,"TP-Link HS100, boxed","TP-Link",HS100,6.00,"Updates until` + "\n" + `Dec 2027"` + "\n" +
		"cex-2,CeX,secondary,https://uk.webuy.com/product-detail?id=x,too,few\n" +
		`cex-3,CeX,secondary,https://uk.webuy.com/product-detail?id=y,"bad "quote",a,b,1,` + "\n" +
		"cex-4,CeX,secondary,https://uk.webuy.com/product-detail?id=z,Tapo cam,TP-Link,C200,15,\n"
	importListings(off, "text/csv; charset=utf-8", "", csv).Expect(200).JSON(&res)
	// ebay-1 lost its seller: an update.
	if res.Imported != 2 || res.Unchanged != 0 || res.Updated != 1 || res.RejectedTotal != 2 {
		t.Fatalf("csv import: %+v", res)
	}
	if res.Rejected[0].Line != 5 || res.Rejected[1].Line != 6 {
		t.Fatalf("csv rejected lines: %+v", res.Rejected)
	}
	// A malformed header and unknown media types are refused before anything is written.
	p := importListings(off, "text/csv", "", "retailer,url,url\n").Expect(422).Problem()
	if !strings.Contains(p.Detail, "twice") {
		t.Fatalf("duplicate column: %+v", p)
	}
	importListings(off, "application/xml", "", "<listings/>").Expect(415)
	importListings(off, "text/csv; charset=windows-1252", "", "retailer\n").Expect(415)
	importListings(off, "application/x-ndjson", "?batch_size=-1", "").Expect(422)
}

func TestListingImportResumes(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	var lines []map[string]any
	for i := 0; i < 25; i++ {
		lines = append(lines, map[string]any{"retailer": "OnBuy", "market_type": "marketplace",
			"url": fmt.Sprintf("https://www.onbuy.com/gb/p/%d", i), "title": fmt.Sprintf("Baby monitor %d", i)})
	}
	body := ndjsonLines(lines...)
	// Simulate an interruption: the first 12 lines arrive, the connection drops.
	cut := strings.Index(body, "/p/12\"")
	cut = strings.LastIndex(body[:cut], "\n") + 1
	// A body cut mid-line: the incomplete line is rejected, the rest kept.
	var res importView
	importListings(off, "application/x-ndjson", "?batch_size=5", body[:cut]+`{"retailer":`).Expect(200).JSON(&res)
	if res.Imported != 12 || res.RejectedTotal != 1 || res.Rejected[0].Line != 13 {
		t.Fatalf("partial: %+v", res)
	}
	// A stream that breaks keeps the checkpoint of its committed batches.
	ctx := env.Ctx()
	_, err := env.App.Listings.Import(ctx, &brokenStream{data: body, failAt: cut + 10},
		listingImportOpts("onbuy-retry", 5))
	if err == nil {
		t.Fatal("an interrupted stream should fail the import")
	}
	cp, ok, err := env.App.Search.Store.GetCheckpoint(ctx, "onbuy-retry")
	if err != nil || !ok || cp.Lines != 10 {
		t.Fatalf("checkpoint after interruption: %+v %v %v", cp, ok, err)
	}
	importListings(off, "application/x-ndjson", "?resume_key=onbuy-retry&batch_size=5", body).Expect(200).JSON(&res)
	if res.Resumed != 10 || res.Imported != 13 || res.Unchanged != 2 || res.Lines != 15 {
		t.Fatalf("resumed: %+v", res)
	}
	if _, ok, _ := env.App.Search.Store.GetCheckpoint(ctx, "onbuy-retry"); ok {
		t.Fatal("a finished import keeps its checkpoint")
	}
	// A different body under a live key is refused, not misapplied.
	if _, err := env.App.Listings.Import(ctx, &brokenStream{data: body, failAt: cut + 10}, listingImportOpts("k2", 5)); err == nil {
		t.Fatal("want interruption")
	}
	other := strings.Replace(body, "Baby monitor 0", "Baby monitor X", 1)
	p := importListings(off, "application/x-ndjson", "?resume_key=k2&batch_size=5", other).Expect(409).Problem()
	if !strings.Contains(p.Detail, "differ") {
		t.Fatalf("mismatched resume: %+v", p)
	}
	var count int64
	count, _ = env.App.Search.Store.CountListings(ctx)
	if count != 25 {
		t.Fatalf("%d listings stored, want 25", count)
	}
}

// brokenStream yields data up to failAt bytes, then fails like a dropped connection.
type brokenStream struct {
	data   string
	failAt int
	off    int
}

func (r *brokenStream) Read(p []byte) (int, error) {
	if r.off >= r.failAt {
		return 0, errors.New("connection reset by peer")
	}
	n := copy(p, r.data[r.off:min(r.failAt, len(r.data))])
	r.off += n
	return n, nil
}

func listingImportOpts(key string, batch int) listings.ImportOptions {
	return listings.ImportOptions{Format: listings.FormatNDJSON, Key: key, BatchSize: batch}
}

// searchFixture records products and imports listings of them across the
// three market types, spelling model numbers the ways sellers do.
type searchFixture struct {
	hs100, hs110, c200 string
	hs100Listings      map[string]bool // listing ids
}

func setupSearch(t *testing.T, env *wiringtest.Env) searchFixture {
	t.Helper()
	off := env.As(officer, "KENT-TS")
	f := searchFixture{hs100Listings: map[string]bool{}}
	f.hs100 = newProduct(t, off, "TP-Link", "HS100", "5012345678900")
	f.hs110 = newProduct(t, off, "TP-Link", "HS110", "")
	var c200 struct{ ID string }
	off.Post("/api/v1/products", map[string]any{"brand": "TP-Link", "model": "Tapo C200", "category": "security_camera"}).
		Expect(201).JSON(&c200)
	f.c200 = c200.ID
	rows := []map[string]any{
		{"listing_id": "argos-1", "retailer": "Argos", "market_type": "retailer", "seller": "Argos",
			"url": "https://www.argos.co.uk/product/1001", "title": "TP-Link Kasa HS100 Smart Plug", "brand": "TP-Link",
			"model": "HS100", "price": "19.99", "observed_at": "2026-10-01T09:00:00Z", "support_period_text": "Updates until 2027-12-31"},
		{"listing_id": "currys-1", "retailer": "Currys", "market_type": "retailer", "seller": "Currys",
			"url": "https://www.currys.co.uk/products/hs100", "title": "TP-LINK Smart Wi-Fi Plug HS-100", "brand": "TP-LINK",
			"model": "HS-100", "price": "17.49", "observed_at": "2026-10-15T09:00:00Z"},
		{"listing_id": "amz-1", "retailer": "Amazon Marketplace", "market_type": "marketplace", "seller": "GadgetHub UK",
			"url": "https://www.amazon.co.uk/dp/B00TEST001", "title": "Kasa smart plug hs 100 (UK)", "brand": "Kasa",
			"model": "HS 100 (UK)", "price": "12.99", "observed_at": "2026-11-01T09:00:00Z"},
		{"listing_id": "ebay-1", "retailer": "eBay", "market_type": "marketplace", "seller": "bargainbin",
			"url": "https://www.ebay.co.uk/itm/2001", "title": "WiFi socket hs100 remote control", "gtin": "5012345678900",
			"price": "9.99", "observed_at": "2026-11-05T09:00:00Z"},
		{"listing_id": "cex-1", "retailer": "CeX", "market_type": "secondary", "seller": "CeX",
			"url": "https://uk.webuy.com/product-detail?id=hs100a", "title": "TP-Link HS100 Smart Plug, B", "brand": "TP-Link",
			"model": "HS100", "condition": "used", "price": "6.00", "observed_at": "2026-11-10T09:00:00Z"},
		{"listing_id": "fb-1", "retailer": "Facebook Marketplace", "market_type": "secondary", "seller": "Dave, Maidstone",
			"url": "https://www.facebook.com/marketplace/item/3001", "title": "2x tp link hs100 plugs, hardly used",
			"price": "10", "observed_at": "2026-11-12T09:00:00Z"},
		{"listing_id": "argos-2", "retailer": "Argos", "market_type": "retailer", "seller": "Argos",
			"url": "https://www.argos.co.uk/product/1002", "title": "TP-Link Kasa HS110 Smart Plug with Energy Monitoring",
			"brand": "TP-Link", "model": "HS110", "price": "24.99", "observed_at": "2026-10-01T09:00:00Z"},
		{"listing_id": "onbuy-1", "retailer": "OnBuy", "market_type": "marketplace", "seller": "camstore",
			"url": "https://www.onbuy.com/gb/tapo-c200", "title": "Tapo C200 Pan/Tilt Home Security Camera", "brand": "Tapo",
			"model": "C200", "price": "24.00", "observed_at": "2026-11-02T09:00:00Z"},
	}
	for i := 0; i < 110; i++ {
		rows = append(rows, map[string]any{"retailer": "Fruugo", "market_type": "marketplace", "seller": "shenzhen-direct",
			"url": fmt.Sprintf("https://www.fruugo.co.uk/p/%d", i), "title": fmt.Sprintf("Mini WiFi spy camera 1080P model A%d", i),
			"brand": "Generic", "price": "4.99", "observed_at": "2026-09-01T00:00:00Z"})
	}
	var res importView
	importListings(off, "application/x-ndjson", "", ndjsonLines(rows...)).Expect(200).JSON(&res)
	if res.Imported != int64(len(rows)) {
		t.Fatalf("fixture import: %+v", res)
	}
	var page struct{ Items []listingView }
	off.Get("/api/v1/products/" + f.hs100 + "/listings").Expect(200).JSON(&page)
	for _, l := range page.Items {
		f.hs100Listings[l.ID] = true
	}
	if len(f.hs100Listings) != 5 { // fb-1 has neither brand field, model nor GTIN
		t.Fatalf("%d listings linked to HS100, want 5", len(f.hs100Listings))
	}
	waitIndexed(t, env)
	return f
}

// searchEngineOptions are the engines the search tests run on: Bleve
// always, Elasticsearch too when TW_TEST_ELASTICSEARCH_URL names a cluster
// (each test gets its own index alias there).
func searchEngineOptions() map[string]wiringtest.Option {
	opts := map[string]wiringtest.Option{"bleve": func(*wiring.Config) {}}
	if u := os.Getenv("TW_TEST_ELASTICSEARCH_URL"); u != "" {
		opts["elasticsearch"] = func(c *wiring.Config) {
			c.Search = wiring.SearchConfig{Engine: wiring.SearchElasticsearch, ElasticURL: u,
				ElasticIndex: "tw-test-" + strings.ToLower(strings.ReplaceAll(ids.New(), "-", ""))}
		}
	}
	return opts
}

func TestListingSearch(t *testing.T) {
	for name, opt := range searchEngineOptions() {
		t.Run(name, func(t *testing.T) { testListingSearch(t, wiringtest.New(t, opt)) })
	}
}

func TestSearchEngineSelection(t *testing.T) {
	for engine, want := range map[string]string{"elasticsearch": "TW_ELASTICSEARCH_URL", "solr": "choose one of"} {
		_, err := wiring.Build(context.Background(), wiring.Config{DataDir: t.TempDir(), DatabaseURL: testkit.DatabaseURL(t),
			MigrateOnOpen: true, Log: benchQuietLog(), Search: wiring.SearchConfig{Engine: engine}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("TW_SEARCH=%s: %v, want an error naming %s", engine, err, want)
		}
	}
}

func testListingSearch(t *testing.T, env *wiringtest.Env) {
	f := setupSearch(t, env)
	off, opss := env.As(officer, "KENT-TS"), env.As(officer, "OPSS")

	// Model-number variants find each other, across all three market types,
	// and the listings of that model rank above near misses (HS110 is one
	// edit away from HS100, so typo tolerance may add it lower down).
	fb := findExternal(t, env, "Facebook Marketplace", "fb-1")
	want := map[string]bool{fb: true}
	for id := range f.hs100Listings {
		want[id] = true
	}
	for _, variant := range []string{"hs100", "HS-100", "hs 100", "HS100 (UK)", "Hs.100", "tp link hs100"} {
		res := searchListings(t, off, urlParams("q", variant))
		if len(res.Items) < len(want) {
			t.Errorf("q=%q found %d listings, want at least %d", variant, len(res.Items), len(want))
			continue
		}
		for _, h := range res.Items[:len(want)] {
			if !want[h.ListingID] {
				t.Errorf("q=%q ranks %q among the HS100 listings", variant, h.Title)
			}
		}
		mt := res.Facets["market_type"]
		if mt["retailer"] < 2 || mt["marketplace"] < 2 || mt["secondary"] != 2 {
			t.Errorf("q=%q market_type facet %v", variant, mt)
		}
		if res.Facets["retailer"]["Argos"] == 0 || res.Facets["retailer"]["CeX"] != 1 || res.Facets["brand"]["TP-Link"] < 4 ||
			res.Facets["category"]["smart_plug"] < 5 {
			t.Errorf("q=%q facets %v", variant, res.Facets)
		}
	}
	res := searchListings(t, off, urlParams("q", "hs110"))
	if len(res.Items) == 0 || res.Items[0].ListingID != findExternal(t, env, "Argos", "argos-2") {
		t.Errorf("exact model match should rank first for hs110: %+v", res.Items)
	}
	if res := searchListings(t, off, urlParams("q", "5012345678900")); res.Total != int64(len(f.hs100Listings)) {
		t.Errorf("GTIN lookup found %d, want %d", res.Total, len(f.hs100Listings))
	}
	hit := searchListings(t, off, urlParams("q", "hs100", "retailer", "Argos")).Items
	if len(hit) == 0 || hit[0].Price == nil || hit[0].Price.AmountPence != 1999 || hit[0].Retailer != "Argos" ||
		hit[0].MarketType != "retailer" || hit[0].URL == "" || hit[0].ProductID == nil || *hit[0].ProductID != f.hs100 ||
		hit[0].ObservedAt.IsZero() || hit[0].Score <= 0 || len(hit[0].Highlights["title"]) == 0 {
		t.Errorf("hit fields: %+v", hit)
	}

	// Filters.
	for _, tc := range []struct {
		params url.Values
		check  func(h hitView) bool
		min    int
	}{
		{urlParams("q", "hs100", "market_type", "secondary"), func(h hitView) bool { return h.MarketType == "secondary" }, 2},
		{urlParams("brand", "tplink"), func(h hitView) bool { return true }, 5},
		{urlParams("category", "security_camera"), func(h hitView) bool { return h.Retailer == "OnBuy" }, 1},
		{urlParams("condition", "used", "q", "hs100"), func(h hitView) bool { return h.Retailer == "CeX" || h.Retailer == "Facebook Marketplace" }, 2},
		{urlParams("has_support_period", "true"), func(h hitView) bool { return h.Retailer == "Argos" }, 1},
		{urlParams("product_id", f.hs100), func(h hitView) bool { return h.ProductID != nil && *h.ProductID == f.hs100 }, 5},
		{urlParams("observed_from", "2026-11-01", "observed_to", "2026-11-11"), func(h hitView) bool {
			return !h.ObservedAt.Before(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		}, 4},
	} {
		res := searchListings(t, off, tc.params)
		if len(res.Items) < tc.min {
			t.Errorf("%v: %d hits, want at least %d", tc.params, len(res.Items), tc.min)
		}
		for _, h := range res.Items {
			if !tc.check(h) {
				t.Errorf("%v: unexpected hit %+v", tc.params, h)
			}
		}
	}

	testDisjunctiveFacets(t, off)

	// has_open_case is answered for the caller's authority.
	if n := searchListings(t, off, urlParams("has_open_case", "true")).Total; n != 0 {
		t.Fatalf("%d listings with an open case before any case", n)
	}
	newCase(t, off, f.hs100)
	waitIndexed(t, env)
	kent := searchListings(t, off, urlParams("has_open_case", "true"))
	if kent.Total != int64(len(f.hs100Listings)) {
		t.Errorf("KENT-TS has_open_case=true: %d, want %d", kent.Total, len(f.hs100Listings))
	}
	if n := searchListings(t, opss, urlParams("has_open_case", "true")).Total; n != 0 {
		t.Errorf("OPSS sees %d listings with its open case; it has none", n)
	}
	for _, h := range searchListings(t, off, urlParams("has_open_case", "false", "q", "hs100")).Items {
		if h.ProductID != nil && *h.ProductID == f.hs100 {
			t.Errorf("has_open_case=false returned HS100 listing %q", h.Title)
		}
	}

	// Limits are clamped and pages follow the cursor without repeats.
	big := searchListings(t, off, urlParams("limit", "1000"))
	if len(big.Items) != 100 || big.Total != 118 || big.NextCursor == "" {
		t.Fatalf("limit clamp: %d items of %d, cursor %q", len(big.Items), big.Total, big.NextCursor)
	}
	rest := searchListings(t, off, urlParams("limit", "1000", "cursor", big.NextCursor))
	seen := big.ids()
	for id := range rest.ids() {
		if seen[id] {
			t.Errorf("listing %s on two pages", id)
		}
	}
	if len(rest.Items) != 18 || rest.NextCursor != "" {
		t.Fatalf("page 2: %d items, cursor %q", len(rest.Items), rest.NextCursor)
	}

	// Hostile or query-language text is plain text: never an error 500.
	for _, hostile := range []string{"*", "~", "hs100~2", "title:hs100", `"unbalanced`, "hs100 AND (", `\`, "+-&&||!(){}[]^\"~*?:\\/",
		"<script>alert(1)</script>", "' OR 1=1 --", "🔌 plug", strings.Repeat("a", 500)} {
		r := off.Get("/api/v1/search/listings?" + urlParams("q", hostile).Encode())
		if r.Status != 200 {
			t.Errorf("q=%q → %d: %s", hostile, r.Status, r.Body)
		}
		if strings.Contains(r.String(), "<script>") {
			t.Errorf("q=%q: highlights are not escaped", hostile)
		}
	}
	// NUL is not text at all: refused by name, like every parameter (issue #13 item 10).
	if p := off.Get("/api/v1/search/listings?" + urlParams("q", "\x00").Encode()).Expect(422).Problem(); !p.HasField("q") {
		t.Errorf("q=NUL: %+v", p)
	}
	for _, bad := range []url.Values{urlParams("q", strings.Repeat("a", 501)), urlParams("market_type", "car_boot"), urlParams("limit", "-1"),
		urlParams("limit", "ten"), urlParams("has_open_case", "maybe"), urlParams("observed_from", "yesterday"), urlParams("cursor", "garbage"),
		urlParams("observed_from", "2026-11-02", "observed_to", "2026-11-01")} {
		off.Get("/api/v1/search/listings?" + bad.Encode()).Expect(422).Problem()
	}

	// Grouped by product, with counts per market type.
	var prods struct {
		Listings         int64 `json:"listings"`
		UnlinkedListings int64 `json:"unlinked_listings"`
		Products         []struct {
			ProductID    string           `json:"product_id"`
			Brand        string           `json:"brand"`
			Model        string           `json:"model"`
			Listings     int64            `json:"listings"`
			ByMarketType map[string]int64 `json:"by_market_type"`
			TopListings  []hitView        `json:"top_listings"`
		} `json:"products"`
	}
	off.Get("/api/v1/search/products?q=hs100&top=2").Expect(200).JSON(&prods)
	if len(prods.Products) == 0 || prods.Products[0].ProductID != f.hs100 || prods.Products[0].Model != "HS100" {
		t.Fatalf("products: %+v", prods)
	}
	g := prods.Products[0]
	if g.Listings != 5 || g.ByMarketType["retailer"] != 2 || g.ByMarketType["marketplace"] != 2 ||
		g.ByMarketType["secondary"] != 1 || len(g.TopListings) != 2 || prods.UnlinkedListings < 1 {
		t.Fatalf("HS100 group: %+v (unlinked %d)", g, prods.UnlinkedListings)
	}
}

// testDisjunctiveFacets checks multi-select filters and disjunctive facets
// (issue 16 item 3): filtering on a facet keeps that facet's other terms.
func testDisjunctiveFacets(t *testing.T, off *wiringtest.Client) {
	t.Helper()
	all := searchListings(t, off, urlParams("q", "hs100"))
	argos := searchListings(t, off, urlParams("q", "hs100", "retailer", "Argos"))
	if !maps.Equal(argos.Facets["retailer"], all.Facets["retailer"]) || len(all.Facets["retailer"]) < 4 {
		t.Errorf("retailer=Argos: retailer facet %v, want the unfiltered %v", argos.Facets["retailer"], all.Facets["retailer"])
	}
	if argos.Total != all.Facets["retailer"]["Argos"] || argos.Total == 0 {
		t.Errorf("retailer=Argos: total %d, the facet said %d", argos.Total, all.Facets["retailer"]["Argos"])
	}
	for _, tc := range []struct {
		params url.Values
		facet  string
		values []string
	}{
		{url.Values{"q": {"hs100"}, "retailer": {"Argos", "Currys"}}, "retailer", []string{"Argos", "Currys"}},
		{url.Values{"q": {"hs100"}, "market_type": {"retailer", "secondary"}}, "market_type", []string{"retailer", "secondary"}},
		{url.Values{"brand": {"TP-Link", "Tapo"}}, "brand", []string{"TP-Link"}},
		{url.Values{"category": {"smart_plug", "CCTV"}}, "category", []string{"smart_plug", "camera"}},
	} {
		base := url.Values{}
		for k, v := range tc.params {
			if k == "q" {
				base[k] = v
			}
		}
		unfiltered := searchListings(t, off, base)
		res := searchListings(t, off, tc.params)
		var want int64
		for _, v := range tc.values {
			want += unfiltered.Facets[tc.facet][v]
		}
		if res.Total != want || want == 0 {
			t.Errorf("%v: total %d, want %d (the facet counts of %v)", tc.params, res.Total, want, tc.values)
		}
		if !maps.Equal(res.Facets[tc.facet], unfiltered.Facets[tc.facet]) {
			t.Errorf("%v: %s facet %v, want the unfiltered %v", tc.params, tc.facet, res.Facets[tc.facet], unfiltered.Facets[tc.facet])
		}
	}
	// Two facets filtered: each facet is counted with the other's filter only.
	both := searchListings(t, off, url.Values{"q": {"hs100"}, "retailer": {"Argos", "CeX"}, "market_type": {"retailer"}})
	onlyMarket := searchListings(t, off, url.Values{"q": {"hs100"}, "market_type": {"retailer"}})
	onlyRetailer := searchListings(t, off, url.Values{"q": {"hs100"}, "retailer": {"Argos", "CeX"}})
	if !maps.Equal(both.Facets["retailer"], onlyMarket.Facets["retailer"]) || !maps.Equal(both.Facets["market_type"], onlyRetailer.Facets["market_type"]) {
		t.Errorf("retailer and market_type filtered: facets %v, want retailer %v and market_type %v",
			both.Facets, onlyMarket.Facets["retailer"], onlyRetailer.Facets["market_type"])
	}
	for _, h := range both.Items {
		if h.MarketType != "retailer" || h.Retailer != "Argos" {
			t.Errorf("retailer=Argos,CeX market_type=retailer: hit %+v", h)
		}
	}
	// Bad values are refused by name and change nothing.
	many := url.Values{}
	for i := 0; i < 51; i++ {
		many.Add("retailer", fmt.Sprintf("Shop %d", i))
	}
	for field, bad := range map[string]url.Values{"market_type": {"market_type": {"retailer", "car_boot"}}, "retailer": many} {
		p := off.Get("/api/v1/search/listings?" + bad.Encode()).Expect(422).Problem()
		if !p.HasField(field) && !p.HasField(field+"[1]") {
			t.Errorf("%v: problem %+v does not name %s", bad, p, field)
		}
	}
}

// findExternal returns the id of the listing with a retailer's external id.
func findExternal(t *testing.T, env *wiringtest.Env, retailer, external string) string {
	t.Helper()
	found, err := env.App.Search.Store.FindExisting(env.Ctx(), nil, [][2]string{{strings.ToLower(retailer), external}})
	if err != nil || len(found) != 1 {
		t.Fatalf("find %s %s: %v %v", retailer, external, found, err)
	}
	return found[0].ID
}

func TestListingIndexConsistency(t *testing.T) {
	env := wiringtest.New(t)
	f := setupSearch(t, env)
	off := env.As(officer, "KENT-TS")
	ctx := env.Ctx()

	// A product change reaches the documents of its listings.
	off.Patch("/api/v1/products/"+f.hs110, map[string]any{"category": "energy_monitor"}).Expect(200)
	waitIndexed(t, env)
	if res := searchListings(t, off, urlParams("category", "energy_monitor")); res.Total != 1 || res.Items[0].Retailer != "Argos" {
		t.Fatalf("category after product change: %+v", res)
	}
	// A listing change too, including its link.
	id := findExternal(t, env, "Facebook Marketplace", "fb-1")
	off.Patch("/api/v1/listings/"+id, map[string]any{"product_id": f.hs100}).Expect(200)
	waitIndexed(t, env)
	if res := searchListings(t, off, urlParams("product_id", f.hs100)); res.Total != 6 {
		t.Fatalf("officer link not indexed: %d", res.Total)
	}

	var ready struct {
		Status string         `json:"status"`
		Checks map[string]any `json:"checks"`
	}
	env.Anonymous().Get("/readyz").Expect(200).JSON(&ready)
	lag, _ := ready.Checks["search_index_lag"].(map[string]any)
	if ready.Checks["search_engine"] != "bleve" || lag == nil || lag["pending"] != 0.0 || ready.Checks["search_documents"] != 118.0 {
		t.Fatalf("readyz: %+v", ready)
	}

	// Rebuilding from the database keeps searches answered throughout.
	stop := make(chan struct{})
	searched := make(chan int)
	go func() {
		n := 0
		defer func() { searched <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			res, err := env.App.Listings.Search(ctx, listingQuery("hs100"))
			if err != nil || res.Total == 0 {
				t.Errorf("search during rebuild: %d %v", res.Total, err)
				return
			}
			n++
		}
	}()
	var progress []int64
	if err := env.App.Search.Indexer.Rebuild(ctx, func(done, total int64) { progress = append(progress, done) }); err != nil {
		t.Fatal(err)
	}
	close(stop)
	if n := <-searched; n == 0 {
		t.Error("no search ran during the rebuild")
	}
	if len(progress) == 0 || progress[len(progress)-1] != 118 {
		t.Errorf("rebuild progress %v", progress)
	}
	if res := searchListings(t, off, urlParams("product_id", f.hs100)); res.Total != 6 {
		t.Fatalf("after rebuild: %d", res.Total)
	}

	// Work queued while no process had the index open survives a restart.
	cfg := listingRestartConfig(env)
	if err := env.App.Close(); err != nil {
		t.Fatal(err)
	}
	offline, err := wiring.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	queued, err := offline.Listings.Create(ctx, listings.Input{Retailer: "Gumtree", MarketType: "secondary",
		URL: "https://www.gumtree.com/p/plugs/99", Title: "HS100 smart plug, collection only", Brand: "TP-Link", Model: "HS100"})
	if err != nil {
		t.Fatal(err)
	}
	if lag, _ := offline.Search.Store.OutboxLag(ctx); lag.Pending != 1 {
		t.Fatalf("queued work: %+v", lag)
	}
	_ = offline.Close()
	restarted, err := wiring.Build(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	// The restarted indexer settles the queued item (the outbox empties only
	// once the documents are written and searchable), and the listing is then
	// found. Presence is asserted, not rank: Bleve scores each document
	// with its own shard's term statistics and the shard follows from the
	// (random) listing id, so whether it ranked first varied from run to run
	// (0.78 against 0.50 in one run, below the model-only matches in others);
	// the old wait for "first hit is Gumtree" then timed out as "never indexed".
	waitDrained(t, restarted, 60*time.Second)
	res, err := restarted.Listings.Search(ctx, listingQuery("hs100 collection"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(res.Items, func(h search.Hit) bool { return h.ListingID == queued.ID }) {
		t.Fatalf("the listing queued before the restart is not found: %+v", res.Items)
	}
}

// waitDrained waits until app's search outbox is empty: every queued change
// is in the index. The bound is generous because the indexer retries a
// failed batch with backoff (1s, 2s, 4s…) and the test machine may be busy.
func waitDrained(t *testing.T, app *wiring.App, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		lag, err := app.Search.Store.OutboxLag(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if lag.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("search outbox still holds %d changes after %s (oldest %s)", lag.Pending, within, lag.Oldest)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func listingQuery(text string) search.Query { return search.Query{Q: text} }

// listingRestartConfig is the configuration env was built with, to reopen its
// database and data directory.
func listingRestartConfig(env *wiringtest.Env) wiring.Config {
	return wiring.Config{DataDir: env.DataDir, DatabaseURL: env.DBURL, Now: env.Clock.Now, LoginPerMin: 100000,
		Log: env.App.Log, PasswordParams: &password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
}
