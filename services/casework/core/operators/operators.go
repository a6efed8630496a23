// Package operators is the shared register of economic operators: the
// businesses that make, brand, import, distribute or sell products.
package operators

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
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
	// CreatedBy is the code of the authority that recorded the operator;
	// empty for operators recorded before this was kept.
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Filter selects operators.
type Filter struct {
	Q string
	// QSkipsSoleTraders keeps Q from matching sole traders (whose names the
	// caller may not see: a match would confirm a guess).
	QSkipsSoleTraders bool
	After             string
	Limit             int
}

// Naming is an authority with cases naming an operator (as a party).
type Naming struct {
	AuthorityCode string
	// CaseRefs are the references of those cases, at most 50.
	CaseRefs []string
	Cases    int
}

// Store persists operators; methods join the transaction in ctx.
type Store interface {
	CreateOperator(ctx context.Context, o Operator) error
	GetOperator(ctx context.Context, id string) (Operator, error)
	UpdateOperator(ctx context.Context, o Operator) error
	ListOperators(ctx context.Context, f Filter) ([]Operator, error)
	// Namings lists the authorities whose cases, or cases they collaborate
	// on, name the operator as a party.
	Namings(ctx context.Context, operatorID string) ([]Naming, error)
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
	p, _ := principal.From(ctx)
	o := Operator{ID: ids.New(), CreatedBy: p.Authority.Code, CreatedAt: now, UpdatedAt: now, Version: 1}
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

// Get returns an operator as the caller may see it (see ViewFor).
func (s *Service) Get(ctx context.Context, id string) (Operator, error) {
	o, err := s.get(ctx, id)
	if err != nil {
		return Operator{}, err
	}
	p, _ := principal.From(ctx)
	return ViewFor(p, o), nil
}

func (s *Service) get(ctx context.Context, id string) (Operator, error) {
	if !ids.Valid(id) {
		return Operator{}, apperr.New(apperr.NotFound, "no operator %q", id)
	}
	o, err := s.store.GetOperator(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Operator{}, apperr.New(apperr.NotFound, "no operator %q", id)
	}
	return o, err
}

// Update applies a partial update; version, when non-zero, must match. A
// sole trader's record, and the sole_trader flag of any operator, are
// personal data: only the authority that recorded the operator, or an
// admin of a national authority, may change them. Every change is audited
// in the acting authority and in every authority with a case naming the
// operator.
func (s *Service) Update(ctx context.Context, id string, version int, in Input) (Operator, error) {
	var out Operator
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		o, err := s.get(ctx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != o.Version {
			return apperr.New(apperr.PreconditionFailed, "operator %s is at version %d, not %d", id, o.Version, version)
		}
		p, _ := principal.From(ctx)
		if err := mayChange(p, o, in); err != nil {
			return err
		}
		before := o
		before.TradingNames = slices.Clone(o.TradingNames) // apply reuses the slice
		if err := apply(&o, in); err != nil {
			return err
		}
		o.Version++
		o.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateOperator(ctx, o); err != nil {
			return err
		}
		out = o
		return s.audit(ctx, p, before, o)
	})
	if err != nil {
		return Operator{}, fmt.Errorf("update operator %s: %w", id, err)
	}
	return out, nil
}

// nationalAdmin reports whether p administers a national authority.
func nationalAdmin(p principal.Principal) bool {
	return p.Authority.National && p.Has(principal.Admin)
}

// caseworker reports whether p works cases in the acting authority.
func caseworker(p principal.Principal) bool {
	return p.Has(principal.Officer) || p.Has(principal.Supervisor)
}

// mayChange applies the register's record rule to an update.
func mayChange(p principal.Principal, o Operator, in Input) error {
	if !caseworker(p) && !nationalAdmin(p) {
		return apperr.New(apperr.Forbidden, "only officers, supervisors and national admins change the operator register")
	}
	flips := in.SoleTrader != nil && *in.SoleTrader != o.SoleTrader
	if !o.SoleTrader && !flips {
		return nil
	}
	if nationalAdmin(p) || (o.CreatedBy != "" && o.CreatedBy == p.Authority.Code && caseworker(p)) {
		return nil
	}
	recorder := o.CreatedBy
	if recorder == "" {
		recorder = "not recorded"
	}
	field := "sole_trader"
	if !flips {
		field = "this sole trader's record"
	}
	return apperr.New(apperr.Forbidden, "a sole trader's details and the sole_trader flag are personal data: only the authority "+
		"that recorded the operator (%s) or a national admin may change %s", recorder, field).With("field", "sole_trader")
}

