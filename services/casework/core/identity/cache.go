package identity

import (
	"sync"
	"time"
)

// sessionCache remembers authenticated accounts for a few seconds so a busy
// client does not cost three database reads per request. Logout and grant
// changes in this process clear entries at once; other instances see them
// within the TTL.
type sessionCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]cachedSession
}

type cachedSession struct {
	acct      Account
	expiresAt time.Time // the session's own expiry
	until     time.Time // when this cache entry must be re-read
}

func newSessionCache(ttl time.Duration, max int) *sessionCache {
	return &sessionCache{ttl: ttl, max: max, entries: map[string]cachedSession{}}
}

func (c *sessionCache) get(hash string, now time.Time) (Account, bool) {
	if c == nil || c.ttl <= 0 {
		return Account{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || !now.Before(e.until) || !now.Before(e.expiresAt) {
		delete(c.entries, hash)
		return Account{}, false
	}
	return e.acct, true
}

func (c *sessionCache) put(hash string, acct Account, expiresAt, now time.Time) {
	if c == nil || c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		// Bounded memory: dropping everything is cheap and rare.
		c.entries = map[string]cachedSession{}
	}
	c.entries[hash] = cachedSession{acct: acct, expiresAt: expiresAt, until: now.Add(c.ttl)}
}

func (c *sessionCache) forget(sessionID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.acct.SessionID == sessionID {
			delete(c.entries, h)
		}
	}
}

func (c *sessionCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[string]cachedSession{}
}
