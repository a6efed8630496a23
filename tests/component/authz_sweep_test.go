package component_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/httpapi"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// who may call a route: roles holding the permission, and whether the route
// reaches a record owned by one authority (then other authorities get 404).
type rule struct {
	roles string // e.g. "OS" = officer, supervisor; A = analyst; D = admin; "*" = public; "any" = any signed-in user
	owned bool
}

// sweepTable is every route of the API. A route missing here fails the sweep.
var sweepTable = map[string]rule{
	"GET /healthz": {roles: "*"}, "GET /readyz": {roles: "*"}, "GET /metrics": {roles: "*"},
	"GET /openapi.json": {roles: "*"}, "GET /docs": {roles: "*"}, "GET /docs/*": {roles: "*"},
	"POST /api/v1/auth/login": {roles: "*"}, "POST /api/v1/auth/logout": {roles: "any"}, "GET /api/v1/me": {roles: "any"},

	"GET /api/v1/admin/users": {roles: "D"}, "POST /api/v1/admin/users": {roles: "D"},
	"GET /api/v1/admin/users/:id": {roles: "D", owned: true}, "POST /api/v1/admin/users/:id/grants": {roles: "D", owned: true},
	"DELETE /api/v1/admin/users/:id/grants/:role": {roles: "D", owned: true},
	"GET /api/v1/audit":                           {roles: "SD"}, "GET /api/v1/audit/verify": {roles: "SD"},
	"GET /api/v1/requirements": {roles: "OSAD"},

	"POST /api/v1/products": {roles: "OS"}, "GET /api/v1/products": {roles: "OSA"}, "GET /api/v1/products/:id": {roles: "OSA"},
	"PATCH /api/v1/products/:id": {roles: "OS"},
	"POST /api/v1/operators":     {roles: "OS"}, "GET /api/v1/operators": {roles: "OSA"}, "GET /api/v1/operators/:id": {roles: "OSA"},
	"PATCH /api/v1/operators/:id": {roles: "OS"},

	"POST /api/v1/cases": {roles: "OS"}, "GET /api/v1/cases": {roles: "OS"},
	"GET /api/v1/cases/:id": {roles: "OS", owned: true}, "PATCH /api/v1/cases/:id": {roles: "OS", owned: true},
	"POST /api/v1/cases/:id/transitions": {roles: "OS", owned: true}, "POST /api/v1/cases/:id/assignment": {roles: "S", owned: true},
	"GET /api/v1/cases/:id/parties": {roles: "OS", owned: true}, "POST /api/v1/cases/:id/parties": {roles: "OS", owned: true},
	"GET /api/v1/cases/:id/notes": {roles: "OS", owned: true}, "POST /api/v1/cases/:id/notes": {roles: "OS", owned: true},
	"GET /api/v1/cases/:id/timeline": {roles: "OS", owned: true}, "GET /api/v1/cases/:id/assessment": {roles: "OS", owned: true},
	"PUT /api/v1/cases/:id/assessment/:requirement_id": {roles: "OS", owned: true},
	"POST /api/v1/cases/:id/referrals":                 {roles: "S", owned: true}, "POST /api/v1/cases/:id/referrals/accept": {roles: "S", owned: true},

	"POST /api/v1/cases/:id/evidence": {roles: "OS", owned: true}, "GET /api/v1/cases/:id/evidence": {roles: "OS", owned: true},
	"GET /api/v1/evidence/:id": {roles: "OS", owned: true}, "GET /api/v1/evidence/:id/content": {roles: "OS", owned: true},
	"GET /api/v1/evidence/:id/custody": {roles: "OS", owned: true}, "POST /api/v1/evidence/:id/custody": {roles: "OS", owned: true},
	"POST /api/v1/evidence/:id/verify": {roles: "OS", owned: true},
	"GET /api/v1/cases/:id/findings":   {roles: "OS", owned: true}, "GET /api/v1/findings/:id": {roles: "OS", owned: true},
	"PATCH /api/v1/findings/:id": {roles: "OS", owned: true},

	"GET /api/v1/notices/verify": {roles: "*"}, "POST /api/v1/notices/verify": {roles: "*"},
	"POST /api/v1/cases/:id/notices": {roles: "OS", owned: true}, "GET /api/v1/cases/:id/notices": {roles: "OS", owned: true},
	"GET /api/v1/notices": {roles: "OS"}, "GET /api/v1/notices/:id": {roles: "OS", owned: true},
	"PATCH /api/v1/notices/:id": {roles: "OS", owned: true}, "GET /api/v1/notices/:id/preview.pdf": {roles: "OS", owned: true},
	"GET /api/v1/notices/:id/pdf": {roles: "OS", owned: true}, "GET /api/v1/notices/:id/payments": {roles: "OS", owned: true},
	"POST /api/v1/notices/:id/payments": {roles: "S", owned: true}, "POST /api/v1/notices/:id/submit": {roles: "OS", owned: true},
	"POST /api/v1/notices/:id/approve": {roles: "S", owned: true}, "POST /api/v1/notices/:id/reject": {roles: "S", owned: true},
	"POST /api/v1/notices/:id/issue": {roles: "S", owned: true}, "POST /api/v1/notices/:id/serve": {roles: "OS", owned: true},
	"POST /api/v1/notices/:id/outcome": {roles: "S", owned: true}, "POST /api/v1/notices/:id/withdraw": {roles: "OS", owned: true},
	"POST /api/v1/notices/:id/revoke": {roles: "S", owned: true},
}

