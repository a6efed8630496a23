package listings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// ProductSource reads the product register.
type ProductSource interface {
	Get(ctx context.Context, id string) (products.Product, error)
}

// Service manages the listings register and its search.
type Service struct {
	store    Store
	tx       txn.Runner
	log      audit.Log
	now      func() time.Time
	products ProductSource
	index    atomic.Pointer[indexBox]
}

// NewService wires the listing service. The search index is attached later
// with UseIndex, by the process that owns it.
func NewService(store Store, tx txn.Runner, log audit.Log, prods ProductSource, now func() time.Time) *Service {
	return &Service{store: store, tx: tx, log: log, now: now, products: prods}
}

func actor(ctx context.Context) string {
	p, _ := principal.From(ctx)
	return p.Actor()
}

// Create records a listing captured by an officer. It is linked to the
// product the officer names, or else matched automatically.
func (s *Service) Create(ctx context.Context, in Input) (Listing, error) {
	l, err := parse(in, s.now())
	if err != nil {
		return Listing{}, err
	}
	now := s.now().UTC()
	l.ID, l.CreatedAt, l.UpdatedAt, l.Version = ids.New(), now, now, 1
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkKeysFree(ctx, l, ""); err != nil {
			return err
		}
		if l.ProductID != "" {
			if err := s.checkProduct(ctx, l.ProductID); err != nil {
				return err
			}
			l.Link, l.MatchReason = LinkOfficer, ReasonOfficer
		} else if in.NoProduct {
			l.Link, l.MatchReason = LinkOfficer, ReasonOfficer
		} else if err := s.match(ctx, &l); err != nil {
			return err
		}
		if err := s.store.CreateListing(ctx, l); err != nil {
			return err
		}
		if err := s.store.EnqueueListings(ctx, []string{l.ID}); err != nil {
			return err
		}
		return s.log.Record(ctx, audit.Event{Action: "listing.create", ObjectType: "listing", ObjectID: l.ID, Detail: detail(l)})
	})
	if err != nil {
		return Listing{}, fmt.Errorf("create listing: %w", err)
	}
	return l, nil
}

// Get returns one listing.
func (s *Service) Get(ctx context.Context, id string) (Listing, error) {
	if !ids.Valid(id) {
		return Listing{}, apperr.New(apperr.NotFound, "no listing %q", id)
	}
	l, err := s.store.GetListing(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Listing{}, apperr.New(apperr.NotFound, "no listing %q", id)
	}
	return l, err
}

// Patch is a partial update; nil fields are left unchanged.
type Patch struct {
	ExternalID  *string
	Retailer    *string
	MarketType  *string
	Seller      *string
	URL         *string
	Title       *string
	Description *string
	Brand       *string
	Model       *string
	GTIN        *string
	// Price or PricePence replaces the price; an empty Price removes it.
	Price       *string
	PricePence  *int64
	Currency    *string
	Condition   *string
	ObservedAt  *string
	SupportText *string
	Status      *string
	// SellerCategory replaces the seller's category (the category code
	// follows it); VulnerabilityDisclosureURL the disclosure URL shown.
	SellerCategory             *string
	VulnerabilityDisclosureURL *string
	// ProductID links the listing to a product (an officer's decision that
	// matching never overrides); an empty string records that it is of no
	// product in the register.
	ProductID *string
}

func toInput(l Listing) Input {
	gtin := l.GTIN
	if gtin == "" {
		gtin = l.GTINRaw
	}
	return Input{ExternalID: l.ExternalID, Retailer: l.Retailer, MarketType: l.MarketType, Seller: l.Seller, URL: l.URL,
		Title: l.Title, Description: l.Description, Brand: l.Brand, Model: l.Model, GTIN: gtin, PricePence: l.PricePence,
		Currency: l.Currency, Condition: l.Condition, ObservedAt: l.ObservedAt.Format(time.RFC3339Nano),
		SupportText: l.SupportText, Status: l.Status, SellerCategory: l.SellerCategory,
		VulnerabilityDisclosureURL: l.VulnerabilityDisclosureURL}
}

