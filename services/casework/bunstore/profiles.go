package bunstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
)

// Profiles stores authority profiles.
type Profiles struct{ *Store }

var _ authorities.Store = Profiles{}

type profileRow struct {
	bun.BaseModel `bun:"table:authority_profiles"`

	AuthorityID   string    `bun:"authority_id,pk"`
	FullName      string    `bun:"full_name"`
	Address       string    `bun:"address"`
	Phone         string    `bun:"phone"`
	Email         string    `bun:"email"`
	Website       string    `bun:"website"`
	Logo          []byte    `bun:"logo_png"`
	OnBehalfOfSoS bool      `bun:"on_behalf_of_sos"`
	Payment       *string   `bun:"payment"`
	DeemedService string    `bun:"deemed_service"`
	RetentionDays int       `bun:"evidence_retention_days"`
	UpdatedAt     time.Time `bun:"updated_at"`
	UpdatedBy     string    `bun:"updated_by"`
	Version       int       `bun:"version"`
}

// paymentJSON is the payment column.
type paymentJSON struct {
	Bank          string `json:"bank"`
	AccountName   string `json:"account_name"`
	SortCode      string `json:"sort_code"`
	AccountNumber string `json:"account_number"`
}

// Profile returns an authority's profile.
func (s Profiles) Profile(ctx context.Context, authorityID string) (authorities.Profile, error) {
	var r profileRow
	if err := s.idb(ctx).NewSelect().Model(&r).Where("authority_id = ?", authorityID).Scan(ctx); err != nil {
		return authorities.Profile{}, notFound(err, authorities.ErrNotFound)
	}
	p := authorities.Profile{AuthorityID: r.AuthorityID, FullName: r.FullName, Phone: r.Phone, Email: r.Email,
		Website: r.Website, OnBehalfOfSecretaryOfState: r.OnBehalfOfSoS, UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy,
		Version: r.Version, EvidenceRetentionDays: r.RetentionDays}
	if len(r.Logo) > 0 {
		p.Logo = r.Logo
	}
	if err := json.Unmarshal([]byte(r.Address), &p.Address); err != nil {
		return authorities.Profile{}, fmt.Errorf("profile address of %s: %w", authorityID, err)
	}
	if err := json.Unmarshal([]byte(r.DeemedService), &p.DeemedService); err != nil {
		return authorities.Profile{}, fmt.Errorf("profile deemed service of %s: %w", authorityID, err)
	}
	if r.Payment != nil {
		var pj paymentJSON
		if err := json.Unmarshal([]byte(*r.Payment), &pj); err != nil {
			return authorities.Profile{}, fmt.Errorf("profile payment of %s: %w", authorityID, err)
		}
		p.Payment = &authorities.Payment{Bank: pj.Bank, AccountName: pj.AccountName, SortCode: pj.SortCode, AccountNumber: pj.AccountNumber}
	}
	return p, nil
}

// SaveProfile inserts or replaces an authority's profile.
func (s Profiles) SaveProfile(ctx context.Context, p authorities.Profile) error {
	deemed := p.DeemedService
	if deemed == nil {
		deemed = map[string]int{}
	}
	ds, _ := json.Marshal(deemed)
	r := profileRow{AuthorityID: p.AuthorityID, FullName: p.FullName, Address: jsonList(p.Address), Phone: p.Phone, Email: p.Email,
		Website: p.Website, Logo: p.Logo, OnBehalfOfSoS: p.OnBehalfOfSecretaryOfState, DeemedService: string(ds),
		RetentionDays: p.EvidenceRetentionDays,
		UpdatedAt:     p.UpdatedAt, UpdatedBy: p.UpdatedBy, Version: p.Version}
	if pay := p.Payment; pay != nil {
		b, _ := json.Marshal(paymentJSON(*pay))
		str := string(b)
		r.Payment = &str
	}
	_, err := s.idb(ctx).NewInsert().Model(&r).On("CONFLICT (authority_id) DO UPDATE").
		Set("full_name = EXCLUDED.full_name, address = EXCLUDED.address, phone = EXCLUDED.phone").
		Set("email = EXCLUDED.email, website = EXCLUDED.website, logo_png = EXCLUDED.logo_png").
		Set("on_behalf_of_sos = EXCLUDED.on_behalf_of_sos, payment = EXCLUDED.payment").
		Set("deemed_service = EXCLUDED.deemed_service, updated_at = EXCLUDED.updated_at").
		Set("evidence_retention_days = EXCLUDED.evidence_retention_days").
		Set("updated_by = EXCLUDED.updated_by, version = EXCLUDED.version").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save authority profile: %w", err)
	}
	return nil
}
