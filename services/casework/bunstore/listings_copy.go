package bunstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/tradewarden/tradewarden/pkg/database"
)

// Bulk listing writes on PostgreSQL use COPY FROM, about three times faster
// than multi-row INSERT (docs/performance.md). COPY needs the driver
// connection, which database/sql hides behind a pooled transaction, so
// Listings.InTx runs its transaction on a dedicated connection and carries
// that connection in the context next to the transaction.

type connKey struct{}

// copyConn returns the connection of the transaction in ctx when COPY may
// be used on it.
func copyConn(ctx context.Context) (bun.Conn, bool) {
	c, ok := ctx.Value(connKey{}).(bun.Conn)
	return c, ok
}

// InTx runs fn in a transaction, joining one already in ctx. On PostgreSQL
// a new transaction gets its own connection so bulk writes can use COPY;
// audit entries are chained and after-commit hooks run as in Store.InTx.
func (s Listings) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := inTx(ctx); ok || s.db.Engine != database.Postgres {
		defer s.lockWrites(ctx)()
		return s.Store.InTx(ctx, func(ctx context.Context) error {
			if !ok && s.db.Engine == database.SQLite {
				// Bulk writes probe and extend the listing indexes at random
				// places; SQLite's default 2 MB page cache makes each probe
				// a read from the OS once the table outgrows it.
				if _, err := s.idb(ctx).ExecContext(ctx, sqliteCachePragma); err != nil {
					return fmt.Errorf("size the page cache: %w", err)
				}
			}
			return fn(ctx)
		})
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("get connection: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, context.Canceled) && err == nil {
				err = rerr
			}
		}
	}()
	st := &txState{tx: tx}
	tctx := context.WithValue(context.WithValue(ctx, txKey{}, st), connKey{}, conn)
	if err := fn(tctx); err != nil {
		return err
	}
	if err := s.flushAudit(tctx, tx, st.pending); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	for _, f := range st.afterCommit {
		f()
	}
	return nil
}

// copyWriter builds COPY text-format input.
type copyWriter struct {
	b   bytes.Buffer
	col int
}

var copyEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`)

func (w *copyWriter) sep() {
	if w.col > 0 {
		w.b.WriteByte('\t')
	}
	w.col++
}

func (w *copyWriter) text(s string) {
	w.sep()
	copyEscaper.WriteString(&w.b, s)
}

func (w *copyWriter) textPtr(s *string) {
	if s == nil {
		w.null()
		return
	}
	w.text(*s)
}

func (w *copyWriter) null() {
	w.sep()
	w.b.WriteString(`\N`)
}

func (w *copyWriter) int(n int64) {
	w.sep()
	w.b.WriteString(strconv.FormatInt(n, 10))
}

func (w *copyWriter) intPtr(n *int64) {
	if n == nil {
		w.null()
		return
	}
	w.int(*n)
}

func (w *copyWriter) time(t time.Time) {
	w.sep()
	w.b.WriteString(t.UTC().Format("2006-01-02 15:04:05.999999Z07:00"))
}

func (w *copyWriter) end() {
	w.b.WriteByte('\n')
	w.col = 0
}

const listingCopyColumns = "id, external_id, retailer, retailer_key, market_type, seller, url, url_key, title, description, " +
	"brand, model, gtin, price_pence, currency, condition, observed_at, support_text, status, product_id, link_source, " +
	"match_reason, content_hash, created_at, updated_at, version, seller_category, category, vdp_url, gtin_raw, " +
	"quality_flags, model_key"

func copyListings(ctx context.Context, conn bun.Conn, table string, rows []listingRow) error {
	if len(rows) == 0 {
		return nil
	}
	var w copyWriter
	for _, r := range rows {
		w.text(r.ID)
		w.textPtr(r.ExternalID)
		w.text(r.Retailer)
		w.text(r.RetailerKey)
		w.text(r.MarketType)
		w.text(r.Seller)
		w.text(r.URL)
		w.text(r.URLKey)
		w.text(r.Title)
		w.text(r.Description)
		w.text(r.Brand)
		w.text(r.Model)
		w.textPtr(r.GTIN)
		w.intPtr(r.PricePence)
		w.text(r.Currency)
		w.text(r.Condition)
		w.time(r.ObservedAt)
		w.text(r.SupportText)
		w.text(r.Status)
		w.textPtr(r.ProductID)
		w.text(r.LinkSource)
		w.text(r.MatchReason)
		w.text(r.ContentHash)
		w.time(r.CreatedAt)
		w.time(r.UpdatedAt)
		w.int(int64(r.Version))
		w.text(r.SellerCategory)
		w.text(r.Category)
		w.text(r.VDPURL)
		w.text(r.GTINRaw)
		w.text(r.QualityFlags)
		w.textPtr(r.ModelKey)
		w.end()
	}
	_, err := pgdriver.CopyFrom(ctx, conn, &w.b, "COPY "+table+" ("+listingCopyColumns+") FROM STDIN")
	return err
}

// copyUpdates stages changed listings in a temporary table with COPY and
// applies them with one UPDATE … FROM.
func (s Listings) copyUpdates(ctx context.Context, conn bun.Conn, rows []listingRow) error {
	if len(rows) == 0 {
		return nil
	}
	db := s.idb(ctx)
	if _, err := db.ExecContext(ctx,
		"CREATE TEMP TABLE IF NOT EXISTS listing_stage (LIKE listings INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"); err != nil {
		return fmt.Errorf("create staging table: %w", err)
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM listing_stage"); err != nil {
		return fmt.Errorf("clear staging table: %w", err)
	}
	if err := copyListings(ctx, conn, "listing_stage", rows); err != nil {
		return err
	}
	var set []string
	for _, c := range listingColumnList {
		if c != "id" && c != "created_at" {
			set = append(set, c+" = s."+c)
		}
	}
	_, err := db.ExecContext(ctx, "UPDATE listings AS l SET "+strings.Join(set, ", ")+" FROM listing_stage AS s WHERE l.id = s.id")
	return err
}

func copyOutbox(ctx context.Context, conn bun.Conn, rows []outboxRow) error {
	var w copyWriter
	for _, r := range rows {
		w.text(r.Kind)
		w.text(r.Ref)
		w.int(r.CreatedMS)
		w.int(int64(r.Attempts))
		w.int(r.NextAttemptMS)
		w.text(r.LastError)
		w.end()
	}
	_, err := pgdriver.CopyFrom(ctx, conn, &w.b,
		"COPY search_outbox (kind, ref, created_ms, attempts, next_attempt_ms, last_error) FROM STDIN")
	return err
}

// sqliteCachePragma gives a connection that writes listings a 64 MiB page
// cache (the setting lasts as long as the pooled connection).
const sqliteCachePragma = "PRAGMA cache_size = -65536"

// SQLite has no COPY; its fastest bulk path is one prepared statement
// executed per row inside the transaction (docs/performance.md), which
// skips parsing a many-kilobyte multi-row INSERT for every batch.

// sqliteTime is the text form bun writes timestamps in on SQLite, so rows
// written here read back like any other.
func sqliteTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999-07:00") }

func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// listingArgs are a row's values in listingCopyColumns order.
func listingArgs(r listingRow) []any {
	return []any{r.ID, nullable(r.ExternalID), r.Retailer, r.RetailerKey, r.MarketType, r.Seller, r.URL, r.URLKey, r.Title,
		r.Description, r.Brand, r.Model, nullable(r.GTIN), nullable(r.PricePence), r.Currency, r.Condition,
		sqliteTime(r.ObservedAt), r.SupportText, r.Status, nullable(r.ProductID), r.LinkSource, r.MatchReason,
		r.ContentHash, sqliteTime(r.CreatedAt), sqliteTime(r.UpdatedAt), r.Version, r.SellerCategory, r.Category, r.VDPURL,
		r.GTINRaw, r.QualityFlags, nullable(r.ModelKey)}
}

var listingColumnList = strings.Split(listingCopyColumns, ", ")

// execMany runs query once per argument list with one prepared statement
// in the transaction in ctx; ok is false when there is no transaction.
func (s Listings) execMany(ctx context.Context, query string, args [][]any) (bool, error) {
	st, ok := inTx(ctx)
	if !ok || len(args) == 0 {
		return ok, nil
	}
	stmt, err := st.tx.Tx.PrepareContext(ctx, query)
	if err != nil {
		return true, err
	}
	defer stmt.Close()
	for _, a := range args {
		if _, err := stmt.ExecContext(ctx, a...); err != nil {
			return true, err
		}
	}
	return true, nil
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// sqliteInsertListings inserts rows with a prepared statement.
func (s Listings) sqliteInsertListings(ctx context.Context, rows []listingRow) (bool, error) {
	args := make([][]any, len(rows))
	for i, r := range rows {
		args[i] = listingArgs(r)
	}
	return s.execMany(ctx, "INSERT INTO listings ("+listingCopyColumns+") VALUES ("+placeholders(len(listingColumnList))+")", args)
}

// sqliteUpdateListings rewrites rows with a prepared statement.
func (s Listings) sqliteUpdateListings(ctx context.Context, rows []listingRow) (bool, error) {
	var set []string
	var keep []int
	for i, c := range listingColumnList {
		if c != "id" && c != "created_at" {
			set = append(set, c+" = ?")
			keep = append(keep, i)
		}
	}
	args := make([][]any, len(rows))
	for i, r := range rows {
		a := listingArgs(r)
		upd := make([]any, 0, len(keep)+1)
		for _, j := range keep {
			upd = append(upd, a[j])
		}
		args[i] = append(upd, r.ID)
	}
	return s.execMany(ctx, "UPDATE listings SET "+strings.Join(set, ", ")+" WHERE id = ?", args)
}
