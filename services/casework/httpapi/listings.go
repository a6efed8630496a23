package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/swaggest/jsonschema-go"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/listings"
)

type priceDTO struct {
	AmountPence int64  `json:"amount_pence"`
	Currency    string `json:"currency"`
}

func toPriceDTO(pence *int64, currency string) *priceDTO {
	if pence == nil {
		return nil
	}
	return &priceDTO{AmountPence: *pence, Currency: currency}
}

type listingDTO struct {
	ID          string `json:"id"`
	ExternalID  string `json:"external_id,omitempty"`
	Retailer    string `json:"retailer"`
	MarketType  string `json:"market_type"`
	Seller      string `json:"seller,omitempty"`
	URL         string `json:"url"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Brand       string `json:"brand,omitempty"`
	Model       string `json:"model,omitempty"`
	GTIN        string `json:"gtin,omitempty"`
	// GTINRaw is the GTIN the listing gave when it is not a valid one (kept, never matched on).
	GTINRaw           string    `json:"gtin_raw,omitempty"`
	Price             *priceDTO `json:"price"`
	Condition         string    `json:"condition"`
	ObservedAt        time.Time `json:"observed_at"`
	SupportPeriodText string    `json:"support_period_text"`
	HasSupportPeriod  bool      `json:"has_support_period"`
	// VulnerabilityDisclosureURL is where the listing says security issues are reported.
	VulnerabilityDisclosureURL string `json:"vulnerability_disclosure_url,omitempty"`
	// Category is the category code the seller's category maps to; SellerCategory what the seller wrote.
	Category       string   `json:"category,omitempty"`
	SellerCategory string   `json:"seller_category,omitempty"`
	DataQuality    []string `json:"data_quality,omitempty"`
	Status         string   `json:"status"`
	ProductID      *string  `json:"product_id"`
	// Link says who linked the product: "auto" (matching), "officer", or "none".
	Link          string    `json:"link"`
	MatchReason   string    `json:"match_reason,omitempty"`
	ContentSHA256 string    `json:"content_sha256"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int       `json:"version"`
}

func toListingDTO(l listings.Listing) listingDTO {
	d := listingDTO{ID: l.ID, ExternalID: l.ExternalID, Retailer: l.Retailer, MarketType: l.MarketType, Seller: l.Seller,
		URL: l.URL, Title: l.Title, Description: l.Description, Brand: l.Brand, Model: l.Model, GTIN: l.GTIN,
		GTINRaw: l.GTINRaw, Price: toPriceDTO(l.PricePence, l.Currency), Condition: l.Condition, ObservedAt: l.ObservedAt,
		SupportPeriodText: l.SupportText, HasSupportPeriod: l.SupportText != "",
		VulnerabilityDisclosureURL: l.VulnerabilityDisclosureURL, Category: l.Category, SellerCategory: l.SellerCategory,
		DataQuality: l.Quality, Status: l.Status, Link: string(l.Link), MatchReason: l.MatchReason,
		ContentSHA256: l.ContentHash, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt, Version: l.Version}
	if d.Link == "" {
		d.Link = "none"
	}
	if l.ProductID != "" {
		id := l.ProductID
		d.ProductID = &id
	}
	return d
}

