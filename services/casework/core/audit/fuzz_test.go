package audit_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
)

// Checkpoint files come from escrow, i.e. from outside: parsing any bytes
// must not panic, and whatever parses must survive a round trip through
// both forms without its signature starting to verify by accident.
func FuzzParseCheckpoint(f *testing.F) {
	k, err := audit.NewKey(bytes.Repeat([]byte{3}, audit.SecretSize))
	if err != nil {
		f.Fatal(err)
	}
	cp := k.NewCheckpoint(7, "ab", 1, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	js, _ := json.Marshal(cp)
	f.Add(js)
	f.Add([]byte(cp.Text()))
	f.Add([]byte("tradewarden-audit-checkpoint-v1 seq=1 hash=x keyed_from=0 taken_at=2026-01-01T00:00:00Z key_id=a public_key=b signature=c"))
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := audit.ParseCheckpoint(b)
		if err != nil {
			return
		}
		valid := got.CheckSignature() == nil
		again, err := audit.ParseCheckpoint([]byte(got.Text()))
		if err == nil && (again.CheckSignature() == nil) != valid && got.TakenAt.Equal(got.TakenAt.Truncate(time.Second)) {
			t.Fatalf("text round trip changed validity: %+v -> %+v", got, again)
		}
	})
}
