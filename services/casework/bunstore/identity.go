package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// Identity stores authorities, users, grants and sessions.
type Identity struct{ *Store }

var _ identity.Store = Identity{}

type authorityRow struct {
	bun.BaseModel `bun:"table:authorities"`

	ID        string    `bun:"id,pk"`
	Code      string    `bun:"code"`
	Name      string    `bun:"name"`
	National  bool      `bun:"national"`
	CreatedAt time.Time `bun:"created_at"`
}

func (r authorityRow) toCore() identity.Authority {
	return identity.Authority{ID: r.ID, Code: r.Code, Name: r.Name, National: r.National, CreatedAt: r.CreatedAt.UTC()}
}

type userRow struct {
	bun.BaseModel `bun:"table:users"`

	ID                 string    `bun:"id,pk"`
	Email              string    `bun:"email"`
	Name               string    `bun:"name"`
	PasswordHash       string    `bun:"password_hash"`
	Disabled           bool      `bun:"disabled"`
	MustChangePassword bool      `bun:"must_change_password"`
	CreatedAt          time.Time `bun:"created_at"`
	UpdatedAt          time.Time `bun:"updated_at"`
}

func (r userRow) toCore() identity.User {
	return identity.User{ID: r.ID, Email: r.Email, Name: r.Name, PasswordHash: r.PasswordHash, Disabled: r.Disabled,
		MustChangePassword: r.MustChangePassword, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type grantRow struct {
	bun.BaseModel `bun:"table:grants"`

	UserID        string    `bun:"user_id,pk"`
	AuthorityID   string    `bun:"authority_id,pk"`
	Role          string    `bun:"role,pk"`
	CreatedAt     time.Time `bun:"created_at"`
	AuthorityCode string    `bun:"authority_code,scanonly"`
	AuthorityName string    `bun:"authority_name,scanonly"`
	National      bool      `bun:"authority_national,scanonly"`
}

func (r grantRow) toCore() identity.Grant {
	return identity.Grant{UserID: r.UserID, AuthorityID: r.AuthorityID, AuthorityCode: r.AuthorityCode,
		AuthorityName: r.AuthorityName, AuthorityNational: r.National, Role: principal.Role(r.Role), CreatedAt: r.CreatedAt.UTC()}
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`

	ID        string     `bun:"id,pk"`
	UserID    string     `bun:"user_id"`
	TokenHash string     `bun:"token_hash"`
	CreatedAt time.Time  `bun:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at"`
	RevokedAt *time.Time `bun:"revoked_at"`
}

// CreateAuthority inserts a.
func (s Identity) CreateAuthority(ctx context.Context, a identity.Authority) error {
	row := authorityRow{ID: a.ID, Code: a.Code, Name: a.Name, National: a.National, CreatedAt: a.CreatedAt}
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return conflict("an authority with code %s already exists", a.Code)
		}
		return fmt.Errorf("insert authority: %w", err)
	}
	return nil
}

func (s Identity) authorityBy(ctx context.Context, col, val string) (identity.Authority, error) {
	var row authorityRow
	if err := s.idb(ctx).NewSelect().Model(&row).Where("? = ?", bun.Ident(col), val).Scan(ctx); err != nil {
		return identity.Authority{}, notFound(err, identity.ErrNotFound)
	}
	return row.toCore(), nil
}

// AuthorityByCode returns the authority with code.
func (s Identity) AuthorityByCode(ctx context.Context, code string) (identity.Authority, error) {
	return s.authorityBy(ctx, "code", code)
}

// AuthorityByID returns the authority with id.
func (s Identity) AuthorityByID(ctx context.Context, id string) (identity.Authority, error) {
	return s.authorityBy(ctx, "id", id)
}

