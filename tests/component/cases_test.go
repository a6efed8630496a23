package component_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// caseView is the subset of a case response the tests read.
type caseView struct {
	ID                 string         `json:"id"`
	Reference          string         `json:"reference"`
	Authority          string         `json:"authority"`
	Status             string         `json:"status"`
	Version            int            `json:"version"`
	AssigneeID         string         `json:"assignee_id"`
	ProductIDs         []string       `json:"product_ids"`
	AllowedTransitions []string       `json:"allowed_transitions"`
	Access             string         `json:"access"`
	ClosureReason      string         `json:"closure_reason"`
	ClosureRequested   bool           `json:"closure_requested"`
	AssessmentSummary  map[string]int `json:"assessment_summary"`
	Scope              struct {
		InScope bool `json:"in_scope"`
	} `json:"scope"`
}

func newProduct(t *testing.T, c *wiringtest.Client, brand, model, gtin string) string {
	t.Helper()
	body := map[string]any{"brand": brand, "model": model, "category": "smart_plug"}
	if gtin != "" {
		body["gtin"] = gtin
	}
	var p struct{ ID string }
	c.Post("/api/v1/products", body).Expect(201).JSON(&p)
	return p.ID
}

func newOperator(t *testing.T, c *wiringtest.Client, name string) string {
	t.Helper()
	var o struct{ ID string }
	c.Post("/api/v1/operators", map[string]any{"name": name, "country": "CN", "company_number": "91440300MA5"}).Expect(201).JSON(&o)
	return o.ID
}

func newCase(t *testing.T, c *wiringtest.Client, productIDs ...string) caseView {
	t.Helper()
	if productIDs == nil {
		productIDs = []string{}
	}
	var cv caseView
	c.Post("/api/v1/cases", map[string]any{"title": "Smart plug with default password", "summary": "Complaint via Citizens Advice",
		"origin": "complaint", "product_ids": productIDs, "risk_level": "high"}).Expect(201).JSON(&cv)
	return cv
}

func userID(t *testing.T, c *wiringtest.Client) string {
	t.Helper()
	var me struct{ ID string }
	c.Get("/api/v1/me").Expect(200).JSON(&me)
	return me.ID
}

