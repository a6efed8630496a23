package evidence_test

import (
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
)

func TestCustodyChronology(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	h := func(hours int) time.Time { return now.Add(time.Duration(hours) * time.Hour) }
	entry := func(seq int, a evidence.CustodyAction, at time.Time) evidence.CustodyEntry {
		return evidence.CustodyEntry{Seq: seq, Action: a, At: at}
	}
	chain := []evidence.CustodyEntry{entry(1, evidence.Acquired, h(-48)), entry(2, evidence.Uploaded, h(-47)),
		entry(3, evidence.Downloaded, h(-10))}
	for _, tc := range []struct {
		name  string
		chain []evidence.CustodyEntry
		next  evidence.CustodyEntry
		want  apperr.Code // "" = allowed
	}{
		{"a transfer now", chain, entry(4, evidence.Transferred, now), ""},
		{"a transfer at the same instant as the latest entry", chain, entry(4, evidence.Transferred, h(-10)), ""},
		{"a transfer in the future", chain, entry(4, evidence.Transferred, now.Add(time.Second)), apperr.Invalid},
		{"a transfer before the acquisition", chain, entry(4, evidence.Transferred, h(-49)), apperr.Invalid},
		{"a transfer back-dated before the latest entry", chain, entry(4, evidence.Transferred, h(-20)), apperr.Invalid},
		{"a disposal", chain, entry(4, evidence.Disposed, h(-1)), ""},
		{"anything after a disposal", append(chain[:3:3], entry(4, evidence.Disposed, h(-1))), entry(5, evidence.Viewed, now), apperr.Conflict},
		{"a download after a disposal", append(chain[:3:3], entry(4, evidence.Disposed, h(-1))), entry(5, evidence.Downloaded, now), apperr.Conflict},
		{"a second acquisition", chain, entry(4, evidence.Acquired, now), apperr.Conflict},
		{"a chain that does not start with acquisition", nil, entry(1, evidence.Uploaded, now), apperr.Conflict},
		{"an acquisition opens the chain", nil, entry(1, evidence.Acquired, h(-1)), ""},
		{"a generated document opens the chain", nil, entry(1, evidence.Generated, now), ""},
		{"an acquisition in the future", nil, entry(1, evidence.Acquired, now.Add(time.Minute)), apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := evidence.CheckNext(tc.chain, tc.next, now)
			if got := apperr.CodeOf(err); got != tc.want {
				t.Fatalf("CheckNext: %v (code %q), want code %q", err, got, tc.want)
			}
			if tc.want == apperr.Invalid {
				if ae, _ := apperr.As(err); len(ae.Fields) != 1 || ae.Fields[0].Field != "at" {
					t.Fatalf("the error does not name at: %v", err)
				}
			}
		})
	}
}

func TestCheckChain(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	good := []evidence.CustodyEntry{{Seq: 1, Action: evidence.Acquired, At: now.Add(-time.Hour)},
		{Seq: 2, Action: evidence.Uploaded, At: now.Add(-time.Minute)}, {Seq: 3, Action: evidence.Disposed, At: now}}
	if err := evidence.CheckChain(good, now); err != nil {
		t.Fatal(err)
	}
	if !evidence.ChainClosed(good) || evidence.ChainClosed(good[:2]) {
		t.Fatal("ChainClosed")
	}
	bad := append(append([]evidence.CustodyEntry{}, good[:2]...), evidence.CustodyEntry{Seq: 3, Action: evidence.Viewed, At: now.Add(-2 * time.Hour)})
	if err := evidence.CheckChain(bad, now); err == nil {
		t.Fatal("a back-dated entry passed")
	}
}
