// Package tamper edits a TradeWarden database and blob store the way
// someone with direct access to them would, so integrity tests (CLI and
// HTTP, on both engines) can check that `audit verify` notices.
package tamper

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
)

// Exec runs a statement or fails the test.
func Exec(t testing.TB, db *database.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("tamper: %s: %v", query, err)
	}
}

// Scalar reads one value or fails the test.
func Scalar[T any](t testing.TB, db *database.DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := db.NewRaw(query, args...).Scan(context.Background(), &v); err != nil {
		t.Fatalf("tamper: %s: %v", query, err)
	}
	return v
}

// EntryOf returns the sequence number of the first audit entry with action
// on object id.
func EntryOf(t testing.TB, db *database.DB, action, id string) int64 {
	t.Helper()
	return Scalar[int64](t, db, "SELECT MIN(seq) FROM audit_log WHERE action = ? AND object_id = ?", action, id)
}

// Head returns the recorded head of the chain.
func Head(t testing.TB, db *database.DB) int64 {
	t.Helper()
	return Scalar[int64](t, db, "SELECT seq FROM audit_head WHERE id = 1")
}

// SetNoticeColumn overwrites one stored column of a notice and returns a
// function that puts the old value back.
func SetNoticeColumn(t testing.TB, db *database.DB, noticeID, column, value string) (undo func()) {
	t.Helper()
	old := Scalar[string](t, db, "SELECT "+column+" FROM notices WHERE id = ?", noticeID)
	Exec(t, db, "UPDATE notices SET "+column+" = ? WHERE id = ?", value, noticeID)
	return func() { Exec(t, db, "UPDATE notices SET "+column+" = ? WHERE id = ?", old, noticeID) }
}

// ReplaceExhibit stores other bytes in the blob store and points the exhibit
// at them, rewriting its sha256 and size together: the stored bytes then
// match the stored hash, so re-hashing alone sees nothing wrong. It returns
// the new hash and a function that puts the old hash and size back.
func ReplaceExhibit(t testing.TB, db *database.DB, blobDir, exhibitID string, content []byte) (sha string, undo func()) {
	t.Helper()
	store, err := blobstore.Open(blobDir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Put(context.Background(), bytes.NewReader(content), int64(len(content))+1)
	if err != nil {
		t.Fatal(err)
	}
	oldSHA := Scalar[string](t, db, "SELECT sha256 FROM exhibits WHERE id = ?", exhibitID)
	oldSize := Scalar[int64](t, db, "SELECT size FROM exhibits WHERE id = ?", exhibitID)
	Exec(t, db, "UPDATE exhibits SET sha256 = ?, size = ? WHERE id = ?", b.SHA256, b.Size, exhibitID)
	return b.SHA256, func() {
		Exec(t, db, "UPDATE exhibits SET sha256 = ?, size = ? WHERE id = ?", oldSHA, oldSize, exhibitID)
	}
}

// Truncate deletes every audit entry after keep and moves the head back to
// entry keep, leaving a shorter chain that is consistent in itself.
func Truncate(t testing.TB, db *database.DB, keep int64) {
	t.Helper()
	hash := Scalar[string](t, db, "SELECT hash FROM audit_log WHERE seq = ?", keep)
	Exec(t, db, "DELETE FROM audit_log WHERE seq > ?", keep)
	Exec(t, db, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", keep, hash)
}

// Entries reads the whole chain up to the head.
func Entries(t testing.TB, db *database.DB) []audit.Entry {
	t.Helper()
	log := bunstore.Audit{Store: bunstore.New(db, time.Now)}
	var out []audit.Entry
	ctx := context.Background()
	if err := log.Scan(ctx, Head(t, db), func(e audit.Entry) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// Recompute rewrites every entry's prev_hash, hash and chain version with
// seal, and the head to match: what someone rewriting the log wholesale
// would do. edit, when set, changes each entry first.
func Recompute(t testing.TB, db *database.DB, seal func(prev string, e *audit.Entry), edit func(e *audit.Entry)) {
	t.Helper()
	prev := audit.GenesisHash
	for _, e := range Entries(t, db) {
		if edit != nil {
			edit(&e)
		}
		// A seal that leaves an entry alone keeps its stored link and hash.
		seal(prev, &e)
		Exec(t, db, "UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ?, chain = ? WHERE seq = ?", e.Detail, e.PrevHash, e.Hash, e.Chain, e.Seq)
		prev = e.Hash
	}
	Exec(t, db, "UPDATE audit_head SET hash = ? WHERE id = 1", prev)
}

// SealUnkeyed seals with plain SHA-256 but keeps the entry's keyed label, as
// someone who knows the formula but not the key would.
func SealUnkeyed(prev string, e *audit.Entry) {
	chain := e.Chain
	audit.Seal(prev, e)
	e.Chain = chain
}

// WrongKey returns a key no TradeWarden instance holds.
func WrongKey(t testing.TB) *audit.Key {
	t.Helper()
	k, err := audit.NewKey(bytes.Repeat([]byte("wrong key!"), 4))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
