package listings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// LinkJob is the background linking of one product's listings: queued in
// the transaction that recorded or changed the product, carried out page
// by page by the Linker, each page in its own transaction with the job's
// progress, so the work survives restarts and is never done twice over.
type LinkJob struct {
	ProductID string
	// Step indexes the product's link sources (linkSources); After is the
	// last listing id of that source already handled.
	Step     int
	After    string
	Attempts int
}

// Link sources: where the listings of a product may be.
const (
	SourceProduct = "product" // listings automatically linked to it now
	SourceGTIN    = "gtin"    // listings with one of its GTIN's forms
	SourceModel   = "model"   // listings whose model number is one of its model keys
)

// ListingSource is one lookup of listings a product may link.
type ListingSource struct {
	Kind string
	Key  string
}

// ListingCandidate is a listing that may be of a product, found by the
// linker but not strong enough evidence to link it.
type ListingCandidate struct {
	ProductID string
	ListingID string
	Score     float64
	Reasons   []string
}

// ModelKeyUpdate sets the stored model key of a listing stored before keys were kept.
type ModelKeyUpdate struct {
	ID, ModelKey string
}

// LinkStore is what the Linker reads and writes. Methods join the
// transaction in ctx.
type LinkStore interface {
	txn.Runner
	Outbox
	// ClaimLinkJob returns a job due at now, locked against other linkers
	// until the transaction ends; false when none is due.
	ClaimLinkJob(ctx context.Context, now time.Time) (LinkJob, bool, error)
	SaveLinkJob(ctx context.Context, j LinkJob) error
	DeleteLinkJob(ctx context.Context, productID string) error
	// RetryLinkJob records a failed attempt and when to try again.
	RetryLinkJob(ctx context.Context, productID string, next time.Time, errMsg string) error
	// LinkBacklog counts the queued jobs and the listings whose model key
	// is still to be computed.
	LinkBacklog(ctx context.Context) (jobs, listings int64, err error)
	// ListingsFrom returns, by id after the cursor, the listings of a
	// source that no officer has decided on.
	ListingsFrom(ctx context.Context, src ListingSource, productID, after string, limit int) ([]Listing, error)
	// RelinkListings rewrites the product link of listings still at the
	// version read (bumping it); it returns the ids it changed.
	RelinkListings(ctx context.Context, ls []Listing, now time.Time) ([]string, error)
	// ReplaceCandidates sets a product's candidates among the listed
	// listings (first clearing all of the product's when clear is set).
	ReplaceCandidates(ctx context.Context, productID string, seen []string, cands []ListingCandidate, clear bool) error
	// ListingsWithoutModelKey returns listings stored before model keys
	// were kept, by id.
	ListingsWithoutModelKey(ctx context.Context, limit int) ([]Listing, error)
	SetModelKeys(ctx context.Context, u []ModelKeyUpdate) error
	ProductRefs(ctx context.Context, ids []string) ([]ProductRef, error)
	ProductsByKeys(ctx context.Context, keys []string) ([]ProductRef, error)
}

// LinkerOptions tunes a Linker; zero values pick the defaults.
type LinkerOptions struct {
	Page        int           // listings per transaction (default 500)
	Poll        time.Duration // how often jobs queued by other processes are looked for (default 2s)
	BaseBackoff time.Duration // first retry delay after a failure (default 1s)
	MaxBackoff  time.Duration // longest retry delay (default 5m)
}

func (o LinkerOptions) withDefaults() LinkerOptions {
	if o.Page <= 0 {
		o.Page = 500
	}
	retryDefaults(&o.Poll, &o.BaseBackoff, &o.MaxBackoff)
	return o
}

// Linker links listings to products recorded (or changed) after them: the
// strong matches (GTIN, brand + normalised model, when exactly one product
// qualifies) are linked, automatic links the evidence no longer supports
// are cleared, the rest are offered as candidates, and an officer's
// decision is never touched. Any number of processes may run one.
type Linker struct {
	store LinkStore
	log   audit.Log
	now   func() time.Time
	opt   LinkerOptions
	wake  chan struct{}
}