// listingReq documents a listing as an officer records it. Field names
// match the import format; the body is read by listings.DecodeInput, which
// also takes the import's aliases, a listing as GET returns it (price as an
// object, read-only fields, which are ignored) and ignores unknown fields,
// naming them in the response.
type listingReq struct {
	ListingID   string `json:"listing_id" validate:"max=200"`
	ExternalID  string `json:"external_id" validate:"max=200"`
	Retailer    string `json:"retailer" validate:"required,max=200"`
	MarketType  string `json:"market_type" validate:"required,max=40"`
	Seller      string `json:"seller" validate:"max=300"`
	URL         string `json:"url" validate:"required,max=2000"`
	Title       string `json:"title" validate:"required,max=500"`
	Description string `json:"description" validate:"max=20000"`
	Brand       string `json:"brand" validate:"max=200"`
	Model       string `json:"model" validate:"max=200"`
	// GTIN as printed; placeholders ("Does not apply", "N/A") count as none, an invalid one is kept as gtin_raw.
	GTIN string `json:"gtin" validate:"max=200"`
	// Price is the amount in major units (12.99), or {"amount_pence","currency"} as returned; price_pence gives minor units.
	Price             amount `json:"price"`
	PricePence        *int64 `json:"price_pence" validate:"omitempty,gte=0"`
	Currency          string `json:"currency" validate:"omitempty,len=3"`
	Condition         string `json:"condition" validate:"max=40"`
	ObservedAt        string `json:"observed_at" validate:"max=40"`
	SupportPeriodText string `json:"support_period_text" validate:"max=2000"`
	// VulnerabilityDisclosureURL is where the listing says security issues are reported (alias vdp_url).
	VulnerabilityDisclosureURL string `json:"vulnerability_disclosure_url" validate:"max=2000"`
	// Category is the seller's category as written (seller_category too); it is mapped onto a category code.
	Category       string `json:"category" validate:"max=1000"`
	SellerCategory string `json:"seller_category" validate:"max=1000"`
	Status         string `json:"status" validate:"max=40"`
	ProductID      string `json:"product_id" validate:"omitempty,max=64"`
	// Link "auto" or "none" with product_id says the id is not an officer's decision (as returned by GET).
	Link string `json:"link" validate:"omitempty,oneof=auto officer none"`
}

// amount is a price as a JSON number (12.99), a string ("£12.99") or the
// object the API returns.
type amount string

// JSONSchema describes the field as a number, a string or an object in the API document.
func (amount) JSONSchema() (jsonschema.Schema, error) {
	var s jsonschema.Schema
	s.TypeEns().SliceOfSimpleTypeValues = []jsonschema.SimpleType{jsonschema.Number, jsonschema.String, jsonschema.Object}
	s.WithDescription("Price in major units, e.g. 12.99 or \"£12.99\", or {\"amount_pence\": 1299, \"currency\": \"GBP\"}.")
	return s, nil
}

// nullableID documents a product id that may be null: null (or "")
// records that the listing is of no product in the register.
type nullableID string

// JSONSchema describes the field as a nullable string in the API document.
func (nullableID) JSONSchema() (jsonschema.Schema, error) {
	var s jsonschema.Schema
	s.TypeEns().SliceOfSimpleTypeValues = []jsonschema.SimpleType{jsonschema.String, jsonschema.Null}
	s.WithDescription("A product id to link the listing to; null or \"\" records that it is of no product in the register.")
	return s, nil
}

// patchListingReq documents a partial update (read by listings.DecodePatch).
type patchListingReq struct {
	ExternalID                 *string    `json:"external_id" validate:"omitempty,max=200"`
	Retailer                   *string    `json:"retailer" validate:"omitempty,max=200"`
	MarketType                 *string    `json:"market_type" validate:"omitempty,max=40"`
	Seller                     *string    `json:"seller" validate:"omitempty,max=300"`
	URL                        *string    `json:"url" validate:"omitempty,max=2000"`
	Title                      *string    `json:"title" validate:"omitempty,max=500"`
	Description                *string    `json:"description" validate:"omitempty,max=20000"`
	Brand                      *string    `json:"brand" validate:"omitempty,max=200"`
	Model                      *string    `json:"model" validate:"omitempty,max=200"`
	GTIN                       *string    `json:"gtin" validate:"omitempty,max=200"`
	Price                      *amount    `json:"price"`
	PricePence                 *int64     `json:"price_pence" validate:"omitempty,gte=0"`
	Currency                   *string    `json:"currency" validate:"omitempty,len=3"`
	Condition                  *string    `json:"condition" validate:"omitempty,max=40"`
	ObservedAt                 *string    `json:"observed_at" validate:"omitempty,max=40"`
	SupportPeriodText          *string    `json:"support_period_text" validate:"omitempty,max=2000"`
	VulnerabilityDisclosureURL *string    `json:"vulnerability_disclosure_url" validate:"omitempty,max=2000"`
	Category                   *string    `json:"category" validate:"omitempty,max=1000"`
	Status                     *string    `json:"status" validate:"omitempty,max=40"`
	ProductID                  nullableID `json:"product_id"`
	Link                       *string    `json:"link" validate:"omitempty,oneof=auto officer none"`
}

