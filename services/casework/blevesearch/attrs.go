package blevesearch

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// The filter and facet attributes of a listing travel in one doc-values
// field, packed as unit-separated strings. Doc values never contain 0xFF
// (the zap term separator) because every part is valid UTF-8.
const (
	sepField = "\x1f"
	sepList  = "\x1e"
)

// Positions of the packed attributes.
const (
	aID = iota
	aProduct
	aRetailer
	aMarket
	aBrand
	aBrandKey
	aCategory
	aCondition
	aStatus
	aSupport
	aObserved
	aAuthorities
	aAccessory
	aCount
)

// packAttrs encodes what filters, facets and ranking need to know about d.
func packAttrs(d search.Doc) string { return packAttrsOf(d, search.Features(d)) }

func packAttrsOf(d search.Doc, f search.DocFeatures) string {
	parts := make([]string, aCount)
	parts[aID] = d.ListingID
	parts[aProduct] = d.ProductID
	parts[aRetailer] = d.Retailer
	parts[aMarket] = d.MarketType
	parts[aBrand] = search.DisplayBrand(d.Brand)
	parts[aBrandKey] = search.NormalizeBrand(d.Brand)
	parts[aCategory] = d.Category
	parts[aCondition] = d.Condition
	parts[aStatus] = d.Status
	if d.HasSupportPeriod() {
		parts[aSupport] = "1"
	}
	parts[aObserved] = strconv.FormatInt(d.ObservedAt.UnixNano(), 36)
	if f.Accessory {
		parts[aAccessory] = "1"
	}
	for i, p := range parts {
		parts[i] = scrubSeparators(p)
	}
	parts[aAuthorities] = strings.Join(scrubAll(d.OpenCaseAuthorities), sepList)
	return strings.Join(parts, sepField)
}

func scrubSeparators(s string) string {
	if strings.ContainsAny(s, sepField+sepList) {
		return strings.NewReplacer(sepField, " ", sepList, " ").Replace(s)
	}
	return s
}

func scrubAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = scrubSeparators(s)
	}
	return out
}

// row is the decoded filter and facet attributes of one document version,
// with strings interned to small integers so filters and facets compare
// integers. It is kept to 20 bytes because a search touches the row of
// every hit; the observation time lives in its own column (segCache.observed)
// as only date filters read it.
type row struct {
	product  uint32
	brand    uint32 // display name; the brand key follows from it
	retailer uint16
	category uint16
	auths    uint16 // interned authority set
	market   uint8
	cond     uint8
	status   uint8
	support  bool
	// accessory marks a listing of a thing for a product (search.DocFeatures).
	accessory bool
}

var marketCodes = map[string]uint8{search.MarketRetailer: 1, search.MarketMarketplace: 2, search.MarketSecondary: 3}
var marketNames = []string{"", search.MarketRetailer, search.MarketMarketplace, search.MarketSecondary}
var condCodes = map[string]uint8{search.ConditionNew: 1, search.ConditionUsed: 2, search.ConditionRefurbished: 3}
var statusCodes = map[string]uint8{search.StatusLive: 1, search.StatusRemoved: 2}

// dict interns strings; id 0 is always the empty string. It only grows, so
// ids stay valid for the life of the engine.
type dict = interner[string]

func newDict() *dict { return newInterner(func(s string) string { return s }, "") }

// interner hands out dense ids for keys, keeping for each id the value its
// key decodes to; id 0 is the empty key. Ids stay valid for the life of the
// engine.
type interner[T any] struct {
	mu     sync.RWMutex
	ids    map[string]uint32
	vals   []T
	decode func(string) T
}

func newInterner[T any](decode func(string) T, empty T) *interner[T] {
	return &interner[T]{ids: map[string]uint32{"": 0}, vals: []T{empty}, decode: decode}
}

func (d *interner[T]) intern(key string) uint32 {
	d.mu.RLock()
	id, ok := d.ids[key]
	d.mu.RUnlock()
	if ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.ids[key]; ok {
		return id
	}
	id = uint32(len(d.vals))
	d.ids[key] = id
	d.vals = append(d.vals, d.decode(key))
	return id
}

// lookup returns the id of key and whether it was ever seen.
func (d *interner[T]) lookup(key string) (uint32, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok := d.ids[key]
	return id, ok
}

// snapshot returns the values by id as they are now.
func (d *interner[T]) snapshot() []T {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.vals[:len(d.vals):len(d.vals)]
}