func TestCaseFromIntakeToClosed(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	pid := newProduct(t, off, "TP-Link", "HS100", "5012345678900")
	oid := newOperator(t, off, "Shenzhen Example Technology Co., Ltd")

	cv := newCase(t, off, pid)
	if want := fmt.Sprintf("KENT-TS-%d-000001", env.Clock.Now().Year()); cv.Reference != want {
		t.Fatalf("reference %q", cv.Reference)
	}
	if cv.Status != "intake" || cv.Version != 1 || cv.Authority != "KENT-TS" || cv.AssigneeID != userID(t, off) {
		t.Fatalf("new case: %+v", cv)
	}
	path := "/api/v1/cases/" + cv.ID
	if et := off.Get(path).Expect(200).Header.Get("ETag"); et != `"1"` {
		t.Fatalf("ETag %q, want \"1\"", et)
	}

	// Optimistic concurrency on PATCH.
	scope := map[string]any{"scope": map[string]any{"connectable": true, "uk_consumer_product": true,
		"used_or_second_hand": false, "excepted": false}}
	off.Patch(path, scope).Expect(428).Problem()
	off.Header("If-Match", `"7"`).Patch(path, scope).Expect(412).Problem()
	off.Header("If-Match", `"1"`).Patch(path, scope).Expect(200).JSON(&cv)
	if cv.Version != 2 || !cv.Scope.InScope {
		t.Fatalf("after triage answers: %+v", cv)
	}

	move := func(c *wiringtest.Client, to, reason string, want int) caseView {
		t.Helper()
		var out caseView
		c.Post(path+"/transitions", map[string]string{"to": to, "reason": reason}).Expect(want).JSON(&out)
		return out
	}
	move(off, "triage", "", 200)
	p := off.Post(path+"/transitions", map[string]string{"to": "enforcement"}).Expect(409).Problem()
	if !strings.Contains(p.Detail, "investigating") {
		t.Fatalf("illegal transition should name the allowed ones: %+v", p)
	}
	move(off, "investigating", "", 200)

	// Parties.
	off.Post(path+"/parties", map[string]string{"operator_id": oid, "role": "manufacturer", "product_id": pid}).Expect(201)
	off.Post(path+"/parties", map[string]string{"operator_id": oid, "role": "manufacturer", "product_id": pid}).Expect(409)
	if !off.Post(path+"/parties", map[string]string{"operator_id": "01a21939-0000-7000-8000-000000000000", "role": "importer"}).Expect(422).Problem().HasField("operator_id") {
		t.Fatal("unknown operator not named")
	}
	off.Post(path+"/parties", map[string]string{"operator_id": oid, "role": "smuggler"}).Expect(422)

	// Assessment.
	off.Put(path+"/assessment/PSTI-1", map[string]string{"verdict": "fail"}).Expect(422).Problem()
	off.Put(path+"/assessment/PSTI-1", map[string]string{"verdict": "fail", "rationale": "admin/admin accepted on two units after reset"}).Expect(200)
	off.Put(path+"/assessment/5.1-1", map[string]string{"verdict": "fail", "rationale": "universal default password"}).Expect(200)
	off.Put(path+"/assessment/PSTI-3", map[string]string{"verdict": "not_applicable"}).Expect(422)
	off.Put(path+"/assessment/PSTI-2", map[string]string{"verdict": "pass", "rationale": "security.txt and VDP page found"}).Expect(200)
	if !off.Put(path+"/assessment/9.9-9", map[string]string{"verdict": "pass"}).Expect(422).Problem().HasField("requirement_id") {
		t.Fatal("unknown requirement not named")
	}
	var m struct {
		Items []struct {
			RequirementID string `json:"requirement_id"`
			Verdict       string `json:"verdict"`
		} `json:"items"`
		Counts map[string]int `json:"counts"`
	}
	off.Get(path + "/assessment").Expect(200).JSON(&m)
	got := map[string]string{}
	for _, it := range m.Items {
		got[it.RequirementID] = it.Verdict
	}
	want := map[string]string{"PSTI-1": "fail", "PSTI-2": "pass", "PSTI-3": "not_assessed", "PSTI-SOC": "not_assessed", "5.1-1": "fail"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("matrix %v, want %v", got, want)
	}
	if m.Counts["fail"] != 2 || m.Counts["pass"] != 1 || m.Counts["not_assessed"] != 2 {
		t.Fatalf("counts %v", m.Counts)
	}
	off.Get(path).Expect(200).JSON(&cv)
	if cv.AssessmentSummary["fail"] != 2 {
		t.Fatalf("case summary counts %v", cv.AssessmentSummary)
	}

	off.Post(path+"/notes", map[string]any{"body": "Test purchase made at Argos, receipt exhibit EX-001.", "shareable": true}).Expect(201)
	move(off, "decision", "", 200)
	move(off, "enforcement", "", 200)
	move(off, "monitoring", "", 200)

	// Officers request closure; supervisors close.
	off.Post(path+"/transitions", map[string]string{"to": "closed", "reason": "because"}).Expect(422)
	req := move(off, "closed", "compliance_achieved", 202)
	if !req.ClosureRequested || req.Status != "monitoring" {
		t.Fatalf("officer closing should record a request: %+v", req)
	}
	closed := move(sup, "closed", "", 200)
	if closed.Status != "closed" || closed.ClosureReason != "compliance_achieved" {
		t.Fatalf("supervisor close: %+v", closed)
	}
	off.Post(path+"/notes", map[string]any{"body": "post-closure"}).Expect(201)
	off.Put(path+"/assessment/PSTI-2", map[string]string{"verdict": "pass"}).Expect(409)

	// The timeline has every step, in order, with actors.
	var tl struct {
		Items []struct {
			Action string `json:"action"`
			Actor  string `json:"actor"`
		} `json:"items"`
	}
	off.Get(path + "/timeline").Expect(200).JSON(&tl)
	var actions []string
	for _, it := range tl.Items {
		actions = append(actions, it.Action)
		if it.Actor == "" {
			t.Fatalf("timeline entry without actor: %+v", it)
		}
	}
	wantActions := []string{"case.create", "case.update", "case.transition", "case.transition", "case.party_added",
		"case.assessment_set", "case.assessment_set", "case.assessment_set", "case.note_added", "case.transition",
		"case.transition", "case.transition", "case.closure_requested", "case.transition", "case.note_added"}
	if strings.Join(actions, ",") != strings.Join(wantActions, ",") {
		t.Fatalf("timeline:\n got %v\nwant %v", actions, wantActions)
	}
	if tl.Items[len(tl.Items)-2].Actor != wiringtest.Email(supervisor, "KENT-TS") {
		t.Fatalf("closure should be attributed to the supervisor: %+v", tl.Items[len(tl.Items)-2])
	}
}

