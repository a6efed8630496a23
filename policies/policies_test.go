package policies_test

import (
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/tradewarden/tradewarden/policies"
)

// grants used by the table: one user per role in KENT-TS, plus a user who
// is an officer in KENT-TS and an analyst in OPSS.
const grants = `
g, alice, officer, KENT-TS
g, sam, supervisor, KENT-TS
g, ana, analyst, KENT-TS
g, adam, admin, KENT-TS
g, multi, officer, KENT-TS
g, multi, analyst, OPSS
`

func enforcer(t *testing.T) *casbin.Enforcer {
	t.Helper()
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		t.Fatal(err)
	}
	e, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(policies.Policy+grants))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestPolicy(t *testing.T) {
	e := enforcer(t)
	cases := []struct {
		sub, dom, obj, act string
		want               bool
	}{
		// Officers work cases, evidence and notices but cannot approve, issue, assign or close.
		{"alice", "KENT-TS", "case", "read", true},
		{"alice", "KENT-TS", "case", "create", true},
		{"alice", "KENT-TS", "case", "update", true},
		{"alice", "KENT-TS", "case", "assign", false},
		{"alice", "KENT-TS", "case", "close", false},
		{"alice", "KENT-TS", "case", "refer", false},
		{"alice", "KENT-TS", "evidence", "create", true},
		{"alice", "KENT-TS", "notice", "create", true},
		{"alice", "KENT-TS", "notice", "submit", true},
		{"alice", "KENT-TS", "notice", "approve", false},
		{"alice", "KENT-TS", "notice", "issue", false},
		{"alice", "KENT-TS", "report", "read", false},
		{"alice", "KENT-TS", "audit", "read", false},
		{"alice", "KENT-TS", "user", "read", false},
		{"alice", "KENT-TS", "authority", "read", true},
		{"alice", "KENT-TS", "authority", "update", false},
		{"adam", "KENT-TS", "authority", "update", true},
		{"sam", "KENT-TS", "authority", "update", false},
		// Supervisors assign, close, refer, approve and issue.
		{"sam", "KENT-TS", "case", "assign", true},
		{"sam", "KENT-TS", "case", "close", true},
		{"sam", "KENT-TS", "case", "refer", true},
		{"sam", "KENT-TS", "case", "accept_referral", true},
		{"sam", "KENT-TS", "case", "decline_referral", true},
		{"sam", "KENT-TS", "case", "revoke_referral", true},
		{"alice", "KENT-TS", "case", "decline_referral", false},
		{"alice", "KENT-TS", "case", "revoke_referral", false},
		{"sam", "KENT-TS", "notice", "approve", true},
		{"sam", "KENT-TS", "notice", "issue", true},
		{"sam", "KENT-TS", "audit", "read", true},
		{"sam", "KENT-TS", "case", "export", true},
		{"sam", "KENT-TS", "user", "create", false},
		// Analysts read aggregate reports and shared registers, nothing case-level.
		{"ana", "KENT-TS", "report", "read", true},
		{"ana", "KENT-TS", "listing", "read", true},
		{"ana", "KENT-TS", "case", "read", false},
		{"ana", "KENT-TS", "evidence", "read", false},
		{"ana", "KENT-TS", "notice", "read", false},
		{"ana", "KENT-TS", "finding", "read", false},
		// Admins manage users and read the audit log, not cases.
		{"adam", "KENT-TS", "user", "read", true},
		{"adam", "KENT-TS", "user", "create", true},
		{"adam", "KENT-TS", "user", "grant", true},
		{"adam", "KENT-TS", "user", "revoke", true},
		{"adam", "KENT-TS", "user", "reset_password", true},
		{"sam", "KENT-TS", "user", "reset_password", false},
		{"adam", "KENT-TS", "audit", "verify", true},
		{"adam", "KENT-TS", "case", "read", false},
		{"adam", "KENT-TS", "notice", "approve", false},
		// …and may correct operators (the service lets only national admins).
		{"adam", "KENT-TS", "operator", "update", true},
		{"adam", "KENT-TS", "operator", "create", false},
		// Roles do not leak across authorities.
		{"alice", "OPSS", "case", "read", false},
		{"adam", "OPSS", "user", "read", false},
		{"multi", "KENT-TS", "case", "read", true},
		{"multi", "KENT-TS", "report", "read", false},
		{"multi", "OPSS", "report", "read", true},
		{"multi", "OPSS", "case", "read", false},
		// Unknown subjects, objects and actions are denied.
		{"mallory", "KENT-TS", "case", "read", false},
		{"alice", "KENT-TS", "case", "destroy", false},
		{"alice", "KENT-TS", "spaceship", "read", false},
		{"alice", "*", "case", "read", false},
	}
	for _, tc := range cases {
		got, err := e.Enforce(tc.sub, tc.dom, tc.obj, tc.act)
		if err != nil {
			t.Fatalf("Enforce(%v): %v", tc, err)
		}
		if got != tc.want {
			t.Errorf("Enforce(%s, %s, %s, %s) = %v, want %v", tc.sub, tc.dom, tc.obj, tc.act, got, tc.want)
		}
	}
}

func TestEveryPolicyLineNamesAKnownRole(t *testing.T) {
	e := enforcer(t)
	known := map[string]bool{"officer": true, "supervisor": true, "analyst": true, "admin": true}
	rules, err := e.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 50 {
		t.Fatalf("policy has only %d rules", len(rules))
	}
	for _, p := range rules {
		if !known[p[0]] {
			t.Errorf("policy line for unknown role %q: %v", p[0], p)
		}
	}
}

// Separation of duties: the admin role carries no case-work permission and
// the policy grants no role to another role, so the only way an admin gets
// case work is a grant to them by someone else (the service refuses
// self-grants).
func TestAdminRoleCarriesNoCaseWork(t *testing.T) {
	e := enforcer(t)
	rules, err := e.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	// Operators: national admins correct sole traders' register entries
	// (personal data), which is no case work; authority profiles are the
	// letterhead and payment details, not case work either.
	adminObjects := map[string]bool{"user": true, "audit": true, "requirement": true, "operator": true, "authority": true}
	for _, p := range rules {
		if p[0] == "admin" && !adminObjects[p[2]] {
			t.Errorf("the admin role may %s %s", p[3], p[2])
		}
	}
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(policies.Policy))
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := bare.GetGroupingPolicy(); len(g) != 0 {
		t.Errorf("the policy grants roles to roles: %v", g)
	}
}
