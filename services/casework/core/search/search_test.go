package search_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []search.Cursor{
		{Score: 12.345678901234567, ListingID: "lst_01"},
		{Score: 0, ListingID: "a"},
		{Score: 1e-300, ListingID: "zz/ü"},
	} {
		got, err := search.DecodeCursor(search.EncodeCursor(c))
		if err != nil || got != c {
			t.Errorf("round trip %+v: got %+v, %v", c, got, err)
		}
	}
}

func TestDecodeCursorRejectsForeignInput(t *testing.T) {
	for _, s := range []string{"", "!!!", "eyJ2IjoyLCJzIjoxLCJpZCI6ImEifQ", "bm90IGpzb24", "eyJ2IjoxLCJzIjoxfQ"} {
		if _, err := search.DecodeCursor(s); !errors.Is(err, search.ErrBadCursor) {
			t.Errorf("DecodeCursor(%q) error = %v, want ErrBadCursor", s, err)
		}
	}
}

func TestCursorAfter(t *testing.T) {
	c := search.Cursor{Score: 2, ListingID: "m"}
	tests := []struct {
		score float64
		id    string
		want  bool
	}{
		{1, "a", true}, {3, "z", false}, {2, "n", true}, {2, "m", false}, {2, "l", false},
	}
	for _, tc := range tests {
		if got := c.After(tc.score, tc.id); got != tc.want {
			t.Errorf("After(%v, %q) = %v, want %v", tc.score, tc.id, got, tc.want)
		}
	}
}

func TestQueryNormalized(t *testing.T) {
	yes := true
	tests := []struct {
		name      string
		in        search.Query
		wantLimit int
		wantErr   error
	}{
		{"default limit", search.Query{}, search.DefaultLimit, nil},
		{"clamped", search.Query{Limit: 10_000}, search.MaxLimit, nil},
		{"kept", search.Query{Limit: 7}, 7, nil},
		{"bad market type", search.Query{MarketType: "shop"}, 0, search.ErrBadQuery},
		{"bad condition", search.Query{Condition: "mint"}, 0, search.ErrBadQuery},
		{"bad status", search.Query{Status: "gone"}, 0, search.ErrBadQuery},
		{"open case without authority", search.Query{HasOpenCase: &yes}, 0, search.ErrBadQuery},
		{"inverted dates", search.Query{ObservedFrom: time.Unix(10, 0), ObservedTo: time.Unix(5, 0)}, 0, search.ErrBadQuery},
		{"bad cursor", search.Query{Cursor: "nope"}, 0, search.ErrBadCursor},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.Normalized()
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if err == nil && got.Limit != tc.wantLimit {
				t.Errorf("Limit = %d, want %d", got.Limit, tc.wantLimit)
			}
		})
	}
}

func TestProductQueryNormalized(t *testing.T) {
	q, err := search.ProductQuery{Query: search.Query{Cursor: "ignored"}, TopListings: 99}.Normalized()
	if err != nil {
		t.Fatal(err)
	}
	if q.TopListings != search.MaxTopListings || q.Query.Cursor != "" || q.Query.Limit != search.DefaultLimit {
		t.Errorf("got %+v", q)
	}
}

func TestDocValidate(t *testing.T) {
	ok := search.Doc{ListingID: "l1", MarketType: search.MarketRetailer, Status: search.StatusLive}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, d := range []search.Doc{
		{MarketType: search.MarketRetailer, Status: search.StatusLive},
		{ListingID: "l1", MarketType: "shop", Status: search.StatusLive},
		{ListingID: "l1", MarketType: search.MarketRetailer, Status: "gone"},
		{ListingID: "l1", MarketType: search.MarketRetailer, Status: search.StatusLive, Condition: "mint"},
	} {
		if err := d.Validate(); !errors.Is(err, search.ErrBadQuery) {
			t.Errorf("Validate(%+v) = %v", d, err)
		}
	}
}