func TestCaseAccessRules(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	sup := env.As(supervisor, "KENT-TS")
	adm := env.As(admin, "KENT-TS")
	cv := newCase(t, off)
	path := "/api/v1/cases/" + cv.ID

	// A second Kent officer may read but not edit someone else's case.
	other := env.Onboard(adm, "second@kent-ts.test", "Second Officer", "officer")
	other.Get(path).Expect(200)
	other.Header("If-Match", `"1"`).Patch(path, map[string]any{"title": "mine now"}).Expect(403).Problem()
	other.Post(path+"/notes", map[string]any{"body": "x"}).Expect(403)
	other.Post(path+"/transitions", map[string]any{"to": "triage"}).Expect(403)
	// Supervisors may edit any case of the authority, and reassign it.
	sup.Header("If-Match", `"1"`).Patch(path, map[string]any{"title": "Renamed by supervisor"}).Expect(200)
	sup.Post(path+"/assignment", map[string]string{"officer_id": userID(t, other)}).Expect(200)
	other.Post(path+"/notes", map[string]any{"body": "now mine"}).Expect(201)
	off.Post(path+"/notes", map[string]any{"body": "no longer mine"}).Expect(403)
	// Only officers can be assigned; officers cannot assign.
	sup.Post(path+"/assignment", map[string]string{"officer_id": userID(t, sup)}).Expect(422)
	off.Post(path+"/assignment", map[string]string{"officer_id": userID(t, off)}).Expect(403)

	// Analysts and admins read nothing case-level.
	env.As(analyst, "KENT-TS").Get(path).Expect(403)
	adm.Get(path).Expect(403)
	adm.Get("/api/v1/cases").Expect(403)

	// Another authority sees nothing: 404, not 403, and nothing in lists.
	for _, role := range []string{"officer", "supervisor"} {
		c := env.As(roleOf(role), "OPSS")
		c.Get(path).Expect(404).Problem()
		c.Header("If-Match", `"2"`).Patch(path, map[string]any{"title": "x"}).Expect(404)
		c.Post(path+"/notes", map[string]any{"body": "x"}).Expect(404)
		c.Get(path + "/timeline").Expect(404)
		c.Get(path + "/assessment").Expect(404)
		var list struct{ Items []caseView }
		c.Get("/api/v1/cases").Expect(200).JSON(&list)
		if len(list.Items) != 0 {
			t.Fatalf("OPSS %s lists Kent cases: %+v", role, list.Items)
		}
	}
	off.Get("/api/v1/cases/not-an-id").Expect(404)
}

