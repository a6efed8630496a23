package component_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

type noticeView struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	Reference        string `json:"reference"`
	SHA256           string `json:"sha256"`
	VerificationCode string `json:"verification_code"`
	ExhibitID        string `json:"exhibit_id"`
	ComplyBy         string `json:"comply_by"`
	AppealBy         string `json:"appeal_by"`
	Overdue          bool   `json:"overdue"`
	Version          int    `json:"version"`
	Penalty          *struct {
		CapPence int64 `json:"cap_pence"`
	} `json:"penalty"`
}

// noticeSetup is a case ready for enforcement: a product, a manufacturer
// party, two exhibits, and fail verdicts on PSTI-1 and 5.1-1 citing them.
type noticeSetup struct {
	caseID, caseRef, operatorID, productID string
	exhibits                               []exhibitView
	// intents were given (issued and served) 40 days before the setup
	// returned: a notice of intent to give a compliance notice and one to
	// impose a penalty, for the operator, the product and both breaches.
	intents []noticeView
}

// setupNoticeCase is setupBareNoticeCase with the notices of intent the
// statutory sequence needs already given, so compliance and penalty notices
// drafted now may be issued.
func setupNoticeCase(t *testing.T, env *wiringtest.Env) noticeSetup {
	t.Helper()
	s := setupBareNoticeCase(t, env)
	giveIntents(t, env, &s, "intent")
	return s
}

// giveIntents gives (see giveIntent) a notice of intent of each type for
// the setup's operator, product and breaches.
func giveIntents(t *testing.T, env *wiringtest.Env, s *noticeSetup, types ...string) {
	t.Helper()
	for _, typ := range types {
		b := draftBody(*s, typ)
		if typ == "penalty_intent" {
			b["penalty"] = map[string]any{"qualifying_worldwide_revenue_pence": int64(100_000_000) * 100, "revenue_period": "FY2025",
				"amount_pence": int64(500_000) * 100}
		}
		s.intents = append(s.intents, giveIntent(t, env, s.caseID, b))
	}
}

// giveIntent drafts the notice of intent in body on a KENT-TS case, has it
// approved, issued and served 40 days ago with 28 days for representations
// — long over now — and returns it. The clock goes back and returns, so
// tokens minted before stay valid.
func giveIntent(t *testing.T, env *wiringtest.Env, caseID string, body map[string]any) noticeView {
	t.Helper()
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	const back = 40 * 24 * time.Hour
	env.Clock.Advance(-back)
	defer env.Clock.Advance(back)
	b := map[string]any{}
	for k, v := range body {
		b[k] = v
	}
	if b["type"] != "penalty_intent" {
		b["type"] = "intent"
	}
	b["comply_by"] = env.Clock.Now().AddDate(0, 0, 28).Format(time.DateOnly)
	var n noticeView
	off.Post("/api/v1/cases/"+caseID+"/notices", b).Expect(201).JSON(&n)
	off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/issue", nil).Expect(200).JSON(&n)
	sup.Post("/api/v1/notices/"+n.ID+"/serve", map[string]any{"method": "hand", "served_at": env.Clock.Now().UTC(),
		"served_to": "Company secretary"}).Expect(200).JSON(&n)
	return n
}

// setupBareNoticeCase is a case with a product, a manufacturer party, two
// exhibits and fail verdicts on PSTI-1 and 5.1-1, and no notices.
func setupBareNoticeCase(t *testing.T, env *wiringtest.Env) noticeSetup {
	t.Helper()
	off := env.As(officer, "KENT-TS")
	var s noticeSetup
	s.productID = newProduct(t, off, "Brightwave", "BW-Cam 2 (UK)", "5012345678900")
	var op struct{ ID string }
	off.Post("/api/v1/operators", map[string]any{"name": "Brightwave Devices Ltd", "company_number": "09876543",
		"address": "Unit 4, Łódź Business Park, Crawley RH10 9AA", "country": "GB"}).Expect(201).JSON(&op)
	s.operatorID = op.ID
	cv := newCase(t, off, s.productID)
	s.caseID, s.caseRef = cv.ID, cv.Reference
	off.Post("/api/v1/cases/"+cv.ID+"/parties", map[string]string{"operator_id": op.ID, "role": "manufacturer", "product_id": s.productID}).Expect(201)
	s.exhibits = append(s.exhibits,
		upload(t, off, cv.ID, "camera.xml", "application/xml", fixture(t, "nmap/testdata/camera.xml"), 201),
		upload(t, off, cv.ID, "login-photos.txt", "text/plain", []byte("Photos: admin/12345 accepted on unit 1 and unit 2 after reset"), 201))
	for _, rid := range []string{"PSTI-1", "5.1-1"} {
		off.Put("/api/v1/cases/"+cv.ID+"/assessment/"+rid, map[string]any{"verdict": "fail",
			"rationale":    "Universal default password admin/12345 accepted on two units after factory reset",
			"evidence_ids": []string{s.exhibits[0].ID, s.exhibits[1].ID}}).Expect(200)
	}
	return s
}

