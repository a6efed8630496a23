package bunstore

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/services/casework/core/cases"
)

// Directory answers the case service's questions about other registers.
type Directory struct{ *Store }

var _ cases.Directory = Directory{}

// ExistingProducts reports which product ids exist.
func (d Directory) ExistingProducts(ctx context.Context, ids []string) (map[string]bool, error) {
	return Registers(d).ExistingProducts(ctx, ids)
}

// OperatorExists reports whether the operator exists.
func (d Directory) OperatorExists(ctx context.Context, id string) (bool, error) {
	n, err := d.idb(ctx).NewSelect().Table("operators").Where("id = ?", id).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("check operator: %w", err)
	}
	return n > 0, nil
}

// UserRoles lists a user's roles in an authority.
func (d Directory) UserRoles(ctx context.Context, userID, authorityID string) ([]string, error) {
	var roles []string
	if err := d.idb(ctx).NewSelect().Table("grants").Column("role").
		Where("user_id = ? AND authority_id = ?", userID, authorityID).Scan(ctx, &roles); err != nil {
		return nil, fmt.Errorf("user roles: %w", err)
	}
	return roles, nil
}

// AuthorityByCode resolves an authority code.
func (d Directory) AuthorityByCode(ctx context.Context, code string) (string, error) {
	a, err := Identity(d).AuthorityByCode(ctx, code)
	if err != nil {
		return "", err
	}
	return a.ID, nil
}

// SoleTraders reports which of the operators are sole traders.
func (d Directory) SoleTraders(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var found []string
	if err := d.idb(ctx).NewSelect().Table("operators").Column("id").Where("id IN (?)", bun.List(ids)).Where("sole_trader = ?", true).
		Scan(ctx, &found); err != nil {
		return nil, fmt.Errorf("sole traders: %w", err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}
