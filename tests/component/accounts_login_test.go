package component_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/password"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// behindProxy makes the in-process client (0.0.0.0) a trusted proxy, so
// tests pick each request's client address with X-Forwarded-For.
func behindProxy(c *wiring.Config) { c.TrustedProxies = []string{"0.0.0.0"} }

func from(env *wiringtest.Env, addr string) *wiringtest.Client {
	return env.Anonymous().Header("X-Forwarded-For", addr)
}

func tryLogin(c *wiringtest.Client, email, pw string) *wiringtest.Response {
	return c.Post("/api/v1/auth/login", map[string]string{"email": email, "password": pw})
}

// answer is what a login response tells its caller, less what differs on
// every request.
func answer(t *testing.T, r *wiringtest.Response) string {
	t.Helper()
	return fmt.Sprintf("%d %s %v", r.Status, r.Header.Get("Retry-After"), shape(t, r.Body))
}

// The attack: five wrong passwords used to lock the owner out for 15
// minutes, and 429-vs-401 told which emails exist. Now the attacker's
// (email, client) pair is delayed — 1 s, 2 s, 4 s … capped at 5 min —
// while the owner logs in from elsewhere at once, an unknown email gets
// the very same answers, and every failure is in the user's authority's log.
func TestLoginThrottlingCannotLockAnyoneOut(t *testing.T) {
	env := wiringtest.New(t, behindProxy)
	victim, nobody := wiringtest.Email(officer, "KENT-TS"), "nobody@kent-ts.test"
	attacker := from(env, "203.0.113.7")
	// A client cannot pick its address: only the hop the proxy appended counts.
	spoofing := func(i int) *wiringtest.Client {
		return env.Anonymous().Header("X-Forwarded-For", fmt.Sprintf("198.18.0.%d, 203.0.113.7", i))
	}
	for i := 1; i <= 5; i++ {
		a, b := answer(t, tryLogin(spoofing(i), victim, "wrong password")), answer(t, tryLogin(attacker, nobody, "wrong password"))
		if a != b || !strings.HasPrefix(a, "401") {
			t.Fatalf("failure %d: known %s, unknown %s", i, a, b)
		}
	}
	// The delay holds even for the right password, and looks the same for both.
	a, b := answer(t, tryLogin(attacker, victim, wiringtest.Password)), answer(t, tryLogin(attacker, nobody, wiringtest.Password))
	if a != b || !strings.HasPrefix(a, "429 1 ") {
		t.Fatalf("throttled: known %s, unknown %s", a, b)
	}
	// The owner, on their own device, is not held up at all.
	tryLogin(from(env, "198.51.100.20"), victim, wiringtest.Password).Expect(200)
	tryLogin(from(env, "2001:db8:5::1"), victim, wiringtest.Password).Expect(200)

	// Each further failure doubles the wait, up to five minutes.
	wait := time.Second
	for n := 6; n <= 16; n++ {
		env.Clock.Advance(wait)
		tryLogin(attacker, victim, "wrong password").Expect(401)
		tryLogin(attacker, nobody, "wrong password").Expect(401)
		wait = min(time.Second<<(n-5), 5*time.Minute)
		r := tryLogin(attacker, victim, "wrong password").Expect(429)
		if got := r.Header.Get("Retry-After"); got != strconv.Itoa(int(wait/time.Second)) {
			t.Fatalf("after %d failures Retry-After is %s, want %v", n, got, wait)
		}
		if a, b := answer(t, r), answer(t, tryLogin(attacker, nobody, "wrong password")); a != b {
			t.Fatalf("after %d failures: known %s, unknown %s", n, a, b)
		}
	}
	// Never a lock: even from the attacker's own address the right password
	// works once the (capped) wait is over, and clears the pair.
	env.Clock.Advance(wait)
	tryLogin(attacker, victim, wiringtest.Password).Expect(200)
	tryLogin(attacker, victim, "wrong password").Expect(401)
	tryLogin(attacker, victim, wiringtest.Password).Expect(200)

	// KENT-TS's admin sees the failures and the throttled attempts, with the
	// client; OPSS's does not; the unknown email is in nobody's log.
	counts := map[string]int{}
	for _, e := range auditOf(t, env.As(admin, "KENT-TS"), "user") {
		if e.Actor != victim || !strings.Contains(string(e.Detail), "203.0.113.7") {
			continue
		}
		counts[e.Action]++
	}
	if counts["auth.login_failed"] != 17 || counts["auth.login_throttled"] != 12 {
		t.Fatalf("KENT-TS audit: %v", counts)
	}
	for _, authority := range []string{"OPSS", "KENT-TS"} {
		for _, e := range auditOf(t, env.As(admin, authority), "user") {
			if e.Actor == nobody || authority == "OPSS" && e.Actor == victim {
				t.Fatalf("%s sees an attempt that is not its user's: %+v", authority, e)
			}
		}
	}
}

