package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/listings"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// Listings stores the listings register, its import checkpoints, the
// product keys matching uses, and the search outbox.
type Listings struct {
	*Store
	// Notify, when set, is called after a transaction that queued index work commits.
	Notify func()
	// NotifyLink, when set, is called after a transaction that queued product linking commits.
	NotifyLink func()
	// writeMu queues this process's bulk writers (import batches, outbox
	// acknowledgements) on SQLite in Go: SQLite's own busy handler makes a
	// blocked writer sleep and retry, which leaves the importer and the
	// indexer idle in turn.
	writeMu *sync.Mutex
}

// NewListings returns the listings store; notify (may be nil) is called
// after a transaction that queued index work commits.
func NewListings(s *Store, notify func()) Listings {
	return Listings{Store: s, Notify: notify, writeMu: &sync.Mutex{}}
}

// lockWrites takes the in-process writer queue on SQLite outside a
// transaction; it returns the unlock function.
func (s Listings) lockWrites(ctx context.Context) func() {
	if _, nested := inTx(ctx); nested || s.writeMu == nil || s.db.Engine != database.SQLite {
		return func() {}
	}
	s.writeMu.Lock()
	return s.writeMu.Unlock
}

var (
	_ listings.Store      = Listings{}
	_ listings.IndexStore = Listings{}
	_ txn.Runner          = Listings{}
)

type listingRow struct {
	bun.BaseModel `bun:"table:listings,alias:l"`

	ID          string    `bun:"id,pk"`
	ExternalID  *string   `bun:"external_id"`
	Retailer    string    `bun:"retailer"`
	RetailerKey string    `bun:"retailer_key"`
	MarketType  string    `bun:"market_type"`
	Seller      string    `bun:"seller"`
	URL         string    `bun:"url"`
	URLKey      string    `bun:"url_key"`
	Title       string    `bun:"title"`
	Description string    `bun:"description"`
	Brand       string    `bun:"brand"`
	Model       string    `bun:"model"`
	GTIN        *string   `bun:"gtin"`
	PricePence  *int64    `bun:"price_pence"`
	Currency    string    `bun:"currency"`
	Condition   string    `bun:"condition"`
	ObservedAt  time.Time `bun:"observed_at"`
	SupportText string    `bun:"support_text"`
	Status      string    `bun:"status"`
	ProductID   *string   `bun:"product_id"`
	LinkSource  string    `bun:"link_source"`
	MatchReason string    `bun:"match_reason"`
	ContentHash string    `bun:"content_hash"`
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`
	Version     int       `bun:"version"`
	// The seller's category as written and the category code it maps to.
	SellerCategory string `bun:"seller_category"`
	Category       string `bun:"category"`
	VDPURL         string `bun:"vdp_url"`
	GTINRaw        string `bun:"gtin_raw"`
	QualityFlags   string `bun:"quality_flags"`
	// ModelKey is the normalised model number (NULL for rows stored before
	// it was kept, until the linker computes it).
	ModelKey *string `bun:"model_key"`
	// ProductCategory and ProductGTIN are the linked product's, read with documents for the index.
	ProductCategory string  `bun:"product_category,scanonly"`
	ProductGTIN     *string `bun:"product_gtin,scanonly"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func toListingRow(l listings.Listing) listingRow {
	return listingRow{ID: l.ID, ExternalID: optional(l.ExternalID), Retailer: l.Retailer, RetailerKey: l.RetailerKey(),
		MarketType: l.MarketType, Seller: l.Seller, URL: l.URL, URLKey: l.URLKey(), Title: l.Title, Description: l.Description,
		Brand: l.Brand, Model: l.Model, GTIN: optional(l.GTIN), PricePence: l.PricePence, Currency: l.Currency,
		Condition: l.Condition, ObservedAt: l.ObservedAt.UTC(), SupportText: l.SupportText, Status: l.Status,
		ProductID: optional(l.ProductID), LinkSource: string(l.Link), MatchReason: l.MatchReason, ContentHash: l.ContentHash,
		CreatedAt: l.CreatedAt.UTC(), UpdatedAt: l.UpdatedAt.UTC(), Version: l.Version, SellerCategory: l.SellerCategory,
		Category: l.Category, VDPURL: l.VulnerabilityDisclosureURL, GTINRaw: l.GTINRaw,
		QualityFlags: strings.Join(l.Quality, ","), ModelKey: ptr(l.ModelKey())}
}

func ptr[T any](v T) *T { return &v }

func splitFlags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (r listingRow) toCore() listings.Listing {
	return listings.Listing{ID: r.ID, ExternalID: deref(r.ExternalID), Retailer: r.Retailer, MarketType: r.MarketType,
		Seller: r.Seller, URL: r.URL, Title: r.Title, Description: r.Description, Brand: r.Brand, Model: r.Model,
		GTIN: deref(r.GTIN), PricePence: r.PricePence, Currency: r.Currency, Condition: r.Condition,
		ObservedAt: r.ObservedAt.UTC(), SupportText: r.SupportText, Status: r.Status, ProductID: deref(r.ProductID),
		Link: listings.LinkSource(r.LinkSource), MatchReason: r.MatchReason, ContentHash: r.ContentHash,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version, SellerCategory: r.SellerCategory,
		Category: r.Category, VulnerabilityDisclosureURL: r.VDPURL, GTINRaw: r.GTINRaw, Quality: splitFlags(r.QualityFlags)}
}

// keyConflict turns a unique violation on a listing key into a conflict
// the import retries.
func keyConflict(err error) error {
	if database.IsUniqueViolation(err) {
		return fmt.Errorf("%w: %w", listings.ErrKeyTaken,
			conflict("another listing already has this retailer and URL, or this retailer and external id"))
	}
	return err
}

// CreateListing inserts one listing.
func (s Listings) CreateListing(ctx context.Context, l listings.Listing) error {
	row := toListingRow(l)
	if _, err := s.idb(ctx).NewInsert().Model(&row).Returning("NULL").Exec(ctx); err != nil {
		return fmt.Errorf("insert listing: %w", keyConflict(err))
	}
	return nil
}

// GetListing loads one listing.
func (s Listings) GetListing(ctx context.Context, id string) (listings.Listing, error) {
	var row listingRow
	if err := s.idb(ctx).NewSelect().Model(&row).Where("l.id = ?", id).Scan(ctx); err != nil {
		return listings.Listing{}, notFound(err, listings.ErrNotFound)
	}
	return row.toCore(), nil
}

// UpdateListing rewrites one listing.
func (s Listings) UpdateListing(ctx context.Context, l listings.Listing) error {
	row := toListingRow(l)
	if _, err := s.idb(ctx).NewUpdate().Model(&row).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
		return fmt.Errorf("update listing: %w", keyConflict(err))
	}
	return nil
}

