package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
)

// memLog is an in-memory audit.Reader whose rows and head tests edit freely,
// as someone with database access would.
type memLog struct {
	entries  []audit.Entry
	headSeq  int64
	headHash string
}

func (m *memLog) List(context.Context, audit.Filter) ([]audit.Entry, error) { return m.entries, nil }

func (m *memLog) Scan(_ context.Context, upTo int64, fn func(audit.Entry) error) error {
	for _, e := range m.entries {
		if e.Seq <= upTo {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memLog) Head(context.Context) (int64, string, error) { return m.headSeq, m.headHash, nil }

var t0 = time.Date(2026, 12, 2, 9, 30, 0, 123456000, time.UTC)

func entry(seq int64, action string) audit.Entry {
	return audit.Entry{Seq: seq, At: t0.Add(time.Duration(seq) * time.Second), ActorID: "u1", Actor: "jo@kent.example",
		Authority: "KENT-TS", Action: action, ObjectType: "case", ObjectID: fmt.Sprint("c", seq), Detail: `{"n":1}`}
}

// appendUnkeyed adds n entries sealed with the unkeyed chain, as the
// releases before the keyed chain wrote them.
func (m *memLog) appendUnkeyed(n int) {
	for i := 0; i < n; i++ {
		e := entry(m.headSeq+1, "case.create")
		audit.Seal(m.prevHash(), &e)
		m.push(e)
	}
}

// startKeyed appends the entry that begins the keyed chain under k.
func (m *memLog) startKeyed(t *testing.T, k *audit.Key) {
	t.Helper()
	d, _ := json.Marshal(audit.ChainStart{KeyID: k.ID(), UnkeyedEntries: m.headSeq, UnkeyedHead: m.headHash})
	e := entry(m.headSeq+1, audit.ActionChainKeyed)
	e.Detail = string(d)
	k.Seal(m.prevHash(), &e)
	m.push(e)
}

func (m *memLog) appendKeyed(k *audit.Key, n int) {
	for i := 0; i < n; i++ {
		e := entry(m.headSeq+1, "case.update")
		k.Seal(m.prevHash(), &e)
		m.push(e)
	}
}

func (m *memLog) prevHash() string {
	if m.headSeq == 0 {
		return audit.GenesisHash
	}
	return m.headHash
}

func (m *memLog) push(e audit.Entry) {
	m.entries = append(m.entries, e)
	m.headSeq, m.headHash = e.Seq, e.Hash
}

// truncate deletes every entry after seq and moves the head back, leaving a
// consistent shorter chain.
func (m *memLog) truncate(seq int64) {
	m.entries = m.entries[:seq]
	m.headSeq, m.headHash = seq, m.entries[seq-1].Hash
}

// recompute rewrites every link and hash from `from` on with seal.
func (m *memLog) recompute(from int64, seal func(prev string, e *audit.Entry)) {
	prev := audit.GenesisHash
	for i := range m.entries {
		if m.entries[i].Seq >= from {
			seal(prev, &m.entries[i])
		}
		prev = m.entries[i].Hash
	}
	m.headHash = prev
}

func newKey(t *testing.T, fill byte) *audit.Key {
	t.Helper()
	k, err := audit.NewKey(bytes.Repeat([]byte{fill}, audit.SecretSize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func verify(t *testing.T, m *memLog, o audit.VerifyOptions) audit.Result {
	t.Helper()
	res, err := audit.Verify(context.Background(), m, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func wantBroken(t *testing.T, res audit.Result, seq int64, reason string) {
	t.Helper()
	if res.OK || res.FirstBad == nil || *res.FirstBad != seq || !strings.Contains(res.Reason, reason) {
		t.Fatalf("want first bad entry %d (%q), got %+v (first bad %v)", seq, reason, res, deref(res.FirstBad))
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// The hashes of both chain versions are part of every stored database: a
// change to the canonical form or the key derivation would break them all.
// The expected values were computed independently (Python hashlib/hmac with
// RFC 5869 HKDF), not by this code.
func TestHashesAreStable(t *testing.T) {
	e := entry(1, "case.create")
	if got := audit.ComputeHash(audit.GenesisHash, e); got != "da8610fd631239eee294508b085ebcd4af1d5057fc7b111530b26376457aa983" {
		t.Errorf("unkeyed hash changed: %s", got)
	}
	k := newKey(t, 7)
	if got := k.ComputeHash(audit.GenesisHash, e); got != "01e53bd16b16f42af5c70080c6977679263ce27e591a17f58c44c26d531aa778" {
		t.Errorf("keyed hash changed: %s", got)
	}
	if k.ID() != "19d0734bbef0b8b2" {
		t.Errorf("key id changed: %s", k.ID())
	}
}

func TestKeyNeedsAFullSecret(t *testing.T) {
	if _, err := audit.NewKey(make([]byte, audit.SecretSize-1)); err == nil {
		t.Fatal("a short secret was accepted")
	}
	a, b := newKey(t, 1), newKey(t, 2)
	e := entry(1, "x")
	if a.ComputeHash("p", e) == b.ComputeHash("p", e) || a.ID() == b.ID() {
		t.Fatal("two secrets give the same key")
	}
	if a.ComputeHash("p", e) == audit.ComputeHash("p", e) {
		t.Fatal("the keyed hash equals the unkeyed one")
	}
}

func TestUnkeyedChainStillVerifies(t *testing.T) {
	m := &memLog{}
	m.appendUnkeyed(5)
	res := verify(t, m, audit.VerifyOptions{})
	if !res.OK || res.Entries != 5 || res.KeyedFrom != 0 {
		t.Fatalf("unkeyed chain: %+v", res)
	}
	// With a key loaded, a log nobody ever keyed cannot be told from one
	// recomputed without the key: it fails from its first entry.
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: newKey(t, 1)}), 1, "no entry is sealed with the loaded audit key")
}

// A database created by the previous release: unkeyed entries, then the
// keyed chain from the entry that binds the key on.
func TestMigratedChainVerifies(t *testing.T) {
	k := newKey(t, 1)
	m := &memLog{}
	m.appendUnkeyed(4)
	m.startKeyed(t, k)
	m.appendKeyed(k, 6)
	res := verify(t, m, audit.VerifyOptions{Key: k})
	if !res.OK || res.Entries != 11 || res.KeyedFrom != 5 || res.KeyID != k.ID() {
		t.Fatalf("migrated chain: %+v", res)
	}
	wantBroken(t, verify(t, m, audit.VerifyOptions{}), 5, "no key was loaded")
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: newKey(t, 2)}), 5, "HMAC-SHA-256")
}

func keyedLog(t *testing.T, k *audit.Key, n int) *memLog {
	t.Helper()
	m := &memLog{}
	m.startKeyed(t, k)
	m.appendKeyed(k, n-1)
	return m
}

func TestEditsAreDetected(t *testing.T) {
	k := newKey(t, 1)
	for name, edit := range map[string]func(m *memLog){
		"detail":     func(m *memLog) { m.entries[5].Detail = `{"n":2}` },
		"actor":      func(m *memLog) { m.entries[5].Actor = "someone else" },
		"time":       func(m *memLog) { m.entries[5].At = m.entries[5].At.Add(time.Microsecond) },
		"hash":       func(m *memLog) { m.entries[5].Hash = strings.Repeat("0", 64) },
		"downgraded": func(m *memLog) { m.entries[5].Chain = audit.ChainSHA256 },
	} {
		t.Run(name, func(t *testing.T) {
			m := keyedLog(t, k, 10)
			edit(m)
			res := verify(t, m, audit.VerifyOptions{Key: k})
			if res.OK || *res.FirstBad != 6 {
				t.Fatalf("edit of entry 6 not reported there: %+v (first bad %v)", res, deref(res.FirstBad))
			}
		})
	}
}

func TestDeletionAndReorderingAreDetected(t *testing.T) {
	k := newKey(t, 1)
	m := keyedLog(t, k, 10)
	m.entries = append(m.entries[:3], m.entries[4:]...)
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k}), 4, "entry 4 is missing")

	m = keyedLog(t, k, 10)
	m.entries[3], m.entries[4] = m.entries[4], m.entries[3]
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k}), 4, "missing")

	// Deleting the newest row without touching the head.
	m = keyedLog(t, k, 10)
	m.entries = m.entries[:9]
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k}), 10, "the head records entry 10")
}

