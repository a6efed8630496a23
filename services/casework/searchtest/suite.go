package searchtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// SuiteSize is the number of generated listings the shared fixture holds
// (plus the Specials).
const SuiteSize = 400

// Ids of the hand-written listings each pinning one behaviour.
const (
	SpecialTitleHS100  = "fx-title-hs100"  // mentions "HS 100" only in its title
	SpecialTitleHS110  = "fx-title-hs110"  // an accessory: HS110 in the title, another model
	SpecialTypoCamera  = "fx-typo-camara"  // the seller misspelt "camera"
	SpecialRemovedPlug = "fx-removed-plug" // removed from sale
)

// Specials are hand-written listings added to the generated fixture.
func Specials() []search.Doc {
	base := search.Doc{
		Retailer: "eBay", MarketType: search.MarketMarketplace, Seller: "accessory-king", Currency: "GBP",
		Condition: search.ConditionNew, Status: search.StatusLive, ObservedAt: Epoch.Add(36 * time.Hour),
	}
	mk := func(id, title, brand, model string, mod func(*search.Doc)) search.Doc {
		d := base
		d.ListingID, d.Title, d.Brand, d.Model = id, title, brand, model
		d.URL = "https://ebay.example/item/" + id
		d.PricePence = 799
		if mod != nil {
			mod(&d)
		}
		return d
	}
	return []search.Doc{
		mk(SpecialTitleHS100, "Replacement faceplate fits TP Link HS 100 socket", "Generic", "", nil),
		mk(SpecialTitleHS110, "Silicone cover for HS110 smart plug", "Generic", "COVER-1", nil),
		mk(SpecialTypoCamera, "Outdoor WiFi Camara Solar Powered 4G", "Hiseeu", "SC-9", nil),
		mk(SpecialRemovedPlug, "TP-Link HS100 Kasa smart plug (removed listing)", "TP-Link", "HS100", func(d *search.Doc) {
			d.Status = search.StatusRemoved
			d.ProductID = "prd-hs100"
			d.Category = CatPlug
			d.GTIN = Catalogue[0].GTIN
			d.OpenCaseAuthorities = Catalogue[0].OpenCases
		}),
	}
}

// SuiteDocs is the complete fixture the shared index of Run holds.
func SuiteDocs() []search.Doc { return append(Corpus(SuiteSize), Specials()...) }

func bptr(b bool) *bool { return &b }

// Run checks an engine against the search contract. newIndex must return an
// empty index, closed by the caller's t.Cleanup if needed.
func Run(t *testing.T, newIndex func(t *testing.T) search.Index) {
	docs := SuiteDocs()
	byID := map[string]search.Doc{}
	for _, d := range docs {
		byID[d.ListingID] = d
	}
	shared := newIndex(t)
	if err := shared.Upsert(ctx(t), docs); err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	s := &suite{idx: shared, docs: docs, byID: byID}

	t.Run("Count", s.count)
	t.Run("ModelNumberVariants", s.modelVariants)
	t.Run("ModelInTitleOnly", s.modelInTitle)
	t.Run("GTINLookup", s.gtin)
	t.Run("TypoTolerance", s.typos)
	t.Run("ExactModelRanksFirst", s.relevance)
	t.Run("BrandAndTitleWords", s.brandWords)
	t.Run("FiltersAndFacets", s.filters)
	t.Run("FiltersWithText", s.filtersWithText)
	t.Run("DisjunctiveFacets", s.disjunctive)
	t.Run("OpenCasePerAuthority", s.openCase)
	t.Run("StatusDefaultsToAny", s.status)
	t.Run("Pagination", s.pagination)
	t.Run("BadCursor", s.badCursor)
	t.Run("LimitClamped", s.clamp)
	t.Run("HostileQueries", s.hostile)
	t.Run("Highlights", s.highlights)
	t.Run("ProductsGrouping", s.products)
	t.Run("ProductsWithText", s.productsText)
	t.Run("InvalidQuery", s.invalidQuery)

	t.Run("RelevanceRules", func(t *testing.T) { relevanceRules(t, newIndex(t)) })
	t.Run("UpsertOverwrites", func(t *testing.T) { upsertOverwrites(t, newIndex(t)) })
	t.Run("Delete", func(t *testing.T) { deleteDocs(t, newIndex(t)) })
	t.Run("FacetsAfterWrites", func(t *testing.T) { facetsAfterWrites(t, newIndex(t)) })
	t.Run("InvalidDocument", func(t *testing.T) { invalidDoc(t, newIndex(t)) })
	t.Run("RebuildWhileSearching", func(t *testing.T) { rebuildWhileSearching(t, newIndex(t)) })
	t.Run("RebuildFailureKeepsIndex", func(t *testing.T) { rebuildFailure(t, newIndex(t)) })
}

type suite struct {
	idx  search.Index
	docs []search.Doc
	byID map[string]search.Doc
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func mustSearch(t *testing.T, idx search.Index, q search.Query) search.Result {
	t.Helper()
	r, err := idx.Search(ctx(t), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return r
}

// all pages through q and returns every hit.
func all(t *testing.T, idx search.Index, q search.Query) []search.Hit {
	t.Helper()
	q.Limit = search.MaxLimit
	var out []search.Hit
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("pagination does not end")
		}
		r := mustSearch(t, idx, q)
		out = append(out, r.Items...)
		if r.NextCursor == "" {
			return out
		}
		q.Cursor = r.NextCursor
	}
}