// A person in two authorities: both authorities' admins see failures.
func TestLoginFailuresAreAuditedInEveryAuthorityOfTheUser(t *testing.T) {
	env := wiringtest.New(t)
	code := "invitation code for the audit test 4"
	env.As(admin, "OPSS").Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(officer, "KENT-TS"),
		"name": "K", "password": code, "roles": []string{"analyst"}}).Expect(201)
	env.As(officer, "KENT-TS").AcceptInvitations(code)
	tryLogin(env.Anonymous(), wiringtest.Email(officer, "KENT-TS"), "wrong password").Expect(401)
	for _, authority := range []string{"KENT-TS", "OPSS"} {
		found := false
		for _, e := range auditOf(t, env.As(admin, authority), "user") {
			found = found || e.Action == "auth.login_failed" && e.Actor == wiringtest.Email(officer, "KENT-TS")
		}
		if !found {
			t.Errorf("%s's audit lacks the failed login", authority)
		}
	}
}

// An unknown email is checked against a dummy hash of the same cost as a
// real one, so neither the answer nor the time taken tells them apart.
func TestUnknownEmailsCostTheSamePasswordCheck(t *testing.T) {
	hasher := &countingHasher{inner: password.Hasher{P: password.Params{Memory: 2048, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}}}
	env := wiringtest.New(t, func(c *wiring.Config) { c.Hasher = hasher })
	hasher.verified()
	known := tryLogin(env.Anonymous(), wiringtest.Email(officer, "KENT-TS"), "wrong password").Expect(401)
	knownCost := hasher.verified()
	unknown := tryLogin(env.Anonymous(), "nobody@kent-ts.test", "wrong password").Expect(401)
	unknownCost := hasher.verified()
	if len(knownCost) != 1 || len(unknownCost) != 1 || knownCost[0] != unknownCost[0] || knownCost[0] != "m=2048,t=2,p=1" {
		t.Fatalf("password checks: known %v, unknown %v", knownCost, unknownCost)
	}
	if answer(t, known) != answer(t, unknown) {
		t.Fatalf("answers differ: %s / %s", known.Body, unknown.Body)
	}
}

// The password policy: no whitespace-only passwords, none from the shipped
// common-password list, none zxcvbn finds easy to guess — on every path
// that sets one.
func TestPasswordPolicyOnEveryPath(t *testing.T) {
	env := wiringtest.New(t)
	adm := env.As(admin, "KENT-TS")
	off := env.As(officer, "KENT-TS")
	offID := me(t, off).ID
	bad := map[string]string{
		"whitespace only": "              ",
		"common":          "1qaz2wsx3edc",
		"guessable":       "Password12345",
		"too short":       "Xk9#mQ2",
		"own email":       "officer@kent-ts.test",
	}
	for name, pw := range bad {
		// The policy is checked before anything is looked up, so the
		// onboarding of an existing member is refused on the password too.
		p := adm.Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(officer, "KENT-TS"), "name": "P",
			"password": pw, "roles": []string{"officer"}}).Expect(422).Problem()
		if !p.HasField("password") {
			t.Fatalf("%s: onboarding: %+v", name, p)
		}
		p = adm.Post("/api/v1/admin/users/"+offID+"/password", map[string]string{"password": pw}).Expect(422).Problem()
		if !p.HasField("password") {
			t.Fatalf("%s: reset: %+v", name, p)
		}
		p = off.Post("/api/v1/me/password", map[string]string{"current_password": wiringtest.Password, "new_password": pw}).Expect(422).Problem()
		if !p.HasField("new_password") {
			t.Fatalf("%s: change: %+v", name, p)
		}
	}
	off.Get("/api/v1/me").Expect(200) // nothing changed
}

