// Package identity holds authorities (tenants), users, their per-authority role
// grants, invitations and login sessions, with the rules for logging in,
// onboarding and changing passwords safely.
package identity

import (
	"context"
	"regexp"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// Authority is an enforcement authority: OPSS or a Trading Standards service.
type Authority struct {
	ID        string
	Code      string
	Name      string
	National  bool
	CreatedAt time.Time
}

// User is a person who can log in.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	Disabled     bool
	// MustChangePassword is set when someone else chose the password (an
	// admin's onboarding or reset): until the user picks their own, changing
	// it is all their token allows.
	MustChangePassword bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Grant gives a user a role in an authority.
type Grant struct {
	UserID        string
	AuthorityID   string
	AuthorityCode string
	// AuthorityName and AuthorityNational describe the authority (read only).
	AuthorityName     string
	AuthorityNational bool
	Role              principal.Role
	CreatedAt         time.Time
}

// Session is a stored login; only the token's hash is kept.
type Session struct {
	ID        string
	UserID    string
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// Account is an authenticated user with every grant they hold.
type Account struct {
	User      User
	Grants    []Grant
	SessionID string
}

// UserWithGrants is a user as an authority's admin sees them: only the grants
// in that authority.
type UserWithGrants struct {
	User   User
	Grants []Grant
}

// Store persists identity data. Methods join the transaction in ctx.
type Store interface {
	CreateAuthority(ctx context.Context, a Authority) error
	AuthorityByCode(ctx context.Context, code string) (Authority, error)
	AuthorityByID(ctx context.Context, id string) (Authority, error)
	ListAuthorities(ctx context.Context) ([]Authority, error)

	CreateUser(ctx context.Context, u User) error
	UserByEmail(ctx context.Context, email string) (User, error)
	UserByID(ctx context.Context, id string) (User, error)
	// SetPassword replaces a user's password hash and must-change flag.
	SetPassword(ctx context.Context, userID, hash string, mustChange bool, at time.Time) error
	ListUsersInAuthority(ctx context.Context, authorityID string) ([]UserWithGrants, error)

	AddGrant(ctx context.Context, g Grant) (added bool, err error)
	RemoveGrant(ctx context.Context, g Grant) (removed bool, err error)
	GrantsOf(ctx context.Context, userID string) ([]Grant, error)
	AllGrants(ctx context.Context) ([]Grant, error)

	CreateSession(ctx context.Context, s Session) error
	SessionByTokenHash(ctx context.Context, hash string) (Session, error)
	RevokeSession(ctx context.Context, id string, at time.Time) error
	// RevokeUserSessions revokes every live session of the user but except
	// (which may be empty) and returns how many it revoked.
	RevokeUserSessions(ctx context.Context, userID, except string, at time.Time) (int, error)

	// LoginFailures returns the failure count under a throttle key (zero
	// when there is none).
	LoginFailures(ctx context.Context, key string) (LoginFailures, error)
	// AddLoginFailure atomically counts a failure at at (restarting from one
	// when restart) and returns the new count; it also forgets keys whose
	// last failure is before forgetBefore.
	AddLoginFailure(ctx context.Context, key string, at time.Time, restart bool, forgetBefore time.Time) (int, error)
	// ClearLoginFailures forgets a key.
	ClearLoginFailures(ctx context.Context, key string) error

	CreateInvitation(ctx context.Context, inv Invitation) error
	InvitationByID(ctx context.Context, id string) (Invitation, error)
	// Invitations lists invitations, newest first, by user and/or authority.
	Invitations(ctx context.Context, f InvitationFilter) ([]Invitation, error)
	// SetInvitationStatus moves an invitation from one status to another
	// and reports whether it was in from.
	SetInvitationStatus(ctx context.Context, id string, from, to InvitationStatus, at time.Time) (bool, error)
}

// InvitationStatus is where an invitation stands.
type InvitationStatus string

// Invitation statuses. An expired invitation is stored as pending and
// reported as expired.
const (
	InvitationPending  InvitationStatus = "pending"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationDeclined InvitationStatus = "declined"
	InvitationRevoked  InvitationStatus = "revoked"
	InvitationExpired  InvitationStatus = "expired"
)

// Invitation offers roles in an authority to a person, who accepts it after
// logging in by giving the code the inviting admin handed them (the password
// the admin chose), or declines it. The code is what makes the roles reach
// the person the admin spoke to, not whoever controls the email's account —
// which may be someone else's squat. The inviting authority never learns the
// account behind the email: UserID stays inside the service.
type Invitation struct {
	ID            string
	UserID        string
	AuthorityID   string
	AuthorityCode string // read only
	AuthorityName string // read only
	// Email and Name are as the inviting admin typed them.
	Email         string
	Name          string
	Roles         []principal.Role
	InvitedBy     string // the admin's user id
	InvitedByName string // read only
	// CodeHash is the hash of the code that accepts the invitation: the
	// password the admin chose, which they hand to the person.
	CodeHash    string
	Status      InvitationStatus
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RespondedAt *time.Time
}

// StatusAt is the invitation's status as of now (pending turns expired).
func (inv Invitation) StatusAt(now time.Time) InvitationStatus {
	if inv.Status == InvitationPending && !now.Before(inv.ExpiresAt) {
		return InvitationExpired
	}
	return inv.Status
}

// InvitationFilter selects invitations; empty fields match any.
type InvitationFilter struct {
	UserID      string
	AuthorityID string
	Status      InvitationStatus
	Limit       int
}

// PasswordHasher hashes and checks passwords (argon2id in production).
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(password, encoded string) (bool, error)
}

var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$`)

// ValidCode reports whether code is a well-formed authority code such as KENT-TS.
func ValidCode(code string) bool { return len(code) <= 32 && codePattern.MatchString(code) }
