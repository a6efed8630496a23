package cases

import (
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/redact"
)

const (
	kentID, opssID, bhamID = "a-kent", "a-opss", "a-bham"
)

func referredCase(status ShareStatus, level AccessLevel) Case {
	now := time.Now()
	return Case{ID: "c1", AuthorityID: kentID, AuthorityCode: "KENT-TS", Reference: "KENT-TS-2026-000001",
		Title: "Complaint from Eleanor Whitcombe", Summary: "Eleanor Whitcombe (eleanor@example.org, 01227 555019) says the camera accepts admin/admin",
		Complainant: Complainant{Name: "Eleanor Whitcombe", Email: "eleanor@example.org", Phone: "01227 555019"},
		Origin:      Complaint, AssigneeID: "u-officer", CreatedBy: "u-officer", ClosureNote: "spoke to Mrs Whitcombe",
		Scope:      Scope{Notes: "triage call with Eleanor"},
		ClosureReq: &ClosureRequest{Reason: "no_breach_found", Note: "Whitcombe withdrew", RequestedBy: "u-officer"},
		Shares: []Share{{AuthorityID: opssID, AuthorityCode: "OPSS", Status: status, Level: level, ReferredBy: "u-sup", ReferredAt: now},
			{AuthorityID: bhamID, AuthorityCode: "BHAM-TS", Status: ShareAccepted, Level: ReadOnly}}}
}

func TestAccessFollowsTheReferral(t *testing.T) {
	for _, tc := range []struct {
		status ShareStatus
		want   Standing
		sees   bool
	}{{SharePending, Referred, true}, {ShareAccepted, Collaborator, true}, {ShareDeclined, "", false}, {ShareRevoked, "", false}} {
		c := referredCase(tc.status, EditEvidenceAndNotes)
		acc, ok := c.AccessFor(opssID)
		if ok != tc.sees || acc.Standing != tc.want {
			t.Errorf("%s: access %+v %v", tc.status, acc, ok)
		}
	}
	c := referredCase(SharePending, ReadOnly)
	if a, ok := c.AccessFor(kentID); !ok || a.Standing != Owner || a.Text("Eleanor") != "Eleanor" {
		t.Errorf("owner: %+v", a)
	}
	if _, ok := c.AccessFor("a-nobody"); ok {
		t.Error("an unrelated authority has access")
	}
	if _, ok := c.AccessFor(""); ok {
		t.Error("no authority has access")
	}
}

func TestReferredViewIsThePackageView(t *testing.T) {
	c := referredCase(SharePending, EditEvidenceAndNotes)
	acc, _ := c.AccessFor(opssID)
	v := c.viewFor(acc, opssID)
	all := strings.Join([]string{v.Title, v.Summary, v.ClosureNote, v.Scope.Notes, v.AssigneeID, v.CreatedBy, v.Shares[0].ReferredBy}, "|")
	for _, leak := range []string{"Eleanor", "Whitcombe", "eleanor@", "555019", "u-officer", "u-sup"} {
		if strings.Contains(all, leak) {
			t.Errorf("referred view carries %q: %s", leak, all)
		}
	}
	if !v.Complainant.Empty() || v.ClosureReq != nil || len(v.Shares) != 1 || v.Shares[0].AuthorityCode != "OPSS" {
		t.Errorf("referred view: %+v", v)
	}
	if !strings.Contains(v.Summary, "says the camera accepts admin/admin") || !strings.Contains(v.Summary, redact.Complainant) {
		t.Errorf("summary %q: the complaint stays, the complainant goes", v.Summary)
	}
	// The stored case is untouched.
	if c.Complainant.Name == "" || c.AssigneeID == "" || len(c.Shares) != 2 {
		t.Error("viewFor changed the case")
	}
}

func TestCollaboratorViewKeepsTheRecordButNotTheComplainant(t *testing.T) {
	c := referredCase(ShareAccepted, ReadOnly)
	acc, _ := c.AccessFor(opssID)
	v := c.viewFor(acc, opssID)
	if v.AssigneeID != "u-officer" || v.ClosureReq == nil || v.ClosureNote == "" || !v.Complainant.Empty() {
		t.Errorf("collaborator view: %+v", v)
	}
	for _, s := range []string{v.Title, v.Summary, v.ClosureNote, v.Scope.Notes, v.ClosureReq.Note} {
		if strings.Contains(s, "Whitcombe") || strings.Contains(s, "Eleanor") {
			t.Errorf("collaborator reads the complainant: %q", s)
		}
	}
}

func TestComplaintWithoutRecordedComplainantWithholdsTheSummary(t *testing.T) {
	c := Case{AuthorityID: kentID, Origin: Complaint, Summary: "Mr Bloggs of 3 High St says the plug overheats",
		Shares: []Share{{AuthorityID: opssID, Status: SharePending}}}
	acc, _ := c.AccessFor(opssID)
	if v := c.viewFor(acc, opssID); v.Summary != redact.ComplaintWithheld {
		t.Errorf("summary %q", v.Summary)
	}
	c.Origin = ProactiveSurveillance
	if v := c.viewFor(acc, opssID); v.Summary != c.Summary {
		t.Errorf("a proactive case's summary changed: %q", v.Summary)
	}
}

