package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// Invite is an admin of authorityCode adding a person: every addition is an
// invitation the person accepts after logging in, never a silent grant. The
// admin's password is the code that accepts it. When the email is new, an
// account is also created with that password, to be changed at the first
// login; when it already has an account, that account is left exactly as it
// was (the admin's name for the person is kept on the invitation only). The
// two cases cost the same work — one password hash, the same queries, the
// same number of audit entries, and only the invitation entry in the
// inviting authority — and return the same invitation, so the admin cannot
// tell which it was. Someone already holding roles in the authority is a
// Conflict: the admin sees them in the user list anyway.
func (s *Service) Invite(ctx context.Context, authorityCode string, in NewUser) (Invitation, error) {
	if err := in.validate(s.cfg.Passwords); err != nil {
		return Invitation{}, err
	}
	auth, err := s.Authority(ctx, authorityCode)
	if err != nil {
		return Invitation{}, apperr.InvalidField("authority", "no authority with code %q", authorityCode)
	}
	p, _ := principal.From(ctx)
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return Invitation{}, fmt.Errorf("hash password: %w", err)
	}
	now := s.now().UTC()
	inv := Invitation{ID: ids.New(), AuthorityID: auth.ID, AuthorityCode: auth.Code, AuthorityName: auth.Name,
		Email: in.Email, Name: in.Name, Roles: in.Roles, InvitedBy: p.UserID, InvitedByName: p.Name, CodeHash: hash,
		Status: InvitationPending, CreatedAt: now, ExpiresAt: now.Add(s.cfg.InvitationTTL)}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		u, err := s.inviteeAccount(ctx, in, hash, auth, inv.ID)
		if err != nil {
			return err
		}
		inv.UserID = u.ID
		if err := s.supersede(ctx, u.ID, auth.ID, now); err != nil {
			return err
		}
		if err := s.store.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		return s.log.Record(ctx, audit.Event{Action: "invitation.create", ObjectType: "invitation", ObjectID: inv.ID,
			Authority: auth.Code, Detail: map[string]any{"email": inv.Email, "name": inv.Name, "roles": inv.Roles,
				"expires_at": inv.ExpiresAt}})
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("invite %s to %s: %w", in.Email, auth.Code, err)
	}
	return inv, nil
}

// inviteeAccount returns the account an invitation is for, creating it when
// the email is new. Either way it writes one audit entry outside every
// authority's view, so counting entries reveals nothing.
func (s *Service) inviteeAccount(ctx context.Context, in NewUser, hash string, auth Authority, invitationID string) (User, error) {
	u, err := s.store.UserByEmail(ctx, in.Email)
	if errors.Is(err, ErrNotFound) {
		in.MustChangePassword = true
		return s.createUser(ctx, in, hash, "", map[string]any{"invitation_id": invitationID, "invited_to": auth.Code})
	}
	if err != nil {
		return User{}, err
	}
	grants, err := s.store.GrantsOf(ctx, u.ID)
	if err != nil {
		return User{}, err
	}
	for _, g := range grants {
		if g.AuthorityID == auth.ID {
			return User{}, apperr.New(apperr.Conflict, "%s already holds roles in %s: grant further roles on their user record", in.Email, auth.Code).
				With("user_id", u.ID)
		}
	}
	return u, s.log.Record(outsideAuthorities(ctx), audit.Event{Action: "user.invited", ObjectType: "user", ObjectID: u.ID,
		Detail: map[string]any{"invitation_id": invitationID, "invited_to": auth.Code}})
}

// supersede revokes the person's earlier pending invitations from the
// authority: the newest one is the offer that stands.
func (s *Service) supersede(ctx context.Context, userID, authorityID string, now time.Time) error {
	old, err := s.store.Invitations(ctx, InvitationFilter{UserID: userID, AuthorityID: authorityID, Status: InvitationPending})
	if err != nil {
		return err
	}
	for _, o := range old {
		if _, err := s.store.SetInvitationStatus(ctx, o.ID, InvitationPending, InvitationRevoked, now); err != nil {
			return err
		}
	}
	return nil
}

// MyInvitations lists the invitations addressed to the user that are still
// pending, newest first.
func (s *Service) MyInvitations(ctx context.Context, userID string) ([]Invitation, error) {
	list, err := s.store.Invitations(ctx, InvitationFilter{UserID: userID, Status: InvitationPending, Limit: 200})
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := list[:0]
	for _, inv := range list {
		if inv.StatusAt(now) == InvitationPending {
			out = append(out, inv)
		}
	}
	return out, nil
}

// AuthorityInvitations lists the invitations an authority sent, newest
// first, with lapsed ones reported as expired.
func (s *Service) AuthorityInvitations(ctx context.Context, authorityID string, limit int) ([]Invitation, error) {
	list, err := s.store.Invitations(ctx, InvitationFilter{AuthorityID: authorityID, Limit: limit})
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range list {
		list[i].Status = list[i].StatusAt(now)
	}
	return list, nil
}

var errBadCode = apperr.InvalidField("code", "is not the code of this invitation: use the password the inviting admin gave you")