// ListAuthorities returns all authorities by code.
func (s Identity) ListAuthorities(ctx context.Context) ([]identity.Authority, error) {
	var rows []authorityRow
	if err := s.idb(ctx).NewSelect().Model(&rows).OrderExpr("code").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list authorities: %w", err)
	}
	out := make([]identity.Authority, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

// CreateUser inserts u.
func (s Identity) CreateUser(ctx context.Context, u identity.User) error {
	row := userRow{ID: u.ID, Email: u.Email, Name: u.Name, PasswordHash: u.PasswordHash, Disabled: u.Disabled,
		MustChangePassword: u.MustChangePassword, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return conflict("a user with email %s already exists", u.Email)
		}
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

func (s Identity) userBy(ctx context.Context, col, val string) (identity.User, error) {
	var row userRow
	if err := s.idb(ctx).NewSelect().Model(&row).Where("? = ?", bun.Ident(col), val).Scan(ctx); err != nil {
		return identity.User{}, notFound(err, identity.ErrNotFound)
	}
	return row.toCore(), nil
}

// UserByEmail returns the user with the (normalised) email.
func (s Identity) UserByEmail(ctx context.Context, email string) (identity.User, error) {
	return s.userBy(ctx, "email", email)
}

// UserByID returns the user with id.
func (s Identity) UserByID(ctx context.Context, id string) (identity.User, error) {
	return s.userBy(ctx, "id", id)
}

// SetPassword replaces the password hash and the must-change flag.
func (s Identity) SetPassword(ctx context.Context, userID, hash string, mustChange bool, at time.Time) error {
	res, err := s.idb(ctx).NewUpdate().Table("users").Set("password_hash = ?", hash).
		Set("must_change_password = ?", mustChange).Set("updated_at = ?", at).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return identity.ErrNotFound
	}
	return nil
}

func (s Identity) grantsQuery(ctx context.Context, rows *[]grantRow) *bun.SelectQuery {
	return s.idb(ctx).NewSelect().Model(rows).
		ColumnExpr("g.user_id, g.authority_id, g.role, g.created_at").
		ColumnExpr("a.code AS authority_code, a.name AS authority_name, a.national AS authority_national").
		ModelTableExpr("grants AS g").Join("JOIN authorities AS a ON a.id = g.authority_id").
		OrderExpr("a.code, g.role")
}

// ListUsersInAuthority lists users with grants in the authority, with those grants.
func (s Identity) ListUsersInAuthority(ctx context.Context, authorityID string) ([]identity.UserWithGrants, error) {
	var grants []grantRow
	if err := s.grantsQuery(ctx, &grants).Where("g.authority_id = ?", authorityID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list grants: %w", err)
	}
	byUser := map[string][]identity.Grant{}
	var userIDs []string
	for _, g := range grants {
		if _, seen := byUser[g.UserID]; !seen {
			userIDs = append(userIDs, g.UserID)
		}
		byUser[g.UserID] = append(byUser[g.UserID], g.toCore())
	}
	if len(userIDs) == 0 {
		return nil, nil
	}
	var users []userRow
	if err := s.idb(ctx).NewSelect().Model(&users).Where("id IN (?)", bun.List(userIDs)).OrderExpr("email").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]identity.UserWithGrants, len(users))
	for i, u := range users {
		out[i] = identity.UserWithGrants{User: u.toCore(), Grants: byUser[u.ID]}
	}
	return out, nil
}

// AddGrant inserts a grant unless it exists.
func (s Identity) AddGrant(ctx context.Context, g identity.Grant) (bool, error) {
	row := grantRow{UserID: g.UserID, AuthorityID: g.AuthorityID, Role: string(g.Role), CreatedAt: g.CreatedAt}
	res, err := s.idb(ctx).NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("insert grant: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RemoveGrant deletes a grant.
func (s Identity) RemoveGrant(ctx context.Context, g identity.Grant) (bool, error) {
	res, err := s.idb(ctx).NewDelete().Table("grants").
		Where("user_id = ? AND authority_id = ? AND role = ?", g.UserID, g.AuthorityID, string(g.Role)).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("delete grant: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// GrantsOf returns a user's grants in every authority.
func (s Identity) GrantsOf(ctx context.Context, userID string) ([]identity.Grant, error) {
	var rows []grantRow
	if err := s.grantsQuery(ctx, &rows).Where("g.user_id = ?", userID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("grants of %s: %w", userID, err)
	}
	return grantsToCore(rows), nil
}

// AllGrants returns every grant.
func (s Identity) AllGrants(ctx context.Context) ([]identity.Grant, error) {
	var rows []grantRow
	if err := s.grantsQuery(ctx, &rows).Scan(ctx); err != nil {
		return nil, fmt.Errorf("all grants: %w", err)
	}
	return grantsToCore(rows), nil
}

func grantsToCore(rows []grantRow) []identity.Grant {
	out := make([]identity.Grant, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out
}

// CreateSession inserts a session.
func (s Identity) CreateSession(ctx context.Context, sess identity.Session) error {
	row := sessionRow{ID: sess.ID, UserID: sess.UserID, TokenHash: sess.TokenHash, CreatedAt: sess.CreatedAt, ExpiresAt: sess.ExpiresAt}
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// SessionByTokenHash returns the session with the token hash.
func (s Identity) SessionByTokenHash(ctx context.Context, hash string) (identity.Session, error) {
	var row sessionRow
	if err := s.idb(ctx).NewSelect().Model(&row).Where("token_hash = ?", hash).Scan(ctx); err != nil {
		return identity.Session{}, notFound(err, identity.ErrNotFound)
	}
	out := identity.Session{ID: row.ID, UserID: row.UserID, TokenHash: row.TokenHash, CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC()}
	if row.RevokedAt != nil {
		t := row.RevokedAt.UTC()
		out.RevokedAt = &t
	}
	return out, nil
}

// RevokeUserSessions revokes the user's live sessions except one.
func (s Identity) RevokeUserSessions(ctx context.Context, userID, except string, at time.Time) (int, error) {
	res, err := s.idb(ctx).NewUpdate().Table("sessions").Set("revoked_at = ?", at).
		Where("user_id = ? AND id <> ? AND revoked_at IS NULL", userID, except).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of %s: %w", userID, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RevokeSession marks a session revoked.
func (s Identity) RevokeSession(ctx context.Context, id string, at time.Time) error {
	if _, err := s.idb(ctx).NewUpdate().Table("sessions").Set("revoked_at = ?", at).
		Where("id = ? AND revoked_at IS NULL", id).Exec(ctx); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}
