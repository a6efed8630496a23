package searchtest_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/searchtest"
)

func TestListingsAreDeterministicAndValid(t *testing.T) {
	markets := map[string]int{}
	linked := 0
	for i := 0; i < 2000; i++ {
		d := searchtest.Listing(i)
		if !reflect.DeepEqual(d, searchtest.Listing(i)) {
			t.Fatalf("listing %d differs between calls", i)
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("listing %d: %v", i, err)
		}
		if d.GTIN != "" {
			if _, ok := search.NormalizeGTIN(d.GTIN); !ok {
				t.Errorf("listing %d has an invalid GTIN %q", i, d.GTIN)
			}
		}
		if d.ObservedAt.Before(searchtest.Epoch) || !d.ObservedAt.Before(searchtest.Epoch.Add(searchtest.Days*24*time.Hour)) {
			t.Errorf("listing %d observed at %v", i, d.ObservedAt)
		}
		markets[d.MarketType]++
		if d.ProductID != "" {
			linked++
		}
	}
	for _, m := range []string{search.MarketRetailer, search.MarketMarketplace, search.MarketSecondary} {
		if markets[m] < 200 {
			t.Errorf("only %d %s listings in 2000", markets[m], m)
		}
	}
	if linked < 1500 || linked > 1950 {
		t.Errorf("%d of 2000 listings linked to a product", linked)
	}
}

func TestEmitStreamsTheCorpus(t *testing.T) {
	var got []search.Doc
	err := searchtest.Emit(5)(context.Background(), func(d search.Doc) error {
		got = append(got, d)
		return nil
	})
	if err != nil || !reflect.DeepEqual(got, searchtest.Corpus(5)) {
		t.Fatalf("Emit(5) = %d docs, %v", len(got), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := searchtest.Emit(5)(ctx, func(search.Doc) error { return nil }); err == nil {
		t.Error("Emit ignored a cancelled context")
	}
}

func TestMatchesOracle(t *testing.T) {
	d := searchtest.Listing(2)
	yes := true
	tests := []struct {
		q    search.Query
		want bool
	}{
		{search.Query{}, true},
		{search.Query{Brand: "tp-link"}, true},
		{search.Query{Retailer: d.Retailer, MarketType: d.MarketType}, true},
		{search.Query{Retailer: "Nowhere"}, false},
		{search.Query{ObservedFrom: d.ObservedAt}, true},
		{search.Query{ObservedTo: d.ObservedAt}, false},
		{search.Query{HasOpenCase: &yes, Authority: searchtest.AuthKent}, true},
		{search.Query{HasOpenCase: &yes, Authority: searchtest.AuthOPSS}, false},
	}
	for _, tc := range tests {
		if got := searchtest.Matches(d, tc.q); got != tc.want {
			t.Errorf("Matches(%+v) = %v", tc.q, got)
		}
	}
}
