package component_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

type profileView struct {
	Authority                  string         `json:"authority"`
	FullName                   string         `json:"full_name"`
	Address                    []string       `json:"address"`
	Phone                      string         `json:"phone"`
	Email                      string         `json:"email"`
	Website                    string         `json:"website"`
	LogoPNG                    []byte         `json:"logo_png"`
	OnBehalfOfSecretaryOfState bool           `json:"on_behalf_of_secretary_of_state"`
	DeemedServiceDays          map[string]int `json:"deemed_service_days"`
	Version                    int            `json:"version"`
	Payment                    *struct {
		Bank          string `json:"bank"`
		SortCode      string `json:"sort_code"`
		AccountNumber string `json:"account_number"`
	} `json:"payment"`
}

func testLogo(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 64, 32))
	for x := range 64 {
		for y := range 32 {
			img.Set(x, y, color.NRGBA{R: 23, G: 55, B: uint8(94 + x), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func kentProfile(t *testing.T) map[string]any {
	return map[string]any{
		"full_name": "Kent County Council Trading Standards Service",
		"address":   []string{"Invicta House", "County Hall", "Maidstone ME14 1XX"},
		"phone":     "03000 41 22 33", "email": "trading.standards@kent.example.gov.uk",
		"website":  "https://www.kent.example.gov.uk/trading-standards",
		"logo_png": testLogo(t),
		"payment": map[string]any{"bank": "Lloyds Bank plc", "account_name": "Kent County Council",
			"sort_code": "309634", "account_number": "12345678"},
		"deemed_service_days": map[string]int{"post": 3},
	}
}

func TestAuthorityProfile(t *testing.T) {
	env := wiringtest.New(t)
	kentAdmin, off := env.As(admin, "KENT-TS"), env.As(officer, "KENT-TS")
	path := "/api/v1/authorities/KENT-TS/profile"

	// Before any profile: the registered name, the default service days.
	var p profileView
	off.Get(path).Expect(200).JSON(&p)
	if p.FullName != "Kent County Council Trading Standards" || p.DeemedServiceDays["post"] != 2 || p.DeemedServiceDays["hand"] != 0 {
		t.Fatalf("default profile: %+v", p)
	}

	before := auditCount(t, env)
	kentAdmin.Put(path, kentProfile(t)).Expect(200).JSON(&p)
	if p.Version != 1 || p.Payment == nil || p.Payment.SortCode != "30-96-34" || len(p.LogoPNG) == 0 || p.DeemedServiceDays["post"] != 3 {
		t.Fatalf("saved profile: %+v", p)
	}
	if auditCount(t, env) != before+1 {
		t.Fatal("the profile change is not audited")
	}
	var got profileView
	off.Get(path).Expect(200).JSON(&got)
	if got.Phone != "03000 41 22 33" || len(got.Address) != 3 || got.Email != "trading.standards@kent.example.gov.uk" {
		t.Fatalf("read back: %+v", got)
	}

	// Who may: not officers, not another authority's admin for KENT-TS, but
	// a national (OPSS) admin may; nobody outside reads another's profile.
	off.Put(path, kentProfile(t)).Expect(403)
	env.As(supervisor, "KENT-TS").Put(path, kentProfile(t)).Expect(403)
	kentAdmin.Put("/api/v1/authorities/OPSS/profile", kentProfile(t)).Expect(404)
	off.Get("/api/v1/authorities/OPSS/profile").Expect(404)
	env.As(admin, "OPSS").Put(path, kentProfile(t)).Expect(200).JSON(&p)
	if p.Version != 2 {
		t.Fatalf("version after the national admin's change: %d", p.Version)
	}
	opss := kentProfile(t)
	opss["full_name"] = "Office for Product Safety and Standards"
	opss["on_behalf_of_secretary_of_state"] = true
	env.As(admin, "OPSS").Put("/api/v1/authorities/OPSS/profile", opss).Expect(200).JSON(&p)
	if !p.OnBehalfOfSecretaryOfState {
		t.Fatal("OPSS cannot say it acts for the Secretary of State")
	}

	// Bad input names the field and changes nothing.
	for field, mutate := range map[string]func(m map[string]any){
		"logo_png":                        func(m map[string]any) { m["logo_png"] = []byte("GIF89a not a png") },
		"payment.sort_code":               func(m map[string]any) { m["payment"].(map[string]any)["sort_code"] = "12-34" },
		"payment.account_number":          func(m map[string]any) { m["payment"].(map[string]any)["account_number"] = "1234" },
		"email":                           func(m map[string]any) { m["email"] = "not an address" },
		"website":                         func(m map[string]any) { m["website"] = "javascript:alert(1)" },
		"on_behalf_of_secretary_of_state": func(m map[string]any) { m["on_behalf_of_secretary_of_state"] = true },
		"deemed_service_days.pigeon":      func(m map[string]any) { m["deemed_service_days"] = map[string]int{"pigeon": 1} },
		"deemed_service_days.post":        func(m map[string]any) { m["deemed_service_days"] = map[string]int{"post": 40} },
		"address":                         func(m map[string]any) { m["address"] = []string{} },
	} {
		body := kentProfile(t)
		mutate(body)
		res := kentAdmin.Put(path, body)
		if res.Status != 422 || !res.Problem().HasField(field) {
			t.Errorf("%s: %d %s", field, res.Status, res.Body)
		}
	}
	off.Get(path).Expect(200).JSON(&got)
	if got.Version != 2 {
		t.Fatalf("a refused change moved the profile to version %d", got.Version)
	}
}

// The issued notice is a letter the recipient can act on: the authority's
// letterhead, the officer's contact details, the bank account and reference
// for a penalty, and the absolute address where it can be checked.
func TestIssuedNoticesCarryTheAuthorityProfile(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	env := wiringtest.New(t, func(c *wiring.Config) { c.PublicBaseURL = "https://tradewarden.kent.example.gov.uk/" })
	env.As(admin, "KENT-TS").Put("/api/v1/authorities/KENT-TS/profile", kentProfile(t)).Expect(200)
	s := setupNoticeCase(t, env)
	giveIntents(t, env, &s, "penalty_intent")

	body := draftBody(s, "penalty")
	body["comply_by"] = time.Now().AddDate(0, 0, 40).Format(time.DateOnly)
	body["penalty"] = map[string]any{"qualifying_worldwide_revenue_pence": 400_000_000_00, "revenue_period": "year to 31 March 2026",
		"amount_pence": 250_000_00}
	n := issueNotice(t, env, s.caseID, body)
	pdf := env.As(officer, "KENT-TS").Get("/api/v1/notices/" + n.ID + "/pdf").Expect(200).Body
	text := strings.Join(strings.Fields(pdftext.Extract(t, pdf)), " ")
	for _, want := range []string{
		"Kent County Council Trading Standards Service", "Invicta House", "Maidstone ME14 1XX", "Telephone 03000 41 22 33",
		"Email trading.standards@kent.example.gov.uk", "Web https://www.kent.example.gov.uk/trading-standards",
		"Email: supervisor@kent-ts.test", // the issuing officer's own address in the signature block
		"Lloyds Bank plc", "Sort code 30-96-34", "Account number 12345678", "Payment reference " + n.Reference,
		"genuine at https://tradewarden.kent.example.gov.uk/verify with the reference",
		"if given by first class post, on the 3rd business day after it is sent",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("issued penalty notice lacks %q", want)
		}
	}
	// Every page's footer carries the absolute address.
	for i, page := range pdftext.Pages(t, pdf) {
		if !strings.Contains(page, "https://tradewarden.kent.example.gov.uk/verify") {
			t.Errorf("page %d lacks the absolute verification URL", i+1)
		}
	}
	if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Error("the authority's logo is not on the notice")
	}
	if strings.Contains(text, "on behalf of the Secretary of State") {
		t.Error("a Trading Standards notice claims to act for the Secretary of State")
	}

	// A compliance notice carries no bank details.
	c := issueNotice(t, env, s.caseID, draftBody(s, "compliance"))
	pdf = env.As(officer, "KENT-TS").Get("/api/v1/notices/" + c.ID + "/pdf").Expect(200).Body
	if text := strings.Join(strings.Fields(pdftext.Extract(t, pdf)), " "); strings.Contains(text, "Sort code") ||
		!strings.Contains(text, "Invicta House") {
		t.Error("the compliance notice's letterhead or payment section is wrong")
	}
}
