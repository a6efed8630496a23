package httpapi

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/identity"
)

type authorityRefDTO struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// invitationDTO is what both sides of an invitation see.
type invitationDTO struct {
	ID          string     `json:"id"`
	Roles       []string   `json:"roles" enumof:"roles"`
	Status      string     `json:"status" enum:"pending,accepted,declined,revoked,expired"`
	InvitedBy   string     `json:"invited_by" description:"Name of the admin who sent it."`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	RespondedAt *time.Time `json:"responded_at,omitempty"`
}

// myInvitationDTO is an invitation as the invited person sees it.
type myInvitationDTO struct {
	invitationDTO
	Authority authorityRefDTO `json:"authority" description:"The authority offering the roles."`
}

type myInvitationList struct {
	Items []myInvitationDTO `json:"items"`
}

// adminInvitationDTO is an invitation as the inviting authority sees it:
// what its admin asked for, and nothing of the account behind the email.
type adminInvitationDTO struct {
	invitationDTO
	Email string `json:"email"`
	Name  string `json:"name" description:"The name as the admin typed it."`
}

type adminInvitationList struct {
	Items []adminInvitationDTO `json:"items"`
}

type acceptInvitationReq struct {
	Code string `json:"code" validate:"required,max=1024" description:"The code the inviting admin gave you: the password they set when they added you (also your first password if you had no account)."`
}

type invitationQuery struct {
	Limit int `query:"limit" validate:"gte=0"`
}

func toInvitation(inv identity.Invitation) invitationDTO {
	out := invitationDTO{ID: inv.ID, Roles: make([]string, len(inv.Roles)), Status: string(inv.Status),
		InvitedBy: inv.InvitedByName, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, RespondedAt: inv.RespondedAt}
	for i, r := range inv.Roles {
		out.Roles[i] = string(r)
	}
	return out
}

func toMyInvitation(inv identity.Invitation) myInvitationDTO {
	return myInvitationDTO{invitationDTO: toInvitation(inv), Authority: authorityRefDTO{Code: inv.AuthorityCode, Name: inv.AuthorityName}}
}

func toAdminInvitation(inv identity.Invitation) adminInvitationDTO {
	return adminInvitationDTO{invitationDTO: toInvitation(inv), Email: inv.Email, Name: inv.Name}
}

func (s *Server) mountInvitations() {
	me := Prefix + "/me/invitations"
	s.add(Route{Method: http.MethodGet, Path: me, Summary: "Your pending invitations to roles in an authority",
		Description: "An admin adding you to an authority sends an invitation; its roles take effect only when you accept.",
		Tag:         "auth", Access: Authenticated, Resp: myInvitationList{}, Handler: s.myInvitations})
	s.add(Route{Method: http.MethodPost, Path: me + "/:id/accept", Summary: "Accept an invitation: its roles become yours",
		Description: "Send the code the inviting admin gave you (the password they set). 200 with the accepted " +
			"invitation; your new roles show in GET /api/v1/me. A wrong code is 422 on `code`, throttled and audited " +
			"like a failed login. Each role is audited as `grant.add` (with the invitation) in the inviting authority. " +
			"404 for anyone else's invitation, 409 once it is no longer pending (answered, revoked or expired).",
		Tag: "auth", Access: Authenticated, Body: acceptInvitationReq{}, Resp: myInvitationDTO{},
		Before: []fiber.Handler{s.perIP}, Handler: s.acceptInvitation})
	s.add(Route{Method: http.MethodPost, Path: me + "/:id/decline", Summary: "Decline an invitation",
		Description: "200 with the declined invitation; audited in the inviting authority. 404 for anyone else's, 409 " +
			"once it is no longer pending.",
		Tag: "auth", Access: Authenticated, Resp: myInvitationDTO{}, Handler: s.declineInvitation})

	admin := Prefix + "/admin/invitations"
	s.add(Route{Method: http.MethodGet, Path: admin, Summary: "Invitations your authority sent, newest first",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "read"}, Query: invitationQuery{}, Resp: adminInvitationList{},
		Handler: s.authorityInvitations})
	s.add(Route{Method: http.MethodDelete, Path: admin + "/:id", Summary: "Withdraw a pending invitation",
		Tag: "admin", Access: Scoped, Perm: Perm{"user", "create"}, Status: http.StatusNoContent, Handler: s.revokeInvitation})
}

func (s *Server) myInvitations(c *fiber.Ctx) error {
	list, err := s.deps.Identity.MyInvitations(c.UserContext(), account(c).User.ID)
	if err != nil {
		return err
	}
	out := myInvitationList{Items: make([]myInvitationDTO, 0, len(list))}
	for _, inv := range list {
		out.Items = append(out.Items, toMyInvitation(inv))
	}
	return c.JSON(out)
}

func (s *Server) acceptInvitation(c *fiber.Ctx) error {
	in, err := decodeJSON[acceptInvitationReq](s, c)
	if err != nil {
		return err
	}
	inv, err := s.deps.Identity.AcceptInvitation(c.UserContext(), account(c), c.Params("id"), in.Code, s.clientIP(c))
	if err != nil {
		return err
	}
	return c.JSON(toMyInvitation(inv))
}

func (s *Server) declineInvitation(c *fiber.Ctx) error {
	inv, err := s.deps.Identity.DeclineInvitation(c.UserContext(), account(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toMyInvitation(inv))
}

func (s *Server) authorityInvitations(c *fiber.Ctx) error {
	q, err := parseQuery[invitationQuery](c)
	if err != nil {
		return err
	}
	list, err := s.deps.Identity.AuthorityInvitations(c.UserContext(), caller(c).Authority.ID, clampLimit(q.Limit))
	if err != nil {
		return err
	}
	out := adminInvitationList{Items: make([]adminInvitationDTO, 0, len(list))}
	for _, inv := range list {
		out.Items = append(out.Items, toAdminInvitation(inv))
	}
	return c.JSON(out)
}

func (s *Server) revokeInvitation(c *fiber.Ctx) error {
	if err := s.deps.Identity.RevokeInvitation(c.UserContext(), caller(c).Authority.ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}