func ids(hits []search.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ListingID
	}
	return out
}

func (s *suite) where(pred func(search.Doc) bool) []string {
	var out []string
	for _, d := range s.docs {
		if pred(d) {
			out = append(out, d.ListingID)
		}
	}
	slices.Sort(out)
	return out
}

func (s *suite) count(t *testing.T) {
	n, err := s.idx.Count(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(s.docs)) {
		t.Errorf("Count = %d, want %d", n, len(s.docs))
	}
}

func (s *suite) modelVariants(t *testing.T) {
	want := s.where(func(d search.Doc) bool { return search.NormalizeModel(d.Model) == "hs100" })
	if len(want) < 10 {
		t.Fatalf("fixture has only %d HS100 listings", len(want))
	}
	var first []string
	for _, q := range []string{"HS-100", "HS100", "hs 100", "hs100(uk)", "HS100/UK", "hs-100 uk version"} {
		r := mustSearch(t, s.idx, search.Query{Q: q, Limit: search.MaxLimit})
		got := ids(all(t, s.idx, search.Query{Q: q}))
		for _, id := range want {
			if !slices.Contains(got, id) {
				t.Errorf("q=%q: missing HS100 listing %s (%q)", q, id, s.byID[id].Title)
			}
		}
		// Listings of the model come before anything that merely mentions it.
		for i, h := range r.Items[:min(len(want), len(r.Items))] {
			if search.NormalizeModel(s.byID[h.ListingID].Model) != "hs100" {
				t.Errorf("q=%q: item %d is %s (%q), not an HS100 listing", q, i, h.ListingID, h.Title)
			}
		}
		top := ids(r.Items[:min(len(want), len(r.Items))])
		slices.Sort(top)
		if first == nil {
			first = top
		} else if !slices.Equal(first, top) {
			t.Errorf("q=%q: top HS100 listings differ from other spellings", q)
		}
	}
}

func (s *suite) modelInTitle(t *testing.T) {
	for _, q := range []string{"HS100", "hs 100", "HS-100(UK)"} {
		got := ids(all(t, s.idx, search.Query{Q: q}))
		if !slices.Contains(got, SpecialTitleHS100) {
			t.Errorf("q=%q does not find the listing with the model only in its title", q)
		}
	}
}

func (s *suite) gtin(t *testing.T) {
	p := Catalogue[3] // Tapo C200
	want := s.where(func(d search.Doc) bool { return d.GTIN == p.GTIN })
	for _, q := range []string{p.GTIN, p.GTIN[:1] + " " + p.GTIN[1:7] + " " + p.GTIN[7:], "0" + p.GTIN} {
		r := mustSearch(t, s.idx, search.Query{Q: q, Limit: search.MaxLimit})
		got := ids(r.Items)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("q=%q: got %d listings, want exactly the %d with that GTIN", q, len(got), len(want))
		}
	}
	bad := p.GTIN[:12] + string(rune('0'+(int(p.GTIN[12]-'0')+1)%10))
	if r := mustSearch(t, s.idx, search.Query{Q: bad}); r.Total != 0 {
		t.Errorf("q=%q (bad check digit) found %d listings", bad, r.Total)
	}
}

func (s *suite) typos(t *testing.T) {
	tests := []struct {
		q    string
		want func(search.Doc) bool
	}{
		{"tapo camra", func(d search.Doc) bool { return d.ProductID == "prd-c200" || d.ProductID == "prd-c310" }},
		{"dorbell", func(d search.Doc) bool { return d.Category == CatDoorbell }},
		{"outdoor camera", func(d search.Doc) bool { return d.ListingID == SpecialTypoCamera }},
		{"baby monitr", func(d search.Doc) bool { return d.Category == CatBaby }},
	}
	for _, tc := range tests {
		got := ids(all(t, s.idx, search.Query{Q: tc.q}))
		n := 0
		for _, d := range s.docs {
			if tc.want(d) && slices.Contains(got, d.ListingID) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("q=%q found none of the expected listings (got %d hits)", tc.q, len(got))
		}
	}
	// Words shorter than five letters must match exactly.
	if r := mustSearch(t, s.idx, search.Query{Q: "rinf"}); r.Total != 0 {
		t.Errorf(`q="rinf" found %d listings; four-letter words allow no edits`, r.Total)
	}
}

func (s *suite) relevance(t *testing.T) {
	hits := all(t, s.idx, search.Query{Q: "HS110"})
	pos := slices.Index(ids(hits), SpecialTitleHS110)
	if pos < 0 {
		t.Fatalf("the HS110 accessory is not found at all")
	}
	for i, h := range hits {
		if search.NormalizeModel(s.byID[h.ListingID].Model) == "hs110" && i > pos {
			t.Errorf("HS110 listing %s ranks at %d, below the title-only accessory at %d", h.ListingID, i, pos)
		}
	}
	if len(hits) > 0 && search.NormalizeModel(s.byID[hits[0].ListingID].Model) != "hs110" {
		t.Errorf("top hit %s is not an HS110", hits[0].ListingID)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Fatalf("scores increase at %d: %v > %v", i, hits[i].Score, hits[i-1].Score)
		}
	}
}

