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
	TokenTTL time.Duration // session lifetime; default 12h
	// Throttle is the per-(email, client) login delay; zero fields take DefaultThrottle's.
	Throttle Throttle
	// Passwords is the password policy; zero fields take the defaults.
	Passwords PasswordPolicy
	// InvitationTTL is how long an invitation may be accepted; default 14 days.
	InvitationTTL time.Duration
	// SessionCacheTTL is how long an authenticated token is trusted without
	// re-reading it; 0 means the default (5s), negative disables the cache.
	SessionCacheTTL time.Duration
}

func (c Config) withDefaults() Config {
	if c.TokenTTL <= 0 {
		c.TokenTTL = 12 * time.Hour
	}
	c.Throttle = c.Throttle.withDefaults()
	c.Passwords = c.Passwords.withDefaults()
	if c.InvitationTTL <= 0 {
		c.InvitationTTL = 14 * 24 * time.Hour
	}
	if c.SessionCacheTTL == 0 {
		c.SessionCacheTTL = 5 * time.Second
	}
	return c
}

// Service implements logins, sessions, authorities, users, invitations and grants.
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
	attempts keyLocks
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
	// MustChangePassword says the token allows nothing but a password change yet.
	MustChangePassword bool
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

// attempt is one credential check against a throttle key: a login, or the
// current password given to change it.
type attempt struct {
	email, client, key string
	user               User
	known              bool
	grants             []Grant
	failures           LoginFailures
	now                time.Time
}

// Login checks credentials from a client (its address) and issues a session
// token. An unknown email costs the same password hash, the same queries and
// the same answers as a known one; every failure and every throttled attempt
// is audited in the authorities of the account the email belongs to.
func (s *Service) Login(ctx context.Context, email, password, client string) (Token, error) {
	at, unlock, err := s.beginAttempt(ctx, email, client)
	defer unlock()
	if err != nil {
		return Token{}, fmt.Errorf("login: %w", err)
	}
	hash := s.dummyHash
	if at.known {
		hash = at.user.PasswordHash
	}
	ok, err := s.hasher.Verify(password, hash)
	if err != nil {
		return Token{}, fmt.Errorf("login: verify password: %w", err)
	}
	reason := ""
	switch {
	case !at.known:
		reason = "unknown_email"
	case !ok:
		reason = "bad_password"
	case at.user.Disabled:
		reason = "disabled"
	}
	if reason != "" {
		if err := s.countFailure(ctx, at, "auth.login_failed", reason); err != nil {
			return Token{}, err
		}
		return Token{}, errBadLogin
	}
	return s.startSession(ctx, at)
}

// beginAttempt starts a credential check by email from a client: it takes
// the throttle key's lock (the caller must call unlock, also on error),
// reads the account and refuses the attempt while the key must wait.
func (s *Service) beginAttempt(ctx context.Context, email, client string) (at attempt, unlock func(), err error) {
	at = attempt{email: NormalizeEmail(email), client: ClientKey(client), now: s.now().UTC()}
	at.key = ThrottleKey(at.email, at.client)
	unlock = s.attempts.lock(at.key)
	if err := s.loadSubject(ctx, &at); err != nil {
		return at, unlock, err
	}
	return at, unlock, s.checkThrottle(ctx, &at)
}

// loadSubject reads the account behind the attempt's email. Unknown emails
// run the same grant query, so both paths cost the same.
func (s *Service) loadSubject(ctx context.Context, at *attempt) error {
	u, err := s.store.UserByEmail(ctx, at.email)
	switch {
	case errors.Is(err, ErrNotFound):
		u = User{}
	case err != nil:
		return fmt.Errorf("load user: %w", err)
	default:
		at.known = true
	}
	at.user = u
	if at.grants, err = s.store.GrantsOf(ctx, u.ID); err != nil {
		return fmt.Errorf("load grants: %w", err)
	}
	return nil
}

// checkThrottle refuses (429, audited) an attempt whose key must still wait.
func (s *Service) checkThrottle(ctx context.Context, at *attempt) error {
	f, err := s.store.LoginFailures(ctx, at.key)
	if err != nil {
		return fmt.Errorf("read login failures: %w", err)
	}
	at.failures = f
	wait := s.cfg.Throttle.Wait(f, at.now)
	if wait <= 0 {
		return nil
	}
	secs := int((wait + time.Second - 1) / time.Second)
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		return s.recordForAccount(ctx, at.grants, audit.Event{Action: "auth.login_throttled", ObjectType: "user",
			ObjectID: at.user.ID, Actor: truncate(at.email, 200),
			Detail: map[string]any{"client": at.client, "consecutive_failures": f.Count, "retry_after_seconds": secs}})
	})
	if err != nil {
		return fmt.Errorf("record throttled login: %w", err)
	}
	return apperr.New(apperr.TooMany, "too many failed attempts for this email from your address; try again in %d seconds", secs).
		With("retry_after_seconds", secs)
}

// countFailure counts a failed attempt against its key and audits it.
func (s *Service) countFailure(ctx context.Context, at attempt, action, reason string) error {
	t := s.cfg.Throttle
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		n, err := s.store.AddLoginFailure(ctx, at.key, at.now, !t.Counts(at.failures, at.now), at.now.Add(-t.Forget))
		if err != nil {
			return err
		}
		detail := map[string]any{"reason": reason, "client": at.client, "consecutive_failures": n}
		if d := t.Delay(n); d > 0 {
			detail["next_attempt_delay_seconds"] = int(d / time.Second)
		}
		return s.recordForAccount(ctx, at.grants, audit.Event{Action: action, ObjectType: "user", ObjectID: at.user.ID,
			Actor: truncate(at.email, 200), Detail: detail})
	})
	if err != nil {
		return fmt.Errorf("record failed login: %w", err)
	}
	return nil
}

// recordForAccount records ev in every authority the account holds roles
// in, so each authority's admins see what concerns their user (in none for
// an account without roles or an unknown email).
func (s *Service) recordForAccount(ctx context.Context, grants []Grant, ev audit.Event) error {
	seen := map[string]bool{}
	for _, g := range grants {
		if seen[g.AuthorityCode] {
			continue
		}
		seen[g.AuthorityCode] = true
		ev.Authority = g.AuthorityCode
		if err := s.log.Record(ctx, ev); err != nil {
			return err
		}
	}
	if len(seen) == 0 {
		return s.log.Record(outsideAuthorities(ctx), ev)
	}
	return nil
}

func (s *Service) startSession(ctx context.Context, at attempt) (Token, error) {
	tok, err := newToken()
	if err != nil {
		return Token{}, err
	}
	u := at.user
	sess := Session{ID: ids.New(), UserID: u.ID, TokenHash: HashToken(tok), CreatedAt: at.now, ExpiresAt: at.now.Add(s.cfg.TokenTTL)}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if at.failures.Count > 0 {
			if err := s.store.ClearLoginFailures(ctx, at.key); err != nil {
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
	return Token{Token: tok, ExpiresAt: sess.ExpiresAt, MustChangePassword: u.MustChangePassword}, nil
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
