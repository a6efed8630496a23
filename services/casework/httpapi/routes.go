package httpapi

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// Access says who may call a route.
type Access int

// Access levels.
const (
	// Public routes need no credentials.
	Public Access = iota
	// Authenticated routes need a valid token but no authority (e.g. /me).
	Authenticated
	// Scoped routes act in one authority and need the route's permission there.
	Scoped
)

// Perm is a casbin (object, action) pair.
type Perm struct{ Obj, Act string }

// String renders obj:act.
func (p Perm) String() string { return p.Obj + ":" + p.Act }

// Route is one registered endpoint with what the OpenAPI document says of it.
type Route struct {
	Method  string
	Path    string // fiber syntax, e.g. /api/v1/cases/:id
	Summary string
	Tag     string
	Access  Access
	Perm    Perm
	// Body, Query and Resp are zero values of the request body, query and
	// response types (nil when absent); they drive the OpenAPI schemas.
	Body   any
	Query  any
	Resp   any
	Status int
	// RespType is the response media type when not JSON (e.g. application/pdf).
	RespType string
	// BodyType is the request media type when not JSON (e.g. multipart/form-data).
	BodyType string
	// Before runs ahead of authentication (e.g. a rate limiter).
	Before  []fiber.Handler
	Handler fiber.Handler

	// Description is the OpenAPI description (longer than the summary).
	Description string
	// WhilePasswordChangeDue lets a token whose password must be changed
	// call the route (everything else is 403 until the change).
	WhilePasswordChangeDue bool
}

// add registers r with the middleware its access level needs.
func (s *Server) add(r Route) {
	if r.Status == 0 {
		r.Status = fiber.StatusOK
	}
	chain := append(append([]fiber.Handler{}, r.Before...), checkParams)
	switch r.Access {
	case Authenticated:
		chain = append(chain, s.authenticate(false, r.WhilePasswordChangeDue))
	case Scoped:
		chain = append(chain, s.authenticate(true, r.WhilePasswordChangeDue), s.require(r.Perm))
	}
	chain = append(chain, r.Handler)
	s.app.Add(r.Method, r.Path, chain...)
	s.routes = append(s.routes, r)
}

// accountKey is the fiber local holding the authenticated account.
const accountKey = "tw.account"

// authenticate resolves the bearer token and, when scoped, the authority the
// request acts in (X-Authority, or the only one the user holds). A token
// whose password someone else chose reaches only the routes that allow it.
func (s *Server) authenticate(scoped, whileChangeDue bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		token, ok := bearer(c.Get(fiber.HeaderAuthorization))
		if !ok {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="tradewarden"`)
			return apperr.New(apperr.Unauthenticated, "send a bearer token: Authorization: Bearer <token>")
		}
		acct, err := s.deps.Identity.Authenticate(c.UserContext(), token)
		if err != nil {
			if apperr.Is(err, apperr.Unauthenticated) {
				c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="tradewarden", error="invalid_token"`)
			}
			return err
		}
		c.Locals(accountKey, acct)
		if acct.User.MustChangePassword && !whileChangeDue {
			return errPasswordChangeDue
		}
		p := principal.Principal{UserID: acct.User.ID, Email: acct.User.Email, Name: acct.User.Name, Via: "http"}
		if scoped {
			auth, roles, err := identity.ResolveAuthority(acct, c.Get("X-Authority"))
			if err != nil {
				return err
			}
			p.Authority, p.Roles = auth, roles
		}
		c.SetUserContext(principal.With(c.UserContext(), p))
		return c.Next()
	}
}

var errPasswordChangeDue = apperr.New(apperr.Forbidden,
	"your password was set by someone else: change it with POST /api/v1/me/password before doing anything else").
	With("password_change_required", true)

func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// require enforces the route permission in the acting authority.
func (s *Server) require(p Perm) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pr, _ := principal.From(c.UserContext())
		if !s.deps.Authz.Can(pr.UserID, pr.Authority.Code, p.Obj, p.Act) {
			return apperr.New(apperr.Forbidden, "your roles in %s do not allow %s on %s", pr.Authority.Code, p.Act, p.Obj)
		}
		return c.Next()
	}
}

// account returns the authenticated account of the request.
func account(c *fiber.Ctx) identity.Account {
	a, _ := c.Locals(accountKey).(identity.Account)
	return a
}

// caller returns the principal of the request.
func caller(c *fiber.Ctx) principal.Principal {
	p, _ := principal.From(c.UserContext())
	return p
}
