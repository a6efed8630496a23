// Package authorities holds what an enforcement authority prints on the
// documents it gives: its letterhead (full name, postal address, contact
// details, logo), the payment details of its penalty notices and the days
// after which a notice is deemed served by each method of service.
package authorities

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by stores when an authority has no profile yet.
var ErrNotFound = errors.New("authority profile not found")

// SecretaryOfState is printed under a national authority's name when the
// profile says it acts for the Secretary of State: under s.26 of the PSTI
// Act the enforcement powers are the Secretary of State's, exercised by OPSS.
const SecretaryOfState = "on behalf of the Secretary of State"

// Profile is an authority's letterhead, payment and service settings.
type Profile struct {
	AuthorityID   string
	AuthorityCode string
	// Name is the authority's registered short name (read only here).
	Name     string
	National bool

	FullName string
	Address  []string // postal address, one line each
	Phone    string
	Email    string
	Website  string
	// Logo is a PNG printed at the top left of the letterhead (nil: none).
	Logo []byte
	// OnBehalfOfSecretaryOfState prints SecretaryOfState under the name
	// (national authorities only).
	OnBehalfOfSecretaryOfState bool
	Payment                    *Payment
	// DeemedService overrides DefaultDeemedService per method.
	DeemedService map[string]int
	// EvidenceRetentionDays is how long the authority's exhibits are kept
	// under Object Lock where the evidence store supports it; 0 means the
	// deployment default.
	EvidenceRetentionDays int

	UpdatedAt time.Time
	UpdatedBy string
	Version   int
}

// Payment is where penalties are paid.
type Payment struct {
	Bank          string
	AccountName   string
	SortCode      string // "12-34-56"
	AccountNumber string // 8 digits
}

// DisplayName is the name the letterhead prints: the full name if set.
func (p Profile) DisplayName() string {
	if p.FullName != "" {
		return p.FullName
	}
	return p.Name
}

// Contact lists the letterhead's contact lines ("Telephone 01622 …").
func (p Profile) Contact() []string {
	var out []string
	for _, c := range []struct{ label, v string }{{"Telephone", p.Phone}, {"Email", p.Email}, {"Web", p.Website}} {
		if c.v != "" {
			out = append(out, c.label+" "+c.v)
		}
	}
	return out
}

// Store persists profiles; methods join the transaction in ctx.
type Store interface {
	// Profile returns the authority's profile, ErrNotFound when none was saved.
	Profile(ctx context.Context, authorityID string) (Profile, error)
	SaveProfile(ctx context.Context, p Profile) error
}

// Authority is an authority as the directory knows it.
type Authority struct {
	ID       string
	Code     string
	Name     string
	National bool
}

// Directory finds authorities by code or id.
type Directory interface {
	AuthorityByCode(ctx context.Context, code string) (Authority, error)
	AuthorityByID(ctx context.Context, id string) (Authority, error)
}
