package listings

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// memIndexStore is an in-memory IndexStore.
type memIndexStore struct {
	mu       sync.Mutex
	seq      int64
	items    []memItem
	docs     map[string]search.Doc
	products map[string][]string
	rebuilds map[string]Rebuild
}

type memItem struct {
	OutboxItem
	next time.Time
	err  string
}

func newMemIndexStore() *memIndexStore {
	return &memIndexStore{docs: map[string]search.Doc{}, products: map[string][]string{}, rebuilds: map[string]Rebuild{}}
}

func (m *memIndexStore) add(kind string, refs []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range refs {
		m.seq++
		m.items = append(m.items, memItem{OutboxItem: OutboxItem{Seq: m.seq, Kind: kind, Ref: r}})
	}
}

func (m *memIndexStore) EnqueueListings(_ context.Context, ids []string) error {
	m.add(OutboxListing, ids)
	return nil
}

func (m *memIndexStore) EnqueueProducts(_ context.Context, ids []string) error {
	m.add(OutboxProduct, ids)
	return nil
}

func (m *memIndexStore) EnqueueIDRange(_ context.Context, from, to string) error {
	m.add(OutboxRange, []string{from + " " + to})
	return nil
}

func (m *memIndexStore) DocsBetween(ctx context.Context, from, to, after string, limit int) ([]search.Doc, error) {
	var ids []string
	for id := range m.docs {
		if id >= from && id <= to && id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return m.LoadDocs(ctx, ids[:min(limit, len(ids))])
}

func (m *memIndexStore) DueOutbox(_ context.Context, now time.Time, limit int) ([]OutboxItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []OutboxItem
	for _, it := range m.items {
		if !it.next.After(now) && len(out) < limit {
			out = append(out, it.OutboxItem)
		}
	}
	return out, nil
}

func (m *memIndexStore) NextDue(context.Context) (time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var first time.Time
	for _, it := range m.items {
		if first.IsZero() || it.next.Before(first) {
			first = it.next
		}
	}
	return first, len(m.items) > 0, nil
}

func (m *memIndexStore) AckOutbox(_ context.Context, seqs []int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items = slices.DeleteFunc(m.items, func(it memItem) bool { return slices.Contains(seqs, it.Seq) })
	return nil
}

func (m *memIndexStore) RetryOutbox(_ context.Context, seqs []int64, next time.Time, msg string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.items {
		if slices.Contains(seqs, m.items[i].Seq) {
			m.items[i].Attempts++
			m.items[i].next, m.items[i].err = next, msg
		}
	}
	return nil
}

func (m *memIndexStore) OutboxLag(context.Context) (Lag, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Lag{Pending: int64(len(m.items))}, nil
}

func (m *memIndexStore) ProductListingIDs(_ context.Context, productID, after string, limit int) ([]string, error) {
	var out []string
	for _, id := range m.products[productID] {
		if id > after && len(out) < limit {
			out = append(out, id)
		}
	}
	return out, nil
}

func (m *memIndexStore) LoadDocs(_ context.Context, ids []string) ([]search.Doc, error) {
	var out []search.Doc
	for _, id := range ids {
		if d, ok := m.docs[id]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *memIndexStore) ScanDocs(_ context.Context, emit func(search.Doc) error) error {
	var ids []string
	for id := range m.docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := emit(m.docs[id]); err != nil {
			return err
		}
	}
	return nil
}

func (m *memIndexStore) CountListings(context.Context) (int64, error) { return int64(len(m.docs)), nil }

func (m *memIndexStore) RequestRebuild(_ context.Context, r Rebuild) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rebuilds[r.ID] = r
	return nil
}

func (m *memIndexStore) GetRebuild(_ context.Context, id string) (Rebuild, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rebuilds[id], nil
}

func (m *memIndexStore) PendingRebuild(context.Context) (Rebuild, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.rebuilds {
		if r.FinishedAt == nil {
			return r, true, nil
		}
	}
	return Rebuild{}, false, nil
}

func (m *memIndexStore) SaveRebuild(_ context.Context, r Rebuild) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rebuilds[r.ID] = r
	return nil
}

// fakeIndex records writes and fails those touching a poisoned id.
type fakeIndex struct {
	mu       sync.Mutex
	docs     map[string]search.Doc
	poison   string
	failures int // fail this many more writes
	rebuilt  int
}

func (f *fakeIndex) Upsert(_ context.Context, docs []search.Doc) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures > 0 {
		f.failures--
		return errors.New("index unavailable")
	}
	for _, d := range docs {
		if d.ListingID == f.poison {
			return errors.New("document rejected")
		}
	}
	for _, d := range docs {
		f.docs[d.ListingID] = d
	}
	return nil
}

func (f *fakeIndex) Delete(_ context.Context, ids []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		delete(f.docs, id)
	}
	return nil
}

func (f *fakeIndex) Search(context.Context, search.Query) (search.Result, error) {
	return search.Result{}, nil
}

