// Package principal carries who is acting, in which authority and under which
// request, through a context.Context so that core services can enforce record
// rules and the audit log can attribute every change.
package principal

import (
	"context"
	"slices"
)

// Role is a role a user holds within one authority.
type Role string

// The roles TradeWarden knows.
const (
	Officer    Role = "officer"
	Supervisor Role = "supervisor"
	Analyst    Role = "analyst"
	Admin      Role = "admin"
)

// Roles lists every role in a stable order.
var Roles = []Role{Officer, Supervisor, Analyst, Admin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Authority identifies the enforcement authority (tenant) a request acts in.
type Authority struct {
	ID       string
	Code     string
	Name     string
	National bool
}

// Principal is the acting party of a request or command.
type Principal struct {
	UserID    string
	Email     string
	Name      string
	Authority Authority
	// Roles are the caller's roles within Authority only.
	Roles []Role
	// Via says where the action came from: "http", "cli" or "system".
	Via string
}

// Has reports whether the principal holds role in the acting authority.
func (p Principal) Has(role Role) bool { return slices.Contains(p.Roles, role) }

// Actor is the label the audit log records for the principal.
func (p Principal) Actor() string {
	switch {
	case p.Email != "":
		return p.Email
	case p.Via != "":
		return p.Via
	default:
		return "system"
	}
}

type ctxKey struct{}
type reqKey struct{}

// With returns a context carrying p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal in ctx, if any.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// WithRequestID returns a context carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, reqKey{}, id)
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(reqKey{}).(string)
	return id
}

// System returns a context acting as the named system component (CLI, indexer).
func System(ctx context.Context, via string) context.Context {
	return With(ctx, Principal{Via: via})
}
