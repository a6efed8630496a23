package notices

import (
	"slices"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// Four eyes means the approver had no hand in what they approve: not the
// author, not anyone who edited the draft, not whoever submitted it. The
// notice carries that list, so the rule holds however many hands a draft
// passed through (and however often it was rejected and resubmitted).

// ContributorRole is how someone shaped a notice's content.
type ContributorRole string

// Contributor roles.
const (
	Author    ContributorRole = "author"
	Editor    ContributorRole = "editor"
	Submitter ContributorRole = "submitter"
)

// Contributor is one person who shaped a notice, with every way they did.
type Contributor struct {
	UserID string
	Roles  []ContributorRole
}

// AddContributor records that userID shaped the notice in role.
func (n *Notice) AddContributor(userID string, role ContributorRole) {
	for i, c := range n.Contributors {
		if c.UserID == userID {
			if !slices.Contains(c.Roles, role) {
				n.Contributors[i].Roles = append(n.Contributors[i].Roles, role)
			}
			return
		}
	}
	n.Contributors = append(n.Contributors, Contributor{UserID: userID, Roles: []ContributorRole{role}})
}

// ContributionOf returns how userID shaped the notice (nil: not at all).
// The author always counts, whatever the stored list says.
func (n Notice) ContributionOf(userID string) []ContributorRole {
	var roles []ContributorRole
	if userID == n.AuthorID {
		roles = append(roles, Author)
	}
	for _, c := range n.Contributors {
		if c.UserID != userID {
			continue
		}
		for _, r := range c.Roles {
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
	}
	return roles
}

// CheckApprover refuses an approver or rejecter who contributed to the
// notice (Forbidden, with their roles in the problem's extra).
func (n Notice) CheckApprover(userID string) error {
	roles := n.ContributionOf(userID)
	if len(roles) == 0 {
		return nil
	}
	what := "drafted"
	switch {
	case slices.Contains(roles, Author):
	case slices.Contains(roles, Editor):
		what = "edited"
	default:
		what = "submitted"
	}
	return apperr.New(apperr.Forbidden, "four eyes: you %s this notice, so a supervisor who had no hand in it must approve or reject it", what).
		With("contributor_roles", roles)
}

// MayWork reports whether p may change or act on the notice (edit, submit,
// withdraw, serve): the officer assigned to its case, its author, or a
// supervisor of the authority that owns the notice. c is the notice's case.
func MayWork(n Notice, c cases.Case, p principal.Principal) bool {
	switch {
	case p.Authority.ID == "" || p.Authority.ID != n.AuthorityID:
		return false
	case p.Has(principal.Supervisor):
		return true
	case p.Has(principal.Officer):
		return n.AuthorID == p.UserID || c.AssigneeID == p.UserID
	}
	return false
}

// mayWork is MayWork as an error.
func mayWork(n Notice, c cases.Case, p principal.Principal, doing string) error {
	if MayWork(n, c, p) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only the officer assigned to case %s, the notice's author or a supervisor of %s may %s this notice",
		c.Reference, n.AuthorityCode, doing)
}

// needSupervisor refuses callers who are not supervisors of the notice's authority.
func needSupervisor(n Notice, p principal.Principal, doing string) error {
	if p.Authority.ID == n.AuthorityID && p.Has(principal.Supervisor) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "only a supervisor of %s may %s this notice", n.AuthorityCode, doing)
}