func TestNotesOthersRead(t *testing.T) {
	notes := []Note{{ID: "1", AuthorityID: kentID, AuthorID: "u1", Author: "Kent Officer", Body: "private"},
		{ID: "2", AuthorityID: kentID, AuthorID: "u1", Author: "Kent Officer", Body: "shareable: Eleanor Whitcombe called", Shareable: true},
		{ID: "3", AuthorityID: opssID, AuthorID: "u2", Author: "OPSS Officer", Body: "ours: Whitcombe"}}
	c := referredCase(ShareAccepted, EditEvidenceAndNotes)
	acc, _ := c.AccessFor(opssID)
	got := notesFor(acc, opssID, notes)
	if len(got) != 2 || got[0].ID != "2" || got[1].ID != "3" || strings.Contains(got[0].Body, "Whitcombe") || got[1].Body != "ours: Whitcombe" ||
		got[0].Author != "Kent Officer" {
		t.Errorf("collaborator notes: %+v", got)
	}
	c = referredCase(SharePending, ReadOnly)
	acc, _ = c.AccessFor(opssID)
	got = notesFor(acc, opssID, notes[:2])
	if len(got) != 1 || got[0].AuthorID != "" || got[0].Author != "" {
		t.Errorf("referred notes: %+v", got)
	}
	own, _ := c.AccessFor(kentID)
	if len(notesFor(own, kentID, notes)) != 3 {
		t.Error("the owner reads every note")
	}
}

func TestMatrixWhileReferredCountsFindings(t *testing.T) {
	m := Matrix{Rows: []Row{{Assessment: Assessment{Rationale: "Eleanor Whitcombe's unit", UpdatedBy: "u1", FindingIDs: []string{"f1"}},
		Findings: []FindingRef{{ID: "f1", Title: "telnet open"}}, FindingsCount: 1}}}
	c := referredCase(SharePending, ReadOnly)
	acc, _ := c.AccessFor(opssID)
	r := matrixFor(acc, m).Rows[0]
	if r.UpdatedBy != "" || r.Findings != nil || r.FindingIDs != nil || r.FindingsCount != 1 || strings.Contains(r.Rationale, "Whitcombe") {
		t.Errorf("referred row: %+v", r)
	}
	if m.Rows[0].UpdatedBy != "u1" {
		t.Error("matrixFor changed the stored matrix")
	}
}

func TestPermitByStanding(t *testing.T) {
	officer := principal.Principal{UserID: "u-o", Roles: []principal.Role{principal.Officer}}
	supervisor := principal.Principal{UserID: "u-s", Roles: []principal.Role{principal.Supervisor}}
	for _, tc := range []struct {
		name   string
		status ShareStatus
		level  AccessLevel
		p      principal.Principal
		n      need
		ok     bool
	}{
		{"referred reads", SharePending, EditEvidenceAndNotes, supervisor, needRead, true},
		{"referred cannot contribute", SharePending, EditEvidenceAndNotes, supervisor, needContribute, false},
		{"read-only cannot contribute", ShareAccepted, ReadOnly, officer, needContribute, false},
		{"editor contributes", ShareAccepted, EditEvidenceAndNotes, officer, needContribute, true},
		{"editor cannot work the case", ShareAccepted, EditEvidenceAndNotes, supervisor, needWork, false},
		{"editor cannot supervise", ShareAccepted, EditEvidenceAndNotes, supervisor, needSupervise, false},
	} {
		c := referredCase(tc.status, tc.level)
		acc, _ := c.AccessFor(opssID)
		err := permit(c, tc.p, acc, tc.n)
		if (err == nil) != tc.ok || (err != nil && apperr.CodeOf(err) != apperr.Forbidden) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	c := referredCase(SharePending, ReadOnly)
	own, _ := c.AccessFor(kentID)
	if permit(c, officer, own, needWork) == nil {
		t.Error("an unassigned owner officer may work the case")
	}
	officer.UserID = "u-officer"
	if permit(c, officer, own, needWork) != nil || permit(c, officer, own, needSupervise) == nil {
		t.Error("the assigned officer works but does not supervise")
	}
}

func TestPartiesWhileReferredHideWhichSoleTrader(t *testing.T) {
	ps := []Party{{OperatorID: "co", AddedBy: "u1"}, {OperatorID: "st1", AddedBy: "u1"}, {OperatorID: "st2"}, {OperatorID: "st1", Role: "importer"}}
	sole := map[string]bool{"st1": true, "st2": true}
	c := referredCase(SharePending, ReadOnly)
	acc, _ := c.AccessFor(opssID)
	got := partiesFor(acc, ps, sole)
	if got[0].OperatorID != "co" || got[0].AddedBy != "" || got[1].OperatorID != "" || got[1].OperatorLabel != "Sole trader 1" ||
		got[2].OperatorLabel != "Sole trader 2" || got[3].OperatorLabel != "Sole trader 1" {
		t.Errorf("referred parties: %+v", got)
	}
	c = referredCase(ShareAccepted, ReadOnly)
	acc, _ = c.AccessFor(opssID)
	if got := partiesFor(acc, ps, sole); got[1].OperatorID != "st1" || got[0].AddedBy != "u1" {
		t.Errorf("collaborator parties: %+v", got)
	}
}
