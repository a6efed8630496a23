package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func noticeCommand() *cli.Command {
	return &cli.Command{
		Name:  "notice",
		Usage: "work with enforcement notices",
		Subcommands: []*cli.Command{{
			Name:  "render",
			Usage: "write an issued notice's PDF (the exact issued bytes) to a file",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "id", Required: true, Usage: "notice id or reference, e.g. KENT-TS-CN-2026-0001"},
				&cli.StringFlag{Name: "out", Required: true, Usage: "file to write"},
			},
			Action: func(c *cli.Context) error {
				app, ctx, err := openApp(c)
				if err != nil {
					return err
				}
				defer app.Close()
				n, pdf, err := app.Notices.IssuedPDF(ctx, c.String("id"))
				if err != nil {
					return err
				}
				if err := os.WriteFile(c.String("out"), pdf, 0o640); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "%s written to %s (%d bytes, sha256 %s, verification code %s)\n",
					n.Reference, c.String("out"), len(pdf), n.SHA256, n.Verification)
				return nil
			},
		}},
	}
}
