// Package audit defines the tamper-evident audit log: every change appends an
// entry whose hash covers the previous entry's hash, so editing, deleting or
// reordering any stored row breaks the chain and is detected by Verify.
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

// Seal sets PrevHash and Hash on e, chaining it after prevHash.
func Seal(prevHash string, e *Entry) {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.PrevHash = prevHash
	e.Hash = ComputeHash(prevHash, *e)
}

// Result is the outcome of verifying the whole chain.
type Result struct {
	OK       bool   `json:"ok"`
	Entries  int64  `json:"entries"`
	FirstBad *int64 `json:"first_bad_id,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Verify walks every entry up to the recorded head and checks sequence
// continuity, each prev_hash link, each hash, and that the chain ends exactly
// at the head. Reading the head first gives a consistent cut while new
// entries keep arriving.
func Verify(ctx context.Context, r Reader) (Result, error) {
	headSeq, headHash, err := r.Head(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read audit head: %w", err)
	}
	var (
		res      = Result{OK: true}
		prev     = GenesisHash
		expected = int64(1)
	)
	fail := func(seq int64, reason string) {
		if res.OK {
			res.OK, res.FirstBad, res.Reason = false, &seq, reason
		}
	}
	err = r.Scan(ctx, headSeq, func(e Entry) error {
		res.Entries++
		if !res.OK {
			return nil
		}
		switch {
		case e.Seq != expected:
			fail(expected, fmt.Sprintf("entry %d is missing (next stored entry is %d)", expected, e.Seq))
		case e.PrevHash != prev:
			fail(e.Seq, "prev_hash does not match the previous entry's hash")
		case ComputeHash(e.PrevHash, e) != e.Hash:
			fail(e.Seq, "hash does not match the entry's contents")
		}
		prev, expected = e.Hash, e.Seq+1
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("scan audit log: %w", err)
	}
	if res.OK && (expected-1 != headSeq || (headSeq > 0 && prev != headHash)) {
		fail(expected, fmt.Sprintf("the chain ends at entry %d but the head records entry %d", expected-1, headSeq))
	}
	return res, nil
}
