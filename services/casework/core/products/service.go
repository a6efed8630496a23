package products

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/gs1"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// ChangeHook is told, inside the transaction, that a product changed (the
// search outbox uses it).
type ChangeHook func(ctx context.Context, productID string) error

// Service manages the product register.
type Service struct {
	store    Store
	tx       txn.Runner
	log      audit.Log
	now      func() time.Time
	onChange []ChangeHook
}

// NewService wires the product service.
func NewService(store Store, tx txn.Runner, log audit.Log, now func() time.Time) *Service {
	return &Service{store: store, tx: tx, log: log, now: now}
}

// OnChange registers a hook run in the transaction of every product write.
func (s *Service) OnChange(h ChangeHook) { s.onChange = append(s.onChange, h) }

// Input is a create or a partial update; nil fields are left unchanged.
type Input struct {
	Brand            *string
	Model            *string
	Variants         *[]string
	GTIN             *string
	Category         *string
	FirmwareVersions *[]string
	Connectable      *bool
	Excepted         *bool
	ExceptedReason   *string
	SoC              *SoC
	Support          *SupportInput
}

// SupportInput records a newly observed defined support period.
type SupportInput struct {
	EndDate time.Time
	Where   string
	URL     string
}

// Create records a new product.
func (s *Service) Create(ctx context.Context, in Input) (Product, error) {
	var fe apperr.Fields
	fe.Check(in.Brand == nil || strings.TrimSpace(*in.Brand) == "", "brand", "is required")
	fe.Check(in.Model == nil || strings.TrimSpace(*in.Model) == "", "model", "is required")
	if err := fe.Err(); err != nil {
		return Product{}, err
	}
	now := s.now().UTC()
	p := Product{ID: ids.New(), Connectable: true, CreatedAt: now, UpdatedAt: now, Version: 1}
	if pr, ok := principal.From(ctx); ok {
		p.CreatedBy = pr.Authority.Code
	}
	if _, err := apply(&p, in, now, actor(ctx)); err != nil {
		return Product{}, err
	}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateProduct(ctx, p); err != nil {
			return err
		}
		return s.changed(ctx, p, "product.create", detail(p))
	})
	if err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	return s.Get(ctx, p.ID)
}

// Get returns a product with its support-period history.
func (s *Service) Get(ctx context.Context, id string) (Product, error) {
	if !ids.Valid(id) {
		return Product{}, apperr.New(apperr.NotFound, "no product %q", id)
	}
	p, err := s.store.GetProduct(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Product{}, apperr.New(apperr.NotFound, "no product %q", id)
	}
	return p, err
}

// Update applies a partial update; version, when non-zero, must match.
func (s *Service) Update(ctx context.Context, id string, version int, in Input) (Product, error) {
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		p, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != p.Version {
			return apperr.New(apperr.PreconditionFailed, "product %s is at version %d, not %d", id, p.Version, version)
		}
		now := s.now().UTC()
		period, err := apply(&p, in, now, actor(ctx))
		if err != nil {
			return err
		}
		p.Version++
		p.UpdatedAt = now
		if err := s.store.UpdateProduct(ctx, p, period); err != nil {
			return err
		}
		d := detail(p)
		if period != nil {
			d["support_end_date"] = period.EndDate.Format(time.DateOnly)
			d["support_shortened"] = period.Shortened
		}
		return s.changed(ctx, p, "product.update", d)
	})
	if err != nil {
		return Product{}, fmt.Errorf("update product %s: %w", id, err)
	}
	return s.Get(ctx, id)
}

// List returns a page of products.
func (s *Service) List(ctx context.Context, f Filter) ([]Product, error) {
	return s.store.ListProducts(ctx, f)
}

// Existing returns which ids name products.
func (s *Service) Existing(ctx context.Context, ids []string) (map[string]bool, error) {
	return s.store.ExistingProducts(ctx, ids)
}