func (p Patch) apply(in *Input) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.ExternalID, p.ExternalID)
	set(&in.Retailer, p.Retailer)
	set(&in.MarketType, p.MarketType)
	set(&in.Seller, p.Seller)
	set(&in.URL, p.URL)
	set(&in.Title, p.Title)
	set(&in.Description, p.Description)
	set(&in.Brand, p.Brand)
	set(&in.Model, p.Model)
	set(&in.GTIN, p.GTIN)
	set(&in.Currency, p.Currency)
	set(&in.Condition, p.Condition)
	set(&in.ObservedAt, p.ObservedAt)
	set(&in.SupportText, p.SupportText)
	set(&in.Status, p.Status)
	set(&in.SellerCategory, p.SellerCategory)
	set(&in.VulnerabilityDisclosureURL, p.VulnerabilityDisclosureURL)
	if p.Price != nil || p.PricePence != nil {
		in.Price, in.PricePence = "", p.PricePence
		set(&in.Price, p.Price)
	}
}

// Update applies a partial update; version, when non-zero, must match.
// Changing the brand, model or GTIN of a listing no officer has linked
// re-runs matching.
func (s *Service) Update(ctx context.Context, id string, version int, p Patch) (Listing, error) {
	var out Listing
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != cur.Version {
			return apperr.New(apperr.PreconditionFailed, "listing %s is at version %d, not %d", id, cur.Version, version)
		}
		in := toInput(cur)
		p.apply(&in)
		l, err := parse(in, s.now())
		if err != nil {
			return err
		}
		l.ID, l.CreatedAt, l.ProductID, l.Link, l.MatchReason = cur.ID, cur.CreatedAt, cur.ProductID, cur.Link, cur.MatchReason
		switch {
		case p.ProductID != nil && *p.ProductID == "":
			l.ProductID, l.Link, l.MatchReason = "", LinkOfficer, ReasonOfficer
		case p.ProductID != nil:
			if err := s.checkProduct(ctx, *p.ProductID); err != nil {
				return err
			}
			l.ProductID, l.Link, l.MatchReason = *p.ProductID, LinkOfficer, ReasonOfficer
		case cur.Link != LinkOfficer && (l.Brand != cur.Brand || l.Model != cur.Model || l.GTIN != cur.GTIN || l.Title != cur.Title):
			if err := s.match(ctx, &l); err != nil {
				return err
			}
		}
		changed := changedFields(cur, l)
		if len(changed) == 0 {
			out = cur
			return nil
		}
		if l.RetailerKey() != cur.RetailerKey() || l.URLKey() != cur.URLKey() || l.ExternalID != cur.ExternalID {
			if err := s.checkKeysFree(ctx, l, cur.ID); err != nil {
				return err
			}
		}
		l.Version, l.UpdatedAt = cur.Version+1, s.now().UTC()
		if err := s.store.UpdateListing(ctx, l); err != nil {
			return err
		}
		if err := s.store.EnqueueListings(ctx, []string{l.ID}); err != nil {
			return err
		}
		d := detail(l)
		d["changed"] = changed
		out = l
		return s.log.Record(ctx, audit.Event{Action: "listing.update", ObjectType: "listing", ObjectID: l.ID, Detail: d})
	})
	if err != nil {
		return Listing{}, fmt.Errorf("update listing %s: %w", id, err)
	}
	return out, nil
}

func changedFields(a, b Listing) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("external_id", a.ExternalID != b.ExternalID)
	add("retailer", a.Retailer != b.Retailer)
	add("market_type", a.MarketType != b.MarketType)
	add("seller", a.Seller != b.Seller)
	add("url", a.URL != b.URL)
	add("title", a.Title != b.Title)
	add("description", a.Description != b.Description)
	add("brand", a.Brand != b.Brand)
	add("model", a.Model != b.Model)
	add("gtin", a.GTIN != b.GTIN || a.GTINRaw != b.GTINRaw)
	add("price", !samePrice(a.PricePence, b.PricePence))
	add("currency", a.Currency != b.Currency)
	add("condition", a.Condition != b.Condition)
	add("observed_at", !a.ObservedAt.Equal(b.ObservedAt))
	add("support_period_text", a.SupportText != b.SupportText)
	add("status", a.Status != b.Status)
	add("category", a.SellerCategory != b.SellerCategory)
	add("vulnerability_disclosure_url", a.VulnerabilityDisclosureURL != b.VulnerabilityDisclosureURL)
	add("product_id", a.ProductID != b.ProductID || a.Link != b.Link)
	return out
}

