package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
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
			Name:  "add",
			Usage: "add a user with a role in an authority; the password is read from the first line of stdin",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "authority", Required: true, Usage: "authority code"},
				&cli.StringFlag{Name: "email", Required: true},
				&cli.StringFlag{Name: "name", Required: true},
				&cli.StringFlag{Name: "role", Required: true, Usage: roleUsage},
			},
			Action: func(c *cli.Context) error {
				pw, err := readPassword(c.App.Reader)
				if err != nil {
					return err
				}
				app, ctx, err := openApp(c)
				if err != nil {
					return err
				}
				defer app.Close()
				u, created, err := app.Identity.AddUser(ctx, identity.NewUser{Email: c.String("email"), Name: c.String("name"),
					Password: pw, Authority: c.String("authority"), Roles: []principal.Role{principal.Role(c.String("role"))}})
				if err != nil {
					return err
				}
				verb := "added"
				if !created {
					verb = "already existed; role granted to"
				}
				fmt.Fprintf(c.App.Writer, "user %s %s (%s) as %s in %s\n", verb, u.User.Email, u.User.ID, c.String("role"),
					strings.ToUpper(c.String("authority")))
				return nil
			},
		}, {
			Name:  "grant",
			Usage: "give an existing user a role in an authority",
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
		}},
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
