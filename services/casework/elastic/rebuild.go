package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/elastic/go-elasticsearch/v8/esutil"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Rebuild loads src into a new index while the alias keeps serving the old
// one, then swaps the alias atomically and deletes the old index. On any
// failure the new index is deleted and the alias is left alone.
func (e *Engine) Rebuild(ctx context.Context, src search.Source) error {
	e.rebuildMu.Lock()
	defer e.rebuildMu.Unlock()
	if err := e.checkOpen(); err != nil {
		return err
	}
	old, err := e.aliasIndices(ctx)
	if err != nil {
		return err
	}
	name := e.newIndexName()
	if err := e.createIndex(ctx, name, true, nil); err != nil {
		return err
	}
	e.writeMu.Lock()
	e.pending = &[]writeOp{}
	e.writeMu.Unlock()
	fail := func(cause error) error {
		e.writeMu.Lock()
		e.pending = nil
		e.writeMu.Unlock()
		// The new index is debris now; a cancelled ctx must not stop the cleanup.
		if err := e.deleteIndex(context.WithoutCancel(ctx), name); err != nil {
			cause = errors.Join(cause, err)
		}
		return fmt.Errorf("elastic: rebuild: %w", cause)
	}

	if err := e.load(ctx, name, src); err != nil {
		return fail(err)
	}

	if err := e.catchUpAndSwap(ctx, old, name); err != nil {
		return fail(err)
	}
	if err := sleep(ctx, e.cfg.DeleteGrace); err != nil {
		return fmt.Errorf("elastic: rebuild: switched to %s; old index left: %w", name, err)
	}
	for _, o := range old {
		if err := e.deleteIndex(ctx, o); err != nil {
			return fmt.Errorf("elastic: rebuild: switched to %s but %w", name, err)
		}
	}
	return nil
}

// catchUpAndSwap replays the writes made during the load into name and
// swaps the alias, with writes held off so that none lands in between.
func (e *Engine) catchUpAndSwap(ctx context.Context, old []string, name string) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	pending := *e.pending
	e.pending = nil
	for _, op := range pending {
		ops := deleteOps(op.ids)
		if op.docs != nil {
			var err error
			if ops, err = indexOps(op.docs); err != nil {
				return err
			}
		}
		if err := e.bulk(ctx, name, ops, "false"); err != nil {
			return fmt.Errorf("replay writes: %w", err)
		}
	}
	if err := e.goLive(ctx, name); err != nil {
		return err
	}
	if err := e.checkOpen(); err != nil {
		return err
	}
	return e.swapAlias(ctx, old, name)
}

// load streams src into the index with a BulkIndexer. Items rejected with
// 429 are sent again by a fresh indexer after a backoff; any other item
// failure, or Stats().NumFailed > 0 on the last round, fails the load.
func (e *Engine) load(ctx context.Context, name string, src search.Source) error {
	var (
		mu        sync.Mutex
		failures  []itemFailure
		retryable = map[string][]byte{}
		added     int
	)
	onFailure := func(_ context.Context, item esutil.BulkIndexerItem, res esutil.BulkIndexerResponseItem, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err == nil && res.Status == http.StatusTooManyRequests && item.Body != nil {
			if _, serr := item.Body.Seek(0, io.SeekStart); serr == nil {
				if b, rerr := io.ReadAll(item.Body); rerr == nil {
					retryable[item.DocumentID] = b
					return
				}
			}
		}
		reason := res.Error.Type + ": " + res.Error.Reason
		if err != nil {
			reason = err.Error()
		}
		failures = append(failures, itemFailure{id: item.DocumentID, status: res.Status, reason: reason})
	}
	run := func(feed func(bi esutil.BulkIndexer) error) (esutil.BulkIndexerStats, error) {
		var indexerErr error
		var once sync.Once
		bi, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
			Client: e.es, Index: name, NumWorkers: e.cfg.BulkWorkers, FlushBytes: e.cfg.BulkFlushBytes,
			OnError: func(_ context.Context, err error) { once.Do(func() { indexerErr = err }) },
		})
		if err != nil {
			return esutil.BulkIndexerStats{}, fmt.Errorf("bulk indexer: %w", err)
		}
		feedErr := feed(bi)
		closeErr := bi.Close(context.WithoutCancel(ctx))
		if err := errors.Join(feedErr, closeErr, indexerErr); err != nil {
			return bi.Stats(), err
		}
		return bi.Stats(), nil
	}
	add := func(bi esutil.BulkIndexer, id string, body []byte) error {
		return bi.Add(ctx, esutil.BulkIndexerItem{
			Action: "index", Index: name, DocumentID: id, Body: bytes.NewReader(body), OnFailure: onFailure,
		})
	}

	stats, err := run(func(bi esutil.BulkIndexer) error {
		return src(ctx, func(d search.Doc) error {
			if err := d.Validate(); err != nil {
				return err
			}
			body, err := json.Marshal(toESDoc(d))
			if err != nil {
				return fmt.Errorf("encode listing %s: %w", d.ListingID, err)
			}
			added++
			return add(bi, d.ListingID, body)
		})
	})
	for attempt := 1; ; attempt++ {
		if err != nil {
			return err
		}
		mu.Lock()
		if len(failures) > 0 {
			mu.Unlock()
			return summarise(failures, added)
		}
		batch := retryable
		retryable = map[string][]byte{}
		mu.Unlock()
		if stats.NumFailed > 0 && len(batch) == 0 {
			return fmt.Errorf("bulk load: %d items failed", stats.NumFailed)
		}
		if len(batch) == 0 {
			return nil
		}
		if attempt > e.cfg.MaxRetries {
			ids := make([]string, 0, len(batch))
			for id := range batch {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			failed := make([]itemFailure, len(ids))
			for i, id := range ids {
				failed[i] = itemFailure{id: id, status: http.StatusTooManyRequests, reason: "still rejected after retries"}
			}
			return summarise(failed, added)
		}
		if err := sleep(ctx, e.cfg.Backoff(attempt)); err != nil {
			return err
		}
		stats, err = run(func(bi esutil.BulkIndexer) error {
			for id, body := range batch {
				if err := add(bi, id, body); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// goLive turns refreshes back on and makes everything loaded searchable.
func (e *Engine) goLive(ctx context.Context, name string) error {
	settings := []byte(`{"index":{"refresh_interval":null}}`)
	if _, _, err := do(ctx, "reset refresh interval", esapi.IndicesPutSettingsRequest{Index: []string{name}, Body: bytes.NewReader(settings)}, e.es); err != nil {
		return err
	}
	_, _, err := do(ctx, "refresh "+name, esapi.IndicesRefreshRequest{Index: []string{name}}, e.es)
	return err
}

// swapAlias moves the alias from the old indices to name in one atomic
// _aliases call, so a search sees either index, never neither.
func (e *Engine) swapAlias(ctx context.Context, old []string, name string) error {
	actions := make([]any, 0, len(old)+1)
	for _, o := range old {
		actions = append(actions, obj{"remove": obj{"index": o, "alias": e.alias}})
	}
	actions = append(actions, obj{"add": obj{"index": name, "alias": e.alias, "is_write_index": true}})
	body, err := json.Marshal(obj{"actions": actions})
	if err != nil {
		return fmt.Errorf("encode alias swap: %w", err)
	}
	_, _, err = do(ctx, "swap alias", esapi.IndicesUpdateAliasesRequest{Body: bytes.NewReader(body)}, e.es)
	return err
}
