package bunstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/listings"
)

var _ listings.LinkStore = Listings{}

type linkJobRow struct {
	bun.BaseModel `bun:"table:listing_link_jobs"`

	ProductID     string `bun:"product_id,pk"`
	Step          int    `bun:"step"`
	AfterID       string `bun:"after_id"`
	CreatedMS     int64  `bun:"created_ms"`
	Attempts      int    `bun:"attempts"`
	NextAttemptMS int64  `bun:"next_attempt_ms"`
	LastError     string `bun:"last_error"`
}

// EnqueueLink queues the linking of a product's listings, restarting a
// job already queued (the product changed again: its keys did).
func (s Listings) EnqueueLink(ctx context.Context, productID string) error {
	now := s.now().UnixMilli()
	r := linkJobRow{ProductID: productID, CreatedMS: now, NextAttemptMS: now}
	_, err := s.idb(ctx).NewInsert().Model(&r).On("CONFLICT (product_id) DO UPDATE").
		Set("step = 0").Set("after_id = ''").Set("attempts = 0").Set("last_error = ''").
		Set("next_attempt_ms = EXCLUDED.next_attempt_ms").Exec(ctx)
	if err != nil {
		return fmt.Errorf("queue product linking: %w", err)
	}
	if s.NotifyLink != nil {
		AfterCommit(ctx, s.NotifyLink)
	}
	return nil
}

// ClaimLinkJob returns the job due first, locked for the transaction; a job
// another linker holds is skipped.
func (s Listings) ClaimLinkJob(ctx context.Context, now time.Time) (listings.LinkJob, bool, error) {
	var rows []linkJobRow
	q := s.idb(ctx).NewSelect().Model(&rows).Where("next_attempt_ms <= ?", now.UnixMilli()).
		OrderExpr("next_attempt_ms, product_id").Limit(1)
	if s.db.Engine == database.Postgres {
		q = q.For("UPDATE SKIP LOCKED")
	}
	if err := q.Scan(ctx); err != nil {
		return listings.LinkJob{}, false, fmt.Errorf("claim a product linking job: %w", err)
	}
	if len(rows) == 0 {
		return listings.LinkJob{}, false, nil
	}
	r := rows[0]
	return listings.LinkJob{ProductID: r.ProductID, Step: r.Step, After: r.AfterID, Attempts: r.Attempts}, true, nil
}

// SaveLinkJob records how far a job got.
func (s Listings) SaveLinkJob(ctx context.Context, j listings.LinkJob) error {
	_, err := s.idb(ctx).NewUpdate().Model((*linkJobRow)(nil)).Set("step = ?", j.Step).Set("after_id = ?", j.After).
		Set("attempts = 0").Set("last_error = ''").Where("product_id = ?", j.ProductID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("save product linking progress: %w", err)
	}
	return nil
}

// DeleteLinkJob removes a finished job.
func (s Listings) DeleteLinkJob(ctx context.Context, productID string) error {
	if _, err := s.idb(ctx).NewDelete().Model((*linkJobRow)(nil)).Where("product_id = ?", productID).Exec(ctx); err != nil {
		return fmt.Errorf("finish product linking: %w", err)
	}
	return nil
}

// RetryLinkJob records a failed attempt.
func (s Listings) RetryLinkJob(ctx context.Context, productID string, next time.Time, errMsg string) error {
	_, err := s.idb(ctx).NewUpdate().Model((*linkJobRow)(nil)).Set("attempts = attempts + 1").
		Set("next_attempt_ms = ?", next.UnixMilli()).Set("last_error = ?", errMsg).Where("product_id = ?", productID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("reschedule product linking: %w", err)
	}
	return nil
}

// LinkBacklog counts queued jobs and listings still without a model key.
func (s Listings) LinkBacklog(ctx context.Context) (int64, int64, error) {
	jobs, err := s.idb(ctx).NewSelect().Table("listing_link_jobs").Count(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("count product linking jobs: %w", err)
	}
	todo, err := s.idb(ctx).NewSelect().Table("listings").Where("model_key IS NULL").Count(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("count listings without model keys: %w", err)
	}
	return int64(jobs), int64(todo), nil
}

