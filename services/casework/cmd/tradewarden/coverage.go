package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/pkg/scan/detect"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
)

// coverageReport is what `scan coverage` prints.
type coverageReport struct {
	Dir     string             `json:"dir"`
	Reports int                `json:"reports"`
	Skipped []string           `json:"skipped,omitempty"` // files that are not scanner reports, with why
	Cov     *evidence.Coverage `json:"coverage"`
}

// notReports are the files a corpus keeps beside its reports.
func notReport(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	return strings.HasSuffix(base, ".golden.json") || strings.HasSuffix(base, ".md") || strings.HasSuffix(base, ".tsv") ||
		strings.HasSuffix(base, ".jsonl") || strings.HasPrefix(base, "license") || strings.HasPrefix(base, "readme") ||
		strings.HasPrefix(base, ".")
}

func scanCoverage(c *cli.Context) error {
	if c.NArg() != 1 {
		return cli.Exit("name one DIR", 2)
	}
	rep := coverageReport{Dir: c.Args().First(), Cov: &evidence.Coverage{}}
	rules := evidence.DefaultRules()
	err := filepath.WalkDir(rep.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "fuzz" || d.Name() == "hostile" {
				return filepath.SkipDir
			}
			return nil
		}
		if notReport(path) {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r, err := detect.Parse(f)
		if err != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s: %v", path, err))
			return nil
		}
		rep.Reports++
		rel, _ := filepath.Rel(rep.Dir, path)
		for _, it := range r.Items {
			rep.Cov.Add(rules, r.Format, rel, it)
		}
		return nil
	})
	if err != nil {
		return cli.Exit(fmt.Sprintf("read %s: %v", rep.Dir, err), 1)
	}
	rep.Cov.Sort()
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printCoverage(c, rep)
	return nil
}

func printCoverage(c *cli.Context, rep coverageReport) {
	w := tabwriter.NewWriter(c.App.Writer, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(c.App.Writer, "%d reports under %s (%d files skipped)\n\n", rep.Reports, rep.Dir, len(rep.Skipped))
	fmt.Fprintln(w, "format\tseverity\tfindings\tcite a requirement\tno requirement (reviewed)\tunmapped\tshare citing\t")
	for _, r := range rep.Cov.Rows {
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\t%.3f\t\n", r.Format, r.Severity, r.Findings, r.Cited, r.NoRequirement,
			r.Unmapped, r.Share())
	}
	s := rep.Cov.Serious
	fmt.Fprintf(w, "medium or worse\t\t%d\t%d\t%d\t%d\t%.3f\t\n", s.Findings, s.Cited, s.NoRequirement, s.Unmapped, s.Share())
	_ = w.Flush()
	fmt.Fprintln(c.App.Writer, "\nrule\tfindings")
	ids := make([]string, 0, len(rep.Cov.Rules))
	for id := range rep.Cov.Rules {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return rep.Cov.Rules[b] - rep.Cov.Rules[a] })
	for _, id := range ids {
		fmt.Fprintf(c.App.Writer, "%s\t%d\n", id, rep.Cov.Rules[id])
	}
	if len(rep.Cov.Unmapped) > 0 {
		fmt.Fprintln(c.App.Writer, "\nmedium-or-worse findings citing nothing:")
		for _, m := range rep.Cov.Unmapped {
			fmt.Fprintf(c.App.Writer, "  %s %s %s: %s\n", m.Format, m.File, m.ToolID, m.Title)
		}
	}
}
