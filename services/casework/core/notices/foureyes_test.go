package notices_test

import (
	"slices"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

func TestContributorsAndFourEyes(t *testing.T) {
	n := notices.Notice{AuthorID: "alice", AuthorityID: "kent"}
	n.AddContributor("alice", notices.Author)
	n.AddContributor("bob", notices.Editor)
	n.AddContributor("bob", notices.Editor) // twice: recorded once
	n.AddContributor("bob", notices.Submitter)
	n.AddContributor("carol", notices.Submitter)
	if len(n.Contributors) != 3 {
		t.Fatalf("contributors %+v", n.Contributors)
	}
	if got := n.ContributionOf("bob"); !slices.Equal(got, []notices.ContributorRole{notices.Editor, notices.Submitter}) {
		t.Fatalf("bob: %v", got)
	}
	for _, who := range []string{"alice", "bob", "carol"} {
		err := n.CheckApprover(who)
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("%s, a contributor, may approve: %v", who, err)
		}
	}
	if err := n.CheckApprover("dave"); err != nil {
		t.Fatalf("dave had no hand in it: %v", err)
	}
	// The author counts even when the stored list lacks them (a notice
	// from before contributors were recorded).
	legacy := notices.Notice{AuthorID: "alice"}
	if legacy.CheckApprover("alice") == nil {
		t.Fatal("the author of a legacy notice may approve it")
	}
}

func TestMayWork(t *testing.T) {
	n := notices.Notice{AuthorID: "author", AuthorityID: "kent", AuthorityCode: "KENT-TS"}
	c := cases.Case{AssigneeID: "assignee", Reference: "KENT-TS-2026-000001"}
	kent := principal.Authority{ID: "kent", Code: "KENT-TS"}
	as := func(user string, a principal.Authority, roles ...principal.Role) principal.Principal {
		return principal.Principal{UserID: user, Authority: a, Roles: roles}
	}
	for _, tc := range []struct {
		name string
		p    principal.Principal
		want bool
	}{
		{"the assigned officer", as("assignee", kent, principal.Officer), true},
		{"the author", as("author", kent, principal.Officer), true},
		{"a supervisor of the owning authority", as("sup", kent, principal.Supervisor), true},
		{"another officer of the authority", as("colleague", kent, principal.Officer), false},
		{"an analyst", as("assignee", kent, principal.Analyst), false},
		{"a supervisor of another authority", as("sup", principal.Authority{ID: "opss"}, principal.Supervisor), false},
		{"the author acting in another authority", as("author", principal.Authority{ID: "opss"}, principal.Officer), false},
		{"the system (no authority)", principal.Principal{Via: "cli"}, false},
	} {
		if got := notices.MayWork(n, c, tc.p); got != tc.want {
			t.Errorf("%s: MayWork = %v, want %v", tc.name, got, tc.want)
		}
	}
}
