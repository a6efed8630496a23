package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// A referral keeps the case with its owner. While pending, the receiving
// authority's supervisors see what a referral package would carry; once
// accepted, the receiving authority collaborates at the access level the
// owner set, which the owner may change or revoke at any time; the
// receiving authority may decline a referral, or leave a collaboration, by
// declining it.

func checkLevel(level AccessLevel) (AccessLevel, error) {
	if level == "" {
		return ReadOnly, nil
	}
	if !slices.Contains(AccessLevels, level) {
		return "", apperr.InvalidField("access_level", "must be one of %s", join(AccessLevels))
	}
	return level, nil
}

func checkReason(field, what, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 5000 {
		return "", apperr.InvalidField(field, "say why %s (max 5000 characters)", what)
	}
	return reason, nil
}

// putShare stores a referral and mirrors it on the case.
func (s *Service) putShare(ctx context.Context, c *Case, sh Share) error {
	if err := s.store.PutShare(ctx, c.ID, sh); err != nil {
		return err
	}
	for i := range c.Shares {
		if c.Shares[i].AuthorityID == sh.AuthorityID {
			c.Shares[i] = sh
			return nil
		}
	}
	c.Shares = append(c.Shares, sh)
	return nil
}

// Refer shares the case with another authority at an access level
// (read_only when empty), which takes effect once that authority accepts.
// A case whose referral was declined or revoked may be referred again.
func (s *Service) Refer(ctx context.Context, id, toCode, reason string, level AccessLevel) (Case, error) {
	reason, err := checkReason("reason", "the case is referred", reason)
	if err != nil {
		return Case{}, err
	}
	if level, err = checkLevel(level); err != nil {
		return Case{}, err
	}
	return s.write(ctx, id, needSupervise, false, "case.referred", func(ctx context.Context, c *Case, p principal.Principal) (map[string]any, error) {
		code := strings.ToUpper(strings.TrimSpace(toCode))
		targetID, err := s.dir.AuthorityByCode(ctx, code)
		if err != nil {
			return nil, apperr.InvalidField("to_authority", "no authority with code %q", toCode)
		}
		if targetID == c.AuthorityID {
			return nil, apperr.InvalidField("to_authority", "a case cannot be referred to its own authority")
		}
		if sh, ok := c.ShareFor(targetID); ok && sh.Live() {
			return nil, apperr.New(apperr.Conflict, "case %s is already referred to %s (%s)", c.Reference, code, sh.Status)
		}
		sh := Share{AuthorityID: targetID, AuthorityCode: code, Status: SharePending, Level: level, Reason: reason,
			ReferredBy: p.UserID, ReferredAt: s.now().UTC()}
		if err := s.putShare(ctx, c, sh); err != nil {
			return nil, err
		}
		return map[string]any{"to_authority": code, "reason": reason, "access_level": level}, nil
	})
}

// receive runs a receiving authority's decision on its referral of the case,
// auditing it on the case.
func (s *Service) receive(ctx context.Context, id, action string, fn func(c *Case, sh *Share, p principal.Principal) (map[string]any, error)) (Case, error) {
	var out Case
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		c, p, acc, err := s.load(ctx, id, needRead, true)
		if err != nil {
			return err
		}
		sh, _ := c.ShareFor(p.Authority.ID)
		switch {
		case acc.Standing == Owner:
			return apperr.New(apperr.Conflict, "case %s belongs to %s: referrals are answered by the authority receiving them",
				c.Reference, p.Authority.Code)
		case !p.Has(principal.Supervisor):
			return apperr.New(apperr.Forbidden, "only a supervisor may answer a referral")
		}
		detail, err := fn(&c, &sh, p)
		if err != nil {
			return err
		}
		if err := s.putShare(ctx, &c, sh); err != nil {
			return err
		}
		c.Version++
		c.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateCase(ctx, c); err != nil {
			return err
		}
		detail["authority"], detail["version"] = p.Authority.Code, c.Version
		if err := s.record(ctx, c, action, detail); err != nil {
			return err
		}
		out = c.viewFor(Access{Standing: Collaborator, Level: sh.Level, text: &lazyScrubber{c: c}}, p.Authority.ID)
		return nil
	})
	if err != nil {
		return Case{}, fmt.Errorf("%s %s: %w", action, id, err)
	}
	return out, nil
}

