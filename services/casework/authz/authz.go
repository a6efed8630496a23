// Package authz decides route permissions with casbin: the role policy is
// embedded from policies/, the grants (which user holds which role in which
// authority) come from the database through this package's adapter and are
// reloaded whenever an admin changes them.
package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"github.com/tradewarden/tradewarden/policies"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
)

// GrantSource lists every grant currently stored.
type GrantSource func(ctx context.Context) ([]identity.Grant, error)

// Subject is the casbin subject for a user id.
func Subject(userID string) string { return "user:" + userID }

// Adapter loads the embedded role policy plus the stored grants. Grants are
// written by the identity service in the same transaction as their audit
// entry, so the adapter is read-only.
type Adapter struct {
	policy *stringadapter.Adapter
	grants GrantSource
}

var _ persist.Adapter = (*Adapter)(nil)

// NewAdapter returns an adapter over the embedded policy and grants.
func NewAdapter(policyCSV string, grants GrantSource) *Adapter {
	return &Adapter{policy: stringadapter.NewAdapter(policyCSV), grants: grants}
}

// LoadPolicy loads p lines from the policy and g lines from the grants.
func (a *Adapter) LoadPolicy(m model.Model) error {
	if err := a.policy.LoadPolicy(m); err != nil {
		return fmt.Errorf("load role policy: %w", err)
	}
	if a.grants == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	gs, err := a.grants(ctx)
	if err != nil {
		return fmt.Errorf("load grants: %w", err)
	}
	for _, g := range gs {
		if err := persist.LoadPolicyArray([]string{"g", Subject(g.UserID), string(g.Role), g.AuthorityCode}, m); err != nil {
			return fmt.Errorf("load grant: %w", err)
		}
	}
	return nil
}

var errReadOnly = errors.New("authz adapter is read-only: change grants through the identity service")

// SavePolicy is refused: policy is code, grants are written by the identity service.
func (a *Adapter) SavePolicy(model.Model) error { return errReadOnly }

// AddPolicy is refused; see SavePolicy.
func (a *Adapter) AddPolicy(string, string, []string) error { return errReadOnly }

// RemovePolicy is refused; see SavePolicy.
func (a *Adapter) RemovePolicy(string, string, []string) error { return errReadOnly }

// RemoveFilteredPolicy is refused; see SavePolicy.
func (a *Adapter) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }

// Authorizer answers "may this user do act on obj in this authority?".
type Authorizer struct {
	enforcer *casbin.SyncedCachedEnforcer
	log      *slog.Logger
	mu       sync.Mutex // serializes reloads
}

// New builds an authorizer from the embedded model and policy and the grants.
func New(grants GrantSource, log *slog.Logger) (*Authorizer, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("parse casbin model: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m, NewAdapter(policies.Policy, grants))
	if err != nil {
		return nil, fmt.Errorf("build enforcer: %w", err)
	}
	e.EnableAutoSave(false)
	// Results are cached until the next reload invalidates them.
	e.SetExpireTime(0)
	return &Authorizer{enforcer: e, log: log}, nil
}

// Can reports whether the user may act on obj within the authority.
func (a *Authorizer) Can(userID, authority, obj, act string) bool {
	ok, err := a.enforcer.Enforce(Subject(userID), authority, obj, act)
	if err != nil {
		a.log.Error("casbin enforce", "err", err, "obj", obj, "act", act)
		return false
	}
	return ok
}

// Reload re-reads grants and clears the decision cache.
func (a *Authorizer) Reload(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.enforcer.LoadPolicy(); err != nil {
		return fmt.Errorf("reload policy: %w", err)
	}
	// LoadPolicy clears the cache before loading; clear again so no decision
	// computed during the load survives it.
	return a.enforcer.InvalidateCache()
}

// Watch reloads every interval so grants changed by another instance take
// effect; it returns when ctx ends.
func (a *Authorizer) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Reload(ctx); err != nil {
				a.log.Warn("periodic policy reload failed", "err", err)
			}
		}
	}
}

// Permissions lists the (obj, act) pairs a role has in an authority.
func (a *Authorizer) Permissions(role, authority string) [][2]string {
	var out [][2]string
	rules, _ := a.enforcer.GetFilteredPolicy(0, role)
	for _, p := range rules {
		if len(p) == 4 && (p[1] == "*" || p[1] == authority) {
			out = append(out, [2]string{p[2], p[3]})
		}
	}
	return out
}