// listingWriteResp is a created or updated listing with what became of
// the request's fields beyond the listing's own.
type listingWriteResp struct {
	listingDTO
	// IgnoredFields are unknown fields of the request, not recorded.
	IgnoredFields []string `json:"ignored_fields,omitempty"`
	// MappedFields are aliases read as the field named (e.g. vdp_url → vulnerability_disclosure_url).
	MappedFields map[string]string `json:"mapped_fields,omitempty"`
}

func toWriteResp(l listings.Listing, n listings.FieldNotes) listingWriteResp {
	out := listingWriteResp{listingDTO: toListingDTO(l), IgnoredFields: n.Ignored}
	for _, m := range n.Mapped {
		if out.MappedFields == nil {
			out.MappedFields = map[string]string{}
		}
		out.MappedFields[m.From] = m.To
	}
	return out
}

type candidateDTO struct {
	ProductID string   `json:"product_id"`
	Brand     string   `json:"brand"`
	Model     string   `json:"model"`
	GTIN      string   `json:"gtin,omitempty"`
	Category  string   `json:"category,omitempty"`
	Score     float64  `json:"score"`
	Reasons   []string `json:"reasons"`
	Linked    bool     `json:"linked"`
}

type candidatesResp struct {
	ListingID string         `json:"listing_id"`
	ProductID *string        `json:"product_id"`
	Items     []candidateDTO `json:"items"`
}

type listingCandidateDTO struct {
	Score   float64    `json:"score"`
	Reasons []string   `json:"reasons"`
	Listing listingDTO `json:"listing"`
}

type listingCandidatesResp struct {
	ProductID string                `json:"product_id"`
	Items     []listingCandidateDTO `json:"items"`
}

func (s *Server) productListingCandidates(c *fiber.Ctx) error {
	q, err := parseQuery[productListingsQuery](c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cands, err := s.deps.Listings.ProductCandidates(ctx, c.Params("id"), clampLimit(q.Limit))
	if err != nil {
		return err
	}
	out := listingCandidatesResp{ProductID: c.Params("id"), Items: []listingCandidateDTO{}}
	for _, cd := range cands {
		l, err := s.deps.Listings.Get(ctx, cd.ListingID)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, listingCandidateDTO{Score: cd.Score, Reasons: cd.Reasons, Listing: toListingDTO(l)})
	}
	return c.JSON(out)
}

type lineErrorDTO struct {
	Line  int64  `json:"line"`
	Error string `json:"error"`
}

type importResp struct {
	Imported  int64          `json:"imported"`
	Updated   int64          `json:"updated"`
	Unchanged int64          `json:"unchanged"`
	Rejected  []lineErrorDTO `json:"rejected"`
	// RejectedTotal counts every rejected line; rejected lists the first 1000.
	RejectedTotal    int64 `json:"rejected_total"`
	Lines            int64 `json:"lines"`
	ResumedAfterLine int64 `json:"resumed_after_line,omitempty"`
	// IgnoredFields counts, per unknown field, the lines that gave it a value (they were imported without it).
	IgnoredFields map[string]int64 `json:"ignored_fields"`
	// MappedFields counts, per alias, the lines that used it and names the field it was read as.
	MappedFields map[string]mappedFieldDTO `json:"mapped_fields"`
	// DataQuality counts listings with placeholder or invalid GTINs, unusable disclosure URLs and unmapped categories.
	DataQuality map[string]int64 `json:"data_quality"`
	// UnmappedCategories counts the seller categories that map to no category code.
	UnmappedCategories map[string]int64 `json:"unmapped_categories"`
}

type mappedFieldDTO struct {
	Field string `json:"field"`
	Lines int64  `json:"lines"`
}

func emptyMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

func toImportResp(r listings.ImportResult) importResp {
	out := importResp{Imported: r.Imported, Updated: r.Updated, Unchanged: r.Unchanged, Rejected: []lineErrorDTO{},
		RejectedTotal: r.RejectedTotal, Lines: r.Lines, ResumedAfterLine: r.ResumedAfterLine,
		IgnoredFields: emptyMap(r.IgnoredFields), MappedFields: map[string]mappedFieldDTO{},
		DataQuality: emptyMap(r.DataQuality), UnmappedCategories: emptyMap(r.UnmappedCategories)}
	for k, m := range r.MappedFields {
		out.MappedFields[k] = mappedFieldDTO{Field: m.Field, Lines: m.Lines}
	}
	for _, e := range r.Rejected {
		out.Rejected = append(out.Rejected, lineErrorDTO{Line: e.Line, Error: e.Error})
	}
	return out
}

type importQuery struct {
	// ResumeKey names the import so that, re-sent after an interruption, it skips what was committed.
	ResumeKey string `query:"resume_key" validate:"max=200"`
	BatchSize int    `query:"batch_size" validate:"gte=0,lte=10000"`
}

type productListingsQuery struct {
	Limit  int    `query:"limit" validate:"gte=0"`
	Cursor string `query:"cursor" validate:"max=64"`
}

func (s *Server) mountListings() {
	p := Prefix + "/listings"
	s.add(Route{Method: http.MethodPost, Path: p, Summary: "Record a listing seen on a retailer, marketplace or second-hand site",
		Tag: "listings", Access: Scoped, Perm: Perm{"listing", "create"}, Body: listingReq{}, Resp: listingWriteResp{},
		Status: http.StatusCreated, Handler: s.createListing})
	s.add(Route{Method: http.MethodPost, Path: p + "/import", Summary: "Import listings in bulk: NDJSON (application/x-ndjson) " +
		"or CSV with a header row (text/csv), streamed; idempotent on (retailer, URL) or (retailer, listing_id)",
		Tag: "listings", Access: Scoped, Perm: Perm{"listing", "import"}, Query: importQuery{}, BodyType: "application/x-ndjson",
		Resp: importResp{}, Handler: s.importListings})
	s.add(Route{Method: http.MethodGet, Path: p + "/:id", Summary: "One listing", Tag: "listings",
		Access: Scoped, Perm: Perm{"listing", "read"}, Resp: listingDTO{}, Handler: s.getListing})
	s.add(Route{Method: http.MethodPatch, Path: p + "/:id", Summary: "Update a listing; product_id links it to a product " +
		"(or, null, to none) as an officer's decision", Tag: "listings", Access: Scoped, Perm: Perm{"listing", "update"},
		Body: patchListingReq{}, Resp: listingWriteResp{}, Handler: s.patchListing})
	s.add(Route{Method: http.MethodGet, Path: p + "/:id/candidates", Summary: "Products the listing may be of, strongest evidence first",
		Tag: "listings", Access: Scoped, Perm: Perm{"listing", "read"}, Resp: candidatesResp{}, Handler: s.listingCandidates})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/products/:id/listing-candidates", Summary: "Listings that may be of " +
		"the product but are not strong enough evidence to link (found when the product was recorded or changed), strongest first",
		Tag: "listings", Access: Scoped, Perm: Perm{"listing", "read"}, Query: productListingsQuery{},
		Resp: listingCandidatesResp{}, Handler: s.productListingCandidates})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/products/:id/listings", Summary: "Listings linked to a product",
		Tag: "listings", Access: Scoped, Perm: Perm{"listing", "read"}, Query: productListingsQuery{},
		Resp: page[listingDTO]{}, Handler: s.productListings})
}

func (s *Server) createListing(c *fiber.Ctx) error {
	body, err := s.jsonBody(c)
	if err != nil {
		return err
	}
	in, notes, err := listings.DecodeInput(body)
	if err != nil {
		return err
	}
	l, err := s.deps.Listings.Create(c.UserContext(), in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(l.Version))
	c.Set(fiber.HeaderLocation, Prefix+"/listings/"+l.ID)
	return c.Status(http.StatusCreated).JSON(toWriteResp(l, notes))
}

