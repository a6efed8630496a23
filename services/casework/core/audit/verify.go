package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// VerifyOptions says what to verify the chain with.
type VerifyOptions struct {
	// Key is the audit key; nil verifies an unkeyed chain only (any keyed
	// entry then fails).
	Key *Key
	// Checkpoints are escrowed heads the log must still extend.
	Checkpoints []Checkpoint
	// Each, when set, sees every entry up to the head in sequence order
	// (stored-state checks collect what the log recorded).
	Each func(Entry)
}

// Result is the outcome of verifying the whole chain.
type Result struct {
	OK       bool   `json:"ok"`
	Entries  int64  `json:"entries"`
	HeadSeq  int64  `json:"head_seq"`
	HeadHash string `json:"head_hash"`
	// KeyedFrom is the first keyed entry (0: none); KeyID the key it names.
	KeyedFrom int64  `json:"keyed_from"`
	KeyID     string `json:"key_id,omitempty"`
	// FirstBad is the first entry whose integrity cannot be established.
	FirstBad    *int64             `json:"first_bad_id,omitempty"`
	Reason      string             `json:"reason,omitempty"`
	Checkpoints []CheckpointResult `json:"checkpoints,omitempty"`
}

// CheckpointResult is the outcome of checking the log against one checkpoint.
type CheckpointResult struct {
	Seq     int64     `json:"seq"`
	TakenAt time.Time `json:"taken_at"`
	OK      bool      `json:"ok"`
	Reason  string    `json:"reason,omitempty"`
}

// Verify walks every entry up to the recorded head and checks sequence
// continuity, each prev_hash link, each hash under the chain version that
// sealed it, that the keyed chain (once begun) never falls back to the
// unkeyed one, that the chain ends exactly at the head, and that the log
// still extends every checkpoint. Reading the head first gives a consistent
// cut while new entries keep arriving.
func Verify(ctx context.Context, r Reader, o VerifyOptions) (Result, error) {
	headSeq, headHash, err := r.Head(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read audit head: %w", err)
	}
	v := &verifier{o: o, res: Result{OK: true, HeadSeq: headSeq, HeadHash: headHash}, prev: GenesisHash, expected: 1,
		hashAt: map[int64]string{}}
	for _, c := range o.Checkpoints {
		v.hashAt[c.Seq] = ""
	}
	if err := r.Scan(ctx, headSeq, v.entry); err != nil {
		return Result{}, fmt.Errorf("scan audit log: %w", err)
	}
	v.finish()
	return v.res, nil
}

type verifier struct {
	o        VerifyOptions
	res      Result
	prev     string
	expected int64
	// hashAt holds the stored hash at each checkpoint's sequence number.
	hashAt map[int64]string
}

// fail records a break; the earliest one is reported.
func (v *verifier) fail(seq int64, reason string) {
	if v.res.OK || v.res.FirstBad == nil || seq < *v.res.FirstBad {
		v.res.FirstBad, v.res.Reason = &seq, reason
	}
	v.res.OK = false
}

func (v *verifier) entry(e Entry) error {
	v.res.Entries++
	if v.o.Each != nil {
		v.o.Each(e)
	}
	if _, ok := v.hashAt[e.Seq]; ok {
		v.hashAt[e.Seq] = e.Hash
	}
	if v.res.FirstBad == nil {
		if seq, reason := v.check(e); reason != "" {
			v.fail(seq, reason)
		}
	}
	v.prev, v.expected = e.Hash, e.Seq+1
	return nil
}

// check returns the first problem with e, and the entry it concerns.
func (v *verifier) check(e Entry) (int64, string) {
	switch {
	case e.Seq != v.expected:
		return v.expected, fmt.Sprintf("entry %d is missing (next stored entry is %d)", v.expected, e.Seq)
	case e.PrevHash != v.prev:
		return e.Seq, "prev_hash does not match the previous entry's hash"
	}
	switch e.Chain {
	case ChainSHA256:
		if v.res.KeyedFrom > 0 {
			return e.Seq, fmt.Sprintf("entry is unkeyed but the keyed chain began at entry %d: the log was recomputed without the audit key", v.res.KeyedFrom)
		}
		if !validHash(e.Hash, ComputeHash(e.PrevHash, e)) {
			return e.Seq, "hash does not match the entry's contents"
		}
	case ChainHMAC:
		if v.o.Key == nil {
			return e.Seq, "entry is sealed with the audit key (HMAC-SHA-256) but no key was loaded: set TW_AUDIT_KEY_FILE to the key file"
		}
		if !validHash(e.Hash, v.o.Key.ComputeHash(e.PrevHash, e)) {
			return e.Seq, "keyed hash (HMAC-SHA-256) does not match the entry's contents: it was changed, or the chain was recomputed without this key"
		}
		if v.res.KeyedFrom == 0 {
			return v.startKeyed(e)
		}
	default:
		return e.Seq, fmt.Sprintf("unknown chain version %d", e.Chain)
	}
	return 0, ""
}