// NewLinker returns a linker over store.
func NewLinker(store LinkStore, log audit.Log, now func() time.Time, opt LinkerOptions) *Linker {
	return &Linker{store: store, log: log, now: now, opt: opt.withDefaults(), wake: make(chan struct{}, 1)}
}

// Notify wakes the linker: a job was just committed.
func (k *Linker) Notify() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

// linkSources are where a product's listings may be, in a fixed order.
func linkSources(p ProductRef) []ListingSource {
	out := []ListingSource{{Kind: SourceProduct, Key: p.ID}}
	var gtins, models []string
	for _, key := range p.Keys {
		switch key.Kind {
		case KeyGTIN:
			gtins = append(gtins, gtinForms(key.Key)...)
		case KeyModel:
			models = append(models, key.Key)
		}
	}
	slices.Sort(gtins)
	slices.Sort(models)
	for _, g := range slices.Compact(gtins) {
		out = append(out, ListingSource{Kind: SourceGTIN, Key: g})
	}
	for _, m := range slices.Compact(models) {
		out = append(out, ListingSource{Kind: SourceModel, Key: m})
	}
	return out
}

// gtinForms are the ways a 14-digit GTIN key may be stored on a listing
// (as GTIN-14, EAN-13, UPC-12 or EAN-8, as the seller gave it).
func gtinForms(key string) []string {
	out := []string{key}
	for _, n := range []int{13, 12, 8} {
		if len(key) == 14 && strings.Trim(key[:14-n], "0") == "" {
			out = append(out, key[14-n:])
		}
	}
	return out
}

// Step carries out one page of work: a page of listings without model keys
// first, then a page of the oldest due job. It reports whether it did any.
func (k *Linker) Step(ctx context.Context) (bool, error) {
	if did, err := k.backfill(ctx); did || err != nil {
		return did, err
	}
	var failed *LinkJob
	did := false
	err := k.store.InTx(ctx, func(ctx context.Context) error {
		j, ok, err := k.store.ClaimLinkJob(ctx, k.now())
		if err != nil || !ok {
			return err
		}
		did = true
		if err := k.page(ctx, j); err != nil {
			failed = &j
			return err
		}
		return nil
	})
	if err != nil && failed != nil && ctx.Err() == nil {
		next := k.now().Add(backoff(k.opt.BaseBackoff, k.opt.MaxBackoff, failed.Attempts+1))
		msg := err.Error()
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		if rerr := k.store.RetryLinkJob(context.WithoutCancel(ctx), failed.ProductID, next, msg); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return did, err
}

// backfill computes model keys for a page of listings stored before they
// were kept; linking relies on them.
func (k *Linker) backfill(ctx context.Context) (bool, error) {
	did := false
	err := k.store.InTx(ctx, func(ctx context.Context) error {
		ls, err := k.store.ListingsWithoutModelKey(ctx, k.opt.Page)
		if err != nil || len(ls) == 0 {
			return err
		}
		did = true
		u := make([]ModelKeyUpdate, len(ls))
		for i, l := range ls {
			u[i] = ModelKeyUpdate{ID: l.ID, ModelKey: l.ModelKey()}
		}
		return k.store.SetModelKeys(ctx, u)
	})
	if err != nil {
		return false, fmt.Errorf("compute listing model keys: %w", err)
	}
	return did, nil
}

// page handles the next page of a job's current source and records how far
// the job got, in the caller's transaction.
func (k *Linker) page(ctx context.Context, j LinkJob) error {
	refs, err := k.store.ProductRefs(ctx, []string{j.ProductID})
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return k.store.DeleteLinkJob(ctx, j.ProductID)
	}
	p := refs[0]
	srcs := linkSources(p)
	if j.Step >= len(srcs) {
		return k.store.DeleteLinkJob(ctx, j.ProductID)
	}
	src := srcs[j.Step]
	ls, err := k.store.ListingsFrom(ctx, src, p.ID, j.After, k.opt.Page)
	if err != nil {
		return err
	}
	res, err := k.decide(ctx, p, ls)
	if err != nil {
		return err
	}
	changed, err := k.store.RelinkListings(ctx, res.relink, k.now().UTC())
	if err != nil {
		return err
	}
	if err := k.store.EnqueueListings(ctx, changed); err != nil {
		return err
	}
	seen := make([]string, len(ls))
	for i, l := range ls {
		seen[i] = l.ID
	}
	first := j.Step == 0 && j.After == ""
	if err := k.store.ReplaceCandidates(ctx, p.ID, seen, res.candidates, first); err != nil {
		return err
	}
	if len(changed) > 0 {
		if err := k.log.Record(ctx, audit.Event{Action: "listing.relink", ObjectType: "product", ObjectID: p.ID,
			Detail: map[string]any{"source": src.Kind, "listings": changed, "linked": res.linked, "unlinked": res.unlinked,
				"candidates": len(res.candidates)}}); err != nil {
			return err
		}
	}
	if len(ls) < k.opt.Page {
		j.Step, j.After = j.Step+1, ""
	} else {
		j.After = ls[len(ls)-1].ID
	}
	if j.Step >= len(srcs) {
		return k.store.DeleteLinkJob(ctx, j.ProductID)
	}
	return k.store.SaveLinkJob(ctx, j)
}