func draftBody(s noticeSetup, typ string) map[string]any {
	return map[string]any{"type": typ, "operator_id": s.operatorID, "product_ids": []string{s.productID},
		"requirement_ids": []string{"PSTI-1", "5.1-1"}, "evidence_ids": []string{s.exhibits[0].ID, s.exhibits[1].ID},
		"steps": []string{"Ensure every unit ships with a unique password or requires the user to set one.",
			"Push a firmware update to units already sold that forces a password change on first use."},
		"reasons":   "Test purchases showed a universal default password (Sch 1 para 1).",
		"comply_by": time.Now().AddDate(0, 0, 30).Format(time.DateOnly)}
}

func TestNoticeDraftApproveIssueVerify(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	s := setupNoticeCase(t, env)

	var n noticeView
	off.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "compliance")).Expect(201).JSON(&n)
	if n.Status != "draft" || n.Reference != "" {
		t.Fatalf("draft: %+v", n)
	}
	path := "/api/v1/notices/" + n.ID
	preview := off.Get(path + "/preview.pdf").Expect(200)
	if !bytes.HasPrefix(preview.Body, []byte("%PDF-")) || !strings.Contains(pdftext.Extract(t, preview.Body), "DRAFT") {
		t.Fatal("preview is not a DRAFT PDF")
	}
	// Drafts are editable with If-Match; issue before approval is refused.
	body := draftBody(s, "compliance")
	body["reasons"] = "Test purchases at Argos and on Amazon showed a universal default password (Sch 1 para 1)."
	off.Patch(path, body).Expect(428)
	off.Header("If-Match", `"1"`).Patch(path, body).Expect(200).JSON(&n)
	sup.Post(path+"/issue", nil).Expect(409)
	off.Post(path+"/submit", nil).Expect(200).JSON(&n)
	off.Header("If-Match", fmt.Sprintf(`"%d"`, n.Version)).Patch(path, body).Expect(409)
	off.Post(path+"/approve", nil).Expect(403) // officers cannot approve at all

	sup.Post(path+"/approve", nil).Expect(200).JSON(&n)
	if n.Status != "approved" {
		t.Fatalf("approved: %+v", n)
	}
	sup.Post(path+"/issue", nil).Expect(200).JSON(&n)
	year := time.Now().Year()
	if n.Status != "issued" || n.Reference != fmt.Sprintf("KENT-TS-CN-%d-0001", year) || len(n.VerificationCode) != 16 || n.ExhibitID == "" {
		t.Fatalf("issued: %+v", n)
	}
	sup.Post(path+"/issue", nil).Expect(409)
	off.Header("If-Match", fmt.Sprintf(`"%d"`, n.Version)).Patch(path, body).Expect(409)

	// The issued PDF: always the same bytes, kept as an exhibit, carrying every particular.
	pdf1 := off.Get(path + "/pdf").Expect(200).Body
	pdf2 := off.Get(path + "/pdf").Expect(200).Body
	if !bytes.Equal(pdf1, pdf2) {
		t.Fatal("the issued PDF changed between downloads")
	}
	if ex := off.Get("/api/v1/evidence/" + n.ExhibitID + "/content").Expect(200).Body; !bytes.Equal(ex, pdf1) {
		t.Fatal("the notice exhibit differs from the issued PDF")
	}
	text := pdftext.Extract(t, pdf1)
	pages := pdftext.Pages(t, pdf1)
	for _, want := range []string{"Compliance notice", "section 28", "Brightwave Devices Ltd", "manufacturer", "BW-Cam 2 (UK)",
		"Schedule 1, paragraph", "namely as manufacturer, section 8 of the Act (Duty to comply with security requirements)", "5.1-1",
		"notice of intent and representations", s.intents[0].Reference, s.exhibits[0].ExhibitRef, s.exhibits[0].SHA256[:16], s.exhibits[1].ExhibitRef,
		"unique password", "section 32", "First-tier Tribunal", "28 days", "Kent County Council Trading Standards",
		"KENT-TS supervisor", n.Reference, s.caseRef} {
		if !strings.Contains(strings.ToLower(strings.Join(strings.Fields(text), " ")), strings.ToLower(want)) {
			t.Errorf("issued notice text lacks %q", want)
		}
	}
	for i, p := range pages {
		if !strings.Contains(p, n.Reference) || !strings.Contains(p, n.VerificationCode) || !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, len(pages))) {
			t.Errorf("page %d lacks the reference, verification code or page x of y", i+1)
		}
	}

	// Anyone can verify: the code, and the exact bytes; a changed byte fails.
	anon := env.Anonymous()
	var v struct {
		Genuine   bool   `json:"genuine"`
		Type      string `json:"type"`
		Authority string `json:"issuing_authority"`
		Recipient string `json:"recipient"`
	}
	anon.Get("/api/v1/notices/verify?reference=" + n.Reference + "&code=" + n.VerificationCode).Expect(200).JSON(&v)
	if !v.Genuine || v.Type != "compliance" || v.Recipient != "Brightwave Devices Ltd" || v.Authority == "" {
		t.Fatalf("verify by code: %+v", v)
	}
	anon.Get("/api/v1/notices/verify?reference=" + n.Reference + "&code=0000000000000000").Expect(200).JSON(&v)
	if v.Genuine {
		t.Fatal("a wrong code verified")
	}
	postPDF := func(b []byte) bool {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/notices/verify?reference="+n.Reference, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/pdf")
		r := env.Send(req).Expect(200)
		var out struct{ Genuine bool }
		r.JSON(&out)
		return out.Genuine
	}
	if !postPDF(pdf1) {
		t.Fatal("the downloaded bytes do not verify")
	}
	changed := append([]byte{}, pdf1...)
	changed[len(changed)/2] ^= 0x01
	if postPDF(changed) {
		t.Fatal("a one-byte change verified")
	}

	// Service starts the clocks.
	sup.Post(path+"/serve", map[string]any{"method": "recorded_delivery", "served_at": time.Now().Add(time.Hour).UTC(), "served_to": "x"}).Expect(422)
	sup.Post(path+"/serve", map[string]any{"method": "recorded_delivery", "served_at": time.Now().UTC(), "served_to": "Company secretary"}).Expect(200).JSON(&n)
	if n.Status != "served" || n.AppealBy == "" || n.ComplyBy == "" {
		t.Fatalf("served: %+v", n)
	}
	sup.Post(path+"/outcome", map[string]string{"outcome": "upheld"}).Expect(409)
	sup.Post(path+"/outcome", map[string]string{"outcome": "complied", "note": "firmware 2.1 forces password change"}).Expect(200)

	// Every step is on the case timeline.
	var tl struct{ Items []struct{ Action string } }
	off.Get("/api/v1/cases/" + s.caseID + "/timeline").Expect(200).JSON(&tl)
	var acts []string
	for _, it := range tl.Items {
		if strings.HasPrefix(it.Action, "notice.") || it.Action == "evidence.generated" {
			acts = append(acts, it.Action)
		}
	}
	// The notice of intent given before it comes first; each service makes
	// a certificate of service (the evidence.generated after each issue's).
	want := "notice.draft,notice.submit,notice.approve,evidence.generated,notice.issue,evidence.generated,notice.serve," +
		"notice.draft,notice.update,notice.submit,notice.approve,evidence.generated,notice.issue,evidence.generated,notice.serve,notice.outcome"
	if strings.Join(acts, ",") != want {
		t.Fatalf("timeline notice steps:\n got %v\nwant %s", acts, want)
	}
	// Other authorities cannot see it.
	env.As(supervisor, "OPSS").Get(path).Expect(404)
	env.As(supervisor, "OPSS").Get(path + "/pdf").Expect(404)
}

