package listings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// IndexerOptions tunes an Indexer; zero values pick the defaults.
type IndexerOptions struct {
	// Batch is the number of outbox items (and documents) handled at once (default 2000).
	Batch int
	// Poll is how often the outbox is checked for work queued by other
	// processes (default 2s); work queued in this process wakes it at once.
	Poll time.Duration
	// BaseBackoff and MaxBackoff bound the exponential retry delay (defaults 1s and 5m).
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
}

func (o IndexerOptions) withDefaults() IndexerOptions {
	if o.Batch <= 0 {
		o.Batch = 2000
	}
	retryDefaults(&o.Poll, &o.BaseBackoff, &o.MaxBackoff)
	return o
}

// retryDefaults fills in the polling interval and retry delays the
// background workers share: poll every 2s, retry after 1s doubling to 5m.
func retryDefaults(poll, base, longest *time.Duration) {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{poll, 2 * time.Second}, {base, time.Second}, {longest, 5 * time.Minute}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
}

// backoff is the delay before the attempt after the n-th failure.
func backoff(base, longest time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < longest; i++ {
		d *= 2
	}
	return min(d, longest)
}

// Indexer keeps a search index in step with the database by draining the
// outbox. Items stay in the outbox until their documents are written, so
// work survives restarts; failures are retried with exponential backoff.
// Exactly one process should run an Indexer per index.
type Indexer struct {
	store      IndexStore
	idx        search.Index
	now        func() time.Time
	opt        IndexerOptions
	wake       chan struct{}
	rebuilding atomic.Bool
}

// NewIndexer returns an indexer writing to idx.
func NewIndexer(store IndexStore, idx search.Index, now func() time.Time, opt IndexerOptions) *Indexer {
	return &Indexer{store: store, idx: idx, now: now, opt: opt.withDefaults(), wake: make(chan struct{}, 1)}
}

// Notify wakes the indexer: work was just committed.
func (x *Indexer) Notify() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// Lag reports how far the index is behind the database.
func (x *Indexer) Lag(ctx context.Context) (Lag, error) { return x.store.OutboxLag(ctx) }

func (x *Indexer) backoff(n int) time.Duration {
	return backoff(x.opt.BaseBackoff, x.opt.MaxBackoff, n)
}

// Step indexes one batch of due outbox items and returns how many items it
// settled (written, or scheduled for a retry).
func (x *Indexer) Step(ctx context.Context) (int, error) {
	items, err := x.store.DueOutbox(ctx, x.now(), x.opt.Batch)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	// The last batch of a burst (fewer items than fit) warms the engine
	// before it is acknowledged, so "nothing queued" means "searchable".
	err = x.apply(ctx, items, len(items) < x.opt.Batch)
	switch {
	case err == nil:
		return len(items), nil
	case ctx.Err() != nil:
		// Stopped, not failed: the items stay due for whoever runs next.
		return 0, ctx.Err()
	case len(items) == 1:
		return len(items), x.fail(ctx, items, err)
	}
	// Retry one by one so a single bad item cannot hold the others back.
	var errs []error
	for _, it := range items {
		if err := x.apply(ctx, []OutboxItem{it}, true); err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			errs = append(errs, x.fail(ctx, []OutboxItem{it}, err))
		}
	}
	return len(items), errors.Join(errs...)
}