// ListingsForProduct returns a product's listings by id after the cursor.
func (s Listings) ListingsForProduct(ctx context.Context, productID, after string, limit int) ([]listings.Listing, error) {
	var rows []listingRow
	q := s.idb(ctx).NewSelect().Model(&rows).Where("l.product_id = ?", productID).OrderExpr("l.id").Limit(int64(limit))
	if after != "" {
		q = q.Where("l.id > ?", after)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list product listings: %w", err)
	}
	out := make([]listings.Listing, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

var existingColumns = []string{"id", "retailer_key", "url_key", "external_id", "content_hash", "observed_at", "product_id",
	"link_source", "match_reason", "created_at", "version"}

// FindExisting returns the stored listings with any of the keys.
func (s Listings) FindExisting(ctx context.Context, urlKeys, externalIDs [][2]string) ([]listings.Existing, error) {
	var rows []listingRow
	seen := map[string]bool{}
	add := func(part []listingRow) {
		for _, r := range part {
			if !seen[r.ID] {
				seen[r.ID] = true
				rows = append(rows, r)
			}
		}
	}
	for _, k := range []struct {
		col  string
		keys [][2]string
	}{{"url_key", urlKeys}, {"external_id", externalIDs}} {
		if len(k.keys) == 0 {
			continue
		}
		part, err := s.findByKeys(ctx, k.col, k.keys)
		if err != nil {
			return nil, fmt.Errorf("find existing listings: %w", err)
		}
		add(part)
	}
	out := make([]listings.Existing, 0, len(rows))
	for _, r := range rows {
		out = append(out, listings.Existing{ID: r.ID, RetailerKey: r.RetailerKey, URLKey: r.URLKey,
			ExternalID: deref(r.ExternalID), ContentHash: r.ContentHash, ObservedAt: r.ObservedAt.UTC(),
			ProductID: deref(r.ProductID), Link: listings.LinkSource(r.LinkSource), MatchReason: r.MatchReason,
			CreatedAt: r.CreatedAt.UTC(), Version: r.Version})
	}
	return out, nil
}

// findByKeys returns the listings whose (retailer_key, col) is one of the
// pairs. On PostgreSQL each pair probes the unique index from a LATERAL
// subquery (its LIMIT keeps the planner from flattening it into a join):
// on a table without fresh statistics (a bulk load outruns autovacuum, or
// it is off) "col = ANY(…)" or a plain join is planned as a scan of the
// whole table for every batch, which made imports slow down as they grew.
func (s Listings) findByKeys(ctx context.Context, col string, pairs [][2]string) ([]listingRow, error) {
	retailers := make([]string, len(pairs))
	vals := make([]string, len(pairs))
	for i, p := range pairs {
		retailers[i], vals[i] = p[0], p[1]
	}
	var rows []listingRow
	if s.db.Engine == database.Postgres {
		cols := make([]string, len(existingColumns))
		for i, c := range existingColumns {
			cols[i] = "l." + c
		}
		err := s.idb(ctx).NewRaw("SELECT f.* FROM unnest(?::text[], ?::text[]) AS k (retailer_key, v) CROSS JOIN LATERAL "+
			"(SELECT "+strings.Join(cols, ", ")+" FROM listings AS l WHERE l.retailer_key = k.retailer_key AND l."+col+
			" = k.v AND l."+col+" IS NOT NULL LIMIT 1) AS f", pgdialect.Array(retailers), pgdialect.Array(vals)).Scan(ctx, &rows)
		return rows, err
	}
	want := make(map[[2]string]bool, len(pairs))
	for _, p := range pairs {
		want[p] = true
	}
	if err := s.idb(ctx).NewSelect().Model(&rows).Column(existingColumns...).Where("l."+col+" IN (?)", bun.List(vals)).
		Scan(ctx); err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, r := range rows {
		v := r.URLKey
		if col == "external_id" {
			v = deref(r.ExternalID)
		}
		if want[[2]string{r.RetailerKey, v}] {
			out = append(out, r)
		}
	}
	return out, nil
}

// WriteBatch inserts and updates listings in bulk: with COPY on PostgreSQL
// (when the transaction has its own connection), with multi-row statements
// otherwise.
func (s Listings) WriteBatch(ctx context.Context, b listings.BatchWrite) error {
	ins := make([]listingRow, len(b.Inserts))
	for i, l := range b.Inserts {
		ins[i] = toListingRow(l)
	}
	upd := make([]listingRow, len(b.Updates))
	for i, l := range b.Updates {
		upd[i] = toListingRow(l)
	}
	if conn, ok := copyConn(ctx); ok {
		if err := copyListings(ctx, conn, "listings", ins); err != nil {
			return fmt.Errorf("copy listings: %w", keyConflict(err))
		}
		if err := s.copyUpdates(ctx, conn, upd); err != nil {
			return fmt.Errorf("update listings: %w", keyConflict(err))
		}
		return nil
	}
	if s.db.Engine == database.SQLite {
		if done, err := s.sqliteInsertListings(ctx, ins); err != nil {
			return fmt.Errorf("insert listings: %w", keyConflict(err))
		} else if done {
			if _, err := s.sqliteUpdateListings(ctx, upd); err != nil {
				return fmt.Errorf("update listings: %w", keyConflict(err))
			}
			return nil
		}
	}
	if len(ins) > 0 {
		if _, err := s.idb(ctx).NewInsert().Model(&ins).Returning("NULL").Exec(ctx); err != nil {
			return fmt.Errorf("insert listings: %w", keyConflict(err))
		}
	}
	for i := range upd {
		if _, err := s.idb(ctx).NewUpdate().Model(&upd[i]).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
			return fmt.Errorf("update listing: %w", keyConflict(err))
		}
	}
	return nil
}

type checkpointRow struct {
	bun.BaseModel `bun:"table:listing_imports"`

	Key          string    `bun:"key,pk"`
	Format       string    `bun:"format"`
	CSVHeader    string    `bun:"csv_header"`
	OffsetBytes  int64     `bun:"offset_bytes"`
	Lines        int64     `bun:"lines"`
	PrefixSHA256 string    `bun:"prefix_sha256"`
	Actor        string    `bun:"actor"`
	StartedAt    time.Time `bun:"started_at"`
	UpdatedAt    time.Time `bun:"updated_at"`
}

// GetCheckpoint returns an interrupted import's checkpoint.
func (s Listings) GetCheckpoint(ctx context.Context, key string) (listings.Checkpoint, bool, error) {
	var r checkpointRow
	err := s.idb(ctx).NewSelect().Model(&r).Where("key = ?", key).Scan(ctx)
	if errors.Is(notFound(err, listings.ErrNotFound), listings.ErrNotFound) {
		return listings.Checkpoint{}, false, nil
	}
	if err != nil {
		return listings.Checkpoint{}, false, fmt.Errorf("read import checkpoint: %w", err)
	}
	var header []string
	if r.CSVHeader != "" {
		header = parseList(r.CSVHeader)
	}
	return listings.Checkpoint{Key: r.Key, Format: listings.Format(r.Format), Header: header, Offset: r.OffsetBytes,
		Lines: r.Lines, PrefixSHA256: r.PrefixSHA256, Actor: r.Actor, StartedAt: r.StartedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC()}, true, nil
}

// SaveCheckpoint records how far an import has committed.
func (s Listings) SaveCheckpoint(ctx context.Context, c listings.Checkpoint) error {
	header := ""
	if c.Header != nil {
		header = jsonList(c.Header)
	}
	r := checkpointRow{Key: c.Key, Format: string(c.Format), CSVHeader: header, OffsetBytes: c.Offset, Lines: c.Lines,
		PrefixSHA256: c.PrefixSHA256, Actor: c.Actor, StartedAt: c.StartedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
	_, err := s.idb(ctx).NewInsert().Model(&r).On("CONFLICT (key) DO UPDATE").
		Set("format = EXCLUDED.format").Set("csv_header = EXCLUDED.csv_header").
		Set("offset_bytes = EXCLUDED.offset_bytes").Set("lines = EXCLUDED.lines").
		Set("prefix_sha256 = EXCLUDED.prefix_sha256").Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save import checkpoint: %w", err)
	}
	return nil
}

// DeleteCheckpoint forgets a finished import.
func (s Listings) DeleteCheckpoint(ctx context.Context, key string) error {
	if _, err := s.idb(ctx).NewDelete().Model((*checkpointRow)(nil)).Where("key = ?", key).Exec(ctx); err != nil {
		return fmt.Errorf("delete import checkpoint: %w", err)
	}
	return nil
}

type productKeyRow struct {
	bun.BaseModel `bun:"table:listing_product_keys"`

	ProductID string `bun:"product_id,pk"`
	Kind      string `bun:"kind,pk"`
	Key       string `bun:"key,pk"`
}

// SetProductKeys replaces a product's matching keys.
func (s Listings) SetProductKeys(ctx context.Context, productID string, keys []listings.ProductKey) error {
	if _, err := s.idb(ctx).NewDelete().Model((*productKeyRow)(nil)).Where("product_id = ?", productID).Exec(ctx); err != nil {
		return fmt.Errorf("clear product keys: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	rows := make([]productKeyRow, len(keys))
	for i, k := range keys {
		rows[i] = productKeyRow{ProductID: productID, Kind: k.Kind, Key: k.Key}
	}
	if _, err := s.idb(ctx).NewInsert().Model(&rows).Returning("NULL").Exec(ctx); err != nil {
		return fmt.Errorf("insert product keys: %w", err)
	}
	return nil
}

// ProductsWithoutKeys lists products whose matching keys were never computed.
func (s Listings) ProductsWithoutKeys(ctx context.Context, limit int) ([]string, error) {
	var out []string
	err := s.idb(ctx).NewSelect().Table("products").Column("id").
		Where("NOT EXISTS (SELECT 1 FROM listing_product_keys k WHERE k.product_id = products.id)").
		OrderExpr("id").Limit(int64(limit)).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("find products without keys: %w", err)
	}
	return out, nil
}

// ProductsByKeys returns the products having any of the keys.
func (s Listings) ProductsByKeys(ctx context.Context, keys []string) ([]listings.ProductRef, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var ids []string
	err := s.idb(ctx).NewSelect().Table("listing_product_keys").ColumnExpr("DISTINCT product_id").
		Where("key IN (?)", bun.List(keys)).Where("kind <> ?", listings.KeyBrand).Limit(1000).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("find products by key: %w", err)
	}
	return s.ProductRefs(ctx, ids)
}

// ProductsByBrand returns up to limit products of a brand.
func (s Listings) ProductsByBrand(ctx context.Context, brandKey string, limit int) ([]listings.ProductRef, error) {
	var ids []string
	err := s.idb(ctx).NewSelect().Table("listing_product_keys").Column("product_id").
		Where("key = ?", brandKey).Where("kind = ?", listings.KeyBrand).OrderExpr("product_id").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("find products by brand: %w", err)
	}
	return s.ProductRefs(ctx, ids)
}

