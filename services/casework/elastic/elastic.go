// Package elastic is the listing search engine for deployments at scale:
// search.Index on Elasticsearch 8 through go-elasticsearch/v8.
//
// Searches and writes go through an alias (Config.Prefix); the index behind
// it is named Prefix-<UTC timestamp>. Rebuild creates a new index, bulk-loads
// it with esutil.BulkIndexer, replays the writes made meanwhile, swaps the
// alias in one _aliases call and deletes the old index.
package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// ErrClosed is returned by every method after Close.
var ErrClosed = errors.New("search index is closed")

// Config says how to reach the cluster and how to name and shape indices.
type Config struct {
	Addresses []string // e.g. https://es1:9200
	Username  string
	Password  string
	APIKey    string // base64 "id:key"; overrides Username/Password
	CACert    []byte // PEM; optional
	// Prefix is the alias searched and written; indices are Prefix-<timestamp>.
	Prefix   string // default "tradewarden-listings"
	Shards   int    // primary shards of new indices (default 1)
	Replicas int    // replicas of new indices (default 0; raise on a multi-node cluster)
	// Refresh is the refresh parameter of Upsert and Delete: "wait_for"
	// (default; searches see a write once it returns), "true" or "false".
	Refresh string
	// MaxRetries bounds retries of a request or bulk item rejected with 429
	// (or 502/503/504); default 5.
	MaxRetries int
	// Backoff is the wait before retry n (1-based); default exponential from
	// 100 ms up to 5 s.
	Backoff func(attempt int) time.Duration
	// DeleteGrace is how long Rebuild waits after swapping the alias before
	// deleting the old index, so searches already running on it finish
	// (default 2 s).
	DeleteGrace    time.Duration
	BulkWorkers    int // rebuild bulk workers (default 2)
	BulkFlushBytes int // rebuild bulk request size (default 5 MB)
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
	// Now names new indices (tests); default time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = "tradewarden-listings"
	}
	if c.Shards <= 0 {
		c.Shards = 1
	}
	if c.Replicas < 0 {
		c.Replicas = 0
	}
	if c.Refresh == "" {
		c.Refresh = "wait_for"
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = 5
	}
	if c.Backoff == nil {
		c.Backoff = func(attempt int) time.Duration {
			d := 100 * time.Millisecond << min(attempt-1, 6)
			return min(d, 5*time.Second)
		}
	}
	if c.DeleteGrace <= 0 {
		c.DeleteGrace = 2 * time.Second
	}
	if c.BulkWorkers <= 0 {
		c.BulkWorkers = 2
	}
	if c.BulkFlushBytes <= 0 {
		c.BulkFlushBytes = 5 << 20
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Engine is a search.Index backed by Elasticsearch.
type Engine struct {
	cfg    Config
	es     *elasticsearch.Client
	alias  string
	closed atomic.Bool

	// writeMu serialises writes with the final catch-up of a rebuild.
	writeMu sync.Mutex
	// pending records writes made while a rebuild loads. Guarded by writeMu.
	pending *[]writeOp
	// rebuildMu allows one rebuild at a time.
	rebuildMu sync.Mutex
}

var _ search.Index = (*Engine)(nil)

type writeOp struct {
	docs []search.Doc
	ids  []string
}

// New connects and makes sure the alias exists, creating the first index
// behind it if there is none.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	if strings.ToLower(cfg.Prefix) != cfg.Prefix || strings.ContainsAny(cfg.Prefix, ` "*\<|,>/?#:`) {
		return nil, fmt.Errorf("elastic: prefix %q is not a valid lower-case index name", cfg.Prefix)
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses: cfg.Addresses, Username: cfg.Username, Password: cfg.Password, APIKey: cfg.APIKey,
		CACert: cfg.CACert, Transport: cfg.Transport,
		RetryOnStatus: []int{http.StatusTooManyRequests, 502, 503, 504},
		MaxRetries:    cfg.MaxRetries,
		RetryBackoff:  cfg.Backoff,
	})
	if err != nil {
		return nil, fmt.Errorf("elastic: client: %w", err)
	}
	e := &Engine{cfg: cfg, es: es, alias: cfg.Prefix}
	indices, err := e.aliasIndices(ctx)
	if err != nil {
		return nil, err
	}
	if len(indices) == 0 {
		name := e.newIndexName()
		if err := e.createIndex(ctx, name, false, obj{e.alias: obj{"is_write_index": true}}); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *Engine) newIndexName() string {
	return e.cfg.Prefix + "-" + strings.ToLower(e.cfg.Now().UTC().Format("20060102t150405.000000000z"))
}

