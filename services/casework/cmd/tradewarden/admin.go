package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

func authorityCommand() *cli.Command {
	return &cli.Command{
		Name:  "authority",
		Usage: "manage enforcement authorities (tenants)",
		Subcommands: []*cli.Command{{
			Name:  "add",
			Usage: "add an authority, e.g. --code KENT-TS --name \"Kent County Council Trading Standards\"",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "code", Required: true, Usage: "short upper-case code, e.g. OPSS or KENT-TS"},
				&cli.StringFlag{Name: "name", Required: true, Usage: "full name"},
				&cli.BoolFlag{Name: "national", Usage: "the national regulator (its analysts may report across authorities)"},
			},
			Action: func(c *cli.Context) error {
				app, ctx, err := openApp(c)
				if err != nil {
					return err
				}
				defer app.Close()
				a, err := app.Identity.AddAuthority(ctx, identity.NewAuthority{Code: c.String("code"), Name: c.String("name"),
					National: c.Bool("national")})
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "authority %s added (%s)\n", a.Code, a.ID)
				return nil
			},
		}, {
			Name:  "list",
			Usage: "list authorities",
			Action: func(c *cli.Context) error {
				app, ctx, err := openApp(c)
				if err != nil {
					return err
				}
				defer app.Close()
				as, err := app.Identity.Authorities(ctx)
				if err != nil {
					return err
				}
				for _, a := range as {
					national := ""
					if a.National {
						national = " (national)"
					}
					fmt.Fprintf(c.App.Writer, "%-12s %s%s\n", a.Code, a.Name, national)
				}
				return nil
			},
		}},
	}
}

var roleUsage = "officer, supervisor, analyst or admin"

func userCommand() *cli.Command {
	grantFlags := []cli.Flag{
		&cli.StringFlag{Name: "email", Required: true},
		&cli.StringFlag{Name: "authority", Required: true, Usage: "authority code"},
		&cli.StringFlag{Name: "role", Required: true, Usage: roleUsage},
	}
	return &cli.Command{
		Name:  "user",
		Usage: "manage users and their roles",
		Subcommands: []*cli.Command{{
			Name: "add",
			Usage: "create an account with a role in an authority (the operator's way in, e.g. an authority's first admin); " +
				"the password is read from the first line of stdin. An email that already has an account is refused: " +
				"use `user grant`, which never touches their password",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "authority", Required: true, Usage: "authority code"},
				&cli.StringFlag{Name: "email", Required: true},
				&cli.StringFlag{Name: "name", Required: true},
				&cli.StringFlag{Name: "role", Required: true, Usage: roleUsage},
				&cli.BoolFlag{Name: "must-change-password", Usage: "make the first login change the password"},
			},
			Action: withPassword(func(c *cli.Context, app *wiring.App, ctx context.Context, pw string) error {
				u, err := app.Identity.AddUser(ctx, identity.NewUser{Email: c.String("email"), Name: c.String("name"),
					Password: pw, Authority: c.String("authority"), Roles: []principal.Role{principal.Role(c.String("role"))},
					MustChangePassword: c.Bool("must-change-password")})
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "user added %s (%s) as %s in %s\n", u.User.Email, u.User.ID, c.String("role"),
					strings.ToUpper(c.String("authority")))
				return nil
			}),
		}, {
			Name: "grant",
			Usage: "give an existing user a role in an authority at once (operators only: admins invite through the API); " +
				"audited in that authority as this operating-system user",
			Flags: grantFlags,
			Action: func(c *cli.Context) error {
				app, ctx, err := openApp(c)
				if err != nil {
					return err
				}
				defer app.Close()
				g, err := app.Identity.Grant(ctx, c.String("email"), c.String("authority"), principal.Role(c.String("role")))
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "granted %s in %s to %s\n", g.Role, g.AuthorityCode, c.String("email"))
				return nil
			},
		}, {
			Name:  "revoke",
			Usage: "remove a role from a user in an authority",
			Flags: grantFlags,
			Action: func(c *cli.Context) error {
				app, ctx, err := openApp(c)
				if err != nil {
					return err
				}
				defer app.Close()
				if err := app.Identity.Revoke(ctx, c.String("email"), c.String("authority"), principal.Role(c.String("role"))); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "revoked %s in %s from %s\n", c.String("role"), strings.ToUpper(c.String("authority")), c.String("email"))
				return nil
			},
		}, {
			Name: "reset-password",
			Usage: "set a temporary password (first line of stdin) that the user must change at their next login; " +
				"ends all their sessions",
			Flags: []cli.Flag{&cli.StringFlag{Name: "email", Required: true}},
			Action: withPassword(func(c *cli.Context, app *wiring.App, ctx context.Context, pw string) error {
				if err := app.Identity.OperatorResetPassword(ctx, c.String("email"), pw); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "password reset for %s: they must change it at their next login\n", c.String("email"))
				return nil
			}),
		}},
	}
}

// withPassword reads the password from stdin, then opens the application
// for fn (closing it after).
func withPassword(fn func(c *cli.Context, app *wiring.App, ctx context.Context, pw string) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		pw, err := readPassword(c.App.Reader)
		if err != nil {
			return err
		}
		app, ctx, err := openApp(c)
		if err != nil {
			return err
		}
		defer app.Close()
		return fn(c, app, ctx, pw)
	}
}

// readPassword reads the first line of r (without its line ending).
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on stdin: pipe it in, e.g. `printf '%s\\n' \"$PW\" | tradewarden user add …`")
	}
	return line, nil
}
