package identity

import (
	"context"
	"fmt"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// ChangePassword replaces the account's password after checking the current
// one (throttled and audited like a login from the same client). Every other
// session of the user is revoked; the one making the change stays.
func (s *Service) ChangePassword(ctx context.Context, acct Account, current, next, client string) error {
	if err := s.cfg.Passwords.Check("new_password", next, acct.User.Email, acct.User.Name); err != nil {
		return err
	}
	at, unlock, err := s.beginAttempt(ctx, acct.User.Email, client)
	defer unlock()
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !at.known || at.user.ID != acct.User.ID {
		return apperr.New(apperr.Unauthenticated, "the bearer token is missing, expired or revoked")
	}
	ok, err := s.hasher.Verify(current, at.user.PasswordHash)
	if err != nil {
		return fmt.Errorf("change password: verify: %w", err)
	}
	if !ok {
		if err := s.countFailure(ctx, at, "auth.password_change_failed", "bad_current_password"); err != nil {
			return err
		}
		return apperr.InvalidField("current_password", "is not your current password")
	}
	if current == next {
		return apperr.InvalidField("new_password", "must differ from your current password")
	}
	return s.setPassword(ctx, at.user, at.grants, next, false, acct.SessionID, "user.password_change", func(ctx context.Context) error {
		if at.failures.Count == 0 {
			return nil
		}
		return s.store.ClearLoginFailures(ctx, at.key)
	})
}

// ResetPassword is an admin of authorityID setting the password of a user
// of that authority; the user must change it at their next login, and every
// session of theirs ends. Nobody resets their own password this way, and a
// person who also holds roles in another authority is reset only by an
// operator: otherwise one authority's admin could take over another's
// officer.
func (s *Service) ResetPassword(ctx context.Context, authorityID, userID, pw string) error {
	target, err := s.UserInAuthority(ctx, authorityID, userID)
	if err != nil {
		return err
	}
	u := target.User
	if p, _ := principal.From(ctx); p.UserID == u.ID {
		return apperr.New(apperr.Forbidden, "change your own password with POST /api/v1/me/password")
	}
	grants, err := s.store.GrantsOf(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	for _, g := range grants {
		if g.AuthorityID != authorityID {
			return apperr.New(apperr.Forbidden, "this person also holds roles in another authority: only an operator "+
				"can reset their password (tradewarden user reset-password)")
		}
	}
	if err := s.cfg.Passwords.Check("password", pw, u.Email, u.Name); err != nil {
		return err
	}
	return s.setPassword(ctx, u, grants, pw, true, "", "user.password_reset", nil)
}

// OperatorResetPassword is the operator's reset (CLI, with database
// access): any user, who must change the password at their next login.
func (s *Service) OperatorResetPassword(ctx context.Context, email, pw string) error {
	u, err := s.lookupUser(ctx, email)
	if err != nil {
		return err
	}
	if err := s.cfg.Passwords.Check("password", pw, u.Email, u.Name); err != nil {
		return err
	}
	grants, err := s.store.GrantsOf(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	return s.setPassword(ctx, u, grants, pw, true, "", "user.password_reset", nil)
}

// setPassword stores a new password, revokes the user's sessions but keep
// and audits action in each of the user's authorities.
func (s *Service) setPassword(ctx context.Context, u User, grants []Grant, pw string, mustChange bool, keep, action string,
	also func(ctx context.Context) error) error {
	hash, err := s.hasher.Hash(pw)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	now := s.now().UTC()
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.SetPassword(ctx, u.ID, hash, mustChange, now); err != nil {
			return err
		}
		n, err := s.store.RevokeUserSessions(ctx, u.ID, keep, now)
		if err != nil {
			return err
		}
		if also != nil {
			if err := also(ctx); err != nil {
				return err
			}
		}
		return s.recordForAccount(ctx, grants, audit.Event{Action: action, ObjectType: "user", ObjectID: u.ID,
			Detail: map[string]any{"email": u.Email, "must_change_password": mustChange, "sessions_revoked": n}})
	})
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	// Cached accounts carry the old must-change flag, and revoked sessions.
	s.sessions.clear()
	return nil
}