// Someone with database access but not the key recomputes the chain.
func TestRecomputedChainIsDetected(t *testing.T) {
	k := newKey(t, 1)
	// With plain SHA-256, keeping the keyed label.
	m := keyedLog(t, k, 10)
	m.entries[6].Detail = `{"forged":true}`
	m.recompute(1, func(prev string, e *audit.Entry) {
		e.PrevHash = prev
		e.Hash = audit.ComputeHash(prev, *e)
	})
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k}), 1, "HMAC-SHA-256")
	// With plain SHA-256, relabelled as the unkeyed chain of old.
	m = keyedLog(t, k, 10)
	m.recompute(1, audit.Seal)
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k}), 1, "no entry is sealed with the loaded audit key")
	// Only from the middle on.
	m = keyedLog(t, k, 10)
	m.recompute(7, audit.Seal)
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k}), 7, "the keyed chain began at entry 1")
	// With another key.
	m = keyedLog(t, k, 10)
	m.recompute(1, newKey(t, 9).Seal)
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k}), 1, "HMAC-SHA-256")
	// A keyed chain must begin with the entry that names its key.
	m = &memLog{}
	m.appendKeyed(k, 3)
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k}), 1, "must begin with an audit.chain.keyed entry")
}

func TestCheckpoints(t *testing.T) {
	k := newKey(t, 1)
	m := keyedLog(t, k, 10)
	cp := k.NewCheckpoint(m.headSeq, m.headHash, 1, t0)
	// The log grows past the checkpoint: still fine.
	m.appendKeyed(k, 5)
	res := verify(t, m, audit.VerifyOptions{Key: k, Checkpoints: []audit.Checkpoint{cp}})
	if !res.OK || len(res.Checkpoints) != 1 || !res.Checkpoints[0].OK {
		t.Fatalf("log extending the checkpoint: %+v", res)
	}
	// Truncating the newest rows above the checkpoint is invisible to it...
	m.truncate(12)
	if res := verify(t, m, audit.VerifyOptions{Key: k, Checkpoints: []audit.Checkpoint{cp}}); !res.OK {
		t.Fatalf("truncation above the checkpoint: %+v", res)
	}
	// ...below it, it is not, though the chain itself is consistent.
	m.truncate(7)
	if res := verify(t, m, audit.VerifyOptions{Key: k}); !res.OK {
		t.Fatalf("a truncated chain should verify on its own: %+v", res)
	}
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k, Checkpoints: []audit.Checkpoint{cp}}), 8, "entries 8 to 10 (at least) were removed")

	// Someone with the key rewrites the log: the escrowed checkpoint still catches it.
	m = keyedLog(t, k, 10)
	m.entries[3].Detail = `{"forged":true}`
	m.recompute(4, k.Seal)
	if res := verify(t, m, audit.VerifyOptions{Key: k}); !res.OK {
		t.Fatalf("a recomputed keyed chain verifies on its own: %+v", res)
	}
	wantBroken(t, verify(t, m, audit.VerifyOptions{Key: k, Checkpoints: []audit.Checkpoint{cp}}), 10, "rewritten at or before it")
}