func (s *suite) brandWords(t *testing.T) {
	// Every word must match title or brand; the brand spelling does not matter.
	got := all(t, s.idx, search.Query{Q: "tplink smart plug"})
	if len(got) == 0 {
		t.Fatal("no TP-Link smart plugs found")
	}
	for _, h := range got[:min(10, len(got))] {
		if search.NormalizeBrand(s.byID[h.ListingID].Brand) != "tplink" && !strings.Contains(strings.ToLower(h.Title), "tp") {
			t.Errorf("hit %s (%q) is not TP-Link", h.ListingID, h.Title)
		}
	}
}

func (s *suite) filterQueries() []search.Query {
	from := Epoch.AddDate(0, 0, 100)
	to := Epoch.AddDate(0, 0, 200)
	return []search.Query{
		{},
		{MarketType: search.MarketMarketplace},
		{MarketType: search.MarketSecondary, Condition: search.ConditionUsed},
		{Retailer: "Argos"},
		{Retailer: "Facebook Marketplace"},
		{Retailer: "No Such Shop"},
		{Category: CatCamera},
		{Brand: "tp link"},
		{Brand: "TPLINK", Category: CatPlug, MarketType: search.MarketRetailer},
		{Condition: search.ConditionRefurbished},
		{Status: search.StatusRemoved},
		{Status: search.StatusLive, HasSupportPeriod: bptr(true)},
		{HasSupportPeriod: bptr(false)},
		{ProductID: "prd-c200"},
		{ObservedFrom: from},
		{ObservedTo: to},
		{ObservedFrom: from, ObservedTo: to, MarketType: search.MarketRetailer},
		{ObservedFrom: Listing(7).ObservedAt, ObservedTo: Listing(7).ObservedAt.Add(time.Nanosecond)},
		// Multi-select: any of the values.
		{Retailers: []string{"Argos", "Currys"}},
		{Retailer: "Argos", Retailers: []string{"eBay", "No Such Shop"}},
		{Retailers: []string{"No Such Shop"}, MarketType: search.MarketRetailer},
		{MarketTypes: []string{search.MarketRetailer, search.MarketSecondary}, Categories: []string{CatCamera, CatPlug}},
		{Brands: []string{"tp link", "Ring"}, Retailers: []string{"Argos", "Amazon Marketplace"}},
		{Brands: []string{"No Such Brand"}, Status: search.StatusLive},
	}
}

func (s *suite) filters(t *testing.T) {
	for _, q := range s.filterQueries() {
		t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
			r := mustSearch(t, s.idx, q)
			total, facets := ExpectedFacets(s.docs, q)
			if r.Total != total {
				t.Errorf("Total = %d, want %d", r.Total, total)
			}
			for _, name := range search.FacetNames {
				if got := r.Facets[name]; !facetsEqual(got, facets[name]) {
					t.Errorf("facet %s = %v, want %v", name, got, facets[name])
				}
			}
			for _, h := range r.Items {
				if !Matches(s.byID[h.ListingID], q) {
					t.Errorf("hit %s does not pass the filters", h.ListingID)
				}
			}
		})
	}
}

func facetsEqual(a, b []search.FacetCount) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return slices.Equal(a, b)
}

func (s *suite) filtersWithText(t *testing.T) {
	for _, q := range []search.Query{
		{Q: "smart plug", MarketType: search.MarketMarketplace},
		{Q: "camera", Retailer: "eBay"},
		{Q: "camera", Brand: "tapo", HasSupportPeriod: bptr(true)},
		{Q: "hs100", Status: search.StatusRemoved},
		{Q: "doorbell", ObservedFrom: Epoch.AddDate(0, 0, 150)},
	} {
		hits := all(t, s.idx, q)
		r := mustSearch(t, s.idx, q)
		if int64(len(hits)) != r.Total {
			t.Errorf("%+v: paged %d hits, Total %d", q, len(hits), r.Total)
		}
		// Facets are disjunctive: the market types the filter accepts sum to Total.
		var sum int64
		for _, f := range r.Facets[search.FacetMarketType] {
			if q.MarketType == "" || f.Term == q.MarketType {
				sum += f.Count
			}
		}
		if sum != r.Total {
			t.Errorf("%+v: market_type facet sums to %d, Total %d", q, sum, r.Total)
		}
		unfiltered := search.Query{Q: q.Q}
		if mustSearch(t, s.idx, unfiltered).Total < r.Total {
			t.Errorf("%+v: filters widened the result", q)
		}
		for _, h := range hits {
			if !Matches(s.byID[h.ListingID], q) {
				t.Errorf("%+v: hit %s does not pass the filters", q, h.ListingID)
			}
		}
		if r.Total == 0 {
			t.Errorf("%+v: nothing found; the fixture should have matches", q)
		}
	}
}

