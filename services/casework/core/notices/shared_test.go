package notices

import (
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

func TestAnotherAuthoritysNoticeAsTheReceiverReadsIt(t *testing.T) {
	issued := time.Now()
	n := Notice{ID: "n1", AuthorityID: "a-kent", OperatorID: "op-st", IssuedAt: &issued, AuthorID: "u1", ApproverID: "u2", IssuerID: "u3",
		ServedBy: "u4", ServedTo: "Jane at home", Contributors: []Contributor{{UserID: "u1"}}, OutcomeNote: "she called", ClosedReason: "x", RejectReason: "y",
		Steps: []string{"Eleanor Whitcombe's unit must be replaced"}, Reasons: "Complaint by Eleanor Whitcombe",
		Recipient: &Recipient{Name: "Jane Smithson", Address: "7 Willow Close", Country: "GB", SoleTrader: true}}
	c := cases.Case{AuthorityID: "a-kent", Origin: cases.Complaint, Complainant: cases.Complainant{Name: "Eleanor Whitcombe"},
		Shares: []cases.Share{{AuthorityID: "a-opss", Status: cases.SharePending}}}
	opss := principal.Principal{Authority: principal.Authority{ID: "a-opss"}}
	acc, _ := c.AccessFor("a-opss")
	v := viewFor(acc, opss, n)
	if v.AuthorID != "" || v.Contributors != nil || v.ApproverID != "" || v.IssuerID != "" || v.ServedBy != "" || v.ServedTo != "" || v.OutcomeNote != "" ||
		v.ClosedReason != "" || v.RejectReason != "" || v.OperatorID != "" || v.Recipient.Name != WithheldSoleTrader ||
		v.Recipient.Address != "" || v.Reasons != "Complaint by [redacted: complainant (R1)]" {
		t.Errorf("referred view: %+v", v)
	}
	if n.Recipient.Name != "Jane Smithson" || n.Steps[0] != "Eleanor Whitcombe's unit must be replaced" {
		t.Error("viewFor changed the stored notice")
	}
	c.Shares[0].Status = cases.ShareAccepted
	acc, _ = c.AccessFor("a-opss")
	v = viewFor(acc, opss, n)
	if v.ServedTo == "" || v.OperatorID != "op-st" || v.Steps[0] != "[redacted: complainant (R1)]'s unit must be replaced" {
		t.Errorf("collaborator view: %+v", v)
	}
	kent := principal.Principal{Authority: principal.Authority{ID: "a-kent"}}
	own, _ := c.AccessFor("a-kent")
	if v := viewFor(own, kent, n); v.Reasons != n.Reasons || v.ServedTo != n.ServedTo {
		t.Error("the owner reads a redacted notice")
	}
}
