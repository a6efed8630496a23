package listings

import (
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func validInput() Input {
	return Input{Retailer: " Amazon  Marketplace ", MarketType: "Marketplace", URL: "https://www.amazon.co.uk/dp/B0TEST",
		Title: "TP-Link HS100 smart plug", Price: "12.99"}
}

func fieldsOf(err error) []string {
	ae, ok := apperr.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range ae.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestParseDefaultsAndNormalises(t *testing.T) {
	l, err := parse(validInput(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if l.Retailer != "Amazon Marketplace" || l.MarketType != "marketplace" || l.Condition != "new" || l.Status != "live" {
		t.Errorf("normalised fields: %+v", l)
	}
	if l.PricePence == nil || *l.PricePence != 1299 || l.Currency != "GBP" || !l.ObservedAt.Equal(testNow) {
		t.Errorf("price, currency, observed_at: %+v", l)
	}
	if len(l.ContentHash) != 64 {
		t.Errorf("content hash %q", l.ContentHash)
	}
	in := validInput()
	in.MarketType, in.Price = "secondary", ""
	l, err = parse(in, testNow)
	if err != nil || l.Condition != "used" || l.PricePence != nil || l.Currency != "" {
		t.Errorf("second-hand default condition, no price: %+v %v", l, err)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*Input)
		field string
	}{
		{"missing retailer", func(in *Input) { in.Retailer = " " }, "retailer"},
		{"unknown market", func(in *Input) { in.MarketType = "car boot" }, "market_type"},
		{"ftp url", func(in *Input) { in.URL = "ftp://example.com/x" }, "url"},
		{"relative url", func(in *Input) { in.URL = "/dp/B0TEST" }, "url"},
		{"url with spaces", func(in *Input) { in.URL = "https://example.com/a b" }, "url"},
		{"url credentials", func(in *Input) { in.URL = "https://u:p@example.com/" }, "url"},
		{"nul in gtin", func(in *Input) { in.GTIN = "501\x00" }, "gtin"},
		{"long category", func(in *Input) { in.SellerCategory = strings.Repeat("x", maxCategory+1) }, "category"},
		{"condition", func(in *Input) { in.Condition = "like new" }, "condition"},
		{"status", func(in *Input) { in.Status = "sold" }, "status"},
		{"negative price", func(in *Input) { in.Price = "-1.00" }, "price"},
		{"three decimals", func(in *Input) { in.Price = "1.999" }, "price"},
		{"price words", func(in *Input) { in.Price = "twelve" }, "price"},
		{"price and pence", func(in *Input) { in.PricePence = new(int64) }, "price"},
		{"huge pence", func(in *Input) { v := int64(1) << 60; in.Price, in.PricePence = "", &v }, "price_pence"},
		{"currency", func(in *Input) { in.Currency = "POUNDS" }, "currency"},
		{"symbol contradicts currency", func(in *Input) { in.Price, in.Currency = "€10", "GBP" }, "currency"},
		{"future", func(in *Input) { in.ObservedAt = "2027-01-01" }, "observed_at"},
		{"bad time", func(in *Input) { in.ObservedAt = "last tuesday" }, "observed_at"},
		{"nul", func(in *Input) { in.Title = "plug\x00" }, "title"},
		{"invalid utf-8", func(in *Input) { in.Seller = "caf\xe9" }, "seller"},
		{"long title", func(in *Input) { in.Title = strings.Repeat("x", maxTitle+1) }, "title"},
	}
	for _, tc := range tests {
		in := validInput()
		tc.mod(&in)
		_, err := parse(in, testNow)
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: err %v, want invalid", tc.name, err)
			continue
		}
		found := false
		for _, f := range fieldsOf(err) {
			found = found || f == tc.field
		}
		if !found {
			t.Errorf("%s: fields %v, want %s", tc.name, fieldsOf(err), tc.field)
		}
	}
}

func TestParsePrices(t *testing.T) {
	tests := []struct {
		price, currency string
		pence           int64
		wantCur         string
	}{
		{"12", "", 1200, "GBP"},
		{"12.5", "", 1250, "GBP"},
		{"0.99", "", 99, "GBP"},
		{".99", "", 99, "GBP"},
		{"1,299.00", "", 129900, "GBP"},
		{"£7.49", "", 749, "GBP"},
		{"€10", "", 1000, "EUR"},
		{"$3.20", "usd", 320, "USD"},
	}
	for _, tc := range tests {
		in := validInput()
		in.Price, in.Currency = tc.price, tc.currency
		l, err := parse(in, testNow)
		if err != nil || l.PricePence == nil || *l.PricePence != tc.pence || l.Currency != tc.wantCur {
			t.Errorf("price %q %q: %v %v %q", tc.price, tc.currency, l.PricePence, err, l.Currency)
		}
	}
}

func TestObservedAtForms(t *testing.T) {
	for _, s := range []string{"2026-11-20", "2026-11-20T00:00:00Z", "2026-11-20T01:00:00+01:00"} {
		in := validInput()
		in.ObservedAt = s
		l, err := parse(in, testNow)
		if err != nil || !l.ObservedAt.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("observed_at %q: %v %v", s, l.ObservedAt, err)
		}
	}
	in := validInput()
	in.ObservedAt = testNow.Add(2 * time.Minute).Format(time.RFC3339) // clock skew is tolerated
	if _, err := parse(in, testNow); err != nil {
		t.Errorf("slightly fast capture clock rejected: %v", err)
	}
}

func TestURLKeyFoldsEquivalentURLs(t *testing.T) {
	same := []string{"https://www.argos.co.uk/product/123", "HTTPS://ARGOS.co.uk/product/123/",
		"https://argos.co.uk:443/product/123#reviews", "https://www.argos.co.uk/product/123"}
	for _, u := range same[1:] {
		if urlKey(u) != urlKey(same[0]) {
			t.Errorf("urlKey(%q) = %q, want %q", u, urlKey(u), urlKey(same[0]))
		}
	}
	differ := []string{"https://argos.co.uk/product/124", "https://argos.co.uk/Product/123", "https://argos.co.uk/product/123?colour=white",
		"https://argos.co.uk:8443/product/123"}
	for _, u := range differ {
		if urlKey(u) == urlKey(same[0]) {
			t.Errorf("urlKey(%q) collides with %q", u, same[0])
		}
	}
}

func TestContentHashIgnoresBookkeeping(t *testing.T) {
	a, _ := parse(validInput(), testNow)
	b, _ := parse(validInput(), testNow.Add(-time.Hour))
	if a.ContentHash != b.ContentHash {
		t.Error("observation time changed the content hash")
	}
	in := validInput()
	in.SupportText = "Updates until 2028"
	c, _ := parse(in, testNow)
	if c.ContentHash == a.ContentHash {
		t.Error("support-period text did not change the content hash")
	}
}
