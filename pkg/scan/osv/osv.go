// Package osv parses OSV-Scanner JSON reports (`osv-scanner --format json`)
// into one component_vulnerability item per (alias group, package, source
// file). OSV-Scanner lists every advisory record it matched, and the GHSA,
// RUSTSEC and CVE records of one flaw are grouped: a group is one finding,
// its first id the ToolID and the others kept as CVEs or Aliases.
//
// Severity comes from the group's max_severity (a CVSS score) or, for
// reports without it, from the records' CVSS vectors, computed here; the
// advisory database's own word (GHSA "MODERATE") is used only when there
// is no vector. Packages are decoded one at a time.
package osv

import (
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/depvuln"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// Parse reads a whole OSV-Scanner JSON report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads an OSV-Scanner JSON report and calls emit for each finding.
// An error from emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	d := jsonguard.NewDecoder(r)
	rep := scan.Report{Format: scan.FormatOSV, Tool: "osv-scanner"}
	if err := run(d, &rep, emit); err != nil {
		return scan.Report{}, fmt.Errorf("osv: %w", err)
	}
	rep.Finish()
	return rep, nil
}

func run(d *jsonguard.Decoder, rep *scan.Report, emit func(scan.Item) error) error {
	delim, err := d.Begin()
	if err != nil {
		return err
	}
	if delim != '{' {
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "an OSV-Scanner report is a JSON object")
	}
	saw := false
	err = d.Fields(func(k string) error {
		if k != "results" {
			return d.Skip()
		}
		saw = true
		return d.Array(func() error { return result(d, rep, emit) })
	})
	if err != nil {
		return err
	}
	if !saw {
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "no results array: not an OSV-Scanner report")
	}
	return d.End()
}

func result(d *jsonguard.Decoder, rep *scan.Report, emit func(scan.Item) error) error {
	var source string
	return d.Object(func(k string) error {
		switch k {
		case "source":
			var s struct{ Path string }
			if err := d.Value(&s); err != nil {
				return err
			}
			source = scan.FieldString(s.Path)
			if rep.Subject == nil && source != "" {
				// The scanned project, named by the first source's
				// directory, is the target its findings are on (so a
				// re-scan of another project resolves none of them).
				rep.Subject = &scan.Component{Type: "source", Name: path.Dir(source)}
			}
		case "packages":
			return d.Array(func() error {
				var p pkg
				if err := d.Value(&p); err != nil {
					return err
				}
				return emitPackage(rep, source, p, emit)
			})
		default:
			return d.Skip()
		}
		return nil
	})
}

type severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type record struct {
	ID       string     `json:"id"`
	Aliases  []string   `json:"aliases"`
	Summary  string     `json:"summary"`
	Details  string     `json:"details"`
	Severity []severity `json:"severity"`
	Affected []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Events []struct {
				Fixed string `json:"fixed"`
			} `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
	DatabaseSpecific struct {
		Severity string   `json:"severity"`
		CWEIDs   []string `json:"cwe_ids"`
	} `json:"database_specific"`
}

type group struct {
	IDs         []string `json:"ids"`
	Aliases     []string `json:"aliases"`
	MaxSeverity string   `json:"max_severity"`
}

type pkg struct {
	Package struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Ecosystem string `json:"ecosystem"`
		Commit    string `json:"commit"`
	} `json:"package"`
	Vulnerabilities []record `json:"vulnerabilities"`
	Groups          []group  `json:"groups"`
}

func emitPackage(rep *scan.Report, source string, p pkg, emit func(scan.Item) error) error {
	byID := make(map[string]*record, len(p.Vulnerabilities))
	for i := range p.Vulnerabilities {
		byID[p.Vulnerabilities[i].ID] = &p.Vulnerabilities[i]
	}
	groups := p.Groups
	if len(groups) == 0 {
		// Reports before grouping: each record is its own finding.
		for _, v := range p.Vulnerabilities {
			groups = append(groups, group{IDs: []string{v.ID}})
		}
	}
	version := p.Package.Version
	if version == "" {
		version = p.Package.Commit
	}
	comp := scan.ComponentRef{Name: p.Package.Name, Version: version, PURL: purl(p.Package.Ecosystem, p.Package.Name, p.Package.Version)}
	for _, g := range groups {
		ids := slices.DeleteFunc(slices.Clone(g.IDs), func(s string) bool { return strings.TrimSpace(s) == "" })
		if len(ids) == 0 {
			rep.Warn("group without ids for %s skipped", scan.FieldString(p.Package.Name))
			rep.Skipped++
			continue
		}
		dv := depvuln.Vuln{ID: ids[0], Aliases: append(ids[1:], g.Aliases...), Component: comp, Where: source}
		if s, err := strconv.ParseFloat(strings.TrimSpace(g.MaxSeverity), 64); err == nil && s > 0 && s <= 10 {
			dv.Scores = append(dv.Scores, depvuln.Score{Version: 3, Score: s, Primary: true})
		}
		word := ""
		for _, id := range ids {
			v, ok := byID[id]
			if !ok {
				continue
			}
			dv.Aliases = append(dv.Aliases, v.Aliases...)
			if dv.Title == "" {
				dv.Title, dv.Description = v.Summary, v.Details
			}
			for _, s := range v.Severity {
				if sc, ok := depvuln.ScoreVector(s.Score); ok {
					dv.Scores = append(dv.Scores, sc)
				}
			}
			if word == "" {
				word = v.DatabaseSpecific.Severity
			}
			dv.CWEs = append(dv.CWEs, v.DatabaseSpecific.CWEIDs...)
			dv.Fixed = append(dv.Fixed, fixed(*v, p.Package.Name)...)
		}
		if len(dv.Scores) == 0 {
			dv.Severity = word
		}
		it := depvuln.Item(scan.FormatOSV, dv)
		if len(dv.Scores) > 0 {
			// The worst rating of the group decides, as max_severity does.
			it.CVSS, it.CVSSVector = worst(dv.Scores)
			it.Severity = scan.SeverityFromCVSS(it.CVSS)
		}
		if err := emit(it); err != nil {
			return err
		}
	}
	return nil
}

// worst returns the highest score and a vector that gives it (when a
// record carries one).
func worst(ss []depvuln.Score) (float64, string) {
	m, vec := 0.0, ""
	for _, s := range ss {
		if s.Score > m || (s.Score == m && vec == "") {
			m = s.Score
			vec = s.Vector
		}
	}
	return m, scan.FieldString(vec)
}

// fixed lists the versions that fix the record for the named package.
func fixed(v record, name string) []string {
	var out []string
	for _, a := range v.Affected {
		if a.Package.Name != name {
			continue
		}
		for _, r := range a.Ranges {
			for _, e := range r.Events {
				if e.Fixed != "" {
					out = append(out, e.Fixed)
				}
			}
		}
	}
	return out
}

// purl builds a package URL for the ecosystems whose purl type is plain.
func purl(ecosystem, name, version string) string {
	t := map[string]string{"Go": "golang", "npm": "npm", "PyPI": "pypi", "crates.io": "cargo", "Maven": "maven",
		"RubyGems": "gem", "NuGet": "nuget", "Packagist": "composer", "Pub": "pub", "Hex": "hex"}[ecosystem]
	if t == "" || name == "" || version == "" {
		return ""
	}
	if t == "maven" {
		name = strings.Replace(name, ":", "/", 1)
	}
	return "pkg:" + t + "/" + name + "@" + version
}