func samePrice(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func detail(l Listing) map[string]any {
	d := map[string]any{"retailer": l.Retailer, "market_type": l.MarketType, "url": l.URL, "title": l.Title,
		"status": l.Status, "content_sha256": l.ContentHash, "version": l.Version}
	if l.Category != "" {
		d["category"] = l.Category
	}
	if len(l.Quality) > 0 {
		d["data_quality"] = l.Quality
	}
	if l.ProductID != "" || l.Link != LinkNone {
		d["product_id"], d["link"], d["match_reason"] = l.ProductID, string(l.Link), l.MatchReason
	}
	return d
}

// checkKeysFree fails with Conflict when another listing (not self) already
// has l's retailer and URL, or its retailer and external id.
func (s *Service) checkKeysFree(ctx context.Context, l Listing, self string) error {
	urls := [][2]string{{l.RetailerKey(), l.URLKey()}}
	var exts [][2]string
	if l.ExternalID != "" {
		exts = append(exts, [2]string{l.RetailerKey(), l.ExternalID})
	}
	found, err := s.store.FindExisting(ctx, urls, exts)
	if err != nil {
		return err
	}
	for _, e := range found {
		if e.ID == self {
			continue
		}
		if e.URLKey == l.URLKey() && e.RetailerKey == l.RetailerKey() {
			return apperr.New(apperr.Conflict, "listing %s already records this %s URL", e.ID, l.Retailer).With("listing_id", e.ID)
		}
		return apperr.New(apperr.Conflict, "listing %s already has external id %q at %s", e.ID, l.ExternalID, l.Retailer).
			With("listing_id", e.ID)
	}
	return nil
}

func (s *Service) checkProduct(ctx context.Context, id string) error {
	if !ids.Valid(id) {
		return apperr.InvalidField("product_id", "no product %q", clip(id))
	}
	refs, err := s.store.ProductRefs(ctx, []string{id})
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return apperr.InvalidField("product_id", "no product %q", id)
	}
	return nil
}

// match links l automatically when the evidence is strong, and clears an
// automatic link the evidence no longer supports.
func (s *Service) match(ctx context.Context, l *Listing) error {
	keys := keysOf(*l, false).lookupKeys(false)
	var prods []ProductRef
	if len(keys) > 0 {
		var err error
		if prods, err = s.store.ProductsByKeys(ctx, keys); err != nil {
			return err
		}
	}
	if id, reason := autoMatch(*l, prods); id != "" {
		l.ProductID, l.Link, l.MatchReason = id, LinkAuto, reason
	} else if l.Link == LinkAuto || l.Link == LinkNone {
		l.ProductID, l.Link, l.MatchReason = "", LinkNone, ""
	}
	return nil
}

// ListForProduct returns a page of a product's listings, by id.
func (s *Service) ListForProduct(ctx context.Context, productID, after string, limit int) ([]Listing, error) {
	if _, err := s.products.Get(ctx, productID); err != nil {
		return nil, err
	}
	return s.store.ListingsForProduct(ctx, productID, after, limit)
}

// Candidates returns the products a listing may be of, strongest evidence
// first, for an officer to confirm.
func (s *Service) Candidates(ctx context.Context, id string) ([]Candidate, error) {
	l, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	k := keysOf(l, true)
	var prods []ProductRef
	if keys := k.lookupKeys(true); len(keys) > 0 {
		if prods, err = s.store.ProductsByKeys(ctx, keys); err != nil {
			return nil, err
		}
	}
	brands := []string{k.brand}
	if k.brand == "" {
		brands = k.words
	}
	for _, b := range slices.Compact(slices.Sorted(slices.Values(brands))) {
		if b == "" || (k.brand == "" && len(b) < 3) {
			continue
		}
		more, err := s.store.ProductsByBrand(ctx, b, 200)
		if err != nil {
			return nil, err
		}
		prods = append(prods, more...)
	}
	seen := map[string]bool{}
	uniq := prods[:0]
	for _, p := range prods {
		if !seen[p.ID] {
			seen[p.ID] = true
			uniq = append(uniq, p)
		}
	}
	return rankCandidates(l, uniq), nil
}

