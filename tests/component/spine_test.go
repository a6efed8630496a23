package component_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/httpapi"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

const (
	officer    = principal.Officer
	supervisor = principal.Supervisor
	analyst    = principal.Analyst
	admin      = principal.Admin
)

func TestLoginMeLogout(t *testing.T) {
	env := wiringtest.New(t)
	anon := env.Anonymous()
	resp := anon.Post("/api/v1/auth/login", map[string]string{"email": "Officer@Kent-TS.test ", "password": wiringtest.Password}).Expect(200)
	var login struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	resp.JSON(&login)
	if !regexp.MustCompile(`^tw_[A-Za-z0-9_-]{43}$`).MatchString(login.Token) {
		t.Fatalf("token %q is not 256 bits of base64url", login.Token)
	}
	if d := time.Until(login.ExpiresAt); d < 11*time.Hour || d > 13*time.Hour {
		t.Fatalf("expires_at %v is not ~12h away", login.ExpiresAt)
	}
	c := env.WithToken(login.Token)
	var me struct {
		ID, Email, Name string
		Grants          []struct{ Authority, Role string }
	}
	c.Get("/api/v1/me").Expect(200).JSON(&me)
	if me.Email != "officer@kent-ts.test" || len(me.Grants) != 1 || me.Grants[0].Authority != "KENT-TS" || me.Grants[0].Role != "officer" {
		t.Fatalf("unexpected /me: %+v", me)
	}
	c.Post("/api/v1/auth/logout", nil).Expect(204)
	p := c.Get("/api/v1/me").Expect(401).Problem()
	if p.Status != 401 || !strings.HasPrefix(p.Type, "urn:tradewarden:problem:") {
		t.Fatalf("unexpected problem %+v", p)
	}
}