func (s *Server) getListing(c *fiber.Ctx) error {
	l, err := s.deps.Listings.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(l.Version))
	return c.JSON(toListingDTO(l))
}

func (s *Server) patchListing(c *fiber.Ctx) error {
	version, err := optionalIfMatch(c)
	if err != nil {
		return err
	}
	body, err := s.jsonBody(c)
	if err != nil {
		return err
	}
	p, notes, err := listings.DecodePatch(body)
	if err != nil {
		return err
	}
	l, err := s.deps.Listings.Update(c.UserContext(), c.Params("id"), version, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(l.Version))
	return c.JSON(toWriteResp(l, notes))
}

func (s *Server) listingCandidates(c *fiber.Ctx) error {
	ctx := c.UserContext()
	l, err := s.deps.Listings.Get(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	cands, err := s.deps.Listings.Candidates(ctx, l.ID)
	if err != nil {
		return err
	}
	out := candidatesResp{ListingID: l.ID, ProductID: toListingDTO(l).ProductID, Items: []candidateDTO{}}
	for _, cd := range cands {
		out.Items = append(out.Items, candidateDTO{ProductID: cd.Product.ID, Brand: cd.Product.Brand, Model: cd.Product.Model,
			GTIN: cd.Product.GTIN, Category: cd.Product.Category, Score: cd.Score, Reasons: cd.Reasons, Linked: cd.Linked})
	}
	return c.JSON(out)
}

func (s *Server) productListings(c *fiber.Ctx) error {
	q, err := parseQuery[productListingsQuery](c)
	if err != nil {
		return err
	}
	after, err := cursorID(q.Cursor)
	if err != nil {
		return err
	}
	limit := clampLimit(q.Limit)
	ls, err := s.deps.Listings.ListForProduct(c.UserContext(), c.Params("id"), after, limit)
	if err != nil {
		return err
	}
	return c.JSON(listOf(ls, limit, toListingDTO, func(l listings.Listing) string { return l.ID }))
}

// limitedReader fails once more than n bytes were read.
type limitedReader struct {
	r io.Reader
	n int64
}

var errImportTooLarge = errors.New("import body too large")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errImportTooLarge
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errImportTooLarge
	}
	return n, err
}

// importListings streams the request body into the importer: the body is
// never held in memory whole.
func (s *Server) importListings(c *fiber.Ctx) error {
	ct := c.Get(fiber.HeaderContentType)
	format, ok := listings.ParseFormat(ct)
	if !ok {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the listings as application/x-ndjson or text/csv")
	}
	if _, params, err := mime.ParseMediaType(ct); err == nil {
		if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "utf8" && cs != "us-ascii" {
			return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the listings in UTF-8, not "+cs)
		}
	}
	q, err := parseQuery[importQuery](c)
	if err != nil {
		return err
	}
	limit := s.cfg.UploadLimit
	if n := c.Request().Header.ContentLength(); n > 0 && int64(n) > limit {
		return apperr.New(apperr.TooLarge, "the import is larger than the %d-byte limit; use `tradewarden import listings` for larger files", limit)
	}
	var body io.Reader = c.Context().RequestBodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	res, err := s.deps.Listings.Import(c.UserContext(), &limitedReader{r: body, n: limit},
		listings.ImportOptions{Format: format, Key: strings.TrimSpace(q.ResumeKey), BatchSize: q.BatchSize})
	if errors.Is(err, errImportTooLarge) {
		return apperr.New(apperr.TooLarge, "the import stopped at the %d-byte limit; the batches before it were committed "+
			"(send the rest, or use `tradewarden import listings`)", limit).With("committed", toImportResp(res))
	}
	if err != nil {
		if ae, ok := apperr.As(err); ok && ae.Code != apperr.Internal {
			return ae.With("committed", toImportResp(res))
		}
		return err
	}
	return c.JSON(toImportResp(res))
}
