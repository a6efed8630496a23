package bunstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
)

// Registers stores the shared product and operator registers.
type Registers struct{ *Store }

var (
	_ products.Store  = Registers{}
	_ operators.Store = Registers{}
)

// jsonList encodes a string list for a TEXT column.
func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func parseList(s string) []string {
	var out []string
	if s == "" || json.Unmarshal([]byte(s), &out) != nil {
		return nil
	}
	return out
}

// ModelKey is the normalised model number stored for matching and lookups:
// case-folded with separators removed.
func ModelKey(model string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '.', '/', '\t':
			return -1
		}
		return r
	}, strings.ToLower(model))
}

type productRow struct {
	bun.BaseModel `bun:"table:products"`

	ID               string     `bun:"id,pk"`
	Brand            string     `bun:"brand"`
	Model            string     `bun:"model"`
	ModelNorm        string     `bun:"model_norm"`
	Variants         string     `bun:"variants"`
	GTIN             *string    `bun:"gtin"`
	Category         string     `bun:"category"`
	FirmwareVersions string     `bun:"firmware_versions"`
	Connectable      bool       `bun:"connectable"`
	Excepted         bool       `bun:"excepted"`
	ExceptedReason   string     `bun:"excepted_reason"`
	SoCPresent       bool       `bun:"soc_present"`
	SoCStandard      string     `bun:"soc_standard"`
	SoCVersion       string     `bun:"soc_version"`
	SoCSignatory     string     `bun:"soc_signatory"`
	SoCDate          *time.Time `bun:"soc_date"`
	CreatedBy        string     `bun:"created_by"`
	CreatedAt        time.Time  `bun:"created_at"`
	UpdatedAt        time.Time  `bun:"updated_at"`
	Version          int        `bun:"version"`
}

type periodRow struct {
	bun.BaseModel `bun:"table:support_periods"`

	ProductID  string    `bun:"product_id,pk"`
	Seq        int       `bun:"seq,pk"`
	EndDate    time.Time `bun:"end_date"`
	Published  string    `bun:"published"`
	URL        string    `bun:"url"`
	RecordedAt time.Time `bun:"recorded_at"`
	RecordedBy string    `bun:"recorded_by"`
	Shortened  bool      `bun:"shortened"`
}

func toProductRow(p products.Product) productRow {
	r := productRow{ID: p.ID, Brand: p.Brand, Model: p.Model, ModelNorm: ModelKey(p.Model), Variants: jsonList(p.Variants),
		Category: p.Category, FirmwareVersions: jsonList(p.FirmwareVersions), Connectable: p.Connectable,
		Excepted: p.Excepted, ExceptedReason: p.ExceptedReason, SoCPresent: p.SoC.Present, SoCStandard: p.SoC.Standard,
		SoCVersion: p.SoC.Version, SoCSignatory: p.SoC.Signatory, SoCDate: p.SoC.Date, CreatedBy: p.CreatedBy,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if p.GTIN != "" {
		g := p.GTIN
		r.GTIN = &g
	}
	return r
}

func (r productRow) toCore(periods []periodRow) products.Product {
	p := products.Product{ID: r.ID, Brand: r.Brand, Model: r.Model, Variants: parseList(r.Variants), Category: r.Category,
		FirmwareVersions: parseList(r.FirmwareVersions), Connectable: r.Connectable, Excepted: r.Excepted,
		ExceptedReason: r.ExceptedReason, SoC: products.SoC{Present: r.SoCPresent, Standard: r.SoCStandard,
			Version: r.SoCVersion, Signatory: r.SoCSignatory, Date: utcPtr(r.SoCDate)},
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.GTIN != nil {
		p.GTIN = *r.GTIN
	}
	for _, h := range periods {
		p.History = append(p.History, products.SupportPeriod{EndDate: h.EndDate.UTC(), Where: h.Published, URL: h.URL,
			RecordedAt: h.RecordedAt.UTC(), RecordedBy: h.RecordedBy, Shortened: h.Shortened})
	}
	if n := len(p.History); n > 0 {
		cur := p.History[n-1]
		p.Support = &cur
	}
	return p
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s Registers) gtinConflict(err error, gtin string) error {
	if database.IsUniqueViolation(err) {
		return conflict("another product already has GTIN %s", gtin)
	}
	return err
}

// CreateProduct inserts a product and its support-period history.
func (s Registers) CreateProduct(ctx context.Context, p products.Product) error {
	row := toProductRow(p)
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert product: %w", s.gtinConflict(err, p.GTIN))
	}
	for i, h := range p.History {
		if err := s.insertPeriod(ctx, p.ID, i+1, h); err != nil {
			return err
		}
	}
	return nil
}

func (s Registers) insertPeriod(ctx context.Context, productID string, seq int, h products.SupportPeriod) error {
	pr := periodRow{ProductID: productID, Seq: seq, EndDate: h.EndDate, Published: h.Where, URL: h.URL,
		RecordedAt: h.RecordedAt, RecordedBy: h.RecordedBy, Shortened: h.Shortened}
	if _, err := s.idb(ctx).NewInsert().Model(&pr).Exec(ctx); err != nil {
		return fmt.Errorf("insert support period: %w", err)
	}
	return nil
}

// GetProduct loads one product with its history.
func (s Registers) GetProduct(ctx context.Context, id string) (products.Product, error) {
	var row productRow
	if err := s.idb(ctx).NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return products.Product{}, notFound(err, products.ErrNotFound)
	}
	var periods []periodRow
	if err := s.idb(ctx).NewSelect().Model(&periods).Where("product_id = ?", id).OrderExpr("seq").Scan(ctx); err != nil {
		return products.Product{}, fmt.Errorf("load support periods: %w", err)
	}
	return row.toCore(periods), nil
}

