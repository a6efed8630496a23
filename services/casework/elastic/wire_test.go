package elastic_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/searchtest"
)

// These tests pin the requests the adapter sends against the Elasticsearch
// 8 reference (bulk, search_after, aliases, terms aggregation, normalizers)
// and its handling of realistic responses, without a cluster.

// dig walks nested JSON objects and arrays ("3" indexes an array).
func dig(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[p]
			if !ok {
				t.Fatalf("no %q in %v (path %v)", p, keys(x), path)
			}
			v = next
		case []any:
			var i int
			if _, err := fmt.Sscan(p, &i); err != nil || i >= len(x) {
				t.Fatalf("bad index %q into array of %d (path %v)", p, len(x), path)
			}
			v = x[i]
		default:
			t.Fatalf("cannot index %T with %q (path %v)", v, p, path)
		}
	}
	return v
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestNewCreatesIndexBehindAlias(t *testing.T) {
	f := newFakeES(t, func(c call) reply {
		if c.Method == http.MethodGet && c.Path == "/_alias/"+alias {
			return reply{status: 404, body: `{"error":"alias [tw-test] missing","status":404}`}
		}
		return reply{body: `{"acknowledged":true,"shards_acknowledged":true,"index":"x"}`}
	})
	newEngine(t, f)

	puts := f.find(http.MethodPut, func(p string) bool { return strings.HasPrefix(p, "/"+alias+"-") })
	if len(puts) != 1 {
		t.Fatalf("want one create-index call, got %+v", f.recorded())
	}
	eq(t, "index name", puts[0].Path, "/tw-test-20261126t103000.000000123z")
	body := puts[0].JSON(t)
	an := dig(t, body, "settings", "analysis")
	eq(t, "char filter type", dig(t, an, "char_filter", "model_alnum", "type"), "pattern_replace")
	eq(t, "char filter pattern", dig(t, an, "char_filter", "model_alnum", "pattern"), `[^\p{L}\p{Nd}]+`)
	eq(t, "char filter replacement", dig(t, an, "char_filter", "model_alnum", "replacement"), "")
	eq(t, "normalizer type", dig(t, an, "normalizer", "model_number", "type"), "custom")
	eq(t, "normalizer char_filter", dig(t, an, "normalizer", "model_number", "char_filter"), []any{"model_alnum"})
	eq(t, "normalizer filter", dig(t, an, "normalizer", "model_number", "filter"), []any{"lowercase"})

	props := dig(t, body, "mappings", "properties")
	eq(t, "dynamic", dig(t, body, "mappings", "dynamic"), "strict")
	eq(t, "model", dig(t, props, "model"), map[string]any{"type": "keyword", "normalizer": "model_number"})
	eq(t, "model_keys", dig(t, props, "model_keys"), map[string]any{"type": "keyword", "normalizer": "model_number"})
	eq(t, "listing_id", dig(t, props, "listing_id", "type"), "keyword")
	eq(t, "gtin", dig(t, props, "gtin", "type"), "keyword")
	eq(t, "text analyzer", dig(t, props, "text", "analyzer"), "english")
	eq(t, "observed_at", dig(t, props, "observed_at", "type"), "date_nanos")
	for _, f := range []string{"retailer", "brand", "category"} {
		eq(t, f+" facet subfield", dig(t, props, f, "fields", "keyword", "type"), "keyword")
	}
	eq(t, "write alias", dig(t, body, "aliases", alias, "is_write_index"), true)
	if _, ok := dig(t, body, "settings").(map[string]any)["refresh_interval"]; ok {
		t.Error("the live index must keep refreshing")
	}
}

func TestUpsertSendsBulkThroughAlias(t *testing.T) {
	f := newFakeES(t, func(c call) reply {
		if r, ok := aliasExists(c); ok {
			return r
		}
		if c.Path == "/_bulk" {
			return bulkOK(t, c)
		}
		return reply{status: 404}
	})
	e := newEngine(t, f)
	d := searchtest.Listing(2) // Kasa Smart WiFi Plug - TPLink HS100(UK)
	d.SupportText = "Updates until 2030"
	if err := e.Upsert(context.Background(), []search.Doc{d, searchtest.Listing(5)}); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete(context.Background(), []string{"lst-00000009"}); err != nil {
		t.Fatal(err)
	}
	bulks := f.find(http.MethodPost, is("/_bulk"))
	if len(bulks) != 2 {
		t.Fatalf("want 2 bulk calls, got %d", len(bulks))
	}
	eq(t, "refresh", bulks[0].Query, "refresh=wait_for")
	lines := bulks[0].NDJSON(t)
	if len(lines) != 4 {
		t.Fatalf("want 2 action+source pairs, got %d lines", len(lines))
	}
	eq(t, "action", lines[0], map[string]any{"index": map[string]any{"_index": alias, "_id": d.ListingID}})
	src := lines[1]
	eq(t, "listing_id", src["listing_id"], d.ListingID)
	eq(t, "model", src["model"], []any{"hs100"})
	if src["category_terms"] == nil || src["accessory"] != nil {
		t.Errorf("category_terms %v, accessory %v: want the category's words and no accessory flag", src["category_terms"], src["accessory"])
	}
	eq(t, "brand (display)", src["brand"], "TP-Link")
	eq(t, "brand_key", src["brand_key"], "tplink")
	eq(t, "gtin (14-digit key)", src["gtin"], "0"+d.GTIN)
	eq(t, "has_support_period", src["has_support_period"], true)
	eq(t, "observed_at", src["observed_at"], d.ObservedAt.Format(time.RFC3339Nano))
	if mk := src["model_keys"].([]any); len(mk) == 0 || mk[0] != "hs100" {
		t.Errorf("model_keys = %v", mk)
	}
	if txt := src["text"].(string); !strings.Contains(txt, "TP-Link") || !strings.Contains(txt, d.Title) {
		t.Errorf("text = %q", txt)
	}
	eq(t, "second action id", dig(t, lines[2], "index", "_id"), "lst-00000005")

	del := bulks[1].NDJSON(t)
	eq(t, "delete action", del, []map[string]any{{"delete": map[string]any{"_index": alias, "_id": "lst-00000009"}}})
}

