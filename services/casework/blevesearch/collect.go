package blevesearch

import (
	"bytes"
	"container/heap"
	"sort"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// cand is a candidate hit: enough to order it and to fetch it later. The
// listing id is only looked up (id) when scores tie or the hit is shown.
type cand struct {
	score float64
	sc    *segCache
	local uint32
	shard int
}

func (c cand) id() string { return c.sc.id(c.local) }

// better reports whether a sorts before b: score desc, then listing id asc.
// Many hits tie on score, so two hits of one segment are ordered by their
// precomputed id rank rather than by comparing the ids.
func better(a, b cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if a.sc == b.sc {
		return a.sc.rank[a.local] < b.sc.rank[b.local]
	}
	return bytes.Compare(a.sc.idb(a.local), b.sc.idb(b.local)) < 0
}

// topK keeps the k best candidates; the worst sits at the root.
type topK struct {
	k int
	h []cand
}

func (t *topK) Len() int           { return len(t.h) }
func (t *topK) Less(i, j int) bool { return better(t.h[j], t.h[i]) }
func (t *topK) Swap(i, j int)      { t.h[i], t.h[j] = t.h[j], t.h[i] }
func (t *topK) Push(x any)         { t.h = append(t.h, x.(cand)) }
func (t *topK) Pop() any {
	x := t.h[len(t.h)-1]
	t.h = t.h[:len(t.h)-1]
	return x
}

// offer keeps c if it is among the k best seen so far.
func (t *topK) offer(c cand) {
	if len(t.h) < t.k {
		heap.Push(t, c)
		return
	}
	if better(c, t.h[0]) {
		t.h[0] = c
		heap.Fix(t, 0)
	}
}

// sorted returns the candidates best first.
func (t *topK) sorted() []cand {
	out := append([]cand(nil), t.h...)
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out
}

// facetCounts counts hits per interned term of each facet.
type facetCounts struct {
	retailer, market, brand, category []int64
}

func add(counts *[]int64, id uint32, n int64) {
	if int(id) >= len(*counts) {
		grown := make([]int64, int(id)+1+len(*counts)/2)
		copy(grown, *counts)
		*counts = grown
	}
	(*counts)[id] += n
}

func addInto(dst *[]int64, src []int64) {
	if len(src) > len(*dst) {
		grown := make([]int64, len(src))
		copy(grown, *dst)
		*dst = grown
	}
	for i, v := range src {
		(*dst)[i] += v
	}
}

// group accumulates the matching listings of one product.
type group struct {
	count    int64
	byMarket [4]int64
	top      *topK
}

// collector applies filters to hits and gathers totals, facets and either
// the best hits (listing search) or per-product groups (product search).
type collector struct {
	f      *filter
	after  *search.Cursor
	shard  int
	total  int64
	seen   int64 // text matches offered, before any filter
	top    topK
	facets facetCounts

	// perCombo is set when the filters only look at attributes the
	// segments' combination tables cover: hits are then filtered and
	// counted per combination (see tally).
	perCombo bool
	tally    comboTally

	byProduct bool
	perGroup  int
	groups    []*group // by interned product id; nil where no hit yet
	unlinked  int64
}

// comboTally counts the hits of one segment per attribute combination.
// Counting a hit is then one increment in a small table instead of reading
// the hit's row and bumping four facet counters; the facets are folded in
// once per segment (flush).
type comboTally struct {
	sc     *segCache
	counts []int64
	miss   []uint8 // by combination: its facet miss mask (filter.facetMiss)
}

func newCollector(f *filter, after *search.Cursor, shard, k int) *collector {
	return &collector{f: f, after: after, shard: shard, top: topK{k: k}, perCombo: f.comboOnly()}
}

func newProductCollector(f *filter, shard, perGroup int) *collector {
	return &collector{f: f, shard: shard, byProduct: true, perGroup: perGroup}
}

// add considers local doc number local of sc, scored score.
func (c *collector) add(sc *segCache, local uint32, score float64) {
	c.seen++
	if c.perCombo {
		c.addCombo(sc, local, score)
		return
	}
	r := &sc.rows[local]
	if c.f.timed() && !c.f.matchTime(sc.observed[local]) {
		return
	}
	if m := c.f.facetMiss(r); m != 0 {
		// Not a match, but it may count in the one facet whose filter it fails.
		if m != missNone && !c.byProduct {
			c.countFacetsExcept(r, 1, m)
		}
		return
	}
	if c.f.demote && r.accessory {
		score *= accessoryFactor
	}
	c.total++
	h := cand{score: score, sc: sc, local: local, shard: c.shard}
	if c.byProduct {
		c.group(r, h)
		return
	}
	c.countFacets(r, 1)
	c.offer(h)
}

// addCombo is add for filters the combination tables decide.
func (c *collector) addCombo(sc *segCache, local uint32, score float64) {
	t := &c.tally
	if t.sc != sc {
		c.startSegment(sc)
	}
	ci := sc.comboOf[local]
	m := t.miss[ci]
	if m == missNone {
		return
	}
	t.counts[ci]++
	if m != 0 {
		return // counted in one facet only (flush)
	}
	c.total++
	if c.f.demote && sc.combos[ci].r.accessory {
		score *= accessoryFactor
	}
	c.offer(cand{score: score, sc: sc, local: local, shard: c.shard})
}

// startSegment flushes the tally of the previous segment and starts one
// for sc. Hits arrive in doc order, so this happens once per segment.
func (c *collector) startSegment(sc *segCache) {
	c.flush()
	t := &c.tally
	t.sc = sc
	n := len(sc.combos)
	t.counts = resize(t.counts, n)
	clear(t.counts)
	t.miss = resize(t.miss, n)
	for j := range sc.combos {
		t.miss[j] = c.f.facetMiss(&sc.combos[j].r)
	}
}

// flush folds the tallied hits into the facet counts. Call it before
// reading the facets.
func (c *collector) flush() {
	t := &c.tally
	if t.sc == nil {
		return
	}
	for j, n := range t.counts {
		if n > 0 {
			c.countFacetsExcept(&t.sc.combos[j].r, n, t.miss[j])
		}
	}
	t.sc = nil
}

// resize returns s with length n, reusing its array when large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// countMiss counts n hits sharing r's attributes and facet miss mask
// miss: as matches when miss is 0, in one facet when it has one bit set.
func (c *collector) countMiss(r *row, n int64, miss uint8) {
	if miss == missNone {
		return
	}
	if miss == 0 {
		c.total += n
	}
	c.countFacetsExcept(r, n, miss)
}

func (c *collector) countFacets(r *row, n int64) { c.countFacetsExcept(r, n, 0) }

// countFacetsExcept counts n hits sharing r's attributes in the facets they
// count in: every facet when miss is 0, else only the one facet whose
// filter they fail (miss has one bit set), as facets are disjunctive.
func (c *collector) countFacetsExcept(r *row, n int64, miss uint8) {
	if miss&^dimRetailer == 0 {
		add(&c.facets.retailer, uint32(r.retailer), n)
	}
	if miss&^dimMarket == 0 {
		add(&c.facets.market, uint32(r.market), n)
	}
	if miss&^dimBrand == 0 {
		add(&c.facets.brand, r.brand, n)
	}
	if miss&^dimCategory == 0 {
		add(&c.facets.category, uint32(r.category), n)
	}
}

// offer considers a matching hit for the page, after the cursor.
func (c *collector) offer(h cand) {
	if a := c.after; a != nil && (h.score > a.Score || (h.score == a.Score && string(h.sc.idb(h.local)) <= a.ListingID)) {
		return
	}
	c.top.offer(h)
}

// group adds a matching hit to its product's group.
func (c *collector) group(r *row, h cand) {
	if r.product == 0 {
		c.unlinked++
		return
	}
	if int(r.product) >= len(c.groups) {
		grown := make([]*group, int(r.product)+1+len(c.groups)/2)
		copy(grown, c.groups)
		c.groups = grown
	}
	g := c.groups[r.product]
	if g == nil {
		g = &group{top: &topK{k: c.perGroup}}
		c.groups[r.product] = g
	}
	g.count++
	g.byMarket[r.market]++
	g.top.offer(h)
}

// merge folds o (another shard's collector) into c.
// Both must have been flushed.
func (c *collector) merge(o *collector) {
	c.total += o.total
	c.seen += o.seen
	c.unlinked += o.unlinked
	for _, h := range o.top.h {
		c.top.offer(h)
	}
	addInto(&c.facets.retailer, o.facets.retailer)
	addInto(&c.facets.market, o.facets.market)
	addInto(&c.facets.brand, o.facets.brand)
	addInto(&c.facets.category, o.facets.category)
	if len(o.groups) > len(c.groups) {
		grown := make([]*group, len(o.groups))
		copy(grown, c.groups)
		c.groups = grown
	}
	for p, og := range o.groups {
		if og == nil {
			continue
		}
		g := c.groups[p]
		if g == nil {
			c.groups[p] = og
			continue
		}
		g.count += og.count
		for i := range g.byMarket {
			g.byMarket[i] += og.byMarket[i]
		}
		for _, h := range og.top.h {
			g.top.offer(h)
		}
	}
}

// facetList turns counts into the top terms, count desc then term asc;
// the empty term (no category, say) is not a facet value.
func facetList(counts []int64, names []string) []search.FacetCount {
	var out []search.FacetCount
	for i, n := range counts {
		if n == 0 || i >= len(names) || names[i] == "" {
			continue
		}
		term := names[i]
		out = append(out, search.FacetCount{Term: term, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Term < out[j].Term
	})
	if len(out) > search.FacetSize {
		out = out[:search.FacetSize]
	}
	if out == nil {
		out = []search.FacetCount{}
	}
	return out
}
