package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// NewAuthority is the input for creating an authority.
type NewAuthority struct {
	Code     string
	Name     string
	National bool
}

// AddAuthority creates an enforcement authority.
func (s *Service) AddAuthority(ctx context.Context, in NewAuthority) (Authority, error) {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	var fe apperr.Fields
	fe.Check(!ValidCode(in.Code), "code", "must be upper-case letters, digits and single hyphens, e.g. KENT-TS (max 32)")
	fe.Check(in.Name == "" || len(in.Name) > 200, "name", "is required (max 200 characters)")
	if err := fe.Err(); err != nil {
		return Authority{}, err
	}
	a := Authority{ID: ids.New(), Code: in.Code, Name: in.Name, National: in.National, CreatedAt: s.now().UTC()}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateAuthority(ctx, a); err != nil {
			return err
		}
		return s.log.Record(ctx, audit.Event{Action: "authority.create", ObjectType: "authority", ObjectID: a.ID,
			Authority: a.Code, Detail: map[string]any{"code": a.Code, "name": a.Name, "national": a.National}})
	})
	if err != nil {
		return Authority{}, fmt.Errorf("add authority %s: %w", in.Code, err)
	}
	return a, nil
}

// Authority returns the authority with the given code.
func (s *Service) Authority(ctx context.Context, code string) (Authority, error) {
	a, err := s.store.AuthorityByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if errors.Is(err, ErrNotFound) {
		return Authority{}, apperr.New(apperr.NotFound, "no authority with code %q", code)
	}
	return a, err
}

// Authorities lists every authority.
func (s *Service) Authorities(ctx context.Context) ([]Authority, error) {
	return s.store.ListAuthorities(ctx)
}

// NewUser is the input for creating a user with roles in one authority.
type NewUser struct {
	Email     string
	Name      string
	Password  string
	Authority string // code
	Roles     []principal.Role
	// MustChangePassword makes the first login change the password.
	MustChangePassword bool
}

// validate checks the fields every way of adding a person shares.
func (in *NewUser) validate(policy PasswordPolicy) error {
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	var fe apperr.Fields
	fe.Check(!validEmail(in.Email), "email", "must be a plain email address")
	fe.Check(in.Name == "" || len(in.Name) > 200, "name", "is required (max 200 characters)")
	fe.Check(len(in.Roles) == 0, "roles", "at least one role is required")
	for i, r := range in.Roles {
		fe.Check(!r.Valid(), fmt.Sprintf("roles[%d]", i), "must be one of officer, supervisor, analyst, admin")
	}
	if err := policy.Check("password", in.Password, in.Email, in.Name); err != nil {
		if ae, ok := apperr.As(err); ok {
			for _, f := range ae.Fields {
				fe.Add(f.Field, "%s", f.Message)
			}
		}
	}
	return fe.Err()
}

// AddUser is the operator's way in (CLI, demo, bootstrap of an authority's
// first admin): it creates a user with the password and roles at once. An
// email that already has an account is a Conflict: the operator grants that
// person roles with Grant, and their password is never replaced here.
func (s *Service) AddUser(ctx context.Context, in NewUser) (UserWithGrants, error) {
	if err := in.validate(s.cfg.Passwords); err != nil {
		return UserWithGrants{}, err
	}
	auth, err := s.Authority(ctx, in.Authority)
	if err != nil {
		return UserWithGrants{}, apperr.InvalidField("authority", "no authority with code %q", in.Authority)
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return UserWithGrants{}, fmt.Errorf("hash password: %w", err)
	}
	var out UserWithGrants
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.UserByEmail(ctx, in.Email); !errors.Is(err, ErrNotFound) {
			if err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "%s already has an account: grant them a role instead (their password is left unchanged)", in.Email)
		}
		u, err := s.createUser(ctx, in, hash, auth.Code, nil)
		if err != nil {
			return err
		}
		out.User = u
		for _, r := range in.Roles {
			g, err := s.grant(ctx, u, auth, r, nil)
			if err != nil {
				return err
			}
			out.Grants = append(out.Grants, g)
		}
		return nil
	})
	if err != nil {
		return UserWithGrants{}, fmt.Errorf("add user %s: %w", in.Email, err)
	}
	s.grantsChanged(ctx)
	return out, nil
}

