package blevesearch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/blevesearch"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/searchtest"
)

func open(t *testing.T, dir string) *blevesearch.Engine {
	t.Helper()
	e, err := blevesearch.Open(dir, blevesearch.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return e
}

func current(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestReopenServesTheSameResults(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	e := open(t, dir)
	docs := searchtest.Corpus(120)
	if err := e.Upsert(ctx, docs); err != nil {
		t.Fatal(err)
	}
	q := search.Query{Q: "camera", MarketType: search.MarketMarketplace}
	before, err := e.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e = open(t, dir)
	defer e.Close()
	if n, _ := e.Count(ctx); n != 120 {
		t.Fatalf("Count after reopen = %d", n)
	}
	after, err := e.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != before.Total || len(after.Items) != len(before.Items) || after.Items[0].ListingID != before.Items[0].ListingID {
		t.Errorf("results changed across reopen: %d/%d items, %d/%d total", len(after.Items), len(before.Items), after.Total, before.Total)
	}
	for name, want := range before.Facets {
		if got := after.Facets[name]; len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
			t.Errorf("facet %s changed across reopen: %v vs %v", name, got, want)
		}
	}
}

func TestRebuildSwitchesGenerationOnDisk(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	e := open(t, dir)
	if err := e.Upsert(ctx, searchtest.Corpus(10)); err != nil {
		t.Fatal(err)
	}
	first := current(t, dir)
	if err := e.Rebuild(ctx, searchtest.Emit(25)); err != nil {
		t.Fatal(err)
	}
	second := current(t, dir)
	if first == second {
		t.Fatalf("CURRENT still names %s", first)
	}
	if _, err := os.Stat(filepath.Join(dir, first)); !os.IsNotExist(err) {
		t.Errorf("old generation %s not removed: %v", first, err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = open(t, dir)
	defer e.Close()
	if n, _ := e.Count(ctx); n != 25 {
		t.Errorf("Count after reopening the rebuilt index = %d, want 25", n)
	}
}

func TestOpenDiscardsDebrisOfInterruptedRebuild(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	e := open(t, dir)
	if err := e.Upsert(ctx, searchtest.Corpus(7)); err != nil {
		t.Fatal(err)
	}
	live := current(t, dir)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// A crash mid-rebuild leaves a half-written generation and perhaps a
	// half-written pointer file; neither is live.
	half := filepath.Join(dir, "gen-000099")
	if err := os.MkdirAll(filepath.Join(half, "shard-0"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(half, "shard-0", "garbage.zap"), []byte("partial"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "CURRENT.tmp"), []byte("gen-0000"), 0o640); err != nil {
		t.Fatal(err)
	}

	e = open(t, dir)
	defer e.Close()
	if current(t, dir) != live {
		t.Errorf("CURRENT changed to %s", current(t, dir))
	}
	for _, p := range []string{half, filepath.Join(dir, "CURRENT.tmp")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s not removed on open", p)
		}
	}
	if n, _ := e.Count(ctx); n != 7 {
		t.Errorf("Count = %d, want 7", n)
	}
}

func TestOpenRejectsForeignFormats(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir)
	gen := current(t, dir)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, gen, "meta.json"), []byte(`{"format":99,"shards":2}`), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := blevesearch.Open(dir, blevesearch.Options{}); !errors.Is(err, blevesearch.ErrFormat) {
		t.Errorf("Open of an unknown format: %v, want ErrFormat", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "CURRENT"), []byte("../../etc\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := blevesearch.Open(dir, blevesearch.Options{}); err == nil {
		t.Error("Open accepted a CURRENT that names no generation")
	}
}

func TestClosedEngineRefusesWork(t *testing.T) {
	e, err := blevesearch.NewMem(blevesearch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx := context.Background()
	if _, err := e.Search(ctx, search.Query{}); !errors.Is(err, blevesearch.ErrClosed) {
		t.Errorf("Search: %v", err)
	}
	if err := e.Upsert(ctx, searchtest.Corpus(1)); !errors.Is(err, blevesearch.ErrClosed) {
		t.Errorf("Upsert: %v", err)
	}
	if _, err := e.Count(ctx); !errors.Is(err, blevesearch.ErrClosed) {
		t.Errorf("Count: %v", err)
	}
	if err := e.Rebuild(ctx, searchtest.Emit(1)); !errors.Is(err, blevesearch.ErrClosed) {
		t.Errorf("Rebuild: %v", err)
	}
}

func TestCloseInterruptsRebuild(t *testing.T) {
	dir := t.TempDir()
	e := open(t, dir)
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- e.Rebuild(context.Background(), func(ctx context.Context, emit func(search.Doc) error) error {
			if err := emit(searchtest.Listing(0)); err != nil {
				return err
			}
			close(started)
			<-ctx.Done() // a source that would take for ever
			return ctx.Err()
		})
	}()
	<-started
	closed := make(chan error, 1)
	go func() { closed <- e.Close() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("an interrupted rebuild reported success")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not interrupt the rebuild")
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	gens := 0
	for _, en := range entries {
		if strings.HasPrefix(en.Name(), "gen-") {
			gens++
		}
	}
	if gens != 1 {
		t.Errorf("%d generation directories left, want only the live one", gens)
	}
}
