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

// filter is a search.Query's filters resolved against the dictionaries.
type filter struct {
	none bool // a filter value was never indexed: nothing can match

	product, retailer, category uint32
	useProduct, useRetailer     bool
	useCategory                 bool
	brandOK                     []bool // by brand display id; nil when not filtering by brand
	market, cond, status        uint8
	support, openCase           *bool
	authHas                     []bool
	from, to                    int64
	useFrom, useTo              bool

	// demote is set for a text query that names no accessory: listings of
	// accessories then rank below the products they fit.
	demote bool
}

func (ds *dicts) resolve(q search.Query) filter {
	var f filter
	lookup := func(d *dict, s string, id *uint32, use *bool) {
		if s == "" {
			return
		}
		v, ok := d.lookup(s)
		if !ok {
			f.none = true
		}
		*id, *use = v, true
	}
	lookup(ds.product, q.ProductID, &f.product, &f.useProduct)
	lookup(ds.retailer, q.Retailer, &f.retailer, &f.useRetailer)
	lookup(ds.category, q.Category, &f.category, &f.useCategory)
	if q.Brand != "" {
		var key uint32
		var use bool
		lookup(ds.brandKey, search.NormalizeBrand(q.Brand), &key, &use)
		f.brandOK = ds.brandsWithKey(key)
	}
	f.market = marketCodes[q.MarketType]
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

// match reports whether r passes every filter except the dates.
func (f *filter) match(r *row) bool {
	switch {
	case f.useProduct && r.product != f.product,
		f.useRetailer && uint32(r.retailer) != f.retailer,
		f.useCategory && uint32(r.category) != f.category,
		f.brandOK != nil && (int(r.brand) >= len(f.brandOK) || !f.brandOK[r.brand]),
		f.market != 0 && r.market != f.market,
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

// matchTime reports whether an observation time passes the date filters.
func (f *filter) matchTime(observed int64) bool {
	return !(f.useFrom && observed < f.from) && !(f.useTo && observed >= f.to)
}

// timed reports whether any date filter is active.
func (f *filter) timed() bool { return f.useFrom || f.useTo }