// POST /me/password: the current password is required (and throttled),
// other sessions end, this one stays.
func TestChangePasswordEndsOtherSessions(t *testing.T) {
	env := wiringtest.New(t)
	email := wiringtest.Email(officer, "KENT-TS")
	here, elsewhere := login(t, env, email, wiringtest.Password), login(t, env, email, wiringtest.Password)
	p := here.Post("/api/v1/me/password", map[string]string{"current_password": "not my password", "new_password": "a brand new passphrase 8"}).Expect(422).Problem()
	if !p.HasField("current_password") {
		t.Fatalf("%+v", p)
	}
	here.Post("/api/v1/me/password", map[string]string{"current_password": wiringtest.Password, "new_password": wiringtest.Password}).Expect(422)
	here.Post("/api/v1/me/password", map[string]string{"current_password": wiringtest.Password, "new_password": "a brand new passphrase 8"}).Expect(204)
	here.Get("/api/v1/cases").Expect(200)
	elsewhere.Get("/api/v1/me").Expect(401)
	tryLogin(env.Anonymous(), email, wiringtest.Password).Expect(401)
	tryLogin(env.Anonymous(), email, "a brand new passphrase 8").Expect(200)
	found := false
	for _, e := range auditOf(t, env.As(admin, "KENT-TS"), "user") {
		found = found || e.Action == "user.password_change" && strings.Contains(string(e.Detail), `"sessions_revoked":1`)
	}
	if !found {
		t.Fatal("the change (the other session revoked) is not in KENT-TS's audit log")
	}
}

// An admin reset forces a change: the user's sessions end, and the reset
// password opens nothing but the password change.
func TestAdminResetForcesPasswordChange(t *testing.T) {
	env := wiringtest.New(t)
	adm := env.As(admin, "KENT-TS")
	off := env.As(officer, "KENT-TS")
	id := me(t, off).ID
	temp := "temporary reset password 61"
	adm.Post("/api/v1/admin/users/"+id+"/password", map[string]string{"password": temp}).Expect(204)
	off.Get("/api/v1/me").Expect(401)
	tryLogin(env.Anonymous(), wiringtest.Email(officer, "KENT-TS"), wiringtest.Password).Expect(401)
	c := login(t, env, wiringtest.Email(officer, "KENT-TS"), temp)
	if !me(t, c).MustChangePassword {
		t.Fatal("must_change_password is not set")
	}
	p := c.Get("/api/v1/cases").Expect(403).Problem()
	if p.Extra["password_change_required"] != true {
		t.Fatalf("%+v", p)
	}
	c.Get("/api/v1/me/invitations").Expect(403)
	c.Post("/api/v1/me/password", map[string]string{"current_password": temp, "new_password": "my own new password 5"}).Expect(204)
	c.Get("/api/v1/cases").Expect(200)
	if me(t, c).MustChangePassword {
		t.Fatal("must_change_password is still set")
	}
	// Not for oneself, and not across authorities.
	adm.Post("/api/v1/admin/users/"+me(t, adm).ID+"/password", map[string]string{"password": temp}).Expect(403)
	code := "cross authority invitation 12"
	env.As(admin, "OPSS").Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(officer, "KENT-TS"),
		"name": "K", "password": code, "roles": []string{"analyst"}}).Expect(201)
	c.AcceptInvitations(code)
	p = adm.Post("/api/v1/admin/users/"+id+"/password", map[string]string{"password": temp}).Expect(403).Problem()
	if !strings.Contains(p.Detail, "operator") {
		t.Fatalf("%+v", p)
	}
	found := false
	for _, e := range auditOf(t, adm, "user") {
		found = found || e.Action == "user.password_reset" && e.ObjectID == id && e.Actor == wiringtest.Email(admin, "KENT-TS")
	}
	if !found {
		t.Fatal("the reset is not in KENT-TS's audit log")
	}
}