// authSets interns sets of authority codes, packed with sepList; set 0 is
// the empty set.
type authSets struct{ *interner[[]string] }

func newAuthSets() *authSets {
	return &authSets{newInterner(func(packed string) []string { return strings.Split(packed, sepList) }, nil)}
}

// containing returns, indexed by set id, whether each set holds code.
func (a *authSets) containing(code string) []bool {
	sets := a.snapshot()
	out := make([]bool, len(sets))
	for i, s := range sets {
		for _, c := range s {
			if c == code {
				out[i] = true
				break
			}
		}
	}
	return out
}

// dicts are the interning tables shared by every shard and generation.
type dicts struct {
	product, retailer, brand, brandKey, category *dict
	auths                                        *authSets

	// brandKeyOf maps a brand display id to its key id: the display name
	// determines the key (see search.DisplayBrand).
	mu         sync.RWMutex
	brandKeyOf []uint32
}

func newDicts() *dicts {
	return &dicts{product: newDict(), retailer: newDict(), brand: newDict(), brandKey: newDict(),
		category: newDict(), auths: newAuthSets(), brandKeyOf: []uint32{0}}
}

func (ds *dicts) setBrandKey(brand, key uint32) {
	ds.mu.RLock()
	known := int(brand) < len(ds.brandKeyOf) && ds.brandKeyOf[brand] == key
	ds.mu.RUnlock()
	if known {
		return
	}
	ds.mu.Lock()
	defer ds.mu.Unlock()
	for int(brand) >= len(ds.brandKeyOf) {
		ds.brandKeyOf = append(ds.brandKeyOf, 0)
	}
	ds.brandKeyOf[brand] = key
}

// brandsWithKey returns, indexed by brand display id, whether the brand has key.
func (ds *dicts) brandsWithKey(key uint32) []bool {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	out := make([]bool, len(ds.brandKeyOf))
	for b, k := range ds.brandKeyOf {
		out[b] = k == key
	}
	return out
}

// small narrows an interned id to a 16-bit row field.
func small(id uint32, what string) (uint16, error) {
	if id > math.MaxUint16 {
		return 0, fmt.Errorf("more than %d distinct %s values", math.MaxUint16, what)
	}
	return uint16(id), nil
}

// decode parses a packed attribute value into a row, the observation time
// (unix nanoseconds) and the listing id.
func (ds *dicts) decode(packed []byte) (row, int64, string, error) {
	parts := strings.Split(string(packed), sepField)
	if len(parts) != aCount {
		return row{}, 0, "", fmt.Errorf("packed attributes have %d parts, want %d", len(parts), aCount)
	}
	obs, err := strconv.ParseInt(parts[aObserved], 36, 64)
	if err != nil {
		return row{}, 0, "", fmt.Errorf("packed observed time: %w", err)
	}
	r := row{
		product: ds.product.intern(parts[aProduct]),
		brand:   ds.brand.intern(parts[aBrand]),
		market:  marketCodes[parts[aMarket]],
		cond:    condCodes[parts[aCondition]],
		status:  statusCodes[parts[aStatus]],
		support: parts[aSupport] == "1",

		accessory: parts[aAccessory] == "1",
	}
	ds.setBrandKey(r.brand, ds.brandKey.intern(parts[aBrandKey]))
	var errs [3]error
	r.retailer, errs[0] = small(ds.retailer.intern(parts[aRetailer]), "retailer")
	r.category, errs[1] = small(ds.category.intern(parts[aCategory]), "category")
	r.auths, errs[2] = small(ds.auths.intern(parts[aAuthorities]), "open-case authority set")
	if err := errors.Join(errs[:]...); err != nil {
		return row{}, 0, "", err
	}
	return r, obs, parts[aID], nil
}

// Facet dimensions, as bits of a miss mask (see filter.misses).
const (
	dimRetailer uint8 = 1 << iota
	dimMarket
	dimBrand
	dimCategory
)

// filter is a search.Query's filters resolved against the dictionaries.
// The facet filters (retailer, market type, brand, category) are sets of
// accepted ids; a nil set does not filter.
type filter struct {
	none bool // the product filter names a product never indexed: nothing can match

	product           uint32
	useProduct        bool
	retailerOK        []bool // by retailer id
	categoryOK        []bool // by category id
	brandOK           []bool // by brand display id
	marketOK          []bool // by market code
	cond, status      uint8
	support, openCase *bool
	authHas           []bool
	from, to          int64
	useFrom, useTo    bool

	// demote is set for a text query that names no accessory: listings of
	// accessories then rank below the products they fit.
	demote bool
}

