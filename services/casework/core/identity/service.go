package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// ErrNotFound is returned by stores when a record does not exist.
var ErrNotFound = errors.New("not found")

// Config holds the login policy.
type Config struct {
	TokenTTL    time.Duration // session lifetime; default 12h
	MaxFailures int           // consecutive failures before a lock; default 5
	LockFor     time.Duration // lock duration; default 15m
	MinPassword int           // minimum password length; default 12
	// SessionCacheTTL is how long an authenticated token is trusted without
	// re-reading it; 0 means the default (5s), negative disables the cache.
	SessionCacheTTL time.Duration
}

func (c Config) withDefaults() Config {
	if c.TokenTTL <= 0 {
		c.TokenTTL = 12 * time.Hour
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = 5
	}
	if c.LockFor <= 0 {
		c.LockFor = 15 * time.Minute
	}
	if c.MinPassword <= 0 {
		c.MinPassword = 12
	}
	if c.SessionCacheTTL == 0 {
		c.SessionCacheTTL = 5 * time.Second
	}
	return c
}

// Service implements logins, sessions, authorities, users and grants.
type Service struct {
	store  Store
	tx     txn.Runner
	log    audit.Log
	hasher PasswordHasher
	now    func() time.Time
	cfg    Config
	// dummyHash is verified against for unknown emails so that response time
	// does not reveal which accounts exist.
	dummyHash string
	// onGrants is told after a grant change commits (the authorizer reloads).
	onGrants func(context.Context)
	sessions *sessionCache
}

// NewService wires the identity service.
func NewService(store Store, tx txn.Runner, log audit.Log, hasher PasswordHasher, now func() time.Time, cfg Config) (*Service, error) {
	dummy, err := hasher.Hash("dummy password for timing equalisation")
	if err != nil {
		return nil, fmt.Errorf("prepare dummy hash: %w", err)
	}
	cfg = cfg.withDefaults()
	return &Service{store: store, tx: tx, log: log, hasher: hasher, now: now, cfg: cfg, dummyHash: dummy,
		sessions: newSessionCache(cfg.SessionCacheTTL, 100_000)}, nil
}

// OnGrantsChanged registers fn to run after any committed grant change.
func (s *Service) OnGrantsChanged(fn func(context.Context)) { s.onGrants = fn }

// Token is a freshly issued bearer token; it is shown once and never stored.
type Token struct {
	Token     string
	ExpiresAt time.Time
}

// HashToken returns the stored form of a bearer token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken() (string, error) {
	b := make([]byte, 32) // 256 bits
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random token: %w", err)
	}
	return "tw_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// NormalizeEmail lower-cases and trims an email address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

var errBadLogin = apperr.New(apperr.Unauthenticated, "email or password is incorrect")

// Login checks credentials and issues a session token. Every failure is
// audited; repeated failures lock the account for a while.
func (s *Service) Login(ctx context.Context, email, password string) (Token, error) {
	email = NormalizeEmail(email)
	now := s.now().UTC()
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		_, _ = s.hasher.Verify(password, s.dummyHash)
		return Token{}, s.loginFailed(ctx, email, "", "unknown_email", nil)
	}
	if err != nil {
		return Token{}, fmt.Errorf("login: load user: %w", err)
	}
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		_ = s.loginFailed(ctx, email, u.ID, "locked", nil)
		return Token{}, apperr.New(apperr.TooMany, "too many failed logins; the account is locked until %s", u.LockedUntil.UTC().Format(time.RFC3339)).
			With("retry_after_seconds", int(u.LockedUntil.Sub(now).Seconds())+1)
	}
	ok, err := s.hasher.Verify(password, u.PasswordHash)
	if err != nil {
		return Token{}, fmt.Errorf("login: verify password: %w", err)
	}
	if !ok || u.Disabled {
		reason := "bad_password"
		if u.Disabled {
			reason = "disabled"
		}
		return Token{}, s.loginFailed(ctx, email, u.ID, reason, &u)
	}
	return s.startSession(ctx, u, now)
}

