package httpapi

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

type adminUserDTO struct {
	ID                 string    `json:"id"`
	Email              string    `json:"email"`
	Name               string    `json:"name"`
	Roles              []string  `json:"roles" enumof:"roles"`
	Disabled           bool      `json:"disabled"`
	MustChangePassword bool      `json:"must_change_password"`
	CreatedAt          time.Time `json:"created_at"`
}

type adminUserList struct {
	Items []adminUserDTO `json:"items"`
}

type newUserReq struct {
	Email    string   `json:"email" validate:"required,max=254"`
	Name     string   `json:"name" validate:"required,max=200"`
	Password string   `json:"password" validate:"required,max=1024" description:"Hand it to the person: it is the code that accepts the invitation and, if the email has no account yet, their first password (to be changed at the first login). Checked against the password policy in every case."`
	Roles    []string `json:"roles" validate:"required,min=1,max=4,dive,oneof=officer supervisor analyst admin"`
}

type grantReq struct {
	Role string `json:"role" validate:"required,oneof=officer supervisor analyst admin"`
}

type resetPasswordReq struct {
	Password string `json:"password" validate:"required,max=1024" description:"The temporary password; the user must change it at their next login."`
}

func toAdminUser(u identity.UserWithGrants) adminUserDTO {
	out := adminUserDTO{ID: u.User.ID, Email: u.User.Email, Name: u.User.Name, Disabled: u.User.Disabled,
		MustChangePassword: u.User.MustChangePassword, CreatedAt: u.User.CreatedAt, Roles: []string{}}
	for _, g := range u.Grants {
		out.Roles = append(out.Roles, string(g.Role))
	}
	return out
}

const addUserDescription = "Every person is added by invitation, never by a silent grant. The password you set is " +
	"the invitation's code: give it to the person. If the email has no account, one is also created with it as " +
	"the first password (to be changed at the first login); if it has one — in any authority — that account is " +
	"left untouched. Either way the answer is the same 201 invitation, with nothing of any existing account, and " +
	"the roles take effect only when the person logs in and accepts with the code " +
	"(POST /api/v1/me/invitations/{id}/accept), so an account someone else registered under that email cannot " +
	"take them. Someone who already holds roles here is 409: grant them further roles on their user record. " +
	"National (OPSS) admins follow the same rule."

func (s *Server) mountAdmin() {
	base := Prefix + "/admin/users"
	s.add(Route{Method: http.MethodGet, Path: base, Summary: "List the users holding roles in your authority",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "read"}, Resp: adminUserList{}, Handler: s.listUsers})
	s.add(Route{Method: http.MethodPost, Path: base, Summary: "Invite a person to roles in your authority",
		Description: addUserDescription, Tag: "admin", Access: Scoped, Perm: Perm{"user", "create"}, Body: newUserReq{},
		Resp: adminInvitationDTO{}, Status: http.StatusCreated, Handler: s.addUser})
	s.add(Route{Method: http.MethodGet, Path: base + "/:id", Summary: "One user of your authority",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "read"}, Resp: adminUserDTO{}, Handler: s.getUser})
	s.add(Route{Method: http.MethodPost, Path: base + "/:id/grants", Summary: "Grant a role in your authority",
		Description: "Nobody grants a role to themselves (403, audited as `grant.self_refused`): an admin who needs " +
			"case work is granted it by another admin. Audited as `grant.add` in your authority.",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "grant"}, Body: grantReq{}, Resp: adminUserDTO{},
		Status: http.StatusCreated, Handler: s.grantRole})
	s.add(Route{Method: http.MethodDelete, Path: base + "/:id/grants/:role", Summary: "Revoke a role in your authority",
		Description: "Audited as `grant.revoke` in your authority.",
		Tag:         "admin", Access: Scoped, Perm: Perm{"user", "revoke"}, Status: http.StatusNoContent, Handler: s.revokeRole})
	s.add(Route{Method: http.MethodPost, Path: base + "/:id/password", Summary: "Reset a user's password",
		Description: "Sets a temporary password the user must change at their next login (until then their token " +
			"allows only that) and ends all their sessions. Not for yourself (use POST /api/v1/me/password), and not for " +
			"someone who also holds roles in another authority (403: an operator resets those, so no authority's admin " +
			"can take over another's staff). Audited as `user.password_reset`.",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "reset_password"}, Body: resetPasswordReq{},
		Status: http.StatusNoContent, Handler: s.resetPassword})
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
	inv, err := s.deps.Identity.Invite(c.UserContext(), caller(c).Authority.Code, identity.NewUser{Email: in.Email,
		Name: in.Name, Password: in.Password, Roles: roles})
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(toAdminInvitation(inv))
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
	// anyone else is invited through POST /admin/users by email.
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

func (s *Server) resetPassword(c *fiber.Ctx) error {
	in, err := decodeJSON[resetPasswordReq](s, c)
	if err != nil {
		return err
	}
	if err := s.deps.Identity.ResetPassword(c.UserContext(), caller(c).Authority.ID, c.Params("id"), in.Password); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
