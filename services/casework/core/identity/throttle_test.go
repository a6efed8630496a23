package identity

import (
	"testing"
	"time"
)

func TestThrottleScheduleDelaysAndNeverLocks(t *testing.T) {
	th := DefaultThrottle
	want := map[int]time.Duration{0: 0, 1: 0, 4: 0, 5: time.Second, 6: 2 * time.Second, 7: 4 * time.Second,
		12: 128 * time.Second, 13: 256 * time.Second, 14: 5 * time.Minute, 100: 5 * time.Minute, 1 << 30: 5 * time.Minute}
	for n, d := range want {
		if got := th.Delay(n); got != d {
			t.Errorf("Delay(%d) = %v, want %v", n, got, d)
		}
	}
	for n := 0; n < 200; n++ {
		if d := th.Delay(n); d < 0 || d > th.Max || n > 0 && d < th.Delay(n-1) {
			t.Fatalf("Delay(%d) = %v: not monotone within [0, Max]", n, d)
		}
	}
}

func TestThrottleWaitForgetsAndCounts(t *testing.T) {
	th := Throttle{Free: 2, Base: 10 * time.Second, Max: time.Minute, Forget: time.Hour}.withDefaults()
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	f := LoginFailures{Count: 3, Last: t0}
	if w := th.Wait(f, t0.Add(4*time.Second)); w != 6*time.Second {
		t.Fatalf("wait %v, want 6s", w)
	}
	if w := th.Wait(f, t0.Add(10*time.Second)); w != 0 {
		t.Fatalf("wait %v after the delay", w)
	}
	if w := th.Wait(LoginFailures{Count: 2, Last: t0}, t0); w != 0 {
		t.Fatalf("free failures wait %v", w)
	}
	if !th.Counts(f, t0.Add(59*time.Minute)) || th.Counts(f, t0.Add(time.Hour)) || th.Counts(LoginFailures{}, t0) {
		t.Fatal("a failure within Forget extends the count; after it, or with none, it restarts")
	}
	if w := th.Wait(LoginFailures{Count: 1000, Last: t0}, t0.Add(time.Hour)); w != 0 {
		t.Fatalf("forgotten failures still wait %v", w)
	}
}

func TestThrottleDefaultsAreFilled(t *testing.T) {
	if got := (Throttle{}).withDefaults(); got != DefaultThrottle {
		t.Fatalf("zero throttle → %+v", got)
	}
	if got := (Throttle{Base: time.Minute, Max: time.Second}).withDefaults(); got.Max != time.Minute {
		t.Fatalf("Max below Base → %+v", got)
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"fe80::1%eth0":         "fe80::/64",
		"":                     "unknown",
		"not an address":       "not an address",
	} {
		if got := ClientKey(in); got != want {
			t.Errorf("ClientKey(%q) = %q, want %q", in, got, want)
		}
	}
	if ThrottleKey("A@Example.org ", "1.2.3.4") != ThrottleKey("a@example.org", "1.2.3.4") ||
		ThrottleKey("a@example.org", "1.2.3.4") == ThrottleKey("a@example.org", "1.2.3.5") {
		t.Fatal("throttle keys must normalise the email and separate clients")
	}
}

func TestKeyLocksSerialiseOneKey(t *testing.T) {
	var k keyLocks
	unlock := k.lock("a")
	other := k.lock("b") // another key is not blocked
	other()
	done := make(chan struct{})
	go func() { k.lock("a")(); close(done) }()
	select {
	case <-done:
		t.Fatal("a second holder of the same key got in")
	case <-time.After(20 * time.Millisecond):
	}
	unlock()
	<-done
	if len(k.m) != 0 {
		t.Fatalf("locks leak: %d left", len(k.m))
	}
}
