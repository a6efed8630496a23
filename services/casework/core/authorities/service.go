package authorities

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// Limits on a profile's logo.
const (
	MaxLogoBytes = 256 << 10
	MaxLogoSide  = 2000
)

// Service reads and changes authority profiles.
type Service struct {
	store Store
	dir   Directory
	tx    txn.Runner
	log   audit.Log
	now   func() time.Time
}

// NewService wires the profile service.
func NewService(store Store, dir Directory, tx txn.Runner, log audit.Log, now func() time.Time) *Service {
	return &Service{store: store, dir: dir, tx: tx, log: log, now: now}
}

// Input is a whole profile as the admin sends it.
type Input struct {
	FullName                   string
	Address                    []string
	Phone                      string
	Email                      string
	Website                    string
	Logo                       []byte
	OnBehalfOfSecretaryOfState bool
	Payment                    *Payment
	DeemedService              map[string]int
	EvidenceRetentionDays      int
}

// Get returns the profile of the authority with code, as the caller may see
// it: their own authority's, or any when they act in a national authority.
// An authority that never saved a profile has an empty one with its name.
func (s *Service) Get(ctx context.Context, code string) (Profile, error) {
	a, err := s.authority(ctx, code)
	if err != nil {
		return Profile{}, err
	}
	return s.ByID(ctx, a.ID)
}

// ByID returns an authority's profile without an access check (for
// rendering the authority's own documents).
func (s *Service) ByID(ctx context.Context, id string) (Profile, error) {
	a, err := s.dir.AuthorityByID(ctx, id)
	if err != nil {
		return Profile{}, fmt.Errorf("authority %s: %w", id, err)
	}
	p, err := s.store.Profile(ctx, a.ID)
	if errors.Is(err, ErrNotFound) {
		p, err = Profile{AuthorityID: a.ID}, nil
	}
	if err != nil {
		return Profile{}, fmt.Errorf("profile of %s: %w", a.Code, err)
	}
	p.AuthorityCode, p.Name, p.National = a.Code, a.Name, a.National
	return p, nil
}

// authority resolves code for the caller: their acting authority, or any
// authority when acting in a national one. Others are NotFound.
func (s *Service) authority(ctx context.Context, code string) (Authority, error) {
	pr, _ := principal.From(ctx)
	code = strings.ToUpper(strings.TrimSpace(code))
	nf := apperr.New(apperr.NotFound, "no authority with code %q", code)
	if code != pr.Authority.Code && !pr.Authority.National {
		return Authority{}, nf
	}
	a, err := s.dir.AuthorityByCode(ctx, code)
	if err != nil {
		return Authority{}, nf
	}
	return a, nil
}

// Put replaces the profile of the authority with code. Only an admin of that
// authority, or of a national one, may (the route checks the role).
func (s *Service) Put(ctx context.Context, code string, in Input) (Profile, error) {
	pr, _ := principal.From(ctx)
	if !pr.Has(principal.Admin) {
		return Profile{}, apperr.New(apperr.Forbidden, "only an admin may change an authority's profile")
	}
	a, err := s.authority(ctx, code)
	if err != nil {
		return Profile{}, err
	}
	p, err := clean(in, a)
	if err != nil {
		return Profile{}, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		old, err := s.store.Profile(ctx, a.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		p.Version = old.Version + 1
		p.UpdatedAt, p.UpdatedBy = s.now().UTC(), pr.UserID
		if err := s.store.SaveProfile(ctx, p); err != nil {
			return err
		}
		return s.log.Record(ctx, audit.Event{Action: "authority.profile_update", ObjectType: "authority", ObjectID: a.ID,
			Authority: a.Code, Detail: auditDetail(p)})
	})
	if err != nil {
		return Profile{}, fmt.Errorf("update profile of %s: %w", a.Code, err)
	}
	p.AuthorityCode, p.Name, p.National = a.Code, a.Name, a.National
	return p, nil
}

// auditDetail is the whole new profile, the logo by its hash.
func auditDetail(p Profile) map[string]any {
	d := map[string]any{"full_name": p.FullName, "address": p.Address, "phone": p.Phone, "email": p.Email,
		"website": p.Website, "on_behalf_of_secretary_of_state": p.OnBehalfOfSecretaryOfState,
		"deemed_service_days": p.DeemedService, "evidence_retention_days": p.EvidenceRetentionDays, "version": p.Version}
	if p.Logo != nil {
		sum := sha256.Sum256(p.Logo)
		d["logo_sha256"] = hex.EncodeToString(sum[:])
	}
	if pay := p.Payment; pay != nil {
		d["payment"] = map[string]any{"bank": pay.Bank, "account_name": pay.AccountName, "sort_code": pay.SortCode,
			"account_number": pay.AccountNumber}
	}
	return d
}

