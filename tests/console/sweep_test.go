package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// pageRule says which of the owning authority's roles (O officer, S
// supervisor, A analyst, D admin) may open a console page; the rest get the
// "You cannot do that" page. record pages belong to the owning authority:
// the other authority's people get 403 or 404 and never see the record.
type pageRule struct {
	roles  string
	record bool
	public bool
	// ok is the status allowed roles get when not 200 (the PDF of a
	// notice that is not issued yet is a 409).
	ok int
}

var consoleSweep = map[string]pageRule{
	"GET /assets/*": {public: true}, "GET /sign-in": {public: true}, "GET /cookies": {public: true},
	"GET /accessibility":    {public: true},
	"GET /choose-authority": {roles: "OSAD"}, "GET /account/password": {roles: "OSAD"}, "GET /invitations": {roles: "OSAD"},
	"GET /": {roles: "OSAD"}, "GET /cases": {roles: "OS"}, "GET /cases/new": {roles: "OS"},
	"GET /cases/:id": {roles: "OS", record: true}, "GET /cases/:id/assessment": {roles: "OS", record: true},
	"GET /cases/:id/timeline": {roles: "OS", record: true}, "GET /cases/:id/evidence": {roles: "OS", record: true},
	"GET /cases/:id/findings": {roles: "OS", record: true}, "GET /cases/:id/notices": {roles: "OS", record: true},
	"GET /cases/:id/notices/new": {roles: "OS", record: true}, "GET /notices": {roles: "OS"},
	"GET /notices/:id": {roles: "OS", record: true}, "GET /notices/:id/pdf": {roles: "OS", record: true, ok: http.StatusConflict},
	"GET /notices/:id/preview.pdf": {roles: "OS", record: true},
	"GET /search":                  {roles: "OSA"}, "GET /search/listings/:id": {roles: "OSA"}, "GET /reports": {roles: "SA"},
	"GET /reports/summary.csv": {roles: "SA"}, "GET /reports/summary.pdf": {roles: "SA"}, "GET /admin/profile": {roles: "D"}, "GET /admin/users": {roles: "D"},
	"GET /admin/users/:id": {roles: "D", record: true}, "GET /admin/audit": {roles: "SD"},
	"GET /evidence/:id": {roles: "OS", record: true}, "GET /evidence/:id/content": {roles: "OS", record: true},
	// Form actions: the sweep checks that none works without its token.
	"POST /sign-in": {public: true}, "POST /sign-out": {}, "POST /choose-authority": {}, "POST /account/password": {},
	"POST /invitations/:id/:decision": {}, "POST /cases/new": {}, "POST /cases/:id/status": {record: true},
	"POST /cases/:id/assign": {record: true}, "POST /cases/:id/parties": {record: true},
	"POST /cases/:id/assessment/:req": {record: true}, "POST /cases/:id/evidence": {record: true},
	"POST /cases/:id/notices/new": {record: true}, "POST /notices/:id/:action": {record: true},
	"POST /cases/:id/referrals": {record: true}, "POST /cases/:id/referrals/:decision": {record: true},
	"POST /evidence/:id/verify": {record: true}, "POST /evidence/:id/custody": {record: true},
	"POST /admin/users": {}, "POST /admin/users/:id/grants": {record: true},
	"POST /admin/users/:id/grants/:role/remove": {record: true}, "POST /admin/audit/verify": {}, "POST /admin/profile": {}, "POST /search/listings/:id/link": {record: true},
}

var sweepRoles = map[byte]principal.Role{'O': principal.Officer, 'S': principal.Supervisor, 'A': principal.Analyst,
	'D': principal.Admin}

