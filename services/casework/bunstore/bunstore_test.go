package bunstore_test

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/pkg/testkit"
	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

func versions(t *testing.T, engine database.Engine) []string {
	t.Helper()
	sub, err := bunstore.MigrationFS(engine)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// Both engines must evolve through the same named versions.
func TestMigrationTreesMatch(t *testing.T) {
	pg, lite := versions(t, database.Postgres), versions(t, database.SQLite)
	if strings.Join(pg, "\n") != strings.Join(lite, "\n") {
		t.Fatalf("migration trees differ:\npg:     %v\nsqlite: %v", pg, lite)
	}
	if len(pg) == 0 {
		t.Fatal("no migrations")
	}
}

func open(t *testing.T) (*bunstore.Store, context.Context) {
	t.Helper()
	db := testkit.OpenDB(t)
	ctx := context.Background()
	if err := bunstore.Migrate(ctx, db, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	// Migrating twice is a no-op.
	if err := bunstore.Migrate(ctx, db, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	return bunstore.New(db, time.Now), principal.System(ctx, "test")
}

// Concurrent transactions get consecutive counter values; rolled-back ones
// leave no gap.
func TestCounterIsGapFreeUnderConcurrency(t *testing.T) {
	s, ctx := open(t)
	const n = 60
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		got  []int64
		errs []error
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var v int64
			err := s.InTx(ctx, func(ctx context.Context) error {
				var err error
				v, err = s.NextValue(ctx, "test/2026")
				if err != nil {
					return err
				}
				if i%5 == 0 {
					return errRollback
				}
				return nil
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == errRollback:
			case err != nil:
				errs = append(errs, err)
			default:
				got = append(got, v)
			}
		}(i)
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	for i, v := range got {
		if v != int64(i+1) {
			t.Fatalf("values %v are not 1..%d without gaps", got, len(got))
		}
	}
	if len(got) != n-n/5 {
		t.Fatalf("got %d values, want %d", len(got), n-n/5)
	}
}

var errRollback = &rollbackError{}

type rollbackError struct{}

func (*rollbackError) Error() string { return "rollback" }

// Concurrent writers must extend one chain, never fork it.
func TestAuditChainUnderConcurrency(t *testing.T) {
	s, ctx := open(t)
	log := bunstore.Audit{Store: s}
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InTx(ctx, func(ctx context.Context) error {
				if err := log.Record(ctx, audit.Event{Action: "test.a", ObjectType: "thing", ObjectID: "1"}); err != nil {
					return err
				}
				return log.Record(ctx, audit.Event{Action: "test.b", ObjectType: "thing", ObjectID: "1", Detail: map[string]any{"£": "é"}})
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	res, err := audit.Verify(ctx, log, audit.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Entries != 80 {
		t.Fatalf("chain after concurrent appends: %+v", res)
	}
	// Events of a rolled-back transaction leave no trace.
	_ = s.InTx(ctx, func(ctx context.Context) error {
		_ = log.Record(ctx, audit.Event{Action: "test.c", ObjectType: "thing", ObjectID: "2"})
		return errRollback
	})
	if res, _ = audit.Verify(ctx, log, audit.VerifyOptions{}); res.Entries != 80 || !res.OK {
		t.Fatalf("rolled-back event changed the chain: %+v", res)
	}
}
