package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/integrity"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

func auditCommand() *cli.Command {
	return &cli.Command{
		Name:        "audit",
		Usage:       "verify the tamper-evident audit log and the stored state it records; sign checkpoints for escrow",
		Subcommands: []*cli.Command{auditVerifyCommand(), auditCheckpointCommand(), auditBindKeyCommand()},
	}
}

func auditVerifyCommand() *cli.Command {
	return &cli.Command{
		Name: "verify",
		Usage: "re-compute the (keyed) hash chain and compare issued notices and exhibits with what it recorded; " +
			"exit 0 when everything verifies, 1 naming the first broken item",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "checkpoint", Usage: "a checkpoint file (from `audit checkpoint`) the log must still extend; repeatable"},
			&cli.BoolFlag{Name: "rehash", Value: true, Usage: "re-hash every evidence blob (--rehash=false only checks presence and size)"},
			&cli.BoolFlag{Name: "json", Usage: "print the full report as JSON"},
		},
		Action: func(c *cli.Context) error {
			cps, err := readCheckpoints(c.StringSlice("checkpoint"))
			if err != nil {
				return err
			}
			app, ctx, err := openAppWith(c, func(cfg *wiring.Config) { cfg.AuditKeyReadOnly = true })
			if err != nil {
				return err
			}
			defer app.Close()
			rep, err := app.Integrity.Check(ctx, integrity.Options{Checkpoints: cps, Rehash: c.Bool("rehash")})
			if err != nil {
				return err
			}
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			}
			if !rep.OK {
				return cli.Exit(describeFailure(rep), 1)
			}
			if !c.Bool("json") {
				printVerified(c.App.Writer, rep)
			}
			return nil
		},
	}
}

func readCheckpoints(paths []string) ([]audit.Checkpoint, error) {
	var out []audit.Checkpoint
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		cp, err := audit.ParseCheckpoint(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, cp)
	}
	return out, nil
}

func printVerified(w io.Writer, rep integrity.Report) {
	ch := rep.Chain
	fmt.Fprintf(w, "audit chain intact: %d entries, head %s\n", ch.Entries, ch.HeadHash)
	if ch.KeyedFrom > 0 {
		fmt.Fprintf(w, "keyed (HMAC-SHA-256) from entry %d with audit key %s\n", ch.KeyedFrom, ch.KeyID)
	} else {
		fmt.Fprintln(w, "not keyed: unkeyed SHA-256 chain only (no audit key has sealed this log yet)")
	}
	blobs := "blob presence and sizes checked"
	if rep.Rehashed {
		blobs = "blobs re-hashed"
	}
	fmt.Fprintf(w, "stored state matches the log: %d issued notices, %d exhibits (%s)\n", rep.IssuedNotices, rep.Exhibits, blobs)
	for _, cp := range ch.Checkpoints {
		fmt.Fprintf(w, "checkpoint of entry %d taken %s: the log extends it\n", cp.Seq, cp.TakenAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
}

// describeFailure names the first broken item, then lists the rest.
func describeFailure(rep integrity.Report) string {
	const shown = 20
	var b strings.Builder
	for i, p := range rep.Problems {
		if i == shown {
			fmt.Fprintf(&b, "\n… and %d more", len(rep.Problems)-shown)
			break
		}
		if i > 0 {
			b.WriteString("\n  also: ")
		}
		switch {
		case p.Check == integrity.CheckChain && p.EntryID != nil:
			fmt.Fprintf(&b, "audit chain BROKEN at entry %d: %s (%d entries read)", *p.EntryID, p.Reason, rep.Chain.Entries)
		case p.Check == integrity.CheckChain || p.Check == integrity.CheckCheckpoint:
			fmt.Fprintf(&b, "audit chain does not verify: %s", p.Reason)
		default:
			fmt.Fprintf(&b, "stored %s does not match the audit log: %s", p.ObjectType, p.Reason)
			if p.ObjectID != "" {
				fmt.Fprintf(&b, " [%s %s]", p.ObjectType, p.ObjectID)
			}
		}
	}
	return b.String()
}

func auditCheckpointCommand() *cli.Command {
	return &cli.Command{
		Name: "checkpoint",
		Usage: "verify the chain and print a signed checkpoint of its head for escrow (keep it outside this system; " +
			"`audit verify --checkpoint FILE` later proves the log still extends it)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "json", Usage: "json, or text (one line, for a ticket or an email)"},
			&cli.StringFlag{Name: "out", Usage: "write to this file (created, never overwritten) instead of stdout"},
		},
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != "json" && format != "text" {
				return cli.Exit("--format must be json or text", 2)
			}
			app, ctx, err := openApp(c)
			if err != nil {
				return err
			}
			defer app.Close()
			cp, err := app.Checkpoint(ctx)
			if err != nil {
				return err
			}
			out := cp.Text() + "\n"
			if format == "json" {
				b, _ := json.MarshalIndent(cp, "", "  ")
				out = string(b) + "\n"
			}
			if path := c.String("out"); path != "" {
				f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
				if err != nil {
					return err
				}
				if _, err := f.WriteString(out); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
				fmt.Fprintf(c.App.ErrWriter, "checkpoint of entry %d written to %s\n", cp.Seq, path)
				return nil
			}
			_, err = io.WriteString(c.App.Writer, out)
			return err
		},
	}
}

func auditBindKeyCommand() *cli.Command {
	return &cli.Command{
		Name: "bind-key",
		Usage: "begin the keyed chain with the existing key file on a database whose log is still unkeyed " +
			"(a database from an earlier release, when the key was provisioned beforehand); the unkeyed chain must verify",
		Action: func(c *cli.Context) error {
			app, ctx, err := openAppWith(c, func(cfg *wiring.Config) { cfg.AuditKeyReadOnly = true })
			if err != nil {
				return err
			}
			defer app.Close()
			started, err := app.BindAuditKeyToUnkeyedLog(ctx)
			if err != nil {
				return err
			}
			if !started {
				fmt.Fprintf(c.App.Writer, "the audit log is already sealed with key %s\n", app.AuditKey.ID())
				return nil
			}
			fmt.Fprintf(c.App.Writer, "the audit log is keyed from now on with key %s\n", app.AuditKey.ID())
			return nil
		},
	}
}