// apply writes the documents of items and removes them from the outbox.
func (x *Indexer) apply(ctx context.Context, items []OutboxItem, warm bool) error {
	var listingIDs, ranges []string
	seqs := make([]int64, len(items))
	for i, it := range items {
		seqs[i] = it.Seq
		switch it.Kind {
		case OutboxListing:
			listingIDs = append(listingIDs, it.Ref)
		case OutboxProduct:
			ids, err := pages(func(after string) ([]string, error) {
				return x.store.ProductListingIDs(ctx, it.Ref, after, 5000)
			})
			if err != nil {
				return err
			}
			listingIDs = append(listingIDs, ids...)
		case OutboxRange:
			ranges = append(ranges, it.Ref)
		}
	}
	slices.Sort(listingIDs)
	listingIDs = slices.Compact(listingIDs)
	written := len(listingIDs)
	for start := 0; start < len(listingIDs); start += x.opt.Batch {
		chunk := listingIDs[start:min(start+x.opt.Batch, len(listingIDs))]
		if err := x.write(ctx, chunk); err != nil {
			return err
		}
	}
	for _, r := range ranges {
		n, err := x.writeRange(ctx, r)
		if err != nil {
			return err
		}
		written += n
	}
	if warm && written > 0 {
		x.warm(ctx)
	}
	return x.store.AckOutbox(ctx, seqs)
}

// writeRange indexes the listings of a range item ("<from> <to>"), read
// page by page in id order. A range only ever names listings just created,
// so there is nothing to delete.
func (x *Indexer) writeRange(ctx context.Context, ref string) (int, error) {
	from, to, _ := strings.Cut(ref, " ")
	n, after := 0, ""
	for {
		docs, err := x.store.DocsBetween(ctx, from, to, after, x.opt.Batch)
		if err != nil {
			return n, err
		}
		if len(docs) > 0 {
			if err := x.idx.Upsert(ctx, docs); err != nil {
				return n, fmt.Errorf("write to index: %w", err)
			}
			n += len(docs)
			after = docs[len(docs)-1].ListingID
		}
		if len(docs) < x.opt.Batch {
			return n, nil
		}
	}
}

// warmQuery matches nothing; running it makes the engine prepare what its
// searches read for the documents just written.
const warmQuery = "qzxtradewardenwarmqzx"

// warm runs one cheap search before the outbox says the documents are
// indexed. The Bleve engine resolves filter values (retailers, open-case
// authorities…) against dictionaries it fills only while preparing new
// segments during a search, so the first filtered search after a write
// could miss the new values; a search that prepares them first closes
// that window. Errors are ignored: the writes themselves succeeded.
func (x *Indexer) warm(ctx context.Context) {
	_, _ = x.idx.Search(ctx, search.Query{Q: warmQuery, Limit: 1})
}

// pages collects every id a keyset-paginated lookup returns.
func pages(page func(after string) ([]string, error)) ([]string, error) {
	var out []string
	after := ""
	for {
		ids, err := page(after)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
		if len(ids) < 5000 {
			return out, nil
		}
		after = ids[len(ids)-1]
	}
}

// write indexes the listings that exist and deletes the others.
func (x *Indexer) write(ctx context.Context, listingIDs []string) error {
	docs, err := x.store.LoadDocs(ctx, listingIDs)
	if err != nil {
		return err
	}
	present := make(map[string]bool, len(docs))
	for _, d := range docs {
		present[d.ListingID] = true
	}
	var gone []string
	for _, id := range listingIDs {
		if !present[id] {
			gone = append(gone, id)
		}
	}
	if err := x.idx.Delete(ctx, gone); err != nil {
		return fmt.Errorf("delete from index: %w", err)
	}
	if err := x.idx.Upsert(ctx, docs); err != nil {
		return fmt.Errorf("write to index: %w", err)
	}
	return nil
}