// createUser inserts a new account and audits it in authority (which may be
// empty: an invitation must not tell the inviting authority that the
// account is new).
func (s *Service) createUser(ctx context.Context, in NewUser, hash, authority string, detail map[string]any) (User, error) {
	now := s.now().UTC()
	u := User{ID: ids.New(), Email: in.Email, Name: in.Name, PasswordHash: hash, MustChangePassword: in.MustChangePassword,
		CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return User{}, err
	}
	d := map[string]any{"email": u.Email, "name": u.Name}
	for k, v := range detail {
		d[k] = v
	}
	if authority == "" {
		ctx = outsideAuthorities(ctx)
	}
	return u, s.log.Record(ctx, audit.Event{Action: "user.create", ObjectType: "user", ObjectID: u.ID, Authority: authority, Detail: d})
}

// outsideAuthorities returns ctx with the acting authority cleared, so an
// audit entry recorded with it shows in no authority's log (it is still in
// the chain, for operators reading the database).
func outsideAuthorities(ctx context.Context) context.Context {
	p, ok := principal.From(ctx)
	if !ok {
		return ctx
	}
	p.Authority, p.Roles = principal.Authority{}, nil
	return principal.With(ctx, p)
}

// grant adds a role and audits it in the authority whose grant changed.
func (s *Service) grant(ctx context.Context, u User, a Authority, role principal.Role, detail map[string]any) (Grant, error) {
	g := Grant{UserID: u.ID, AuthorityID: a.ID, AuthorityCode: a.Code, Role: role, CreatedAt: s.now().UTC()}
	added, err := s.store.AddGrant(ctx, g)
	if err != nil || !added {
		return g, err
	}
	d := map[string]any{"email": u.Email, "role": role}
	for k, v := range detail {
		d[k] = v
	}
	return g, s.log.Record(ctx, audit.Event{Action: "grant.add", ObjectType: "user", ObjectID: u.ID, Authority: a.Code, Detail: d})
}

// refuseSelfGrant stops anyone giving themselves a role: an admin who wants
// case-work roles needs another admin (or an operator) to grant them. The
// refused attempt is audited in the authority concerned.
func (s *Service) refuseSelfGrant(ctx context.Context, u User, a Authority, role principal.Role) error {
	p, _ := principal.From(ctx)
	if p.UserID == "" || p.UserID != u.ID {
		return nil
	}
	if err := s.log.Record(ctx, audit.Event{Action: "grant.self_refused", ObjectType: "user", ObjectID: u.ID,
		Authority: a.Code, Detail: map[string]any{"role": role}}); err != nil {
		return err
	}
	return apperr.New(apperr.Forbidden, "you cannot grant yourself a role: another admin of %s must", a.Code)
}

// Grant gives an existing user a role in an authority (idempotent). Nobody
// grants a role to themselves.
func (s *Service) Grant(ctx context.Context, userRef, authorityCode string, role principal.Role) (Grant, error) {
	if !role.Valid() {
		return Grant{}, apperr.InvalidField("role", "must be one of officer, supervisor, analyst, admin")
	}
	a, err := s.Authority(ctx, authorityCode)
	if err != nil {
		return Grant{}, apperr.InvalidField("authority", "no authority with code %q", authorityCode)
	}
	u, err := s.lookupUser(ctx, userRef)
	if err != nil {
		return Grant{}, err
	}
	if err := s.refuseSelfGrant(ctx, u, a, role); err != nil {
		return Grant{}, err
	}
	var g Grant
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		g, err = s.grant(ctx, u, a, role, nil)
		return err
	})
	if err != nil {
		return Grant{}, fmt.Errorf("grant %s in %s: %w", role, a.Code, err)
	}
	s.grantsChanged(ctx)
	return g, nil
}

