package notices

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tradewarden/tradewarden/services/casework/core/cases"
)

// ended are the states in which a notice asks nothing more of anyone.
var ended = []Status{Withdrawn, Revoked, Cancelled}

// followUp is the notice a notice of intent leads to.
var followUp = map[Type]Type{Intent: Compliance, PenaltyIntent: Penalty}

// Outstanding lists the work a case's notices leave undone: drafts and
// approvals pending, notices approved but not issued, issued notices not
// complied with (or withdrawn, revoked, cancelled on appeal), penalties not
// paid in full (paid holds the pence received per notice id), and notices
// of intent neither followed by the notice they announced nor revoked.
func Outstanding(ns []Notice, paid map[string]int64) []cases.Outstanding {
	var out []cases.Outstanding
	for _, n := range ns {
		if kind, detail, ok := outstanding(n, ns, paid[n.ID]); ok {
			out = append(out, cases.Outstanding{Kind: kind, NoticeID: n.ID, Reference: n.Reference, Type: string(n.Type),
				Status: string(n.Status), Detail: detail})
		}
	}
	return out
}

func outstanding(n Notice, all []Notice, paid int64) (cases.OutstandingKind, string, bool) {
	switch {
	case slices.Contains(ended, n.Status):
		return "", "", false
	case n.Status == Draft:
		return cases.DraftPending, "draft not submitted for approval: submit or withdraw it", true
	case n.Status == PendingApproval:
		return cases.ApprovalPending, "awaiting a supervisor's approval", true
	case n.Status == Approved:
		return cases.IssuePending, "approved but not issued: issue or withdraw it", true
	case n.Type == Penalty:
		due := int64(0)
		if n.Penalty != nil {
			due = n.Penalty.AmountPence
		}
		if paid < due {
			return cases.PenaltyUnpaid, fmt.Sprintf("£%s of £%s paid", Pounds(paid), Pounds(due)), true
		}
		return "", "", false
	case followUp[n.Type] != "":
		if n.Status == Issued {
			return cases.IntentUndecided, "issued but not served", true
		}
		if followedUp(n, all) {
			return "", "", false
		}
		return cases.IntentUndecided, "given, but the " + string(followUp[n.Type]) + " notice was not issued: issue it or revoke the intent", true
	case n.Status == Complied:
		return "", "", false
	}
	return cases.NoticeInForce, "in force (" + string(n.Status) + "): record compliance, or revoke it", true
}

// followedUp reports whether the notice an intent announced was issued to
// the same operator after it.
func followedUp(intent Notice, all []Notice) bool {
	return slices.ContainsFunc(all, func(n Notice) bool {
		return n.Type == followUp[intent.Type] && n.OperatorID == intent.OperatorID && n.IssuedAt != nil &&
			intent.IssuedAt != nil && !n.IssuedAt.Before(*intent.IssuedAt)
	})
}

// Outstanding lists a case's outstanding notice work for the case service,
// reading in the transaction in ctx (the case service has already checked
// the caller may close the case).
func (s *Service) Outstanding(ctx context.Context, caseID string) ([]cases.Outstanding, error) {
	c, err := s.cases.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	ns, err := s.store.ListNotices(ctx, ListFilter{AuthorityID: c.AuthorityID, CaseID: caseID, Limit: 100000})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ns, func(a, b Notice) int { return strings.Compare(a.ID, b.ID) }) // oldest first
	paid := map[string]int64{}
	for _, n := range ns {
		if n.Type != Penalty || n.IssuedAt == nil {
			continue
		}
		ps, err := s.store.Payments(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			paid[n.ID] += p.AmountPence
		}
	}
	return Outstanding(ns, paid), nil
}