func (x *Indexer) fail(ctx context.Context, items []OutboxItem, cause error) error {
	attempts := 0
	seqs := make([]int64, len(items))
	for i, it := range items {
		seqs[i] = it.Seq
		attempts = max(attempts, it.Attempts)
	}
	next := x.now().Add(x.backoff(attempts + 1))
	msg := cause.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	if err := x.store.RetryOutbox(context.WithoutCancel(ctx), seqs, next, msg); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// Drain indexes until no outbox item is due, and returns how many it settled.
func (x *Indexer) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := x.Step(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// Run drains the outbox until ctx ends, sleeping while there is nothing to
// do, and carries out rebuild requests made by other processes. Errors are
// passed to report; the work stays queued and is retried.
func (x *Indexer) Run(ctx context.Context, report func(error)) {
	for ctx.Err() == nil {
		x.serveRebuildRequest(ctx, report)
		n, err := x.Step(ctx)
		if err != nil && ctx.Err() == nil {
			report(err)
		}
		if n > 0 {
			continue
		}
		wait := x.opt.Poll
		if at, ok, err := x.store.NextDue(ctx); err == nil && ok {
			wait = min(wait, max(at.Sub(x.now()), 10*time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-x.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Rebuild rebuilds the index from the database (searches keep being served
// meanwhile) and reports progress as documents are loaded.
func (x *Indexer) Rebuild(ctx context.Context, progress func(done, total int64)) error {
	total, err := x.store.CountListings(ctx)
	if err != nil {
		return err
	}
	var done int64
	src := func(ctx context.Context, emit func(search.Doc) error) error {
		return x.store.ScanDocs(ctx, func(d search.Doc) error {
			if err := emit(d); err != nil {
				return err
			}
			done++
			if progress != nil && done%1000 == 0 {
				progress(done, max(total, done))
			}
			return nil
		})
	}
	if err := x.idx.Rebuild(ctx, src); err != nil {
		return fmt.Errorf("rebuild search index: %w", err)
	}
	x.warm(ctx)
	if progress != nil {
		progress(done, done)
	}
	return nil
}

// serveRebuildRequest starts the oldest pending rebuild request, if any and
// none is running. An interrupted one (the process stopped) is started again.
func (x *Indexer) serveRebuildRequest(ctx context.Context, report func(error)) {
	if x.rebuilding.Load() {
		return
	}
	r, ok, err := x.store.PendingRebuild(ctx)
	if err != nil {
		report(err)
		return
	}
	if !ok {
		return
	}
	x.rebuilding.Store(true)
	go func() {
		defer x.rebuilding.Store(false)
		started := x.now().UTC()
		r.StartedAt, r.Done, r.Total, r.Error = &started, 0, 0, ""
		if err := x.store.SaveRebuild(ctx, r); err != nil {
			report(err)
			return
		}
		last := time.Now()
		err := x.Rebuild(ctx, func(done, total int64) {
			r.Done, r.Total = done, total
			if time.Since(last) > 500*time.Millisecond {
				last = time.Now()
				if err := x.store.SaveRebuild(ctx, r); err != nil {
					report(err)
				}
			}
		})
		if ctx.Err() != nil {
			return // left unfinished: the next owner of the index runs it
		}
		finished := x.now().UTC()
		r.FinishedAt = &finished
		if err != nil {
			r.Error = err.Error()
			report(err)
		}
		if err := x.store.SaveRebuild(context.WithoutCancel(ctx), r); err != nil {
			report(err)
		}
	}()
}

// RequestRebuild asks the process that owns the index to rebuild it.
func RequestRebuild(ctx context.Context, store IndexStore, by string, now time.Time) (Rebuild, error) {
	r := Rebuild{ID: ids.New(), RequestedAt: now.UTC(), RequestedBy: by}
	if err := store.RequestRebuild(ctx, r); err != nil {
		return Rebuild{}, err
	}
	return r, nil
}

// WaitRebuild polls a rebuild request until it finishes, reporting progress.
func WaitRebuild(ctx context.Context, store IndexStore, id string, every time.Duration, progress func(Rebuild)) (Rebuild, error) {
	for {
		r, err := store.GetRebuild(ctx, id)
		if err != nil {
			return r, err
		}
		if progress != nil {
			progress(r)
		}
		if r.FinishedAt != nil {
			if r.Error != "" {
				return r, fmt.Errorf("rebuild failed: %s", r.Error)
			}
			return r, nil
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(every):
		}
	}
}