// ProductRefs returns the named products with their keys.
func (s Listings) ProductRefs(ctx context.Context, ids []string) ([]listings.ProductRef, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var prods []struct {
		ID       string  `bun:"id"`
		Brand    string  `bun:"brand"`
		Model    string  `bun:"model"`
		GTIN     *string `bun:"gtin"`
		Category string  `bun:"category"`
	}
	if err := s.idb(ctx).NewSelect().Table("products").Column("id", "brand", "model", "gtin", "category").
		Where("id IN (?)", bun.List(ids)).OrderExpr("id").Scan(ctx, &prods); err != nil {
		return nil, fmt.Errorf("load products: %w", err)
	}
	var keys []productKeyRow
	if err := s.idb(ctx).NewSelect().Model(&keys).Where("product_id IN (?)", bun.List(ids)).
		OrderExpr("product_id, kind, key").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load product keys: %w", err)
	}
	byID := map[string][]listings.ProductKey{}
	for _, k := range keys {
		byID[k.ProductID] = append(byID[k.ProductID], listings.ProductKey{Kind: k.Kind, Key: k.Key})
	}
	out := make([]listings.ProductRef, len(prods))
	for i, p := range prods {
		out[i] = listings.ProductRef{ID: p.ID, Brand: p.Brand, Model: p.Model, GTIN: deref(p.GTIN), Category: p.Category,
			Keys: byID[p.ID]}
	}
	return out, nil
}