// Five wrong passwords used to lock the account for 15 minutes, even for its
// owner. Now they only delay the (email, client) pair that sent them, by a
// second at first (TestLoginThrottlingCannotLockAnyoneOut covers the rest).
func TestBadLoginsAreAuditedAndThrottled(t *testing.T) {
	env := wiringtest.New(t)
	anon := env.Anonymous()
	for i := 0; i < 5; i++ {
		anon.Post("/api/v1/auth/login", map[string]string{"email": "officer@kent-ts.test", "password": "wrong password"}).Expect(401).Problem()
	}
	// Delayed now, even with the right password: a second, not a lock.
	resp := anon.Post("/api/v1/auth/login", map[string]string{"email": "officer@kent-ts.test", "password": wiringtest.Password}).Expect(429)
	if resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("a delayed login should say when to retry (1 s), got Retry-After %q", resp.Header.Get("Retry-After"))
	}
	anon.Post("/api/v1/auth/login", map[string]string{"email": "nobody@kent-ts.test", "password": "x"}).Expect(401)
	env.Clock.Advance(time.Second)
	anon.Post("/api/v1/auth/login", map[string]string{"email": "officer@kent-ts.test", "password": wiringtest.Password}).Expect(200)

	// Failed logins act in no authority; read them straight from the log.
	entries, err := env.App.Audit.List(env.Ctx(), audit.Filter{ObjectType: "user", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	failed, throttled := 0, 0
	for _, e := range entries {
		switch e.Action {
		case "auth.login_failed":
			failed++
		case "auth.login_throttled":
			throttled++
		}
	}
	if failed != 6 || throttled != 1 { // 5 wrong passwords and 1 unknown email; 1 attempt inside the delay
		t.Fatalf("audited %d failed and %d throttled logins, want 6 and 1", failed, throttled)
	}
}

func TestTokenExpiry(t *testing.T) {
	env := wiringtest.New(t)
	c := env.As(officer, "KENT-TS")
	c.Get("/api/v1/me").Expect(200)
	env.Clock.Advance(12*time.Hour + time.Second)
	c.Get("/api/v1/me").Expect(401)
}

func TestAuthorityScoping(t *testing.T) {
	env := wiringtest.New(t)
	kent := env.As(admin, "KENT-TS")
	var list struct {
		Items []struct {
			Email string
			Roles []string
		}
	}
	kent.Get("/api/v1/admin/users").Expect(200).JSON(&list)
	if len(list.Items) != 4 {
		t.Fatalf("Kent admin sees %d users, want its 4", len(list.Items))
	}
	for _, u := range list.Items {
		if !strings.HasSuffix(u.Email, "@kent-ts.test") {
			t.Fatalf("Kent admin sees %s of another authority", u.Email)
		}
	}
	// A Kent token cannot act in OPSS.
	kent.Header("X-Authority", "OPSS").Get("/api/v1/admin/users").Expect(403).Problem()
	kent.Header("X-Authority", "NOPE").Get("/api/v1/admin/users").Expect(403)
	// Another authority's user is invisible by id.
	var opssList struct{ Items []struct{ ID string } }
	env.As(admin, "OPSS").Get("/api/v1/admin/users").Expect(200).JSON(&opssList)
	kent.Get("/api/v1/admin/users/" + opssList.Items[0].ID).Expect(404).Problem()
	kent.Post("/api/v1/admin/users/"+opssList.Items[0].ID+"/grants", map[string]string{"role": "officer"}).Expect(404)
	// Officers are not admins.
	env.As(officer, "KENT-TS").Get("/api/v1/admin/users").Expect(403)
}

func TestMultiAuthorityUserMustNameAuthority(t *testing.T) {
	env := wiringtest.New(t)
	opssAdmin := env.As(admin, "OPSS")
	// Invite Kent's supervisor to an analyst role in OPSS: the existing
	// account gains the grant only when its owner accepts with the code.
	code := "an invitation code for Kent's supervisor"
	opssAdmin.Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(supervisor, "KENT-TS"),
		"name": "ignored", "password": code, "roles": []string{"analyst"}}).Expect(201)
	c := env.As(supervisor, "KENT-TS")
	c.Get("/api/v1/audit").Expect(200) // still one authority until accepted
	if n := c.AcceptInvitations(code); n != 1 {
		t.Fatalf("%d invitations, want 1", n)
	}
	p := c.Get("/api/v1/audit").Expect(422).Problem()
	if !strings.Contains(p.Detail, "X-Authority") {
		t.Fatalf("problem should mention X-Authority: %+v", p)
	}
	c.Header("X-Authority", "KENT-TS").Get("/api/v1/audit").Expect(200)
	// Analysts may not read the audit log.
	c.Header("X-Authority", "OPSS").Get("/api/v1/audit").Expect(403)
	var me struct {
		Grants []struct{ Authority, Role string }
	}
	c.Get("/api/v1/me").Expect(200).JSON(&me)
	if len(me.Grants) != 2 {
		t.Fatalf("want grants in two authorities, got %+v", me.Grants)
	}
}

func TestAdminGrantsTakeEffectAtRuntime(t *testing.T) {
	env := wiringtest.New(t)
	adm := env.As(admin, "KENT-TS")
	off := env.As(officer, "KENT-TS")
	off.Get("/api/v1/audit").Expect(403)
	var me struct{ ID string }
	off.Get("/api/v1/me").Expect(200).JSON(&me)
	adm.Post("/api/v1/admin/users/"+me.ID+"/grants", map[string]string{"role": "supervisor"}).Expect(201)
	off.Get("/api/v1/audit").Expect(200)
	adm.Delete("/api/v1/admin/users/" + me.ID + "/grants/supervisor").Expect(204)
	off.Get("/api/v1/audit").Expect(403)
	adm.Delete("/api/v1/admin/users/" + me.ID + "/grants/supervisor").Expect(404)
	adm.Delete("/api/v1/admin/users/" + me.ID + "/grants/emperor").Expect(422)
	// A new user added by the admin can log in, change the password and accept.
	nia := env.Onboard(adm, "new.officer@kent-ts.test", "Nia Jones", "officer")
	nia.Get("/api/v1/cases").Expect(200)
}

