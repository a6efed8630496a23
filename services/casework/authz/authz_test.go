package authz_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/tradewarden/tradewarden/policies"
	"github.com/tradewarden/tradewarden/services/casework/authz"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// grants makes users×authorities grants, each user holding one role in a
// few authorities.
func grants(users, authorities int) []identity.Grant {
	r := rand.New(rand.NewPCG(1, 2))
	var out []identity.Grant
	for u := 0; u < users; u++ {
		for k := 0; k < 2; k++ {
			a := r.IntN(authorities)
			out = append(out, identity.Grant{UserID: fmt.Sprintf("u%d", u), AuthorityCode: fmt.Sprintf("AUTH-%d", a),
				Role: principal.Roles[r.IntN(len(principal.Roles))]})
		}
	}
	return out
}

func source(gs []identity.Grant) authz.GrantSource {
	return func(context.Context) ([]identity.Grant, error) { return gs, nil }
}

func TestCanFollowsGrantsAndReloads(t *testing.T) {
	gs := []identity.Grant{{UserID: "alice", AuthorityCode: "KENT-TS", Role: principal.Officer}}
	az, err := authz.New(func(context.Context) ([]identity.Grant, error) { return gs, nil }, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if !az.Can("alice", "KENT-TS", "case", "read") || az.Can("alice", "KENT-TS", "case", "assign") || az.Can("alice", "OPSS", "case", "read") {
		t.Fatal("officer grant enforced wrongly")
	}
	gs = append(gs, identity.Grant{UserID: "alice", AuthorityCode: "KENT-TS", Role: principal.Supervisor})
	if az.Can("alice", "KENT-TS", "case", "assign") {
		t.Fatal("a cached decision should stand until reload")
	}
	if err := az.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !az.Can("alice", "KENT-TS", "case", "assign") {
		t.Fatal("a new grant does not take effect after reload")
	}
	gs = gs[:0]
	_ = az.Reload(context.Background())
	if az.Can("alice", "KENT-TS", "case", "read") {
		t.Fatal("a revoked grant still allows after reload")
	}
}

// BenchmarkCan is the per-request authorization cost: the cached enforcer
// with 20,000 users in 50 authorities.
func BenchmarkCan(b *testing.B) {
	gs := grants(20000, 50)
	az, err := authz.New(source(gs), quiet)
	if err != nil {
		b.Fatal(err)
	}
	// Steady state: every active user's decision has been made once since
	// the last grant change.
	for _, g := range gs {
		az.Can(g.UserID, g.AuthorityCode, "case", "read")
	}
	r := rand.New(rand.NewPCG(3, 4))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := gs[r.IntN(len(gs))]
		az.Can(g.UserID, g.AuthorityCode, "case", "read")
	}
}

// BenchmarkRawCasbinEnforce is the same decision through casbin's plain
// enforcer: the baseline the cache is measured against.
func BenchmarkRawCasbinEnforce(b *testing.B) {
	gs := grants(20000, 50)
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		b.Fatal(err)
	}
	e, err := casbin.NewEnforcer(m, authz.NewAdapter(policies.Policy, source(gs)))
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := gs[r.IntN(len(gs))]
		if _, err := e.Enforce(authz.Subject(g.UserID), g.AuthorityCode, "case", "read"); err != nil {
			b.Fatal(err)
		}
	}
}
