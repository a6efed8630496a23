// Package blevesearch is the default listing search engine: search.Index on
// Bleve, on disk under a directory or in memory for tests.
//
// Layout: the listings are split across a few Bleve indexes (shards, by a
// hash of the listing id) so that one search uses every core. Bleve
// evaluates the free text and scores; filters, facets, ordering and
// pagination are done over per-segment attribute columns (see segcache.go).
// A generation is one complete set of shards; Rebuild writes a new
// generation beside the live one and switches a pointer file atomically.
package blevesearch

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// ErrClosed is returned by every method after Close.
var ErrClosed = errors.New("search index is closed")

// Options tunes an engine; zero values pick the defaults.
type Options struct {
	// Shards is the number of Bleve indexes a new generation is split into
	// (default 2, one per core of the target machine). An existing on-disk
	// generation keeps the count it was built with.
	Shards int
	// BatchSize is the number of documents written to a shard per Bleve
	// batch (default 1000).
	BatchSize int
}

func (o Options) withDefaults() Options {
	if o.Shards <= 0 {
		o.Shards = 2
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	return o
}

// Engine is a search.Index backed by Bleve.
type Engine struct {
	dir      string // "" when in memory
	opts     Options
	mapping  mapping.IndexMapping
	builder  *docBuilder
	analyzer analysis.Analyzer
	dicts    *dicts

	gen atomic.Pointer[generation]

	// writeMu serialises writes and the final catch-up of a rebuild.
	writeMu sync.Mutex
	// pending records writes made while a rebuild is loading, so they can be
	// replayed onto the new generation before it goes live. Guarded by writeMu.
	pending *[]writeOp
	// rebuildMu allows one rebuild at a time.
	rebuildMu sync.Mutex
	closed    atomic.Bool
	done      chan struct{} // closed by Close to interrupt a rebuild
	closeOnce sync.Once
	warming   atomic.Bool
}

var _ search.Index = (*Engine)(nil)

// writeOp is an Upsert or a Delete made during a rebuild.
type writeOp struct {
	docs []search.Doc
	ids  []string
}

// generation is one complete set of shards.
type generation struct {
	name   string // directory name under Engine.dir; "" in memory
	shards []*shard
	// mu is held shared by searches and writes, exclusively by close.
	mu     sync.RWMutex
	closed bool
}

type shard struct {
	idx   bleve.Index
	cache *segCaches
}

func newEngine(dir string, opts Options) (*Engine, error) {
	m := newMapping()
	b, err := newDocBuilder(m)
	if err != nil {
		return nil, err
	}
	return &Engine{
		dir: dir, opts: opts.withDefaults(), mapping: m, builder: b,
		analyzer: m.AnalyzerNamed(en.AnalyzerName), dicts: newDicts(), done: make(chan struct{}),
	}, nil
}

// NewMem returns an engine that keeps everything in memory.
func NewMem(opts Options) (*Engine, error) {
	e, err := newEngine("", opts)
	if err != nil {
		return nil, err
	}
	g, err := e.createGeneration("")
	if err != nil {
		return nil, err
	}
	e.gen.Store(g)
	return e, nil
}

// newShardIndex creates an empty scorch index at path ("" for memory).
func (e *Engine) newShardIndex(path string) (bleve.Index, error) {
	idx, err := bleve.NewUsing(path, e.mapping, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create bleve index %q: %w", path, err)
	}
	return idx, nil
}

func (e *Engine) wrapShards(idxs []bleve.Index) []*shard {
	out := make([]*shard, len(idxs))
	for i, idx := range idxs {
		out[i] = &shard{idx: idx, cache: newSegCaches(e.dicts)}
	}
	return out
}

// acquire returns the live generation with its read lock held.
func (e *Engine) acquire() (*generation, error) {
	for {
		if e.closed.Load() {
			return nil, ErrClosed
		}
		g := e.gen.Load()
		if g == nil {
			return nil, ErrClosed
		}
		g.mu.RLock()
		if !g.closed {
			return g, nil
		}
		g.mu.RUnlock() // swapped out meanwhile: take the new one
	}
}

func (g *generation) release() { g.mu.RUnlock() }

// close waits for in-flight searches and closes the shards.
func (g *generation) close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	var errs []error
	for _, s := range g.shards {
		if err := s.idx.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func shardOf(id string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// Upsert adds or replaces listings.
func (e *Engine) Upsert(ctx context.Context, docs []search.Doc) error {
	if len(docs) == 0 {
		return nil
	}
	bdocs, err := e.buildDocs(docs)
	if err != nil {
		return err
	}
	return e.apply(ctx, bdocs, docs, nil)
}

// Delete removes listings by id.
func (e *Engine) Delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return e.apply(ctx, nil, nil, ids)
}

// apply writes one change to the live generation and, while a rebuild is
// under way, queues it to be replayed onto the new generation.
func (e *Engine) apply(ctx context.Context, bdocs []*document.Document, docs []search.Doc, ids []string) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	g, err := e.acquire()
	if err != nil {
		return err
	}
	defer g.release()
	if err := e.write(ctx, g, bdocs, ids); err != nil {
		return err
	}
	if e.pending != nil {
		*e.pending = append(*e.pending, writeOp{docs: slices.Clone(docs), ids: slices.Clone(ids)})
	}
	e.warm()
	return nil
}

// warm builds, in the background, the attribute columns of segments the
// live generation has and the cache has not seen, so that the first search
// after a write or an open does not pay for them. At most one warm-up runs
// at a time; searches build whatever is still missing themselves.
func (e *Engine) warm() {
	if !e.warming.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer e.warming.Store(false)
		g, err := e.acquire()
		if err != nil {
			return
		}
		defer g.release()
		for _, s := range g.shards {
			_ = s.withView(func(*view) error { return nil })
		}
	}()
}