func TestBadInputGetsProblemsAndWritesNothing(t *testing.T) {
	env := wiringtest.New(t)
	adm := env.As(admin, "KENT-TS")
	before := auditCount(t, env)
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"malformed JSON", `{"email":`, 400, ""},
		{"not an object", `[1,2]`, 400, ""},
		{"wrong type", `{"email":"a@b.test","name":"A","roles":"officer"}`, 400, "roles"},
		{"unknown field", `{"email":"a@b.test","name":"A","roles":["officer"],"admin":true}`, 400, "admin"},
		{"trailing data", `{"email":"a@b.test","name":"A","roles":["officer"]} {}`, 400, ""},
		{"missing fields", `{}`, 422, "email"},
		{"bad role", `{"email":"a@b.test","name":"A","password":"long enough password","roles":["king"]}`, 422, "roles[0]"},
		{"bad email", `{"email":"not an email","name":"A","password":"long enough password","roles":["officer"]}`, 422, "email"},
		{"short password", `{"email":"a@b.test","name":"A","password":"short","roles":["officer"]}`, 422, "password"},
		{"empty body", ``, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := adm.Post("/api/v1/admin/users", tc.body).Expect(tc.status).Problem()
			if tc.field != "" && !p.HasField(tc.field) {
				t.Fatalf("problem does not name field %q: %+v", tc.field, p)
			}
		})
	}
	// Oversized body.
	big := `{"email":"a@b.test","name":"` + strings.Repeat("x", 2<<20) + `","roles":["officer"]}`
	adm.Post("/api/v1/admin/users", big).Expect(413).Problem()
	// Wrong media type.
	req := httptest.NewRequest(http.MethodPost, "/api/v1/admin/users", strings.NewReader("email=a"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+adm.Token())
	if r := env.Send(req); r.Status != 415 {
		t.Fatalf("form body: status %d, want 415", r.Status)
	}
	// Missing, malformed and unknown tokens.
	env.Anonymous().Get("/api/v1/admin/users").Expect(401).Problem()
	env.WithToken("tw_nonsense").Get("/api/v1/admin/users").Expect(401)
	env.Anonymous().Header("Authorization", "Basic Zm9vOmJhcg==").Get("/api/v1/me").Expect(401)
	if after := auditCount(t, env); after != before {
		t.Fatalf("bad requests wrote %d audit entries", after-before)
	}
	// Unknown routes are problems too.
	env.Anonymous().Get("/api/v1/nope").Expect(404).Problem()
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	env := wiringtest.New(t)
	sup := env.As(supervisor, "KENT-TS")
	var v struct {
		OK         bool   `json:"ok"`
		Entries    int64  `json:"entries"`
		FirstBadID *int64 `json:"first_bad_id"`
	}
	sup.Get("/api/v1/audit/verify").Expect(200).JSON(&v)
	if !v.OK || v.Entries < 10 {
		t.Fatalf("fresh chain: %+v", v)
	}
	ctx := env.Ctx()
	db := env.App.DB
	if _, err := db.ExecContext(ctx, "UPDATE audit_log SET detail = ? WHERE seq = 5", `{"edited":true}`); err != nil {
		t.Fatal(err)
	}
	sup.Get("/api/v1/audit/verify").Expect(200).JSON(&v)
	if v.OK || v.FirstBadID == nil || *v.FirstBadID != 5 {
		t.Fatalf("edited row not detected: %+v", v)
	}
}

func TestAuditVerifyDetectsDeletion(t *testing.T) {
	for _, seq := range []string{"3", "(SELECT MAX(seq) FROM audit_log)"} {
		env := wiringtest.New(t)
		if _, err := env.App.DB.ExecContext(env.Ctx(), "DELETE FROM audit_log WHERE seq = "+seq); err != nil {
			t.Fatal(err)
		}
		var v struct{ OK bool }
		env.As(admin, "OPSS").Get("/api/v1/audit/verify").Expect(200).JSON(&v)
		if v.OK {
			t.Fatalf("deleting entry %s was not detected", seq)
		}
	}
}

