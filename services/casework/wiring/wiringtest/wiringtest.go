// Package wiringtest builds a complete TradeWarden (real database on the
// engine under test, real HTTP stack driven in-process with app.Test) and
// seeds two authorities with one user per role, for black-box API tests.
package wiringtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/password"
	"github.com/tradewarden/tradewarden/pkg/testkit"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

// Password is every seeded user's password.
const Password = "test-password-123"

// Authorities seeded by New: a national regulator and a local service.
var Authorities = []identity.NewAuthority{
	{Code: "OPSS", Name: "Office for Product Safety and Standards", National: true},
	{Code: "KENT-TS", Name: "Kent County Council Trading Standards"},
}

// Email returns the seeded user's email for a role in an authority.
func Email(role principal.Role, authority string) string {
	return string(role) + "@" + strings.ToLower(authority) + ".test"
}

// Env is one running application under test.
type Env struct {
	T       testing.TB
	App     *wiring.App
	Clock   *testkit.Clock
	DBURL   string
	DataDir string

	mu     sync.Mutex
	tokens map[string]string
}

// Option adjusts the configuration before the app is built.
type Option func(*wiring.Config)

// New builds and seeds an application for t; it is closed at cleanup.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	clock := testkit.NewClock()
	cfg := wiring.Config{
		DataDir:        t.TempDir(),
		DatabaseURL:    testkit.DatabaseURL(t),
		MigrateOnOpen:  true,
		Now:            clock.Now,
		LoginPerMin:    100000,
		Log:            slog.New(slog.NewJSONHandler(io.Discard, nil)),
		PasswordParams: &password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	}
	for _, o := range opts {
		o(&cfg)
	}
	app, err := wiring.Build(context.Background(), cfg)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	t.Cleanup(func() { _ = app.Close() })
	e := &Env{T: t, App: app, Clock: clock, DBURL: cfg.DatabaseURL, DataDir: cfg.DataDir, tokens: map[string]string{}}
	e.seed()
	return e
}

func (e *Env) seed() {
	ctx := principal.System(context.Background(), "test")
	for _, a := range Authorities {
		if _, err := e.App.Identity.AddAuthority(ctx, a); err != nil {
			e.T.Fatalf("seed authority %s: %v", a.Code, err)
		}
		for _, role := range principal.Roles {
			_, err := e.App.Identity.AddUser(ctx, identity.NewUser{Email: Email(role, a.Code),
				Name: fmt.Sprintf("%s %s", a.Code, role), Password: Password, Authority: a.Code, Roles: []principal.Role{role}})
			if err != nil {
				e.T.Fatalf("seed user: %v", err)
			}
		}
	}
}

// Ctx returns a context acting as the system (for direct service calls).
func (e *Env) Ctx() context.Context { return principal.System(context.Background(), "test") }

// Token logs email in (once, cached) and returns the bearer token.
func (e *Env) Token(email string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if tok, ok := e.tokens[email]; ok {
		return tok
	}
	tok, err := e.App.Identity.Login(context.Background(), email, Password, "wiringtest")
	if err != nil {
		e.T.Fatalf("login %s: %v", email, err)
	}
	e.tokens[email] = tok.Token
	return tok.Token
}

// As returns a client acting as the seeded user with role in authority.
func (e *Env) As(role principal.Role, authority string) *Client {
	return &Client{env: e, token: e.Token(Email(role, authority)), authority: authority}
}

// Relogin returns a client for the seeded user with a brand-new token (after
// the clock has moved past the cached token's expiry).
func (e *Env) Relogin(role principal.Role, authority string) *Client {
	e.T.Helper()
	e.mu.Lock()
	delete(e.tokens, Email(role, authority))
	e.mu.Unlock()
	return e.As(role, authority)
}

// OnboardPassword is the temporary password admins give the people they
// invite in tests; Onboard replaces it with Password at the first login.
const OnboardPassword = "onboarding-temporary-pass-7"

// Onboard has admin invite a new person with roles, then — as the person
// would — logs in over HTTP, changes the temporary password to Password
// and accepts the invitation. It returns a client acting as them (and
// Token(email) returns their token from then on).
func (e *Env) Onboard(admin *Client, email, name string, roles ...string) *Client {
	e.T.Helper()
	e.mu.Lock()
	tok, done := e.tokens[email]
	e.mu.Unlock()
	if done {
		return e.WithToken(tok)
	}
	admin.Post("/api/v1/admin/users", map[string]any{"email": email, "name": name, "password": OnboardPassword,
		"roles": roles}).Expect(201)
	var login struct {
		Token              string `json:"token"`
		MustChangePassword bool   `json:"must_change_password"`
	}
	e.Anonymous().Post("/api/v1/auth/login", map[string]string{"email": email, "password": OnboardPassword}).Expect(200).JSON(&login)
	if !login.MustChangePassword {
		e.T.Fatalf("%s logged in with the admin's password without having to change it", email)
	}
	c := e.WithToken(login.Token)
	c.Post("/api/v1/me/password", map[string]string{"current_password": OnboardPassword, "new_password": Password}).Expect(204)
	if n := c.AcceptInvitations(OnboardPassword); n != 1 {
		e.T.Fatalf("%s had %d pending invitations, want 1", email, n)
	}
	e.mu.Lock()
	e.tokens[email] = login.Token
	e.mu.Unlock()
	return c
}

