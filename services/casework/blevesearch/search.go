package blevesearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Search runs a listing query.
func (e *Engine) Search(ctx context.Context, q search.Query) (search.Result, error) {
	q, after, err := q.Prepared()
	if err != nil {
		return search.Result{}, err
	}
	g, err := e.acquire()
	if err != nil {
		return search.Result{}, err
	}
	defer g.release()

	f := e.dicts.resolve(q)
	tq, hasText := e.text(q.Q)
	if f.none || (hasText && tq.empty()) {
		return emptyResult(), nil
	}
	f.demote = hasText && !tq.accessory
	merged, err := e.collectWidening(ctx, g, tq, hasText, func(shard int) *collector {
		return newCollector(&f, after, shard, q.Limit+1)
	})
	if err != nil {
		return search.Result{}, err
	}

	res := search.Result{Total: merged.total, Facets: e.facets(merged)}
	top := merged.top.sorted()
	more := len(top) > q.Limit
	if more {
		top = top[:q.Limit]
	}
	if res.Items, err = e.fetch(g, top, tq, hasText); err != nil {
		return search.Result{}, err
	}
	if more {
		last := top[len(top)-1]
		res.NextCursor = search.EncodeCursor(search.Cursor{Score: last.score, ListingID: last.id()})
	}
	return res, nil
}

// SearchProducts groups the matching listings by product.
func (e *Engine) SearchProducts(ctx context.Context, pq search.ProductQuery) (search.ProductResult, error) {
	pq, err := pq.Normalized()
	if err != nil {
		return search.ProductResult{}, err
	}
	q := pq.Query
	g, err := e.acquire()
	if err != nil {
		return search.ProductResult{}, err
	}
	defer g.release()

	f := e.dicts.resolve(q)
	tq, hasText := e.text(q.Q)
	if f.none || (hasText && tq.empty()) {
		return search.ProductResult{Products: []search.ProductGroup{}}, nil
	}
	f.demote = hasText && !tq.accessory
	merged, err := e.collectWidening(ctx, g, tq, hasText, func(shard int) *collector {
		return newProductCollector(&f, shard, pq.TopListings)
	})
	if err != nil {
		return search.ProductResult{}, err
	}

	products := e.dicts.product.snapshot()
	type ranked struct {
		id string
		g  *group
	}
	var list []ranked
	for p, gr := range merged.groups {
		if gr != nil && p < len(products) {
			list = append(list, ranked{id: products[p], g: gr})
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].g.count != list[j].g.count {
			return list[i].g.count > list[j].g.count
		}
		return list[i].id < list[j].id
	})
	if len(list) > q.Limit {
		list = list[:q.Limit]
	}
	res := search.ProductResult{Listings: merged.total, Unlinked: merged.unlinked, Products: make([]search.ProductGroup, 0, len(list))}
	for _, r := range list {
		byMarket := map[string]int64{}
		for code, n := range r.g.byMarket {
			if n > 0 {
				byMarket[marketNames[code]] = n
			}
		}
		hits, err := e.fetch(g, r.g.top.sorted(), tq, hasText)
		if err != nil {
			return search.ProductResult{}, err
		}
		res.Products = append(res.Products, search.ProductGroup{
			ProductID: r.id, Listings: r.g.count, ByMarketType: byMarket, Top: hits,
		})
	}
	return res, nil
}

// text parses the free-text part; hasText is false for a blank query.
func (e *Engine) text(q string) (textQuery, bool) {
	if strings.TrimSpace(q) == "" {
		return textQuery{}, false
	}
	return parseText(q, e.analyzer), true
}

func emptyResult() search.Result {
	facets := map[string][]search.FacetCount{}
	for _, name := range search.FacetNames {
		facets[name] = []search.FacetCount{}
	}
	return search.Result{Items: []search.Hit{}, Facets: facets}
}