// disjunctive checks that filtering on a facet keeps that facet's other
// terms, for text queries, multi-select and several facets at once.
func (s *suite) disjunctive(t *testing.T) {
	for _, text := range []string{"camera", "smart plug", ""} {
		base := mustSearch(t, s.idx, search.Query{Q: text})
		matched := map[string]bool{}
		for _, h := range all(t, s.idx, search.Query{Q: text}) {
			matched[h.ListingID] = true
		}
		var docs []search.Doc
		for _, d := range s.docs {
			if matched[d.ListingID] {
				docs = append(docs, d)
			}
		}
		count := func(facet, term string) int64 {
			for _, f := range base.Facets[facet] {
				if f.Term == term {
					return f.Count
				}
			}
			return 0
		}
		argos := search.Query{Q: text, Retailer: "Argos"}
		r := mustSearch(t, s.idx, argos)
		if !facetsEqual(r.Facets[search.FacetRetailer], base.Facets[search.FacetRetailer]) {
			t.Errorf("q=%q retailer=Argos: retailer facet %v, want the unfiltered %v", text, r.Facets[search.FacetRetailer], base.Facets[search.FacetRetailer])
		}
		if r.Total != count(search.FacetRetailer, "Argos") {
			t.Errorf("q=%q retailer=Argos: Total %d, the facet said %d", text, r.Total, count(search.FacetRetailer, "Argos"))
		}
		two := search.Query{Q: text, Retailers: []string{"Argos", "Currys"}}
		if r := mustSearch(t, s.idx, two); r.Total != count(search.FacetRetailer, "Argos")+count(search.FacetRetailer, "Currys") {
			t.Errorf("q=%q retailer=Argos&retailer=Currys: Total %d, want the two facet counts' sum", text, r.Total)
		}
		for _, q := range []search.Query{argos, two,
			{Q: text, Retailers: []string{"eBay", "Argos"}, MarketTypes: []string{search.MarketMarketplace}},
			{Q: text, Brands: []string{"TP-Link"}, Categories: []string{CatPlug, CatCamera}, Condition: search.ConditionNew},
		} {
			r := mustSearch(t, s.idx, q)
			total, facets := ExpectedFacets(docs, q)
			if r.Total != total {
				t.Errorf("%+v: Total %d, want %d", q, r.Total, total)
			}
			for _, name := range search.FacetNames {
				if !facetsEqual(r.Facets[name], facets[name]) {
					t.Errorf("%+v: facet %s = %v, want %v", q, name, r.Facets[name], facets[name])
				}
			}
		}
	}
}

func (s *suite) openCase(t *testing.T) {
	for _, auth := range []string{AuthKent, AuthBirmingham, AuthOPSS, "TS-NOBODY"} {
		for _, has := range []bool{true, false} {
			q := search.Query{HasOpenCase: bptr(has), Authority: auth}
			r := mustSearch(t, s.idx, q)
			total, _ := ExpectedFacets(s.docs, q)
			if r.Total != total {
				t.Errorf("authority %s has_open_case=%v: Total %d, want %d", auth, has, r.Total, total)
			}
		}
	}
	// With text too: Tapo C200 has open cases of Birmingham and OPSS, not Kent.
	if r := mustSearch(t, s.idx, search.Query{Q: "tapo c200", HasOpenCase: bptr(true), Authority: AuthKent}); r.Total != 0 {
		for _, h := range r.Items {
			if h.ProductID == "prd-c200" {
				t.Errorf("Kent sees an open case on %s", h.ListingID)
			}
		}
	}
	r := mustSearch(t, s.idx, search.Query{Q: "tapo c200", HasOpenCase: bptr(true), Authority: AuthBirmingham})
	if r.Total == 0 {
		t.Error("Birmingham does not see its open case on the Tapo C200")
	}
}

func (s *suite) status(t *testing.T) {
	got := ids(all(t, s.idx, search.Query{Q: "hs100"}))
	if !slices.Contains(got, SpecialRemovedPlug) {
		t.Error("removed listings must stay searchable by default")
	}
	live := ids(all(t, s.idx, search.Query{Q: "hs100", Status: search.StatusLive}))
	if slices.Contains(live, SpecialRemovedPlug) {
		t.Error("status=live returned a removed listing")
	}
}

func (s *suite) pagination(t *testing.T) {
	for _, q := range []search.Query{{Limit: 7}, {Q: "camera", Limit: 9}, {Q: "smart plug", MarketType: search.MarketMarketplace, Limit: 5}} {
		first := mustSearch(t, s.idx, q)
		seen := map[string]bool{}
		var prev *search.Hit
		pages := 0
		for {
			r := mustSearch(t, s.idx, q)
			pages++
			if len(r.Items) > q.Limit {
				t.Fatalf("page of %d items, limit %d", len(r.Items), q.Limit)
			}
			if r.Total != first.Total {
				t.Errorf("Total changed between pages: %d then %d", first.Total, r.Total)
			}
			for i := range r.Items {
				h := r.Items[i]
				if seen[h.ListingID] {
					t.Fatalf("%+v: %s returned twice", q, h.ListingID)
				}
				seen[h.ListingID] = true
				if prev != nil && (h.Score > prev.Score || (h.Score == prev.Score && h.ListingID < prev.ListingID)) {
					t.Fatalf("%+v: order broken between %s (%v) and %s (%v)", q, prev.ListingID, prev.Score, h.ListingID, h.Score)
				}
				prev = &h
			}
			if r.NextCursor == "" {
				break
			}
			if len(r.Items) != q.Limit {
				t.Fatalf("short page (%d of %d) with a next cursor", len(r.Items), q.Limit)
			}
			q.Cursor = r.NextCursor
		}
		if int64(len(seen)) != first.Total {
			t.Errorf("%+v: paged through %d listings, Total %d", q, len(seen), first.Total)
		}
		if first.Total > int64(q.Limit) && pages < 2 {
			t.Errorf("%+v: expected several pages", q)
		}
	}
}

