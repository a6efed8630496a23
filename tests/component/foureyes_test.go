package component_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// colleague onboards (once) another user of KENT-TS with the roles and
// returns a client acting as them.
func colleague(t *testing.T, env *wiringtest.Env, email string, roles ...string) *wiringtest.Client {
	t.Helper()
	return env.Onboard(env.As(admin, "KENT-TS"), email, "Colleague "+email, roles...)
}

type contributorView struct {
	UserID string   `json:"user_id"`
	Roles  []string `json:"roles"`
}

func contributorsOf(t *testing.T, c *wiringtest.Client, noticeID string) map[string][]string {
	t.Helper()
	var n struct {
		Contributors []contributorView `json:"contributors"`
	}
	c.Get("/api/v1/notices/" + noticeID).Expect(200).JSON(&n)
	out := map[string][]string{}
	for _, ct := range n.Contributors {
		out[ct.UserID] = ct.Roles
	}
	return out
}

// timelineCount counts the entries of an action on a case's timeline.
func timelineCount(t *testing.T, c *wiringtest.Client, caseID, action string) int {
	t.Helper()
	var tl struct{ Items []struct{ Action string } }
	c.Get("/api/v1/cases/" + caseID + "/timeline?limit=500").Expect(200).JSON(&tl)
	n := 0
	for _, it := range tl.Items {
		if it.Action == action {
			n++
		}
	}
	return n
}

// Issue #13 item 2: the approver must differ from the author and from
// everyone who edited or submitted the notice. The contributors are recorded
// on the notice and shown in GET; approval (or rejection) by any of them is a
// 403 problem, audited.
func TestFourEyesCoversEveryContributor(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	editor := colleague(t, env, "editor.sup@kent-ts.test", "supervisor")
	submitter := colleague(t, env, "submitter.sup@kent-ts.test", "supervisor")
	s := setupNoticeCase(t, env)
	ids := map[string]string{"officer": userID(t, off), "editor": userID(t, editor), "submitter": userID(t, submitter)}

	// The officer drafts, a supervisor edits, another supervisor submits.
	var n noticeView
	off.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "compliance")).Expect(201).JSON(&n)
	body := draftBody(s, "compliance")
	body["reasons"] = "Edited by a supervisor before submission."
	editor.Header("If-Match", fmt.Sprintf(`"%d"`, n.Version)).Patch("/api/v1/notices/"+n.ID, body).Expect(200).JSON(&n)
	submitter.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	got := contributorsOf(t, sup, n.ID)
	want := map[string][]string{ids["officer"]: {"author"}, ids["editor"]: {"editor"}, ids["submitter"]: {"submitter"}}
	if len(got) != len(want) {
		t.Fatalf("contributors %v, want %v", got, want)
	}
	for id, roles := range want {
		if !slices.Equal(got[id], roles) {
			t.Fatalf("contributors %v, want %v", got, want)
		}
	}

	// Neither the editor nor the submitter may approve or reject it.
	for who, c := range map[string]*wiringtest.Client{"editor": editor, "submitter": submitter} {
		p := c.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(403).Problem()
		if !strings.Contains(p.Detail, "four eyes") {
			t.Fatalf("%s approving: %+v", who, p)
		}
		c.Post("/api/v1/notices/"+n.ID+"/reject", map[string]string{"reason": "mine"}).Expect(403).Problem()
	}
	if refused := timelineCount(t, sup, s.caseID, "notice.self_approval_refused"); refused != 4 {
		t.Fatalf("%d refused four-eyes attempts audited, want 4", refused)
	}
	// The supervisor with no hand in it approves.
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200).JSON(&n)
	if n.Status != "approved" {
		t.Fatalf("approved: %+v", n)
	}

	// A rejection and a fix by the rejecting supervisor make them a
	// contributor too: they can no longer approve their own fix.
	var m noticeView
	off.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "compliance")).Expect(201).JSON(&m)
	off.Post("/api/v1/notices/"+m.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+m.ID+"/reject", map[string]string{"reason": "cite the s.9 statement"}).Expect(200).JSON(&m)
	sup.Header("If-Match", fmt.Sprintf(`"%d"`, m.Version)).Patch("/api/v1/notices/"+m.ID, body).Expect(200)
	off.Post("/api/v1/notices/"+m.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+m.ID+"/approve", nil).Expect(403)
	editor.Post("/api/v1/notices/"+m.ID+"/approve", nil).Expect(200)
}

// Issue #13 item 2: withdraw and serve follow the record rule of PATCH and
// submit — the officer assigned to the case, the author, or a supervisor of
// the owning authority. Another officer of the same authority is refused.
func TestWithdrawAndServeNeedTheRecordRelationship(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	other := colleague(t, env, "other.officer@kent-ts.test", "officer")
	s := setupNoticeCase(t, env) // the seeded officer opened it, so is its officer in charge
	draft := func() noticeView {
		var n noticeView
		off.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "compliance")).Expect(201).JSON(&n)
		return n
	}
	reason := map[string]string{"reason": "superseded"}

	// A colleague's draft: no edit, submit or withdraw by another officer.
	n := draft()
	other.Header("If-Match", `"1"`).Patch("/api/v1/notices/"+n.ID, draftBody(s, "compliance")).Expect(403)
	other.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(403)
	other.Post("/api/v1/notices/"+n.ID+"/withdraw", reason).Expect(403).Problem()
	off.Post("/api/v1/notices/"+n.ID+"/withdraw", reason).Expect(200)

	// The author keeps the notice after the case is reassigned to another officer.
	m := draft()
	sup.Post("/api/v1/cases/"+s.caseID+"/assignment", map[string]string{"officer_id": userID(t, other)}).Expect(200)
	off.Header("If-Match", `"1"`).Patch("/api/v1/notices/"+m.ID, draftBody(s, "compliance")).Expect(200)
	off.Post("/api/v1/notices/"+m.ID+"/withdraw", reason).Expect(200)
	// …and the newly assigned officer may work a draft they did not write.
	sup.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "compliance")).Expect(201).JSON(&m)
	other.Post("/api/v1/notices/"+m.ID+"/withdraw", reason).Expect(200)
	sup.Post("/api/v1/cases/"+s.caseID+"/assignment", map[string]string{"officer_id": userID(t, off)}).Expect(200)

	// Serving an issued notice: not by an officer with no relationship to it.
	n = draft()
	off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/issue", nil).Expect(200)
	serve := map[string]any{"method": "hand", "served_at": time.Now().UTC(), "served_to": "Director"}
	other.Post("/api/v1/notices/"+n.ID+"/serve", serve).Expect(403).Problem()
	env.As(officer, "OPSS").Post("/api/v1/notices/"+n.ID+"/serve", serve).Expect(404)
	off.Post("/api/v1/notices/"+n.ID+"/serve", serve).Expect(200).JSON(&n)
	if n.Status != "served" {
		t.Fatalf("served: %+v", n)
	}
}
