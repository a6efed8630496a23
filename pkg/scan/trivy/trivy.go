// Package trivy parses Trivy JSON reports (`trivy … --format json`, schema
// version 2, and the bare results array older releases wrote) into one
// component_vulnerability item per (vulnerability, package, target), plus a
// vulnerability item per failed misconfiguration check and per secret.
//
// The report is streamed: each vulnerability is decoded and emitted on its
// own, so a large image scan is never held whole.
package trivy

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/depvuln"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// Parse reads a whole Trivy JSON report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a Trivy JSON report and calls emit for each item. An error
// from emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	p := &parser{d: jsonguard.NewDecoder(r), emit: emit, rep: scan.Report{Format: scan.FormatTrivy, Tool: "Trivy"}}
	if err := p.run(); err != nil {
		return scan.Report{}, fmt.Errorf("trivy: %w", err)
	}
	p.rep.Finish()
	return p.rep, nil
}

type parser struct {
	d    *jsonguard.Decoder
	emit func(scan.Item) error
	rep  scan.Report
	seen bool // a Results array was read
}

func (p *parser) run() error {
	delim, err := p.d.Begin()
	if err != nil {
		return err
	}
	if delim == '[' {
		// Trivy before 0.20 wrote the results array alone.
		p.seen = true
		if err := p.results(true); err != nil {
			return err
		}
		return p.d.End()
	}
	err = p.d.Fields(func(k string) error {
		switch k {
		case "SchemaVersion":
			var v json.RawMessage
			if err := p.d.Value(&v); err != nil {
				return err
			}
			if string(v) != "2" {
				p.rep.Warn("SchemaVersion %s is not the supported 2; parsed anyway", scan.FieldString(string(v)))
			}
		case "Trivy":
			var v struct{ Version string }
			if err := p.d.Value(&v); err != nil {
				return err
			}
			p.rep.ToolVersion = scan.FieldString(v.Version)
		case "CreatedAt":
			var s string
			if err := p.d.Value(&s); err != nil {
				return err
			}
			p.rep.Start, _ = time.Parse(time.RFC3339Nano, s)
		case "ArtifactName":
			var s string
			if err := p.d.Value(&s); err != nil {
				return err
			}
			p.subject().Name = scan.FieldString(s)
			p.rep.Name = p.subject().Name
		case "ArtifactType":
			var s string
			if err := p.d.Value(&s); err != nil {
				return err
			}
			p.subject().Type = scan.FieldString(s)
		case "Metadata":
			var m struct {
				OS *struct{ Family, Name string }
			}
			if err := p.d.Value(&m); err != nil {
				return err
			}
			if m.OS != nil && m.OS.Family != "" {
				p.rep.AddHost(scan.Host{Address: p.subject().Name, OS: scan.FieldString(m.OS.Family + " " + m.OS.Name)})
			}
		case "Results":
			p.seen = true
			return p.results(false)
		default:
			return p.d.Skip()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !p.seen && p.rep.Subject == nil {
		return scan.Malformedf(scan.Position{Offset: p.d.Offset()}, "no Results and no ArtifactName: not a Trivy report")
	}
	return p.d.End()
}

func (p *parser) subject() *scan.Component {
	if p.rep.Subject == nil {
		p.rep.Subject = &scan.Component{}
	}
	return p.rep.Subject
}

// results reads the Results array; open says its '[' was already read.
func (p *parser) results(open bool) error {
	each := func() error { return p.d.Object(p.result()) }
	if !open {
		return p.d.Array(each)
	}
	for p.d.More() {
		if err := each(); err != nil {
			return err
		}
	}
	return p.d.Expect(']')
}

func (p *parser) result() func(string) error {
	var target string
	return func(k string) error {
		switch k {
		case "Target":
			if err := p.d.Value(&target); err != nil {
				return err
			}
			target = scan.FieldString(target)
		case "Vulnerabilities":
			return p.d.Array(func() error {
				var v vulnerability
				if err := p.d.Value(&v); err != nil {
					return err
				}
				return p.emitVuln(target, v)
			})
		case "Misconfigurations":
			return p.d.Array(func() error {
				var m misconfiguration
				if err := p.d.Value(&m); err != nil {
					return err
				}
				return p.emitMisconfig(target, m)
			})
		case "Secrets":
			return p.d.Array(func() error {
				var s secret
				if err := p.d.Value(&s); err != nil {
					return err
				}
				return p.emitSecret(target, s)
			})
		default:
			return p.d.Skip()
		}
		return nil
	}
}

type cvss struct {
	V2Vector  string
	V3Vector  string
	V40Vector string
	V2Score   float64
	V3Score   float64
	V40Score  float64
}

type vulnerability struct {
	VulnerabilityID string
	VendorIDs       []string
	PkgName         string
	PkgPath         string
	PkgIdentifier   struct {
		PURL string
		UID  string
	}
	InstalledVersion string
	FixedVersion     string
	Status           string
	SeveritySource   string
	Title            string
	Description      string
	Severity         string
	CweIDs           []string
	CVSS             map[string]cvss
}

func (p *parser) emitVuln(target string, v vulnerability) error {
	if strings.TrimSpace(v.VulnerabilityID) == "" {
		p.rep.Warn("vulnerability without VulnerabilityID in %s skipped", target)
		p.rep.Skipped++
		return nil
	}
	dv := depvuln.Vuln{ID: v.VulnerabilityID, Aliases: v.VendorIDs, Severity: v.Severity, CWEs: v.CweIDs, Title: v.Title,
		Description: v.Description, State: state(v.Status), Where: target,
		Component: scan.ComponentRef{Name: v.PkgName, Version: v.InstalledVersion, PURL: v.PkgIdentifier.PURL}}
	for _, f := range strings.Split(v.FixedVersion, ",") {
		if f = strings.TrimSpace(f); f != "" {
			dv.Fixed = append(dv.Fixed, f)
		}
	}
	// Sources in a fixed order, so equal ratings always pick the same vector.
	for _, src := range slices.Sorted(maps.Keys(v.CVSS)) {
		c := v.CVSS[src]
		primary := src == v.SeveritySource || (v.SeveritySource == "" && src == "nvd")
		dv.Scores = append(dv.Scores,
			depvuln.Score{Version: 3, Score: c.V3Score, Vector: c.V3Vector, Primary: primary},
			depvuln.Score{Version: 4, Score: c.V40Score, Vector: c.V40Vector, Primary: primary},
			depvuln.Score{Version: 2, Score: c.V2Score, Vector: c.V2Vector, Primary: primary})
	}
	return p.emit(depvuln.Item(scan.FormatTrivy, dv))
}

type misconfiguration struct {
	Type        string
	ID          string
	AVDID       string
	Title       string
	Description string
	Message     string
	Resolution  string
	Severity    string
	Status      string
}

func (p *parser) emitMisconfig(target string, m misconfiguration) error {
	if !strings.EqualFold(m.Status, "FAIL") {
		p.rep.Skipped++ // passed and exception checks are not findings
		return nil
	}
	id := scan.FieldString(strings.TrimSpace(m.ID))
	if id == "" {
		id = scan.FieldString(strings.TrimSpace(m.AVDID))
	}
	if id == "" {
		p.rep.Warn("misconfiguration without ID in %s skipped", target)
		p.rep.Skipped++
		return nil
	}
	it := scan.Item{Kind: scan.KindVulnerability, ToolID: id, Family: scan.FieldString(m.Type), Severity: depvuln.Severity(m.Severity),
		Summary: scan.FieldString(m.Description)}
	it.Title, _ = scan.Clip(strings.TrimSpace(m.Title+" ("+target+")"), scan.MaxField)
	if strings.TrimSpace(m.Title) == "" {
		it.Title, _ = scan.Clip(id+" ("+target+")", scan.MaxField)
	}
	it.Output, it.OutputTruncated = scan.Output(strings.TrimSpace(m.Message + "\n" + m.Resolution))
	it.Key = scan.Key(scan.FormatTrivy, "misconfig", id, target)
	return p.emit(it)
}

type secret struct {
	RuleID    string
	Category  string
	Severity  string
	Title     string
	StartLine int
	Match     string
}

// emitSecret keeps a secret Trivy found in the artefact (a hard-coded key or
// password). Trivy masks the value in Match; the item keeps what it printed.
func (p *parser) emitSecret(target string, s secret) error {
	id := scan.FieldString(strings.TrimSpace(s.RuleID))
	if id == "" {
		p.rep.Warn("secret without RuleID in %s skipped", target)
		p.rep.Skipped++
		return nil
	}
	it := scan.Item{Kind: scan.KindVulnerability, ToolID: "secret:" + id, Family: "secret", Severity: depvuln.Severity(s.Severity)}
	it.Title, _ = scan.Clip(fmt.Sprintf("Secret: %s in %s", strings.TrimSpace(s.Title), target), scan.MaxField)
	it.Output, it.OutputTruncated = scan.Output(fmt.Sprintf("%s line %d: %s", target, s.StartLine, s.Match))
	it.Key = scan.Key(scan.FormatTrivy, "secret", id, target, fmt.Sprint(s.StartLine))
	return p.emit(it)
}

// state keeps the Trivy statuses that say something about the finding
// itself (not_affected from a VEX, will_not_fix, end_of_life...). "fixed"
// only means a fixed version exists, which FixedVersions records; reading it
// as a VEX "fixed" would dismiss a live vulnerability.
func state(status string) string {
	switch s := strings.ToLower(strings.TrimSpace(status)); s {
	case "", "fixed", "affected", "unknown":
		return ""
	default:
		return s
	}
}