// ListingsFrom returns a page of a source's listings no officer decided on.
// Each source is read through its own (key, id) index in id order.
func (s Listings) ListingsFrom(ctx context.Context, src listings.ListingSource, _, after string, limit int) ([]listings.Listing, error) {
	var rows []listingRow
	q := s.idb(ctx).NewSelect().Model(&rows)
	switch src.Kind {
	case listings.SourceProduct:
		q = q.Where("l.product_id = ?", src.Key).Where("l.link_source = ?", string(listings.LinkAuto))
	case listings.SourceGTIN:
		q = q.Where("l.gtin = ?", src.Key).Where("l.link_source <> ?", string(listings.LinkOfficer))
	case listings.SourceModel:
		// model_key <> '' repeats the partial index's condition so that
		// SQLite uses it.
		q = q.Where("l.model_key = ?", src.Key).Where("l.model_key <> ''").Where("l.link_source <> ?", string(listings.LinkOfficer))
	default:
		return nil, fmt.Errorf("unknown listing source %q", src.Kind)
	}
	if err := q.Where("l.id > ?", after).OrderExpr("l.id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list listings by %s: %w", src.Kind, err)
	}
	out := make([]listings.Listing, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

// RelinkListings rewrites the product links of listings still at the
// version read and not decided on by an officer meanwhile.
func (s Listings) RelinkListings(ctx context.Context, ls []listings.Listing, now time.Time) ([]string, error) {
	var changed []string
	for _, l := range ls {
		res, err := s.idb(ctx).NewUpdate().Table("listings").Set("product_id = ?", optional(l.ProductID)).
			Set("link_source = ?", string(l.Link)).Set("match_reason = ?", l.MatchReason).
			Set("version = version + 1").Set("updated_at = ?", now).
			Where("id = ?", l.ID).Where("version = ?", l.Version).Where("link_source <> ?", string(listings.LinkOfficer)).
			Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("relink listing %s: %w", l.ID, err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			changed = append(changed, l.ID)
		}
	}
	return changed, nil
}

type candidateRow struct {
	bun.BaseModel `bun:"table:listing_candidates"`

	ProductID string  `bun:"product_id,pk"`
	ListingID string  `bun:"listing_id,pk"`
	Score     float64 `bun:"score"`
	Reasons   string  `bun:"reasons"`
}

// ReplaceCandidates sets the product's candidates among the seen listings.
func (s Listings) ReplaceCandidates(ctx context.Context, productID string, seen []string, cands []listings.ListingCandidate, clear bool) error {
	del := s.idb(ctx).NewDelete().Model((*candidateRow)(nil)).Where("product_id = ?", productID)
	if !clear {
		if len(seen) == 0 {
			del = nil
		} else {
			del = del.Where("listing_id IN (?)", bun.List(seen))
		}
	}
	if del != nil {
		if _, err := del.Exec(ctx); err != nil {
			return fmt.Errorf("clear listing candidates: %w", err)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	rows := make([]candidateRow, len(cands))
	for i, c := range cands {
		rows[i] = candidateRow{ProductID: c.ProductID, ListingID: c.ListingID, Score: c.Score, Reasons: strings.Join(c.Reasons, ",")}
	}
	// A listing found through two sources (its GTIN and its model) is one candidate.
	_, err := s.idb(ctx).NewInsert().Model(&rows).On("CONFLICT (product_id, listing_id) DO UPDATE").
		Set("score = EXCLUDED.score").Set("reasons = EXCLUDED.reasons").Exec(ctx)
	if err != nil {
		return fmt.Errorf("record listing candidates: %w", err)
	}
	return nil
}

// ListingCandidates returns a product's candidate listings not linked to it.
func (s Listings) ListingCandidates(ctx context.Context, productID string, limit int) ([]listings.ListingCandidate, error) {
	var rows []candidateRow
	err := s.idb(ctx).NewSelect().Model(&rows).Column("c.product_id", "c.listing_id", "c.score", "c.reasons").
		ModelTableExpr("listing_candidates AS c").Join("JOIN listings AS l ON l.id = c.listing_id").
		Where("c.product_id = ?", productID).Where("(l.product_id IS NULL OR l.product_id <> c.product_id)").
		OrderExpr("c.score DESC, c.listing_id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list listing candidates: %w", err)
	}
	out := make([]listings.ListingCandidate, len(rows))
	for i, r := range rows {
		out[i] = listings.ListingCandidate{ProductID: r.ProductID, ListingID: r.ListingID, Score: r.Score,
			Reasons: splitFlags(r.Reasons)}
	}
	return out, nil
}

// ListingsWithoutModelKey returns listings stored before model keys were kept.
func (s Listings) ListingsWithoutModelKey(ctx context.Context, limit int) ([]listings.Listing, error) {
	var rows []struct {
		ID    string `bun:"id"`
		Model string `bun:"model"`
	}
	if err := s.idb(ctx).NewSelect().Table("listings").Column("id", "model").Where("model_key IS NULL").
		OrderExpr("id").Limit(int64(limit)).Scan(ctx, &rows); err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, fmt.Errorf("find listings without model keys: %w", err)
	}
	out := make([]listings.Listing, len(rows))
	for i, r := range rows {
		out[i] = listings.Listing{ID: r.ID, Model: r.Model}
	}
	return out, nil
}

// SetModelKeys stores computed model keys.
func (s Listings) SetModelKeys(ctx context.Context, u []listings.ModelKeyUpdate) error {
	for _, x := range u {
		if _, err := s.idb(ctx).NewUpdate().Table("listings").Set("model_key = ?", x.ModelKey).Where("id = ?", x.ID).
			Exec(ctx); err != nil {
			return fmt.Errorf("set listing model key: %w", err)
		}
	}
	return nil
}