// TestConsoleAuthorizationSweep opens every console page as every role of
// the owning authority, of another authority and as a stranger, and posts
// every form without its token: a route missing from the table fails.
func TestConsoleAuthorizationSweep(t *testing.T) {
	env := wiringtest.New(t)
	const secret = "Sweep secret case title"
	var cs struct{ ID string }
	off := env.As(principal.Officer, "KENT-TS")
	off.Post("/api/v1/cases", map[string]any{"title": secret, "origin": "complaint"}).Expect(http.StatusCreated).JSON(&cs)
	var op struct{ ID string }
	off.Post("/api/v1/operators", map[string]any{"name": "Sweep Devices Ltd"}).Expect(http.StatusCreated).JSON(&op)
	off.Post("/api/v1/cases/"+cs.ID+"/parties", map[string]any{"operator_id": op.ID, "role": "manufacturer"}).Expect(http.StatusCreated)
	var n struct{ ID string }
	off.Post("/api/v1/cases/"+cs.ID+"/notices", map[string]any{"type": "information", "operator_id": op.ID,
		"reasons": "Sweep", "comply_by": "2027-06-01"}).Expect(http.StatusCreated).JSON(&n)
	var ex struct{ ID string }
	off.Upload("/api/v1/cases/"+cs.ID+"/evidence", map[string]string{"description": "sweep", "collected_by": "sweep",
		"collected_at": env.Clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}, "camera.xml", "application/xml",
		camera(t)).Expect(http.StatusCreated).JSON(&ex)
	var lst struct{ ID string }
	off.Post("/api/v1/listings", map[string]any{"retailer": "Argos", "market_type": "retailer", "url": "https://argos.example/1",
		"title": "Sweep plug", "observed_at": "2026-11-01T09:00:00Z"}).Expect(http.StatusCreated).JSON(&lst)
	var users struct{ Items []struct{ ID, Email string } }
	env.As(principal.Admin, "KENT-TS").Get("/api/v1/admin/users").Expect(http.StatusOK).JSON(&users)
	userID := users.Items[0].ID
	fill := func(path string) string {
		r := strings.NewReplacer("/cases/:id", "/cases/"+cs.ID, "/notices/:id", "/notices/"+n.ID, ":req", "PSTI-1",
			":decision", "accept", "/invitations/:id", "/invitations/"+n.ID, "*", "console.css",
			"/evidence/:id", "/evidence/"+ex.ID, "/admin/users/:id", "/admin/users/"+userID, ":role", "analyst",
			"/search/listings/:id", "/search/listings/"+lst.ID)
		return r.Replace(path)
	}
	seen := map[string]bool{}
	for _, rt := range env.App.Console.Routes() {
		key := rt.Method + " " + rt.Path
		seen[key] = true
		rule, ok := consoleSweep[key]
		if !ok {
			t.Errorf("console route %s is missing from the sweep table", key)
			continue
		}
		path := fill(rt.Path)
		if rt.Method == http.MethodGet {
			sweepPage(t, env, key, path, rule, secret)
		} else {
			sweepForm(t, env, key, path, rule)
		}
	}
	for key := range consoleSweep {
		if !seen[key] {
			t.Errorf("sweep table names %s, which the console does not serve", key)
		}
	}
}

func sweepPage(t *testing.T, env *wiringtest.Env, key, path string, rule pageRule, secret string) {
	t.Helper()
	anon := newBrowser(t, env).get(path)
	if rule.public {
		if anon.Status != http.StatusOK {
			t.Errorf("%s anonymous: %d", key, anon.Status)
		}
		return
	}
	if anon.Status != http.StatusSeeOther || !strings.HasPrefix(anon.Location, "/sign-in") {
		t.Errorf("%s anonymous: %d → %q, want the sign-in page", key, anon.Status, anon.Location)
	}
	for _, authority := range []string{"KENT-TS", "OPSS"} {
		for code, role := range sweepRoles {
			b := newBrowser(t, env)
			b.signIn(wiringtest.Email(role, authority))
			p := b.get(path)
			allowed := strings.IndexByte(rule.roles, code) >= 0
			switch {
			case rule.record && authority != "KENT-TS":
				if p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
					t.Errorf("%s as %s %s: %d, want 404 or 403", key, authority, role, p.Status)
				}
			case allowed && p.Status != http.StatusOK && p.Status != rule.ok:
				t.Errorf("%s as %s %s: %d, want 200", key, authority, role, p.Status)
			case !allowed && p.Status != http.StatusForbidden:
				t.Errorf("%s as %s %s: %d, want 403", key, authority, role, p.Status)
			}
			if authority != "KENT-TS" && strings.Contains(p.Body, secret) {
				t.Errorf("%s as %s %s shows another authority's case", key, authority, role)
			}
		}
	}
}

func sweepForm(t *testing.T, env *wiringtest.Env, key, path string, rule pageRule) {
	t.Helper()
	anon := newBrowser(t, env)
	if rule.public {
		if p := anon.post(path, url.Values{"csrf_token": {"forged"}}); p.Status != http.StatusForbidden {
			t.Errorf("%s forged anonymous post: %d", key, p.Status)
		}
		return
	}
	if p := anon.post(path, url.Values{}); p.Status != http.StatusSeeOther {
		t.Errorf("%s anonymous post: %d, want a redirect to sign in", key, p.Status)
	}
	b := newBrowser(t, env)
	b.signIn(wiringtest.Email(principal.Supervisor, "KENT-TS"))
	if p := b.post(path, url.Values{"csrf_token": {"forged"}}); p.Status != http.StatusForbidden {
		t.Errorf("%s post without the form's token: %d, want 403", key, p.Status)
	}
}