type caseStateRow struct {
	bun.BaseModel `bun:"table:search_case_state"`

	CaseID      string `bun:"case_id,pk"`
	ProductIDs  string `bun:"product_ids"`
	Authorities string `bun:"authorities"`
}

// CaseState returns what the index last knew of a case.
func (s Listings) CaseState(ctx context.Context, caseID string) ([]string, []string, error) {
	var r caseStateRow
	err := s.idb(ctx).NewSelect().Model(&r).Where("case_id = ?", caseID).Scan(ctx)
	if errors.Is(notFound(err, listings.ErrNotFound), listings.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read case search state: %w", err)
	}
	return parseList(r.ProductIDs), parseList(r.Authorities), nil
}

// SaveCaseState records what the index now knows of a case.
func (s Listings) SaveCaseState(ctx context.Context, caseID string, productIDs, authorities []string) error {
	r := caseStateRow{CaseID: caseID, ProductIDs: jsonList(productIDs), Authorities: jsonList(authorities)}
	_, err := s.idb(ctx).NewInsert().Model(&r).On("CONFLICT (case_id) DO UPDATE").
		Set("product_ids = EXCLUDED.product_ids").Set("authorities = EXCLUDED.authorities").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save case search state: %w", err)
	}
	return nil
}

type outboxRow struct {
	bun.BaseModel `bun:"table:search_outbox"`

	Seq           int64  `bun:"seq,pk,autoincrement"`
	Kind          string `bun:"kind"`
	Ref           string `bun:"ref"`
	CreatedMS     int64  `bun:"created_ms"`
	Attempts      int    `bun:"attempts"`
	NextAttemptMS int64  `bun:"next_attempt_ms"`
	LastError     string `bun:"last_error"`
}

