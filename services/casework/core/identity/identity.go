// Package identity holds authorities (tenants), users, their per-authority role
// grants and login sessions, with the rules for logging in safely.
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
	FailedLogins int
	LockedUntil  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
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
	// RegisterLoginFailure atomically counts a failure; on reaching max it
	// locks the account until lockUntil and resets the count.
	RegisterLoginFailure(ctx context.Context, userID string, max int, lockUntil time.Time) (failures int, locked bool, err error)
	// ResetLoginState clears the failure count and any lock.
	ResetLoginState(ctx context.Context, userID string) error
	ListUsersInAuthority(ctx context.Context, authorityID string) ([]UserWithGrants, error)

	AddGrant(ctx context.Context, g Grant) (added bool, err error)
	RemoveGrant(ctx context.Context, g Grant) (removed bool, err error)
	GrantsOf(ctx context.Context, userID string) ([]Grant, error)
	AllGrants(ctx context.Context) ([]Grant, error)

	CreateSession(ctx context.Context, s Session) error
	SessionByTokenHash(ctx context.Context, hash string) (Session, error)
	RevokeSession(ctx context.Context, id string, at time.Time) error
}

// PasswordHasher hashes and checks passwords (argon2id in production).
type PasswordHasher interface {
	Hash(password string) (string, error)
	Verify(password, encoded string) (bool, error)
}

var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$`)

// ValidCode reports whether code is a well-formed authority code such as KENT-TS.
func ValidCode(code string) bool { return len(code) <= 32 && codePattern.MatchString(code) }