// audit records the change in the acting authority and, for every other
// authority with a case naming the operator, an entry in that authority
// (without a sole trader's personal data) naming its cases.
func (s *Service) audit(ctx context.Context, p principal.Principal, before, after Operator) error {
	changed := changes(before, after)
	if err := s.log.Record(ctx, audit.Event{Action: "operator.update", ObjectType: "operator", ObjectID: after.ID,
		Detail: withChanges(detail(after), changed)}); err != nil {
		return err
	}
	namings, err := s.store.Namings(ctx, after.ID)
	if err != nil {
		return fmt.Errorf("authorities naming operator %s: %w", after.ID, err)
	}
	personal := before.SoleTrader || after.SoleTrader
	shared := map[string]any{"changed": changed, "sole_trader": after.SoleTrader, "sole_trader_before": before.SoleTrader,
		"by_authority": p.Authority.Code, "version": after.Version, "country": after.Country}
	if !personal {
		shared["name"], shared["company_number"] = after.Name, after.CompanyNumber
	}
	for _, n := range namings {
		if n.AuthorityCode == p.Authority.Code {
			continue
		}
		d := map[string]any{"cases": n.CaseRefs, "case_count": n.Cases}
		for k, v := range shared {
			d[k] = v
		}
		if err := s.log.Record(ctx, audit.Event{Action: "operator.update", ObjectType: "operator", ObjectID: after.ID,
			Authority: n.AuthorityCode, Detail: d}); err != nil {
			return err
		}
	}
	return nil
}

// changes names the fields an update changed.
func changes(a, b Operator) []string {
	out := []string{}
	for _, f := range []struct {
		name string
		same bool
	}{{"name", a.Name == b.Name}, {"trading_names", slices.Equal(a.TradingNames, b.TradingNames)},
		{"company_number", a.CompanyNumber == b.CompanyNumber}, {"address", a.Address == b.Address},
		{"country", a.Country == b.Country}, {"website", a.Website == b.Website}, {"vdp_url", a.VDPURL == b.VDPURL},
		{"sole_trader", a.SoleTrader == b.SoleTrader}} {
		if !f.same {
			out = append(out, f.name)
		}
	}
	return out
}

func withChanges(d map[string]any, changed []string) map[string]any {
	d["changed"] = changed
	return d
}

// List returns a page of operators as the caller may see them.
func (s *Service) List(ctx context.Context, f Filter) ([]Operator, error) {
	p, _ := principal.From(ctx)
	f.QSkipsSoleTraders = !SeesSoleTraders(p)
	list, err := s.store.ListOperators(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = ViewFor(p, list[i])
	}
	return list, nil
}

// SoleTraderLabel is what callers who may not see a sole trader read instead
// of the name.
const SoleTraderLabel = "Sole trader (name withheld)"

// SeesSoleTraders reports whether p may read sole traders' names and
// addresses: officers, supervisors and national admins. Analysts (and
// other admins) may not.
func SeesSoleTraders(p principal.Principal) bool { return caseworker(p) || nationalAdmin(p) }

// ViewFor is the operator as p may see it: a sole trader's personal data
// (R4) withheld from those who may not see it.
func ViewFor(p principal.Principal, o Operator) Operator {
	if !o.SoleTrader || SeesSoleTraders(p) {
		return o
	}
	o.Name, o.TradingNames, o.Address, o.CompanyNumber, o.Website, o.VDPURL = SoleTraderLabel, nil, "", "", "", ""
	return o
}

func detail(o Operator) map[string]any {
	return map[string]any{"name": o.Name, "company_number": o.CompanyNumber, "country": o.Country,
		"sole_trader": o.SoleTrader, "version": o.Version, "created_by_authority": o.CreatedBy}
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