// EnqueueListings queues listings for re-indexing.
func (s Listings) EnqueueListings(ctx context.Context, ids []string) error {
	return s.enqueue(ctx, listings.OutboxListing, ids)
}

// EnqueueIDRange queues the listings whose ids lie in [from, to].
func (s Listings) EnqueueIDRange(ctx context.Context, from, to string) error {
	return s.enqueue(ctx, listings.OutboxRange, []string{from + " " + to})
}

// EnqueueProducts queues the listings of products for re-indexing.
func (s Listings) EnqueueProducts(ctx context.Context, productIDs []string) error {
	return s.enqueue(ctx, listings.OutboxProduct, productIDs)
}

func (s Listings) enqueue(ctx context.Context, kind string, refs []string) error {
	if len(refs) == 0 {
		return nil
	}
	now := s.now().UnixMilli()
	rows := make([]outboxRow, len(refs))
	for i, r := range refs {
		rows[i] = outboxRow{Kind: kind, Ref: r, CreatedMS: now, NextAttemptMS: now}
	}
	var err error
	done := false
	if conn, ok := copyConn(ctx); ok {
		err, done = copyOutbox(ctx, conn, rows), true
	} else if s.db.Engine == database.SQLite {
		args := make([][]any, len(rows))
		for i, r := range rows {
			args[i] = []any{r.Kind, r.Ref, r.CreatedMS, r.NextAttemptMS}
		}
		done, err = s.execMany(ctx, "INSERT INTO search_outbox (kind, ref, created_ms, next_attempt_ms) VALUES (?, ?, ?, ?)", args)
	}
	if !done && err == nil {
		_, err = s.idb(ctx).NewInsert().Model(&rows).Returning("NULL").Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("queue index work: %w", err)
	}
	if s.Notify != nil {
		AfterCommit(ctx, s.Notify)
	}
	return nil
}