var (
	phoneRe   = regexp.MustCompile(`^\+?[0-9 ()-]{6,30}$`)
	sortRe    = regexp.MustCompile(`^([0-9]{2})-?([0-9]{2})-?([0-9]{2})$`)
	accountRe = regexp.MustCompile(`^[0-9]{8}$`)
)

// MaxRetentionDays bounds an authority's evidence retention (a century).
const MaxRetentionDays = 36500

// clean validates in into a profile of a, naming every bad field.
func clean(in Input, a Authority) (Profile, error) {
	var fe apperr.Fields
	p := Profile{AuthorityID: a.ID, FullName: strings.TrimSpace(in.FullName), Phone: strings.TrimSpace(in.Phone),
		Email: strings.TrimSpace(in.Email), Website: strings.TrimSpace(in.Website),
		OnBehalfOfSecretaryOfState: in.OnBehalfOfSecretaryOfState, EvidenceRetentionDays: in.EvidenceRetentionDays}
	// Up to a century: a compliance lock cannot be shortened once written.
	fe.Check(in.EvidenceRetentionDays < 0 || in.EvidenceRetentionDays > MaxRetentionDays, "evidence_retention_days",
		"must be 0 (the deployment default) to %d days", MaxRetentionDays)
	fe.Check(p.FullName == "" || len(p.FullName) > 200, "full_name", "must be 1 to 200 characters")
	for i, l := range in.Address {
		l = strings.TrimSpace(l)
		if l == "" || len(l) > 120 {
			fe.Add(fmt.Sprintf("address[%d]", i), "must be 1 to 120 characters")
			continue
		}
		p.Address = append(p.Address, l)
	}
	fe.Check(len(in.Address) == 0 || len(in.Address) > 8, "address", "give the postal address in 1 to 8 lines")
	fe.Check(p.Phone != "" && !phoneRe.MatchString(p.Phone), "phone", "must be a telephone number (digits, spaces, +, - and brackets)")
	if p.Email != "" {
		addr, err := mail.ParseAddress(p.Email)
		fe.Check(err != nil || addr.Address != p.Email || len(p.Email) > 254, "email", "must be a plain email address")
	}
	if p.Website != "" {
		u, err := url.Parse(p.Website)
		fe.Check(err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(p.Website) > 200,
			"website", "must be an http(s) address of at most 200 characters")
	}
	fe.Check(p.OnBehalfOfSecretaryOfState && !a.National, "on_behalf_of_secretary_of_state",
		"only a national authority acts on behalf of the Secretary of State")
	if len(in.Logo) > 0 {
		logo, err := normaliseLogo(in.Logo)
		if err != nil {
			fe.Add("logo_png", "%s", err.Error())
		}
		p.Logo = logo
	}
	if pay := in.Payment; pay != nil {
		c := Payment{Bank: strings.TrimSpace(pay.Bank), AccountName: strings.TrimSpace(pay.AccountName),
			SortCode: strings.TrimSpace(pay.SortCode), AccountNumber: strings.ReplaceAll(strings.TrimSpace(pay.AccountNumber), " ", "")}
		fe.Check(c.Bank == "" || len(c.Bank) > 100, "payment.bank", "must be 1 to 100 characters")
		fe.Check(c.AccountName == "" || len(c.AccountName) > 100, "payment.account_name", "must be 1 to 100 characters")
		if m := sortRe.FindStringSubmatch(c.SortCode); m != nil {
			c.SortCode = m[1] + "-" + m[2] + "-" + m[3]
		} else {
			fe.Add("payment.sort_code", "must be six digits, e.g. 12-34-56")
		}
		fe.Check(!accountRe.MatchString(c.AccountNumber), "payment.account_number", "must be eight digits")
		p.Payment = &c
	}
	if len(in.DeemedService) > 0 {
		p.DeemedService = map[string]int{}
		for m, days := range in.DeemedService {
			if !slices.Contains(ServiceMethods, m) {
				fe.Add("deemed_service_days."+m, "is not a method of service: use %s", strings.Join(ServiceMethods, ", "))
				continue
			}
			fe.Check(days < 0 || days > 10, "deemed_service_days."+m, "must be 0 to 10 business days")
			p.DeemedService[m] = days
		}
	}
	return p, fe.Err()
}

// normaliseLogo checks that b is a PNG of bounded size and re-encodes it as
// a plain 8-bit, non-interlaced PNG, which every PDF writer embeds.
func normaliseLogo(b []byte) ([]byte, error) {
	if len(b) > MaxLogoBytes {
		return nil, fmt.Errorf("must be at most %d KiB", MaxLogoBytes>>10)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, errors.New("is not a PNG image")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return nil, fmt.Errorf("must be at most %d pixels on each side", MaxLogoSide)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, errors.New("is not a complete PNG image")
	}
	rgba := image.NewNRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	var out bytes.Buffer
	if err := png.Encode(&out, rgba); err != nil {
		return nil, fmt.Errorf("could not be re-encoded: %w", err)
	}
	return out.Bytes(), nil
}