// decision is what a page of listings comes to.
type decision struct {
	relink           []Listing
	linked, unlinked int
	candidates       []ListingCandidate
}

// decide matches each listing against every product sharing its keys,
// exactly as an import would, and ranks the unlinked ones against p.
func (k *Linker) decide(ctx context.Context, p ProductRef, ls []Listing) (decision, error) {
	var d decision
	keys := make([]listingKeys, len(ls))
	var lookup []string
	for i, l := range ls {
		keys[i] = keysOf(l, false)
		lookup = append(lookup, keys[i].lookupKeys(false)...)
	}
	slices.Sort(lookup)
	prods, err := k.store.ProductsByKeys(ctx, slices.Compact(lookup))
	if err != nil {
		return d, err
	}
	for i, l := range ls {
		if l.Link == LinkOfficer {
			continue
		}
		id, reason := autoMatchKeys(keys[i], prods)
		switch {
		case id != "" && (id != l.ProductID || reason != l.MatchReason || l.Link != LinkAuto):
			l.ProductID, l.Link, l.MatchReason = id, LinkAuto, reason
			d.relink = append(d.relink, l)
			d.linked++
		case id == "" && l.Link == LinkAuto:
			l.ProductID, l.Link, l.MatchReason = "", LinkNone, ""
			d.relink = append(d.relink, l)
			d.unlinked++
		}
		if l.ProductID == p.ID {
			continue
		}
		if c := rankCandidates(l, []ProductRef{p}); len(c) > 0 {
			d.candidates = append(d.candidates, ListingCandidate{ProductID: p.ID, ListingID: l.ID, Score: c[0].Score,
				Reasons: c[0].Reasons})
		}
	}
	return d, nil
}

// Drain works until nothing is due and returns how many pages it handled.
func (k *Linker) Drain(ctx context.Context) (int, error) {
	n := 0
	for {
		did, err := k.Step(ctx)
		if err != nil || !did {
			return n, err
		}
		n++
	}
}

// Run works until ctx ends, sleeping while there is nothing to do. Errors
// are passed to report; the job stays queued and is retried.
func (k *Linker) Run(ctx context.Context, report func(error)) {
	for ctx.Err() == nil {
		did, err := k.Step(ctx)
		if err != nil && ctx.Err() == nil {
			report(err)
		}
		if did && err == nil {
			continue
		}
		t := time.NewTimer(k.opt.Poll)
		select {
		case <-ctx.Done():
		case <-k.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// ProductCandidates returns the listings the linker offers as possibly of
// a product, strongest first, leaving out those linked to it since.
func (s *Service) ProductCandidates(ctx context.Context, productID string, limit int) ([]ListingCandidate, error) {
	if _, err := s.products.Get(ctx, productID); err != nil {
		return nil, err
	}
	return s.store.ListingCandidates(ctx, productID, limit)
}
