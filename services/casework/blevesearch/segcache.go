package blevesearch

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Filters and facets never go through Bleve's facet builder: it decodes doc
// values and hashes terms for every hit, which is what makes faceted search
// slow at a million listings. Instead each immutable scorch segment is
// "uninverted" once into columns of interned attributes (like Lucene's field
// cache), and a hit is resolved to its row by its segment-local doc number.
// Segments never change after they are written, so a cache entry is valid
// until the segment is merged away.

// segCache holds the decoded attributes of every document of one segment,
// deleted or not, indexed by local doc number.
type segCache struct {
	rows     []row
	observed []int64 // unix nanoseconds
	// The listing ids, concatenated: id i is idBuf[idOff[i]:idOff[i+1]].
	// Nothing in a segCache holds a pointer, so a million cached listings
	// add nothing to the garbage collector's marking work.
	idBuf []byte
	idOff []uint32
	// order lists the local doc numbers by listing id, so a query without
	// text (where every score is 0) finds its first page by walking it
	// instead of comparing ids for every match.
	order []uint32
	// rank is the inverse of order: a document's position in id order,
	// so hits of one segment that tie on score compare two integers.
	rank []uint32
	// combos counts the documents of each distinct combination of the
	// facet and filter attributes (everything but product, date and open
	// cases); comboOf is each document's combination. Filter-only queries
	// count from these tables rather than from every document.
	combos  []combo
	comboOf []uint32
}

// combo is one distinct attribute combination and how many documents of
// the segment (deleted or not) have it.
type combo struct {
	r row
	n int64
}

// idb returns the listing id of a local doc without copying it.
func (sc *segCache) idb(local uint32) []byte { return sc.idBuf[sc.idOff[local]:sc.idOff[local+1]] }

// id returns the listing id of a local doc.
func (sc *segCache) id(local uint32) string { return string(sc.idb(local)) }

// comboKey is r without the attributes combos do not cover.
func comboKey(r row) row {
	r.product, r.auths = 0, 0
	return r
}

type segEntry struct {
	once  sync.Once
	cache *segCache
	err   error
}

// segCaches is the cache of one Bleve index (one shard of one generation).
type segCaches struct {
	dicts *dicts
	mu    sync.Mutex
	m     map[uint64]*segEntry
}

func newSegCaches(ds *dicts) *segCaches {
	return &segCaches{dicts: ds, m: map[uint64]*segEntry{}}
}

// view is one index snapshot with the cache of each of its segments.
type view struct {
	offsets []uint64 // global doc number of each segment's first document
	segs    []*segCache
	snaps   []*scorch.SegmentSnapshot
}

// locate maps a global doc number to its segment and local doc number.
func (v *view) locate(global uint64) (int, uint64) {
	i := sort.Search(len(v.offsets), func(i int) bool { return v.offsets[i] > global }) - 1
	return i, global - v.offsets[i]
}

// view returns the cached columns for every segment of snap, building
// those it has not seen, and forgets segments that have been merged away.
func (c *segCaches) view(snap *scorch.IndexSnapshot) (*view, error) {
	segs := snap.Segments()
	v := &view{offsets: make([]uint64, len(segs)), segs: make([]*segCache, len(segs)), snaps: segs}
	entries := make([]*segEntry, len(segs))
	c.mu.Lock()
	for i, ss := range segs {
		e, ok := c.m[ss.Id()]
		if !ok {
			e = &segEntry{}
			c.m[ss.Id()] = e
		}
		entries[i] = e
	}
	if len(c.m) > 2*len(segs)+16 {
		live := make(map[uint64]bool, len(segs))
		for _, ss := range segs {
			live[ss.Id()] = true
		}
		for id := range c.m {
			if !live[id] {
				delete(c.m, id)
			}
		}
	}
	c.mu.Unlock()

	var running uint64
	for i, ss := range segs {
		v.offsets[i] = running
		running += ss.Segment().Count()
		e := entries[i]
		e.once.Do(func() { e.cache, e.err = c.build(ss) })
		if e.err != nil {
			return nil, e.err
		}
		v.segs[i] = e.cache
	}
	return v, nil
}

func (c *segCaches) build(ss *scorch.SegmentSnapshot) (*segCache, error) {
	seg := ss.Segment()
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("segment %d has no doc values", ss.Id())
	}
	n := seg.Count()
	sc := &segCache{rows: make([]row, n), observed: make([]int64, n), idOff: make([]uint32, n+1)}
	fields := []string{fieldAttrs}
	var state segment.DocVisitState
	var decodeErr error
	for local := uint64(0); local < n; local++ {
		found := false
		var err error
		state, err = dv.VisitDocValues(local, fields, func(_ string, term []byte) {
			if found {
				return
			}
			found = true
			var id string
			sc.rows[local], sc.observed[local], id, decodeErr = c.dicts.decode(term)
			sc.idBuf = append(sc.idBuf, id...)
		}, state)
		if err != nil {
			return nil, fmt.Errorf("read doc values of segment %d: %w", ss.Id(), err)
		}
		if decodeErr != nil {
			return nil, fmt.Errorf("segment %d doc %d: %w", ss.Id(), local, decodeErr)
		}
		if !found {
			return nil, fmt.Errorf("segment %d doc %d has no attributes", ss.Id(), local)
		}
		if len(sc.idBuf) > math.MaxUint32 {
			return nil, fmt.Errorf("segment %d: listing ids exceed 4 GiB", ss.Id())
		}
		sc.idOff[local+1] = uint32(len(sc.idBuf))
	}
	sc.order = make([]uint32, n)
	for i := range sc.order {
		sc.order[i] = uint32(i)
	}
	sort.Slice(sc.order, func(i, j int) bool { return bytes.Compare(sc.idb(sc.order[i]), sc.idb(sc.order[j])) < 0 })
	sc.rank = make([]uint32, n)
	for pos, local := range sc.order {
		sc.rank[local] = uint32(pos)
	}
	index := map[row]uint32{}
	sc.comboOf = make([]uint32, n)
	for i := range sc.rows {
		k := comboKey(sc.rows[i])
		ci, ok := index[k]
		if !ok {
			ci = uint32(len(sc.combos))
			index[k] = ci
			sc.combos = append(sc.combos, combo{r: k})
		}
		sc.combos[ci].n++
		sc.comboOf[i] = ci
	}
	return sc, nil
}

// deleted returns the sorted local doc numbers deleted from segment i.
func (v *view) deleted(i int) []uint32 {
	if d := v.snaps[i].Deleted(); d != nil {
		return d.ToArray()
	}
	return nil
}

// isDeleted reports whether local doc n of segment i is deleted.
func (v *view) isDeleted(i int, n uint32) bool {
	d := v.snaps[i].Deleted()
	return d != nil && d.Contains(n)
}