// DueOutbox returns up to limit items due at now, oldest first.
func (s Listings) DueOutbox(ctx context.Context, now time.Time, limit int) ([]listings.OutboxItem, error) {
	var rows []outboxRow
	err := s.idb(ctx).NewSelect().Model(&rows).Column("seq", "kind", "ref", "attempts").
		Where("next_attempt_ms <= ?", now.UnixMilli()).OrderExpr("seq").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read search outbox: %w", err)
	}
	out := make([]listings.OutboxItem, len(rows))
	for i, r := range rows {
		out[i] = listings.OutboxItem{Seq: r.Seq, Kind: r.Kind, Ref: r.Ref, Attempts: r.Attempts}
	}
	return out, nil
}

// NextDue returns when the earliest waiting item becomes due.
func (s Listings) NextDue(ctx context.Context) (time.Time, bool, error) {
	var ms *int64
	if err := s.idb(ctx).NewSelect().Table("search_outbox").ColumnExpr("MIN(next_attempt_ms)").Scan(ctx, &ms); err != nil {
		return time.Time{}, false, fmt.Errorf("read search outbox: %w", err)
	}
	if ms == nil {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(*ms).UTC(), true, nil
}

// AckOutbox removes processed items.
func (s Listings) AckOutbox(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	defer s.lockWrites(ctx)()
	if _, err := s.idb(ctx).NewDelete().Model((*outboxRow)(nil)).Where("seq IN (?)", bun.List(seqs)).Exec(ctx); err != nil {
		return fmt.Errorf("acknowledge index work: %w", err)
	}
	return nil
}

// RetryOutbox records a failed attempt.
func (s Listings) RetryOutbox(ctx context.Context, seqs []int64, next time.Time, errMsg string) error {
	defer s.lockWrites(ctx)()
	_, err := s.idb(ctx).NewUpdate().Model((*outboxRow)(nil)).Set("attempts = attempts + 1").
		Set("next_attempt_ms = ?", next.UnixMilli()).Set("last_error = ?", errMsg).
		Where("seq IN (?)", bun.List(seqs)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("reschedule index work: %w", err)
	}
	return nil
}

// OutboxLag reports the queue length and the age of its oldest item.
func (s Listings) OutboxLag(ctx context.Context) (listings.Lag, error) {
	var row struct {
		N      int64  `bun:"n"`
		Oldest *int64 `bun:"oldest"`
	}
	if err := s.idb(ctx).NewSelect().Table("search_outbox").ColumnExpr("COUNT(*) AS n").
		ColumnExpr("MIN(created_ms) AS oldest").Scan(ctx, &row); err != nil {
		return listings.Lag{}, fmt.Errorf("measure search outbox: %w", err)
	}
	lag := listings.Lag{Pending: row.N}
	if row.Oldest != nil {
		lag.Oldest = time.UnixMilli(*row.Oldest).UTC()
	}
	return lag, nil
}

// ProductListingIDs returns a product's listing ids after the cursor.
func (s Listings) ProductListingIDs(ctx context.Context, productID, after string, limit int) ([]string, error) {
	var out []string
	err := s.idb(ctx).NewSelect().Table("listings").Column("id").Where("product_id = ?", productID).
		Where("id > ?", after).OrderExpr("id").Limit(int64(limit)).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("list product listing ids: %w", err)
	}
	return out, nil
}

// DocsBetween returns the documents of the listings with ids in [from, to]
// after the cursor, by id.
func (s Listings) DocsBetween(ctx context.Context, from, to, after string, limit int) ([]search.Doc, error) {
	rows, err := s.docRows(ctx, "l.id >= ? AND l.id <= ? AND l.id > ? ORDER BY l.id LIMIT ?", from, to, after, limit)
	if err != nil {
		return nil, err
	}
	return s.toDocs(ctx, rows)
}

// CountListings returns the number of stored listings.
func (s Listings) CountListings(ctx context.Context) (int64, error) {
	n, err := s.idb(ctx).NewSelect().Table("listings").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count listings: %w", err)
	}
	return int64(n), nil
}

