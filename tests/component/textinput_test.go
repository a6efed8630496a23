package component_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// Issue #13 item 10: a NUL byte or invalid UTF-8 in a query parameter, a
// JSON string or a form field is a 422 problem naming the field, never a
// 500 (PostgreSQL refuses NUL in text; SQLite would keep it) — and nothing
// is written. tests/fuzz FuzzRoutes does the same for every route.
func TestUnstorableTextIsRefusedByName(t *testing.T) {
	env := wiringtest.New(t)
	off, an := env.As(officer, "KENT-TS"), env.As(analyst, "KENT-TS")
	named := func(r *wiringtest.Response, field string) {
		t.Helper()
		r.Expect(422)
		if p := r.Problem(); !p.HasField(field) {
			t.Fatalf("problem does not name %s: %+v", field, p)
		}
	}

	// Login: a JSON string with \u0000 (the attack reached the users table).
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login",
		strings.NewReader(`{"email":"officer@kent-ts.test\u0000","password":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	named(env.Send(req), "email")
	// Invalid UTF-8 inside a JSON string, nested in an array.
	named(off.Post("/api/v1/cases", []byte("{\"title\":\"t\",\"origin\":\"complaint\",\"product_ids\":[\"\xff\"]}")), "product_ids[0]")
	// A nested object's field.
	named(off.Post("/api/v1/products", `{"brand":"A","model":"B","support_period":{"url":"https://x.example/\u0000"}}`), "support_period.url")
	// Query parameters: %00 and a lone continuation byte.
	named(off.Get("/api/v1/cases?q=plug%00"), "q")
	named(off.Get("/api/v1/products?brand=%FF"), "brand")
	named(env.As(supervisor, "KENT-TS").Get("/api/v1/audit?object_type=%00"), "object_type")
	// A multipart form field of an evidence upload.
	cv := newCase(t, off)
	fields := uploadFields()
	fields["collected_by"] = "Lab\x00 technician"
	named(off.Upload("/api/v1/cases/"+cv.ID+"/evidence", fields, "scan.txt", "text/plain", []byte("hello")), "collected_by")
	// Reports: a month whose end is past year 9999.
	named(an.Get("/api/v1/reports/summary?to=9999-12"), "to")
	named(an.Get("/api/v1/reports/timeseries?metric=cases_opened&from=1899-12&to=2026-01"), "from")

	var list struct{ Items []caseView }
	off.Get("/api/v1/cases").Expect(200).JSON(&list)
	if len(list.Items) != 1 {
		t.Fatalf("%d cases exist, want only the one created on purpose", len(list.Items))
	}
	var ex struct{ Items []exhibitView }
	off.Get("/api/v1/cases/" + cv.ID + "/evidence").Expect(200).JSON(&ex)
	if len(ex.Items) != 0 {
		t.Fatal("a refused upload stored an exhibit")
	}
}

// A scanner report whose strings hold NUL cannot become findings (no
// database column can store them) but is still evidence: it is kept byte
// for byte as a plain exhibit with a parse warning, not a 500.
func TestScannerReportWithNULIsKeptAsPlainExhibit(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	report := []byte(`[{"id":"telnet\u0000","ip":"10.0.0.1/10.0.0.1","port":"23","severity":"HIGH","finding":"telnet \u0000 open"}]`)
	var ex struct {
		exhibitView
		ParseWarning string `json:"parse_warning"`
	}
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", uploadFields(), "testssl.json", "application/json", report).Expect(201).JSON(&ex)
	if ex.Format != "other" || !strings.Contains(ex.ParseWarning, "NUL") {
		t.Fatalf("exhibit %+v, want a plain exhibit with a parse warning", ex)
	}
	if got := off.Get("/api/v1/evidence/" + ex.ID + "/content").Expect(200).Body; string(got) != string(report) {
		t.Fatal("the stored bytes differ from the upload")
	}
	if fs := findings(t, off, cv.ID, ""); len(fs) != 0 {
		t.Fatalf("%d findings from an unstorable report", len(fs))
	}
}
