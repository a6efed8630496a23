// Package testkit gives tests a fresh, real database on the engine under
// test: SQLite in a temp dir by default, or a throw-away PostgreSQL schema
// when TW_TEST_DB=postgres (with TW_TEST_POSTGRES_URL naming the server).
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/tradewarden/tradewarden/pkg/database"
)

// Engine is the database engine tests run on.
func Engine() database.Engine {
	if os.Getenv("TW_TEST_DB") == "postgres" {
		return database.Postgres
	}
	return database.SQLite
}

// DatabaseURL returns the URL of a new, empty database for t. On PostgreSQL
// it is a fresh schema (selected through search_path) dropped at cleanup.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	if Engine() == database.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), database.DefaultFile)
	}
	base := os.Getenv("TW_TEST_POSTGRES_URL")
	if base == "" {
		t.Fatal("TW_TEST_DB=postgres needs TW_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	schema := "t_" + randomHex(8)
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(base)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Logf("drop test schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse TW_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenDB opens a new, empty database for t, closed at cleanup.
func OpenDB(t testing.TB) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), DatabaseURL(t), t.TempDir())
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Clock is real time shifted by an offset tests can advance, so time keeps
// moving (ordering stays meaningful) while tests can jump past expiries.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock returns a clock running at real time.
func NewClock() *Clock { return &Clock{} }

// Now returns the shifted time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// EmptyDatabaseLike returns the URL of a new, empty database to restore a
// backup of src into: a fresh SQLite file, or on PostgreSQL a fresh database
// (dropped at cleanup) selecting the same schema name as src, which the
// restored dump recreates.
func EmptyDatabaseLike(t testing.TB, src string) string {
	t.Helper()
	if Engine() == database.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), database.DefaultFile)
	}
	base := os.Getenv("TW_TEST_POSTGRES_URL")
	name := "tw_restore_" + randomHex(6)
	admin := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(base)))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		t.Fatalf("create restore database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop restore database %s: %v", name, err)
		}
		_ = admin.Close()
	})
	su, err := url.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("search_path", su.Query().Get("search_path"))
	u.RawQuery = q.Encode()
	return u.String()
}
