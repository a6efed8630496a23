package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tradewarden/tradewarden/services/casework/core/listings"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/demodata"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

// seedDemoListings records the sample catalogue and loads the sample
// listings (idempotently: a second run finds everything unchanged), then
// indexes them unless a running server owns the index and does it.
func seedDemoListings(ctx context.Context, app *wiring.App, w io.Writer) error {
	prods := demodata.Products()
	for _, p := range prods {
		if err := ensureDemoProduct(ctx, app, p); err != nil {
			return err
		}
	}
	owned, err := app.OpenSearch(ctx)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(demodata.WriteNDJSON(pw, 0, demodata.DemoListings)) }()
	res, err := app.Listings.Import(ctx, pr, listings.ImportOptions{Format: listings.FormatNDJSON, Key: "demo-listings"})
	_ = pr.Close()
	if err != nil {
		return fmt.Errorf("demo listings: %w", err)
	}
	if res.RejectedTotal > 0 {
		return fmt.Errorf("demo listings: %d lines rejected, the first at line %d: %s", res.RejectedTotal,
			res.Rejected[0].Line, res.Rejected[0].Error)
	}
	if owned {
		if _, err := app.Search.Indexer.Drain(ctx); err != nil {
			return fmt.Errorf("index demo listings: %w", err)
		}
	}
	fmt.Fprintf(w, "Demo listings: %d listings of %d products on %d sites; search them, e.g.\n", demodata.DemoListings,
		len(prods), len(demodata.Sites()))
	fmt.Fprintln(w, `  curl -s 'localhost:8080/api/v1/search/listings?q=hs100' -H "Authorization: Bearer $TOKEN"`)
	return nil
}

// ensureDemoProduct records a sample product unless it is already there.
func ensureDemoProduct(ctx context.Context, app *wiring.App, p demodata.Product) error {
	f := products.Filter{GTIN: p.GTIN, Limit: 1}
	if p.GTIN == "" {
		f = products.Filter{Brand: p.Brand, Q: p.Model, Limit: 50}
	}
	found, err := app.Products.List(ctx, f)
	if err != nil {
		return fmt.Errorf("demo product %s %s: %w", p.Brand, p.Model, err)
	}
	for _, e := range found {
		if search.NormalizeModel(e.Model) == search.NormalizeModel(p.Model) {
			return nil
		}
	}
	in := products.Input{Brand: &p.Brand, Model: &p.Model, Variants: &p.Variants, Category: &p.Category}
	if p.GTIN != "" {
		in.GTIN = &p.GTIN
	}
	if _, err := app.Products.Create(ctx, in); err != nil {
		return fmt.Errorf("demo product %s %s: %w", p.Brand, p.Model, err)
	}
	return nil
}
