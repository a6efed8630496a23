package blevesearch

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Rebuild loads every document of src into a new generation while the live
// one keeps serving searches and taking writes, replays the writes made
// meanwhile, then switches to the new generation and removes the old one.
// If loading fails the new generation is discarded and nothing changes.
func (e *Engine) Rebuild(ctx context.Context, src search.Source) error {
	e.rebuildMu.Lock()
	defer e.rebuildMu.Unlock()
	if e.closed.Load() {
		return ErrClosed
	}
	// Close interrupts a rebuild rather than waiting for it.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-e.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	old := e.gen.Load()
	if old == nil {
		return ErrClosed
	}
	name := ""
	if e.dir != "" {
		name = genName(genSeq(old.name) + 1)
	}
	g, err := e.createGeneration(name)
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	discard := func(cause error) error {
		e.writeMu.Lock()
		e.pending = nil
		e.writeMu.Unlock()
		_ = g.close()
		_ = e.removeGeneration(g)
		return cause
	}

	e.writeMu.Lock()
	e.pending = &[]writeOp{}
	e.writeMu.Unlock()

	if err := e.load(ctx, g, src); err != nil {
		if e.closed.Load() {
			err = errRebuildAborted
		}
		return discard(fmt.Errorf("rebuild: %w", err))
	}
	if err := e.compact(ctx, g); err != nil {
		return discard(fmt.Errorf("rebuild: %w", err))
	}

	// Catch up and switch with writes held off, so none is lost in between.
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	pending := *e.pending
	e.pending = nil
	for _, op := range pending {
		bdocs, err := e.buildDocs(op.docs)
		if err == nil {
			err = e.write(ctx, g, bdocs, op.ids)
		}
		if err != nil {
			_ = g.close()
			_ = e.removeGeneration(g)
			return fmt.Errorf("rebuild: replay writes: %w", err)
		}
	}
	if e.closed.Load() {
		_ = g.close()
		_ = e.removeGeneration(g)
		return ErrClosed
	}
	if e.dir != "" {
		if err := writeCurrent(e.dir, g.name); err != nil {
			_ = g.close()
			_ = e.removeGeneration(g)
			return fmt.Errorf("rebuild: %w", err)
		}
	}
	e.gen.Store(g)
	e.warm()
	// Searches still running on the old generation finish first.
	if err := old.close(); err != nil {
		return fmt.Errorf("rebuild: close old generation: %w", err)
	}
	if err := e.removeGeneration(old); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	return nil
}

// load streams src into g in batches.
func (e *Engine) load(ctx context.Context, g *generation, src search.Source) error {
	chunk := e.opts.BatchSize * len(g.shards)
	buf := make([]*document.Document, 0, chunk)
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := e.write(ctx, g, buf, nil)
		buf = buf[:0]
		return err
	}
	err := src(ctx, func(d search.Doc) error {
		if err := d.Validate(); err != nil {
			return err
		}
		bd, err := e.builder.toDocument(d)
		if err != nil {
			return err
		}
		buf = append(buf, bd)
		if len(buf) >= chunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return flush()
}

// compact merges each shard of a freshly loaded on-disk generation into
// one segment while it is not yet live: fewer segments means fewer term
// dictionaries and automata per query, which is most of the fixed cost of a
// search.
func (e *Engine) compact(ctx context.Context, g *generation) error {
	if e.dir == "" {
		return nil
	}
	errs := make([]error, len(g.shards))
	var wg sync.WaitGroup
	for i, s := range g.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			adv, err := s.idx.Advanced()
			if err != nil {
				errs[i] = fmt.Errorf("compact shard %d: %w", i, err)
				return
			}
			if sc, ok := adv.(*scorch.Scorch); ok {
				if err := sc.ForceMerge(ctx, nil); err != nil {
					errs[i] = fmt.Errorf("compact shard %d: %w", i, err)
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}

// errRebuildAborted is reported when Close interrupts a rebuild.
var errRebuildAborted = errors.New("rebuild aborted: index closed")