func TestCrossAuthorityReferral(t *testing.T) {
	env := wiringtest.New(t)
	kentOff, kentSup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	opssOff, opssSup := env.As(officer, "OPSS"), env.As(supervisor, "OPSS")
	cv := newCase(t, kentOff)
	path := "/api/v1/cases/" + cv.ID

	kentOff.Post(path+"/referrals", map[string]string{"to_authority": "OPSS", "reason": "national importer"}).Expect(403)
	kentSup.Post(path+"/referrals", map[string]string{"to_authority": "NOWHERE", "reason": "x"}).Expect(422)
	kentSup.Post(path+"/referrals", map[string]string{"to_authority": "KENT-TS", "reason": "x"}).Expect(422)
	kentSup.Post(path+"/referrals", map[string]string{"to_authority": "OPSS", "reason": "Importer is national; PSTI enforcement sits with OPSS"}).Expect(201)
	kentSup.Post(path+"/referrals", map[string]string{"to_authority": "OPSS", "reason": "again"}).Expect(409)

	// Pending: OPSS supervisors see it read-only; OPSS officers not at all.
	var got caseView
	opssSup.Get(path).Expect(200).JSON(&got)
	if got.Access != "referred" {
		t.Fatalf("pending referral access %q", got.Access)
	}
	opssSup.Header("If-Match", `"2"`).Patch(path, map[string]any{"title": "x"}).Expect(403)
	opssOff.Get(path).Expect(404)
	var list struct{ Items []caseView }
	opssSup.Get("/api/v1/cases").Expect(200).JSON(&list)
	if len(list.Items) != 1 {
		t.Fatalf("OPSS supervisor should list the referred case, got %d", len(list.Items))
	}
	opssOff.Get("/api/v1/cases").Expect(200).JSON(&list)
	if len(list.Items) != 0 {
		t.Fatalf("OPSS officer lists a pending referral")
	}

	opssOff.Post(path+"/referrals/accept", nil).Expect(403) // casbin: officers cannot accept
	opssSup.Post(path+"/referrals/accept", nil).Expect(200).JSON(&got)
	opssSup.Post(path+"/referrals/accept", nil).Expect(409)
	if got.Access != "collaborator" || got.Authority != "KENT-TS" {
		t.Fatalf("accepted referral: %+v", got)
	}
	opssOff.Get(path).Expect(200)
	// Read-only until the owner says otherwise.
	opssSup.Post(path+"/notes", map[string]any{"body": "OPSS taking the importer angle"}).Expect(403)
	kentSup.Patch(path+"/referrals/OPSS", map[string]any{"access_level": "edit_evidence_and_notes"}).Expect(200)
	opssSup.Post(path+"/notes", map[string]any{"body": "OPSS taking the importer angle"}).Expect(201)
	// Other OPSS records are still invisible to Kent.
	opssCase := newCase(t, opssOff)
	kentSup.Get("/api/v1/cases/" + opssCase.ID).Expect(404)
}

func TestTriageOutOfScopeClosure(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	cv := newCase(t, off)
	path := "/api/v1/cases/" + cv.ID
	off.Post(path+"/transitions", map[string]string{"to": "triage"}).Expect(200)
	// Cannot investigate without in-scope answers, nor close as out of scope without an answer saying so.
	off.Post(path+"/transitions", map[string]string{"to": "investigating"}).Expect(409)
	sup.Post(path+"/transitions", map[string]string{"to": "closed", "reason": "out_of_scope"}).Expect(409)
	sup.Post(path+"/transitions", map[string]string{"to": "closed", "reason": "no_breach_found"}).Expect(422)
	off.Header("If-Match", `"2"`).Patch(path, map[string]any{"scope": map[string]any{"connectable": true,
		"uk_consumer_product": true, "used_or_second_hand": true, "notes": "Sold on eBay as used"}}).Expect(200)
	var cv2 caseView
	sup.Post(path+"/transitions", map[string]string{"to": "closed", "reason": "out_of_scope"}).Expect(200).JSON(&cv2)
	if cv2.Status != "closed" || cv2.ClosureReason != "out_of_scope" {
		t.Fatalf("closed: %+v", cv2)
	}
	off.Post(path+"/transitions", map[string]string{"to": "reopened", "reason": "new evidence"}).Expect(403)
	sup.Post(path+"/transitions", map[string]string{"to": "reopened"}).Expect(422)
	sup.Post(path+"/transitions", map[string]string{"to": "reopened", "reason": "seller found selling new stock"}).Expect(200)
	sup.Post(path+"/transitions", map[string]string{"to": "bogus"}).Expect(422)
}