func TestNoticeFourEyesAndBadInput(t *testing.T) {
	env := wiringtest.New(t)
	sup := env.As(supervisor, "KENT-TS")
	s := setupNoticeCase(t, env)
	base := "/api/v1/cases/" + s.caseID + "/notices"

	bad := func(mutate func(map[string]any), field string) {
		t.Helper()
		b := draftBody(s, "compliance")
		mutate(b)
		p := sup.Post(base, b).Expect(422).Problem()
		if field != "" && !p.HasField(field) {
			t.Fatalf("problem does not name %s: %+v", field, p)
		}
	}
	bad(func(b map[string]any) { b["type"] = "summons" }, "type")
	bad(func(b map[string]any) { b["requirement_ids"] = []string{"PSTI-2"} }, "requirement_ids[0]")
	bad(func(b map[string]any) { b["comply_by"] = "2020-01-01" }, "comply_by")
	bad(func(b map[string]any) {
		b["type"] = "intent"
		b["comply_by"] = time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	}, "comply_by")
	var other struct{ ID string }
	sup.Post("/api/v1/operators", map[string]any{"name": "Not A Party Ltd"}).Expect(201).JSON(&other)
	bad(func(b map[string]any) { b["operator_id"] = other.ID }, "operator_id")
	bad(func(b map[string]any) { b["evidence_ids"] = []string{"01a21939-0000-7000-8000-000000000000"} }, "evidence_ids[0]")
	// Penalty: over the cap, daily above £20,000, payment in under 28 days.
	pen := func(amount, daily int64, days int) map[string]any {
		b := draftBody(s, "penalty")
		b["comply_by"] = time.Now().AddDate(0, 0, days).Format(time.DateOnly)
		b["penalty"] = map[string]any{"qualifying_worldwide_revenue_pence": int64(400_000_000) * 100, "revenue_period": "FY2025",
			"amount_pence": amount, "daily_amount_pence": daily}
		return b
	}
	sup.Post(base, pen(16_000_001*100, 0, 30)).Expect(422).Problem()
	sup.Post(base, pen(1_000_000*100, 20_001*100, 30)).Expect(422)
	sup.Post(base, pen(1_000_000*100, 0, 27)).Expect(422)
	var pn noticeView
	sup.Post(base, pen(16_000_000*100, 20_000*100, 28)).Expect(201).JSON(&pn)
	if pn.Penalty == nil || pn.Penalty.CapPence != 16_000_000*100 {
		t.Fatalf("penalty cap: %+v", pn.Penalty)
	}

	// A supervisor who drafted a notice cannot approve it; the attempt is audited.
	var n noticeView
	sup.Post(base, draftBody(s, "compliance")).Expect(201).JSON(&n)
	sup.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	p := sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(403).Problem()
	if !strings.Contains(p.Detail, "four eyes") {
		t.Fatalf("self-approval problem: %+v", p)
	}
	var tl struct{ Items []struct{ Action string } }
	sup.Get("/api/v1/cases/" + s.caseID + "/timeline").Expect(200).JSON(&tl)
	refused := false
	for _, it := range tl.Items {
		refused = refused || it.Action == "notice.self_approval_refused"
	}
	if !refused {
		t.Fatal("the refused self-approval is not on the timeline")
	}
	// Another supervisor rejects with a reason; the author resubmits; the second approves.
	sup2 := env.Onboard(env.As(admin, "KENT-TS"), "second.sup@kent-ts.test", "Second Supervisor", "supervisor")
	sup2.Post("/api/v1/notices/"+n.ID+"/reject", map[string]string{}).Expect(422)
	sup2.Post("/api/v1/notices/"+n.ID+"/reject", map[string]string{"reason": "cite the s.9 statement too"}).Expect(200).JSON(&n)
	if n.Status != "draft" {
		t.Fatalf("rejected notice is %s", n.Status)
	}
	sup.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	sup2.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	sup2.Post("/api/v1/notices/"+n.ID+"/withdraw", map[string]string{"reason": "superseded by a stop notice"}).Expect(200)
	sup2.Post("/api/v1/notices/"+n.ID+"/issue", nil).Expect(409)
}