func TestUpsertPartialBulkFailure(t *testing.T) {
	f := newFakeES(t, func(c call) reply {
		if r, ok := aliasExists(c); ok {
			return r
		}
		return bulkReply(t, c, map[string]int{"lst-00000001": 429, "lst-00000002": 400})
	})
	e := newEngine(t, f)
	err := e.Upsert(context.Background(), searchtest.Corpus(3))
	if err == nil {
		t.Fatal("a 400 item must fail the upsert")
	}
	for _, want := range []string{"1 of 3 bulk items failed", "lst-00000002", "400", "document_parsing_exception"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// The 400 is permanent: the batch is not resent.
	if n := len(f.find(http.MethodPost, is("/_bulk"))); n != 1 {
		t.Errorf("sent %d bulk requests, want 1", n)
	}
}

func TestUpsertRetriesRejectedItems(t *testing.T) {
	var round atomic.Int32
	f := newFakeES(t, func(c call) reply {
		if r, ok := aliasExists(c); ok {
			return r
		}
		if round.Add(1) == 1 {
			return bulkReply(t, c, map[string]int{"lst-00000001": 429})
		}
		return bulkOK(t, c)
	})
	e := newEngine(t, f)
	if err := e.Upsert(context.Background(), searchtest.Corpus(3)); err != nil {
		t.Fatalf("a 429 item should be retried: %v", err)
	}
	bulks := f.find(http.MethodPost, is("/_bulk"))
	if len(bulks) != 2 {
		t.Fatalf("want 2 bulk requests, got %d", len(bulks))
	}
	retry := bulks[1].NDJSON(t)
	if len(retry) != 2 || dig(t, retry[0], "index", "_id") != "lst-00000001" {
		t.Errorf("retry should carry only the rejected item, got %v", retry)
	}
}

func TestUpsertGivesUpOnPersistentRejection(t *testing.T) {
	f := newFakeES(t, func(c call) reply {
		if r, ok := aliasExists(c); ok {
			return r
		}
		return bulkReply(t, c, map[string]int{"lst-00000000": 429})
	})
	e := newEngine(t, f)
	err := e.Upsert(context.Background(), searchtest.Corpus(1))
	if err == nil || !strings.Contains(err.Error(), "still rejected after retries") {
		t.Fatalf("error = %v", err)
	}
	if n := len(f.find(http.MethodPost, is("/_bulk"))); n != 6 { // first try + MaxRetries (5)
		t.Errorf("sent %d bulk requests, want 6", n)
	}
}

func TestWholeRequest429IsRetried(t *testing.T) {
	var bulkCalls, searchCalls atomic.Int32
	f := newFakeES(t, func(c call) reply {
		if r, ok := aliasExists(c); ok {
			return r
		}
		switch c.Path {
		case "/_bulk":
			if bulkCalls.Add(1) == 1 {
				return reply{status: 429, body: tooMany}
			}
			return bulkOK(t, c)
		case "/" + alias + "/_search":
			if searchCalls.Add(1) < 3 {
				return reply{status: 429, body: tooMany}
			}
			return reply{body: `{"took":1,"timed_out":false,"hits":{"total":{"value":0,"relation":"eq"},"hits":[]},"aggregations":{}}`}
		}
		return reply{status: 404}
	})
	e := newEngine(t, f)
	if err := e.Upsert(context.Background(), searchtest.Corpus(2)); err != nil {
		t.Fatalf("Upsert after a 429: %v", err)
	}
	if bulkCalls.Load() != 2 {
		t.Errorf("bulk sent %d times, want 2", bulkCalls.Load())
	}
	bulks := f.find(http.MethodPost, is("/_bulk"))
	if string(bulks[0].Body) != string(bulks[1].Body) {
		t.Error("the retried bulk body differs from the first")
	}
	if _, err := e.Search(context.Background(), search.Query{Q: "plug"}); err != nil {
		t.Fatalf("Search after two 429s: %v", err)
	}
	if searchCalls.Load() != 3 {
		t.Errorf("search sent %d times, want 3", searchCalls.Load())
	}
}

func TestPersistent429IsReported(t *testing.T) {
	f := newFakeES(t, func(c call) reply {
		if r, ok := aliasExists(c); ok {
			return r
		}
		return reply{status: 429, body: tooMany}
	})
	e := newEngine(t, f)
	_, err := e.Search(context.Background(), search.Query{})
	if err == nil || !strings.Contains(err.Error(), "429") || !strings.Contains(err.Error(), "es_rejected_execution_exception") {
		t.Fatalf("error = %v", err)
	}
}

// searchResponse is a realistic response to a page of limit 2 (size 3).
const searchResponse = `{
  "took": 12, "timed_out": false,
  "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
  "hits": {
    "total": {"value": 41, "relation": "eq"},
    "max_score": 61.5,
    "hits": [
      {"_index": "tw-test-x", "_id": "lst-00000002", "_score": 61.5,
       "_source": {"listing_id": "lst-00000002", "product_id": "prd-hs100", "title": "Kasa Smart WiFi Plug - TPLink HS100(UK)",
                   "retailer": "Argos", "market_type": "retailer", "seller": "Argos", "url": "https://argos.example/item/100002",
                   "price_pence": 1899, "currency": "GBP", "observed_at": "2026-03-01T10:00:00.123456789Z"},
       "highlight": {"title": ["Kasa Smart WiFi Plug - TPLink <mark>HS100</mark>(UK)"]},
       "sort": [61.5, "lst-00000002"]},
      {"_index": "tw-test-x", "_id": "lst-00000011", "_score": 58.25,
       "_source": {"listing_id": "lst-00000011", "product_id": "prd-hs100", "title": "Kasa HS-100 Kasa Smart WiFi Plug",
                   "retailer": "Amazon Marketplace", "market_type": "marketplace", "price_pence": 1450, "observed_at": "2026-02-11T08:00:00Z"},
       "sort": [58.25, "lst-00000011"]},
      {"_index": "tw-test-x", "_id": "lst-00000013", "_score": 58.25,
       "_source": {"listing_id": "lst-00000013", "title": "tp link HS 100 WiFi Smart Socket", "retailer": "eBay", "market_type": "marketplace",
                   "price_pence": 1300, "observed_at": "2026-02-12T08:00:00Z"},
       "sort": [58.25, "lst-00000013"]}
    ]
  },
  "aggregations": {
    "retailer": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                 "buckets": [{"key": "eBay", "doc_count": 20}, {"key": "Argos", "doc_count": 21}]},
    "market_type": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                    "buckets": [{"key": "marketplace", "doc_count": 20}, {"key": "retailer", "doc_count": 21}]},
    "brand": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": [{"key": "TP-Link", "doc_count": 41}]},
    "category": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": [{"key": "Smart plug", "doc_count": 40}]}
  }
}`

func searchServer(t *testing.T, body string) *fakeES {
	return newFakeES(t, func(c call) reply {
		if r, ok := aliasExists(c); ok {
			return r
		}
		if c.Path == "/"+alias+"/_search" {
			return reply{body: body}
		}
		return reply{status: 404}
	})
}

func lastSearch(t *testing.T, f *fakeES) map[string]any {
	t.Helper()
	s := f.find(http.MethodPost, is("/"+alias+"/_search"))
	if len(s) == 0 {
		s = f.find(http.MethodGet, is("/"+alias+"/_search"))
	}
	if len(s) == 0 {
		t.Fatalf("no search request sent: %+v", f.recorded())
	}
	return s[len(s)-1].JSON(t)
}

func TestSearchModelNumberDSL(t *testing.T) {
	f := searchServer(t, searchResponse)
	e := newEngine(t, f)
	res, err := e.Search(context.Background(), search.Query{Q: "hs-100(uk)", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	body := lastSearch(t, f)
	eq(t, "size", body["size"], 3.0)
	eq(t, "track_total_hits", body["track_total_hits"], true)
	eq(t, "sort", body["sort"], []any{map[string]any{"_score": "desc"}, map[string]any{"listing_id": "asc"}})
	if _, ok := body["search_after"]; ok {
		t.Error("first page must not send search_after")
	}
	// Accessories rank below products: a boosting query around the text query.
	eq(t, "accessory demotion", dig(t, body, "query", "bool", "must", "0", "boosting", "negative"),
		map[string]any{"term": map[string]any{"accessory": true}})
	eq(t, "negative_boost", dig(t, body, "query", "bool", "must", "0", "boosting", "negative_boost"), 0.25)
	tq := dig(t, body, "query", "bool", "must", "0", "boosting", "positive", "bool")
	should := dig(t, tq, "should").([]any)
	eq(t, "minimum_should_match", dig(t, tq, "minimum_should_match"), 1.0)
	eq(t, "exact model clause", should[0], map[string]any{"term": map[string]any{"model": map[string]any{"value": "hs100", "boost": 50.0}}})
	eq(t, "exact model key clause", should[1], map[string]any{"term": map[string]any{"model_keys": map[string]any{"value": "hs100", "boost": 8.0}}})
	// The model number is the one part of the query: model field, model keys or its words in the text.
	part := dig(t, should[len(should)-1], "bool", "should").([]any)
	eq(t, "model part", part[:2], []any{
		map[string]any{"term": map[string]any{"model": map[string]any{"value": "hs100", "boost": 1.0}}},
		map[string]any{"term": map[string]any{"model_keys": map[string]any{"value": "hs100", "boost": 1.0}}},
	})
	eq(t, "model words", dig(t, part[2], "match", "text"), map[string]any{"query": "hs 100", "operator": "and"})
	eq(t, "highlight tags", dig(t, body, "highlight", "pre_tags"), []any{"<mark>"})
	eq(t, "highlight field", dig(t, body, "highlight", "fields", "title", "number_of_fragments"), 0.0)
	eq(t, "highlight require_field_match", dig(t, body, "highlight", "require_field_match"), false)
	for name, field := range map[string]string{"retailer": "retailer.keyword", "market_type": "market_type", "brand": "brand.keyword", "category": "category.keyword"} {
		eq(t, name+" agg", dig(t, body, "aggs", name), map[string]any{"terms": map[string]any{
			"field": field, "size": 20.0,
			"order": []any{map[string]any{"_count": "desc"}, map[string]any{"_key": "asc"}},
		}})
	}

	// The response: size+1 hits means another page; the cursor is the last shown hit's sort values.
	eq(t, "total", res.Total, int64(41))
	if len(res.Items) != 2 {
		t.Fatalf("items = %d, want 2", len(res.Items))
	}
	h := res.Items[0]
	eq(t, "hit", [4]any{h.ListingID, h.ProductID, h.Score, h.PricePence}, [4]any{"lst-00000002", "prd-hs100", 61.5, int64(1899)})
	eq(t, "observed_at", h.ObservedAt, time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC))
	eq(t, "highlight", h.Highlights["title"], []string{"Kasa Smart WiFi Plug - TPLink <mark>HS100</mark>(UK)"})
	if res.Items[1].Highlights != nil {
		t.Error("a hit without highlight fragments got highlights")
	}
	cur, err := search.DecodeCursor(res.NextCursor)
	if err != nil || cur != (search.Cursor{Score: 58.25, ListingID: "lst-00000011"}) {
		t.Errorf("next cursor %+v, %v", cur, err)
	}
	eq(t, "retailer facet", res.Facets["retailer"], []search.FacetCount{{Term: "eBay", Count: 20}, {Term: "Argos", Count: 21}})
	eq(t, "category facet", res.Facets["category"], []search.FacetCount{{Term: "Smart plug", Count: 40}})

	// The next page sends search_after with exactly those values.
	if _, err := e.Search(context.Background(), search.Query{Q: "hs-100(uk)", Limit: 2, Cursor: res.NextCursor}); err != nil {
		t.Fatal(err)
	}
	eq(t, "search_after", lastSearch(t, f)["search_after"], []any{58.25, "lst-00000011"})
}

func TestSearchGTINAndFiltersDSL(t *testing.T) {
	g := searchtest.Catalogue[0].GTIN
	gtinSpaced := g[:4] + " " + g[4:8] + " " + g[8:]
	f := searchServer(t, searchResponse)
	e := newEngine(t, f)
	yes, no := true, false
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 1, 0, 0, 0, 5, time.UTC)
	_, err := e.Search(context.Background(), search.Query{
		Q: gtinSpaced, MarketType: search.MarketMarketplace, Retailer: "eBay", Category: "Smart plug",
		Brand: "TP LINK", Condition: search.ConditionNew, Status: search.StatusLive, ProductID: "prd-hs100",
		HasSupportPeriod: &yes, HasOpenCase: &no, Authority: "TS-KENT", ObservedFrom: from, ObservedTo: to, Limit: 500,
	})
	if err != nil {
		t.Fatal(err)
	}
	body := lastSearch(t, f)
	eq(t, "size (clamped limit + 1)", body["size"], 101.0)
	should := dig(t, body, "query", "bool", "must", "0", "boosting", "positive", "bool", "should").([]any)
	eq(t, "gtin clause", should[0], map[string]any{"term": map[string]any{"gtin": map[string]any{"value": "0" + searchtest.Catalogue[0].GTIN, "boost": 100.0}}})
	facetFilters := []any{
		map[string]any{"term": map[string]any{"market_type": "marketplace"}},
		map[string]any{"term": map[string]any{"retailer.keyword": "eBay"}},
		map[string]any{"term": map[string]any{"category.keyword": "Smart plug"}},
		map[string]any{"term": map[string]any{"brand_key": "tplink"}},
	}
	// Facets are disjunctive: the facet filters apply to the hits (post_filter)
	// and each facet's aggregation gets the other three only.
	eq(t, "post_filter", dig(t, body, "post_filter", "bool", "filter"), facetFilters)
	for i, name := range []string{"market_type", "retailer", "category", "brand"} {
		others := append(append([]any{}, facetFilters[:i]...), facetFilters[i+1:]...)
		eq(t, name+" agg filter", dig(t, body, "aggs", name, "filter", "bool", "filter"), others)
		eq(t, name+" agg terms size", dig(t, body, "aggs", name, "aggs", "terms", "terms", "size"), 20.0)
	}
	eq(t, "filters", dig(t, body, "query", "bool", "filter"), []any{
		map[string]any{"term": map[string]any{"condition": "new"}},
		map[string]any{"term": map[string]any{"status": "live"}},
		map[string]any{"term": map[string]any{"product_id": "prd-hs100"}},
		map[string]any{"term": map[string]any{"has_support_period": true}},
		map[string]any{"range": map[string]any{"observed_at": map[string]any{"gte": "2026-02-01T00:00:00Z", "lt": "2026-03-01T00:00:00.000000005Z"}}},
	})
	eq(t, "has_open_case=false for my authority", dig(t, body, "query", "bool", "must_not"), []any{
		map[string]any{"term": map[string]any{"open_case_authorities": "TS-KENT"}},
	})
}

func TestMultiSelectFacetsDSL(t *testing.T) {
	f := searchServer(t, filteredFacetsResponse)
	e := newEngine(t, f)
	res, err := e.Search(context.Background(), search.Query{Q: "camera", Retailer: "Argos",
		Retailers: []string{"Currys", "Argos"}, Brands: []string{"TP-Link", "tplink", "Ring"}})
	if err != nil {
		t.Fatal(err)
	}
	body := lastSearch(t, f)
	retailers := map[string]any{"terms": map[string]any{"retailer.keyword": []any{"Currys", "Argos"}}}
	brands := map[string]any{"terms": map[string]any{"brand_key": []any{"tplink", "ring"}}}
	eq(t, "post_filter", dig(t, body, "post_filter", "bool", "filter"), []any{retailers, brands})
	eq(t, "retailer agg filter (brands only)", dig(t, body, "aggs", "retailer", "filter", "bool", "filter"), []any{brands})
	eq(t, "brand agg filter (retailers only)", dig(t, body, "aggs", "brand", "filter", "bool", "filter"), []any{retailers})
	eq(t, "market_type agg filter", dig(t, body, "aggs", "market_type", "filter", "bool", "filter"), []any{retailers, brands})
	if _, ok := dig(t, body, "query", "bool").(map[string]any)["filter"]; ok {
		t.Error("facet filters in the query would narrow the facets")
	}
	eq(t, "filtered retailer facet read", res.Facets["retailer"], []search.FacetCount{{Term: "Argos", Count: 7}, {Term: "eBay", Count: 5}})
	eq(t, "plain facet read", res.Facets["category"], []search.FacetCount{{Term: "camera", Count: 9}})
}

const filteredFacetsResponse = `{
  "hits": {"total": {"value": 7, "relation": "eq"}, "hits": []},
  "aggregations": {
    "retailer": {"doc_count": 12, "terms": {"buckets": [{"key": "Argos", "doc_count": 7}, {"key": "eBay", "doc_count": 5}]}},
    "market_type": {"doc_count": 7, "terms": {"buckets": []}},
    "brand": {"doc_count": 9, "terms": {"buckets": []}},
    "category": {"doc_count_error_upper_bound": 0, "buckets": [{"key": "camera", "doc_count": 9}]}
  }
}`

func TestSearchWithoutTextDSL(t *testing.T) {
	f := searchServer(t, searchResponse)
	e := newEngine(t, f)
	if _, err := e.Search(context.Background(), search.Query{}); err != nil {
		t.Fatal(err)
	}
	body := lastSearch(t, f)
	eq(t, "query", body["query"], map[string]any{"match_all": map[string]any{}})
	if _, ok := body["highlight"]; ok {
		t.Error("no text, no highlight")
	}
	eq(t, "size", body["size"], float64(search.DefaultLimit+1))
}

func TestHostileQueriesStayLiteral(t *testing.T) {
	f := searchServer(t, searchResponse)
	e := newEngine(t, f)
	for _, q := range []string{`title:plug AND *`, `"unbalanced`, `(a OR b`, `+plug -camera~2`, `\`, `/.*/`, `{"query_string":{}}`} {
		if _, err := e.Search(context.Background(), search.Query{Q: q}); err != nil {
			t.Fatalf("q=%q: %v", q, err)
		}
		body := lastSearch(t, f)
		raw, _ := json.Marshal(body["query"])
		for _, forbidden := range []string{`"query_string"`, `"simple_query_string"`, `"wildcard"`, `"regexp"`, `"prefix"`} {
			if strings.Contains(string(raw), forbidden) && !strings.Contains(q, "query_string") {
				t.Errorf("q=%q produced a %s query: %s", q, forbidden, raw)
			}
		}
		// The words reach Elasticsearch only as match text, one word at a time.
		texts := matchTexts(body["query"])
		for _, w := range search.TitleWords(q) {
			if len(w) > 2 && w != "and" && !slices.Contains(texts, w) {
				t.Errorf("q=%q: word %q is not a match text (%v)", q, w, texts)
			}
		}
	}
}

// matchTexts collects the text of every match query in a query body.
func matchTexts(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if m, ok := x["match"].(map[string]any); ok {
			for _, f := range m {
				if q, ok := f.(map[string]any)["query"].(string); ok {
					out = append(out, q)
				}
			}
		}
		for _, c := range x {
			out = append(out, matchTexts(c)...)
		}
	case []any:
		for _, c := range x {
			out = append(out, matchTexts(c)...)
		}
	}
	return out
}

func TestQuotedPhraseAndPartialMatchDSL(t *testing.T) {
	// The strict query matches 3 listings before filters: the engine asks again with partial matches.
	f := searchServer(t, `{"hits": {"total": {"value": 1, "relation": "eq"}, "hits": []},
		"aggregations": {"text_matches": {"doc_count": 900, "strict": {"doc_count": 3}}}}`)
	e := newEngine(t, f)
	if _, err := e.Search(context.Background(), search.Query{Q: `Kärnvik "X-100 Pro" wall mount`, Retailer: "eBay"}); err != nil {
		t.Fatal(err)
	}
	sent := f.find(http.MethodPost, is("/"+alias+"/_search"))
	if len(sent) != 2 {
		t.Fatalf("%d searches sent, want the strict one and the widened one", len(sent))
	}
	first := sent[0].JSON(t)
	strictText := dig(t, first, "query", "bool", "must", "0")
	eq(t, "text matches counted before filters", dig(t, first, "aggs", "text_matches"), map[string]any{
		"global": map[string]any{}, "aggs": map[string]any{"strict": map[string]any{"filter": strictText}}})
	partialClauses := func(should []any) int {
		n := 0
		for _, c := range should {
			if b, ok := c.(map[string]any)["bool"].(map[string]any); ok && b["minimum_should_match"] != nil {
				n++
			}
		}
		return n
	}
	if n := partialClauses(dig(t, strictText, "bool", "should").([]any)); n != 0 {
		t.Errorf("the strict query has %d partial clauses", n)
	}
	body := lastSearch(t, f)
	if _, ok := body["aggs"].(map[string]any)["text_matches"]; ok {
		t.Error("the widened search counts text matches again")
	}
	// The query names an accessory ("mount"): no demotion.
	tq := dig(t, body, "query", "bool", "must", "0", "bool")
	eq(t, "phrase must", dig(t, tq, "must", "0", "bool", "should"), []any{
		map[string]any{"match_phrase": map[string]any{"text": "X-100 Pro"}},
		map[string]any{"term": map[string]any{"model": map[string]any{"value": "x100pro", "boost": 1.0}}},
		map[string]any{"term": map[string]any{"model_keys": map[string]any{"value": "x100pro", "boost": 1.0}}},
	})
	should := dig(t, tq, "should").([]any)
	// The query names an accessory: the model's mention counts, not the exact-model boost.
	eq(t, "model from the phrase", should[0], map[string]any{"term": map[string]any{"model_keys": map[string]any{"value": "x100pro", "boost": 8.0}}})
	all := dig(t, should[len(should)-2], "bool").(map[string]any)
	eq(t, "all parts boost", all["boost"], 20.0)
	eq(t, "all parts", len(all["must"].([]any)), 4) // karnvik, wall, mount, the model number
	if partialClauses(should) != 1 {
		t.Errorf("the widened query has no partial clause")
	}
	some := dig(t, should[len(should)-1], "bool").(map[string]any)
	eq(t, "minimum_should_match", some["minimum_should_match"], 3.0)
	word := dig(t, all["must"].([]any)[0], "bool", "should").([]any)
	eq(t, "folded brand word with typo tolerance", word[0], map[string]any{"match": map[string]any{"text": map[string]any{
		"query": "karnvik", "fuzziness": "AUTO:5,100", "prefix_length": 0.0, "fuzzy_transpositions": false, "zero_terms_query": "all"}}})
	eq(t, "category words", word[1], map[string]any{"match": map[string]any{"category_terms": map[string]any{
		"query": "karnvik", "boost": 0.5, "zero_terms_query": "all"}}})
}

func TestBadCursorIsRejectedBeforeSending(t *testing.T) {
	f := searchServer(t, searchResponse)
	e := newEngine(t, f)
	_, err := e.Search(context.Background(), search.Query{Cursor: "not-a-cursor"})
	if !errors.Is(err, search.ErrBadCursor) {
		t.Fatalf("error = %v", err)
	}
	if n := len(f.find(http.MethodPost, is("/"+alias+"/_search"))); n != 0 {
		t.Errorf("sent %d searches", n)
	}
}

const productsResponse = `{
  "took": 9, "timed_out": false,
  "hits": {"total": {"value": 57, "relation": "eq"}, "max_score": null, "hits": []},
  "aggregations": {
    "unlinked": {"doc_count": 6},
    "products": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 11, "buckets": [
      {"key": "prd-c200", "doc_count": 30,
       "market": {"buckets": [{"key": "marketplace", "doc_count": 18}, {"key": "retailer", "doc_count": 12}]},
       "top": {"hits": {"total": {"value": 30, "relation": "eq"}, "max_score": 40.5, "hits": [
         {"_index": "tw-test-x", "_id": "lst-00000042", "_score": 40.5,
          "_source": {"listing_id": "lst-00000042", "product_id": "prd-c200", "title": "TP-Link Tapo C200 Pan/Tilt Home Security Wi-Fi Camera",
                      "retailer": "Currys", "market_type": "retailer", "price_pence": 2999, "observed_at": "2026-04-02T12:00:00Z"},
          "highlight": {"title": ["TP-Link <mark>Tapo</mark> <mark>C200</mark> Pan/Tilt Home Security Wi-Fi Camera"]},
          "sort": [40.5, "lst-00000042"]}]}}},
      {"key": "prd-c310", "doc_count": 10,
       "market": {"buckets": [{"key": "secondary", "doc_count": 10}]},
       "top": {"hits": {"total": {"value": 10, "relation": "eq"}, "max_score": 12.0, "hits": []}}}
    ]}
  }
}`

func TestSearchProductsDSL(t *testing.T) {
	f := searchServer(t, productsResponse)
	e := newEngine(t, f)
	res, err := e.SearchProducts(context.Background(), search.ProductQuery{Query: search.Query{Q: "tapo c200", Limit: 5}, TopListings: 1})
	if err != nil {
		t.Fatal(err)
	}
	body := lastSearch(t, f)
	eq(t, "size", body["size"], 0.0)
	eq(t, "products terms", dig(t, body, "aggs", "products", "terms"), map[string]any{
		"field": "product_id", "size": 5.0,
		"order": []any{map[string]any{"_count": "desc"}, map[string]any{"_key": "asc"}},
	})
	eq(t, "market sub-agg", dig(t, body, "aggs", "products", "aggs", "market", "terms", "field"), "market_type")
	eq(t, "top_hits size", dig(t, body, "aggs", "products", "aggs", "top", "top_hits", "size"), 1.0)
	eq(t, "top_hits sort", dig(t, body, "aggs", "products", "aggs", "top", "top_hits", "sort"),
		[]any{map[string]any{"_score": "desc"}, map[string]any{"listing_id": "asc"}})
	eq(t, "unlinked", dig(t, body, "aggs", "unlinked"), map[string]any{"missing": map[string]any{"field": "product_id"}})

	eq(t, "listings", [2]int64{res.Listings, res.Unlinked}, [2]int64{57, 6})
	if len(res.Products) != 2 {
		t.Fatalf("products = %d", len(res.Products))
	}
	p := res.Products[0]
	eq(t, "product", [2]any{p.ProductID, p.Listings}, [2]any{"prd-c200", int64(30)})
	eq(t, "by market", p.ByMarketType, map[string]int64{"marketplace": 18, "retailer": 12})
	if len(p.Top) != 1 || p.Top[0].ListingID != "lst-00000042" || p.Top[0].Score != 40.5 || len(p.Top[0].Highlights["title"]) != 1 {
		t.Errorf("top = %+v", p.Top)
	}
}

func TestCount(t *testing.T) {
	f := newFakeES(t, func(c call) reply {
		if r, ok := aliasExists(c); ok {
			return r
		}
		if c.Path == "/"+alias+"/_count" {
			return reply{body: `{"count":1234,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0}}`}
		}
		return reply{status: 404}
	})
	n, err := newEngine(t, f).Count(context.Background())
	if err != nil || n != 1234 {
		t.Fatalf("Count = %d, %v", n, err)
	}
}

// rebuildServer scripts a rebuild: bulk answers come from bulk.
func rebuildServer(t *testing.T, bulk func(c call) reply) *fakeES {
	return newFakeES(t, func(c call) reply {
		if r, ok := aliasExists(c); ok {
			return r
		}
		switch {
		case strings.HasSuffix(c.Path, "/_bulk"):
			return bulk(c)
		case c.Method == http.MethodPut && strings.HasSuffix(c.Path, "/_settings"),
			c.Method == http.MethodPost && c.Path == "/_aliases",
			c.Method == http.MethodDelete,
			c.Method == http.MethodPut:
			return reply{body: `{"acknowledged":true}`}
		case strings.HasSuffix(c.Path, "/_refresh"):
			return reply{body: `{"_shards":{"total":1,"successful":1,"failed":0}}`}
		}
		return reply{status: 404}
	})
}

const newIndex = "tw-test-20261126t103000.000000123z"
const oldIndex = "tw-test-20260101t000000.000000000z"

func TestRebuildSwapsAliasAtomically(t *testing.T) {
	f := rebuildServer(t, func(c call) reply { return bulkOK(t, c) })
	e := newEngine(t, f)
	if err := e.Rebuild(context.Background(), searchtest.Emit(250)); err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, c := range f.recorded() {
		seq = append(seq, c.Method+" "+c.Path)
	}
	create := f.find(http.MethodPut, is("/"+newIndex))
	if len(create) != 1 {
		t.Fatalf("new index not created: %v", seq)
	}
	cb := create[0].JSON(t)
	eq(t, "load without refreshes", dig(t, cb, "settings", "refresh_interval"), "-1")
	if _, ok := cb["aliases"]; ok {
		t.Error("the new index must not join the alias before it is loaded")
	}

	var docs int
	for _, b := range f.find(http.MethodPost, func(p string) bool { return strings.HasSuffix(p, "/_bulk") }) {
		lines := b.NDJSON(t)
		for i := 0; i < len(lines); i += 2 {
			meta := dig(t, lines[i], "index").(map[string]any)
			eq(t, "bulk _index", meta["_index"], newIndex)
			eq(t, "bulk _id", meta["_id"], lines[i+1]["listing_id"])
			docs++
		}
	}
	eq(t, "documents loaded", docs, 250)

	settings := f.find(http.MethodPut, is("/"+newIndex+"/_settings"))
	if len(settings) != 1 || !strings.Contains(string(settings[0].Body), `"refresh_interval":null`) {
		t.Errorf("refresh interval not restored: %v", seq)
	}
	swap := f.find(http.MethodPost, is("/_aliases"))
	if len(swap) != 1 {
		t.Fatalf("want one _aliases call: %v", seq)
	}
	eq(t, "alias actions", swap[0].JSON(t), map[string]any{"actions": []any{
		map[string]any{"remove": map[string]any{"index": oldIndex, "alias": alias}},
		map[string]any{"add": map[string]any{"index": newIndex, "alias": alias, "is_write_index": true}},
	}})
	order := []string{"PUT /" + newIndex, "POST /" + newIndex + "/_refresh", "POST /_aliases", "DELETE /" + oldIndex}
	at := 0
	for _, s := range seq {
		if at < len(order) && s == order[at] {
			at++
		}
	}
	if at != len(order) {
		t.Errorf("calls out of order; want %v within %v", order, seq)
	}
}

func TestRebuildPartialFailureKeepsAlias(t *testing.T) {
	f := rebuildServer(t, func(c call) reply {
		return bulkReply(t, c, map[string]int{"lst-00000007": 400})
	})
	e := newEngine(t, f)
	err := e.Rebuild(context.Background(), searchtest.Emit(20))
	if err == nil || !strings.Contains(err.Error(), "lst-00000007") || !strings.Contains(err.Error(), "document_parsing_exception") {
		t.Fatalf("error = %v", err)
	}
	if n := len(f.find(http.MethodPost, is("/_aliases"))); n != 0 {
		t.Error("alias swapped after a failed load")
	}
	if n := len(f.find(http.MethodDelete, is("/"+newIndex))); n != 1 {
		t.Error("the half-loaded index was not deleted")
	}
	if n := len(f.find(http.MethodDelete, is("/"+oldIndex))); n != 0 {
		t.Error("the live index was deleted")
	}
}

func TestRebuildRetriesRejectedItems(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	f := rebuildServer(t, func(c call) reply {
		mu.Lock()
		defer mu.Unlock()
		statuses := map[string]int{}
		for i, l := range c.NDJSON(t) {
			if i%2 == 1 {
				continue
			}
			id := dig(t, l, "index", "_id").(string)
			seen[id]++
			if (id == "lst-00000003" || id == "lst-00000004") && seen[id] == 1 {
				statuses[id] = 429
			}
		}
		return bulkReply(t, c, statuses)
	})
	e := newEngine(t, f)
	if err := e.Rebuild(context.Background(), searchtest.Emit(10)); err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	for i := 0; i < 10; i++ {
		id := searchtest.ListingID(i)
		want := 1
		if i == 3 || i == 4 {
			want = 2 // rejected once, then sent again on its own
		}
		if seen[id] != want {
			t.Errorf("%s sent %d times, want %d", id, seen[id], want)
		}
	}
	if n := len(f.find(http.MethodPost, is("/_aliases"))); n != 1 {
		t.Error("alias not swapped after the retry succeeded")
	}
}

func TestRebuildSourceErrorDeletesNewIndex(t *testing.T) {
	f := rebuildServer(t, func(c call) reply { return bulkOK(t, c) })
	e := newEngine(t, f)
	boom := errors.New("database went away")
	err := e.Rebuild(context.Background(), func(ctx context.Context, emit func(search.Doc) error) error {
		_ = emit(searchtest.Listing(0))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error = %v", err)
	}
	if len(f.find(http.MethodDelete, is("/"+newIndex))) != 1 || len(f.find(http.MethodPost, is("/_aliases"))) != 0 {
		t.Errorf("calls: %+v", f.recorded())
	}
}