func (s *Service) startSession(ctx context.Context, u User, now time.Time) (Token, error) {
	tok, err := newToken()
	if err != nil {
		return Token{}, err
	}
	sess := Session{ID: ids.New(), UserID: u.ID, TokenHash: HashToken(tok), CreatedAt: now, ExpiresAt: now.Add(s.cfg.TokenTTL)}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if u.FailedLogins != 0 || u.LockedUntil != nil {
			if err := s.store.ResetLoginState(ctx, u.ID); err != nil {
				return err
			}
		}
		if err := s.store.CreateSession(ctx, sess); err != nil {
			return err
		}
		return s.log.Record(ctx, audit.Event{Action: "auth.login", ObjectType: "user", ObjectID: u.ID,
			Actor: u.Email, Detail: map[string]any{"session_id": sess.ID, "expires_at": sess.ExpiresAt}})
	})
	if err != nil {
		return Token{}, fmt.Errorf("login: start session: %w", err)
	}
	return Token{Token: tok, ExpiresAt: sess.ExpiresAt}, nil
}

// loginFailed audits a failure (and counts it against a known, unlocked
// account) and returns the error the caller should see.
func (s *Service) loginFailed(ctx context.Context, email, userID, reason string, u *User) error {
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		detail := map[string]any{"reason": reason}
		if u != nil {
			until := s.now().UTC().Add(s.cfg.LockFor)
			failures, locked, err := s.store.RegisterLoginFailure(ctx, u.ID, s.cfg.MaxFailures, until)
			if err != nil {
				return err
			}
			detail["consecutive_failures"] = failures
			if locked {
				detail["locked_until"] = until
			}
		}
		return s.log.Record(ctx, audit.Event{Action: "auth.login_failed", ObjectType: "user", ObjectID: userID,
			Actor: truncate(email, 200), Detail: detail})
	})
	if err != nil {
		return fmt.Errorf("record failed login: %w", err)
	}
	return errBadLogin
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Authenticate resolves a bearer token to its account.
func (s *Service) Authenticate(ctx context.Context, token string) (Account, error) {
	unauth := apperr.New(apperr.Unauthenticated, "the bearer token is missing, expired or revoked")
	if token == "" || len(token) > 200 {
		return Account{}, unauth
	}
	hash, now := HashToken(token), s.now()
	if acct, ok := s.sessions.get(hash, now); ok {
		return acct, nil
	}
	sess, err := s.store.SessionByTokenHash(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return Account{}, unauth
	}
	if err != nil {
		return Account{}, fmt.Errorf("authenticate: %w", err)
	}
	if sess.RevokedAt != nil || !now.Before(sess.ExpiresAt) {
		return Account{}, unauth
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if err != nil {
		return Account{}, fmt.Errorf("authenticate: load user: %w", err)
	}
	if u.Disabled {
		return Account{}, unauth
	}
	grants, err := s.store.GrantsOf(ctx, u.ID)
	if err != nil {
		return Account{}, fmt.Errorf("authenticate: load grants: %w", err)
	}
	acct := Account{User: u, Grants: grants, SessionID: sess.ID}
	s.sessions.put(hash, acct, sess.ExpiresAt, now)
	return acct, nil
}

// Logout revokes the session behind the principal's token.
func (s *Service) Logout(ctx context.Context, sessionID, userID string) error {
	// Forget before (so this process stops trusting the token now) and after
	// (in case a concurrent request re-cached it meanwhile).
	s.sessions.forget(sessionID)
	defer s.sessions.forget(sessionID)
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.RevokeSession(ctx, sessionID, s.now().UTC()); err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		return s.log.Record(ctx, audit.Event{Action: "auth.logout", ObjectType: "user", ObjectID: userID,
			Detail: map[string]any{"session_id": sessionID}})
	})
}

// ResolveAuthority picks the authority a request acts in: the one named by
// code, or the only one the account holds grants in.
func ResolveAuthority(acct Account, code string) (principal.Authority, []principal.Role, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	held := map[string]principal.Authority{}
	for _, g := range acct.Grants {
		held[g.AuthorityCode] = principal.Authority{ID: g.AuthorityID, Code: g.AuthorityCode, Name: g.AuthorityName, National: g.AuthorityNational}
	}
	if code == "" {
		if len(held) != 1 {
			return principal.Authority{}, nil, apperr.New(apperr.Invalid,
				"you hold roles in %d authorities; name one in the X-Authority header", len(held)).With("header", "X-Authority")
		}
		for c := range held {
			code = c
		}
	}
	auth, ok := held[code]
	if !ok {
		return principal.Authority{}, nil, apperr.New(apperr.Forbidden, "you hold no role in authority %q", code)
	}
	var roles []principal.Role
	for _, g := range acct.Grants {
		if g.AuthorityCode == code {
			roles = append(roles, g.Role)
		}
	}
	return auth, roles, nil
}

func validEmail(email string) bool {
	if len(email) > 254 {
		return false
	}
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email && a.Name == ""
}
