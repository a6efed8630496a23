package httpapi

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
)

type socDTO struct {
	Present   bool   `json:"present"`
	Standard  string `json:"standard,omitempty" validate:"max=200"`
	Version   string `json:"version,omitempty" validate:"max=50"`
	Signatory string `json:"signatory,omitempty" validate:"max=200"`
	Date      *Date  `json:"date,omitempty"`
}

type supportPeriodDTO struct {
	EndDate    Date      `json:"end_date"`
	Where      string    `json:"where,omitempty"`
	URL        string    `json:"url,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
	Shortened  bool      `json:"shortened"`
}

type productDTO struct {
	ID                     string             `json:"id"`
	Brand                  string             `json:"brand"`
	Model                  string             `json:"model"`
	Variants               []string           `json:"variants"`
	GTIN                   string             `json:"gtin,omitempty"`
	Category               string             `json:"category,omitempty"`
	FirmwareVersions       []string           `json:"firmware_versions"`
	Connectable            bool               `json:"connectable"`
	Excepted               bool               `json:"excepted"`
	ExceptedReason         string             `json:"excepted_reason,omitempty"`
	StatementOfCompliance  socDTO             `json:"statement_of_compliance"`
	SupportPeriod          *supportPeriodDTO  `json:"support_period"`
	SupportPeriodHistory   []supportPeriodDTO `json:"support_period_history"`
	SupportPeriodShortened bool               `json:"support_period_shortened"`
	CreatedByAuthority     string             `json:"created_by_authority,omitempty"`
	CreatedAt              time.Time          `json:"created_at"`
	UpdatedAt              time.Time          `json:"updated_at"`
	Version                int                `json:"version"`
}

type supportPeriodReq struct {
	EndDate Date   `json:"end_date" validate:"required"`
	Where   string `json:"where" validate:"max=500"`
	URL     string `json:"url" validate:"max=2000"`
}

type productReq struct {
	Brand                 *string           `json:"brand" validate:"omitempty,max=200"`
	Model                 *string           `json:"model" validate:"omitempty,max=200"`
	Variants              *[]string         `json:"variants" validate:"omitempty,max=50"`
	GTIN                  *string           `json:"gtin" validate:"omitempty,max=20"`
	Category              *string           `json:"category" validate:"omitempty,max=100"`
	FirmwareVersions      *[]string         `json:"firmware_versions" validate:"omitempty,max=50"`
	Connectable           *bool             `json:"connectable"`
	Excepted              *bool             `json:"excepted"`
	ExceptedReason        *string           `json:"excepted_reason" validate:"omitempty,max=2000"`
	StatementOfCompliance *socDTO           `json:"statement_of_compliance"`
	SupportPeriod         *supportPeriodReq `json:"support_period"`
}

type listQuery struct {
	Q        string `query:"q" validate:"max=200"`
	Brand    string `query:"brand" validate:"max=200"`
	Category string `query:"category" validate:"max=100"`
	GTIN     string `query:"gtin" validate:"max=20"`
	Limit    int    `query:"limit" validate:"gte=0"`
	Cursor   string `query:"cursor" validate:"max=64"`
}

func toProductDTO(p products.Product) productDTO {
	out := productDTO{ID: p.ID, Brand: p.Brand, Model: p.Model, Variants: orEmpty(p.Variants), GTIN: p.GTIN,
		Category: p.Category, FirmwareVersions: orEmpty(p.FirmwareVersions), Connectable: p.Connectable,
		Excepted: p.Excepted, ExceptedReason: p.ExceptedReason,
		StatementOfCompliance: socDTO{Present: p.SoC.Present, Standard: p.SoC.Standard, Version: p.SoC.Version,
			Signatory: p.SoC.Signatory, Date: datePtr(p.SoC.Date)},
		SupportPeriodHistory: []supportPeriodDTO{}, SupportPeriodShortened: p.Shortened(),
		CreatedByAuthority: p.CreatedBy, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	for _, h := range p.History {
		out.SupportPeriodHistory = append(out.SupportPeriodHistory, supportPeriodDTO{EndDate: Date{h.EndDate}, Where: h.Where,
			URL: h.URL, RecordedAt: h.RecordedAt, RecordedBy: h.RecordedBy, Shortened: h.Shortened})
	}
	if n := len(out.SupportPeriodHistory); n > 0 {
		cur := out.SupportPeriodHistory[n-1]
		out.SupportPeriod = &cur
	}
	return out
}

func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func (r productReq) toInput() products.Input {
	in := products.Input{Brand: r.Brand, Model: r.Model, Variants: r.Variants, GTIN: r.GTIN, Category: r.Category,
		FirmwareVersions: r.FirmwareVersions, Connectable: r.Connectable, Excepted: r.Excepted, ExceptedReason: r.ExceptedReason}
	if s := r.StatementOfCompliance; s != nil {
		in.SoC = &products.SoC{Present: s.Present, Standard: s.Standard, Version: s.Version, Signatory: s.Signatory}
		if s.Date != nil {
			in.SoC.Date = &s.Date.Time
		}
	}
	if sp := r.SupportPeriod; sp != nil {
		in.Support = &products.SupportInput{EndDate: sp.EndDate.Time, Where: sp.Where, URL: sp.URL}
	}
	return in
}

type operatorDTO struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	TradingNames  []string  `json:"trading_names"`
	CompanyNumber string    `json:"company_number,omitempty"`
	Address       string    `json:"address,omitempty"`
	Country       string    `json:"country,omitempty"`
	Website       string    `json:"website,omitempty"`
	VDPURL        string    `json:"vulnerability_disclosure_url,omitempty"`
	SoleTrader    bool      `json:"sole_trader" description:"an individual trading in their own name: only the authority that recorded the operator (or a national admin) may change this flag or a sole trader's details, and analysts read the record without name or address"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int       `json:"version"`

	CreatedByAuthority string `json:"created_by_authority,omitempty" description:"the authority that recorded the operator"`
}

