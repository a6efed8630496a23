package wiring

import (
	"context"
	"errors"

	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
	"github.com/tradewarden/tradewarden/services/casework/reportpdf"
)

// buildReports wires aggregate reports and referral packages.
func (a *App) buildReports() {
	ident := bunstore.Identity{Store: a.Store}
	a.Reports = reports.NewService(bunstore.Reports{Store: a.Store}, reportAuthorities{ident}, a.Cfg.Now, reports.Config{})
	a.Reports.UseExports(reports.ExportDeps{Cases: a.Cases, Notices: a.Notices, Evidence: a.Evidence,
		Registers: reportRegisters{ops: a.Operators, prods: a.Products, ident: ident}, Renderer: reportpdf.New(),
		Tx: a.Store, Log: a.Audit})
}

// reportAuthorities resolves the authority codes reports are asked for.
type reportAuthorities struct{ ident bunstore.Identity }

var _ reports.Authorities = reportAuthorities{}

func (r reportAuthorities) AuthorityByCode(ctx context.Context, code string) (reports.Authority, bool, error) {
	a, err := r.ident.AuthorityByCode(ctx, code)
	if errors.Is(err, identity.ErrNotFound) {
		return reports.Authority{}, false, nil
	}
	if err != nil {
		return reports.Authority{}, false, err
	}
	return reports.Authority{ID: a.ID, Code: a.Code, Name: a.Name, National: a.National}, true, nil
}

// reportRegisters resolves what a referral package names.
type reportRegisters struct {
	ops   *operators.Service
	prods *products.Service
	ident bunstore.Identity
}

var _ reports.Registers = reportRegisters{}

func (r reportRegisters) Operator(ctx context.Context, id string) (operators.Operator, error) {
	return r.ops.Get(ctx, id)
}

func (r reportRegisters) Product(ctx context.Context, id string) (products.Product, error) {
	return r.prods.Get(ctx, id)
}

func (r reportRegisters) UserName(ctx context.Context, id string) (string, error) {
	u, err := r.ident.UserByID(ctx, id)
	return u.Name, err
}

func (r reportRegisters) AuthorityName(ctx context.Context, id string) (string, error) {
	a, err := r.ident.AuthorityByID(ctx, id)
	return a.Name, err
}
