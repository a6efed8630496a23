package httpapi

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

type adminUserDTO struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Roles       []string   `json:"roles"`
	Disabled    bool       `json:"disabled"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

type adminUserList struct {
	Items []adminUserDTO `json:"items"`
}

type newUserReq struct {
	Email    string   `json:"email" validate:"required,max=254"`
	Name     string   `json:"name" validate:"required,max=200"`
	Password string   `json:"password" validate:"max=1024"`
	Roles    []string `json:"roles" validate:"required,min=1,max=4,dive,oneof=officer supervisor analyst admin"`
}

type newUserResp struct {
	adminUserDTO
	// Created is false when the email belonged to an existing user, who was
	// given the roles without changing their password or name.
	Created bool `json:"created"`
}

type grantReq struct {
	Role string `json:"role" validate:"required,oneof=officer supervisor analyst admin"`
}

func toAdminUser(u identity.UserWithGrants) adminUserDTO {
	out := adminUserDTO{ID: u.User.ID, Email: u.User.Email, Name: u.User.Name, Disabled: u.User.Disabled,
		LockedUntil: u.User.LockedUntil, CreatedAt: u.User.CreatedAt, Roles: []string{}}
	for _, g := range u.Grants {
		out.Roles = append(out.Roles, string(g.Role))
	}
	return out
}

func (s *Server) mountAdmin() {
	base := Prefix + "/admin/users"
	s.add(Route{Method: http.MethodGet, Path: base, Summary: "List the users holding roles in your authority",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "read"}, Resp: adminUserList{}, Handler: s.listUsers})
	s.add(Route{Method: http.MethodPost, Path: base, Summary: "Add a user with roles in your authority",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "create"}, Body: newUserReq{}, Resp: newUserResp{},
		Status: http.StatusCreated, Handler: s.addUser})
	s.add(Route{Method: http.MethodGet, Path: base + "/:id", Summary: "One user of your authority",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "read"}, Resp: adminUserDTO{}, Handler: s.getUser})
	s.add(Route{Method: http.MethodPost, Path: base + "/:id/grants", Summary: "Grant a role in your authority",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "grant"}, Body: grantReq{}, Resp: adminUserDTO{},
		Status: http.StatusCreated, Handler: s.grantRole})
	s.add(Route{Method: http.MethodDelete, Path: base + "/:id/grants/:role", Summary: "Revoke a role in your authority",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "revoke"}, Status: http.StatusNoContent, Handler: s.revokeRole})
}

func (s *Server) listUsers(c *fiber.Ctx) error {
	users, err := s.deps.Identity.UsersInAuthority(c.UserContext(), caller(c).Authority.ID)
	if err != nil {
		return err
	}
	out := adminUserList{Items: make([]adminUserDTO, 0, len(users))}
	for _, u := range users {
		out.Items = append(out.Items, toAdminUser(u))
	}
	return c.JSON(out)
}

func (s *Server) addUser(c *fiber.Ctx) error {
	in, err := decodeJSON[newUserReq](s, c)
	if err != nil {
		return err
	}
	roles := make([]principal.Role, len(in.Roles))
	for i, r := range in.Roles {
		roles[i] = principal.Role(r)
	}
	u, created, err := s.deps.Identity.AddUser(c.UserContext(), identity.NewUser{Email: in.Email, Name: in.Name,
		Password: in.Password, Authority: caller(c).Authority.Code, Roles: roles})
	if err != nil {
		return err
	}
	full, err := s.deps.Identity.UserInAuthority(c.UserContext(), caller(c).Authority.ID, u.User.ID)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(newUserResp{adminUserDTO: toAdminUser(full), Created: created})
}

func (s *Server) getUser(c *fiber.Ctx) error {
	u, err := s.deps.Identity.UserInAuthority(c.UserContext(), caller(c).Authority.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAdminUser(u))
}

func (s *Server) grantRole(c *fiber.Ctx) error {
	in, err := decodeJSON[grantReq](s, c)
	if err != nil {
		return err
	}
	ctx, auth := c.UserContext(), caller(c).Authority
	// Only users already visible in this authority can be given roles by id;
	// anyone else is added through POST /admin/users by email.
	if _, err := s.deps.Identity.UserInAuthority(ctx, auth.ID, c.Params("id")); err != nil {
		return err
	}
	if _, err := s.deps.Identity.Grant(ctx, c.Params("id"), auth.Code, principal.Role(in.Role)); err != nil {
		return err
	}
	u, err := s.deps.Identity.UserInAuthority(ctx, auth.ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(toAdminUser(u))
}

func (s *Server) revokeRole(c *fiber.Ctx) error {
	ctx, auth := c.UserContext(), caller(c).Authority
	if _, err := s.deps.Identity.UserInAuthority(ctx, auth.ID, c.Params("id")); err != nil {
		return err
	}
	if err := s.deps.Identity.Revoke(ctx, c.Params("id"), auth.Code, principal.Role(c.Params("role"))); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
