package httpapi

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

type loginReq struct {
	Email    string `json:"email" validate:"required,max=254"`
	Password string `json:"password" validate:"required,max=1024"`
}

type loginResp struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	// MustChangePassword: the token allows only POST /me/password (and /me, logout) until then.
	MustChangePassword bool `json:"must_change_password" description:"The password was set by someone else: until POST /api/v1/me/password changes it, the token allows nothing else (but GET /api/v1/me and logout)."`
}

type grantDTO struct {
	Authority string `json:"authority"`
	Role      string `json:"role"`
}

type meResp struct {
	ID                 string     `json:"id"`
	Email              string     `json:"email"`
	Name               string     `json:"name"`
	Grants             []grantDTO `json:"grants"`
	MustChangePassword bool       `json:"must_change_password"`
}

type changePasswordReq struct {
	CurrentPassword string `json:"current_password" validate:"required,max=1024"`
	NewPassword     string `json:"new_password" validate:"required,max=1024" description:"At least 12 characters, not whitespace only, not on the shipped common-password list, and zxcvbn strength 3 or more."`
}

const loginDescription = "Wrong passwords slow down the (email, client address) pair that sent them: the first four " +
	"failures cost nothing; from the fifth, the pair waits 1 s, then twice as long after each further failure, up " +
	"to 5 min (429 with Retry-After, whatever the password). Nothing locks: another client is unaffected, and a success clears the pair. Unknown emails get the " +
	"same answers, delays and timing as known ones. Failures and refused attempts are audited in the authorities " +
	"of the account (`auth.login_failed`, `auth.login_throttled`)."

func (s *Server) mountAuth() {
	s.perIP = limiter.New(limiter.Config{
		Max: s.cfg.LoginPerMinute, Expiration: time.Minute, KeyGenerator: s.clientIP,
		LimitReached: func(c *fiber.Ctx) error {
			return apperr.New(apperr.TooMany, "too many login attempts from this address; wait a minute").
				With("retry_after_seconds", 60)
		},
	})
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/auth/login", Summary: "Log in and receive a bearer token",
		Description: loginDescription, Tag: "auth", Body: loginReq{}, Resp: loginResp{}, Before: []fiber.Handler{s.perIP}, Handler: s.login})
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/auth/logout", Summary: "Revoke the current token",
		Tag: "auth", Access: Authenticated, Status: http.StatusNoContent, WhilePasswordChangeDue: true, Handler: s.logout})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/me", Summary: "The current user and their roles per authority",
		Tag: "auth", Access: Authenticated, Resp: meResp{}, WhilePasswordChangeDue: true, Handler: s.me})
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/me/password", Summary: "Change your password",
		Description: "Send the current password and a new one. The current password is checked (and throttled) like " +
			"a login from the same client; a wrong one is 422 on current_password. On success every other session of " +
			"yours is revoked; this token stays valid, and a pending must-change is cleared. Audited as " +
			"`user.password_change` in each of your authorities.",
		Tag: "auth", Access: Authenticated, Body: changePasswordReq{}, Status: http.StatusNoContent,
		Before: []fiber.Handler{s.perIP}, WhilePasswordChangeDue: true, Handler: s.changePassword})
}

func (s *Server) login(c *fiber.Ctx) error {
	in, err := decodeJSON[loginReq](s, c)
	if err != nil {
		return err
	}
	tok, err := s.deps.Identity.Login(c.UserContext(), in.Email, in.Password, s.clientIP(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(loginResp{Token: tok.Token, ExpiresAt: tok.ExpiresAt, MustChangePassword: tok.MustChangePassword})
}

func (s *Server) logout(c *fiber.Ctx) error {
	acct := account(c)
	if err := s.deps.Identity.Logout(c.UserContext(), acct.SessionID, acct.User.ID); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

func (s *Server) me(c *fiber.Ctx) error {
	acct := account(c)
	out := meResp{ID: acct.User.ID, Email: acct.User.Email, Name: acct.User.Name, Grants: []grantDTO{},
		MustChangePassword: acct.User.MustChangePassword}
	for _, g := range acct.Grants {
		out.Grants = append(out.Grants, grantDTO{Authority: g.AuthorityCode, Role: string(g.Role)})
	}
	return c.JSON(out)
}

func (s *Server) changePassword(c *fiber.Ctx) error {
	in, err := decodeJSON[changePasswordReq](s, c)
	if err != nil {
		return err
	}
	if err := s.deps.Identity.ChangePassword(c.UserContext(), account(c), in.CurrentPassword, in.NewPassword, s.clientIP(c)); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