// 1,000 concurrent issue calls spread over 50 approved notices: each notice
// is issued exactly once, with one PDF exhibit, and the 50 references are
// numbered 1..50 without gaps or repeats.
func TestConcurrentIssueIsExactlyOnce(t *testing.T) {
	const notices, calls = 50, 1000
	var logs syncBuffer
	env := wiringtest.New(t, func(c *wiring.Config) {
		c.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError}))
	})
	defer func() {
		if t.Failed() {
			t.Logf("server errors:\n%s", logs.String())
		}
	}()
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	s := setupNoticeCase(t, env)
	ids := make([]string, notices)
	for i := range ids {
		var n noticeView
		off.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "compliance")).Expect(201).JSON(&n)
		off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
		sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200).JSON(&n)
		if n.Status != "approved" {
			t.Fatalf("notice %d is %s", i, n.Status)
		}
		ids[i] = n.ID
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := map[string]int{}, 0
	start := make(chan struct{})
	for i := 0; i < calls; i++ {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			<-start
			r := sup.Do(http.MethodPost, "/api/v1/notices/"+id+"/issue", nil)
			mu.Lock()
			defer mu.Unlock()
			switch r.Status {
			case 200:
				ok[id]++
			case 409:
				conflicts++
			default:
				t.Errorf("issue: %d %s", r.Status, r.Body)
			}
		}(ids[i%notices])
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if conflicts != calls-notices {
		t.Fatalf("%d calls were refused as already issued, want %d", conflicts, calls-notices)
	}
	var refs []string
	exhibitIDs := map[string]bool{}
	for _, id := range ids {
		if ok[id] != 1 {
			t.Fatalf("notice %s issued %d times", id, ok[id])
		}
		var n noticeView
		sup.Get("/api/v1/notices/" + id).Expect(200).JSON(&n)
		if n.Status != "issued" || n.ExhibitID == "" || n.SHA256 == "" {
			t.Fatalf("notice after the race: %+v", n)
		}
		refs = append(refs, n.Reference)
		exhibitIDs[n.ExhibitID] = true
	}
	sort.Strings(refs)
	for i, r := range refs {
		if want := fmt.Sprintf("KENT-TS-CN-%d-%04d", env.Clock.Now().Year(), i+1); r != want {
			t.Fatalf("reference %d is %q, want %q (references must be distinct and gap-free)", i, r, want)
		}
	}
	var ex struct{ Items []exhibitView }
	sup.Get("/api/v1/cases/" + s.caseID + "/evidence").Expect(200).JSON(&ex)
	if want := len(s.exhibits) + 2*len(s.intents) + notices; len(exhibitIDs) != notices || len(ex.Items) != want {
		t.Fatalf("%d distinct notice exhibits and %d exhibits on the case, want %d and %d", len(exhibitIDs), len(ex.Items),
			notices, want)
	}
	for _, e := range ex.Items {
		delete(exhibitIDs, e.ID)
	}
	if len(exhibitIDs) != 0 {
		t.Fatalf("notice exhibits missing from the case: %v", exhibitIDs)
	}
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestOverdueNotices(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	s := setupNoticeCase(t, env)
	var n noticeView
	body := draftBody(s, "compliance")
	body["comply_by"] = time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	off.Post("/api/v1/cases/"+s.caseID+"/notices", body).Expect(201).JSON(&n)
	off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/issue", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/serve", map[string]any{"method": "hand", "served_at": time.Now().UTC(), "served_to": "Director"}).Expect(200)
	var list struct{ Items []noticeView }
	sup.Get("/api/v1/notices?overdue=true").Expect(200).JSON(&list)
	if len(list.Items) != 0 {
		t.Fatal("a notice due tomorrow is listed as overdue")
	}
	env.Clock.Advance(72 * time.Hour)
	sup = env.Relogin(supervisor, "KENT-TS")
	sup.Get("/api/v1/notices?overdue=true").Expect(200).JSON(&list)
	if len(list.Items) != 1 || !list.Items[0].Overdue {
		t.Fatalf("overdue list after the deadline: %+v", list.Items)
	}
	sup.Get("/api/v1/notices/" + n.ID).Expect(200).JSON(&n)
	if !n.Overdue {
		t.Fatal("notice past its deadline is not flagged overdue")
	}
	sup.Post("/api/v1/notices/"+n.ID+"/outcome", map[string]string{"outcome": "complied"}).Expect(200)
	sup.Get("/api/v1/notices?overdue=true").Expect(200).JSON(&list)
	if len(list.Items) != 0 {
		t.Fatal("a complied notice is still overdue")
	}
}
