// Package audit defines the tamper-evident audit log: every change appends an
// entry whose hash covers the previous entry's hash, so editing, deleting or
// reordering any stored row breaks the chain and is detected by Verify.
//
// Entries written since the keyed chain began are sealed with HMAC-SHA-256
// under a key kept outside the database (see Key), so someone who can write
// the database but not read the key cannot recompute the chain; signed
// checkpoints of the head (see Checkpoint), kept elsewhere, expose a log
// that was truncated or rewritten wholesale.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Chain versions: how an entry's hash is computed.
const (
	// ChainSHA256 is the unkeyed chain of the first releases:
	// hash = SHA-256(prev_hash ‖ "\n" ‖ canonical entry).
	ChainSHA256 = 1
	// ChainHMAC is the keyed chain: hash = HMAC-SHA-256(key, domain ‖
	// prev_hash ‖ "\n" ‖ canonical entry).
	ChainHMAC = 2
)

// ActionChainKeyed is the action of the entry that begins the keyed chain;
// its detail names the key and the unkeyed head it seals.
const ActionChainKeyed = "audit.chain.keyed"

// ActionCheckpoint records that a signed checkpoint of the head was taken.
const ActionCheckpoint = "audit.checkpoint"

// GenesisHash is the prev_hash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is what a service records about a change; the log fills in who, when
// and the chain fields.
type Event struct {
	Action     string
	ObjectType string
	ObjectID   string
	// Detail is marshalled to JSON; use structs or maps (maps marshal with sorted keys).
	Detail any
	// Authority overrides the acting authority code (e.g. a login, which has none yet).
	Authority string
	// Actor overrides the acting principal label (e.g. a failed login's email).
	Actor string
	// CaseID ties the event to a case so it appears on the case timeline.
	CaseID string
}

// Entry is one stored, chained audit record.
type Entry struct {
	Seq        int64
	At         time.Time
	ActorID    string
	Actor      string
	Authority  string
	Action     string
	ObjectType string
	ObjectID   string
	CaseID     string
	RequestID  string
	Detail     string // canonical JSON, stored and hashed verbatim
	PrevHash   string
	Hash       string
	// Chain is the chain version that sealed the entry (ChainSHA256 or ChainHMAC).
	Chain int
}

// Log records events in the caller's transaction.
type Log interface {
	Record(ctx context.Context, ev Event) error
}

// Filter selects entries for listing.
type Filter struct {
	ObjectType string
	ObjectID   string
	// CaseID selects the entries of one case's timeline.
	CaseID    string
	Authority string
	// Ascending lists oldest first (timelines); the default is newest first.
	Ascending bool
	// Before is the exclusive keyset bound on Seq (an upper bound newest-first, a lower bound when Ascending); 0 means none.
	Before int64
	Limit  int
}

// Reader lists and scans stored entries.
type Reader interface {
	List(ctx context.Context, f Filter) ([]Entry, error)
	// Scan calls fn for every entry with Seq <= upTo, in sequence order.
	Scan(ctx context.Context, upTo int64, fn func(Entry) error) error
	// Head returns the last sequence number and hash the log recorded.
	Head(ctx context.Context) (seq int64, hash string, err error)
}

// MarshalDetail returns the canonical JSON for a detail value ("{}" for nil).
func MarshalDetail(v any) (string, error) {
	if v == nil {
		return "{}", nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return "", fmt.Errorf("compact audit detail: %w", err)
		}
		return buf.String(), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal audit detail: %w", err)
	}
	return string(b), nil
}

// Canonical is the byte string the entry's hash covers. Times are UTC with
// microsecond precision, which both engines store exactly.
func (e Entry) Canonical() []byte {
	var b bytes.Buffer
	b.WriteString(`{"seq":`)
	b.WriteString(strconv.FormatInt(e.Seq, 10))
	field := func(name, value string) {
		b.WriteString(`,"` + name + `":`)
		q, _ := json.Marshal(value)
		b.Write(q)
	}
	field("at", e.At.UTC().Format("2006-01-02T15:04:05.000000Z"))
	field("actor_id", e.ActorID)
	field("actor", e.Actor)
	field("authority", e.Authority)
	field("action", e.Action)
	field("object_type", e.ObjectType)
	field("object_id", e.ObjectID)
	field("case_id", e.CaseID)
	field("request_id", e.RequestID)
	b.WriteString(`,"detail":`)
	b.WriteString(e.Detail)
	b.WriteString("}")
	return b.Bytes()
}

// ComputeHash returns SHA-256 over the previous hash and the canonical entry.
func ComputeHash(prevHash string, e Entry) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write([]byte{'\n'})
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets PrevHash and Hash on e, chaining it after prevHash with the
// unkeyed chain (databases and tests that have no key).
func Seal(prevHash string, e *Entry) {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.PrevHash, e.Chain = prevHash, ChainSHA256
	e.Hash = ComputeHash(prevHash, *e)
}