func (s *Service) changed(ctx context.Context, p Product, action string, d map[string]any) error {
	for _, h := range s.onChange {
		if err := h(ctx, p.ID); err != nil {
			return err
		}
	}
	return s.log.Record(ctx, audit.Event{Action: action, ObjectType: "product", ObjectID: p.ID, Detail: d})
}

func actor(ctx context.Context) string {
	p, _ := principal.From(ctx)
	return p.Actor()
}

func detail(p Product) map[string]any {
	return map[string]any{"brand": p.Brand, "model": p.Model, "gtin": p.GTIN, "category": p.Category,
		"connectable": p.Connectable, "excepted": p.Excepted, "soc_present": p.SoC.Present, "version": p.Version}
}

// apply validates in and copies it onto p; it returns the support period to
// append, if a new one was given.
func apply(p *Product, in Input, now time.Time, by string) (*SupportPeriod, error) {
	var fe apperr.Fields
	fe.Text("brand", &p.Brand, in.Brand, 200)
	fe.Text("model", &p.Model, in.Model, 200)
	fe.Text("category", &p.Category, in.Category, 100)
	fe.Text("excepted_reason", &p.ExceptedReason, in.ExceptedReason, 2000)
	if in.Brand != nil && p.Brand == "" {
		fe.Add("brand", "must not be empty")
	}
	if in.Model != nil && p.Model == "" {
		fe.Add("model", "must not be empty")
	}
	if in.GTIN != nil {
		switch g, ok := gs1.Normalize(*in.GTIN); {
		case g == "":
			p.GTIN = ""
		case !ok:
			fe.Add("gtin", "is not a valid GTIN-8/12/13/14 (check digit or length)")
		default:
			p.GTIN = g
		}
	}
	if in.Variants != nil {
		p.Variants = cleanList(&fe, "variants", *in.Variants)
	}
	if in.FirmwareVersions != nil {
		p.FirmwareVersions = cleanList(&fe, "firmware_versions", *in.FirmwareVersions)
	}
	if in.Connectable != nil {
		p.Connectable = *in.Connectable
	}
	if in.Excepted != nil {
		p.Excepted = *in.Excepted
	}
	if p.Excepted && p.ExceptedReason == "" {
		fe.Add("excepted_reason", "is required when the product is in an excepted category (PSTI Sch 3)")
	}
	if in.SoC != nil {
		soc := *in.SoC
		soc.Standard, soc.Version, soc.Signatory = strings.TrimSpace(soc.Standard), strings.TrimSpace(soc.Version), strings.TrimSpace(soc.Signatory)
		if !soc.Present && (soc.Standard != "" || soc.Signatory != "") {
			fe.Add("soc.present", "must be true when the statement's details are given")
		}
		if soc.Date != nil && soc.Date.After(now) {
			fe.Add("soc.date", "must not be in the future")
		}
		p.SoC = soc
	}
	var period *SupportPeriod
	if in.Support != nil {
		sp := in.Support
		if sp.EndDate.IsZero() {
			fe.Add("support_period.end_date", "is required")
		}
		if sp.URL != "" {
			if u, err := url.Parse(sp.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				fe.Add("support_period.url", "must be an http(s) URL")
			}
		}
		period = &SupportPeriod{EndDate: sp.EndDate.UTC(), Where: strings.TrimSpace(sp.Where), URL: sp.URL, RecordedAt: now, RecordedBy: by}
		if p.Support != nil && period.EndDate.Before(p.Support.EndDate) {
			period.Shortened = true
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if period != nil {
		p.Support = period
		p.History = append(p.History, *period)
	}
	return period, nil
}

func cleanList(fe *apperr.Fields, field string, in []string) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, v := range in {
		v = strings.TrimSpace(v)
		if v == "" || len(v) > 100 {
			fe.Add(fmt.Sprintf("%s[%d]", field, i), "must be 1 to 100 characters")
			continue
		}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if len(out) > 50 {
		fe.Add(field, "must have at most 50 items")
	}
	return out
}
