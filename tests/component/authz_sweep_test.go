package component_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/httpapi"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// who may call a route: roles holding the permission, and whether the route
// reaches a record owned by one authority (then other authorities get 404).
type rule struct {
	roles string // e.g. "OS" = officer, supervisor; A = analyst; D = admin; "*" = public; "any" = any signed-in user
	owned bool
	// personal: the record belongs to one person (an invitation), who is
	// none of the sweep's callers, so every caller gets 404 (or an input
	// error raised before the record is read).
	personal bool
}

// sweepTable is every route of the API. A route missing here fails the sweep.
var sweepTable = map[string]rule{
	"GET /healthz": {roles: "*"}, "GET /readyz": {roles: "*"},
	"GET /openapi.json": {roles: "*"}, "GET /docs": {roles: "*"}, "GET /docs/*": {roles: "*"},
	"POST /api/v1/auth/login": {roles: "*"}, "POST /api/v1/auth/logout": {roles: "any"}, "GET /api/v1/me": {roles: "any"},

	"GET /api/v1/admin/users": {roles: "D"}, "POST /api/v1/admin/users": {roles: "D"},
	"GET /api/v1/admin/users/:id": {roles: "D", owned: true}, "POST /api/v1/admin/users/:id/grants": {roles: "D", owned: true},
	"DELETE /api/v1/admin/users/:id/grants/:role": {roles: "D", owned: true},
	"GET /api/v1/audit":                           {roles: "SD"}, "GET /api/v1/audit/verify": {roles: "SD"},
	"POST /api/v1/audit/verify": {roles: "SD"}, "POST /api/v1/audit/checkpoints": {roles: "SD"},
	"GET /api/v1/requirements": {roles: "OSAD"}, "GET /api/v1/people": {roles: "OSA"},
	// Profiles are read by the authority's own staff and by national ones
	// (OPSS sees every authority's), and changed by admins.
	"GET /api/v1/authorities/:code/profile": {roles: "OSAD"}, "PUT /api/v1/authorities/:code/profile": {roles: "D"},

	"POST /api/v1/admin/users/:id/password": {roles: "D", owned: true},
	"GET /api/v1/admin/invitations":         {roles: "D"}, "DELETE /api/v1/admin/invitations/:id": {roles: "D", owned: true},
	"POST /api/v1/me/password": {roles: "any"}, "GET /api/v1/me/invitations": {roles: "any"},
	"POST /api/v1/me/invitations/:id/accept":  {roles: "any", personal: true},
	"POST /api/v1/me/invitations/:id/decline": {roles: "any", personal: true},

	"POST /api/v1/products": {roles: "OS"}, "GET /api/v1/products": {roles: "OSA"}, "GET /api/v1/products/:id": {roles: "OSA"},
	"PATCH /api/v1/products/:id": {roles: "OS"},
	"POST /api/v1/operators":     {roles: "OS"}, "GET /api/v1/operators": {roles: "OSAD"}, "GET /api/v1/operators/:id": {roles: "OSAD"},
	"PATCH /api/v1/operators/:id": {roles: "OSD"},

	"POST /api/v1/cases": {roles: "OS"}, "GET /api/v1/cases": {roles: "OS"},
	"GET /api/v1/cases/:id": {roles: "OS", owned: true}, "PATCH /api/v1/cases/:id": {roles: "OS", owned: true},
	"POST /api/v1/cases/:id/transitions": {roles: "OS", owned: true}, "POST /api/v1/cases/:id/assignment": {roles: "S", owned: true},
	"GET /api/v1/cases/:id/parties": {roles: "OS", owned: true}, "POST /api/v1/cases/:id/parties": {roles: "OS", owned: true},
	"GET /api/v1/cases/:id/notes": {roles: "OS", owned: true}, "POST /api/v1/cases/:id/notes": {roles: "OS", owned: true},
	"GET /api/v1/cases/:id/timeline": {roles: "OS", owned: true}, "GET /api/v1/cases/:id/assessment": {roles: "OS", owned: true},
	"PUT /api/v1/cases/:id/assessment/:requirement_id": {roles: "OS", owned: true},
	"POST /api/v1/cases/:id/referrals":                 {roles: "S", owned: true}, "POST /api/v1/cases/:id/referrals/accept": {roles: "S", owned: true},
	"POST /api/v1/cases/:id/referrals/decline": {roles: "S", owned: true}, "PATCH /api/v1/cases/:id/referrals/:authority": {roles: "S", owned: true},
	"POST /api/v1/cases/:id/referrals/:authority/revoke": {roles: "S", owned: true},

	"POST /api/v1/cases/:id/evidence": {roles: "OS", owned: true}, "GET /api/v1/cases/:id/evidence": {roles: "OS", owned: true},
	"GET /api/v1/evidence/:id": {roles: "OS", owned: true}, "GET /api/v1/evidence/:id/content": {roles: "OS", owned: true},
	"GET /api/v1/evidence/:id/custody": {roles: "OS", owned: true}, "POST /api/v1/evidence/:id/custody": {roles: "OS", owned: true},
	"POST /api/v1/evidence/:id/verify": {roles: "OS", owned: true},
	"GET /api/v1/cases/:id/findings":   {roles: "OS", owned: true}, "GET /api/v1/findings/:id": {roles: "OS", owned: true},
	"PATCH /api/v1/findings/:id":                                                 {roles: "OS", owned: true},
	"POST /api/v1/cases/:id/findings/:finding_id/requirements":                   {roles: "OS", owned: true},
	"DELETE /api/v1/cases/:id/findings/:finding_id/requirements/:requirement_id": {roles: "OS", owned: true},

	"GET /api/v1/notices/verify": {roles: "*"}, "POST /api/v1/notices/verify": {roles: "*"},
	"GET /verify": {roles: "*"}, "POST /verify": {roles: "*"},
	"POST /api/v1/cases/:id/notices": {roles: "OS", owned: true}, "GET /api/v1/cases/:id/notices": {roles: "OS", owned: true},
	"GET /api/v1/notices": {roles: "OS"}, "GET /api/v1/notices/:id": {roles: "OS", owned: true},
	"PATCH /api/v1/notices/:id": {roles: "OS", owned: true}, "GET /api/v1/notices/:id/preview.pdf": {roles: "OS", owned: true},
	"GET /api/v1/notices/:id/pdf": {roles: "OS", owned: true}, "GET /api/v1/notices/:id/payments": {roles: "OS", owned: true},
	"POST /api/v1/notices/:id/payments": {roles: "S", owned: true}, "POST /api/v1/notices/:id/submit": {roles: "OS", owned: true},
	"POST /api/v1/notices/:id/approve": {roles: "S", owned: true}, "POST /api/v1/notices/:id/reject": {roles: "S", owned: true},
	"POST /api/v1/notices/:id/issue": {roles: "S", owned: true}, "POST /api/v1/notices/:id/serve": {roles: "OS", owned: true},
	"POST /api/v1/notices/:id/outcome": {roles: "S", owned: true}, "POST /api/v1/notices/:id/withdraw": {roles: "OS", owned: true},
	"POST /api/v1/notices/:id/revoke":         {roles: "S", owned: true},
	"GET /api/v1/notices/:id/representations": {roles: "OS", owned: true}, "POST /api/v1/notices/:id/representations": {roles: "OS", owned: true},
}

