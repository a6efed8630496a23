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
}

type grantDTO struct {
	Authority string `json:"authority"`
	Role      string `json:"role"`
}

type meResp struct {
	ID     string     `json:"id"`
	Email  string     `json:"email"`
	Name   string     `json:"name"`
	Grants []grantDTO `json:"grants"`
}

func (s *Server) mountAuth() {
	perIP := limiter.New(limiter.Config{
		Max: s.cfg.LoginPerMinute, Expiration: time.Minute,
		LimitReached: func(c *fiber.Ctx) error {
			return apperr.New(apperr.TooMany, "too many login attempts from this address; wait a minute").
				With("retry_after_seconds", 60)
		},
	})
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/auth/login", Summary: "Log in and receive a bearer token",
		Tag: "auth", Body: loginReq{}, Resp: loginResp{}, Before: []fiber.Handler{perIP}, Handler: s.login})
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/auth/logout", Summary: "Revoke the current token",
		Tag: "auth", Access: Authenticated, Status: http.StatusNoContent, Handler: s.logout})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/me", Summary: "The current user and their roles per authority",
		Tag: "auth", Access: Authenticated, Resp: meResp{}, Handler: s.me})
}

func (s *Server) login(c *fiber.Ctx) error {
	in, err := decodeJSON[loginReq](s, c)
	if err != nil {
		return err
	}
	tok, err := s.deps.Identity.Login(c.UserContext(), in.Email, in.Password)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(loginResp{Token: tok.Token, ExpiresAt: tok.ExpiresAt})
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
	out := meResp{ID: acct.User.ID, Email: acct.User.Email, Name: acct.User.Name, Grants: []grantDTO{}}
	for _, g := range acct.Grants {
		out.Grants = append(out.Grants, grantDTO{Authority: g.AuthorityCode, Role: string(g.Role)})
	}
	return c.JSON(out)
}
