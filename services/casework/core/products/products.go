// Package products is the shared register of connectable products: make,
// model, identifiers, PSTI scope facts, the statement of compliance and the
// history of the published defined support period.
package products

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when no product has the id.
var ErrNotFound = errors.New("product not found")

// SoC is what the statement of compliance (PSTI s.9, Sch 4) says, if any.
type SoC struct {
	Present   bool
	Standard  string // e.g. "ETSI EN 303 645"
	Version   string // e.g. "V2.1.1"
	Signatory string
	Date      *time.Time
}

// SupportPeriod is one published defined support period (reg 2: a period
// with an end date), as recorded at a point in time.
type SupportPeriod struct {
	EndDate    time.Time
	Where      string // where it was published: packaging, website, listing…
	URL        string
	RecordedAt time.Time
	RecordedBy string
	// Shortened is true when this end date is earlier than the one it
	// replaced: shortening a published period is itself a breach of PSTI.
	Shortened bool
}

// Product is one product model (with its variants).
type Product struct {
	ID               string
	Brand            string
	Model            string
	Variants         []string
	GTIN             string
	Category         string
	FirmwareVersions []string
	Connectable      bool
	Excepted         bool
	ExceptedReason   string
	SoC              SoC
	// Support is the current period; History is every recorded period, oldest first.
	Support   *SupportPeriod
	History   []SupportPeriod
	CreatedBy string // authority code that first recorded the product
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Shortened reports whether any recorded support period was shorter than the one before it.
func (p Product) Shortened() bool {
	for _, h := range p.History {
		if h.Shortened {
			return true
		}
	}
	return false
}

// Filter selects products.
type Filter struct {
	Q        string // brand, model or GTIN fragment
	Brand    string
	Category string
	GTIN     string
	After    string // keyset cursor: the last id of the previous page
	Limit    int
}

// Store persists products. Methods join the transaction in ctx.
type Store interface {
	// CreateProduct inserts p and its support-period History.
	CreateProduct(ctx context.Context, p Product) error
	GetProduct(ctx context.Context, id string) (Product, error)
	// UpdateProduct replaces a product's fields and appends any new support period.
	UpdateProduct(ctx context.Context, p Product, newPeriod *SupportPeriod) error
	ListProducts(ctx context.Context, f Filter) ([]Product, error)
	// ExistingProducts returns which of the ids exist.
	ExistingProducts(ctx context.Context, ids []string) (map[string]bool, error)
}