func (e *Engine) buildDocs(docs []search.Doc) ([]*document.Document, error) {
	out := make([]*document.Document, len(docs))
	for i, d := range docs {
		if err := d.Validate(); err != nil {
			return nil, err
		}
		bd, err := e.builder.toDocument(d)
		if err != nil {
			return nil, err
		}
		out[i] = bd
	}
	return out, nil
}

// write applies documents and deletions to every shard of g in parallel.
func (e *Engine) write(ctx context.Context, g *generation, docs []*document.Document, deletes []string) error {
	n := len(g.shards)
	perDocs := make([][]*document.Document, n)
	perDel := make([][]string, n)
	for _, d := range docs {
		s := shardOf(d.ID(), n)
		perDocs[s] = append(perDocs[s], d)
	}
	for _, id := range deletes {
		s := shardOf(id, n)
		perDel[s] = append(perDel[s], id)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, s := range g.shards {
		if len(perDocs[i]) == 0 && len(perDel[i]) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.writeShard(ctx, s, perDocs[i], perDel[i])
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (e *Engine) writeShard(ctx context.Context, s *shard, docs []*document.Document, deletes []string) error {
	b := s.idx.NewBatch()
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.idx.Batch(b); err != nil {
			return fmt.Errorf("write batch: %w", err)
		}
		b.Reset()
		return nil
	}
	for _, d := range docs {
		if err := b.IndexAdvanced(d); err != nil {
			return fmt.Errorf("index %s: %w", d.ID(), err)
		}
		if b.Size() >= e.opts.BatchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for _, id := range deletes {
		b.Delete(id)
		if b.Size() >= e.opts.BatchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Count returns the number of indexed listings.
func (e *Engine) Count(ctx context.Context) (int64, error) {
	g, err := e.acquire()
	if err != nil {
		return 0, err
	}
	defer g.release()
	var total int64
	for _, s := range g.shards {
		n, err := s.idx.DocCount()
		if err != nil {
			return 0, fmt.Errorf("count: %w", err)
		}
		total += int64(n)
	}
	return total, nil
}

// Close closes the live generation; later calls return ErrClosed.
func (e *Engine) Close() error {
	e.closed.Store(true)
	e.closeOnce.Do(func() { close(e.done) })
	e.rebuildMu.Lock()
	defer e.rebuildMu.Unlock()
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	g := e.gen.Swap(nil)
	if g == nil {
		return nil
	}
	return g.close()
}