func TestProductsAndOperators(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	if !off.Post("/api/v1/products", map[string]any{"brand": "Acme", "model": "Cam 1", "gtin": "5012345678901"}).Expect(422).Problem().HasField("gtin") {
		t.Fatal("bad GTIN not named")
	}
	off.Post("/api/v1/products", map[string]any{"model": "Cam 1"}).Expect(422)
	off.Post("/api/v1/products", map[string]any{"brand": "Acme", "model": "Cam 1", "excepted": true}).Expect(422)
	pid := newProduct(t, off, "Acme", "Cam 1", "5 012345 678900")
	off.Post("/api/v1/products", map[string]any{"brand": "Other", "model": "X", "gtin": "5012345678900"}).Expect(409)
	path := "/api/v1/products/" + pid
	var p struct {
		GTIN          string `json:"gtin"`
		Version       int    `json:"version"`
		SupportPeriod *struct {
			EndDate   string `json:"end_date"`
			Shortened bool   `json:"shortened"`
		} `json:"support_period"`
		History []struct {
			EndDate string `json:"end_date"`
		} `json:"support_period_history"`
		Shortened bool                   `json:"support_period_shortened"`
		SoC       struct{ Present bool } `json:"statement_of_compliance"`
	}
	off.Get(path).Expect(200).JSON(&p)
	if p.GTIN != "5012345678900" || p.SupportPeriod != nil {
		t.Fatalf("product: %+v", p)
	}
	off.Patch(path, map[string]any{"support_period": map[string]any{"end_date": "2028-12-31", "where": "product page",
		"url": "https://acme.example/support"}, "statement_of_compliance": map[string]any{"present": true,
		"standard": "ETSI EN 303 645", "version": "V2.1.1", "signatory": "Li Wei", "date": "2024-04-01"}}).Expect(200)
	off.Patch(path, map[string]any{"support_period": map[string]any{"end_date": "2027-06-30", "where": "listing"}}).Expect(200).JSON(&p)
	if !p.Shortened || !p.SupportPeriod.Shortened || len(p.History) != 2 || p.SupportPeriod.EndDate != "2027-06-30" || !p.SoC.Present {
		t.Fatalf("shortened support period not flagged: %+v", p)
	}
	off.Header("If-Match", `"1"`).Patch(path, map[string]any{"category": "camera"}).Expect(412)
	off.Patch(path, map[string]any{"support_period": map[string]any{"end_date": "not a date"}}).Expect(400)
	off.Patch(path, map[string]any{"support_period": map[string]any{"end_date": "2029-01-01", "url": "javascript:alert(1)"}}).Expect(422)
	env.As(officer, "OPSS").Get(path).Expect(200) // the product register is shared
	var list struct{ Items []struct{ ID string } }
	off.Get("/api/v1/products?q=cam1").Expect(200).JSON(&list)
	if len(list.Items) != 1 {
		t.Fatalf("model search found %d", len(list.Items))
	}

	oid := newOperator(t, off, "Acme Imports Ltd")
	off.Patch("/api/v1/operators/"+oid, map[string]any{"country": "United Kingdom"}).Expect(422)
	off.Patch("/api/v1/operators/"+oid, map[string]any{"vulnerability_disclosure_url": "https://acme.example/.well-known/security.txt",
		"sole_trader": false, "trading_names": []string{"Acme"}}).Expect(200)
	off.Get("/api/v1/operators?q=acme").Expect(200).JSON(&list)
	if len(list.Items) != 1 {
		t.Fatalf("operator search found %d", len(list.Items))
	}
	off.Get("/api/v1/operators/" + oid).Expect(200)
	env.As(analyst, "KENT-TS").Post("/api/v1/operators", map[string]any{"name": "x"}).Expect(403)
}