// AcceptInvitations accepts every pending invitation of the client's user
// with the code and returns how many there were.
func (c *Client) AcceptInvitations(code string) int {
	c.env.T.Helper()
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	c.Get("/api/v1/me/invitations").Expect(200).JSON(&list)
	for _, inv := range list.Items {
		c.Post("/api/v1/me/invitations/"+inv.ID+"/accept", map[string]string{"code": code}).Expect(200)
	}
	return len(list.Items)
}

// Anonymous returns a client without credentials.
func (e *Env) Anonymous() *Client { return &Client{env: e} }

// WithToken returns a client using token.
func (e *Env) WithToken(token string) *Client { return &Client{env: e, token: token} }

// Client sends requests with one identity.
type Client struct {
	env       *Env
	token     string
	authority string
	headers   map[string]string
}

// Header returns a copy of the client that also sends the header.
func (c *Client) Header(k, v string) *Client {
	cp := *c
	cp.headers = map[string]string{}
	for hk, hv := range c.headers {
		cp.headers[hk] = hv
	}
	cp.headers[k] = v
	return &cp
}

// Token returns the client's bearer token.
func (c *Client) Token() string { return c.token }

// Get sends a GET.
func (c *Client) Get(path string) *Response { return c.Do(http.MethodGet, path, nil) }

// Post sends a POST with a JSON body (nil for none).
func (c *Client) Post(path string, body any) *Response { return c.Do(http.MethodPost, path, body) }

// Put sends a PUT with a JSON body.
func (c *Client) Put(path string, body any) *Response { return c.Do(http.MethodPut, path, body) }

// Patch sends a PATCH with a JSON body.
func (c *Client) Patch(path string, body any) *Response { return c.Do(http.MethodPatch, path, body) }

// Delete sends a DELETE.
func (c *Client) Delete(path string) *Response { return c.Do(http.MethodDelete, path, nil) }

// Do sends a request; body may be nil, []byte/string (sent raw) or a value
// marshalled to JSON.
func (c *Client) Do(method, path string, body any) *Response {
	c.env.T.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		r, ct = bytes.NewReader(b), "application/json"
	case string:
		r, ct = strings.NewReader(b), "application/json"
	case io.Reader:
		r = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.env.T.Fatalf("marshal body: %v", err)
		}
		r, ct = bytes.NewReader(raw), "application/json"
	}
	req := httptest.NewRequest(method, path, r)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	return c.env.Send(req)
}

// Send runs a prepared request through the app.
func (e *Env) Send(req *http.Request) *Response {
	e.T.Helper()
	resp, err := e.App.API.App().Test(req, -1)
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatalf("read body: %v", err)
	}
	return &Response{T: e.T, Status: resp.StatusCode, Header: resp.Header, Body: b, method: req.Method, path: req.URL.Path}
}

// Response is a buffered HTTP response with assertion helpers.
type Response struct {
	T      testing.TB
	Status int
	Header http.Header
	Body   []byte

	method, path string
}

// Expect fails the test unless the status is want; it returns r for chaining.
func (r *Response) Expect(want int) *Response {
	r.T.Helper()
	if r.Status != want {
		r.T.Fatalf("%s %s: status %d, want %d; body: %s", r.method, r.path, r.Status, want, truncate(r.Body))
	}
	return r
}

// JSON decodes the body into v.
func (r *Response) JSON(v any) {
	r.T.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.T.Fatalf("%s %s: decode %q: %v", r.method, r.path, truncate(r.Body), err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map() map[string]any {
	r.T.Helper()
	var m map[string]any
	r.JSON(&m)
	return m
}

// String returns the body as text.
func (r *Response) String() string { return string(r.Body) }

// Problem decodes a problem+json body, failing when the media type is wrong.
func (r *Response) Problem() Problem {
	r.T.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		r.T.Fatalf("%s %s: content type %q, want application/problem+json; body %s", r.method, r.path, ct, truncate(r.Body))
	}
	var p Problem
	r.JSON(&p)
	return p
}

// Problem is the RFC 9457 shape the API returns.
type Problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Errors []FieldError   `json:"errors"`
	Extra  map[string]any `json:"extra"`
}

// FieldError is one field at fault.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// HasField reports whether the problem names field.
func (p Problem) HasField(field string) bool {
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// Upload posts a multipart form with fields and one file part.
func (c *Client) Upload(path string, fields map[string]string, filename, contentType string, content []byte) *Response {
	c.env.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			c.env.T.Fatal(err)
		}
	}
	if filename != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			c.env.T.Fatal(err)
		}
		if _, err := w.Write(content); err != nil {
			c.env.T.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		c.env.T.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	return c.env.Send(req)
}