// /metrics is not on the API unless a token is set; with one, only callers
// sending it get the metrics. The metrics listener serves them (only them)
// on its own address.
func TestMetricsAreNotPublic(t *testing.T) {
	env := wiringtest.New(t)
	env.Anonymous().Get("/metrics").Expect(404)
	env.As(admin, "KENT-TS").Get("/metrics").Expect(404)

	token := "a-metrics-token-for-tests-0123456789"
	shared := wiringtest.New(t, func(c *wiring.Config) { c.MetricsToken = token })
	shared.Anonymous().Get("/metrics").Expect(401).Problem()
	shared.WithToken("the-wrong-token-entirely-0000").Get("/metrics").Expect(401)
	shared.WithToken(shared.Token(wiringtest.Email(admin, "KENT-TS"))).Get("/metrics").Expect(401)
	if body := shared.WithToken(token).Get("/metrics").Expect(200).String(); !strings.Contains(body, "tradewarden_http_requests_total") {
		t.Fatalf("metrics body: %.300s", body)
	}

	if st, body := metricsGet(t, env, "/metrics"); st != 200 || !strings.Contains(body, "tradewarden_http_requests_total") {
		t.Fatalf("metrics listener: %d %.300s", st, body)
	}
	if st, _ := metricsGet(t, env, "/api/v1/me"); st != 404 {
		t.Fatalf("the metrics listener serves the API: %d", st)
	}
	env.App.Cfg.MetricsAddr = wiring.MetricsOff
	if addr, err := env.App.ServeMetrics(t.Context()); addr != nil || err != nil {
		t.Fatalf("off: %v %v", addr, err)
	}
}

// metricsGet starts the app's metrics listener on a free loopback port (for
// the rest of the test) and GETs path from it.
func metricsGet(t *testing.T, env *wiringtest.Env, path string) (int, string) {
	t.Helper()
	env.App.Cfg.MetricsAddr = "127.0.0.1:0"
	addr, err := env.App.ServeMetrics(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr.String() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// BenchmarkFailedLogin times a wrong password for a known and for an unknown
// email with the production argon2id cost, each from a fresh client (so the
// delay never skips the hash): the two should take the same time.
func BenchmarkFailedLogin(b *testing.B) {
	env := wiringtest.New(b, behindProxy, func(c *wiring.Config) { c.PasswordParams = &password.Default })
	for _, email := range []string{wiringtest.Email(officer, "KENT-TS"), "nobody@kent-ts.test"} {
		name := "known"
		if strings.HasPrefix(email, "nobody") {
			name = "unknown"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c := from(env, fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
				tryLogin(c, email, "wrong password").Expect(401)
			}
		})
	}
}

// BenchmarkOnboarding times an admin adding a new email and an email that
// has an account in another authority, with the production argon2id cost:
// the two should take the same time.
func BenchmarkOnboarding(b *testing.B) {
	env := wiringtest.New(b, func(c *wiring.Config) { c.PasswordParams = &password.Default })
	opss := env.As(admin, "OPSS")
	for _, name := range []string{"new", "existing"} {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				email := wiringtest.Email(supervisor, "KENT-TS")
				if name == "new" {
					email = fmt.Sprintf("new.%d@opss.test", i)
				}
				opss.Post("/api/v1/admin/users", map[string]any{"email": email, "name": "N", "password": "an onboarding code 2026",
					"roles": []string{"analyst"}}).Expect(201)
			}
		})
	}
}