// docColumns are what an index document needs, in docRows' scan order.
const docColumns = "l.id, l.product_id, l.title, l.description, l.brand, l.model, l.gtin, l.retailer, l.market_type, " +
	"l.seller, l.url, l.price_pence, l.currency, l.condition, l.observed_at, l.support_text, l.status, " +
	"l.category, l.seller_category, COALESCE(p.category, ''), p.gtin"

// docRows reads listings for the index. The indexer reads every listing
// it writes, so rows are scanned by hand rather than by reflection.
func (s Listings) docRows(ctx context.Context, where string, args ...any) ([]listingRow, error) {
	rows, err := s.idb(ctx).QueryContext(ctx, "SELECT "+docColumns+
		" FROM listings AS l LEFT JOIN products AS p ON p.id = l.product_id WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("load listings for the index: %w", err)
	}
	defer rows.Close()
	var out []listingRow
	for rows.Next() {
		var (
			r                          listingRow
			product, gtin, productGTIN sql.NullString
			price                      sql.NullInt64
			observed                   any
		)
		if err := rows.Scan(&r.ID, &product, &r.Title, &r.Description, &r.Brand, &r.Model, &gtin, &r.Retailer,
			&r.MarketType, &r.Seller, &r.URL, &price, &r.Currency, &r.Condition, &observed, &r.SupportText, &r.Status,
			&r.Category, &r.SellerCategory, &r.ProductCategory, &productGTIN); err != nil {
			return nil, fmt.Errorf("load listings for the index: %w", err)
		}
		if r.ObservedAt, err = timeValue(observed); err != nil {
			return nil, fmt.Errorf("listing %s observed_at: %w", r.ID, err)
		}
		if product.Valid {
			r.ProductID = &product.String
		}
		if gtin.Valid {
			r.GTIN = &gtin.String
		}
		if productGTIN.Valid {
			r.ProductGTIN = &productGTIN.String
		}
		if price.Valid {
			r.PricePence = &price.Int64
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load listings for the index: %w", err)
	}
	return out, nil
}

// timeValue converts what a driver returns for a timestamp column: a time
// (PostgreSQL) or the text bun wrote (SQLite).
func timeValue(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case []byte:
		return parseStoredTime(string(t))
	case string:
		return parseStoredTime(t)
	}
	return time.Time{}, fmt.Errorf("unexpected %T", v)
}

func parseStoredTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// openCases returns, per product, the codes of the authorities with an
// open case on it: the owners of open cases and the authorities that
// accepted a referral of one.
func (s Listings) openCases(ctx context.Context, productIDs []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(productIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ProductID string `bun:"product_id"`
		Code      string `bun:"code"`
	}
	err := s.idb(ctx).NewRaw(`
		SELECT cp.product_id, a.code FROM case_products cp
		  JOIN cases c ON c.id = cp.case_id
		  JOIN authorities a ON a.id = c.authority_id
		 WHERE c.status <> 'closed' AND cp.product_id IN (?)
		UNION
		SELECT cp.product_id, a.code FROM case_products cp
		  JOIN cases c ON c.id = cp.case_id
		  JOIN case_shares sh ON sh.case_id = c.id AND sh.status = 'accepted'
		  JOIN authorities a ON a.id = sh.authority_id
		 WHERE c.status <> 'closed' AND cp.product_id IN (?)
		 ORDER BY 1, 2`, bun.List(productIDs), bun.List(productIDs)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("load open cases of products: %w", err)
	}
	for _, r := range rows {
		out[r.ProductID] = append(out[r.ProductID], r.Code)
	}
	return out, nil
}

func (s Listings) toDocs(ctx context.Context, rows []listingRow) ([]search.Doc, error) {
	var pids []string
	seen := map[string]bool{}
	for _, r := range rows {
		if r.ProductID != nil && !seen[*r.ProductID] {
			seen[*r.ProductID] = true
			pids = append(pids, *r.ProductID)
		}
	}
	open, err := s.openCases(ctx, pids)
	if err != nil {
		return nil, err
	}
	docs := make([]search.Doc, len(rows))
	for i, r := range rows {
		d := search.Doc{ListingID: r.ID, ProductID: deref(r.ProductID), Title: r.Title, Description: r.Description,
			Brand: r.Brand, Model: r.Model, GTIN: deref(r.GTIN), Category: listings.DocCategory(r.ProductCategory, r.Category),
			Retailer:   r.Retailer,
			MarketType: r.MarketType, Seller: r.Seller, URL: r.URL, Currency: r.Currency, Condition: r.Condition,
			ObservedAt: r.ObservedAt.UTC(), SupportText: r.SupportText, Status: r.Status}
		if r.PricePence != nil {
			d.PricePence = *r.PricePence
		}
		// A linked listing is found by its product's GTIN too: sellers
		// rarely print the barcode.
		if d.GTIN == "" {
			d.GTIN = deref(r.ProductGTIN)
		}
		if r.ProductID != nil {
			d.OpenCaseAuthorities = open[*r.ProductID]
		}
		docs[i] = d
	}
	return docs, nil
}