// UpdateProduct rewrites the product and appends newPeriod.
func (s Registers) UpdateProduct(ctx context.Context, p products.Product, newPeriod *products.SupportPeriod) error {
	row := toProductRow(p)
	if _, err := s.idb(ctx).NewUpdate().Model(&row).WherePK().ExcludeColumn("created_at", "created_by").Exec(ctx); err != nil {
		return fmt.Errorf("update product: %w", s.gtinConflict(err, p.GTIN))
	}
	if newPeriod != nil {
		return s.insertPeriod(ctx, p.ID, len(p.History), *newPeriod)
	}
	return nil
}

// ListProducts returns products newest first after the cursor.
func (s Registers) ListProducts(ctx context.Context, f products.Filter) ([]products.Product, error) {
	var rows []productRow
	q := s.idb(ctx).NewSelect().Model(&rows).OrderExpr("id DESC").Limit(int64(f.Limit))
	if f.After != "" {
		q = q.Where("id < ?", f.After)
	}
	if f.Brand != "" {
		q = q.Where("LOWER(brand) = LOWER(?)", f.Brand)
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.GTIN != "" {
		q = q.Where("gtin = ?", f.GTIN)
	}
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("LOWER(brand) LIKE ? ESCAPE '\\'", like).WhereOr("LOWER(model) LIKE ? ESCAPE '\\'", like).
				WhereOr("model_norm LIKE ? ESCAPE '\\'", "%"+escapeLike(ModelKey(f.Q))+"%").WhereOr("gtin = ?", f.Q)
		})
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	out := make([]products.Product, len(rows))
	for i, r := range rows {
		out[i] = r.toCore(nil)
	}
	return out, nil
}

