package component_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

type servedView struct {
	noticeView
	DeemedServedOn       string `json:"deemed_served_on"`
	ServiceCertificateID string `json:"service_certificate_id"`
	ServeMethod          string `json:"serve_method"`
	DaysAfterService     *int   `json:"days_after_service"`
	PeriodTooShort       bool   `json:"period_too_short"`
}

// addBusinessDays counts n weekdays after the UK day of t.
func addBusinessDays(t time.Time, n int) time.Time {
	london, _ := time.LoadLocation("Europe/London")
	y, m, d := t.In(london).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if day.Weekday() != time.Saturday && day.Weekday() != time.Sunday {
			n--
		}
	}
	return day
}

// Recording service fixes the day the notice is treated as served (by the
// authority's days for the method), runs the appeal clock from it, and keeps
// a certificate of service on the case that no upload can supersede.
func TestServiceIsDeemedAndCertified(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	env := wiringtest.New(t)
	env.As(admin, "KENT-TS").Put("/api/v1/authorities/KENT-TS/profile", kentProfile(t)).Expect(200) // post: 3 business days
	s := setupNoticeCase(t, env)
	giveIntents(t, env, &s, "penalty_intent")
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")

	n := issueNotice(t, env, s.caseID, draftBody(s, "compliance"))
	servedAt := env.Clock.Now().UTC().Truncate(time.Second).Add(time.Second)
	var sv servedView
	off.Post("/api/v1/notices/"+n.ID+"/serve", map[string]any{"method": "post", "served_at": servedAt,
		"served_to": "Company secretary, Brightwave Devices Ltd"}).Expect(200).JSON(&sv)
	deemed := addBusinessDays(servedAt, 3)
	if sv.Status != "served" || sv.DeemedServedOn != deemed.Format(time.DateOnly) ||
		sv.AppealBy != deemed.AddDate(0, 0, 28).Format(time.DateOnly) || sv.ServiceCertificateID == "" {
		t.Fatalf("served by post: %+v (want deemed %s)", sv, deemed.Format(time.DateOnly))
	}
	if sv.DaysAfterService == nil || sv.PeriodTooShort {
		t.Fatalf("period after service: %+v", sv)
	}
	off.Post("/api/v1/notices/"+n.ID+"/serve", map[string]any{"method": "hand", "served_at": servedAt, "served_to": "x"}).Expect(409)

	cert := off.Get("/api/v1/evidence/" + sv.ServiceCertificateID + "/content").Expect(200).Body
	text := strings.Join(strings.Fields(pdftext.Extract(t, cert)), " ")
	for _, want := range []string{"Certificate of service", "Compliance notice " + n.Reference, "Kent County Council Trading Standards Service",
		"Served on Company secretary, Brightwave Devices Ltd", "Method of service Post", "Given to Brightwave Devices Ltd",
		"Treated as served on " + deemed.Format("2 January 2006"), "KENT-TS officer", "Serving officer",
		"Email: officer@kent-ts.test", n.SHA256[:32], "by sending it by first class post",
		"on the 3rd business day after it is sent"} {
		if !strings.Contains(text, want) {
			t.Errorf("certificate lacks %q", want)
		}
	}
	var ex exhibitView
	off.Get("/api/v1/evidence/" + sv.ServiceCertificateID).Expect(200).JSON(&ex)
	if !strings.HasPrefix(ex.ExhibitRef, s.caseRef+"/EX-") {
		t.Errorf("certificate exhibit ref %q", ex.ExhibitRef)
	}
	fields := uploadFields()
	fields["supersedes"] = sv.ServiceCertificateID
	if r := off.Upload("/api/v1/cases/"+s.caseID+"/evidence", fields, "forged.pdf", "application/pdf", []byte("%PDF-1.4 forged")); r.Status != 422 ||
		!r.Problem().HasField("supersedes") {
		t.Errorf("superseding the certificate: %d %s", r.Status, r.Body)
	}

	// By hand: served that very day; the default days apply to hand.
	h := issueNotice(t, env, s.caseID, draftBody(s, "compliance"))
	sup.Post("/api/v1/notices/"+h.ID+"/serve", map[string]any{"method": "hand", "served_at": servedAt, "served_to": "Director"}).Expect(200).JSON(&sv)
	if want := addBusinessDays(servedAt, 0).Format(time.DateOnly); sv.DeemedServedOn != want {
		t.Errorf("served by hand: deemed %s, want %s", sv.DeemedServedOn, want)
	}

	// A penalty notice whose pay-by date leaves under 28 days after deemed
	// service is flagged.
	body := draftBody(s, "penalty")
	body["comply_by"] = env.Clock.Now().AddDate(0, 0, 29).Format(time.DateOnly)
	body["penalty"] = map[string]any{"qualifying_worldwide_revenue_pence": 100_000_000_00, "amount_pence": 50_000_00}
	pn := issueNotice(t, env, s.caseID, body)
	sup.Post("/api/v1/notices/"+pn.ID+"/serve", map[string]any{"method": "post", "served_at": servedAt, "served_to": "Director"}).Expect(200).JSON(&sv)
	if !sv.PeriodTooShort {
		t.Errorf("a pay-by date %d days after deemed service is not flagged", *sv.DaysAfterService)
	}
}