func TestAuditListingIsScopedAndPaged(t *testing.T) {
	env := wiringtest.New(t)
	sup := env.As(supervisor, "KENT-TS")
	var page struct {
		Items []struct {
			ID        int64  `json:"id"`
			Authority string `json:"authority"`
			Action    string `json:"action"`
			Hash      string `json:"hash"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	sup.Get("/api/v1/audit?limit=3").Expect(200).JSON(&page)
	if len(page.Items) != 3 || page.NextCursor == "" {
		t.Fatalf("first page: %+v", page)
	}
	seen := map[int64]bool{}
	cursor := ""
	for i := 0; i < 20; i++ {
		sup.Get("/api/v1/audit?limit=3&cursor=" + cursor).Expect(200).JSON(&page)
		for _, it := range page.Items {
			if it.Authority != "KENT-TS" {
				t.Fatalf("entry of %s visible to Kent", it.Authority)
			}
			if seen[it.ID] {
				t.Fatalf("entry %d repeated across pages", it.ID)
			}
			seen[it.ID] = true
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(seen) < 5 {
		t.Fatalf("walked only %d entries", len(seen))
	}
	sup.Get("/api/v1/audit?cursor=abc").Expect(422)
	sup.Get("/api/v1/audit?limit=abc").Expect(422)
}

func TestOperationsEndpoints(t *testing.T) {
	env := wiringtest.New(t)
	anon := env.Anonymous()
	anon.Get("/healthz").Expect(200)
	if m := anon.Get("/readyz").Expect(200).Map(); m["status"] != "ready" {
		t.Fatalf("readyz: %v", m)
	}
	env.As(officer, "KENT-TS").Get("/api/v1/me").Expect(200)
	// The metrics are kept, on their own listener (not the API: TestMetricsAreNotPublic).
	anon.Get("/metrics").Expect(404)
	_, metrics := metricsGet(t, env, "/metrics")
	if !strings.Contains(metrics, `tradewarden_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1`) ||
		!strings.Contains(metrics, "tradewarden_http_request_duration_seconds_bucket") {
		t.Fatalf("metrics lack per-route counters and histograms:\n%.2000s", metrics)
	}
	docs := anon.Get("/docs/").Expect(200).String()
	if !strings.Contains(docs, "swagger-ui") || strings.Contains(docs, "cdn") && strings.Contains(docs, "https://") {
		t.Fatalf("docs page is not the embedded Swagger UI:\n%.500s", docs)
	}
	anon.Get("/docs/swagger-ui-bundle.js").Expect(200)
	r := anon.Get("/healthz")
	for _, h := range []string{"X-Request-Id", "X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy"} {
		if r.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if got := anon.Header("X-Request-Id", "trace-123").Get("/healthz").Header.Get("X-Request-Id"); got != "trace-123" {
		t.Errorf("a well-formed client request id should be kept, got %q", got)
	}
	if got := anon.Header("X-Request-Id", "bad id\twith spaces").Get("/healthz").Header.Get("X-Request-Id"); got == "bad id\twith spaces" {
		t.Error("a malformed client request id should be replaced")
	}
}

func TestOpenAPIListsEveryRoute(t *testing.T) {
	env := wiringtest.New(t)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	env.Anonymous().Get("/openapi.json").Expect(200).JSON(&doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	for _, r := range env.App.API.App().GetRoutes(true) {
		if r.Method == http.MethodHead || r.Method == "USE" {
			continue
		}
		ops, ok := doc.Paths[httpapi.OpenAPIPath(r.Path)]
		if !ok {
			t.Errorf("route %s %s is missing from /openapi.json", r.Method, r.Path)
			continue
		}
		if _, ok := ops[strings.ToLower(r.Method)]; !ok {
			t.Errorf("method %s of %s is missing from /openapi.json", r.Method, r.Path)
		}
	}
}