// writeBatch resolves a batch of validated lines against what is stored and
// writes the new and changed listings with their index work.
func (s *Service) writeBatch(ctx context.Context, batch []pending) (counts, error) {
	var c counts
	if len(batch) == 0 {
		return c, nil
	}
	urls := make([][2]string, 0, len(batch))
	var exts [][2]string
	explicit := map[string]bool{}
	for _, p := range batch {
		urls = append(urls, [2]string{p.l.RetailerKey(), p.l.URLKey()})
		if p.l.ExternalID != "" {
			exts = append(exts, [2]string{p.l.RetailerKey(), p.l.ExternalID})
		}
		if p.explicitProduct && ids.Valid(p.l.ProductID) {
			explicit[p.l.ProductID] = false
		}
	}
	found, err := s.store.FindExisting(ctx, urls, exts)
	if err != nil {
		return c, err
	}
	if len(explicit) > 0 {
		refs, err := s.store.ProductRefs(ctx, keysOfMap(explicit))
		if err != nil {
			return c, err
		}
		for _, r := range refs {
			explicit[r.ID] = true
		}
	}
	byURL := map[[2]string]*Existing{}
	byExt := map[[2]string]*Existing{}
	for i := range found {
		e := &found[i]
		byURL[[2]string{e.RetailerKey, e.URLKey}] = e
		if e.ExternalID != "" {
			byExt[[2]string{e.RetailerKey, e.ExternalID}] = e
		}
	}
	type slot struct {
		l      Listing
		insert bool
		write  bool
	}
	var slots []*slot
	slotURL := map[[2]string]*slot{}
	slotExt := map[[2]string]*slot{}
	// remember records sl under its keys for later lines of the same batch.
	remember := func(sl *slot) {
		slotURL[[2]string{sl.l.RetailerKey(), sl.l.URLKey()}] = sl
		if sl.l.ExternalID != "" {
			slotExt[[2]string{sl.l.RetailerKey(), sl.l.ExternalID}] = sl
		}
	}
	now := s.now().UTC()
	for _, p := range batch {
		l := p.l
		if p.explicitProduct && l.ProductID != "" && !explicit[l.ProductID] {
			c.rejected = append(c.rejected, LineError{Line: p.line, Error: fmt.Sprintf("product_id: no product %q", clip(l.ProductID))})
			continue
		}
		uk := [2]string{l.RetailerKey(), l.URLKey()}
		ek := [2]string{l.RetailerKey(), l.ExternalID}
		prior := slotURL[uk]
		if l.ExternalID != "" {
			if sl := slotExt[ek]; sl != nil {
				if prior != nil && prior != sl {
					c.rejected = append(c.rejected, LineError{Line: p.line, Error: fmt.Sprintf(
						"listing_id %q and the URL belong to two different listings of %s", clip(l.ExternalID), l.Retailer)})
					continue
				}
				prior = sl
			}
		}
		if prior != nil {
			// A later line about the same listing supersedes the earlier one.
			if !p.observed && prior.l.ContentHash == l.ContentHash {
				l.ObservedAt = prior.l.ObservedAt
			}
			if prior.l.ContentHash == l.ContentHash && prior.l.ObservedAt.Equal(l.ObservedAt) && !p.explicitProduct {
				c.unchanged++
				continue
			}
			l.ID, l.CreatedAt, l.Version = prior.l.ID, prior.l.CreatedAt, prior.l.Version
			if !prior.insert && !prior.write {
				l.Version++
			}
			if !p.explicitProduct {
				l.ProductID, l.Link, l.MatchReason = prior.l.ProductID, prior.l.Link, prior.l.MatchReason
			}
			l.UpdatedAt = now
			prior.l, prior.write = l, true
			remember(prior)
			c.updated++
			continue
		}
		e1 := byURL[uk]
		var e2 *Existing
		if l.ExternalID != "" {
			e2 = byExt[ek]
		}
		if e1 != nil && e2 != nil && e1.ID != e2.ID {
			c.rejected = append(c.rejected, LineError{Line: p.line, Error: fmt.Sprintf(
				"listing_id %q belongs to listing %s but the URL to listing %s", clip(l.ExternalID), e2.ID, e1.ID)})
			continue
		}
		e := e1
		if e == nil {
			e = e2
		}
		sl := &slot{}
		switch {
		case e == nil:
			l.ID, l.CreatedAt, l.UpdatedAt, l.Version = ids.New(), now, now, 1
			sl.insert, sl.write = true, true
			c.imported++
		default:
			l.ID, l.CreatedAt, l.Version, l.UpdatedAt = e.ID, e.CreatedAt, e.Version, now
			if !p.explicitProduct {
				l.ProductID, l.Link, l.MatchReason = e.ProductID, e.Link, e.MatchReason
			}
			if !p.observed && e.ContentHash == l.ContentHash {
				l.ObservedAt = e.ObservedAt
			}
			same := e.ContentHash == l.ContentHash && e.ObservedAt.Equal(l.ObservedAt)
			if same && (!p.explicitProduct || (e.ProductID == l.ProductID && e.Link == LinkOfficer)) {
				c.unchanged++
			} else {
				l.Version++
				sl.write = true
				c.updated++
			}
		}
		if p.explicitProduct {
			l.Link, l.MatchReason = LinkOfficer, ReasonOfficer
		}
		sl.l = l
		slots = append(slots, sl)
		remember(sl)
	}
	var toMatch []*Listing
	var matchKeys []listingKeys
	var keys []string
	var bw BatchWrite
	for _, sl := range slots {
		if sl.write && sl.l.Link != LinkOfficer {
			k := keysOf(sl.l, false)
			toMatch, matchKeys = append(toMatch, &sl.l), append(matchKeys, k)
			keys = append(keys, k.lookupKeys(false)...)
		}
	}
	var prods []ProductRef
	if len(keys) > 0 {
		if prods, err = s.store.ProductsByKeys(ctx, slices.Compact(slices.Sorted(slices.Values(keys)))); err != nil {
			return c, err
		}
	}
	for i, l := range toMatch {
		if id, reason := autoMatchKeys(matchKeys[i], prods); id != "" {
			l.ProductID, l.Link, l.MatchReason = id, LinkAuto, reason
		} else {
			l.ProductID, l.Link, l.MatchReason = "", LinkNone, ""
		}
	}
	var updated []string
	for _, sl := range slots {
		switch {
		case !sl.write:
		case sl.insert:
			bw.Inserts = append(bw.Inserts, sl.l)
		default:
			bw.Updates = append(bw.Updates, sl.l)
			updated = append(updated, sl.l.ID)
		}
	}
	if len(bw.Inserts)+len(bw.Updates) == 0 {
		return c, nil
	}
	if err := s.store.WriteBatch(ctx, bw); err != nil {
		return c, err
	}
	return c, s.enqueueWritten(ctx, bw.Inserts, updated)
}

// enqueueWritten queues a batch's index work: new listings as one id range
// (their ids were minted together, in time order), changed ones one by one.
func (s *Service) enqueueWritten(ctx context.Context, inserted []Listing, updated []string) error {
	if len(inserted) > 2 {
		from, to := inserted[0].ID, inserted[0].ID
		for _, l := range inserted[1:] {
			from, to = min(from, l.ID), max(to, l.ID)
		}
		if err := s.store.EnqueueIDRange(ctx, from, to); err != nil {
			return err
		}
	} else {
		for _, l := range inserted {
			updated = append(updated, l.ID)
		}
	}
	return s.store.EnqueueListings(ctx, updated)
}

// counts are one batch's outcomes.
type counts struct {
	imported, updated, unchanged int64
	rejected                     []LineError
}

func keysOfMap(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