type operatorReq struct {
	Name          *string   `json:"name" validate:"omitempty,max=300"`
	TradingNames  *[]string `json:"trading_names" validate:"omitempty,max=50"`
	CompanyNumber *string   `json:"company_number" validate:"omitempty,max=40"`
	Address       *string   `json:"address" validate:"omitempty,max=1000"`
	Country       *string   `json:"country" validate:"omitempty,max=2"`
	Website       *string   `json:"website" validate:"omitempty,max=2000"`
	VDPURL        *string   `json:"vulnerability_disclosure_url" validate:"omitempty,max=2000"`
	SoleTrader    *bool     `json:"sole_trader"`
}

func toOperatorDTO(o operators.Operator) operatorDTO {
	return operatorDTO{ID: o.ID, Name: o.Name, TradingNames: orEmpty(o.TradingNames), CompanyNumber: o.CompanyNumber,
		Address: o.Address, Country: o.Country, Website: o.Website, VDPURL: o.VDPURL, SoleTrader: o.SoleTrader,
		CreatedByAuthority: o.CreatedBy, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Version: o.Version}
}

func (r operatorReq) toInput() operators.Input {
	return operators.Input{Name: r.Name, TradingNames: r.TradingNames, CompanyNumber: r.CompanyNumber, Address: r.Address,
		Country: r.Country, Website: r.Website, VDPURL: r.VDPURL, SoleTrader: r.SoleTrader}
}

func (s *Server) mountRegisters() {
	p := Prefix + "/products"
	s.add(Route{Method: http.MethodPost, Path: p, Summary: "Record a product (model) in the shared register", Tag: "products",
		Access: Scoped, Perm: Perm{"product", "create"}, Body: productReq{}, Resp: productDTO{}, Status: http.StatusCreated,
		Handler: s.createProduct})
	s.add(Route{Method: http.MethodGet, Path: p, Summary: "List or find products", Tag: "products",
		Access: Scoped, Perm: Perm{"product", "read"}, Query: listQuery{}, Resp: page[productDTO]{}, Handler: s.listProducts})
	s.add(Route{Method: http.MethodGet, Path: p + "/:id", Summary: "One product with its support-period history", Tag: "products",
		Access: Scoped, Perm: Perm{"product", "read"}, Resp: productDTO{}, Handler: s.getProduct})
	s.add(Route{Method: http.MethodPatch, Path: p + "/:id", Summary: "Update a product; a new support_period is appended to its history",
		Tag: "products", Access: Scoped, Perm: Perm{"product", "update"}, Body: productReq{}, Resp: productDTO{}, Handler: s.patchProduct})
	o := Prefix + "/operators"
	s.add(Route{Method: http.MethodPost, Path: o, Summary: "Record an economic operator", Tag: "operators",
		Access: Scoped, Perm: Perm{"operator", "create"}, Body: operatorReq{}, Resp: operatorDTO{}, Status: http.StatusCreated,
		Handler: s.createOperator})
	s.add(Route{Method: http.MethodGet, Path: o, Summary: "List or find economic operators", Tag: "operators",
		Access: Scoped, Perm: Perm{"operator", "read"}, Query: listQuery{}, Resp: page[operatorDTO]{}, Handler: s.listOperators})
	s.add(Route{Method: http.MethodGet, Path: o + "/:id", Summary: "One economic operator", Tag: "operators",
		Access: Scoped, Perm: Perm{"operator", "read"}, Resp: operatorDTO{}, Handler: s.getOperator})
	s.add(Route{Method: http.MethodPatch, Path: o + "/:id", Summary: "Update an economic operator", Tag: "operators",
		Access: Scoped, Perm: Perm{"operator", "update"}, Body: operatorReq{}, Resp: operatorDTO{}, Handler: s.patchOperator})
}

