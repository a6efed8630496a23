package cases

import (
	"context"
	"fmt"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

// Outstanding is work on a case that closing it would leave undone: a
// notice still in force, a penalty unpaid, a draft or an approval pending.
type Outstanding struct {
	Kind      OutstandingKind
	NoticeID  string
	Reference string // the notice's reference once issued
	Type      string // the notice type
	Status    string // the notice status
	Detail    string // what is left to do, in words
}

// OutstandingKind names a kind of outstanding work.
type OutstandingKind string

// Kinds of outstanding work.
const (
	DraftPending    OutstandingKind = "draft"            // a notice not yet submitted
	ApprovalPending OutstandingKind = "pending_approval" // submitted, awaiting a supervisor
	IssuePending    OutstandingKind = "not_issued"       // approved, not yet issued
	NoticeInForce   OutstandingKind = "notice_in_force"  // issued, not complied with, withdrawn, revoked or cancelled
	PenaltyUnpaid   OutstandingKind = "penalty_unpaid"   // a penalty notice not paid in full
	IntentUndecided OutstandingKind = "intent_undecided" // a notice of intent given, neither followed nor revoked
)

// OutstandingWork lists a case's outstanding work, in the transaction in ctx.
type OutstandingWork func(ctx context.Context, caseID string) ([]Outstanding, error)

// UseOutstanding connects the notices module: closing a case checks it.
func (s *Service) UseOutstanding(fn OutstandingWork) { s.outstanding = fn }

// Move is a requested transition of a case.
type Move struct {
	To     Status
	Reason string
	Note   string
	// Override is a supervisor's reason for closing although work is
	// outstanding; it is audited with the work it leaves.
	Override string
}

// closeCheck refuses to close a case with work outstanding unless the
// supervisor gives an override reason. A case referred elsewhere closes
// without one: the work passes to the authority it was referred to. What
// was outstanding is returned for the audit entry.
func (s *Service) closeCheck(ctx context.Context, c Case, reason ClosureReason, override string) ([]map[string]any, error) {
	if s.outstanding == nil {
		return nil, nil
	}
	work, err := s.outstanding(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("outstanding work on %s: %w", c.Reference, err)
	}
	if len(work) == 0 {
		return nil, nil
	}
	list := OutstandingDetail(work)
	override = strings.TrimSpace(override)
	if len(override) > 5000 {
		return nil, apperr.InvalidField("override_reason", "must be at most 5000 characters")
	}
	if override == "" && reason != ReferredElsewhere {
		return nil, apperr.New(apperr.Conflict, "case %s has work outstanding: %s. Finish, withdraw or revoke it, or give an "+
			"override_reason to close the case anyway", c.Reference, summarise(work)).With("outstanding", list)
	}
	return list, nil
}

// OutstandingDetail is outstanding work as problem and audit details show it.
func OutstandingDetail(work []Outstanding) []map[string]any {
	out := make([]map[string]any, len(work))
	for i, w := range work {
		m := map[string]any{"kind": w.Kind, "notice_id": w.NoticeID, "type": w.Type, "status": w.Status, "detail": w.Detail}
		if w.Reference != "" {
			m["reference"] = w.Reference
		}
		out[i] = m
	}
	return out
}

func summarise(work []Outstanding) string {
	parts := make([]string, len(work))
	for i, w := range work {
		what := w.Reference
		if what == "" {
			what = "a " + strings.ReplaceAll(w.Type, "_", " ") + " notice"
		}
		parts[i] = what + " (" + w.Detail + ")"
	}
	return strings.Join(parts, "; ")
}
