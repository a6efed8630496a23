package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

type loginFailureRow struct {
	bun.BaseModel `bun:"table:login_failures"`

	Key           string    `bun:"throttle_key,pk"`
	Failures      int       `bun:"failures"`
	LastFailureAt time.Time `bun:"last_failure_at"`
}

// LoginFailures returns the failure count under key (zero when none).
func (s Identity) LoginFailures(ctx context.Context, key string) (identity.LoginFailures, error) {
	var row loginFailureRow
	err := s.idb(ctx).NewSelect().Model(&row).Where("throttle_key = ?", key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.LoginFailures{}, nil
	}
	if err != nil {
		return identity.LoginFailures{}, fmt.Errorf("read login failures: %w", err)
	}
	return identity.LoginFailures{Count: row.Failures, Last: row.LastFailureAt.UTC()}, nil
}

// AddLoginFailure counts a failure in one statement (the row lock orders
// concurrent writers), then drops keys forgotten since forgetBefore.
func (s Identity) AddLoginFailure(ctx context.Context, key string, at time.Time, restart bool, forgetBefore time.Time) (int, error) {
	next := "login_failures.failures + 1"
	if restart {
		next = "1"
	}
	var n int
	err := s.idb(ctx).NewRaw(`INSERT INTO login_failures (throttle_key, failures, last_failure_at) VALUES (?, 1, ?)
		ON CONFLICT (throttle_key) DO UPDATE SET failures = `+next+`, last_failure_at = excluded.last_failure_at
		RETURNING failures`, key, at).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("count login failure: %w", err)
	}
	if _, err := s.idb(ctx).NewDelete().Table("login_failures").Where("last_failure_at < ?", forgetBefore).Exec(ctx); err != nil {
		return 0, fmt.Errorf("forget old login failures: %w", err)
	}
	return n, nil
}

// ClearLoginFailures forgets key.
func (s Identity) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := s.idb(ctx).NewDelete().Table("login_failures").Where("throttle_key = ?", key).Exec(ctx); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

type invitationRow struct {
	bun.BaseModel `bun:"table:invitations,alias:i"`

	ID            string     `bun:"id,pk"`
	UserID        string     `bun:"user_id"`
	AuthorityID   string     `bun:"authority_id"`
	Email         string     `bun:"email"`
	Name          string     `bun:"name"`
	Roles         string     `bun:"roles"`
	InvitedBy     string     `bun:"invited_by"`
	CodeHash      string     `bun:"code_hash"`
	Status        string     `bun:"status"`
	CreatedAt     time.Time  `bun:"created_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	RespondedAt   *time.Time `bun:"responded_at"`
	AuthorityCode string     `bun:"authority_code,scanonly"`
	AuthorityName string     `bun:"authority_name,scanonly"`
	InvitedByName string     `bun:"invited_by_name,scanonly"`
}

func (r invitationRow) toCore() identity.Invitation {
	inv := identity.Invitation{ID: r.ID, UserID: r.UserID, AuthorityID: r.AuthorityID, AuthorityCode: r.AuthorityCode,
		AuthorityName: r.AuthorityName, Email: r.Email, Name: r.Name, InvitedBy: r.InvitedBy, InvitedByName: r.InvitedByName,
		CodeHash: r.CodeHash,
		Status:   identity.InvitationStatus(r.Status), CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
	for _, role := range strings.Split(r.Roles, ",") {
		if role != "" {
			inv.Roles = append(inv.Roles, principal.Role(role))
		}
	}
	if r.RespondedAt != nil {
		t := r.RespondedAt.UTC()
		inv.RespondedAt = &t
	}
	return inv
}

// CreateInvitation inserts inv.
func (s Identity) CreateInvitation(ctx context.Context, inv identity.Invitation) error {
	roles := make([]string, len(inv.Roles))
	for i, r := range inv.Roles {
		roles[i] = string(r)
	}
	row := invitationRow{ID: inv.ID, UserID: inv.UserID, AuthorityID: inv.AuthorityID, Email: inv.Email, Name: inv.Name,
		Roles: strings.Join(roles, ","), InvitedBy: inv.InvitedBy, CodeHash: inv.CodeHash, Status: string(inv.Status), CreatedAt: inv.CreatedAt,
		ExpiresAt: inv.ExpiresAt}
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert invitation: %w", err)
	}
	return nil
}

func (s Identity) invitationsQuery(ctx context.Context, rows *[]invitationRow) *bun.SelectQuery {
	return s.idb(ctx).NewSelect().Model(rows).ColumnExpr("i.*").
		ColumnExpr("a.code AS authority_code, a.name AS authority_name").
		ColumnExpr("COALESCE(u.name, '') AS invited_by_name").
		Join("JOIN authorities AS a ON a.id = i.authority_id").
		Join("LEFT JOIN users AS u ON u.id = i.invited_by")
}

// InvitationByID returns one invitation.
func (s Identity) InvitationByID(ctx context.Context, id string) (identity.Invitation, error) {
	var rows []invitationRow
	if err := s.invitationsQuery(ctx, &rows).Where("i.id = ?", id).Scan(ctx); err != nil {
		return identity.Invitation{}, fmt.Errorf("read invitation: %w", err)
	}
	if len(rows) == 0 {
		return identity.Invitation{}, identity.ErrNotFound
	}
	return rows[0].toCore(), nil
}

// Invitations lists invitations by user, authority and status, newest first.
func (s Identity) Invitations(ctx context.Context, f identity.InvitationFilter) ([]identity.Invitation, error) {
	var rows []invitationRow
	q := s.invitationsQuery(ctx, &rows).OrderExpr("i.created_at DESC, i.id DESC")
	if f.UserID != "" {
		q = q.Where("i.user_id = ?", f.UserID)
	}
	if f.AuthorityID != "" {
		q = q.Where("i.authority_id = ?", f.AuthorityID)
	}
	if f.Status != "" {
		q = q.Where("i.status = ?", string(f.Status))
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	out := make([]identity.Invitation, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

// SetInvitationStatus moves an invitation from one status to another.
func (s Identity) SetInvitationStatus(ctx context.Context, id string, from, to identity.InvitationStatus, at time.Time) (bool, error) {
	res, err := s.idb(ctx).NewUpdate().Table("invitations").Set("status = ?", string(to)).Set("responded_at = ?", at).
		Where("id = ? AND status = ?", id, string(from)).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("update invitation: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