func (s *suite) badCursor(t *testing.T) {
	for _, c := range []string{"garbage", "eyJ2Ijo5fQ", "%%%"} {
		_, err := s.idx.Search(ctx(t), search.Query{Q: "plug", Cursor: c})
		if !errors.Is(err, search.ErrBadCursor) {
			t.Errorf("cursor %q: error %v, want ErrBadCursor", c, err)
		}
	}
}

func (s *suite) clamp(t *testing.T) {
	r := mustSearch(t, s.idx, search.Query{Limit: 100000})
	if len(r.Items) != search.MaxLimit {
		t.Errorf("limit 100000 returned %d items, want %d", len(r.Items), search.MaxLimit)
	}
	r = mustSearch(t, s.idx, search.Query{})
	if len(r.Items) != search.DefaultLimit {
		t.Errorf("no limit returned %d items, want %d", len(r.Items), search.DefaultLimit)
	}
}

func (s *suite) hostile(t *testing.T) {
	queries := []string{
		"*", "?", "~", "plug~2", "hs100*", "title:plug", "_id:lst-00000001", `"unbalanced`, `"smart plug"`,
		"(", ")", "((plug)", "+plug -camera", `\`, `\\"`, "/", "/.*/", "plug AND camera", "AND", "OR NOT",
		"[1 TO 5]", "{", "}", "^2", "&&", "||", "!", "a:b:c", "plug^100", "<script>alert(1)</script>",
		"'; DROP TABLE listings; --", "\x00", "ｐｌｕｇ", "💡 plug", strings.Repeat("camera ", 800),
		strings.Repeat("(", 500), "%", "${jndi:ldap://x}",
	}
	plugs := mustSearch(t, s.idx, search.Query{Q: "smart plug"}).Total
	for _, q := range queries {
		r, err := s.idx.Search(ctx(t), search.Query{Q: q})
		if err != nil {
			t.Errorf("q=%q: error %v", q, err)
			continue
		}
		if r.Total > int64(len(s.docs)) {
			t.Errorf("q=%q: Total %d", q, r.Total)
		}
	}
	// Syntax characters are text: no wildcard, no field, no boolean operators.
	for _, q := range []string{"*", "?", "/.*/", "AND"} {
		if r := mustSearch(t, s.idx, search.Query{Q: q}); r.Total != 0 {
			t.Errorf("q=%q matched %d listings: query syntax leaked", q, r.Total)
		}
	}
	for q, words := range map[string]string{"title:plug": "title plug", "_id:lst-00000001": "id lst 00000001"} {
		if r := mustSearch(t, s.idx, search.Query{Q: q}); r.Total != mustSearch(t, s.idx, search.Query{Q: words}).Total {
			t.Errorf("q=%q matched %d listings, not the same as the words %q: query syntax leaked", q, r.Total, words)
		}
	}
	if r := mustSearch(t, s.idx, search.Query{Q: "_id:lst-00000001"}); slices.Contains(ids(r.Items), "lst-00000001") {
		t.Error(`q="_id:lst-00000001" found the listing by its id: query syntax leaked`)
	}
	if r := mustSearch(t, s.idx, search.Query{Q: "+plug -camera"}); r.Total != mustSearch(t, s.idx, search.Query{Q: "plug camera"}).Total {
		t.Error(`"+plug -camera" is not the same as the words "plug camera"`)
	}
	if r := mustSearch(t, s.idx, search.Query{Q: "plug~2"}); r.Total != mustSearch(t, s.idx, search.Query{Q: "plug 2"}).Total {
		t.Errorf(`"plug~2" found %d, not the same as the words "plug 2": fuzziness syntax leaked`, r.Total)
	}
	if r := mustSearch(t, s.idx, search.Query{Q: "plug^100"}); r.Total != mustSearch(t, s.idx, search.Query{Q: "plug 100"}).Total {
		t.Errorf(`"plug^100" is not the same as the words "plug 100": boost syntax leaked`)
	}
	// A quoted phrase matches exactly: fewer listings than the words, each
	// with the phrase in its title or brand.
	quoted := all(t, s.idx, search.Query{Q: `"smart plug"`})
	if len(quoted) == 0 || int64(len(quoted)) > plugs {
		t.Errorf(`quoted "smart plug" found %d, the words %d`, len(quoted), plugs)
	}
	for _, h := range quoted {
		d := s.byID[h.ListingID]
		if !strings.Contains(strings.ToLower(strings.Join(strings.Fields(d.Title+" "+d.Brand), " ")), "smart plug") {
			t.Errorf(`quoted "smart plug" found %s (%q), which does not contain the phrase`, h.ListingID, d.Title)
		}
	}
}

func (s *suite) highlights(t *testing.T) {
	r := mustSearch(t, s.idx, search.Query{Q: "camera"})
	if len(r.Items) == 0 {
		t.Fatal("no cameras")
	}
	for _, h := range r.Items {
		frags := h.Highlights["title"]
		// Fuzzy matches ("Camara") are marked too.
		if len(frags) == 0 || !strings.Contains(strings.ToLower(frags[0]), "<mark>cam") {
			t.Errorf("hit %s (%q) highlights %v", h.ListingID, h.Title, frags)
		}
	}
	if r := mustSearch(t, s.idx, search.Query{Limit: 3}); len(r.Items) > 0 && len(r.Items[0].Highlights["title"]) != 0 {
		t.Errorf("a query without text highlighted %v", r.Items[0].Highlights)
	}
}