// startKeyed checks the entry that begins the keyed chain.
func (v *verifier) startKeyed(e Entry) (int64, string) {
	var start ChainStart
	if e.Action != ActionChainKeyed || json.Unmarshal([]byte(e.Detail), &start) != nil {
		return e.Seq, fmt.Sprintf("the keyed chain must begin with an %s entry", ActionChainKeyed)
	}
	if start.KeyID != v.o.Key.ID() {
		return e.Seq, fmt.Sprintf("the keyed chain names key %s, not the loaded key %s", start.KeyID, v.o.Key.ID())
	}
	if start.UnkeyedEntries != e.Seq-1 {
		return e.Seq, fmt.Sprintf("the keyed chain records %d unkeyed entries before it, not %d", start.UnkeyedEntries, e.Seq-1)
	}
	v.res.KeyedFrom, v.res.KeyID = e.Seq, start.KeyID
	return 0, ""
}

func (v *verifier) finish() {
	res := &v.res
	if res.FirstBad == nil && (v.expected-1 != res.HeadSeq || (res.HeadSeq > 0 && v.prev != res.HeadHash)) {
		v.fail(v.expected, fmt.Sprintf("the chain ends at entry %d but the head records entry %d", v.expected-1, res.HeadSeq))
	}
	if res.FirstBad == nil && v.o.Key != nil && res.KeyedFrom == 0 && res.HeadSeq > 0 {
		v.fail(1, fmt.Sprintf("no entry is sealed with the loaded audit key %s: the chain was recomputed without the key, "+
			"the key file belongs to another database, or this database was never bound to it (`tradewarden audit bind-key`)", v.o.Key.ID()))
	}
	for _, c := range v.o.Checkpoints {
		seq, reason := v.checkpoint(c)
		cr := CheckpointResult{Seq: c.Seq, TakenAt: c.TakenAt, OK: reason == "", Reason: reason}
		res.Checkpoints = append(res.Checkpoints, cr)
		if reason == "" {
			continue
		}
		reason = fmt.Sprintf("checkpoint of entry %d taken %s: %s", c.Seq, c.TakenAt.UTC().Format(time.RFC3339), reason)
		if seq == 0 {
			// Not the log's fault but the checkpoint's: fail without naming an entry.
			res.OK = false
			if res.Reason == "" {
				res.Reason = reason
			}
			continue
		}
		v.fail(seq, reason)
	}
}

// checkpoint compares the log with c; it returns the first entry in doubt
// (0 when the checkpoint itself is unusable) and why.
func (v *verifier) checkpoint(c Checkpoint) (int64, string) {
	if err := c.CheckSignature(); err != nil {
		return 0, err.Error()
	}
	if k := v.o.Key; k != nil && c.KeyID != k.ID() {
		return 0, fmt.Sprintf("it is signed by key %s, not the loaded audit key %s", c.KeyID, k.ID())
	}
	res := v.res
	switch {
	case c.Seq > res.HeadSeq:
		return res.HeadSeq + 1, fmt.Sprintf("the log ends at entry %d: entries %d to %d (at least) were removed", res.HeadSeq, res.HeadSeq+1, c.Seq)
	case c.Seq > 0 && v.hashAt[c.Seq] != c.Hash:
		return c.Seq, fmt.Sprintf("entry %d no longer has the hash the checkpoint recorded: the log was rewritten at or before it", c.Seq)
	case c.KeyedFrom != res.KeyedFrom && res.FirstBad == nil:
		return min(max(c.KeyedFrom, 1), max(res.KeyedFrom, 1)), fmt.Sprintf("the keyed chain began at entry %d, but the log now says %d", c.KeyedFrom, res.KeyedFrom)
	}
	return 0, ""
}
