// Package grype parses Grype JSON reports (`grype -o json`) into one
// component_vulnerability item per match: the advisory id Grype matched on
// (a GHSA, OSV or distribution id is kept as ToolID, not rewritten to a
// CVE), the CVEs among it and its related vulnerabilities, Grype's
// severity, the best CVSS rating (the related NVD record's when the
// advisory has none) and the fixed versions.
//
// Matches are decoded one at a time, so a large report is never held whole.
// ignoredMatches are matches the scanning party suppressed (ignore rules or
// VEX); they are counted in Skipped, not turned into findings.
package grype

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/depvuln"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// Parse reads a whole Grype JSON report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a Grype JSON report and calls emit for each match. An error
// from emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	d := jsonguard.NewDecoder(r)
	rep := scan.Report{Format: scan.FormatGrype, Tool: "grype"}
	err := run(d, &rep, emit)
	if err != nil {
		return scan.Report{}, fmt.Errorf("grype: %w", err)
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
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "a Grype report is a JSON object")
	}
	sawMatches, ignored, distro := false, 0, ""
	err = d.Fields(func(k string) error {
		switch k {
		case "matches":
			sawMatches = true
			return d.Array(func() error {
				var m match
				if err := d.Value(&m); err != nil {
					return err
				}
				return emitMatch(rep, m, emit)
			})
		case "ignoredMatches":
			return d.Array(func() error {
				ignored++
				return d.Skip()
			})
		case "source":
			var s struct {
				Type   string
				Target json.RawMessage
			}
			if err := d.Value(&s); err != nil {
				return err
			}
			rep.Subject = &scan.Component{Type: scan.FieldString(s.Type), Name: sourceName(s.Target)}
			rep.Name = rep.Subject.Name
		case "distro":
			var s struct{ Name, Version string }
			if err := d.Value(&s); err != nil {
				return err
			}
			distro = scan.FieldString(strings.TrimSpace(s.Name + " " + s.Version))
		case "descriptor":
			var s struct{ Name, Version string }
			if err := d.Value(&s); err != nil {
				return err
			}
			if s.Name != "" {
				rep.Tool, rep.ToolVersion = scan.FieldString(s.Name), scan.FieldString(s.Version)
			}
		default:
			return d.Skip()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !sawMatches {
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "no matches array: not a Grype report")
	}
	if distro != "" && rep.Subject != nil {
		// The scanned image's operating system, as the host summary of
		// the target every finding is on.
		rep.AddHost(scan.Host{Address: rep.Subject.Name, OS: distro})
	}
	if ignored > 0 {
		rep.Skipped += ignored
		rep.Warn("%d ignored matches (suppressed by the scanning party's ignore rules or VEX) not turned into findings", ignored)
	}
	return d.End()
}

// sourceName is the scanned image or directory: target is an object with
// userInput for images, a plain string for directories and files.
func sourceName(target json.RawMessage) string {
	var s string
	if json.Unmarshal(target, &s) == nil {
		return scan.FieldString(s)
	}
	var o struct {
		UserInput string `json:"userInput"`
		Name      string `json:"name"`
	}
	if json.Unmarshal(target, &o) == nil {
		if o.UserInput != "" {
			return scan.FieldString(o.UserInput)
		}
		return scan.FieldString(o.Name)
	}
	return ""
}

type cvss struct {
	Source  string `json:"source"`
	Version string `json:"version"`
	Vector  string `json:"vector"`
	Metrics struct {
		BaseScore float64 `json:"baseScore"`
	} `json:"metrics"`
}

type vulnerability struct {
	ID          string `json:"id"`
	Namespace   string `json:"namespace"`
	Severity    string `json:"severity"`
	Description string `json:"description"`
	CVSS        []cvss `json:"cvss"`
	Fix         struct {
		Versions []string `json:"versions"`
		State    string   `json:"state"`
	} `json:"fix"`
}

type match struct {
	Vulnerability          vulnerability   `json:"vulnerability"`
	RelatedVulnerabilities []vulnerability `json:"relatedVulnerabilities"`
	Artifact               struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Type      string `json:"type"`
		PURL      string `json:"purl"`
		Locations []struct {
			Path string `json:"path"`
		} `json:"locations"`
	} `json:"artifact"`
}

func scores(cs []cvss, primary bool) []depvuln.Score {
	out := make([]depvuln.Score, 0, len(cs))
	for _, c := range cs {
		v := depvuln.VectorVersion(c.Vector)
		if v == 0 && c.Version != "" && c.Version[0] >= '2' && c.Version[0] <= '4' {
			v = int(c.Version[0] - '0')
		}
		out = append(out, depvuln.Score{Version: v, Score: c.Metrics.BaseScore, Vector: c.Vector, Primary: primary})
	}
	return out
}

func emitMatch(rep *scan.Report, m match, emit func(scan.Item) error) error {
	v := m.Vulnerability
	if strings.TrimSpace(v.ID) == "" {
		rep.Warn("match without vulnerability id skipped")
		rep.Skipped++
		return nil
	}
	a := m.Artifact
	dv := depvuln.Vuln{ID: v.ID, Severity: v.Severity, Description: v.Description, Fixed: v.Fix.Versions,
		Component: scan.ComponentRef{Name: a.Name, Version: a.Version, PURL: a.PURL}}
	if s := strings.ToLower(v.Fix.State); s == "wont-fix" || s == "not-fixed" {
		dv.State = s
	}
	if len(a.Locations) > 0 {
		dv.Where = a.Locations[0].Path
	}
	dv.Scores = scores(v.CVSS, true)
	for _, r := range m.RelatedVulnerabilities {
		dv.Aliases = append(dv.Aliases, r.ID)
		if len(v.CVSS) == 0 {
			// The advisory carries no rating of its own: use the related
			// (usually NVD) record's.
			dv.Scores = append(dv.Scores, scores(r.CVSS, false)...)
		}
		if dv.Description == "" {
			dv.Description = r.Description
		}
	}
	return emit(depvuln.Item(scan.FormatGrype, dv))
}
