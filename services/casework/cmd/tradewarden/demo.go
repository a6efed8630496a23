package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

// DemoPassword is the password every demo user gets. It is printed by
// `tradewarden demo` and must never be used outside a demo.
const DemoPassword = "tradewarden-demo-2026"

type demoAuthority struct {
	code, name, domain string
	national           bool
	profile            authorities.Input
}

// The demo letterheads use reserved example addresses and a sort code and
// account that belong to no bank.
var demoAuthorities = []demoAuthority{
	{code: "OPSS", name: "Office for Product Safety and Standards", domain: "opss.example", national: true,
		profile: authorities.Input{FullName: "Office for Product Safety and Standards",
			Address: []string{"4th Floor, Cannon House", "18 The Priory Queensway", "Birmingham B4 6BS"},
			Phone:   "0121 345 1200", Email: "enquiries@opss.example", Website: "https://opss.example",
			OnBehalfOfSecretaryOfState: true,
			Payment: &authorities.Payment{Bank: "Example Government Bank", AccountName: "OPSS Penalties (demo)",
				SortCode: "00-00-00", AccountNumber: "00000000"}}},
	{code: "KENT-TS", name: "Kent County Council Trading Standards", domain: "kent-ts.example",
		profile: authorities.Input{FullName: "Kent County Council Trading Standards",
			Address: []string{"Invicta House", "County Hall", "Maidstone ME14 1XX"},
			Phone:   "03000 41 22 33", Email: "trading.standards@kent-ts.example", Website: "https://kent-ts.example",
			Payment: &authorities.Payment{Bank: "Example Bank", AccountName: "Kent County Council (demo)",
				SortCode: "00-00-00", AccountNumber: "00000000"}}},
}

// seedProfile gives a demo authority its letterhead unless one was saved.
func seedProfile(ctx context.Context, app *wiring.App, da demoAuthority) error {
	a, err := app.Identity.Authority(ctx, da.code)
	if err != nil {
		return err
	}
	if p, err := app.Authorities.ByID(ctx, a.ID); err != nil || p.Version > 0 {
		return err
	}
	ctx = principal.With(ctx, principal.Principal{Via: "demo", Authority: principal.Authority{ID: a.ID, Code: a.Code,
		Name: a.Name, National: a.National}, Roles: []principal.Role{principal.Admin}})
	_, err = app.Authorities.Put(ctx, da.code, da.profile)
	return err
}

var demoNames = map[principal.Role][2]string{
	principal.Officer:    {"Priya Sharma", "Tomasz Nowak"},
	principal.Supervisor: {"Gareth Hughes", "Siobhán O'Connor"},
	principal.Analyst:    {"Amélie Durand", "Kwame Mensah"},
	principal.Admin:      {"Helen Carter", "Łukasz Zieliński"},
}

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "idempotently seed two authorities with one user per role each, and print the logins",
		Action: func(c *cli.Context) error {
			app, ctx, err := openApp(c)
			if err != nil {
				return err
			}
			defer app.Close()
			logins, err := seedDemo(ctx, app)
			if err != nil {
				return err
			}
			printLogins(c.App.Writer, logins)
			return seedDemoListings(ctx, app, c.App.Writer)
		},
	}
}

type demoLogin struct{ authority, role, email, name string }

func seedDemo(ctx context.Context, app *wiring.App) ([]demoLogin, error) {
	var logins []demoLogin
	for i, da := range demoAuthorities {
		_, err := app.Identity.AddAuthority(ctx, identity.NewAuthority{Code: da.code, Name: da.name, National: da.national})
		if err != nil && !apperr.Is(err, apperr.Conflict) {
			return nil, fmt.Errorf("demo authority %s: %w", da.code, err)
		}
		if err := seedProfile(ctx, app, da); err != nil {
			return nil, fmt.Errorf("demo profile of %s: %w", da.code, err)
		}
		for _, role := range principal.Roles {
			email := string(role) + "@" + da.domain
			name := demoNames[role][i]
			_, err := app.Identity.AddUser(ctx, identity.NewUser{Email: email, Name: name, Password: DemoPassword,
				Authority: da.code, Roles: []principal.Role{role}})
			if err != nil && !errors.Is(err, context.Canceled) && !apperr.Is(err, apperr.Conflict) {
				return nil, fmt.Errorf("demo user %s: %w", email, err)
			}
			logins = append(logins, demoLogin{authority: da.code, role: string(role), email: email, name: name})
		}
	}
	return logins, nil
}

func printLogins(w io.Writer, logins []demoLogin) {
	fmt.Fprintln(w, "Demo logins (password for all: "+DemoPassword+")")
	fmt.Fprintln(w, strings.Repeat("-", 72))
	fmt.Fprintf(w, "%-9s %-11s %-26s %s\n", "AUTHORITY", "ROLE", "EMAIL", "NAME")
	for _, l := range logins {
		fmt.Fprintf(w, "%-9s %-11s %-26s %s\n", l.authority, l.role, l.email, l.name)
	}
	fmt.Fprintln(w, strings.Repeat("-", 72))
	fmt.Fprintln(w, `Try: curl -s -X POST localhost:8080/api/v1/auth/login -H 'Content-Type: application/json' \`)
	fmt.Fprintln(w, `       -d '{"email":"officer@kent-ts.example","password":"`+DemoPassword+`"}'`)
}
