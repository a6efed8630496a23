package browser_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// TestSearchAdminAndReportPages opens the pages the journey does not pass
// through — search grouped by product, a listing with its candidates, the
// trend, the authority profile — and holds each to axe-core too.
func TestSearchAdminAndReportPages(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(principal.Officer, "KENT-TS")
	off.Post("/api/v1/products", map[string]any{"brand": "TP-Link", "model": "HS100"}).Expect(http.StatusCreated)
	var l struct{ ID string }
	off.Post("/api/v1/listings", map[string]any{"retailer": "OnBuy", "market_type": "marketplace",
		"url": "https://onbuy.example/plug", "title": "Smart wifi plug HS100", "brand": "Unbranded", "model": "HS100",
		"observed_at": "2026-11-01T09:00:00Z"}).Expect(http.StatusCreated).JSON(&l)
	base := server(t, env)

	o := newTab(t, base, true)
	signIn(o, wiringtest.Email(principal.Officer, "KENT-TS"))
	o.open("/search?q=hs100&view=products")
	o.see("h1", "Search listings")
	o.check("20-search-products")
	o.open("/search/listings/" + l.ID)
	o.see("h1", "Smart wifi plug HS100")
	o.check("21-listing")
	o.run(chromedp.Click(chromedp.CSS("#product_id")))
	o.submit(`form[action$="/link"] button[type=submit]`)
	o.see("[data-test=flash]", "Listing linked")

	a := newTab(t, base, true)
	signIn(a, wiringtest.Email(principal.Analyst, "KENT-TS"))
	a.open("/reports?metric=notices_issued")
	a.see("#trend", "Trend")
	a.check("22-reports-trend")

	d := newTab(t, base, true)
	signIn(d, wiringtest.Email(principal.Admin, "KENT-TS"))
	d.open("/admin/profile")
	d.see("h1", "Authority profile")
	d.check("23-authority-profile")
}
