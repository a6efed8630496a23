// Package bunstore implements the core stores on uptrace/bun, for SQLite and
// PostgreSQL alike. Transactions travel in the context so that a change and
// its audit entry always commit together.
package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// Store is the shared handle every bunstore repository embeds.
type Store struct {
	db  *database.DB
	now func() time.Time
	// writers queues this process's transactions on SQLite in Go, first come
	// first served. SQLite admits one writer at a time and its busy handler
	// makes a blocked writer sleep and poll, so under a sustained burst the
	// connection just released keeps winning and a waiter can starve past
	// the busy timeout (SQLITE_BUSY, a 500). Nil on PostgreSQL.
	writers chan struct{}
	// auditKey seals the keyed audit chain; nil writes the unkeyed chain,
	// which only a database not yet bound to a key accepts.
	auditKey *audit.Key
}

// Option configures a Store.
type Option func(*Store)

// WithAuditKey seals audit entries with the keyed chain under k.
func WithAuditKey(k *audit.Key) Option { return func(s *Store) { s.auditKey = k } }

// New returns a Store over db using now as the clock.
func New(db *database.DB, now func() time.Time, opts ...Option) *Store {
	s := &Store{db: db, now: now}
	if db.Engine == database.SQLite {
		s.writers = make(chan struct{}, 1)
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// DB returns the underlying database.
func (s *Store) DB() *database.DB { return s.db }

var _ txn.Runner = (*Store)(nil)

type txKey struct{}

// txState is the open transaction and the audit events waiting to be chained
// when it commits.
type txState struct {
	tx      bun.Tx
	pending []audit.Entry
	// afterCommit hooks run once the transaction has committed.
	afterCommit []func()
}

// InTx runs fn in a transaction, joining one already in ctx. Audit events
// recorded inside are chained just before commit, so the single audit_head
// row is locked last and only briefly.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	st := &txState{}
	err := s.queueWrite(ctx, func() error {
		return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			st.tx = tx
			ctx = context.WithValue(ctx, txKey{}, st)
			if err := fn(ctx); err != nil {
				return err
			}
			return s.flushAudit(ctx, tx, st.pending)
		})
	})
	if err != nil {
		return err
	}
	for _, f := range st.afterCommit {
		f()
	}
	return nil
}

// queueWrite runs write once this process's earlier transactions are done
// (on SQLite; at once on PostgreSQL).
func (s *Store) queueWrite(ctx context.Context, write func() error) error {
	if s.writers == nil {
		return write()
	}
	select {
	case s.writers <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writers }()
	return write()
}

// AfterCommit runs f once the transaction in ctx commits (immediately when
// there is none).
func AfterCommit(ctx context.Context, f func()) {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		st.afterCommit = append(st.afterCommit, f)
		return
	}
	f()
}

// idb returns the transaction in ctx or the database.
func (s *Store) idb(ctx context.Context) bun.IDB {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return st.tx
	}
	return s.db.DB
}

// inTx reports whether ctx carries a transaction.
func inTx(ctx context.Context) (*txState, bool) {
	st, ok := ctx.Value(txKey{}).(*txState)
	return st, ok
}

// notFound maps sql.ErrNoRows to the given domain sentinel.
func notFound(err, sentinel error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return sentinel
	}
	return err
}

// NextValue allocates the next value of a named gap-free counter in the
// transaction in ctx. The row lock (or SQLite's write lock) is held until the
// transaction ends, so concurrent callers get consecutive values and a
// rolled-back transaction gives its value back.
func (s *Store) NextValue(ctx context.Context, name string) (int64, error) {
	return s.nextValue(ctx, name)
}

// PeekValue returns the value NextValue would allocate now, without
// allocating it (another writer may take it first).
func (s *Store) PeekValue(ctx context.Context, name string) (int64, error) {
	var vs []int64
	if err := s.idb(ctx).NewSelect().Table("counters").Column("value").Where("name = ?", name).Scan(ctx, &vs); err != nil {
		return 0, fmt.Errorf("peek counter %s: %w", name, err)
	}
	if len(vs) == 0 {
		return 1, nil
	}
	return vs[0] + 1, nil
}

func (s *Store) nextValue(ctx context.Context, name string) (int64, error) {
	if _, ok := inTx(ctx); !ok {
		return 0, errors.New("next counter value: must run inside a transaction")
	}
	var v int64
	err := s.idb(ctx).NewRaw(
		`INSERT INTO counters (name, value) VALUES (?, 1)
		 ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
		 RETURNING value`, name).Scan(ctx, &v)
	if err != nil {
		return 0, fmt.Errorf("next value of counter %s: %w", name, err)
	}
	return v, nil
}
