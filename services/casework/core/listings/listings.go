// Package listings is the shared register of where connectable products are
// offered for sale: retailer, marketplace and second-hand listings captured by
// officers or imported in bulk, their links to products in the register, and
// the search over them. The database is the system of record; the search
// index is kept consistent through an outbox written in the same transaction
// as every change and drained by the Indexer.
package listings

import (
	"context"
	"errors"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// ErrNotFound is returned by stores when no listing has the id.
var ErrNotFound = errors.New("listing not found")

// ErrKeyTaken is returned (wrapped) by stores when another transaction
// claimed a listing's (retailer, URL) or (retailer, external id) first.
var ErrKeyTaken = errors.New("listing key already taken")

// LinkSource says who linked a listing to a product.
type LinkSource string

// Link sources. An officer's decision (a link or an explicit "no product")
// is never overridden by automatic matching.
const (
	LinkNone    LinkSource = ""
	LinkAuto    LinkSource = "auto"
	LinkOfficer LinkSource = "officer"
)

// Match reasons recorded with an automatic link.
const (
	ReasonGTIN       = "gtin"
	ReasonBrandModel = "brand_model"
	ReasonTitleModel = "brand_title_model"
	ReasonOfficer    = "officer"
)

// Listing is one offer for sale seen on a site at a point in time.
type Listing struct {
	ID string
	// ExternalID is the source's own identifier of the listing (an eBay item
	// number, a crawler id); unique per retailer when given.
	ExternalID  string
	Retailer    string // site name as written, e.g. "Amazon Marketplace"
	MarketType  string // search.MarketRetailer, MarketMarketplace or MarketSecondary
	Seller      string
	URL         string
	Title       string
	Description string
	Brand       string
	Model       string
	GTIN        string // normalised digits of a valid GTIN, empty when none
	// GTINRaw is what the listing gave as its GTIN when that is not a valid
	// one (wrong check digit or length): kept as evidence, never matched on.
	GTINRaw string
	// PricePence is the price in minor units of Currency; nil when none was shown.
	PricePence  *int64
	Currency    string // ISO 4217 code
	Condition   string // search.ConditionNew, ConditionUsed or ConditionRefurbished
	ObservedAt  time.Time
	SupportText string // the support-period text shown on the listing; empty when none
	// SellerCategory is the category the seller filed the listing under, as
	// written; Category is the category code it maps to (categories.Map),
	// empty when it maps to none.
	SellerCategory string
	Category       string
	// VulnerabilityDisclosureURL is where the listing says security issues
	// are reported (PSTI Sch 1 para 2 evidence), as shown.
	VulnerabilityDisclosureURL string
	// Quality flags what in the listing's data is unusable as given
	// (QualityGTINInvalid, QualityVDPInvalid), in a fixed order.
	Quality     []string
	Status      string // search.StatusLive or StatusRemoved
	ProductID   string // linked product, empty when none
	Link        LinkSource
	MatchReason string
	// ContentHash is the SHA-256 of the listing's captured content (not its
	// bookkeeping), so a re-observation of identical content is recognisable.
	ContentHash string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int

	// keys caches RetailerKey and URLKey for the values they were computed from.
	keys *listingKeyCache
	// gtinPlaceholder records that the GTIN given was a placeholder
	// ("Does not apply", "N/A"…), counted by imports.
	gtinPlaceholder bool
}

// Data-quality flags of a listing.
const (
	QualityGTINInvalid = "gtin_invalid"
	QualityVDPInvalid  = "vulnerability_disclosure_url_invalid"
)

type listingKeyCache struct{ retailer, url, model, retailerKey, urlKey, modelKey string }

func (l *Listing) cacheKeys() {
	l.keys = &listingKeyCache{retailer: l.Retailer, url: l.URL, model: l.Model, retailerKey: retailerKey(l.Retailer),
		urlKey: urlKey(l.URL), modelKey: modelKey(l.Model)}
}

// ModelKey is the normalised model number listings are matched by ("" when
// the model is too short to identify a product).
func (l Listing) ModelKey() string {
	if l.keys != nil && l.keys.model == l.Model {
		return l.keys.modelKey
	}
	return modelKey(l.Model)
}

func modelKey(model string) string {
	if m := search.NormalizeModel(model); len(m) >= minModelMatch {
		return m
	}
	return ""
}

// RetailerKey is the form retailers are compared by.
func (l Listing) RetailerKey() string {
	if l.keys != nil && l.keys.retailer == l.Retailer {
		return l.keys.retailerKey
	}
	return retailerKey(l.Retailer)
}

// URLKey is the form URLs are compared by.
func (l Listing) URLKey() string {
	if l.keys != nil && l.keys.url == l.URL {
		return l.keys.urlKey
	}
	return urlKey(l.URL)
}

// Existing is what an import needs to know about a stored listing whose
// retailer and URL, or external id, match an incoming one.
type Existing struct {
	ID          string
	RetailerKey string
	URLKey      string
	ExternalID  string
	ContentHash string
	ObservedAt  time.Time
	ProductID   string
	Link        LinkSource
	MatchReason string
	CreatedAt   time.Time
	Version     int
}

// ProductKey is one normalised identifier of a product used for matching.
type ProductKey struct {
	Kind string // KeyGTIN, KeyModel or KeyBrand
	Key  string
}

// Kinds of product keys.
const (
	KeyGTIN  = "gtin"
	KeyModel = "model"
	KeyBrand = "brand"
)

// ProductRef is a product as matching and search results show it.
type ProductRef struct {
	ID       string
	Brand    string
	Model    string
	GTIN     string
	Category string
	Keys     []ProductKey
}

// BatchWrite is one import batch: new listings, changed ones, and the
// import checkpoint to record in the same transaction.
type BatchWrite struct {
	Inserts []Listing
	Updates []Listing
}

// Checkpoint records how far a resumable import has committed.
type Checkpoint struct {
	Key          string
	Format       Format
	Header       []string // CSV column names, needed to resume after the header row
	Offset       int64    // bytes of the input committed
	Lines        int64    // lines of the input committed
	PrefixSHA256 string   // hex SHA-256 of the first Offset bytes
	Actor        string
	StartedAt    time.Time
	UpdatedAt    time.Time
}

// Store persists listings. Methods join the transaction in ctx.
type Store interface {
	CreateListing(ctx context.Context, l Listing) error
	GetListing(ctx context.Context, id string) (Listing, error)
	UpdateListing(ctx context.Context, l Listing) error
	// ListingsForProduct returns a product's listings by id after the cursor.
	ListingsForProduct(ctx context.Context, productID, after string, limit int) ([]Listing, error)
	// FindExisting returns stored listings matching any of the
	// (retailer key, URL key) pairs or (retailer key, external id) pairs.
	FindExisting(ctx context.Context, urlKeys, externalIDs [][2]string) ([]Existing, error)
	// WriteBatch inserts and updates listings in bulk.
	WriteBatch(ctx context.Context, b BatchWrite) error

	GetCheckpoint(ctx context.Context, key string) (Checkpoint, bool, error)
	SaveCheckpoint(ctx context.Context, c Checkpoint) error
	DeleteCheckpoint(ctx context.Context, key string) error

	// SetProductKeys replaces the matching keys of a product.
	SetProductKeys(ctx context.Context, productID string, keys []ProductKey) error
	// ProductsWithoutKeys lists products whose keys were never computed.
	ProductsWithoutKeys(ctx context.Context, limit int) ([]string, error)
	// ProductsByKeys returns the products having any of the keys, with all their keys.
	ProductsByKeys(ctx context.Context, keys []string) ([]ProductRef, error)
	// ProductsByBrand returns up to limit products of a brand key, with their keys.
	ProductsByBrand(ctx context.Context, brandKey string, limit int) ([]ProductRef, error)
	// ProductRefs returns the named products (unknown ids are left out).
	ProductRefs(ctx context.Context, ids []string) ([]ProductRef, error)

	// EnqueueLink queues (or restarts) the background linking of a
	// product's listings.
	EnqueueLink(ctx context.Context, productID string) error
	// ListingCandidates returns the linker's candidate listings of a
	// product not linked to it, strongest first.
	ListingCandidates(ctx context.Context, productID string, limit int) ([]ListingCandidate, error)

	// CaseState returns the products and authorities last indexed for a case.
	CaseState(ctx context.Context, caseID string) (productIDs, authorities []string, err error)
	SaveCaseState(ctx context.Context, caseID string, productIDs, authorities []string) error

	Outbox
}

// Outbox is the queue of index work, written in the transaction of the
// change that caused it.
type Outbox interface {
	// EnqueueListings queues listings to be re-indexed.
	EnqueueListings(ctx context.Context, ids []string) error
	// EnqueueIDRange queues every listing whose id lies in [from, to]: one
	// item for a batch of newly created listings, whose time-ordered ids
	// are adjacent (a listing created meanwhile elsewhere in the range is
	// merely indexed twice).
	EnqueueIDRange(ctx context.Context, from, to string) error
	// EnqueueProducts queues every listing of the products to be re-indexed.
	EnqueueProducts(ctx context.Context, productIDs []string) error
}

// OutboxItem is one queued piece of index work.
type OutboxItem struct {
	Seq      int64
	Kind     string // OutboxListing, OutboxProduct or OutboxRange
	Ref      string
	Attempts int
}

// Outbox item kinds.
const (
	OutboxListing = "listing"
	OutboxProduct = "product"
	OutboxRange   = "range" // Ref is "<from> <to>"
)

// Lag is how far the index is behind the database.
type Lag struct {
	Pending int64
	Oldest  time.Time // zero when nothing is pending
}

// Rebuild is a request to rebuild the index from the database, carried out
// by the process that owns the index.
type Rebuild struct {
	ID          string
	RequestedAt time.Time
	RequestedBy string
	StartedAt   *time.Time
	FinishedAt  *time.Time
	Total       int64
	Done        int64
	Error       string
}

// IndexStore is what the Indexer reads and updates.
type IndexStore interface {
	Outbox
	// DueOutbox returns up to limit items due at now, oldest first.
	DueOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error)
	// NextDue returns when the earliest item not yet due becomes due.
	NextDue(ctx context.Context) (time.Time, bool, error)
	// AckOutbox removes processed items.
	AckOutbox(ctx context.Context, seqs []int64) error
	// RetryOutbox records a failed attempt and when to try again.
	RetryOutbox(ctx context.Context, seqs []int64, next time.Time, errMsg string) error
	// OutboxLag reports the queue length and the age of its oldest item.
	OutboxLag(ctx context.Context) (Lag, error)
	// ProductListingIDs returns a product's listing ids after the cursor.
	ProductListingIDs(ctx context.Context, productID, after string, limit int) ([]string, error)
	// DocsBetween returns, by id, the index documents of the listings
	// whose ids lie in [from, to] after the cursor.
	DocsBetween(ctx context.Context, from, to, after string, limit int) ([]search.Doc, error)
	// LoadDocs returns the index documents of the listings that exist.
	LoadDocs(ctx context.Context, ids []string) ([]search.Doc, error)
	// ScanDocs streams every listing's index document, by id.
	ScanDocs(ctx context.Context, emit func(search.Doc) error) error
	// CountListings returns the number of stored listings.
	CountListings(ctx context.Context) (int64, error)

	RequestRebuild(ctx context.Context, r Rebuild) error
	GetRebuild(ctx context.Context, id string) (Rebuild, error)
	// PendingRebuild returns the oldest unfinished rebuild request.
	PendingRebuild(ctx context.Context) (Rebuild, bool, error)
	SaveRebuild(ctx context.Context, r Rebuild) error
}