var roleLetters = map[principal.Role]string{principal.Officer: "O", principal.Supervisor: "S", principal.Analyst: "A", principal.Admin: "D"}

var paramPattern = regexp.MustCompile(`:([A-Za-z_]+)`)

// TestAuthorizationSweep calls every route as an anonymous client and as
// every role of two authorities, and checks each status against the table:
// 401 without a token, 403 without the permission, 404 for another
// authority's records, never a 5xx — and no response to another authority
// ever mentions the owning authority's record ids.
func TestAuthorizationSweep(t *testing.T) {
	env := wiringtest.New(t)
	s := setupNoticeCase(t, env)
	off := env.As(officer, "KENT-TS")
	var n noticeView
	off.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "compliance")).Expect(201).JSON(&n)
	fs := findings(t, off, s.caseID, "")
	env.As(admin, "KENT-TS").Post("/api/v1/admin/users", map[string]any{"email": "sweep.target@kent-ts.test", "name": "Sweep Target",
		"password": wiringtest.Password, "roles": []string{"officer", "analyst"}}).Expect(201)
	var target struct{ ID string }
	env.As(admin, "KENT-TS").Get("/api/v1/admin/users?limit=200").Expect(200)
	for _, u := range listUsers(t, env.As(admin, "KENT-TS")) {
		if u.Email == "sweep.target@kent-ts.test" {
			target.ID = u.ID
		}
	}
	ids := map[string]string{
		"/api/v1/cases/":       s.caseID,
		"/api/v1/evidence/":    s.exhibits[0].ID,
		"/api/v1/findings/":    fs[0].ID,
		"/api/v1/notices/":     n.ID,
		"/api/v1/products/":    s.productID,
		"/api/v1/operators/":   s.operatorID,
		"/api/v1/listings/":    sweepListing(t, off),
		"/api/v1/admin/users/": target.ID,
	}
	secrets := []string{s.caseID, s.caseRef, s.exhibits[0].ID, s.exhibits[0].SHA256, fs[0].ID, n.ID, target.ID}
	fill := func(path string) string {
		path = strings.ReplaceAll(path, ":requirement_id", "PSTI-2")
		path = strings.ReplaceAll(path, ":role", "analyst")
		for prefix, id := range ids {
			if strings.HasPrefix(path, prefix+":id") {
				return strings.Replace(path, ":id", id, 1)
			}
		}
		if strings.Contains(path, ":") {
			t.Fatalf("no fixture for the parameters of %s", path)
		}
		return strings.ReplaceAll(path, "*", "index.html")
	}

	routes := env.App.API.Routes()
	seen := map[string]bool{}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		seen[key] = true
		rl, ok := sweepTable[key]
		if !ok {
			t.Errorf("route %s is missing from the authorization sweep table", key)
			continue
		}
		path := fill(r.Path)
		// Anonymous.
		res := env.Anonymous().Do(r.Method, path, nil)
		switch {
		case rl.roles == "*" && (res.Status == 401 || res.Status == 403 || res.Status >= 500):
			t.Errorf("anonymous %s → %d, want public access", key, res.Status)
		case rl.roles != "*" && res.Status != 401:
			t.Errorf("anonymous %s → %d, want 401", key, res.Status)
		}
		if rl.roles == "*" || key == "POST /api/v1/auth/logout" {
			continue
		}
		for _, authority := range []string{"OPSS", "KENT-TS"} {
			for _, role := range principal.Roles {
				c := env.As(role, authority)
				res := c.Do(r.Method, path, nil)
				allowed := rl.roles == "any" || strings.Contains(rl.roles, roleLetters[role])
				who := string(role) + "@" + authority
				switch {
				case res.Status >= 500:
					t.Errorf("%s %s → %d: %s", who, key, res.Status, res.Body)
				case !allowed && res.Status != 403:
					t.Errorf("%s %s → %d, want 403", who, key, res.Status)
				case allowed && rl.owned && authority == "OPSS" && !hidden(res.Status):
					t.Errorf("%s %s → %d, want 404 (another authority's record)", who, key, res.Status)
				case allowed && (!rl.owned || authority == "KENT-TS") && (res.Status == 401 || res.Status == 403 || res.Status == 404):
					t.Errorf("%s %s → %d, want access: %s", who, key, res.Status, res.Body)
				}
				if authority == "OPSS" {
					for _, secret := range secrets {
						// The caller's own request path may echo an id it sent.
						if secret != "" && !strings.Contains(path, secret) && strings.Contains(string(res.Body), secret) {
							t.Errorf("%s %s leaked KENT-TS record %s", who, key, secret)
						}
					}
				}
			}
		}
	}
	for key := range sweepTable {
		if !seen[key] {
			t.Errorf("sweep table lists %s, which is not a route", key)
		}
	}
	// Logout, last: it revokes the token it is called with.
	env.WithToken(env.Token(wiringtest.Email(analyst, "OPSS"))).Post("/api/v1/auth/logout", nil).Expect(http.StatusNoContent)
	_ = httpapi.Prefix
}

// hidden reports whether a status reveals nothing about another authority's
// record: not found, or an input error raised before any record is read
// (these requests carry no body).
func hidden(status int) bool {
	switch status {
	case 404, 400, 415, 422, 428:
		return true
	}
	return false
}

type userRow struct{ ID, Email string }

func listUsers(t *testing.T, c *wiringtest.Client) []userRow {
	t.Helper()
	var list struct{ Items []userRow }
	c.Get("/api/v1/admin/users").Expect(200).JSON(&list)
	return list.Items
}
