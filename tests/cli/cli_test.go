package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/tests/binarytest"
)

func TestOperatorCommands(t *testing.T) {
	in := newInstance(t)
	if out := in.mustRun("", "migrate"); !strings.Contains(out, "migrations applied") {
		t.Fatalf("migrate: %q", out)
	}
	in.mustRun("", "authority", "add", "--code", "KENT-TS", "--name", "Kent County Council Trading Standards")
	in.mustRun("", "authority", "add", "--code", "OPSS", "--name", "Office for Product Safety and Standards", "--national")
	if r := in.run("", "authority", "add", "--code", "KENT-TS", "--name", "again"); r.Code == 0 {
		t.Fatal("a duplicate authority code was accepted")
	}
	if r := in.run("", "authority", "add", "--code", "kent ts!", "--name", "bad"); r.Code == 0 || !strings.Contains(r.Stderr, "code") {
		t.Fatalf("a malformed code was accepted or not explained: %+v", r)
	}
	out := in.mustRun("a strong password 1\n", "user", "add", "--authority", "KENT-TS", "--email", "Jo.Bloggs@Kent.example",
		"--name", "Jo Bloggs", "--role", "officer")
	if !strings.Contains(out, "jo.bloggs@kent.example") {
		t.Fatalf("user add: %q", out)
	}
	if r := in.run("", "user", "add", "--authority", "KENT-TS", "--email", "x@kent.example", "--name", "X", "--role", "officer"); r.Code == 0 {
		t.Fatal("user add without a password on stdin succeeded")
	}
	if r := in.run("pw pw pw pw pw\n", "user", "add", "--authority", "NOWHERE", "--email", "y@kent.example", "--name", "Y", "--role", "officer"); r.Code == 0 {
		t.Fatal("user add in an unknown authority succeeded")
	}
	if r := in.run("pw pw pw pw pw\n", "user", "add", "--authority", "KENT-TS", "--email", "y@kent.example", "--name", "Y", "--role", "king"); r.Code == 0 {
		t.Fatal("user add with an unknown role succeeded")
	}
	// The operator's tool, run with database access: an existing email is
	// never re-created (nor its password replaced); `user grant` gives the
	// role at once, audited in that authority as the operating-system user.
	if r := in.run("another strong password 2\n", "user", "add", "--authority", "OPSS", "--email", "jo.bloggs@kent.example",
		"--name", "Jo", "--role", "analyst"); r.Code == 0 || !strings.Contains(r.Stderr, "user grant") && !strings.Contains(r.Stderr, "grant them") {
		t.Fatalf("user add of an existing email: %+v", r)
	}
	if r := in.run("password1234\n", "user", "add", "--authority", "KENT-TS", "--email", "weak@kent.example", "--name", "W",
		"--role", "officer"); r.Code == 0 || !strings.Contains(r.Stderr, "password") {
		t.Fatalf("user add with a guessable password: %+v", r)
	}
	in.mustRun("", "user", "grant", "--email", "jo.bloggs@kent.example", "--authority", "OPSS", "--role", "analyst")
	in.mustRun("", "user", "revoke", "--email", "jo.bloggs@kent.example", "--authority", "OPSS", "--role", "analyst")
	if out := in.mustRun("a temporary password 33\n", "user", "reset-password", "--email", "jo.bloggs@kent.example"); !strings.Contains(out, "must change") {
		t.Fatalf("reset-password: %q", out)
	}
	if out := in.mustRun("", "authority", "list"); !strings.Contains(out, "OPSS") || !strings.Contains(out, "(national)") {
		t.Fatalf("authority list: %q", out)
	}
	out = in.mustRun("", "audit", "verify")
	if !strings.HasPrefix(out, "audit chain intact: ") {
		t.Fatalf("audit verify: %q", out)
	}
}

func TestDemoIsIdempotentAndPrintsLogins(t *testing.T) {
	in := newInstance(t)
	first := in.mustRun("", "demo")
	second := in.mustRun("", "demo")
	if first != second {
		t.Fatalf("demo output changed on the second run:\n%s\n---\n%s", first, second)
	}
	for _, want := range []string{"officer@kent-ts.example", "supervisor@opss.example", "analyst@opss.example",
		"admin@kent-ts.example", "tradewarden-demo-2026"} {
		if !strings.Contains(first, want) {
			t.Errorf("demo output lacks %q:\n%s", want, first)
		}
	}
}

func TestAuditVerifyFailsAfterTampering(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "demo")
	in.mustRun("", "audit", "verify")
	db, err := database.Open(context.Background(), in.DBURL, in.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), "UPDATE audit_log SET actor = 'someone else' WHERE seq = 4"); err != nil {
		t.Fatal(err)
	}
	r := in.run("", "audit", "verify")
	if r.Code != 1 || !strings.Contains(r.Stderr, "entry 4") {
		t.Fatalf("tampered chain: exit %d, stderr %q", r.Code, r.Stderr)
	}
}

func TestServeLoginAndGracefulShutdown(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "demo")
	srv := in.Serve()
	body := strings.NewReader(`{"email":"officer@kent-ts.example","password":"tradewarden-demo-2026"}`)
	resp, err := http.Post(srv.Base+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok.Token == "" {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.Base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/me: %d", resp.StatusCode)
	}
	// /metrics is not on the API; it is on its own loopback listener.
	if resp, err := http.Get(srv.Base + "/metrics"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("API /metrics: %v %v", resp, err)
	}
	if st, body := get(t, metricsURL(t, srv)+"/metrics"); st != 200 || !strings.Contains(body, "tradewarden_http_requests_total") {
		t.Fatalf("metrics listener: %d %.200s", st, body)
	}
	if err := srv.Stop(30 * time.Second); err != nil {
		t.Fatalf("serve after SIGTERM: %v; logs:\n%s", err, srv.Logs)
	}
	if !strings.Contains(srv.Logs.String(), `"msg":"shutting down"`) {
		t.Fatalf("no graceful shutdown in logs:\n%s", srv.Logs)
	}
}

var metricsLog = regexp.MustCompile(`"msg":"serving metrics","addr":"([0-9.:]+)"`)

// metricsURL reads the metrics listener's address from the server's log.
func metricsURL(t *testing.T, srv *binarytest.Server) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := metricsLog.FindStringSubmatch(srv.Logs.String()); m != nil {
			if !strings.HasPrefix(m[1], "127.0.0.1:") {
				t.Fatalf("metrics listen on %s, not loopback", m[1])
			}
			return "http://" + m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no metrics listener in the logs:\n%s", srv.Logs)
	return ""
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