// idSet marks the ids of the values of d named in values; nil when values is empty.
func idSet(d *dict, values []string) []bool {
	if len(values) == 0 {
		return nil
	}
	var out []bool
	for _, v := range values {
		id, ok := d.lookup(v)
		if !ok {
			continue
		}
		for int(id) >= len(out) {
			out = append(out, false)
		}
		out[id] = true
	}
	if out == nil {
		out = []bool{} // filtering, but on values never indexed
	}
	return out
}

func (ds *dicts) resolve(q search.Query) filter {
	var f filter
	if q.ProductID != "" {
		v, ok := ds.product.lookup(q.ProductID)
		f.product, f.useProduct, f.none = v, true, !ok
	}
	f.retailerOK = idSet(ds.retailer, q.Retailers)
	f.categoryOK = idSet(ds.category, q.Categories)
	if len(q.Brands) > 0 {
		f.brandOK = []bool{}
		for _, b := range q.Brands {
			key, ok := ds.brandKey.lookup(search.NormalizeBrand(b))
			if !ok {
				continue
			}
			for i, has := range ds.brandsWithKey(key) {
				for i >= len(f.brandOK) {
					f.brandOK = append(f.brandOK, false)
				}
				f.brandOK[i] = f.brandOK[i] || has
			}
		}
	}
	if len(q.MarketTypes) > 0 {
		f.marketOK = make([]bool, len(marketNames))
		for _, m := range q.MarketTypes {
			f.marketOK[marketCodes[m]] = m != ""
		}
	}
	f.cond = condCodes[q.Condition]
	f.status = statusCodes[q.Status]
	f.support = q.HasSupportPeriod
	if q.HasOpenCase != nil {
		f.openCase = q.HasOpenCase
		f.authHas = ds.auths.containing(q.Authority)
	}
	if !q.ObservedFrom.IsZero() {
		f.from, f.useFrom = q.ObservedFrom.UnixNano(), true
	}
	if !q.ObservedTo.IsZero() {
		f.to, f.useTo = q.ObservedTo.UnixNano(), true
	}
	return f
}

// comboOnly reports whether every active filter is on an attribute the
// per-segment combination tables cover.
func (f *filter) comboOnly() bool {
	return !f.useProduct && f.openCase == nil && !f.useFrom && !f.useTo
}

// in reports whether id is in set; a nil set holds everything.
func in(set []bool, id int) bool { return set == nil || (id < len(set) && set[id]) }

// misses returns the facet dimensions whose filter r fails, as a mask.
func (f *filter) misses(r *row) uint8 {
	var m uint8
	if !in(f.retailerOK, int(r.retailer)) {
		m |= dimRetailer
	}
	if !in(f.marketOK, int(r.market)) {
		m |= dimMarket
	}
	if !in(f.brandOK, int(r.brand)) {
		m |= dimBrand
	}
	if !in(f.categoryOK, int(r.category)) {
		m |= dimCategory
	}
	return m
}

// matchBase reports whether r passes every filter except the facet
// filters and the dates.
func (f *filter) matchBase(r *row) bool {
	switch {
	case f.useProduct && r.product != f.product,
		f.cond != 0 && r.cond != f.cond,
		f.status != 0 && r.status != f.status,
		f.support != nil && r.support != *f.support:
		return false
	}
	if f.openCase != nil {
		has := int(r.auths) < len(f.authHas) && f.authHas[r.auths]
		if has != *f.openCase {
			return false
		}
	}
	return true
}

// match reports whether r passes every filter except the dates.
func (f *filter) match(r *row) bool { return f.matchBase(r) && f.misses(r) == 0 }

// facetMiss is the miss mask of a row that passes the other filters and
// counts in the facets (disjunctive: it fails at most one facet's filter),
// or missNone when it counts nowhere.
func (f *filter) facetMiss(r *row) uint8 {
	if !f.matchBase(r) {
		return missNone
	}
	m := f.misses(r)
	if m&(m-1) != 0 {
		return missNone
	}
	return m
}

// missNone marks a row that neither matches nor counts in any facet.
const missNone uint8 = 0xff

// matchTime reports whether an observation time passes the date filters.
func (f *filter) matchTime(observed int64) bool {
	return !(f.useFrom && observed < f.from) && !(f.useTo && observed >= f.to)
}

// timed reports whether any date filter is active.
func (f *filter) timed() bool { return f.useFrom || f.useTo }