// AcceptReferral makes a referred case a collaboration of the caller's
// authority, at the level the owner set.
func (s *Service) AcceptReferral(ctx context.Context, id string) (Case, error) {
	return s.receive(ctx, id, "case.referral_accepted", func(c *Case, sh *Share, p principal.Principal) (map[string]any, error) {
		if sh.Status == ShareAccepted {
			return nil, apperr.New(apperr.Conflict, "the referral of case %s to %s is already accepted", c.Reference, p.Authority.Code)
		}
		now := s.now().UTC()
		sh.Status, sh.AcceptedBy, sh.AcceptedAt = ShareAccepted, p.UserID, &now
		return map[string]any{"access_level": sh.Level}, nil
	})
}

// DeclineReferral refuses a pending referral, or leaves a collaboration:
// the caller's authority loses access to the case.
func (s *Service) DeclineReferral(ctx context.Context, id, reason string) (Share, error) {
	reason, err := checkReason("reason", "the referral is declined", reason)
	if err != nil {
		return Share{}, err
	}
	var out Share
	_, err = s.receive(ctx, id, "case.referral_declined", func(c *Case, sh *Share, p principal.Principal) (map[string]any, error) {
		from := sh.Status
		now := s.now().UTC()
		sh.Status, sh.EndedBy, sh.EndedAt, sh.EndReason = ShareDeclined, p.UserID, &now, reason
		out = *sh
		return map[string]any{"from": from, "reason": reason}, nil
	})
	return out, err
}

// owned runs an owning supervisor's change to the referral of the case to
// the authority with the code.
func (s *Service) owned(ctx context.Context, id, code, action string, fn func(c *Case, sh *Share) (map[string]any, error)) (Case, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	return s.write(ctx, id, needSupervise, true, action, func(ctx context.Context, c *Case, p principal.Principal) (map[string]any, error) {
		var sh Share
		found := false
		for _, x := range c.Shares {
			if x.AuthorityCode == code && x.Live() {
				sh, found = x, true
			}
		}
		if !found {
			return nil, apperr.New(apperr.NotFound, "case %s is not referred to %q", c.Reference, code)
		}
		detail, err := fn(c, &sh)
		if err != nil {
			return nil, err
		}
		if err := s.putShare(ctx, c, sh); err != nil {
			return nil, err
		}
		detail["authority"] = code
		return detail, nil
	})
}

// SetReferralLevel changes what a collaborating (or referred) authority may do.
func (s *Service) SetReferralLevel(ctx context.Context, id, code string, level AccessLevel) (Case, error) {
	if level == "" {
		return Case{}, apperr.InvalidField("access_level", "is required: one of %s", join(AccessLevels))
	}
	level, err := checkLevel(level)
	if err != nil {
		return Case{}, err
	}
	return s.owned(ctx, id, code, "case.referral_level_changed", func(c *Case, sh *Share) (map[string]any, error) {
		from := sh.Level
		if from == level {
			return nil, apperr.New(apperr.Conflict, "%s already has %s access to case %s", sh.AuthorityCode, level, c.Reference)
		}
		sh.Level = level
		return map[string]any{"from": from, "to": level}, nil
	})
}

// RevokeReferral ends a referral or collaboration at once: the other
// authority no longer sees the case.
func (s *Service) RevokeReferral(ctx context.Context, id, code, reason string) (Case, error) {
	reason, err := checkReason("reason", "the referral is revoked", reason)
	if err != nil {
		return Case{}, err
	}
	return s.owned(ctx, id, code, "case.referral_revoked", func(c *Case, sh *Share) (map[string]any, error) {
		p, _ := principal.From(ctx)
		from := sh.Status
		now := s.now().UTC()
		sh.Status, sh.EndedBy, sh.EndedAt, sh.EndReason = ShareRevoked, p.UserID, &now, reason
		return map[string]any{"from": from, "reason": reason}, nil
	})
}
