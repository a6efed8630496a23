package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/blevesearch"
	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/core/listings"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/elastic"
)

// Search engines selectable with TW_SEARCH.
const (
	// SearchBleve is the default engine: Bleve on disk under <data>/search.
	SearchBleve = "bleve"
	// SearchBleveMemory keeps a Bleve index in memory (tests, throw-away demos).
	SearchBleveMemory = "bleve-memory"
	// SearchElasticsearch is an Elasticsearch cluster at ElasticURL.
	SearchElasticsearch = "elasticsearch"
)

// SearchConfig selects and configures the listing search engine.
type SearchConfig struct {
	Engine string // SearchBleve (default), SearchBleveMemory or SearchElasticsearch
	Dir    string // Bleve's directory; default <data>/search
	// Elasticsearch connection settings.
	ElasticURL      string
	ElasticUsername string
	ElasticPassword string
	ElasticAPIKey   string
	ElasticCACert   string // path to a PEM file with the cluster's CA
	ElasticIndex    string // index alias; default "tradewarden-listings"
	// IndexerPoll is how often the outbox is checked for work queued by
	// other processes (default 2s).
	IndexerPoll time.Duration
}

func (c SearchConfig) withDefaults(dataDir string) SearchConfig {
	if c.Engine == "" {
		c.Engine = SearchBleve
	}
	c.Engine = strings.ToLower(strings.TrimSpace(c.Engine))
	if c.Dir == "" {
		c.Dir = filepath.Join(dataDir, "search")
	}
	if c.ElasticIndex == "" {
		c.ElasticIndex = "tradewarden-listings"
	}
	return c
}

// errIndexBusy means another process holds the search index.
var errIndexBusy = errors.New("search index is in use by another process")

// searchOpener opens an engine; release frees what it holds besides the
// index itself (a directory lock).
type searchOpener func(ctx context.Context, cfg SearchConfig, log *slog.Logger) (idx search.Index, release func(), err error)

// searchEngines opens each engine TW_SEARCH can name.
var searchEngines = map[string]searchOpener{
	SearchBleve:         openBleve,
	SearchBleveMemory:   openBleveMemory,
	SearchElasticsearch: openElastic,
}

func engineNames() string {
	var names []string
	for n := range searchEngines {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// openElastic connects to the cluster; several processes may share it, so
// there is nothing to lock.
func openElastic(ctx context.Context, cfg SearchConfig, _ *slog.Logger) (search.Index, func(), error) {
	var addrs []string
	for _, a := range strings.Split(cfg.ElasticURL, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		return nil, nil, errors.New("TW_SEARCH=elasticsearch needs TW_ELASTICSEARCH_URL (e.g. https://es.internal:9200)")
	}
	var ca []byte
	if cfg.ElasticCACert != "" {
		var err error
		if ca, err = os.ReadFile(cfg.ElasticCACert); err != nil {
			return nil, nil, fmt.Errorf("read Elasticsearch CA certificate: %w", err)
		}
	}
	e, err := elastic.New(ctx, elastic.Config{Addresses: addrs, Username: cfg.ElasticUsername, Password: cfg.ElasticPassword,
		APIKey: cfg.ElasticAPIKey, CACert: ca, Prefix: cfg.ElasticIndex})
	if err != nil {
		return nil, nil, fmt.Errorf("open Elasticsearch search index: %w", err)
	}
	return e, func() {}, nil
}

func openBleve(_ context.Context, cfg SearchConfig, log *slog.Logger) (search.Index, func(), error) {
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("create search dir: %w", err)
	}
	unlock, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, nil, err
	}
	e, err := blevesearch.Open(cfg.Dir, blevesearch.Options{})
	if errors.Is(err, blevesearch.ErrFormat) {
		// The index is derived data: start an empty one; OpenSearch sees
		// it empty and rebuilds it from the database.
		log.Warn("search index was written by another version; recreating it", "dir", cfg.Dir)
		if err = clearIndexDir(cfg.Dir); err == nil {
			e, err = blevesearch.Open(cfg.Dir, blevesearch.Options{})
		}
	}
	if err != nil {
		unlock()
		return nil, nil, fmt.Errorf("open search index %s: %w", cfg.Dir, err)
	}
	return e, unlock, nil
}