// AcceptInvitation accepts one of the account's own pending invitations
// with its code (checked and throttled like a login from the client). The
// roles are added, each audited with the invitation in the inviting
// authority. Another person's invitation is NotFound.
func (s *Service) AcceptInvitation(ctx context.Context, acct Account, id, code, client string) (Invitation, error) {
	inv, err := s.ownPendingInvitation(ctx, acct.User.ID, id)
	if err != nil {
		return Invitation{}, err
	}
	if inv.InvitedBy == acct.User.ID {
		return Invitation{}, apperr.New(apperr.Forbidden, "you cannot accept an invitation you sent yourself")
	}
	at, unlock, err := s.beginAttempt(ctx, acct.User.Email, client)
	defer unlock()
	if err != nil {
		return Invitation{}, fmt.Errorf("accept invitation: %w", err)
	}
	ok, err := s.hasher.Verify(code, inv.CodeHash)
	if err != nil {
		return Invitation{}, fmt.Errorf("accept invitation: verify code: %w", err)
	}
	if !ok {
		if err := s.countFailure(ctx, at, "auth.invitation_code_failed", "bad_code"); err != nil {
			return Invitation{}, err
		}
		return Invitation{}, errBadCode
	}
	return s.answer(ctx, inv, InvitationAccepted, func(ctx context.Context) error {
		if at.failures.Count > 0 {
			if err := s.store.ClearLoginFailures(ctx, at.key); err != nil {
				return err
			}
		}
		return s.grantInvited(ctx, inv)
	})
}

// DeclineInvitation declines one of the account's own pending invitations.
func (s *Service) DeclineInvitation(ctx context.Context, acct Account, id string) (Invitation, error) {
	inv, err := s.ownPendingInvitation(ctx, acct.User.ID, id)
	if err != nil {
		return Invitation{}, err
	}
	return s.answer(ctx, inv, InvitationDeclined, nil)
}

func (s *Service) ownPendingInvitation(ctx context.Context, userID, id string) (Invitation, error) {
	inv, err := s.store.InvitationByID(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && inv.UserID != userID {
		return Invitation{}, apperr.New(apperr.NotFound, "no invitation %q for you", id)
	}
	if err != nil {
		return Invitation{}, err
	}
	if st := inv.StatusAt(s.now()); st != InvitationPending {
		return Invitation{}, apperr.New(apperr.Conflict, "the invitation is %s", st).With("status", st)
	}
	return inv, nil
}

// answer moves a pending invitation to accepted or declined, running also
// in the same transaction, and audits it in the inviting authority.
func (s *Service) answer(ctx context.Context, inv Invitation, to InvitationStatus, also func(context.Context) error) (Invitation, error) {
	now := s.now().UTC()
	action := "invitation." + map[InvitationStatus]string{InvitationAccepted: "accept", InvitationDeclined: "decline"}[to]
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.store.SetInvitationStatus(ctx, inv.ID, InvitationPending, to, now)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "the invitation was answered or revoked meanwhile")
		}
		if also != nil {
			if err := also(ctx); err != nil {
				return err
			}
		}
		return s.log.Record(ctx, audit.Event{Action: action, ObjectType: "invitation", ObjectID: inv.ID,
			Authority: inv.AuthorityCode, Detail: map[string]any{"roles": inv.Roles}})
	})
	if err != nil {
		return Invitation{}, fmt.Errorf("%s: %w", action, err)
	}
	if to == InvitationAccepted {
		s.grantsChanged(ctx)
	}
	inv.Status, inv.RespondedAt = to, &now
	return inv, nil
}

func (s *Service) grantInvited(ctx context.Context, inv Invitation) error {
	u, err := s.store.UserByID(ctx, inv.UserID)
	if err != nil {
		return err
	}
	a, err := s.store.AuthorityByID(ctx, inv.AuthorityID)
	if err != nil {
		return err
	}
	for _, r := range inv.Roles {
		if _, err := s.grant(ctx, u, a, r, map[string]any{"invitation_id": inv.ID, "invited_by": inv.InvitedBy}); err != nil {
			return err
		}
	}
	return nil
}

// RevokeInvitation withdraws one of the authority's pending invitations.
func (s *Service) RevokeInvitation(ctx context.Context, authorityID, id string) error {
	inv, err := s.store.InvitationByID(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && inv.AuthorityID != authorityID {
		return apperr.New(apperr.NotFound, "no invitation %q", id)
	}
	if err != nil {
		return err
	}
	now := s.now().UTC()
	if st := inv.StatusAt(now); st != InvitationPending {
		return apperr.New(apperr.Conflict, "the invitation is %s", st).With("status", st)
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.store.SetInvitationStatus(ctx, inv.ID, InvitationPending, InvitationRevoked, now)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "the invitation was answered meanwhile")
		}
		return s.log.Record(ctx, audit.Event{Action: "invitation.revoke", ObjectType: "invitation", ObjectID: inv.ID,
			Authority: inv.AuthorityCode, Detail: map[string]any{"email": inv.Email}})
	})
}
