package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/detect"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

func evidenceCommand() *cli.Command {
	return &cli.Command{
		Name:  "evidence",
		Usage: "add and verify exhibits",
		Subcommands: []*cli.Command{{
			Name:      "add",
			Usage:     "add files to a case as exhibits, acting as a user (scanner reports are parsed into findings)",
			ArgsUsage: "FILE…",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "case", Required: true, Usage: "case reference, e.g. KENT-TS-2026-000123"},
				&cli.StringFlag{Name: "as", Required: true, Usage: "email of the officer or supervisor adding the evidence"},
				&cli.StringFlag{Name: "authority", Usage: "authority to act in, when the user holds roles in several"},
				&cli.StringFlag{Name: "description", Required: true, Usage: "what the files are"},
				&cli.StringFlag{Name: "collected-by", Required: true, Usage: "who acquired the item"},
				&cli.TimestampFlag{Name: "collected-at", Layout: time.RFC3339, Usage: "when it was acquired (RFC 3339; default now)"},
				&cli.StringFlag{Name: "kind", Usage: "free-text kind, e.g. network_scan, photo"},
				&cli.StringFlag{Name: "power-used", Usage: "test_purchase, information_notice, seizure, voluntary or public_source"},
				&cli.BoolFlag{Name: "as-plain", Usage: "keep the files as plain exhibits without parsing them (no findings), e.g. a truncated report that is still evidence"},
				&cli.BoolFlag{Name: "quiet", Usage: "no progress bar"},
			},
			Action: addEvidence,
		}, {
			Name:      "verify",
			Usage:     "re-hash stored exhibits and record the result; exit 1 if any changed or is missing",
			ArgsUsage: "[EXHIBIT-ID…]",
			Flags:     []cli.Flag{&cli.BoolFlag{Name: "all", Usage: "verify every exhibit"}},
			Action:    verifyEvidence,
		}},
	}
}

func addEvidence(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.Exit("name at least one FILE to add", 2)
	}
	app, ctx, err := openApp(c)
	if err != nil {
		return err
	}
	defer app.Close()
	p, err := app.Identity.ActAs(ctx, c.String("as"), c.String("authority"))
	if err != nil {
		return err
	}
	ctx = principal.With(ctx, p)
	cs, err := app.Cases.ByReference(ctx, c.String("case"))
	if err != nil {
		return err
	}
	collectedAt := time.Now().UTC()
	if t := c.Timestamp("collected-at"); t != nil {
		collectedAt = *t
	}
	for _, name := range c.Args().Slice() {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		bar := progressbar.DefaultBytesSilent(info.Size(), "")
		if !c.Bool("quiet") {
			bar = progressbar.DefaultBytes(info.Size(), "storing "+filepath.Base(name))
		}
		reader := progressbar.NewReader(f, bar)
		staged, err := app.Evidence.Stage(ctx, &reader)
		f.Close()
		_ = bar.Finish()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		ex, sum, err := app.Evidence.Add(ctx, cs.ID, evidence.Upload{Filename: filepath.Base(name), Description: c.String("description"),
			CollectedBy: c.String("collected-by"), CollectedAt: collectedAt, Kind: c.String("kind"), PowerUsed: c.String("power-used"),
			AsPlain: c.Bool("as-plain")}, staged)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(c.App.Writer, "%s  %s  %d bytes  sha256 %s  format %s  findings %d (new %d, resolved %d)\n",
			ex.Ref, ex.Filename, ex.Size, ex.SHA256, ex.Format, sum.Parsed, sum.New, sum.Resolved)
	}
	return nil
}

func verifyEvidence(c *cli.Context) error {
	app, ctx, err := openApp(c)
	if err != nil {
		return err
	}
	defer app.Close()
	report := func(r evidence.VerifyResult) {
		state := "ok"
		switch {
		case r.Missing:
			state = "MISSING"
		case !r.OK:
			state = "CHANGED (now " + r.Actual + ")"
		}
		fmt.Fprintf(c.App.Writer, "%-40s %s  %s\n", r.Exhibit.Ref, r.Expected, state)
	}
	var checked, failed int
	switch {
	case c.Bool("all"):
		checked, failed, err = app.Evidence.VerifyAll(ctx, report)
		if err != nil {
			return err
		}
	case c.NArg() > 0:
		for _, id := range c.Args().Slice() {
			r, err := app.Evidence.VerifySystem(ctx, id)
			if err != nil {
				return err
			}
			report(r)
			checked++
			if !r.OK {
				failed++
			}
		}
	default:
		return cli.Exit("name exhibit ids, or --all", 2)
	}
	if failed > 0 {
		return cli.Exit(fmt.Sprintf("%d of %d exhibits FAILED verification", failed, checked), 1)
	}
	fmt.Fprintf(c.App.Writer, "%d exhibits verified: all intact\n", checked)
	return nil
}

func scanCommand() *cli.Command {
	return &cli.Command{
		Name:  "scan",
		Usage: "work with scanner reports",
		Subcommands: []*cli.Command{{
			Name:      "parse",
			Usage:     "parse a scanner report (format detected from content) and print its findings as JSON, with the requirements each evidences",
			ArgsUsage: "FILE",
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return cli.Exit("name one FILE", 2)
				}
				f, err := os.Open(c.Args().First())
				if err != nil {
					return err
				}
				defer f.Close()
				rep, err := detect.Parse(f)
				if err != nil {
					return cli.Exit(fmt.Sprintf("%s: %v", c.Args().First(), err), 1)
				}
				return printFindings(c, rep)
			},
		}, {
			Name: "coverage",
			Usage: "parse every scanner report under DIR and print, per format and severity, how many findings cite a " +
				"requirement, how many a rule reviewed as evidencing nothing, how many no rule covers, and which rules cited them",
			ArgsUsage: "DIR",
			Flags:     []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print the figures as JSON"}},
			Action:    scanCoverage,
		}},
	}
}

type parsedItem struct {
	scan.Item
	RequirementIDs []string `json:"requirement_ids"`
	RuleIDs        []string `json:"rule_ids"`
}

func printFindings(c *cli.Context, rep scan.Report) error {
	rules := evidence.DefaultRules()
	items := make([]parsedItem, len(rep.Items))
	for i, it := range rep.Items {
		reqs, ids := rules.Map(rep.Format, it)
		items[i] = parsedItem{Item: it, RequirementIDs: reqs, RuleIDs: ids}
	}
	rep.Items = nil
	out := struct {
		scan.Report
		Findings []parsedItem `json:"findings"`
	}{rep, items}
	enc := json.NewEncoder(c.App.Writer)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
