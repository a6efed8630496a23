package identity

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"sync"
	"time"
)

// Throttle is the login delay schedule for one (email, client) pair. The
// first Free failures cost nothing; each further one doubles the wait, from
// Base up to Max; a pair with no failure for Forget starts afresh and a
// successful login clears it. It delays and never locks: the owner on
// another client is not affected at all, and on the same client the wait is
// never longer than Max.
type Throttle struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// DefaultThrottle: four free failures, then 1 s, 2 s, 4 s … capped at 5 min;
// forgotten after a day without failures.
var DefaultThrottle = Throttle{Free: 4, Base: time.Second, Max: 5 * time.Minute, Forget: 24 * time.Hour}

func (t Throttle) withDefaults() Throttle {
	d := DefaultThrottle
	if t.Free > 0 {
		d.Free = t.Free
	}
	if t.Base > 0 {
		d.Base = t.Base
	}
	if t.Max > 0 {
		d.Max = t.Max
	}
	if t.Forget > 0 {
		d.Forget = t.Forget
	}
	if d.Max < d.Base {
		d.Max = d.Base
	}
	return d
}

// Delay is the wait imposed after n consecutive failures.
func (t Throttle) Delay(n int) time.Duration {
	if n <= t.Free {
		return 0
	}
	shift := n - t.Free - 1
	if shift >= 40 {
		return t.Max
	}
	d := t.Base << shift
	if d <= 0 || d > t.Max {
		return t.Max
	}
	return d
}

// LoginFailures is the stored failure count of one (email, client) pair.
type LoginFailures struct {
	Count int
	Last  time.Time
}

// Wait is how long the pair must still wait at now before its next attempt
// is considered (0: it may try now).
func (t Throttle) Wait(f LoginFailures, now time.Time) time.Duration {
	if f.Count == 0 || now.Sub(f.Last) >= t.Forget {
		return 0
	}
	until := f.Last.Add(t.Delay(f.Count))
	if !now.Before(until) {
		return 0
	}
	return until.Sub(now)
}

// Counts reports whether a failure at now extends the existing count (false:
// the count restarts at one because the last failure is forgotten).
func (t Throttle) Counts(f LoginFailures, now time.Time) bool {
	return f.Count > 0 && now.Sub(f.Last) < t.Forget
}

// ClientKey is the client half of a throttle key: an IPv4 address, or the
// /64 network of an IPv6 one (one subscriber's allocation, which they can
// rotate through at will). Anything unparsable is kept as given.
func ClientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		if addr == "" {
			return "unknown"
		}
		return truncate(addr, 64)
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.WithZone("").Prefix(64)
	return p.String()
}

// ThrottleKey is the stored key of an (email, client) pair: a hash, so the
// table holds neither the emails people typed nor their addresses.
func ThrottleKey(email, client string) string {
	sum := sha256.Sum256([]byte(NormalizeEmail(email) + "\x00" + client))
	return hex.EncodeToString(sum[:])
}

// keyLocks serialises the attempts of one throttle key in this process, so
// a burst of parallel guesses is checked one after the other.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	refs int
}

func (k *keyLocks) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
