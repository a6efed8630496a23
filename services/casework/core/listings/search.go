package listings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/categories"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

type indexBox struct{ idx search.Index }

// UseIndex attaches the search index; nil detaches it.
func (s *Service) UseIndex(idx search.Index) {
	if idx == nil {
		s.index.Store(nil)
		return
	}
	s.index.Store(&indexBox{idx: idx})
}

func (s *Service) searchIndex() (search.Index, error) {
	b := s.index.Load()
	if b == nil {
		return nil, apperr.New(apperr.Unavailable, "listing search is not available in this process")
	}
	return b.idx, nil
}

// queryError turns the engines' query errors into client errors.
func queryError(err error) error {
	switch {
	case errors.Is(err, search.ErrBadCursor):
		return apperr.InvalidField("cursor", "is not a cursor a previous search returned")
	case errors.Is(err, search.ErrBadQuery):
		return apperr.Wrap(err, apperr.Invalid, "%v", err)
	}
	return err
}

// Search runs a listing search as the caller: has_open_case is answered for
// the caller's authority.
func (s *Service) Search(ctx context.Context, q search.Query) (search.Result, error) {
	idx, err := s.searchIndex()
	if err != nil {
		return search.Result{}, err
	}
	p, _ := principal.From(ctx)
	q.Authority = p.Authority.Code
	q.Category = filterCategory(q.Category)
	q.Categories = filterCategories(q.Categories)
	nq, err := q.Normalized()
	if err != nil {
		return search.Result{}, queryError(err)
	}
	res, err := idx.Search(ctx, nq)
	if err != nil {
		return search.Result{}, fmt.Errorf("search listings: %w", queryError(err))
	}
	return res, nil
}

// ProductGroup is one product with the matching listings that sell it.
type ProductGroup struct {
	Product ProductRef // ID only when the product is no longer in the register
	search.ProductGroup
}

// ProductSearch is the matching listings grouped by product.
type ProductSearch struct {
	Listings int64
	Unlinked int64
	Products []ProductGroup
}

// SearchProducts groups the listings matching q by linked product, with the
// products' register details.
func (s *Service) SearchProducts(ctx context.Context, q search.ProductQuery) (ProductSearch, error) {
	idx, err := s.searchIndex()
	if err != nil {
		return ProductSearch{}, err
	}
	p, _ := principal.From(ctx)
	q.Query.Authority = p.Authority.Code
	q.Query.Category = filterCategory(q.Query.Category)
	q.Query.Categories = filterCategories(q.Query.Categories)
	nq, err := q.Normalized()
	if err != nil {
		return ProductSearch{}, queryError(err)
	}
	res, err := idx.SearchProducts(ctx, nq)
	if err != nil {
		return ProductSearch{}, fmt.Errorf("search products: %w", queryError(err))
	}
	out := ProductSearch{Listings: res.Listings, Unlinked: res.Unlinked, Products: make([]ProductGroup, 0, len(res.Products))}
	pids := make([]string, len(res.Products))
	for i, g := range res.Products {
		pids[i] = g.ProductID
	}
	refs := map[string]ProductRef{}
	if len(pids) > 0 {
		rs, err := s.store.ProductRefs(ctx, pids)
		if err != nil {
			return ProductSearch{}, err
		}
		for _, r := range rs {
			refs[r.ID] = r
		}
	}
	for _, g := range res.Products {
		ref, ok := refs[g.ProductID]
		if !ok {
			ref = ProductRef{ID: g.ProductID}
		}
		out.Products = append(out.Products, ProductGroup{Product: ref, ProductGroup: g})
	}
	return out, nil
}

// ProductChanged is the products.Service hook, run in the product's
// transaction: it refreshes the product's matching keys, queues its
// listings for re-indexing (their category comes from the product) and,
// when what it is matched by changed (brand, model, variants, GTIN),
// queues the background linking of the listings recorded before it.
func (s *Service) ProductChanged(ctx context.Context, productID string) error {
	p, err := s.products.Get(ctx, productID)
	if err != nil {
		return fmt.Errorf("product %s changed: %w", productID, err)
	}
	keys := ProductKeys(p)
	old, err := s.store.ProductRefs(ctx, []string{productID})
	if err != nil {
		return err
	}
	if len(old) == 0 || !sameKeys(old[0].Keys, keys) {
		if err := s.store.SetProductKeys(ctx, productID, keys); err != nil {
			return err
		}
		if err := s.store.EnqueueLink(ctx, productID); err != nil {
			return err
		}
	}
	return s.store.EnqueueProducts(ctx, []string{productID})
}

func sameKeys(a, b []ProductKey) bool {
	key := func(k ProductKey) string { return k.Kind + "\x00" + k.Key }
	as, bs := make([]string, len(a)), make([]string, len(b))
	for i, k := range a {
		as[i] = key(k)
	}
	for i, k := range b {
		bs[i] = key(k)
	}
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs)
}

// CaseChanged is the cases.Service hook: when a case change alters which
// authorities have an open case on which products, the listings of every
// product involved before or after are queued for re-indexing.
func (s *Service) CaseChanged(ctx context.Context, c cases.Case) error {
	prods := slices.Clone(c.ProductIDs)
	slices.Sort(prods)
	prods = slices.Compact(prods)
	var auths []string
	if c.Status.Open() {
		auths = append(auths, c.AuthorityCode)
		for _, sh := range c.Shares {
			if sh.Status == cases.ShareAccepted {
				auths = append(auths, sh.AuthorityCode)
			}
		}
		slices.Sort(auths)
		auths = slices.Compact(auths)
	}
	oldProds, oldAuths, err := s.store.CaseState(ctx, c.ID)
	if err != nil {
		return err
	}
	if slices.Equal(prods, oldProds) && slices.Equal(auths, oldAuths) {
		return nil
	}
	if err := s.store.SaveCaseState(ctx, c.ID, prods, auths); err != nil {
		return err
	}
	affected := append(slices.Clone(prods), oldProds...)
	slices.Sort(affected)
	affected = slices.Compact(affected)
	if len(affected) == 0 {
		return nil
	}
	return s.store.EnqueueProducts(ctx, affected)
}

// SyncProductKeys computes matching keys for products recorded before
// listings existed (or by a process without the hook).
func (s *Service) SyncProductKeys(ctx context.Context) error {
	done := map[string]bool{}
	for {
		missing, err := s.store.ProductsWithoutKeys(ctx, 500)
		if err != nil {
			return err
		}
		progressed := false
		for _, id := range missing {
			// A product with nothing to match on (no usable brand or
			// model) stays keyless; do not loop on it.
			if done[id] {
				continue
			}
			done[id], progressed = true, true
			err := s.tx.InTx(ctx, func(ctx context.Context) error { return s.ProductChanged(ctx, id) })
			if err != nil {
				return err
			}
		}
		if !progressed {
			return nil
		}
	}
}

// DocCategory is the category a listing is indexed under: its linked
// product's (mapped onto a category code when the register's wording names
// one), else the listing's own mapped category.
func DocCategory(productCategory, listingCategory string) string {
	if productCategory = strings.TrimSpace(productCategory); productCategory != "" {
		if code, ok := categories.Map(productCategory); ok {
			return code
		}
		return productCategory
	}
	return listingCategory
}

func filterCategories(list []string) []string {
	if len(list) == 0 {
		return list
	}
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = filterCategory(c)
	}
	return out
}

// filterCategory lets a category filter name a category in any wording
// the table knows ("CCTV", "Smart plug"): documents carry the code.
func filterCategory(c string) string {
	if code, ok := categories.Map(c); ok {
		return code
	}
	return c
}
