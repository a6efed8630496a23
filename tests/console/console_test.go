package console_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

func camera(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../pkg/scan/nmap/testdata/camera.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSignInIsRequiredAndFormsNeedTheirToken: pages send strangers to sign
// in, a wrong password reads like an unknown email, and a form posted
// without its CSRF token (a forged cross-site post) changes nothing.
func TestSignInIsRequiredAndFormsNeedTheirToken(t *testing.T) {
	env := wiringtest.New(t)
	b := newBrowser(t, env)
	p := b.get("/cases")
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/sign-in?next=") {
		t.Fatalf("anonymous /cases: %d %q", p.Status, p.Location)
	}
	b.get("/sign-in")
	wrong := b.post("/sign-in", url.Values{"email": {wiringtest.Email(principal.Officer, "KENT-TS")}, "password": {"nope"}})
	unknown := b.post("/sign-in", url.Values{"email": {"nobody@kent-ts.test"}, "password": {"nope"}})
	if wrong.Status != unknown.Status || wrong.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password %d, unknown email %d", wrong.Status, unknown.Status)
	}
	mustContain(t, wrong, "There is a problem", "Enter a correct email address and password", `href="#email"`)
	// A sign-in post without the form's token is refused.
	forged := b.post("/sign-in", url.Values{"csrf_token": {"0000"}, "email": {wiringtest.Email(principal.Officer, "KENT-TS")},
		"password": {wiringtest.Password}})
	if forged.Status != http.StatusForbidden {
		t.Fatalf("forged sign-in: %d", forged.Status)
	}
	home := b.signIn(wiringtest.Email(principal.Officer, "KENT-TS"))
	mustContain(t, home, "My work", "KENT-TS", "Cases assigned to you")
	if cc := home.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	if csp := home.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	// A signed-in form without the token (or from another origin) is refused and opens nothing.
	if p := b.post("/cases/new", url.Values{"csrf_token": {"bad"}, "title": {"Forged"}, "origin": {"complaint"}}); p.Status != http.StatusForbidden {
		t.Fatalf("forged case: %d", p.Status)
	}
	req, _ := http.NewRequest(http.MethodPost, "/cases/new", strings.NewReader(url.Values{"csrf_token": {b.csrf},
		"title": {"Cross-site"}, "origin": {"complaint"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if p := b.do(req); p.Status != http.StatusForbidden {
		t.Fatalf("cross-origin post: %d", p.Status)
	}
	list := b.get("/cases")
	mustNotContain(t, list, "Forged", "Cross-site")
	// Sign-out is a POST and ends the API session too.
	token := b.cookies["tw_session"]
	b.follow(b.post("/sign-out", nil))
	env.WithToken(token).Get("/api/v1/me").Expect(http.StatusUnauthorized)
	if p := b.get("/"); p.Status != http.StatusSeeOther {
		t.Fatalf("after sign-out: %d", p.Status)
	}
}

// TestCaseToIssuedNotice is the officer's and supervisor's core journey
// without JavaScript: open a case, add the business, upload the camera scan,
// record a verdict, draft a notice; another person approves and issues it.
func TestCaseToIssuedNotice(t *testing.T) {
	env := wiringtest.New(t)
	off := newBrowser(t, env)
	off.signIn(wiringtest.Email(principal.Officer, "KENT-TS"))
	off.get("/cases/new")
	bad := off.post("/cases/new", url.Values{"title": {""}, "origin": {""}})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty case form: %d", bad.Status)
	}
	mustContain(t, bad, "<title>Error: ", "Enter a case title", `href="#title"`, "Select how the case came to you")
	created := off.post("/cases/new", url.Values{"title": {"Acme SmartCam 2: default password"}, "origin": {"complaint"},
		"risk_level": {"high"}, "summary": {"Camera sold with admin/12345."}})
	if created.Status != http.StatusSeeOther {
		t.Fatalf("create case: %d %s", created.Status, created.Body)
	}
	caseID := idIn(t, created.Location)
	summary := off.follow(created)
	mustContain(t, summary, "Acme SmartCam 2: default password", "KENT-TS-", "Complaint", "High risk", "opened")
	mustNotContain(t, summary, "complaint<", "proactive_surveillance")

	added := off.post("/cases/"+caseID+"/parties", url.Values{"operator_name": {"Acme Devices Ltd"}, "role": {"manufacturer"}})
	mustContain(t, off.follow(added), "Acme Devices Ltd", "Manufacturer")

	off.get("/cases/" + caseID + "/evidence")
	up := off.upload("/cases/"+caseID+"/evidence", map[string]string{"description": "nmap scan of the camera",
		"collected-day": "1", "collected-month": "12", "collected-year": "2026", "collected_by": "KENT-TS officer"},
		"camera.xml", camera(t))
	if up.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	mustContain(t, up, "EX-001 added", "findings found", "SHA-256")
	findings := off.get("/cases/" + caseID + "/findings")
	mustContain(t, findings, "192.168.50.12", "Hikvision")

	off.get("/cases/" + caseID + "/assessment")
	v := off.post("/cases/"+caseID+"/assessment/PSTI-1", url.Values{"verdict": {"fail"},
		"rationale": {"The camera accepts the factory login admin/12345."}})
	mustContain(t, off.follow(v), "PSTI-1: verdict recorded")

	off.get("/cases/" + caseID + "/notices/new")
	draft := off.get("/cases/" + caseID + "/notices/new")
	mustContain(t, draft, "Acme Devices Ltd (Manufacturer)", "PSTI-1")
	opID := between(draft.Body, `name="operator_id" type="radio" value="`, `"`)
	drafted := off.post("/cases/"+caseID+"/notices/new", url.Values{"type": {"intent"}, "operator_id": {opID},
		"requirement_ids": {"PSTI-1"}, "steps": {"Remove the universal default password\nTell us how"},
		"reasons":       {"Exhibit EX-001 shows a universal default password."},
		"comply_by-day": {"1"}, "comply_by-month": {"6"}, "comply_by-year": {"2027"}})
	if drafted.Status != http.StatusSeeOther {
		t.Fatalf("draft: %d %s", drafted.Status, drafted.Body)
	}
	noticeID := idIn(t, drafted.Location)
	np := off.follow(drafted)
	mustContain(t, np, "drafted", "Draft", "Remove the universal default password")
	mustContain(t, off.follow(off.post("/notices/"+noticeID+"/submit", nil)), "Notice sent for approval", "Waiting for approval")
	// The officer cannot approve: no button, and the API refuses a crafted post.
	mustNotContain(t, off.get("/notices/"+noticeID), `data-test="approve"`)
	mustContain(t, off.follow(off.post("/notices/"+noticeID+"/approve", nil)), "Not done")

	sup := newBrowser(t, env)
	work := sup.signIn(wiringtest.Email(principal.Supervisor, "KENT-TS"))
	mustContain(t, work, "Notices waiting for your approval (1)")
	sup.get("/notices/" + noticeID)
	mustContain(t, sup.follow(sup.post("/notices/"+noticeID+"/approve", nil)), "Notice approved")
	issued := sup.follow(sup.post("/notices/"+noticeID+"/issue", nil))
	mustContain(t, issued, "Notice issued as KENT-TS-", "Download the notice (PDF)")
	pdf := sup.get("/notices/" + noticeID + "/pdf")
	if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d %q", pdf.Status, pdf.Header.Get("Content-Type"))
	}
	served := sup.follow(sup.post("/notices/"+noticeID+"/serve", url.Values{"method": {"email"}, "served_to": {"compliance@acme.example"}}))
	mustContain(t, served, "Service recorded", "Served")
	tl := sup.get("/cases/" + caseID + "/timeline")
	mustContain(t, tl, "Case opened", "Exhibit added", "Notice approved", "Notice issued", "Notice served", "by KENT-TS supervisor")
}

// TestOtherAuthoritiesRecordsLookAbsent: a case of another authority is
// a not-found page, as the API's 404, with nothing of it shown.
func TestOtherAuthoritiesRecordsLookAbsent(t *testing.T) {
	env := wiringtest.New(t)
	var cs struct{ ID string }
	env.As(principal.Officer, "OPSS").Post("/api/v1/cases", map[string]any{"title": "OPSS secret case",
		"origin": "complaint"}).Expect(http.StatusCreated).JSON(&cs)
	b := newBrowser(t, env)
	b.signIn(wiringtest.Email(principal.Officer, "KENT-TS"))
	for _, path := range []string{"/cases/" + cs.ID, "/cases/" + cs.ID + "/evidence", "/cases/" + cs.ID + "/timeline",
		"/cases/../../api/v1/me", "/notices/" + cs.ID} {
		p := b.get(path)
		if p.Status != http.StatusNotFound {
			t.Fatalf("%s: %d", path, p.Status)
		}
		mustNotContain(t, p, "OPSS secret case")
	}
	// An analyst has no case pages in the navigation and the API refuses them.
	an := newBrowser(t, env)
	home := an.signIn(wiringtest.Email(principal.Analyst, "KENT-TS"))
	mustNotContain(t, home, `href="/cases"`)
	mustContain(t, an.get("/reports"), "Cases opened each month", "<svg")
	if p := an.get("/cases/new"); p.Status != http.StatusOK {
		// the form renders; posting it is refused by the API
		t.Logf("analyst /cases/new: %d", p.Status)
	}
	if p := an.post("/cases/new", url.Values{"title": {"x"}, "origin": {"complaint"}}); p.Status != http.StatusForbidden {
		t.Fatalf("analyst creates case: %d", p.Status)
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}

// TestPeopleDirectoryShowsNamesNotAccounts: the names behind ids are
// readable by case workers of the same authority only, without emails.
func TestPeopleDirectoryShowsNamesNotAccounts(t *testing.T) {
	env := wiringtest.New(t)
	r := env.As(principal.Officer, "KENT-TS").Get("/api/v1/people").Expect(http.StatusOK)
	if strings.Contains(r.String(), "@") || strings.Contains(r.String(), "OPSS") {
		t.Fatalf("people directory leaks emails or another authority: %s", r.String())
	}
	if !strings.Contains(r.String(), `"KENT-TS supervisor"`) {
		t.Fatalf("people directory lacks a colleague: %s", r.String())
	}
}

// TestAdminInvitesAndTheInviteeAccepts: an admin invites a new person with a
// code; they sign in with it, must change their password first, then accept
// the invitation and act for the authority. Exhibits can be checked and
// their custody recorded from the console.
func TestAdminInvitesAndTheInviteeAccepts(t *testing.T) {
	env := wiringtest.New(t)
	adm := newBrowser(t, env)
	adm.signIn(wiringtest.Email(principal.Admin, "KENT-TS"))
	adm.get("/admin/users")
	bad := adm.post("/admin/users", url.Values{"name": {"Ada Officer"}, "email": {"ada@kent-ts.test"}})
	mustContain(t, bad, "Select at least one role", "Enter an invitation code")
	const code = "correct horse battery staple 42"
	ok := adm.post("/admin/users", url.Values{"name": {"Ada Officer"}, "email": {"ada@kent-ts.test"}, "roles": {"officer"},
		"code": {code}})
	mustContain(t, adm.follow(ok), "Invitation sent to ada@kent-ts.test", "Ada Officer")

	ada := newBrowser(t, env)
	ada.get("/sign-in")
	p := ada.post("/sign-in", url.Values{"email": {"ada@kent-ts.test"}, "password": {code}, "next": {"/"}})
	p = ada.follow(p)
	mustContain(t, p, "Change your password", "You must choose a new password")
	p = ada.post("/account/password", url.Values{"current_password": {code}, "new_password": {"a much longer passphrase for ada 7"}})
	ada.follow(p)
	inv := ada.get("/invitations")
	mustContain(t, inv, "Kent County Council Trading Standards", "Officer")
	id := between(inv.Body, `action="/invitations/`, `/accept"`)
	mustContain(t, ada.follow(ada.post("/invitations/"+id+"/accept", url.Values{"code": {code}})), "Invitation accepted")
	mustContain(t, ada.get("/"), "Cases assigned to you", "KENT-TS")

	// Exhibit integrity and custody.
	var cs struct{ ID string }
	off := env.As(principal.Officer, "KENT-TS")
	off.Post("/api/v1/cases", map[string]any{"title": "Exhibit case", "origin": "complaint"}).Expect(http.StatusCreated).JSON(&cs)
	var ex struct{ ID string }
	off.Upload("/api/v1/cases/"+cs.ID+"/evidence", map[string]string{"description": "camera scan", "collected_by": "me",
		"collected_at": "2026-01-02T10:00:00Z"}, "camera.xml", "application/xml", camera(t)).Expect(http.StatusCreated).JSON(&ex)
	b := newBrowser(t, env)
	b.signIn(wiringtest.Email(principal.Officer, "KENT-TS"))
	b.get("/evidence/" + ex.ID)
	mustContain(t, b.post("/evidence/"+ex.ID+"/verify", nil), "Verified")
	mustContain(t, b.get("/evidence/"+ex.ID+"/content"), "<nmaprun")
	rec := b.follow(b.post("/evidence/"+ex.ID+"/custody", url.Values{"action": {"transferred"}, "from": {"KENT-TS officer"},
		"to": {"Evidence store"}, "location": {"Maidstone"}}))
	mustContain(t, rec, "Custody recorded: Transferred", "Evidence store", "Maidstone")
	mustContain(t, rec, "Viewed") // the download above is in the log
}

// TestReferralBetweenAuthorities: KENT's supervisor refers a case to OPSS;
// OPSS's supervisor sees the referral, accepts it, and then works the case.
func TestReferralBetweenAuthorities(t *testing.T) {
	env := wiringtest.New(t)
	var cs struct{ ID string }
	env.As(principal.Officer, "KENT-TS").Post("/api/v1/cases", map[string]any{"title": "Imported camera, national supplier",
		"origin": "complaint", "complainant": map[string]any{"name": "Jo Complainant", "email": "jo@example.com"}}).
		Expect(http.StatusCreated).JSON(&cs)
	kent := newBrowser(t, env)
	kent.signIn(wiringtest.Email(principal.Supervisor, "KENT-TS"))
	kent.get("/cases/" + cs.ID)
	bad := kent.post("/cases/"+cs.ID+"/referrals", url.Values{"to_authority": {""}, "reason": {""}})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty referral: %d", bad.Status)
	}
	mustContain(t, kent.follow(kent.post("/cases/"+cs.ID+"/referrals", url.Values{"to_authority": {"OPSS"},
		"reason": {"The importer is national"}, "access_level": {"read_only"}})), "Case referred to OPSS", "Waiting for a decision")
	opss := newBrowser(t, env)
	opss.signIn(wiringtest.Email(principal.Supervisor, "OPSS"))
	pending := opss.get("/cases/" + cs.ID)
	mustContain(t, pending, "has referred this case to you", "Accept the referral")
	mustNotContain(t, pending, "Jo Complainant", "jo@example.com")
	mustContain(t, opss.follow(opss.post("/cases/"+cs.ID+"/referrals/accept", nil)), "Referral accepted", "Accepted")
}