// LoadDocs returns the index documents of the listings that exist.
func (s Listings) LoadDocs(ctx context.Context, ids []string) ([]search.Doc, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []listingRow
	var err error
	if s.db.Engine == database.Postgres {
		// One array parses far faster than thousands of IN-list constants.
		rows, err = s.docRows(ctx, "l.id = ANY(?)", pgdialect.Array(ids))
	} else {
		rows, err = s.docRows(ctx, "l.id IN (?)", bun.List(ids))
	}
	if err != nil {
		return nil, err
	}
	return s.toDocs(ctx, rows)
}

// scanPage is the number of listings ScanDocs reads per query.
const scanPage = 2000

// ScanDocs streams every listing's index document in id order, one page
// per query so no long transaction is held.
func (s Listings) ScanDocs(ctx context.Context, emit func(search.Doc) error) error {
	after := ""
	for {
		rows, err := s.docRows(ctx, "l.id > ? ORDER BY l.id LIMIT ?", after, scanPage)
		if err != nil {
			return err
		}
		docs, err := s.toDocs(ctx, rows)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if err := emit(d); err != nil {
				return err
			}
		}
		if len(rows) < scanPage {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

type rebuildRow struct {
	bun.BaseModel `bun:"table:search_rebuilds"`

	ID          string     `bun:"id,pk"`
	RequestedAt time.Time  `bun:"requested_at"`
	RequestedBy string     `bun:"requested_by"`
	StartedAt   *time.Time `bun:"started_at"`
	FinishedAt  *time.Time `bun:"finished_at"`
	Total       int64      `bun:"total"`
	Done        int64      `bun:"done"`
	Error       string     `bun:"error"`
}

func (r rebuildRow) toCore() listings.Rebuild {
	return listings.Rebuild{ID: r.ID, RequestedAt: r.RequestedAt.UTC(), RequestedBy: r.RequestedBy, StartedAt: utcPtr(r.StartedAt),
		FinishedAt: utcPtr(r.FinishedAt), Total: r.Total, Done: r.Done, Error: r.Error}
}

func toRebuildRow(r listings.Rebuild) rebuildRow {
	return rebuildRow{ID: r.ID, RequestedAt: r.RequestedAt, RequestedBy: r.RequestedBy, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt, Total: r.Total, Done: r.Done, Error: r.Error}
}

// RequestRebuild records a rebuild request.
func (s Listings) RequestRebuild(ctx context.Context, r listings.Rebuild) error {
	row := toRebuildRow(r)
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("request index rebuild: %w", err)
	}
	return nil
}

// GetRebuild reads a rebuild request.
func (s Listings) GetRebuild(ctx context.Context, id string) (listings.Rebuild, error) {
	var row rebuildRow
	if err := s.idb(ctx).NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return listings.Rebuild{}, fmt.Errorf("read index rebuild %s: %w", id, err)
	}
	return row.toCore(), nil
}

// PendingRebuild returns the oldest unfinished rebuild request.
func (s Listings) PendingRebuild(ctx context.Context) (listings.Rebuild, bool, error) {
	var rows []rebuildRow
	if err := s.idb(ctx).NewSelect().Model(&rows).Where("finished_at IS NULL").OrderExpr("requested_at, id").Limit(1).
		Scan(ctx); err != nil {
		return listings.Rebuild{}, false, fmt.Errorf("read index rebuilds: %w", err)
	}
	if len(rows) == 0 {
		return listings.Rebuild{}, false, nil
	}
	return rows[0].toCore(), true, nil
}

// SaveRebuild records a rebuild's progress.
func (s Listings) SaveRebuild(ctx context.Context, r listings.Rebuild) error {
	row := toRebuildRow(r)
	if _, err := s.idb(ctx).NewUpdate().Model(&row).WherePK().ExcludeColumn("requested_at", "requested_by").Exec(ctx); err != nil {
		return fmt.Errorf("save index rebuild: %w", err)
	}
	return nil
}
