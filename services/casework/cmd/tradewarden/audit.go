package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
)

func auditCommand() *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "inspect the tamper-evident audit log",
		Subcommands: []*cli.Command{{
			Name:  "verify",
			Usage: "re-compute the hash chain; exit 0 when intact, 1 naming the first broken entry",
			Action: func(c *cli.Context) error {
				app, ctx, err := openApp(c)
				if err != nil {
					return err
				}
				defer app.Close()
				res, err := audit.Verify(ctx, app.Audit)
				if err != nil {
					return err
				}
				if !res.OK {
					return cli.Exit(fmt.Sprintf("audit chain BROKEN at entry %d: %s (%d entries read)", *res.FirstBad, res.Reason, res.Entries), 1)
				}
				_, head, err := app.Audit.Head(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "audit chain intact: %d entries, head %s\n", res.Entries, head)
				return nil
			},
		}},
	}
}
