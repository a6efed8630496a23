// Package operators is the shared register of economic operators: the
// businesses that make, brand, import, distribute or sell products.
package operators

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// ErrNotFound is returned when no operator has the id.
var ErrNotFound = errors.New("operator not found")

// Operator is a business subject to PSTI duties.
type Operator struct {
	ID            string
	Name          string
	TradingNames  []string
	CompanyNumber string
	Address       string
	Country       string // ISO 3166-1 alpha-2
	Website       string
	VDPURL        string // where security issues are reported (PSTI Sch 1 para 2)
	// SoleTrader marks an individual trading in their own name: their name and
	// home address are personal data, redacted in reports and exports.
	SoleTrader bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// Filter selects operators.
type Filter struct {
	Q     string
	After string
	Limit int
}

// Store persists operators; methods join the transaction in ctx.
type Store interface {
	CreateOperator(ctx context.Context, o Operator) error
	GetOperator(ctx context.Context, id string) (Operator, error)
	UpdateOperator(ctx context.Context, o Operator) error
	ListOperators(ctx context.Context, f Filter) ([]Operator, error)
}

// Service manages the operator register.
type Service struct {
	store Store
	tx    txn.Runner
	log   audit.Log
	now   func() time.Time
}

// NewService wires the operator service.
func NewService(store Store, tx txn.Runner, log audit.Log, now func() time.Time) *Service {
	return &Service{store: store, tx: tx, log: log, now: now}
}

// Input is a create or partial update; nil fields are unchanged.
type Input struct {
	Name          *string
	TradingNames  *[]string
	CompanyNumber *string
	Address       *string
	Country       *string
	Website       *string
	VDPURL        *string
	SoleTrader    *bool
}

// Create records an operator.
func (s *Service) Create(ctx context.Context, in Input) (Operator, error) {
	if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
		return Operator{}, apperr.InvalidField("name", "is required")
	}
	now := s.now().UTC()
	o := Operator{ID: ids.New(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := apply(&o, in); err != nil {
		return Operator{}, err
	}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateOperator(ctx, o); err != nil {
			return err
		}
		return s.log.Record(ctx, audit.Event{Action: "operator.create", ObjectType: "operator", ObjectID: o.ID, Detail: detail(o)})
	})
	if err != nil {
		return Operator{}, fmt.Errorf("create operator: %w", err)
	}
	return o, nil
}

// Get returns an operator.
func (s *Service) Get(ctx context.Context, id string) (Operator, error) {
	if !ids.Valid(id) {
		return Operator{}, apperr.New(apperr.NotFound, "no operator %q", id)
	}
	o, err := s.store.GetOperator(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Operator{}, apperr.New(apperr.NotFound, "no operator %q", id)
	}
	return o, err
}

// Update applies a partial update; version, when non-zero, must match.
func (s *Service) Update(ctx context.Context, id string, version int, in Input) (Operator, error) {
	var out Operator
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		o, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != o.Version {
			return apperr.New(apperr.PreconditionFailed, "operator %s is at version %d, not %d", id, o.Version, version)
		}
		if err := apply(&o, in); err != nil {
			return err
		}
		o.Version++
		o.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateOperator(ctx, o); err != nil {
			return err
		}
		out = o
		return s.log.Record(ctx, audit.Event{Action: "operator.update", ObjectType: "operator", ObjectID: o.ID, Detail: detail(o)})
	})
	if err != nil {
		return Operator{}, fmt.Errorf("update operator %s: %w", id, err)
	}
	return out, nil
}

// List returns a page of operators.
func (s *Service) List(ctx context.Context, f Filter) ([]Operator, error) {
	return s.store.ListOperators(ctx, f)
}

func detail(o Operator) map[string]any {
	return map[string]any{"name": o.Name, "company_number": o.CompanyNumber, "country": o.Country,
		"sole_trader": o.SoleTrader, "version": o.Version}
}

func apply(o *Operator, in Input) error {
	var fe apperr.Fields
	fe.Text("name", &o.Name, in.Name, 300)
	fe.Text("company_number", &o.CompanyNumber, in.CompanyNumber, 40)
	fe.Text("address", &o.Address, in.Address, 1000)
	fe.Text("country", &o.Country, in.Country, 2)
	fe.Text("website", &o.Website, in.Website, 2000)
	fe.Text("vdp_url", &o.VDPURL, in.VDPURL, 2000)
	if in.Name != nil && o.Name == "" {
		fe.Add("name", "must not be empty")
	}
	o.Country = strings.ToUpper(o.Country)
	if o.Country != "" && (len(o.Country) != 2 || strings.Trim(o.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		fe.Add("country", "must be an ISO 3166-1 alpha-2 code such as GB or CN")
	}
	for field, v := range map[string]string{"website": o.Website, "vdp_url": o.VDPURL} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fe.Add(field, "must be an http(s) URL")
		}
	}
	if in.TradingNames != nil {
		o.TradingNames = o.TradingNames[:0]
		for i, n := range *in.TradingNames {
			n = strings.TrimSpace(n)
			if n == "" || len(n) > 300 {
				fe.Add(fmt.Sprintf("trading_names[%d]", i), "must be 1 to 300 characters")
				continue
			}
			o.TradingNames = append(o.TradingNames, n)
		}
	}
	if in.SoleTrader != nil {
		o.SoleTrader = *in.SoleTrader
	}
	return fe.Err()
}