func (s *suite) products(t *testing.T) {
	q := search.Query{MarketType: search.MarketMarketplace, Limit: 5}
	r, err := s.idx.SearchProducts(ctx(t), search.ProductQuery{Query: q, TopListings: 2})
	if err != nil {
		t.Fatal(err)
	}
	type agg struct {
		n        int64
		byMarket map[string]int64
		ids      []string
	}
	want := map[string]*agg{}
	var listings, unlinked int64
	for _, d := range s.docs {
		if !Matches(d, q) {
			continue
		}
		listings++
		if d.ProductID == "" {
			unlinked++
			continue
		}
		a := want[d.ProductID]
		if a == nil {
			a = &agg{byMarket: map[string]int64{}}
			want[d.ProductID] = a
		}
		a.n++
		a.byMarket[d.MarketType]++
		a.ids = append(a.ids, d.ListingID)
	}
	if r.Listings != listings || r.Unlinked != unlinked {
		t.Errorf("Listings %d Unlinked %d, want %d %d", r.Listings, r.Unlinked, listings, unlinked)
	}
	order := make([]string, 0, len(want))
	for p := range want {
		order = append(order, p)
	}
	slices.SortFunc(order, func(a, b string) int {
		if want[a].n != want[b].n {
			return int(want[b].n - want[a].n)
		}
		return strings.Compare(a, b)
	})
	if len(r.Products) != 5 {
		t.Fatalf("got %d products, want 5", len(r.Products))
	}
	for i, p := range r.Products {
		w := want[order[i]]
		if p.ProductID != order[i] || p.Listings != w.n {
			t.Errorf("product %d = %s (%d), want %s (%d)", i, p.ProductID, p.Listings, order[i], w.n)
			continue
		}
		if len(p.ByMarketType) != 1 || p.ByMarketType[search.MarketMarketplace] != w.n {
			t.Errorf("product %s by market %v", p.ProductID, p.ByMarketType)
		}
		slices.Sort(w.ids)
		if got := ids(p.Top); !slices.Equal(got, w.ids[:2]) {
			t.Errorf("product %s top listings %v, want %v", p.ProductID, got, w.ids[:2])
		}
	}
}