var roleLetters = map[principal.Role]string{principal.Officer: "O", principal.Supervisor: "S", principal.Analyst: "A", principal.Admin: "D"}

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
	var target, invitation struct{ ID string }
	env.Onboard(env.As(admin, "KENT-TS"), "sweep.target@kent-ts.test", "Sweep Target", "officer", "analyst").
		Get("/api/v1/me").Expect(200).JSON(&target)
	// A pending invitation from KENT-TS to someone who is none of the callers.
	env.As(admin, "KENT-TS").Post("/api/v1/admin/users", map[string]any{"email": "sweep.invitee@kent-ts.test", "name": "Sweep Invitee",
		"password": wiringtest.OnboardPassword, "roles": []string{"officer"}}).Expect(201).JSON(&invitation)
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
	ids["/api/v1/admin/invitations/"], ids["/api/v1/me/invitations/"] = invitation.ID, invitation.ID
	secrets := []string{s.caseID, s.caseRef, s.exhibits[0].ID, s.exhibits[0].SHA256, fs[0].ID, n.ID, target.ID, invitation.ID}
	fill := func(path string) string {
		path = strings.ReplaceAll(path, ":requirement_id", "PSTI-2")
		path = strings.ReplaceAll(path, ":finding_id", fs[0].ID)
		path = strings.ReplaceAll(path, ":role", "analyst")
		path = strings.ReplaceAll(path, ":authority", "OPSS")
		path = strings.ReplaceAll(path, ":code", "KENT-TS")
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
				case rl.personal:
					if !hidden(res.Status) {
						t.Errorf("%s %s → %d, want 404 (someone else's record)", who, key, res.Status)
					}
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

// recordCheck is one notice or case action checked against record
// relationships. prepare returns the id of a fresh record in the state the
// action needs, for the caller about to act ("" for the refused ones); every
// caller in wrong holds a role the route allows but not the relationship
// and gets the given status (403 for the wrong person, 404 for another
// authority, 409 for the wrong party to a referral); every caller in right
// holds it and is allowed, each on its own fresh record.
type recordCheck struct {
	prepare func(who string) string
	body    any
	wrong   map[string]int
	right   []string
}

// TestAuthorizationSweepRecordRules: for every notice and case action, a
// caller with the right role but the wrong record relationship (not the
// case's assigned officer, not the notice's author, a contributor asked to
// approve, another authority) is refused, and the right one is allowed.
// An action route missing from the table fails the test.
func TestAuthorizationSweepRecordRules(t *testing.T) {
	env := wiringtest.New(t)
	w := newRecordWorld(t, env)
	opssOnly := map[string]int{"opss-officer": 404, "opss-supervisor": 404}
	opssSup := map[string]int{"opss-supervisor": 404}
	work := map[string]int{"colleague": 403, "opss-officer": 404, "opss-supervisor": 404}
	contributed := map[string]int{"contributor": 403, "opss-supervisor": 404}
	checks := map[string]recordCheck{
		"PATCH /api/v1/cases/:id":            {prepare: w.newCase, body: map[string]any{"title": "Renamed"}, wrong: work, right: []string{"assignee", "supervisor"}},
		"POST /api/v1/cases/:id/transitions": {prepare: w.newCase, body: map[string]any{"to": "triage"}, wrong: work, right: []string{"assignee", "supervisor"}},
		"POST /api/v1/cases/:id/assignment":  {prepare: w.newCase, body: map[string]any{"officer_id": w.colleagueID}, wrong: opssSup, right: []string{"supervisor"}},
		"POST /api/v1/cases/:id/parties":     {prepare: w.newCase, body: map[string]any{"operator_id": w.setup.operatorID, "role": "importer"}, wrong: work, right: []string{"assignee", "supervisor"}},
		"POST /api/v1/cases/:id/notes":       {prepare: w.newCase, body: map[string]any{"body": "Called the importer."}, wrong: work, right: []string{"assignee", "supervisor"}},
		"PUT /api/v1/cases/:id/assessment/:requirement_id": {prepare: w.newCase, body: map[string]any{"verdict": "pass", "rationale": "VDP published"},
			wrong: work, right: []string{"assignee", "supervisor"}},
		"POST /api/v1/cases/:id/referrals":        {prepare: w.newCase, body: map[string]any{"to_authority": "OPSS", "reason": "national importer"}, wrong: opssSup, right: []string{"supervisor"}},
		"POST /api/v1/cases/:id/referrals/accept": {prepare: w.referredCase, wrong: map[string]int{"supervisor": 409}, right: []string{"opss-supervisor"}},
		"POST /api/v1/cases/:id/referrals/decline": {prepare: w.referredCase, body: map[string]any{"reason": "not a national matter"},
			wrong: map[string]int{"supervisor": 409, "contributor": 409}, right: []string{"opss-supervisor"}},
		"PATCH /api/v1/cases/:id/referrals/:authority": {prepare: w.referredCase, body: map[string]any{"access_level": "edit_evidence_and_notes"},
			wrong: map[string]int{"opss-supervisor": 403}, right: []string{"supervisor", "contributor"}},
		"POST /api/v1/cases/:id/referrals/:authority/revoke": {prepare: w.referredCase, body: map[string]any{"reason": "opened our own case"},
			wrong: map[string]int{"opss-supervisor": 403}, right: []string{"supervisor"}},
		"POST /api/v1/cases/:id/evidence":   {prepare: w.newCase, body: uploadBody{}, wrong: work, right: []string{"assignee", "supervisor"}},
		"POST /api/v1/cases/:id/notices":    {prepare: w.noticeCase, body: draftBody(w.setup, "compliance"), wrong: work, right: []string{"assignee", "supervisor"}},
		"POST /api/v1/cases/:id/exports":    {prepare: w.newCase, body: map[string]any{"recipient": "Ofcom", "purpose": "referral"}, wrong: opssSup, right: []string{"supervisor"}},
		"POST /api/v1/evidence/:id/custody": {prepare: w.exhibit, body: map[string]any{"action": "viewed"}, wrong: work, right: []string{"assignee", "supervisor"}},
		// Re-hashing is an integrity check any officer who may see the exhibit may run.
		"POST /api/v1/evidence/:id/verify": {prepare: w.exhibit, wrong: opssOnly, right: []string{"colleague", "assignee"}},
		"PATCH /api/v1/findings/:id":       {prepare: w.finding, body: map[string]any{"note": "confirmed on the bench"}, wrong: work, right: []string{"assignee", "supervisor"}},
		"POST /api/v1/cases/:id/findings/:finding_id/requirements": {prepare: w.findingCase,
			body: map[string]any{"requirement": "PSTI-1", "reason": "admin/12345 on the bench"}, wrong: work, right: []string{"assignee", "supervisor"}},
		"DELETE /api/v1/cases/:id/findings/:finding_id/requirements/:requirement_id": {prepare: w.findingCase,
			body: map[string]any{"reason": "not evidence of it"}, wrong: work, right: []string{"assignee", "supervisor"}},

		"PATCH /api/v1/notices/:id":         {prepare: w.notice("draft"), body: w.editBody(), wrong: work, right: []string{"assignee", "author", "supervisor"}},
		"POST /api/v1/notices/:id/submit":   {prepare: w.notice("draft"), wrong: work, right: []string{"assignee", "author", "supervisor"}},
		"POST /api/v1/notices/:id/withdraw": {prepare: w.notice("draft"), body: map[string]any{"reason": "superseded"}, wrong: work, right: []string{"assignee", "author", "supervisor"}},
		"POST /api/v1/notices/:id/approve":  {prepare: w.notice("pending"), wrong: contributed, right: []string{"supervisor"}},
		"POST /api/v1/notices/:id/reject":   {prepare: w.notice("pending"), body: map[string]any{"reason": "cite s.9"}, wrong: contributed, right: []string{"supervisor"}},
		"POST /api/v1/notices/:id/issue":    {prepare: w.notice("approved"), wrong: opssSup, right: []string{"supervisor"}},
		"POST /api/v1/notices/:id/serve": {prepare: w.notice("issued"), body: func() any {
			return map[string]any{"method": "hand", "served_at": time.Now().UTC(), "served_to": "Director"}
		}, wrong: work, right: []string{"assignee", "author", "supervisor"}},
		"POST /api/v1/notices/:id/outcome":  {prepare: w.notice("served"), body: map[string]any{"outcome": "complied"}, wrong: opssSup, right: []string{"supervisor"}},
		"POST /api/v1/notices/:id/revoke":   {prepare: w.notice("issued"), body: map[string]any{"reason": "issued in error"}, wrong: opssSup, right: []string{"supervisor"}},
		"POST /api/v1/notices/:id/payments": {prepare: w.notice("issued-penalty"), body: func() any { return map[string]any{"amount_pence": 100, "paid_at": time.Now().UTC(), "method": "card"} }, wrong: opssSup, right: []string{"supervisor"}},
		"POST /api/v1/notices/:id/representations": {prepare: w.notice("issued-intent"), body: func() any {
			return map[string]any{"from": "Company secretary", "text": "We dispute the finding.", "received_at": time.Now().UTC()}
		}, wrong: work, right: []string{"assignee", "supervisor"}},
	}
	for _, r := range env.App.API.Routes() {
		key := r.Method + " " + r.Path
		action := r.Method != http.MethodGet && (strings.HasPrefix(r.Path, "/api/v1/cases/:id") || strings.HasPrefix(r.Path, "/api/v1/notices/:id") ||
			strings.HasPrefix(r.Path, "/api/v1/evidence/:id") || strings.HasPrefix(r.Path, "/api/v1/findings/:id"))
		if _, ok := checks[key]; action && !ok {
			t.Errorf("case or notice action %s has no record-level check", key)
		}
	}
	for key, ck := range checks {
		method, route, _ := strings.Cut(key, " ")
		send := func(who, path string) *wiringtest.Response {
			c := w.clients[who]
			if method == http.MethodPatch && !strings.Contains(route, ":authority") { // a referral's level has no ETag
				c = c.Header("If-Match", w.clients["supervisor"].Get(path).Expect(200).Header.Get("ETag"))
			}
			switch b := ck.body.(type) {
			case uploadBody:
				return c.Upload(path, uploadFields(), "note.txt", "text/plain", []byte("label photo transcript"))
			case func() any: // a body with the time of the request
				return c.Do(method, path, b())
			}
			return c.Do(method, path, ck.body)
		}
		fill := func(id string) string {
			return strings.Replace(strings.NewReplacer(":requirement_id", "PSTI-2", ":authority", "OPSS",
				":finding_id", w.findingOf[id]).Replace(route), ":id", id, 1)
		}
		path := fill(ck.prepare(""))
		for who, want := range ck.wrong {
			if res := send(who, path); res.Status != want {
				t.Errorf("%s as %s (wrong relationship) → %d, want %d: %s", key, who, res.Status, want, res.Body)
			}
		}
		for _, who := range ck.right {
			if res := send(who, fill(ck.prepare(who))); res.Status >= 300 {
				t.Errorf("%s as %s → %d, want it allowed: %s", key, who, res.Status, res.Body)
			}
		}
	}
}

// uploadBody marks a check whose request is an evidence upload.
type uploadBody struct{}

// recordWorld holds the people and records the record-level sweep uses:
// the seeded KENT-TS officer is the assigned officer of every case (and the
// author of most notices); "author" wrote notices on a case since assigned
// to someone else; "colleague" is an officer with no relationship;
// "contributor" is a supervisor who edited the notices awaiting approval.
type recordWorld struct {
	t           *testing.T
	env         *wiringtest.Env
	setup       noticeSetup
	clients     map[string]*wiringtest.Client
	colleagueID string
	authored    []string // drafts by "author" on a case assigned to another officer
	nmap        []byte
	findingOf   map[string]string // case id → a finding on it (findingCase)
}

func newRecordWorld(t *testing.T, env *wiringtest.Env) *recordWorld {
	w := &recordWorld{t: t, env: env, setup: setupNoticeCase(t, env), nmap: fixture(t, "nmap/testdata/camera.xml"),
		findingOf: map[string]string{}}
	giveIntents(t, env, &w.setup, "penalty_intent")
	w.clients = map[string]*wiringtest.Client{
		"assignee": env.As(officer, "KENT-TS"), "supervisor": env.As(supervisor, "KENT-TS"),
		"colleague":    colleague(t, env, "sweep.colleague@kent-ts.test", "officer"),
		"author":       colleague(t, env, "sweep.author@kent-ts.test", "officer"),
		"contributor":  colleague(t, env, "sweep.contributor@kent-ts.test", "supervisor"),
		"opss-officer": env.As(officer, "OPSS"), "opss-supervisor": env.As(supervisor, "OPSS"),
	}
	w.colleagueID = userID(t, w.clients["colleague"])
	// A second notice case: assigned to "author" while they draft, then
	// reassigned to the seeded officer.
	other := w.anotherNoticeCase()
	giveIntents(t, env, &other, "intent")
	sup, author := w.clients["supervisor"], w.clients["author"]
	sup.Post("/api/v1/cases/"+other.caseID+"/assignment", map[string]string{"officer_id": userID(t, author)}).Expect(200)
	for i := 0; i < 4; i++ {
		var n noticeView
		author.Post("/api/v1/cases/"+other.caseID+"/notices", draftBody(other, "compliance")).Expect(201).JSON(&n)
		w.authored = append(w.authored, n.ID)
	}
	sup.Post("/api/v1/cases/"+other.caseID+"/assignment", map[string]string{"officer_id": userID(t, w.clients["assignee"])}).Expect(200)
	return w
}

// anotherNoticeCase opens a second case ready for notices, on the same
// product and manufacturer as the first.
func (w *recordWorld) anotherNoticeCase() noticeSetup {
	off := w.clients["assignee"]
	s := w.setup
	cv := newCase(w.t, off, s.productID)
	s.caseID, s.caseRef = cv.ID, cv.Reference
	off.Post("/api/v1/cases/"+cv.ID+"/parties", map[string]string{"operator_id": s.operatorID, "role": "manufacturer", "product_id": s.productID}).Expect(201)
	s.exhibits = []exhibitView{upload(w.t, off, cv.ID, "login.txt", "text/plain", []byte("admin/12345 accepted"), 201),
		upload(w.t, off, cv.ID, "photo.txt", "text/plain", []byte("photo of the login screen"), 201)}
	for _, rid := range []string{"PSTI-1", "5.1-1"} {
		off.Put("/api/v1/cases/"+cv.ID+"/assessment/"+rid, map[string]any{"verdict": "fail", "rationale": "universal default password",
			"evidence_ids": []string{s.exhibits[0].ID, s.exhibits[1].ID}}).Expect(200)
	}
	return s
}

func (w *recordWorld) newCase(string) string { return newCase(w.t, w.clients["assignee"]).ID }

func (w *recordWorld) noticeCase(string) string { return w.setup.caseID }

func (w *recordWorld) referredCase(string) string {
	id := w.newCase("")
	w.clients["supervisor"].Post("/api/v1/cases/"+id+"/referrals", map[string]string{"to_authority": "OPSS", "reason": "national importer"}).Expect(201)
	return id
}

func (w *recordWorld) exhibit(string) string {
	return upload(w.t, w.clients["assignee"], w.newCase(""), "label.txt", "text/plain", []byte("label photo transcript"), 201).ID
}

func (w *recordWorld) finding(string) string {
	id := w.newCase("")
	upload(w.t, w.clients["assignee"], id, "camera.xml", "application/xml", w.nmap, 201)
	return findings(w.t, w.clients["assignee"], id, "")[0].ID
}

// findingCase returns a fresh case with a scan on it, remembering one of its
// findings for routes that name both.
func (w *recordWorld) findingCase(string) string {
	id := w.newCase("")
	upload(w.t, w.clients["assignee"], id, "camera.xml", "application/xml", w.nmap, 201)
	w.findingOf[id] = findings(w.t, w.clients["assignee"], id, "")[0].ID
	return id
}

// notice returns a preparer of notices in a state: draft, pending (edited
// by "contributor" before submission), approved, issued, served, or an
// issued penalty notice. The one "author" acts on is one of their own
// drafts; the others are drafted by the case's assigned officer.
func (w *recordWorld) notice(state string) func(who string) string {
	return func(who string) string {
		off := w.clients["assignee"]
		if who == "author" {
			if len(w.authored) == 0 {
				w.t.Fatal("the author's drafts are used up: make more in newRecordWorld")
			}
			id := w.authored[0]
			w.authored = w.authored[1:]
			return w.advance(id, state)
		}
		body, to := draftBody(w.setup, "compliance"), state
		if state == "issued-intent" {
			body, to = draftBody(w.setup, "intent"), "issued"
			body["comply_by"] = time.Now().AddDate(0, 0, 14).Format(time.DateOnly)
		}
		if state == "issued-penalty" {
			body, to = draftBody(w.setup, "penalty"), "issued"
			body["penalty"] = map[string]any{"qualifying_worldwide_revenue_pence": int64(100_000_000) * 100, "revenue_period": "FY2025",
				"amount_pence": 500_000 * 100}
		}
		var n noticeView
		off.Post("/api/v1/cases/"+w.setup.caseID+"/notices", body).Expect(201).JSON(&n)
		if to == "pending" {
			w.clients["contributor"].Header("If-Match", fmt.Sprintf(`"%d"`, n.Version)).Patch("/api/v1/notices/"+n.ID, body).Expect(200)
			off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
			return n.ID
		}
		return w.advance(n.ID, to)
	}
}

// editBody is a notice edit valid on either notice case (it names no
// case-specific exhibit).
func (w *recordWorld) editBody() map[string]any {
	b := draftBody(w.setup, "compliance")
	delete(b, "evidence_ids")
	b["reasons"] = "Edited."
	return b
}

// advance moves a draft on to the state.
func (w *recordWorld) advance(id, state string) string {
	off, sup := w.clients["assignee"], w.clients["supervisor"]
	if state == "draft" {
		return id
	}
	off.Post("/api/v1/notices/"+id+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+id+"/approve", nil).Expect(200)
	if state == "approved" {
		return id
	}
	sup.Post("/api/v1/notices/"+id+"/issue", nil).Expect(200)
	if state == "served" {
		off.Post("/api/v1/notices/"+id+"/serve", map[string]any{"method": "hand", "served_at": time.Now().UTC(), "served_to": "Director"}).Expect(200)
	}
	return id
}

// What another authority may do on a case route, by how it holds the case.
const (
	sweepRead       = "read"        // case metadata: a referred supervisor reads the package view
	sweepContent    = "content"     // exhibit content, custody, findings, history: collaborators only
	sweepContribute = "contribute"  // evidence, custody, notes: collaborators with edit_evidence_and_notes
	sweepOwner      = "owner"       // the owning authority's decisions: 403 to everyone else
	sweepNoticeOnly = "notice-only" // changes to a notice: its authority's alone, another's is not found
	sweepReceiver   = "receiver"    // answering the referral: checked in TestCollaborationAccessLevels
)

// collabTable classifies every route reaching a case record. A route missing
// here fails TestAuthorizationSweepCollaborators.
var collabTable = map[string]string{
	"GET /api/v1/cases/:id": sweepRead, "GET /api/v1/cases/:id/parties": sweepRead, "GET /api/v1/cases/:id/notes": sweepRead,
	"GET /api/v1/cases/:id/assessment": sweepRead, "GET /api/v1/cases/:id/evidence": sweepRead, "GET /api/v1/evidence/:id": sweepRead,
	"GET /api/v1/cases/:id/notices": sweepRead, "GET /api/v1/notices/:id": sweepRead, "GET /api/v1/notices/:id/payments": sweepRead,

	"GET /api/v1/cases/:id/timeline": sweepContent, "GET /api/v1/evidence/:id/content": sweepContent,
	"GET /api/v1/evidence/:id/custody": sweepContent, "POST /api/v1/evidence/:id/verify": sweepContent,
	"GET /api/v1/cases/:id/findings": sweepContent, "GET /api/v1/findings/:id": sweepContent, "GET /api/v1/notices/:id/pdf": sweepContent,

	"POST /api/v1/cases/:id/evidence": sweepContribute, "POST /api/v1/evidence/:id/custody": sweepContribute,
	"POST /api/v1/cases/:id/notes": sweepContribute,

	"PATCH /api/v1/cases/:id": sweepOwner, "POST /api/v1/cases/:id/transitions": sweepOwner, "POST /api/v1/cases/:id/assignment": sweepOwner,
	"POST /api/v1/cases/:id/parties": sweepOwner, "PUT /api/v1/cases/:id/assessment/:requirement_id": sweepOwner,
	"POST /api/v1/cases/:id/referrals": sweepOwner, "PATCH /api/v1/cases/:id/referrals/:authority": sweepOwner,
	"POST /api/v1/cases/:id/referrals/:authority/revoke": sweepOwner, "POST /api/v1/cases/:id/notices": sweepOwner,
	"PATCH /api/v1/findings/:id": sweepOwner, "POST /api/v1/cases/:id/exports": sweepOwner,
	"POST /api/v1/cases/:id/findings/:finding_id/requirements":                   sweepOwner,
	"DELETE /api/v1/cases/:id/findings/:finding_id/requirements/:requirement_id": sweepOwner,

	"PATCH /api/v1/notices/:id": sweepNoticeOnly, "GET /api/v1/notices/:id/preview.pdf": sweepNoticeOnly,
	"POST /api/v1/notices/:id/payments": sweepNoticeOnly, "POST /api/v1/notices/:id/submit": sweepNoticeOnly,
	"POST /api/v1/notices/:id/approve": sweepNoticeOnly, "POST /api/v1/notices/:id/reject": sweepNoticeOnly,
	"POST /api/v1/notices/:id/issue": sweepNoticeOnly, "POST /api/v1/notices/:id/serve": sweepNoticeOnly,
	"POST /api/v1/notices/:id/outcome": sweepNoticeOnly, "POST /api/v1/notices/:id/withdraw": sweepNoticeOnly,
	"POST /api/v1/notices/:id/revoke": sweepNoticeOnly, "POST /api/v1/notices/:id/representations": sweepNoticeOnly,
	"GET /api/v1/notices/:id/representations": sweepContent,

	"POST /api/v1/cases/:id/referrals/accept": sweepReceiver, "POST /api/v1/cases/:id/referrals/decline": sweepReceiver,
}

// TestAuthorizationSweepCollaborators calls every case route as every role
// of the authority a Kent case is referred to — while the referral is
// pending, at each collaboration level, and after revocation — with bodies
// that would succeed, and checks each status against its class.
func TestAuthorizationSweepCollaborators(t *testing.T) {
	env := wiringtest.New(t)
	s := setupNoticeCase(t, env)
	kentSup := env.As(supervisor, "KENT-TS")
	issued := issueNotice(t, env, s.caseID, draftBody(s, "intent"))
	fs := findings(t, env.As(officer, "KENT-TS"), s.caseID, "")
	ids := map[string]string{"/api/v1/cases/": s.caseID, "/api/v1/evidence/": s.exhibits[0].ID, "/api/v1/findings/": fs[0].ID,
		"/api/v1/notices/": issued.ID}
	fill := func(path string) string {
		path = strings.ReplaceAll(path, ":requirement_id", "PSTI-3")
		path = strings.ReplaceAll(path, ":finding_id", fs[0].ID)
		path = strings.ReplaceAll(path, ":authority", "OPSS")
		path = strings.ReplaceAll(path, ":code", "KENT-TS")
		for prefix, id := range ids {
			if strings.HasPrefix(path, prefix+":id") {
				return strings.Replace(path, ":id", id, 1)
			}
		}
		t.Fatalf("no fixture for %s", path)
		return ""
	}
	now := env.Clock.Now().UTC()
	bodies := map[string]any{
		"PATCH /api/v1/cases/:id": map[string]any{"title": "x"}, "POST /api/v1/cases/:id/transitions": map[string]any{"to": "triage"},
		"POST /api/v1/cases/:id/assignment":                                          map[string]any{"officer_id": userID(t, env.As(officer, "OPSS"))},
		"POST /api/v1/cases/:id/parties":                                             map[string]any{"operator_id": s.operatorID, "role": "importer"},
		"PUT /api/v1/cases/:id/assessment/:requirement_id":                           map[string]any{"verdict": "pass"},
		"POST /api/v1/cases/:id/referrals":                                           map[string]any{"to_authority": "KENT-TS", "reason": "x"},
		"PATCH /api/v1/cases/:id/referrals/:authority":                               map[string]any{"access_level": "read_only"},
		"POST /api/v1/cases/:id/referrals/:authority/revoke":                         map[string]any{"reason": "x"},
		"POST /api/v1/cases/:id/notices":                                             draftBody(s, "stop"),
		"PATCH /api/v1/findings/:id":                                                 map[string]any{"status": "disputed"},
		"POST /api/v1/cases/:id/findings/:finding_id/requirements":                   map[string]any{"requirement": "PSTI-1", "reason": "x"},
		"DELETE /api/v1/cases/:id/findings/:finding_id/requirements/:requirement_id": map[string]any{"reason": "x"},
		"POST /api/v1/cases/:id/exports":                                             map[string]any{"recipient": "Border Force", "purpose": "x"},
		"POST /api/v1/cases/:id/notes":                                               map[string]any{"body": "collaborator note"},
		"POST /api/v1/evidence/:id/custody":                                          map[string]any{"from": "Kent lab", "to": "OPSS lab"},
		"PATCH /api/v1/notices/:id":                                                  draftBody(s, "stop"),
		"POST /api/v1/notices/:id/payments":                                          map[string]any{"amount_pence": 100, "paid_at": now, "method": "card"},
		"POST /api/v1/notices/:id/reject":                                            map[string]any{"reason": "x"},
		"POST /api/v1/notices/:id/serve":                                             map[string]any{"method": "hand", "served_at": now, "served_to": "x"},
		"POST /api/v1/notices/:id/outcome":                                           map[string]any{"outcome": "complied"},
		"POST /api/v1/notices/:id/withdraw":                                          map[string]any{"reason": "x"},
		"POST /api/v1/notices/:id/revoke":                                            map[string]any{"reason": "x"},
		"POST /api/v1/notices/:id/representations":                                   map[string]any{"from": "x", "text": "x", "received_at": now},
	}
	call := func(c *wiringtest.Client, key, path string) *wiringtest.Response {
		method, _, _ := strings.Cut(key, " ")
		if key == "POST /api/v1/cases/:id/evidence" {
			return c.Upload(path, uploadFields(), "collab.txt", "text/plain", []byte("collaborator's exhibit"))
		}
		if method == http.MethodPatch {
			c = c.Header("If-Match", `"1"`)
		}
		return c.Do(method, path, bodies[key])
	}
	allowed := func(st int) bool { return st < 500 && st != 401 && st != 403 && st != 404 }
	// want says whether a role of the other authority may pass, and what it gets otherwise.
	want := func(standing, class string, role principal.Role) (pass bool, otherwise int) {
		switch {
		case standing == "revoked":
			return false, 404
		case class == sweepNoticeOnly:
			return false, 404
		case standing == "referred" && role != principal.Supervisor:
			return false, 404 // a pending referral shows to supervisors only
		case standing == "referred":
			return class == sweepRead, 403
		case class == sweepRead || class == sweepContent:
			return true, 0
		case class == sweepContribute:
			return standing == "edit_evidence_and_notes", 403
		}
		return false, 403
	}
	sweep := func(standing string) {
		for _, r := range env.App.API.Routes() {
			key := r.Method + " " + r.Path
			rl := sweepTable[key]
			class, ok := collabTable[key]
			switch {
			case !ok && rl.owned && (strings.HasPrefix(r.Path, "/api/v1/cases/:id") || strings.HasPrefix(r.Path, "/api/v1/evidence/") ||
				strings.HasPrefix(r.Path, "/api/v1/findings/") || strings.HasPrefix(r.Path, "/api/v1/notices/:id")):
				t.Errorf("case route %s is missing from the collaborator sweep table", key)
				continue
			case !ok || class == sweepReceiver:
				continue
			}
			path := fill(r.Path)
			for _, role := range principal.Roles {
				res := call(env.As(role, "OPSS"), key, path)
				who := fmt.Sprintf("%s@OPSS (%s) %s", role, standing, key)
				pass, otherwise := want(standing, class, role)
				if !strings.Contains(rl.roles, roleLetters[role]) {
					pass, otherwise = false, 403 // the role lacks the permission anywhere
				}
				switch {
				case res.Status >= 500:
					t.Errorf("%s → %d: %s", who, res.Status, res.Body)
				case pass && !allowed(res.Status):
					t.Errorf("%s → %d, want access: %s", who, res.Status, truncateBody(res.Body))
				case !pass && res.Status != otherwise:
					t.Errorf("%s → %d, want %d: %s", who, res.Status, otherwise, truncateBody(res.Body))
				}
			}
		}
	}
	kentSup.Post("/api/v1/cases/"+s.caseID+"/referrals", map[string]any{"to_authority": "OPSS", "reason": "national importer",
		"access_level": "edit_evidence_and_notes"}).Expect(201)
	sweep("referred")
	kentSup.Patch("/api/v1/cases/"+s.caseID+"/referrals/OPSS", map[string]any{"access_level": "read_only"}).Expect(200)
	env.As(supervisor, "OPSS").Post("/api/v1/cases/"+s.caseID+"/referrals/accept", nil).Expect(200)
	sweep("read_only")
	kentSup.Patch("/api/v1/cases/"+s.caseID+"/referrals/OPSS", map[string]any{"access_level": "edit_evidence_and_notes"}).Expect(200)
	sweep("edit_evidence_and_notes")
	kentSup.Post("/api/v1/cases/"+s.caseID+"/referrals/OPSS/revoke", map[string]any{"reason": "sweep done"}).Expect(200)
	sweep("revoked")
}