// do runs a request and returns its body for 2xx responses, or an error
// naming the operation, the status and Elasticsearch's reason.
func do(ctx context.Context, op string, req esapi.Request, t esapi.Transport, okStatus ...int) ([]byte, int, error) {
	res, err := req.Do(ctx, t)
	if err != nil {
		return nil, 0, fmt.Errorf("elastic: %s: %w", op, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, res.StatusCode, fmt.Errorf("elastic: %s: read response: %w", op, err)
	}
	for _, s := range okStatus {
		if res.StatusCode == s {
			return body, res.StatusCode, nil
		}
	}
	if res.IsError() {
		var ee esError
		_ = json.Unmarshal(body, &ee)
		if ee.Error.Type != "" {
			return nil, res.StatusCode, fmt.Errorf("elastic: %s: %d %s: %s", op, res.StatusCode, ee.Error.Type, ee.Error.Reason)
		}
		return nil, res.StatusCode, fmt.Errorf("elastic: %s: status %d", op, res.StatusCode)
	}
	return body, res.StatusCode, nil
}

// aliasIndices returns the indices behind the alias.
func (e *Engine) aliasIndices(ctx context.Context) ([]string, error) {
	body, status, err := do(ctx, "get alias", esapi.IndicesGetAliasRequest{Name: []string{e.alias}}, e.es, http.StatusNotFound)
	if err != nil {
		return nil, err
	}
	if status == http.StatusNotFound {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("elastic: get alias: %w", err)
	}
	out := make([]string, 0, len(m))
	for name := range m {
		out = append(out, name)
	}
	return out, nil
}

func (e *Engine) createIndex(ctx context.Context, name string, loading bool, aliases obj) error {
	body, err := indexBody(e.cfg.Shards, e.cfg.Replicas, loading, aliases)
	if err != nil {
		return fmt.Errorf("elastic: encode index body: %w", err)
	}
	_, _, err = do(ctx, "create index "+name, esapi.IndicesCreateRequest{Index: name, Body: bytes.NewReader(body)}, e.es)
	return err
}

func (e *Engine) deleteIndex(ctx context.Context, name string) error {
	_, _, err := do(ctx, "delete index "+name, esapi.IndicesDeleteRequest{Index: []string{name}}, e.es, http.StatusNotFound)
	return err
}

func (e *Engine) checkOpen() error {
	if e.closed.Load() {
		return ErrClosed
	}
	return nil
}

// Upsert adds or replaces listings through the alias.
func (e *Engine) Upsert(ctx context.Context, docs []search.Doc) error {
	if err := e.checkOpen(); err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	ops, err := indexOps(docs)
	if err != nil {
		return err
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if err := e.bulk(ctx, e.alias, ops, e.cfg.Refresh); err != nil {
		return err
	}
	if e.pending != nil {
		*e.pending = append(*e.pending, writeOp{docs: append([]search.Doc(nil), docs...)})
	}
	return nil
}

// Delete removes listings; unknown ids are ignored.
func (e *Engine) Delete(ctx context.Context, ids []string) error {
	if err := e.checkOpen(); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if err := e.bulk(ctx, e.alias, deleteOps(ids), e.cfg.Refresh); err != nil {
		return err
	}
	if e.pending != nil {
		*e.pending = append(*e.pending, writeOp{ids: append([]string(nil), ids...)})
	}
	return nil
}

// Search runs a listing query.
func (e *Engine) Search(ctx context.Context, q search.Query) (search.Result, error) {
	if err := e.checkOpen(); err != nil {
		return search.Result{}, err
	}
	q, after, err := q.Prepared()
	if err != nil {
		return search.Result{}, err
	}
	var resp esSearchResponse
	for _, partial := range []bool{false, true} {
		body, err := searchBody(q, after, partial)
		if err != nil {
			return search.Result{}, fmt.Errorf("elastic: encode search: %w", err)
		}
		resp = esSearchResponse{}
		if err := e.search(ctx, body, &resp); err != nil {
			return search.Result{}, err
		}
		if !resp.widen() {
			break
		}
	}
	return resp.toResult(q.Limit)
}

// SearchProducts groups the matching listings by product.
func (e *Engine) SearchProducts(ctx context.Context, pq search.ProductQuery) (search.ProductResult, error) {
	if err := e.checkOpen(); err != nil {
		return search.ProductResult{}, err
	}
	pq, err := pq.Normalized()
	if err != nil {
		return search.ProductResult{}, err
	}
	var resp esSearchResponse
	for _, partial := range []bool{false, true} {
		body, err := productsBody(pq, partial)
		if err != nil {
			return search.ProductResult{}, fmt.Errorf("elastic: encode product search: %w", err)
		}
		resp = esSearchResponse{}
		if err := e.search(ctx, body, &resp); err != nil {
			return search.ProductResult{}, err
		}
		if !resp.widen() {
			break
		}
	}
	return resp.toProducts()
}

func (e *Engine) search(ctx context.Context, body []byte, out *esSearchResponse) error {
	raw, _, err := do(ctx, "search", esapi.SearchRequest{Index: []string{e.alias}, Body: bytes.NewReader(body)}, e.es)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("elastic: decode search response: %w", err)
	}
	return nil
}

// Count returns the number of listings behind the alias.
func (e *Engine) Count(ctx context.Context) (int64, error) {
	if err := e.checkOpen(); err != nil {
		return 0, err
	}
	raw, _, err := do(ctx, "count", esapi.CountRequest{Index: []string{e.alias}}, e.es)
	if err != nil {
		return 0, err
	}
	var resp struct {
		Count int64 `json:"count"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return 0, fmt.Errorf("elastic: decode count: %w", err)
	}
	return resp.Count, nil
}

// Close stops the engine; the cluster and its data are left as they are.
func (e *Engine) Close() error {
	e.closed.Store(true)
	return nil
}