func (f *fakeIndex) SearchProducts(context.Context, search.ProductQuery) (search.ProductResult, error) {
	return search.ProductResult{}, nil
}

func (f *fakeIndex) Rebuild(ctx context.Context, src search.Source) error {
	fresh := map[string]search.Doc{}
	if err := src(ctx, func(d search.Doc) error { fresh[d.ListingID] = d; return nil }); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.docs = fresh
	f.rebuilt++
	return nil
}

func (f *fakeIndex) Count(context.Context) (int64, error) { return int64(len(f.docs)), nil }
func (f *fakeIndex) Close() error                         { return nil }

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func doc(id, product string) search.Doc {
	return search.Doc{ListingID: id, ProductID: product, Title: id, MarketType: search.MarketRetailer, Status: search.StatusLive}
}

func TestIndexerDrainsExpandsProductsAndDeletes(t *testing.T) {
	ctx := context.Background()
	st, idx := newMemIndexStore(), &fakeIndex{docs: map[string]search.Doc{"gone": doc("gone", "")}}
	clock := &fakeClock{t: testNow}
	x := NewIndexer(st, idx, clock.now, IndexerOptions{Batch: 2})
	for _, id := range []string{"l1", "l2", "l3"} {
		st.docs[id] = doc(id, "p1")
	}
	st.products["p1"] = []string{"l1", "l2", "l3"}
	st.docs["r1"], st.docs["r2"], st.docs["s9"] = doc("r1", ""), doc("r2", ""), doc("s9", "")
	_ = st.EnqueueListings(ctx, []string{"l1", "gone"})
	_ = st.EnqueueProducts(ctx, []string{"p1"})
	_ = st.EnqueueIDRange(ctx, "r0", "r9")
	n, err := x.Drain(ctx)
	if err != nil || n != 4 {
		t.Fatalf("drain: %d %v", n, err)
	}
	if len(idx.docs) != 5 || idx.docs["gone"].ListingID != "" || idx.docs["s9"].ListingID != "" {
		t.Errorf("index holds %v", idx.docs)
	}
	if lag, _ := x.Lag(ctx); lag.Pending != 0 {
		t.Errorf("lag %+v", lag)
	}
}

func TestIndexerBacksOffAndIsolatesBadItems(t *testing.T) {
	ctx := context.Background()
	st, idx := newMemIndexStore(), &fakeIndex{docs: map[string]search.Doc{}, poison: "bad", failures: 1}
	clock := &fakeClock{t: testNow}
	x := NewIndexer(st, idx, clock.now, IndexerOptions{BaseBackoff: time.Second, MaxBackoff: 8 * time.Second})
	for _, id := range []string{"a", "bad", "c"} {
		st.docs[id] = doc(id, "")
	}
	_ = st.EnqueueListings(ctx, []string{"a", "bad", "c"})
	// The whole batch fails once (index down); items are retried one by one
	// at once and only the poisoned one stays behind, scheduled for later.
	if _, err := x.Step(ctx); err == nil {
		t.Fatal("want the poisoned item's error")
	}
	if len(idx.docs) != 2 || len(st.items) != 1 || st.items[0].Ref != "bad" || st.items[0].Attempts != 1 {
		t.Fatalf("after the first step: index %v, outbox %+v", idx.docs, st.items)
	}
	var delays []time.Duration
	for attempt := 0; attempt < 5; attempt++ {
		if n, _ := x.Step(ctx); n != 0 {
			t.Fatalf("attempt %d ran before its backoff expired", attempt)
		}
		next, _, _ := st.NextDue(ctx)
		delays = append(delays, next.Sub(clock.now()))
		clock.advance(next.Sub(clock.now()))
		_, _ = x.Step(ctx)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	if !slices.Equal(delays, want) {
		t.Errorf("backoff delays %v, want %v", delays, want)
	}
	idx.poison = ""
	clock.advance(time.Minute)
	if n, err := x.Drain(ctx); err != nil || n != 1 || len(st.items) != 0 {
		t.Fatalf("recovered: %d %v %+v", n, err, st.items)
	}
}

func TestIndexerServesRebuildRequests(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, idx := newMemIndexStore(), &fakeIndex{docs: map[string]search.Doc{"stale": doc("stale", "")}}
	for _, id := range []string{"l1", "l2"} {
		st.docs[id] = doc(id, "")
	}
	x := NewIndexer(st, idx, time.Now, IndexerOptions{Poll: 10 * time.Millisecond})
	go x.Run(ctx, func(err error) { t.Error(err) })
	r, err := RequestRebuild(ctx, st, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	r, err = WaitRebuild(wctx, st, r.ID, 5*time.Millisecond, nil)
	if err != nil || r.Done != 2 || r.StartedAt == nil {
		t.Fatalf("rebuild: %+v %v", r, err)
	}
	idx.mu.Lock()
	defer idx.mu.Unlock()
	if idx.rebuilt != 1 || len(idx.docs) != 2 {
		t.Errorf("index after rebuild: %v", idx.docs)
	}
}
