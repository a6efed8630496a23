package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// TestSearchToACaseAboutTheProduct: an officer searches, narrows by two
// sites at once (the other sites' counts stay), sees the listings grouped by
// product, links a stray listing to its product and opens a case about the
// product from the search.
func TestSearchToACaseAboutTheProduct(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(principal.Officer, "KENT-TS")
	var prod struct{ ID string }
	off.Post("/api/v1/products", map[string]any{"brand": "TP-Link", "model": "HS100", "gtin": "5012345678900"}).
		Expect(http.StatusCreated).JSON(&prod)
	listing := func(retailer, title, brand, model string) string {
		var l struct{ ID string }
		off.Post("/api/v1/listings", map[string]any{"retailer": retailer, "market_type": "retailer",
			"url": "https://" + strings.ToLower(retailer) + ".example/" + strings.ReplaceAll(title, " ", "-"), "title": title,
			"brand": brand, "model": model, "observed_at": "2026-11-01T09:00:00Z"}).Expect(http.StatusCreated).JSON(&l)
		return l.ID
	}
	listing("Argos", "TP-Link Kasa HS100 Smart Plug", "TP-Link", "HS100")
	listing("Currys", "TP-LINK Smart Wi-Fi Plug HS-100", "TP-Link", "HS-100")
	listing("Wickes", "TP-Link HS100 plug", "TP-Link", "HS100")
	stray := listing("OnBuy", "Smart wifi plug socket", "Unbranded", "HS100")

	b := newBrowser(t, env)
	b.signIn(wiringtest.Email(principal.Officer, "KENT-TS"))
	var p page
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		p = b.get("/search?q=hs100")
		if strings.Contains(p.Body, "4 listings found") || time.Now().After(deadline) {
			break
		}
	}
	mustContain(t, p, "4 listings found", "Argos (1)", "Currys (1)", "Wickes (1)")
	two := b.get("/search?q=hs100&retailer=Argos&retailer=Currys")
	mustContain(t, two, "2 listings found", "Wickes (1)", "<strong>Argos</strong> (1, remove)")
	mustNotContain(t, two, "Wickes plug")
	grouped := b.get("/search?q=hs100&view=products")
	mustContain(t, grouped, "TP-Link HS100", "3 listings", "1 not linked to a product yet", `href="/cases/new?product=`+prod.ID+`"`)

	lp := b.get("/search/listings/" + stray)
	mustContain(t, lp, "Smart wifi plug socket", "Not linked")
	mustContain(t, lp, `value="`+prod.ID+`"`)
	mustContain(t, b.post("/search/listings/"+stray+"/link", url.Values{}), "Select the product this listing is of")
	linked := b.follow(b.post("/search/listings/"+stray+"/link", url.Values{"product_id": {prod.ID}}))
	mustContain(t, linked, "Listing linked to the product", "TP-Link HS100 (linked by an officer)")

	form := b.get("/cases/new?product=" + prod.ID)
	mustContain(t, form, "About the product TP-Link HS100", `value="TP-Link HS100: "`)
	opened := b.follow(b.post("/cases/new", url.Values{"title": {"TP-Link HS100: no support period"},
		"origin": {"online_monitoring"}, "product_id": {prod.ID}}))
	mustContain(t, opened, "opened")
	var cases struct {
		Items []struct {
			ProductIDs []string `json:"product_ids"`
		}
	}
	off.Get("/api/v1/cases").Expect(http.StatusOK).JSON(&cases)
	if len(cases.Items) == 0 || len(cases.Items[0].ProductIDs) != 1 || cases.Items[0].ProductIDs[0] != prod.ID {
		t.Fatalf("the case is not about the product: %+v", cases.Items)
	}
}
