package evidence

import (
	"fmt"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

// A chain of custody is only evidence if it reads as a history: it starts
// with the item's acquisition (or, for a document TradeWarden produced, its
// generation), every entry is dated no earlier than the one before it and
// no later than now, and nothing follows a disposal. CheckNext holds every
// path that appends an entry (uploads, downloads, transfers, verification,
// exports; from the API and from the CLI) to that.

// CheckNext reports whether next may be appended to chain (oldest first) at
// now: a field error on "at" when it is dated in the future, before the
// acquisition or before the latest entry; a conflict after a disposal.
func CheckNext(chain []CustodyEntry, next CustodyEntry, now time.Time) error {
	if next.At.After(now) {
		return apperr.InvalidField("at", "must not be in the future (it is %s now)", now.UTC().Format(time.RFC3339))
	}
	if len(chain) == 0 {
		if next.Action != Acquired && next.Action != Generated {
			return apperr.New(apperr.Conflict, "a chain of custody starts with the item's acquisition, not %s", next.Action)
		}
		return nil
	}
	first, last := chain[0], chain[len(chain)-1]
	if last.Action == Disposed {
		return apperr.New(apperr.Conflict, "the item was disposed of on %s (custody entry %d): its chain of custody is closed",
			last.At.UTC().Format(time.RFC3339), last.Seq).With("disposed_at", last.At.UTC())
	}
	if next.Action == Acquired || next.Action == Generated {
		return apperr.New(apperr.Conflict, "the item's chain of custody already starts with its %s", first.Action)
	}
	if next.At.Before(first.At) {
		return apperr.InvalidField("at", "must not be before the item was %s (%s)", first.Action, first.At.UTC().Format(time.RFC3339))
	}
	if next.At.Before(last.At) {
		return apperr.InvalidField("at", "must not be before the latest custody entry (%d, %s at %s): entries are recorded in the order they happen",
			last.Seq, last.Action, last.At.UTC().Format(time.RFC3339))
	}
	return nil
}

// CheckChain reports the first entry of chain that breaks the rules
// CheckNext enforces, as of now.
func CheckChain(chain []CustodyEntry, now time.Time) error {
	for i, e := range chain {
		if err := CheckNext(chain[:i], e, now); err != nil {
			return fmt.Errorf("custody entry %d (%s at %s): %w", e.Seq, e.Action, e.At.UTC().Format(time.RFC3339), err)
		}
	}
	return nil
}

// ChainClosed reports whether the chain ends with a disposal.
func ChainClosed(chain []CustodyEntry) bool {
	return len(chain) > 0 && chain[len(chain)-1].Action == Disposed
}

// clampToChain dates an entry the system records itself (a download, a
// re-verification, an export) no earlier than the latest one, so clocks a
// moment apart on two servers cannot make the chain run backwards.
func clampToChain(chain []CustodyEntry, at time.Time) time.Time {
	if n := len(chain); n > 0 && at.Before(chain[n-1].At) {
		return chain[n-1].At
	}
	return at
}