func TestCheckpointFormsAndSignature(t *testing.T) {
	k := newKey(t, 1)
	cp := k.NewCheckpoint(42, strings.Repeat("ab", 32), 3, t0)
	if err := cp.CheckSignature(); err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(cp)
	for name, form := range map[string][]byte{"json": js, "text": []byte(cp.Text() + "\n")} {
		got, err := audit.ParseCheckpoint(form)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := got.CheckSignature(); err != nil || got.Seq != 42 || got.KeyedFrom != 3 || !got.TakenAt.Equal(t0.Truncate(time.Second)) {
			t.Fatalf("%s round trip: %+v %v", name, got, err)
		}
	}
	forged := cp
	forged.Seq = 41
	if forged.CheckSignature() == nil {
		t.Fatal("an altered checkpoint kept a valid signature")
	}
	other := newKey(t, 2).NewCheckpoint(cp.Seq, cp.Hash, cp.KeyedFrom, t0)
	m := keyedLog(t, k, 50)
	res := verify(t, m, audit.VerifyOptions{Key: k, Checkpoints: []audit.Checkpoint{other}})
	if res.OK || res.Checkpoints[0].OK || !strings.Contains(res.Checkpoints[0].Reason, "not the loaded audit key") {
		t.Fatalf("checkpoint of another key: %+v", res)
	}
	for _, bad := range []string{"", "{", "tradewarden-audit-checkpoint-v1 seq=x", `{"format":"x","extra":1}`} {
		if _, err := audit.ParseCheckpoint([]byte(bad)); err == nil {
			t.Errorf("ParseCheckpoint(%q) accepted", bad)
		}
	}
}