func TestCaseListFiltersAndPagination(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	pid := newProduct(t, off, "Ring", "Doorbell 2", "")
	var ids []string
	for i := 0; i < 7; i++ {
		if i < 3 {
			ids = append(ids, newCase(t, off, pid).ID)
		} else {
			ids = append(ids, newCase(t, off).ID)
		}
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		var pg struct {
			Items      []caseView `json:"items"`
			NextCursor string     `json:"next_cursor"`
		}
		off.Get("/api/v1/cases?limit=3&cursor=" + cursor).Expect(200).JSON(&pg)
		for _, c := range pg.Items {
			if seen[c.ID] {
				t.Fatalf("case %s on two pages", c.ID)
			}
			seen[c.ID] = true
		}
		if pg.NextCursor == "" {
			break
		}
		cursor = pg.NextCursor
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 7 {
		t.Fatalf("walked %d cases, want 7", len(seen))
	}
	for _, id := range ids {
		if !seen[id] {
			t.Fatalf("case %s never listed", id)
		}
	}
	var pg struct{ Items []caseView }
	off.Get("/api/v1/cases?product_id=" + pid).Expect(200).JSON(&pg)
	if len(pg.Items) != 3 {
		t.Fatalf("product filter: %d", len(pg.Items))
	}
	for _, c := range pg.Items {
		if !slices.Contains(ids[:3], c.ID) {
			t.Fatalf("product filter returned case %s without the product", c.ID)
		}
	}
	off.Get("/api/v1/cases?assignee=me&status=intake&origin=complaint&q=default%20password").Expect(200).JSON(&pg)
	if len(pg.Items) != 7 {
		t.Fatalf("combined filters: %d", len(pg.Items))
	}
	off.Get("/api/v1/cases?status=closed").Expect(200).JSON(&pg)
	if len(pg.Items) != 0 {
		t.Fatalf("status filter: %d", len(pg.Items))
	}
	off.Get("/api/v1/cases?status=nonsense").Expect(422)
	off.Get("/api/v1/cases?cursor=garbage").Expect(422)
	off.Post("/api/v1/cases", map[string]any{"title": "x", "origin": "gossip"}).Expect(422)
	if !off.Post("/api/v1/cases", map[string]any{"title": "x", "origin": "complaint", "product_ids": []string{"01a21939-0000-7000-8000-000000000000"}}).
		Expect(422).Problem().HasField("product_ids[0]") {
		t.Fatal("unknown product not named")
	}
}

// 200 concurrent creations in one authority get 200 distinct, gap-free references.
func TestConcurrentCaseReferencesAreGapFree(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	const n = 200
	refs := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r := off.Do(http.MethodPost, "/api/v1/cases", map[string]any{"title": fmt.Sprintf("case %d", i), "origin": "online_monitoring"})
			if r.Status != 201 {
				t.Errorf("create %d: %d %s", i, r.Status, r.Body)
				return
			}
			var cv caseView
			r.JSON(&cv)
			refs[i] = cv.Reference
		}(i)
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	sort.Strings(refs)
	for i, r := range refs {
		if want := fmt.Sprintf("KENT-TS-%d-%06d", env.Clock.Now().Year(), i+1); r != want {
			t.Fatalf("reference %d is %q, want %q (refs must be distinct and gap-free)", i, r, want)
		}
	}
}
