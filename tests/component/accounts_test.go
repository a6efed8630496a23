package component_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/password"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

type invitationView struct {
	ID        string   `json:"id"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Roles     []string `json:"roles"`
	Status    string   `json:"status"`
	InvitedBy string   `json:"invited_by"`
	Authority struct {
		Code string `json:"code"`
	} `json:"authority"`
}

type meView struct {
	ID                 string `json:"id"`
	MustChangePassword bool   `json:"must_change_password"`
	Grants             []struct{ Authority, Role string }
}

func login(t *testing.T, env *wiringtest.Env, email, pw string) *wiringtest.Client {
	t.Helper()
	var tok struct{ Token string }
	env.Anonymous().Post("/api/v1/auth/login", map[string]string{"email": email, "password": pw}).Expect(200).JSON(&tok)
	return env.WithToken(tok.Token)
}

func me(t *testing.T, c *wiringtest.Client) meView {
	t.Helper()
	var m meView
	c.Get("/api/v1/me").Expect(200).JSON(&m)
	return m
}

func pendingInvitations(t *testing.T, c *wiringtest.Client) []invitationView {
	t.Helper()
	var list struct{ Items []invitationView }
	c.Get("/api/v1/me/invitations").Expect(200).JSON(&list)
	return list.Items
}

// shape is a JSON body with the values that differ between any two
// requests (ids, times) blanked, for comparing answers.
func shape(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	for _, k := range []string{"id", "created_at", "expires_at", "request_id", "instance"} {
		if _, ok := m[k]; ok {
			m[k] = "…"
		}
	}
	return m
}

// The attack: KENT-TS's admin pre-registers an OPSS officer's email with a
// password KENT-TS knows; when the OPSS admin later onboards that email as
// supervisor, KENT-TS's password used to log in with the OPSS grant. Now
// OPSS sends an invitation whose code only the person OPSS spoke to has, so
// the squatter's account never gets the role.
func TestOnboardingCannotHijackAccounts(t *testing.T) {
	env := wiringtest.New(t)
	kent, opss := env.As(admin, "KENT-TS"), env.As(admin, "OPSS")
	squat := "squatter's known password 42"
	kent.Post("/api/v1/admin/users", map[string]any{"email": "x@opss.test", "name": "X", "password": squat,
		"roles": []string{"officer"}}).Expect(201)
	opssCode := "OPSS onboarding code for X 77"
	opss.Post("/api/v1/admin/users", map[string]any{"email": "x@opss.test", "name": "Xavier Obi", "password": opssCode,
		"roles": []string{"supervisor"}}).Expect(201)

	// KENT-TS logs in with its password: nothing but a password change.
	sq := login(t, env, "x@opss.test", squat)
	if m := me(t, sq); !m.MustChangePassword || len(m.Grants) != 0 {
		t.Fatalf("the squatted account holds %+v", m)
	}
	sq.Get("/api/v1/me/invitations").Expect(403).Problem()
	sq.Post("/api/v1/me/password", map[string]string{"current_password": squat, "new_password": "the squatter's own password 9"}).Expect(204)
	// Both invitations are offered to the account, but the OPSS one needs OPSS's code.
	invs := pendingInvitations(t, sq)
	if len(invs) != 2 {
		t.Fatalf("want the two invitations, got %+v", invs)
	}
	for _, inv := range invs {
		if inv.Authority.Code != "OPSS" {
			continue
		}
		for _, guess := range []string{squat, "the squatter's own password 9", ""} {
			r := sq.Post("/api/v1/me/invitations/"+inv.ID+"/accept", map[string]string{"code": guess})
			if r.Status != 422 && r.Status != 400 {
				t.Fatalf("accept with a guessed code → %d: %s", r.Status, r.Body)
			}
		}
	}
	for _, g := range me(t, sq).Grants {
		if g.Authority == "OPSS" {
			t.Fatalf("the squatter took an OPSS role: %+v", g)
		}
	}
	// OPSS's log shows its invitation and no grant to that email.
	for _, e := range auditOf(t, opss, "") {
		if e.Action == "grant.add" && strings.Contains(string(e.Detail), "x@opss.test") {
			t.Fatalf("OPSS audit shows a grant: %+v", e)
		}
	}
}

// An admin's answer is the same whether or not the email has an account in
// another authority: same status, same fields, no id, name or created_at of
// that account, the same audit footprint, and one password hash each way.
func TestOnboardingRevealsNothingAboutOtherAuthorities(t *testing.T) {
	hasher := &countingHasher{inner: password.Hasher{P: password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}}
	env := wiringtest.New(t, func(c *wiring.Config) { c.Hasher = hasher })
	opss := env.As(admin, "OPSS")
	existing := wiringtest.Email(supervisor, "KENT-TS")
	var kentSup meView
	env.As(supervisor, "KENT-TS").Get("/api/v1/me").Expect(200).JSON(&kentSup)

	send := func(email string) (*wiringtest.Response, int64, int) {
		before := auditCount(t, env)
		hashes := hasher.hashes()
		r := opss.Post("/api/v1/admin/users", map[string]any{"email": email, "name": "Same Name",
			"password": "the same onboarding code 5", "roles": []string{"analyst"}}).Expect(201)
		return r, auditCount(t, env) - before, hasher.hashes() - hashes
	}
	rNew, entriesNew, hashesNew := send("brand.new@opss.test")
	rOld, entriesOld, hashesOld := send(existing)
	if a, b := shape(t, rNew.Body), shape(t, rOld.Body); fmt.Sprint(delete2(a, "email")) != fmt.Sprint(delete2(b, "email")) {
		t.Fatalf("answers differ:\nnew      %s\nexisting %s", rNew.Body, rOld.Body)
	}
	for _, secret := range []string{kentSup.ID, "KENT-TS supervisor", "KENT-TS"} {
		if strings.Contains(string(rOld.Body), secret) {
			t.Fatalf("the answer reveals %q of the existing account: %s", secret, rOld.Body)
		}
	}
	if entriesNew != entriesOld || hashesNew != 1 || hashesOld != 1 {
		t.Fatalf("new email: %d audit entries, %d hashes; existing: %d entries, %d hashes", entriesNew, hashesNew, entriesOld, hashesOld)
	}
	// What OPSS's admins can read of it is the same for both: one invitation entry.
	for _, email := range []string{"brand.new@opss.test", existing} {
		var actions []string
		for _, e := range auditOf(t, opss, "") {
			if strings.Contains(string(e.Detail), email) || e.ObjectID == kentSup.ID {
				actions = append(actions, e.Action)
			}
		}
		if !reflect.DeepEqual(actions, []string{"invitation.create"}) {
			t.Fatalf("OPSS audit about %s: %v", email, actions)
		}
	}
	// And the user list shows neither until they accept.
	for _, u := range listUsers(t, opss) {
		if u.Email == existing || u.Email == "brand.new@opss.test" {
			t.Fatalf("%s is listed before accepting", u.Email)
		}
	}
	// A weak password is refused whether or not the email exists.
	for _, email := range []string{"another.new@opss.test", existing} {
		p := opss.Post("/api/v1/admin/users", map[string]any{"email": email, "name": "N", "password": "password1234",
			"roles": []string{"analyst"}}).Expect(422).Problem()
		if !p.HasField("password") {
			t.Fatalf("problem does not name password: %+v", p)
		}
	}
	// Someone already in OPSS is a plain conflict (OPSS sees them anyway).
	opss.Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(officer, "OPSS"), "name": "N",
		"password": "the same onboarding code 5", "roles": []string{"analyst"}}).Expect(409).Problem()
}

func delete2(m map[string]any, k string) map[string]any { delete(m, k); return m }

// A national (OPSS) admin gets no shortcut: adding a KENT-TS officer is an
// invitation like any other, and grants by id reach only OPSS's own users.
func TestNationalAdminCannotBypassInvitations(t *testing.T) {
	env := wiringtest.New(t)
	opss := env.As(admin, "OPSS")
	kentOff := env.As(officer, "KENT-TS")
	id := me(t, kentOff).ID
	code := "national invitation code 31"
	var inv invitationView
	opss.Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(officer, "KENT-TS"), "name": "K",
		"password": code, "roles": []string{"supervisor", "admin"}}).Expect(201).JSON(&inv)
	if inv.Status != "pending" {
		t.Fatalf("invitation %+v", inv)
	}
	opss.Post("/api/v1/admin/users/"+id+"/grants", map[string]string{"role": "supervisor"}).Expect(404)
	opss.Post("/api/v1/admin/users/"+id+"/password", map[string]string{"password": "a takeover password 123"}).Expect(404)
	if g := me(t, kentOff).Grants; len(g) != 1 {
		t.Fatalf("grants before accepting: %+v", g)
	}
	// The KENT-TS officer declines; nothing is granted, OPSS sees the answer.
	kentOff.Post("/api/v1/me/invitations/"+inv.ID+"/decline", nil).Expect(200)
	kentOff.Post("/api/v1/me/invitations/"+inv.ID+"/accept", map[string]string{"code": code}).Expect(409)
	if g := me(t, kentOff).Grants; len(g) != 1 {
		t.Fatalf("grants after declining: %+v", g)
	}
	var list struct{ Items []invitationView }
	opss.Get("/api/v1/admin/invitations").Expect(200).JSON(&list)
	if len(list.Items) != 1 || list.Items[0].Status != "declined" {
		t.Fatalf("OPSS invitations: %+v", list.Items)
	}
}

func TestInvitationLifecycle(t *testing.T) {
	env := wiringtest.New(t)
	kent := env.As(admin, "KENT-TS")
	opssSup := env.As(supervisor, "OPSS")
	code := "kent invitation code 2026"
	var inv invitationView
	kent.Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(supervisor, "OPSS"), "name": "S",
		"password": code, "roles": []string{"officer"}}).Expect(201).JSON(&inv)
	// Nobody else can see, accept or decline it.
	other := env.As(officer, "OPSS")
	other.Post("/api/v1/me/invitations/"+inv.ID+"/accept", map[string]string{"code": code}).Expect(404).Problem()
	other.Post("/api/v1/me/invitations/"+inv.ID+"/decline", nil).Expect(404)
	if len(pendingInvitations(t, other)) != 0 {
		t.Fatal("another user sees the invitation")
	}
	// OPSS's admin cannot withdraw KENT-TS's invitation; KENT-TS's can.
	env.As(admin, "OPSS").Delete("/api/v1/admin/invitations/" + inv.ID).Expect(404)
	kent.Delete("/api/v1/admin/invitations/" + inv.ID).Expect(204)
	opssSup.Post("/api/v1/me/invitations/"+inv.ID+"/accept", map[string]string{"code": code}).Expect(409)
	kent.Delete("/api/v1/admin/invitations/" + inv.ID).Expect(409)
	// A new invitation supersedes an older pending one; it expires after 14 days.
	kent.Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(supervisor, "OPSS"), "name": "S",
		"password": code, "roles": []string{"officer"}}).Expect(201)
	var second invitationView
	kent.Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(supervisor, "OPSS"), "name": "S",
		"password": code, "roles": []string{"analyst"}}).Expect(201).JSON(&second)
	if p := pendingInvitations(t, opssSup); len(p) != 1 || p[0].ID != second.ID || p[0].Authority.Code != "KENT-TS" ||
		p[0].InvitedBy != "KENT-TS admin" || !reflect.DeepEqual(p[0].Roles, []string{"analyst"}) {
		t.Fatalf("pending: %+v", p)
	}
	env.Clock.Advance(14*24*time.Hour + time.Second)
	opssSup = env.Relogin(supervisor, "OPSS")
	if len(pendingInvitations(t, opssSup)) != 0 {
		t.Fatal("an expired invitation is still offered")
	}
	opssSup.Post("/api/v1/me/invitations/"+second.ID+"/accept", map[string]string{"code": code}).Expect(409)
	// Accepting a live one: the roles arrive, audited in KENT-TS.
	var third invitationView
	kent = env.Relogin(admin, "KENT-TS")
	kent.Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(supervisor, "OPSS"), "name": "S",
		"password": code, "roles": []string{"analyst"}}).Expect(201).JSON(&third)
	opssSup.Post("/api/v1/me/invitations/"+third.ID+"/accept", map[string]string{"code": code}).Expect(200)
	if g := me(t, opssSup).Grants; len(g) != 2 {
		t.Fatalf("grants after accepting: %+v", g)
	}
	found := false
	for _, e := range auditOf(t, kent, "") {
		found = found || e.Action == "grant.add" && strings.Contains(string(e.Detail), third.ID)
	}
	if !found {
		t.Fatal("the accepted grant is not in KENT-TS's audit log")
	}
}

// Nobody grants themselves a role: an admin wanting case work needs
// another admin. Grants and revocations show in the audit log of the
// authority whose grant changed, and not in any other.
func TestAdminCannotGrantThemselves(t *testing.T) {
	env := wiringtest.New(t)
	adm := env.As(admin, "KENT-TS")
	self := me(t, adm).ID
	for _, role := range []string{"supervisor", "officer", "analyst", "admin"} {
		p := adm.Post("/api/v1/admin/users/"+self+"/grants", map[string]string{"role": role}).Expect(403).Problem()
		if !strings.Contains(p.Detail, "another admin") {
			t.Fatalf("refusal does not explain: %+v", p)
		}
	}
	adm.Get("/api/v1/cases").Expect(403)
	// Nor by inviting their own email.
	adm.Post("/api/v1/admin/users", map[string]any{"email": wiringtest.Email(admin, "KENT-TS"), "name": "Me",
		"password": "an invitation to myself 1", "roles": []string{"supervisor"}}).Expect(409)
	// Another admin may.
	second := env.Onboard(adm, "second.admin@kent-ts.test", "Second Admin", "admin")
	second.Post("/api/v1/admin/users/"+self+"/grants", map[string]string{"role": "supervisor"}).Expect(201)
	adm.Get("/api/v1/cases").Expect(200)
	second.Delete("/api/v1/admin/users/" + self + "/grants/supervisor").Expect(204)
	adm.Get("/api/v1/cases").Expect(403)

	actions := map[string]int{}
	for _, e := range auditOf(t, adm, "user") {
		if e.ObjectID == self && e.Actor != "test" { // "test" seeded the admin
			actions[e.Action]++
		}
	}
	if actions["grant.self_refused"] != 4 || actions["grant.add"] != 1 || actions["grant.revoke"] != 1 {
		t.Fatalf("KENT-TS audit of the admin: %v", actions)
	}
	for _, e := range auditOf(t, env.As(admin, "OPSS"), "user") {
		if e.ObjectID == self {
			t.Fatalf("OPSS sees KENT-TS's grant change %s", e.Action)
		}
	}
	// Operators (CLI, no user) still grant directly; tests/cli covers it.
}

type auditEntryView struct {
	Action   string          `json:"action"`
	Actor    string          `json:"actor"`
	ObjectID string          `json:"object_id"`
	Detail   json.RawMessage `json:"detail"`
}

func auditOf(t *testing.T, c *wiringtest.Client, objectType string) []auditEntryView {
	t.Helper()
	var page struct{ Items []auditEntryView }
	path := "/api/v1/audit?limit=200"
	if objectType != "" {
		path += "&object_type=" + objectType
	}
	c.Get(path).Expect(200).JSON(&page)
	return page.Items
}

// countingHasher counts hashes and records the cost parameters of every
// hash it verifies against, so a test can see that an unknown email costs
// the same password check as a known one.
type countingHasher struct {
	inner password.Hasher
	mu    sync.Mutex
	nHash int
	costs []string
}

func (h *countingHasher) Hash(pw string) (string, error) {
	h.mu.Lock()
	h.nHash++
	h.mu.Unlock()
	return h.inner.Hash(pw)
}

func (h *countingHasher) Verify(pw, encoded string) (bool, error) {
	h.mu.Lock()
	parts := strings.Split(encoded, "$")
	cost := "?"
	if len(parts) > 3 {
		cost = parts[3]
	}
	h.costs = append(h.costs, cost)
	h.mu.Unlock()
	return h.inner.Verify(pw, encoded)
}

func (h *countingHasher) hashes() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.nHash
}

func (h *countingHasher) verified() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.costs
	h.costs = nil
	return out
}
