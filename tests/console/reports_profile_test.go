package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// TestReportsOfferDownloadsAndATrend: the analyst's report page links the
// same period's CSV and PDF, and draws the chosen time series with its
// numbers repeated as a table.
func TestReportsOfferDownloadsAndATrend(t *testing.T) {
	env := wiringtest.New(t)
	env.As(principal.Officer, "KENT-TS").Post("/api/v1/cases", map[string]any{"title": "Report case", "origin": "complaint"}).
		Expect(http.StatusCreated)
	b := newBrowser(t, env)
	b.signIn(wiringtest.Email(principal.Analyst, "KENT-TS"))
	p := b.get("/reports?metric=cases_opened&from=2026-01-01&to=2026-12-31")
	mustContain(t, p, `href="/reports/summary.csv?from=2026-01-01&amp;to=2026-12-31"`, `data-test="series-chart"`,
		"Cases opened each month, as a table", `<option value="notices_issued">Notices issued</option>`, "Requirements most often failed")
	csv := b.get("/reports/summary.csv?from=2026-01-01&to=2026-12-31")
	if csv.Status != http.StatusOK || !strings.Contains(csv.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(csv.Body, "# cases_by_origin") {
		t.Fatalf("CSV download: %d %s %.200s", csv.Status, csv.Header.Get("Content-Type"), csv.Body)
	}
	pdf := b.get("/reports/summary.pdf")
	if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") {
		t.Fatalf("PDF download: %d %.40q", pdf.Status, pdf.Body)
	}
	bad := b.get("/reports?metric=nonsense&from=yesterday")
	mustContain(t, bad, "Enter the start of the period as a date")
}

// TestAdminKeepsTheAuthorityProfile: the admin edits the letterhead, contact
// and payment details; a bad sort code comes back as a GOV.UK error on its
// field and changes nothing; the logo survives a save without a new file.
func TestAdminKeepsTheAuthorityProfile(t *testing.T) {
	env := wiringtest.New(t)
	b := newBrowser(t, env)
	b.signIn(wiringtest.Email(principal.Admin, "KENT-TS"))
	mustContain(t, b.get("/admin/profile"), "Authority profile", "Where penalties are paid", "Recorded delivery")
	form := url.Values{"full_name": {"Kent County Council Trading Standards"},
		"address": {"Invicta House\nCounty Road\nMaidstone ME14 1XX"}, "phone": {"03000 41 41 41"},
		"email": {"trading.standards@kent.gov.uk"}, "bank": {"Lloyds"}, "account_name": {"KCC"},
		"sort_code": {"30-00-00"}, "account_number": {"12345678"}, "days_post": {"2"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("days_email", "lots")
	p := b.post("/admin/profile", bad)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad days: status %d", p.Status)
	}
	mustContain(t, p, `href="#days_email"`, "as a whole number from 0 to 30")
	p = b.follow(b.post("/admin/profile", form))
	mustContain(t, p, "Profile saved", "Invicta House\nCounty Road", `value="30-00-00"`)
	var prof struct {
		Address []string `json:"address"`
		Payment struct{ Bank string }
		Days    map[string]int `json:"deemed_service_days"`
	}
	env.As(principal.Admin, "KENT-TS").Get("/api/v1/authorities/KENT-TS/profile").Expect(http.StatusOK).JSON(&prof)
	if len(prof.Address) != 3 || prof.Payment.Bank != "Lloyds" || prof.Days["post"] != 2 {
		t.Fatalf("profile not saved as entered: %+v", prof)
	}
	off := newBrowser(t, env)
	off.signIn(wiringtest.Email(principal.Officer, "KENT-TS"))
	if p := off.get("/admin/profile"); p.Status != http.StatusForbidden {
		t.Fatalf("officer opened the profile form: %d", p.Status)
	}
}