// ExistingProducts reports which ids exist.
func (s Registers) ExistingProducts(ctx context.Context, ids []string) (map[string]bool, error) {
	var found []string
	if err := s.idb(ctx).NewSelect().Table("products").Column("id").Where("id IN (?)", bun.List(ids)).Scan(ctx, &found); err != nil {
		return nil, fmt.Errorf("check products: %w", err)
	}
	out := make(map[string]bool, len(found))
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// escapeLike escapes LIKE wildcards so user text matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

type operatorRow struct {
	bun.BaseModel `bun:"table:operators"`

	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name"`
	TradingNames  string    `bun:"trading_names"`
	CompanyNumber string    `bun:"company_number"`
	Address       string    `bun:"address"`
	Country       string    `bun:"country"`
	Website       string    `bun:"website"`
	VDPURL        string    `bun:"vdp_url"`
	SoleTrader    bool      `bun:"sole_trader"`
	CreatedBy     string    `bun:"created_by"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int       `bun:"version"`
}

func toOperatorRow(o operators.Operator) operatorRow {
	return operatorRow{ID: o.ID, Name: o.Name, TradingNames: jsonList(o.TradingNames), CompanyNumber: o.CompanyNumber,
		Address: o.Address, Country: o.Country, Website: o.Website, VDPURL: o.VDPURL, SoleTrader: o.SoleTrader,
		CreatedBy: o.CreatedBy, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
}

func (r operatorRow) toCore() operators.Operator {
	return operators.Operator{ID: r.ID, Name: r.Name, TradingNames: parseList(r.TradingNames), CompanyNumber: r.CompanyNumber,
		Address: r.Address, Country: r.Country, Website: r.Website, VDPURL: r.VDPURL, SoleTrader: r.SoleTrader,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// CreateOperator inserts an operator.
func (s Registers) CreateOperator(ctx context.Context, o operators.Operator) error {
	row := toOperatorRow(o)
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert operator: %w", err)
	}
	return nil
}

// GetOperator loads one operator.
func (s Registers) GetOperator(ctx context.Context, id string) (operators.Operator, error) {
	var row operatorRow
	if err := s.idb(ctx).NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return operators.Operator{}, notFound(err, operators.ErrNotFound)
	}
	return row.toCore(), nil
}

// UpdateOperator rewrites an operator.
func (s Registers) UpdateOperator(ctx context.Context, o operators.Operator) error {
	row := toOperatorRow(o)
	if _, err := s.idb(ctx).NewUpdate().Model(&row).WherePK().ExcludeColumn("created_at", "created_by").Exec(ctx); err != nil {
		return fmt.Errorf("update operator: %w", err)
	}
	return nil
}

// ListOperators returns operators newest first after the cursor.
func (s Registers) ListOperators(ctx context.Context, f operators.Filter) ([]operators.Operator, error) {
	var rows []operatorRow
	q := s.idb(ctx).NewSelect().Model(&rows).OrderExpr("id DESC").Limit(int64(f.Limit))
	if f.After != "" {
		q = q.Where("id < ?", f.After)
	}
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("LOWER(name) LIKE ? ESCAPE '\\'", like).WhereOr("LOWER(trading_names) LIKE ? ESCAPE '\\'", like).
				WhereOr("company_number = ?", f.Q)
		})
		if f.QSkipsSoleTraders {
			q = q.Where("sole_trader = ?", false)
		}
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list operators: %w", err)
	}
	out := make([]operators.Operator, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

// Namings lists the authorities whose cases name the operator as a party —
// the owners, and those collaborating on them — with up to 50 references each.
func (s Registers) Namings(ctx context.Context, operatorID string) ([]operators.Naming, error) {
	var rows []struct {
		Code      string `bun:"code"`
		Reference string `bun:"reference"`
	}
	err := s.idb(ctx).NewRaw(`
		SELECT a.code, c.reference FROM cases c JOIN authorities a ON a.id = c.authority_id
		 WHERE c.id IN (SELECT case_id FROM case_parties WHERE operator_id = ?)
		UNION
		SELECT a.code, c.reference FROM cases c
		  JOIN case_shares sh ON sh.case_id = c.id AND sh.status = 'accepted'
		  JOIN authorities a ON a.id = sh.authority_id
		 WHERE c.id IN (SELECT case_id FROM case_parties WHERE operator_id = ?)
		 ORDER BY 1, 2`, operatorID, operatorID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("authorities naming operator: %w", err)
	}
	var out []operators.Naming
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].AuthorityCode != r.Code {
			out = append(out, operators.Naming{AuthorityCode: r.Code})
		}
		n := &out[len(out)-1]
		n.Cases++
		if len(n.CaseRefs) < 50 {
			n.CaseRefs = append(n.CaseRefs, r.Reference)
		}
	}
	return out, nil
}