func (s *suite) productsText(t *testing.T) {
	r, err := s.idx.SearchProducts(ctx(t), search.ProductQuery{Query: search.Query{Q: "tapo c200"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Products) == 0 || r.Products[0].ProductID != "prd-c200" {
		t.Fatalf("products for tapo c200: %+v", r.Products)
	}
	p := r.Products[0]
	var sum int64
	for _, n := range p.ByMarketType {
		sum += n
	}
	if sum != p.Listings || len(p.Top) != search.DefaultTopListings {
		t.Errorf("prd-c200: by market %v sums to %d of %d; %d top listings", p.ByMarketType, sum, p.Listings, len(p.Top))
	}
	for i := 1; i < len(p.Top); i++ {
		if p.Top[i].Score > p.Top[i-1].Score {
			t.Errorf("top listings not ordered by score")
		}
	}
}

func (s *suite) invalidQuery(t *testing.T) {
	for _, q := range []search.Query{{MarketType: "shop"}, {HasOpenCase: bptr(true)}} {
		if _, err := s.idx.Search(ctx(t), q); !errors.Is(err, search.ErrBadQuery) {
			t.Errorf("%+v: error %v, want ErrBadQuery", q, err)
		}
	}
}

func upsertOverwrites(t *testing.T, idx search.Index) {
	d := Listing(1)
	if err := idx.Upsert(ctx(t), []search.Doc{d, Listing(2)}); err != nil {
		t.Fatal(err)
	}
	changed := d
	changed.Title = "Zigbee thermostat Quokka edition"
	changed.Retailer = "Currys"
	changed.MarketType = search.MarketRetailer
	if err := idx.Upsert(ctx(t), []search.Doc{changed}); err != nil {
		t.Fatal(err)
	}
	if n, _ := idx.Count(ctx(t)); n != 2 {
		t.Errorf("Count = %d after overwriting, want 2", n)
	}
	if r := mustSearch(t, idx, search.Query{Q: "quokka"}); r.Total != 1 || r.Items[0].Retailer != "Currys" {
		t.Errorf("new version not found: %+v", r)
	}
	if r := mustSearch(t, idx, search.Query{Retailer: d.Retailer, ProductID: d.ProductID}); d.Retailer != "Currys" && r.Total != 0 {
		for _, h := range r.Items {
			if h.ListingID == d.ListingID {
				t.Errorf("old version still filtered by its old retailer")
			}
		}
	}
	r := mustSearch(t, idx, search.Query{Retailer: "Currys"})
	if !slices.Contains(ids(r.Items), d.ListingID) {
		t.Errorf("overwritten listing not under its new retailer")
	}
}

func deleteDocs(t *testing.T, idx search.Index) {
	docs := Corpus(30)
	if err := idx.Upsert(ctx(t), docs); err != nil {
		t.Fatal(err)
	}
	gone := []string{docs[3].ListingID, docs[4].ListingID, "never-indexed"}
	if err := idx.Delete(ctx(t), gone); err != nil {
		t.Fatal(err)
	}
	if n, _ := idx.Count(ctx(t)); n != 28 {
		t.Errorf("Count = %d, want 28", n)
	}
	got := ids(all(t, idx, search.Query{}))
	if slices.Contains(got, docs[3].ListingID) || len(got) != 28 {
		t.Errorf("deleted listing still returned (%d hits)", len(got))
	}
	if err := idx.Delete(ctx(t), nil); err != nil {
		t.Errorf("Delete(nil): %v", err)
	}
}

// facetsAfterWrites checks totals, facets and pages once listings have been
// overwritten (in several batches) and deleted.
func facetsAfterWrites(t *testing.T, idx search.Index) {
	docs := Corpus(300)
	if err := idx.Upsert(ctx(t), docs); err != nil {
		t.Fatal(err)
	}
	sites := []Site{Sites[1], Sites[5], Sites[12]}
	for round := 0; round < 3; round++ {
		var batch []search.Doc
		for i := round; i < len(docs); i += 7 {
			d := docs[i]
			d.Retailer, d.MarketType = sites[round].Name, sites[round].MarketType
			d.Status = search.StatusRemoved
			docs[i] = d
			batch = append(batch, d)
		}
		if err := idx.Upsert(ctx(t), batch); err != nil {
			t.Fatal(err)
		}
	}
	var gone []string
	var kept []search.Doc
	for i, d := range docs {
		if i%11 == 0 {
			gone = append(gone, d.ListingID)
		} else {
			kept = append(kept, d)
		}
	}
	if err := idx.Delete(ctx(t), gone); err != nil {
		t.Fatal(err)
	}
	s := &suite{idx: idx, docs: kept, byID: map[string]search.Doc{}}
	for _, d := range kept {
		s.byID[d.ListingID] = d
	}
	s.count(t)
	s.filters(t)
	for _, q := range []search.Query{{Limit: 13}, {Retailer: "eBay", Limit: 4}, {Status: search.StatusRemoved, Limit: 9}} {
		got := ids(all(t, idx, q))
		want := s.where(func(d search.Doc) bool { return Matches(d, q) })
		if !slices.Equal(got, want) {
			t.Errorf("%+v: paged %d listings, want %d in id order", q, len(got), len(want))
		}
	}
}

func invalidDoc(t *testing.T, idx search.Index) {
	bad := Listing(1)
	bad.MarketType = "bazaar"
	if err := idx.Upsert(ctx(t), []search.Doc{Listing(0), bad}); !errors.Is(err, search.ErrBadQuery) {
		t.Errorf("Upsert of an invalid doc: %v, want ErrBadQuery", err)
	}
}

func rebuildWhileSearching(t *testing.T, idx search.Index) {
	old := Corpus(60)
	if err := idx.Upsert(ctx(t), old); err != nil {
		t.Fatal(err)
	}
	fresh := make([]search.Doc, 80)
	for i := range fresh {
		d := Listing(1000 + i)
		d.ListingID = fmt.Sprintf("new-%03d", i)
		fresh[i] = d
	}
	var stop atomic.Bool
	var searches, failures atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				r, err := idx.Search(context.Background(), search.Query{Q: "camera"})
				searches.Add(1)
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				if r.Total == 0 {
					failures.Add(1)
				}
			}
		}()
	}
	late := Listing(5000)
	late.ListingID = "late-upsert"
	late.Title = "Late arriving Wombat camera"
	src := func(ctx context.Context, emit func(search.Doc) error) error {
		for i, d := range fresh {
			if i == len(fresh)/2 {
				// A write made while the rebuild is loading must survive the switch.
				if err := idx.Upsert(ctx, []search.Doc{late}); err != nil {
					return err
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := emit(d); err != nil {
				return err
			}
		}
		return nil
	}
	err := idx.Rebuild(ctx(t), src)
	time.Sleep(20 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if failures.Load() > 0 {
		t.Errorf("%d of %d searches failed during the rebuild (first: %v)", failures.Load(), searches.Load(), firstErr.Load())
	}
	if n, _ := idx.Count(ctx(t)); n != int64(len(fresh)+1) {
		t.Errorf("Count = %d after rebuild, want %d", n, len(fresh)+1)
	}
	got := ids(all(t, idx, search.Query{}))
	if slices.Contains(got, old[0].ListingID) {
		t.Error("a listing missing from the source survived the rebuild")
	}
	if !slices.Contains(got, "late-upsert") || !slices.Contains(got, "new-000") {
		t.Error("rebuilt index lacks the source or the write made during the rebuild")
	}
	if r := mustSearch(t, idx, search.Query{Q: "wombat"}); r.Total != 1 {
		t.Errorf("write made during rebuild not searchable: %d", r.Total)
	}
}

func rebuildFailure(t *testing.T, idx search.Index) {
	docs := Corpus(20)
	if err := idx.Upsert(ctx(t), docs); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("database went away")
	err := idx.Rebuild(ctx(t), func(ctx context.Context, emit func(search.Doc) error) error {
		for _, d := range Corpus(5) {
			if err := emit(d); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Rebuild error %v, want the source's", err)
	}
	if n, _ := idx.Count(ctx(t)); n != 20 {
		t.Errorf("Count = %d after a failed rebuild, want 20", n)
	}
	if r := mustSearch(t, idx, search.Query{}); r.Total != 20 {
		t.Errorf("search after failed rebuild: %d", r.Total)
	}
}

// relevanceRules pins the ranking rules of issue 16 on a small hand-written
// catalogue: every listing of the model first, whatever the seller wrote;
// siblings and accessories below; no bare numbers; category words and
// synonyms; typo-tolerant, folded brands; quoted queries exact; partial
// matches rather than nothing.
func relevanceRules(t *testing.T, idx search.Index) {
	base := search.Doc{Retailer: "eBay", MarketType: search.MarketMarketplace, Currency: "GBP",
		Condition: search.ConditionNew, Status: search.StatusLive, ObservedAt: Epoch}
	mk := func(id, title, brand, model, category string) search.Doc {
		d := base
		d.ListingID, d.Title, d.Brand, d.Model, d.Category = id, title, brand, model, category
		return d
	}
	docs := []search.Doc{
		mk("x100-a", "Kärnvik® X-100 Smart Plug", "Kärnvik", "X-100", "smart_plug"),
		mk("x100-b", "KAERNVIK X100 Wi\u2011Fi Plug White 2 Pack", "KAERNVIK", "", "smart_plug"),
		mk("x100-c", "X-100 (UK) socket 🔌", "Generic", "X-100(UK)", ""),
		mk("x100-pro", "Kärnvik X-100 Pro Smart Plug", "Kärnvik", "X-100 Pro", "smart_plug"),
		mk("x100-v2", "Kärnvik X-100 V2 Smart Plug", "Kärnvik", "X-100 V2", "smart_plug"),
		mk("x110", "Kärnvik X-110 Smart Plug", "Kärnvik", "X-110", "smart_plug"),
		mk("x100-mount", "Wall Mount for Kärnvik X-100 Smart Plug", "Fitz", "", ""),
		mk("p100", "Tapo P100 Mini Smart Plug", "TP-Link", "P100", "smart_plug"),
		mk("t100", "Nordcam T-100 Outdoor 1080p", "Nordcam", "T-100", "camera"),
		mk("ks3", "Kärnvik KS-3 Alexa Built-in", "Kärnvik", "KS-3", "smart_speaker"),
		mk("xp200", "Ka\u0308rnvik ＸＰ-２００ Hub", "", "", ""),
		mk("other", "Brightlux B-7 Smart Bulb", "Brightlux", "B-7", "smart_lighting"),
	}
	if err := idx.Upsert(ctx(t), docs); err != nil {
		t.Fatal(err)
	}
	x100 := []string{"x100-a", "x100-b", "x100-c"}
	top := func(q string, n int) []string {
		got := ids(mustSearch(t, idx, search.Query{Q: q, Limit: search.MaxLimit}).Items)
		if len(got) > n {
			got = got[:n]
		}
		slices.Sort(got)
		return got
	}
	hits := func(q string) []string {
		return ids(mustSearch(t, idx, search.Query{Q: q, Limit: search.MaxLimit}).Items)
	}
	for _, q := range []string{"Kärnvik X-100", "kärnvik x100", "karnvik x 100", "KAERNVIK X-100", "Karnvk X-100", "x100", "X-100(UK)"} {
		if got := top(q, 3); !slices.Equal(got, x100) {
			t.Errorf("q=%q: top three %v, want the X-100 listings %v", q, got, x100)
		}
		all := hits(q)
		for _, sibling := range []string{"x100-pro", "x100-v2", "x110", "x100-mount"} {
			if i := slices.Index(all, sibling); i >= 0 && i < 3 {
				t.Errorf("q=%q: %s ranks %d, among the X-100 listings", q, sibling, i)
			}
		}
	}
	if got := hits("x 100"); slices.Contains(got, "p100") || slices.Contains(got, "t100") {
		t.Errorf(`q="x 100" found %v: a bare "100" must not pull P100 or T-100`, got)
	}
	if got := top("kärnvik x-100 pro", 1); !slices.Equal(got, []string{"x100-pro"}) {
		t.Errorf(`q="kärnvik x-100 pro": top %v, want the Pro`, got)
	}
	if got := hits(`"X-100 Pro"`); !slices.Equal(got, []string{"x100-pro"}) {
		t.Errorf(`quoted "X-100 Pro" found %v, want exactly the Pro`, got)
	}
	for q, want := range map[string]string{"kärnvik speaker": "ks3", "nordcam cctv": "t100",
		"Kärnvik XP-200": "xp200", "kärnvik x-100 zigbee": "x100-a", "brightlux lamp bulb": "other"} {
		if got := hits(q); len(got) == 0 || !slices.Contains(got[:min(3, len(got))], want) {
			t.Errorf("q=%q: %v, want %s in the top three", q, got, want)
		}
	}
	// "socket" names the smart plugs; the brand is transliterated.
	plugs := []string{"x100-a", "x100-b", "x100-pro", "x100-v2", "x110"}
	socket := hits("kaernvik socket")
	for i, id := range socket[:min(3, len(socket))] {
		if !slices.Contains(plugs, id) {
			t.Errorf(`q="kaernvik socket": hit %d is %s, not a Kärnvik smart plug`, i, id)
		}
	}
	// An officer looking for the accessory finds it first.
	if got := top("x-100 wall mount", 1); !slices.Equal(got, []string{"x100-mount"}) {
		t.Errorf(`q="x-100 wall mount": top %v, want the mount`, got)
	}
}
