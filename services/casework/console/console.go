// Package console is the officers' web console: server-rendered GOV.UK
// pages that call the HTTP API in-process, so every permission, record rule
// and audit entry is the API's own.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/valyala/fasthttp"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Config tunes the console.
type Config struct {
	// ServiceName is shown in the header.
	ServiceName string
	// SecureCookies marks cookies Secure even when the request looks like
	// plain HTTP (behind a TLS-terminating proxy that does not say so).
	SecureCookies bool
	Now           func() time.Time
	Log           *slog.Logger
}

// Console serves the web pages.
type Console struct {
	api   API
	cfg   Config
	app   *fiber.App
	pages map[string]*template.Template
}

// ownedPrefixes are the first path segments the console answers; every
// other path (the API, /docs, /verify, health) is the API's.
var ownedPrefixes = []string{"sign-in", "sign-out", "choose-authority", "account", "invitations", "cases", "notices",
	"findings", "evidence", "search", "reports", "admin", "assets", "cookies", "accessibility"}

// New builds the console on top of the in-process API.
func New(api API, cfg Config) (*Console, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.ServiceName == "" {
		cfg.ServiceName = "TradeWarden"
	}
	con := &Console{api: api, cfg: cfg}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	con.pages = pages
	con.app = fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: con.errorPage,
		StreamRequestBody: true, DisablePreParseMultipartForm: true, BodyLimit: 600 << 20})
	con.routes()
	return con, nil
}

// Owns reports whether path is one of the console's pages.
func (con *Console) Owns(path string) bool {
	if path == "/" {
		return true
	}
	seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	for _, p := range ownedPrefixes {
		if seg == p {
			return true
		}
	}
	return false
}

// Front puts the console ahead of next (the API's handler) on one listener.
func (con *Console) Front(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	h := con.app.Handler()
	return func(ctx *fasthttp.RequestCtx) {
		if con.Owns(string(ctx.Path())) {
			h(ctx)
			return
		}
		next(ctx)
	}
}

// Route is one console page or form action.
type Route struct{ Method, Path string }

// Routes lists the console's pages and form actions (the authorization
// sweep covers each one).
func (con *Console) Routes() []Route {
	var out []Route
	seen := map[Route]bool{}
	for _, r := range con.app.GetRoutes(true) {
		if r.Method != fiber.MethodGet && r.Method != fiber.MethodPost {
			continue
		}
		path := r.Path
		if len(path) > 1 {
			path = strings.TrimSuffix(path, "/")
		}
		rt := Route{Method: r.Method, Path: path}
		if !seen[rt] {
			seen[rt] = true
			out = append(out, rt)
		}
	}
	return out
}

func (con *Console) now() time.Time { return con.cfg.Now() }

func (con *Console) routes() {
	r := con.app
	r.Use(con.headers)
	// Pages compress well (tables of findings); PDFs and images do not.
	r.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed, Next: func(c *fiber.Ctx) bool {
		return strings.HasSuffix(c.Path(), ".pdf") || strings.HasSuffix(c.Path(), "/pdf") ||
			strings.HasSuffix(c.Path(), ".ico") || strings.HasSuffix(c.Path(), ".png")
	}}))
	assets, _ := fs.Sub(assetFS, "assets")
	r.Get("/assets/*", con.asset(assets))
	r.Get("/sign-in", con.signInPage)
	r.Post("/sign-in", con.signIn)
	r.Get("/cookies", con.static("cookies", "Cookies"))
	r.Get("/accessibility", con.static("accessibility", "Accessibility statement"))
	a := r.Group("/", con.authenticated)
	a.Post("/sign-out", con.signOut)
	a.Get("/choose-authority", con.chooseAuthorityPage)
	a.Post("/choose-authority", con.chooseAuthority)
	a.Get("/account/password", con.passwordPage)
	a.Post("/account/password", con.changePassword)
	a.Get("/invitations", con.invitationsPage)
	a.Post("/invitations/:id/:decision", con.answerInvitation)
	w := a.Group("/", con.acting)
	w.Get("/", con.myWork)
	caseWork := con.need("officer", "supervisor")
	con.caseRoutes(w.Group("/cases", caseWork))
	con.noticeRoutes(w.Group("/notices", caseWork))
	con.exhibitRoutes(w.Group("/evidence", caseWork))
	w.Get("/search", con.need("officer", "supervisor", "analyst"), con.searchPage)
	w.Get("/search/listings/:id", con.need("officer", "supervisor", "analyst"), con.listingPage)
	w.Post("/search/listings/:id/link", caseWork, con.linkListing)
	reporting := con.need("analyst", "supervisor")
	w.Get("/reports", reporting, con.reportsPage)
	w.Get("/reports/summary.csv", reporting, con.reportDownload("csv"))
	w.Get("/reports/summary.pdf", reporting, con.reportDownload("pdf"))
	con.adminRoutes(w.Group("/admin", con.need("admin", "supervisor")))
	r.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// headers sets what every console response carries: a CSP allowing only
// our own scripts and styles, no caching of pages that hold case data.
func (con *Console) headers(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	if !strings.HasPrefix(c.Path(), "/assets/") {
		c.Set("Cache-Control", "no-store")
	}
	return c.Next()
}

