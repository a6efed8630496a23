package component_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

type outstandingItem struct {
	Kind      string `json:"kind"`
	NoticeID  string `json:"notice_id"`
	Reference string `json:"reference"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	Detail    string `json:"detail"`
}

// closeRefused asks to close the case and returns the outstanding work the
// 409 lists, checking nothing changed.
func closeRefused(t *testing.T, env *wiringtest.Env, c *wiringtest.Client, caseID string, body map[string]any) []outstandingItem {
	t.Helper()
	before := auditCount(t, env)
	body["to"] = "closed"
	p := c.Post("/api/v1/cases/"+caseID+"/transitions", body).Expect(409).Problem()
	raw, _ := p.Extra["outstanding"].([]any)
	var out []outstandingItem
	for _, r := range raw {
		m := r.(map[string]any)
		str := func(k string) string { s, _ := m[k].(string); return s }
		out = append(out, outstandingItem{Kind: str("kind"), NoticeID: str("notice_id"), Reference: str("reference"), Type: str("type"),
			Status: str("status"), Detail: str("detail")})
	}
	if len(out) == 0 || !strings.Contains(p.Detail, "override_reason") {
		t.Fatalf("409 without the outstanding work or the way out: %+v", p)
	}
	if auditCount(t, env) != before {
		t.Fatal("a refused closure was audited")
	}
	var cv caseView
	c.Get("/api/v1/cases/" + caseID).Expect(200).JSON(&cv)
	if cv.Status == "closed" {
		t.Fatal("a refused closure closed the case")
	}
	return out
}

func kinds(items []outstandingItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Kind+":"+it.Type)
	}
	slices.Sort(out)
	return out
}

// toDecision takes a notice case to the decision stage, where every
// closure reason is open.
func toDecision(t *testing.T, off *wiringtest.Client, caseID string) {
	t.Helper()
	path := "/api/v1/cases/" + caseID
	et := off.Get(path).Expect(200).Header.Get("ETag")
	off.Header("If-Match", et).Patch(path, map[string]any{"scope": map[string]any{"connectable": true, "uk_consumer_product": true,
		"used_or_second_hand": false, "excepted": false}}).Expect(200)
	for _, to := range []string{"triage", "investigating", "decision"} {
		off.Post(path+"/transitions", map[string]string{"to": to}).Expect(200)
	}
}

// TestCaseCannotCloseWithWorkOutstanding: drafts, approvals, notices in
// force and unpaid penalties block closure (409 listing them) until they
// are finished, or a supervisor overrides with a reason that the timeline
// records with what was left.
func TestCaseCannotCloseWithWorkOutstanding(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	s := setupBareNoticeCase(t, env) // no notice of intent left undecided
	toDecision(t, off, s.caseID)
	path := "/api/v1/cases/" + s.caseID
	closing := map[string]any{"reason": "no_further_action"}

	// A draft, then the same notice awaiting approval, then approved.
	var n noticeView
	off.Post(path+"/notices", draftBody(s, "information")).Expect(201).JSON(&n)
	if got := kinds(closeRefused(t, env, sup, s.caseID, closing)); !slices.Equal(got, []string{"draft:information"}) {
		t.Fatalf("with a draft: %v", got)
	}
	off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	if got := kinds(closeRefused(t, env, sup, s.caseID, closing)); !slices.Equal(got, []string{"pending_approval:information"}) {
		t.Fatalf("awaiting approval: %v", got)
	}
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	if got := kinds(closeRefused(t, env, sup, s.caseID, closing)); !slices.Equal(got, []string{"not_issued:information"}) {
		t.Fatalf("approved: %v", got)
	}
	// Issued and served: in force until complied with.
	sup.Post("/api/v1/notices/"+n.ID+"/issue", nil).Expect(200).JSON(&n)
	sup.Post("/api/v1/notices/"+n.ID+"/serve", map[string]any{"method": "hand", "served_at": time.Now().UTC(), "served_to": "Director"}).Expect(200)
	items := closeRefused(t, env, sup, s.caseID, closing)
	if len(items) != 1 || items[0].Kind != "notice_in_force" || items[0].Reference != n.Reference || items[0].NoticeID != n.ID ||
		items[0].Status != "served" || !strings.Contains(items[0].Detail, "compliance") {
		t.Fatalf("served notice: %+v", items)
	}
	sup.Post("/api/v1/notices/"+n.ID+"/outcome", map[string]any{"outcome": "complied"}).Expect(200)

	// A penalty notice is outstanding until paid in full.
	pen := draftBody(s, "penalty")
	pen["penalty"] = map[string]any{"qualifying_worldwide_revenue_pence": int64(100_000_000) * 100, "revenue_period": "FY2025",
		"amount_pence": 500_000 * 100}
	giveIntents(t, env, &s, "penalty_intent") // decided by the penalty notice below
	pn := issueNotice(t, env, s.caseID, pen)
	sup.Post("/api/v1/notices/"+pn.ID+"/payments", map[string]any{"amount_pence": 100_000 * 100, "paid_at": time.Now().UTC(), "method": "card"}).Expect(201)
	items = closeRefused(t, env, sup, s.caseID, closing)
	if len(items) != 1 || items[0].Kind != "penalty_unpaid" || !strings.Contains(items[0].Detail, "£100,000.00 of £500,000.00") {
		t.Fatalf("part-paid penalty: %+v", items)
	}
	sup.Post("/api/v1/notices/"+pn.ID+"/payments", map[string]any{"amount_pence": 400_000 * 100, "paid_at": time.Now().UTC(), "method": "card"}).Expect(201)

	// A last draft: an officer's closure request still stands (the
	// supervisor deciding it sees what is left); an officer cannot override.
	var last noticeView
	off.Post(path+"/notices", draftBody(s, "information")).Expect(201).JSON(&last)
	off.Post(path+"/transitions", map[string]any{"to": "closed", "reason": "no_further_action", "override_reason": "x"}).Expect(403).Problem()
	off.Post(path+"/transitions", map[string]any{"to": "closed", "reason": "no_further_action"}).Expect(202)
	closeRefused(t, env, sup, s.caseID, map[string]any{})
	closeRefused(t, env, sup, s.caseID, map[string]any{"reason": "no_further_action", "override_reason": "   "})

	// The supervisor overrides: audited on the timeline with what was left.
	var cv caseView
	sup.Post(path+"/transitions", map[string]any{"to": "closed", "reason": "no_further_action",
		"override_reason": "the draft is superseded by the other authority's action"}).Expect(200).JSON(&cv)
	if cv.Status != "closed" {
		t.Fatalf("override: %+v", cv)
	}
	var tl struct {
		Items []struct {
			Action string         `json:"action"`
			Detail map[string]any `json:"detail"`
		}
	}
	sup.Get(path + "/timeline?limit=500").Expect(200).JSON(&tl)
	var closedEntry, requestEntry map[string]any
	for _, e := range tl.Items {
		switch {
		case e.Action == "case.transition" && e.Detail["to"] == "closed":
			closedEntry = e.Detail
		case e.Action == "case.closure_requested":
			requestEntry = e.Detail
		}
	}
	left, _ := closedEntry["outstanding"].([]any)
	if closedEntry["override_reason"] != "the draft is superseded by the other authority's action" || len(left) != 1 ||
		left[0].(map[string]any)["notice_id"] != last.ID {
		t.Fatalf("closure entry %v", closedEntry)
	}
	if reqLeft, _ := requestEntry["outstanding"].([]any); len(reqLeft) != 1 {
		t.Fatalf("closure request entry %v", requestEntry)
	}
}

// TestReferralsStillCloseWithWorkOutstanding: declining a referral, and
// closing as referred_elsewhere, need no override; the work left is still
// recorded.
func TestReferralsStillCloseWithWorkOutstanding(t *testing.T) {
	env := wiringtest.New(t)
	off, sup, opssSup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS"), env.As(supervisor, "OPSS")
	s := setupBareNoticeCase(t, env) // no notice of intent left undecided
	toDecision(t, off, s.caseID)
	path := "/api/v1/cases/" + s.caseID
	off.Post(path+"/notices", draftBody(s, "information")).Expect(201)

	sup.Post(path+"/referrals", map[string]string{"to_authority": "OPSS", "reason": "national importer"}).Expect(201)
	opssSup.Post(path+"/referrals/decline", map[string]string{"reason": "not a national matter"}).Expect(200)

	closeRefused(t, env, sup, s.caseID, map[string]any{"reason": "no_further_action"})
	var cv caseView
	sup.Post(path+"/transitions", map[string]any{"to": "closed", "reason": "referred_elsewhere", "note": "Trading Standards in Surrey"}).
		Expect(200).JSON(&cv)
	if cv.Status != "closed" || cv.ClosureReason != "referred_elsewhere" {
		t.Fatalf("referred elsewhere: %+v", cv)
	}
	var tl struct {
		Items []struct {
			Action string         `json:"action"`
			Detail map[string]any `json:"detail"`
		}
	}
	sup.Get(path + "/timeline?limit=500").Expect(200).JSON(&tl)
	for _, e := range tl.Items {
		if e.Action == "case.transition" && e.Detail["to"] == "closed" {
			if left, _ := e.Detail["outstanding"].([]any); len(left) != 1 || e.Detail["override_reason"] != nil {
				t.Fatalf("referred_elsewhere closure entry %v", e.Detail)
			}
			return
		}
	}
	t.Fatal("no closure on the timeline")
}