// collectWidening runs the strict text query and, when it matches fewer
// than widenBelow listings, the query with partial matches (so that a word
// only in the description or category does not empty the result). The
// decision is on the text alone, before filters, so that every filter and
// facet of one text sees the same matches.
func (e *Engine) collectWidening(ctx context.Context, g *generation, tq textQuery, hasText bool, mk func(shard int) *collector) (*collector, error) {
	merged, err := e.collect(ctx, g, tq, hasText, mk)
	if err != nil || !hasText || merged.seen >= widenBelow {
		return merged, err
	}
	if wide, more := tq.widen(); more {
		return e.collect(ctx, g, wide, hasText, mk)
	}
	return merged, nil
}

// collect runs the query on every shard in parallel and merges the
// per-shard collectors. Without text every live listing is a hit, scored 0.
func (e *Engine) collect(ctx context.Context, g *generation, tq textQuery, hasText bool, mk func(shard int) *collector) (*collector, error) {
	cs := make([]*collector, len(g.shards))
	errs := make([]error, len(g.shards))
	var bq query.Query
	if hasText {
		bq = tq.bleveQuery()
	}
	var wg sync.WaitGroup
	for i, s := range g.shards {
		cs[i] = mk(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if hasText {
				errs[i] = s.collectText(ctx, bq, cs[i])
			} else {
				errs[i] = s.scan(ctx, cs[i])
			}
			cs[i].flush()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	for _, c := range cs[1:] {
		cs[0].merge(c)
	}
	return cs[0], nil
}

// collectText lets Bleve find and score the matches and hands each one,
// resolved to its attribute row, to c. Bleve's own top-N store, sort and
// facet builder are bypassed: they would read doc values per hit.
func (s *shard) collectText(ctx context.Context, q query.Query, c *collector) error {
	maker := func(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
		snap, ok := sctx.IndexReader.(*scorch.IndexSnapshot)
		if !ok {
			return nil, false, fmt.Errorf("unexpected index reader %T", sctx.IndexReader)
		}
		v, err := s.cache.view(snap)
		if err != nil {
			return nil, false, err
		}
		// Hits arrive in doc order, so the segment of the last hit is
		// almost always the segment of the next.
		seg, lo, hi := -1, uint64(0), uint64(0)
		return func(d *bsearch.DocumentMatch) error {
			if d == nil {
				return nil
			}
			g := d.IndexInternalID.Value()
			if g < lo || g >= hi {
				seg, _ = v.locate(g)
				lo = v.offsets[seg]
				hi = lo + uint64(len(v.segs[seg].rows))
			}
			c.add(v.segs[seg], uint32(g-lo), d.Score)
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
	}
	ctx = context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, bsearch.MakeDocumentMatchHandler(maker))
	req := bleve.NewSearchRequestOptions(q, 1, 0, false)
	if _, err := s.idx.SearchInContext(ctx, req); err != nil {
		return fmt.Errorf("bleve search: %w", err)
	}
	return nil
}

// scan handles a query without text, where every listing scores 0 and the
// order is by listing id. Totals and facets come from the segments'
// combination tables when the filters allow (otherwise from every row); the
// page comes from walking each segment's id order from the cursor.
func (s *shard) scan(ctx context.Context, c *collector) error {
	return s.withView(func(v *view) error { return s.scanView(ctx, v, c) })
}

// withView runs fn on the cached columns of the shard's current snapshot.
func (s *shard) withView(fn func(*view) error) error {
	adv, err := s.idx.Advanced()
	if err != nil {
		return fmt.Errorf("open index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("open reader: %w", err)
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return fmt.Errorf("unexpected index reader %T", r)
	}
	v, err := s.cache.view(snap)
	if err != nil {
		return err
	}
	return fn(v)
}

func (s *shard) scanView(ctx context.Context, v *view, c *collector) error {
	for i, sc := range v.segs {
		if err := ctx.Err(); err != nil {
			return err
		}
		deleted := v.deleted(i)
		if c.byProduct {
			scanRows(sc, deleted, func(local int) { c.add(sc, uint32(local), 0) })
			continue
		}
		if c.f.comboOnly() && len(deleted) <= len(sc.rows)/4 {
			counts := make([]int64, len(sc.combos))
			for j := range sc.combos {
				counts[j] = sc.combos[j].n
			}
			for _, d := range deleted {
				counts[sc.comboOf[d]]--
			}
			for j := range sc.combos {
				if counts[j] > 0 {
					c.countMiss(&sc.combos[j].r, counts[j], c.f.facetMiss(&sc.combos[j].r))
				}
			}
		} else {
			scanRows(sc, deleted, func(local int) {
				if !c.f.timed() || c.f.matchTime(sc.observed[local]) {
					c.countMiss(&sc.rows[local], 1, c.f.facetMiss(&sc.rows[local]))
				}
			})
		}
		s.firstPage(v, i, c)
	}
	return nil
}

// scanRows calls fn for every live document of sc in doc order.
func scanRows(sc *segCache, deleted []uint32, fn func(local int)) {
	next := 0
	for local := range sc.rows {
		if next < len(deleted) && deleted[next] == uint32(local) {
			next++
			continue
		}
		fn(local)
	}
}

// firstPage offers c the first matching live listings of segment i after
// the cursor, in id order: once c.top is full nothing later in this
// segment can enter it.
func (s *shard) firstPage(v *view, i int, c *collector) {
	sc := v.segs[i]
	start := 0
	if c.after != nil {
		start = sort.Search(len(sc.order), func(j int) bool { return string(sc.idb(sc.order[j])) > c.after.ListingID })
	}
	found := 0
	for _, local := range sc.order[start:] {
		if found == c.top.k {
			return
		}
		if !c.f.match(&sc.rows[local]) || (c.f.timed() && !c.f.matchTime(sc.observed[local])) || v.isDeleted(i, local) {
			continue
		}
		found++
		c.offer(cand{sc: sc, local: local, shard: c.shard})
	}
}

// facets turns merged counts into the result facets.
func (e *Engine) facets(c *collector) map[string][]search.FacetCount {
	return map[string][]search.FacetCount{
		search.FacetRetailer:   facetList(c.facets.retailer, e.dicts.retailer.snapshot()),
		search.FacetMarketType: facetList(c.facets.market, marketNames),
		search.FacetBrand:      facetList(c.facets.brand, e.dicts.brand.snapshot()),
		search.FacetCategory:   facetList(c.facets.category, e.dicts.category.snapshot()),
	}
}

// fetch loads the stored fields of the chosen hits. A listing deleted since
// it was matched is left out.
func (e *Engine) fetch(g *generation, top []cand, tq textQuery, hasText bool) ([]search.Hit, error) {
	out := make([]search.Hit, 0, len(top))
	for _, c := range top {
		id := c.id()
		doc, err := g.shards[c.shard].idx.Document(id)
		if err != nil {
			return nil, fmt.Errorf("load listing %s: %w", id, err)
		}
		if doc == nil {
			continue
		}
		var raw []byte
		doc.VisitFields(func(f index.Field) {
			if f.Name() == fieldHit {
				raw = f.Value()
			}
		})
		var sh storedHit
		if err := json.Unmarshal(raw, &sh); err != nil {
			return nil, fmt.Errorf("decode listing %s: %w", id, err)
		}
		h := search.Hit{
			ListingID: id, ProductID: sh.ProductID, Title: sh.Title, Retailer: sh.Retailer,
			MarketType: sh.MarketType, Seller: sh.Seller, URL: sh.URL, PricePence: sh.PricePence,
			Currency: sh.Currency, ObservedAt: sh.ObservedAt, Score: c.score,
		}
		if hasText {
			if mark := highlightTitle(sh.Title, tq, e.analyzer); mark != "" {
				h.Highlights = map[string][]string{"title": {mark}}
			}
		}
		out = append(out, h)
	}
	return out, nil
}