func (con *Console) asset(files fs.FS) fiber.Handler {
	return func(c *fiber.Ctx) error {
		name := c.Params("*")
		b, err := fs.ReadFile(files, name)
		if err != nil || strings.Contains(name, "..") {
			return fiber.ErrNotFound
		}
		switch {
		case strings.HasSuffix(name, ".css"):
			c.Type("css", "utf-8")
		case strings.HasSuffix(name, ".js"):
			c.Type("js", "utf-8")
		case strings.HasSuffix(name, ".svg"):
			c.Set("Content-Type", "image/svg+xml")
		case strings.HasSuffix(name, ".ico"):
			c.Set("Content-Type", "image/x-icon")
		}
		c.Set("Cache-Control", "public, max-age=86400")
		return c.Send(b)
	}
}

// authenticated loads the person behind the session cookie, or sends the
// browser to sign in.
func (con *Console) authenticated(c *fiber.Ctx) error {
	token := c.Cookies(cookieSession)
	if token == "" {
		return con.toSignIn(c)
	}
	s := &session{token: token, csrf: csrfToken(token)}
	s.api = client{api: con.api, token: token, clientIP: forwardedFor(c)}
	if err := s.api.call(c.UserContext(), http.MethodGet, "/me", nil, &s.Me); err != nil {
		if p, ok := asProblem(err); ok && p.Status == http.StatusUnauthorized {
			con.setCookie(c, cookieSession, "", 0)
			return con.toSignIn(c)
		}
		return err
	}
	c.Locals("session", s)
	if c.Method() == http.MethodPost && !checkForm(c, token) {
		return con.forbidden(c)
	}
	if s.Me.MustChangePassword && c.Path() != "/account/password" && c.Path() != "/sign-out" {
		return c.Redirect("/account/password", http.StatusSeeOther)
	}
	return c.Next()
}

// acting picks the authority the person acts for: the cookie's choice when
// it is still one of their grants, the only one when there is one.
func (con *Console) acting(c *fiber.Ctx) error {
	s := sess(c)
	auths := s.Me.Authorities()
	choice := c.Cookies(cookieAuthority)
	switch {
	case len(auths) == 0:
		return con.render(c, http.StatusOK, "no-roles", "You have no roles yet", nil)
	case len(auths) == 1:
		choice = auths[0]
	case !contains(auths, choice):
		return c.Redirect("/choose-authority", http.StatusSeeOther)
	}
	s.Authority = choice
	s.Roles = s.Me.roles(choice)
	s.api.authority = choice
	return c.Next()
}

// need refuses pages the acting person's roles cannot use (the API would
// refuse their data anyway; this keeps them out of the page too).
func (con *Console) need(roles ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !sess(c).has(roles...) {
			return con.forbidden(c)
		}
		return c.Next()
	}
}

func (con *Console) toSignIn(c *fiber.Ctx) error {
	if c.Method() == http.MethodGet && c.Path() != "/" {
		return c.Redirect("/sign-in?next="+urlQueryEscape(c.OriginalURL()), http.StatusSeeOther)
	}
	return c.Redirect("/sign-in", http.StatusSeeOther)
}

// forwardedFor is the X-Forwarded-For the API sees for an in-process call:
// what reached us plus the peer, so the API's trusted-proxy rule picks the
// same client address it would for a direct call.
func forwardedFor(c *fiber.Ctx) string {
	peer := c.Context().RemoteIP().String()
	if xff := strings.TrimSpace(c.Get(fiber.HeaderXForwardedFor)); xff != "" {
		return xff + ", " + peer
	}
	return peer
}

func sess(c *fiber.Ctx) *session {
	s, _ := c.Locals("session").(*session)
	return s
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// errorPage renders what went wrong without leaking internals: the API's
// 404 (another authority's record looks absent) and 403 become pages.
func (con *Console) errorPage(c *fiber.Ctx, err error) error {
	status := http.StatusInternalServerError
	var fe *fiber.Error
	if p, ok := asProblem(err); ok {
		status = p.Status
	} else if errors.As(err, &fe) {
		status = fe.Code
	}
	switch {
	case status == http.StatusNotFound:
		return con.render(c, status, "error", "Page not found", errorView{Heading: "Page not found",
			Body: "If you typed the web address, check it is correct. You may not have access to this record."})
	case status == http.StatusForbidden:
		return con.forbidden(c)
	case status == http.StatusUnauthorized:
		return con.toSignIn(c)
	case status < 500:
		msg := "The request could not be completed."
		if p, ok := asProblem(err); ok && p.Detail != "" {
			msg = p.Detail
		}
		return con.render(c, status, "error", "There is a problem", errorView{Heading: "There is a problem", Body: msg})
	}
	con.cfg.Log.ErrorContext(c.UserContext(), "console page failed", "path", c.Path(), "err", err)
	return con.render(c, http.StatusInternalServerError, "error", "Sorry, there is a problem with the service",
		errorView{Heading: "Sorry, there is a problem with the service", Body: "Try again later."})
}

func (con *Console) forbidden(c *fiber.Ctx) error {
	return con.render(c, http.StatusForbidden, "error", "You cannot do that", errorView{Heading: "You cannot do that",
		Body: "Your roles do not allow this, or the form had expired. Go back, reload the page and try again."})
}

type errorView struct{ Heading, Body string }

// ctx is the request's context for API calls.
func ctx(c *fiber.Ctx) context.Context { return c.UserContext() }

func (con *Console) static(name, title string) fiber.Handler {
	return func(c *fiber.Ctx) error { return con.render(c, http.StatusOK, name, title, nil) }
}

// errNoPage is returned when a template is missing (a programming error).
var errNoPage = errors.New("console: no such page template")

func pageErr(name string) error { return fmt.Errorf("%w: %s", errNoPage, name) }