func (s *Server) createProduct(c *fiber.Ctx) error {
	in, err := decodeJSON[productReq](s, c)
	if err != nil {
		return err
	}
	p, err := s.deps.Products.Create(c.UserContext(), in.toInput())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(p.Version))
	c.Set(fiber.HeaderLocation, Prefix+"/products/"+p.ID)
	return c.Status(http.StatusCreated).JSON(toProductDTO(p))
}

func (s *Server) getProduct(c *fiber.Ctx) error {
	p, err := s.deps.Products.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(p.Version))
	return c.JSON(toProductDTO(p))
}

func (s *Server) patchProduct(c *fiber.Ctx) error {
	version, err := optionalIfMatch(c)
	if err != nil {
		return err
	}
	in, err := decodeJSON[productReq](s, c)
	if err != nil {
		return err
	}
	p, err := s.deps.Products.Update(c.UserContext(), c.Params("id"), version, in.toInput())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(p.Version))
	return c.JSON(toProductDTO(p))
}

func cursorID(cursor string) (string, error) {
	if cursor != "" && !ids.Valid(cursor) {
		return "", apperr.InvalidField("cursor", "is not a cursor this endpoint returned")
	}
	return cursor, nil
}

func (s *Server) listProducts(c *fiber.Ctx) error {
	q, err := parseQuery[listQuery](c)
	if err != nil {
		return err
	}
	after, err := cursorID(q.Cursor)
	if err != nil {
		return err
	}
	limit := clampLimit(q.Limit)
	ps, err := s.deps.Products.List(c.UserContext(), products.Filter{Q: q.Q, Brand: q.Brand, Category: q.Category,
		GTIN: q.GTIN, After: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(listOf(ps, limit, toProductDTO, func(p products.Product) string { return p.ID }))
}

func (s *Server) createOperator(c *fiber.Ctx) error {
	in, err := decodeJSON[operatorReq](s, c)
	if err != nil {
		return err
	}
	o, err := s.deps.Operators.Create(c.UserContext(), in.toInput())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(o.Version))
	c.Set(fiber.HeaderLocation, Prefix+"/operators/"+o.ID)
	return c.Status(http.StatusCreated).JSON(toOperatorDTO(o))
}

func (s *Server) getOperator(c *fiber.Ctx) error {
	o, err := s.deps.Operators.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(o.Version))
	return c.JSON(toOperatorDTO(o))
}

func (s *Server) patchOperator(c *fiber.Ctx) error {
	version, err := optionalIfMatch(c)
	if err != nil {
		return err
	}
	in, err := decodeJSON[operatorReq](s, c)
	if err != nil {
		return err
	}
	o, err := s.deps.Operators.Update(c.UserContext(), c.Params("id"), version, in.toInput())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(o.Version))
	return c.JSON(toOperatorDTO(o))
}

func (s *Server) listOperators(c *fiber.Ctx) error {
	q, err := parseQuery[listQuery](c)
	if err != nil {
		return err
	}
	after, err := cursorID(q.Cursor)
	if err != nil {
		return err
	}
	limit := clampLimit(q.Limit)
	os, err := s.deps.Operators.List(c.UserContext(), operators.Filter{Q: q.Q, After: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(listOf(os, limit, toOperatorDTO, func(o operators.Operator) string { return o.ID }))
}