// clearIndexDir removes everything in dir but the lock file.
func clearIndexDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, en := range entries {
		if en.Name() == lockFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, en.Name())); err != nil {
			return err
		}
	}
	return nil
}

func openBleveMemory(context.Context, SearchConfig, *slog.Logger) (search.Index, func(), error) {
	e, err := blevesearch.NewMem(blevesearch.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("open in-memory search index: %w", err)
	}
	return e, func() {}, nil
}

// SearchRuntime is the listing search of an App: the outbox store always,
// and the index with its indexer when this process owns the index.
type SearchRuntime struct {
	Cfg     SearchConfig
	Store   bunstore.Listings
	Index   search.Index      // nil unless this process owns the index
	Indexer *listings.Indexer // nil unless this process owns the index
	// Linker links listings to products recorded after them; every
	// serving process runs one.
	Linker *listings.Linker

	notifyTo atomic.Pointer[listings.Indexer]
	release  func()
	stop     context.CancelFunc
	done     chan struct{}

	stopLinker context.CancelFunc
	linkerDone chan struct{}
}

// Owned reports whether this process holds the index.
func (r *SearchRuntime) Owned() bool { return r != nil && r.Index != nil }

func (r *SearchRuntime) notify() {
	if x := r.notifyTo.Load(); x != nil {
		x.Notify()
	}
}

// buildListings wires the listings register and the hooks that keep the
// search outbox in step with products and cases.
func (a *App) buildListings() {
	rt := &SearchRuntime{Cfg: a.Cfg.Search.withDefaults(a.Cfg.DataDir)}
	rt.Store = bunstore.NewListings(a.Store, rt.notify)
	rt.Store.NotifyLink = func() {
		if rt.Linker != nil {
			rt.Linker.Notify()
		}
	}
	rt.Linker = listings.NewLinker(rt.Store, a.Audit, a.Cfg.Now, listings.LinkerOptions{Poll: rt.Cfg.IndexerPoll})
	a.Search = rt
	a.Listings = listings.NewService(rt.Store, rt.Store, a.Audit, a.Products, a.Cfg.Now)
	a.Products.OnChange(a.Listings.ProductChanged)
	a.Cases.OnChange(a.Listings.CaseChanged)
}

// OpenSearch opens the configured search engine and attaches it to the
// listing service. It reports false, without error, when another process
// (a running server) owns an on-disk index: listing writes still queue
// their index work, which that process carries out.
func (a *App) OpenSearch(ctx context.Context) (bool, error) {
	rt := a.Search
	if rt.Owned() {
		return true, nil
	}
	sys := principal.System(ctx, "search")
	if err := a.Listings.SyncProductKeys(sys); err != nil {
		return false, fmt.Errorf("compute product matching keys: %w", err)
	}
	open, ok := searchEngines[rt.Cfg.Engine]
	if !ok {
		return false, fmt.Errorf("search engine %q (TW_SEARCH) is not available: choose one of %s", rt.Cfg.Engine, engineNames())
	}
	idx, release, err := open(ctx, rt.Cfg, a.Log)
	if errors.Is(err, errIndexBusy) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	rt.Index, rt.release = idx, release
	rt.Indexer = listings.NewIndexer(rt.Store, idx, a.Cfg.Now, listings.IndexerOptions{Poll: rt.Cfg.IndexerPoll})
	rt.notifyTo.Store(rt.Indexer)
	a.Listings.UseIndex(idx)
	a.closers = append(a.closers, a.closeSearch)
	// An empty index beside a populated database (a new engine, a deleted
	// or recreated index directory, a restored database) is rebuilt.
	if n, err := idx.Count(ctx); err == nil && n == 0 {
		if m, err := rt.Store.CountListings(ctx); err == nil && m > 0 {
			if _, pending, err := rt.Store.PendingRebuild(ctx); err == nil && !pending {
				a.Log.Info("search index is empty: rebuilding it from the database", "listings", m)
				if _, err := listings.RequestRebuild(ctx, rt.Store, "startup", a.Cfg.Now()); err != nil {
					return true, err
				}
			}
		}
	}
	return true, nil
}