// Revoke removes a role from a user in an authority.
func (s *Service) Revoke(ctx context.Context, userRef, authorityCode string, role principal.Role) error {
	if !role.Valid() {
		return apperr.InvalidField("role", "must be one of officer, supervisor, analyst, admin")
	}
	a, err := s.Authority(ctx, authorityCode)
	if err != nil {
		return apperr.InvalidField("authority", "no authority with code %q", authorityCode)
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		u, err := s.lookupUser(ctx, userRef)
		if err != nil {
			return err
		}
		removed, err := s.store.RemoveGrant(ctx, Grant{UserID: u.ID, AuthorityID: a.ID, Role: role})
		if err != nil {
			return err
		}
		if !removed {
			return apperr.New(apperr.NotFound, "%s holds no %s role in %s", u.Email, role, a.Code)
		}
		return s.log.Record(ctx, audit.Event{Action: "grant.revoke", ObjectType: "user", ObjectID: u.ID,
			Authority: a.Code, Detail: map[string]any{"email": u.Email, "role": role}})
	})
	if err != nil {
		return fmt.Errorf("revoke %s in %s: %w", role, a.Code, err)
	}
	s.grantsChanged(ctx)
	return nil
}

// lookupUser finds a user by id or email.
func (s *Service) lookupUser(ctx context.Context, ref string) (User, error) {
	var (
		u   User
		err error
	)
	if strings.Contains(ref, "@") {
		u, err = s.store.UserByEmail(ctx, NormalizeEmail(ref))
	} else {
		u, err = s.store.UserByID(ctx, ref)
	}
	if errors.Is(err, ErrNotFound) {
		return User{}, apperr.New(apperr.NotFound, "no user %q", ref)
	}
	return u, err
}

// UsersInAuthority lists the users holding any role in the authority.
func (s *Service) UsersInAuthority(ctx context.Context, authorityID string) ([]UserWithGrants, error) {
	return s.store.ListUsersInAuthority(ctx, authorityID)
}

// UserInAuthority returns one user as seen from an authority: NotFound when
// the user holds no role there, so other authorities' staff stay invisible.
func (s *Service) UserInAuthority(ctx context.Context, authorityID, userID string) (UserWithGrants, error) {
	u, err := s.lookupUser(ctx, userID)
	if err != nil {
		return UserWithGrants{}, err
	}
	grants, err := s.store.GrantsOf(ctx, u.ID)
	if err != nil {
		return UserWithGrants{}, err
	}
	out := UserWithGrants{User: u}
	for _, g := range grants {
		if g.AuthorityID == authorityID {
			out.Grants = append(out.Grants, g)
		}
	}
	if len(out.Grants) == 0 {
		return UserWithGrants{}, apperr.New(apperr.NotFound, "no user %q", userID)
	}
	return out, nil
}

// AllGrants returns every grant (the authorizer loads them).
func (s *Service) AllGrants(ctx context.Context) ([]Grant, error) { return s.store.AllGrants(ctx) }

func (s *Service) grantsChanged(ctx context.Context) {
	// Cached accounts carry their grants.
	s.sessions.clear()
	if s.onGrants != nil {
		s.onGrants(ctx)
	}
}

// ActAs builds the principal of an existing user acting in an authority
// (code may be empty when they hold roles in only one). Operator commands
// use it to act on a user's behalf; the audit log records the user, via cli.
func (s *Service) ActAs(ctx context.Context, email, authorityCode string) (principal.Principal, error) {
	u, err := s.lookupUser(ctx, email)
	if err != nil {
		return principal.Principal{}, err
	}
	grants, err := s.store.GrantsOf(ctx, u.ID)
	if err != nil {
		return principal.Principal{}, err
	}
	auth, roles, err := ResolveAuthority(Account{User: u, Grants: grants}, authorityCode)
	if err != nil {
		return principal.Principal{}, err
	}
	return principal.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Authority: auth, Roles: roles, Via: "cli"}, nil
}
