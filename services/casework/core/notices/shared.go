package notices

import (
	"context"
	"errors"
	"fmt"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// Notices belong to the authority that drafted them; only it changes them.
// Another authority holding the case — referred or collaborating — reads
// the notices issued on it (never drafts), through its access: while a
// referral is pending, what a referral package carries.

// visible loads a notice the caller may read: one of the caller's
// authority on a case it can see, or one issued on a case the caller's
// authority holds. Others are NotFound.
func (s *Service) visible(ctx context.Context, id string) (Notice, cases.Access, error) {
	p, _ := principal.From(ctx)
	nf := apperr.New(apperr.NotFound, "no notice %q", id)
	if !ids.Valid(id) {
		return Notice{}, cases.Access{}, nf
	}
	n, err := s.store.GetNotice(ctx, id, false)
	if errors.Is(err, ErrNotFound) {
		return Notice{}, cases.Access{}, nf
	}
	if err != nil {
		return Notice{}, cases.Access{}, fmt.Errorf("load notice %s: %w", id, err)
	}
	if n.AuthorityID != p.Authority.ID && n.IssuedAt == nil {
		return Notice{}, cases.Access{}, nf
	}
	_, acc, err := s.cases.Access(ctx, n.CaseID)
	if err != nil {
		return Notice{}, cases.Access{}, nf
	}
	return viewFor(acc, p, n), acc, nil
}

// CaseNotices lists, newest first, the notices of a case the caller may
// read: its own authority's, and those other authorities issued on it.
func (s *Service) CaseNotices(ctx context.Context, caseID string) ([]Notice, error) {
	p, _ := principal.From(ctx)
	_, acc, err := s.cases.Access(ctx, caseID)
	if err != nil {
		return nil, err
	}
	ns, err := s.store.ListNotices(ctx, ListFilter{AuthorityID: p.Authority.ID, AlsoIssued: true, CaseID: caseID, Limit: 1000})
	if err != nil {
		return nil, err
	}
	for i := range ns {
		ns[i] = viewFor(acc, p, ns[i])
	}
	return ns, nil
}

// viewFor is another authority's notice as the caller reads it. A
// collaborator reads it with the complainant taken out of its text; a
// referred authority reads what a referral package carries: no officer ids
// (R2), no outcome, withdrawal or rejection notes (R5), not whom it was
// served on (R7), and a sole trader recipient unnamed (R4).
func viewFor(acc cases.Access, p principal.Principal, n Notice) Notice {
	if n.AuthorityID == p.Authority.ID || acc.Standing == cases.Owner {
		return n
	}
	n.Reasons = acc.Text(n.Reasons)
	steps := make([]string, len(n.Steps))
	for i, st := range n.Steps {
		steps[i] = acc.Text(st)
	}
	n.Steps = steps
	if acc.Standing != cases.Referred {
		return n
	}
	n.AuthorID, n.ApproverID, n.IssuerID, n.ServedBy, n.Contributors, n.UrgencyApprovedBy = "", "", "", "", nil, ""
	n.ServedTo, n.OutcomeNote, n.ClosedReason, n.RejectReason = "", "", "", ""
	// The certificate of service names whom it was served on (R7).
	n.ServiceCertificateID = ""
	if r := n.Recipient; r != nil && r.SoleTrader {
		n.OperatorID = ""
		n.Recipient = &Recipient{Name: WithheldSoleTrader, Country: r.Country, SoleTrader: true}
	}
	return n
}

// paymentsFor hides who recorded payments from a referred authority (R2).
func paymentsFor(acc cases.Access, ps []Payment) []Payment {
	if acc.Standing != cases.Referred {
		return ps
	}
	for i := range ps {
		ps[i].RecordedBy = ""
	}
	return ps
}