// startIndexer runs the indexer in the background until the App closes.
func (a *App) startIndexer() {
	rt := a.Search
	if !rt.Owned() || rt.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(principal.System(context.Background(), "indexer"))
	rt.stop, rt.done = cancel, make(chan struct{})
	go func() {
		defer close(rt.done)
		rt.Indexer.Run(ctx, func(err error) { a.Log.Warn("search indexing failed; it will be retried", "err", err) })
	}()
}

// startLinker runs the product linker in the background until the App closes.
func (a *App) startLinker() {
	rt := a.Search
	if rt.stopLinker != nil {
		return
	}
	ctx, cancel := context.WithCancel(principal.System(context.Background(), "linker"))
	rt.stopLinker, rt.linkerDone = cancel, make(chan struct{})
	go func() {
		defer close(rt.linkerDone)
		rt.Linker.Run(ctx, func(err error) { a.Log.Warn("linking listings to products failed; it will be retried", "err", err) })
	}()
	a.closers = append(a.closers, func() error {
		cancel()
		<-rt.linkerDone
		rt.stopLinker = nil
		return nil
	})
}

// startSearch opens the index for a server, which must own it.
func (a *App) startSearch(ctx context.Context) error {
	owned, err := a.OpenSearch(ctx)
	if err != nil {
		return err
	}
	if !owned {
		return fmt.Errorf("%w: the search index in %s belongs to another running tradewarden", errIndexBusy, a.Search.Cfg.Dir)
	}
	a.startIndexer()
	return nil
}

// closeSearch stops the indexer, then closes the index and releases its lock.
func (a *App) closeSearch() error {
	rt := a.Search
	if rt.stop != nil {
		rt.stop()
		<-rt.done
		rt.stop = nil
	}
	rt.notifyTo.Store(nil)
	a.Listings.UseIndex(nil)
	var err error
	if rt.Index != nil {
		err = rt.Index.Close()
		rt.Index, rt.Indexer = nil, nil
	}
	if rt.release != nil {
		rt.release()
		rt.release = nil
	}
	return err
}

// searchReady adds the search engine and the index lag to the readiness
// checks. A lagging index is reported, not failed: it catches up by itself.
func (a *App) searchReady(ctx context.Context, checks map[string]any) error {
	rt := a.Search
	if rt == nil {
		return nil
	}
	checks["search_engine"] = rt.Cfg.Engine
	lag, err := rt.Store.OutboxLag(ctx)
	if err != nil {
		return err
	}
	l := map[string]any{"pending": lag.Pending, "oldest_age_seconds": 0.0}
	if !lag.Oldest.IsZero() {
		l["oldest_age_seconds"] = max(0, a.Cfg.Now().Sub(lag.Oldest).Seconds())
	}
	checks["search_index_lag"] = l
	jobs, todo, err := rt.Store.LinkBacklog(ctx)
	if err != nil {
		return err
	}
	checks["product_linking"] = map[string]any{"products_pending": jobs, "listings_to_key": todo}
	if !rt.Owned() {
		checks["search_index"] = "owned by another process"
		return nil
	}
	n, err := rt.Index.Count(ctx)
	if err != nil {
		checks["search_index_error"] = err.Error()
		return fmt.Errorf("search index unusable: %w", err)
	}
	checks["search_documents"] = n
	return nil
}
