// Package depvuln builds the component_vulnerability items the dependency
// scanners (Trivy, Grype, OSV-Scanner, SPDX with vulnerabilities) report,
// so that every format fills the same fields the same way: the advisory id
// as ToolID, CVE ids (the id itself or its aliases) in CVEs, the other ids
// in Aliases, the best CVSS score, the fixed versions and the component.
package depvuln

import (
	"strconv"
	"strings"

	cvss20 "github.com/pandatix/go-cvss/20"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// Score is one CVSS rating of a vulnerability.
type Score struct {
	// Version is the CVSS major version: 2, 3 or 4 (0 when unknown).
	Version int
	Score   float64
	Vector  string
	// Primary marks the rating of the source the tool itself preferred
	// (Trivy's SeveritySource, the NVD).
	Primary bool
}

// Vuln is one (vulnerability, component) pair as a format reports it.
type Vuln struct {
	ID      string
	Aliases []string
	// Severity is the tool's own word ("HIGH", "Medium", "moderate"...).
	Severity string
	Scores   []Score
	CWEs     []string
	Title    string
	// Description is the advisory text, kept as the item's output.
	Description string
	Component   scan.ComponentRef
	Fixed       []string
	// State is a VEX or fix state the tool reports, kept as Item.State.
	State string
	// Where is the file or target the package was found in (a lock file,
	// an image layer); it is part of the key so the same package found in
	// two lock files stays two findings.
	Where string
}

// Item turns v into a scan item of format f.
func Item(f scan.Format, v Vuln) scan.Item {
	id := scan.FieldString(strings.TrimSpace(v.ID))
	it := scan.Item{Kind: scan.KindComponentVulnerability, ToolID: id, State: scan.FieldString(v.State)}
	for _, a := range append([]string{id}, v.Aliases...) {
		a = scan.FieldString(strings.TrimSpace(a))
		if cve, ok := scan.NormalizeCVE(a); ok {
			it.CVEs = scan.AppendUnique(it.CVEs, cve)
		} else if a != id {
			it.Aliases = scan.AppendUnique(it.Aliases, a)
		}
	}
	for _, c := range v.CWEs {
		if cwe, ok := NormalizeCWE(c); ok {
			it.CWEs = scan.AppendUnique(it.CWEs, cwe)
		}
	}
	for _, fx := range v.Fixed {
		it.FixedVersions = scan.AppendUnique(it.FixedVersions, scan.FieldString(strings.TrimSpace(fx)))
	}
	if s, ok := Best(v.Scores); ok {
		it.CVSS, it.CVSSVector = s.Score, scan.FieldString(s.Vector)
	}
	it.Severity = Severity(v.Severity)
	if it.Severity == scan.SeverityUnknown && it.CVSS > 0 {
		it.Severity = scan.SeverityFromCVSS(it.CVSS)
	}
	c := v.Component
	c.Name, c.Version, c.PURL, c.BOMRef = scan.FieldString(c.Name), scan.FieldString(c.Version), scan.FieldString(c.PURL), scan.FieldString(c.BOMRef)
	if c != (scan.ComponentRef{}) {
		it.Component = &c
	}
	it.Product, it.Version = c.Name, c.Version
	it.Summary = scan.FieldString(strings.TrimSpace(v.Title))
	it.Output, it.OutputTruncated = scan.Output(strings.TrimSpace(v.Description))
	title := id
	if name := strings.TrimSpace(c.Name + " " + c.Version); name != "" {
		title += " in " + name
	}
	it.Title, _ = scan.Clip(title, scan.MaxField)
	it.Key = scan.Key(f, id, Identity(c), v.Where)
	return it
}

// Identity names a component the same way across regenerated reports:
// purl first, then name@version.
func Identity(c scan.ComponentRef) string {
	switch {
	case c.PURL != "":
		return c.PURL
	case c.Name != "":
		return c.Name + "@" + c.Version
	}
	return c.BOMRef
}

// Severity maps a dependency scanner's severity word onto scan.Severity.
// Grype's "Negligible" is informational: a regulator must not read it as
// a low-risk defect.
func Severity(word string) scan.Severity {
	w := strings.ToLower(strings.TrimSpace(word))
	if w == "negligible" {
		return scan.SeverityInfo
	}
	s, _ := scan.SeverityFromLevel(w)
	return s
}

// Best picks the rating to show: the tool's primary source first, then
// CVSS v3 over v4 over v2 (thresholds are written for v3), then the
// highest score among equals.
func Best(scores []Score) (Score, bool) {
	var best Score
	found := false
	rank := func(s Score) int {
		r := 0
		switch s.Version {
		case 3:
			r = 3
		case 4:
			r = 2
		case 2:
			r = 1
		}
		if s.Primary {
			r += 10
		}
		return r
	}
	for _, s := range scores {
		if s.Score <= 0 || s.Score > 10 {
			continue
		}
		if !found || rank(s) > rank(best) || (rank(s) == rank(best) && s.Score > best.Score) {
			best, found = s, true
		}
	}
	return best, found
}

// VectorVersion reads the CVSS major version from a vector string
// ("CVSS:3.1/…" is 3, "CVSS:4.0/…" is 4, a bare "AV:N/…" is 2).
func VectorVersion(vector string) int {
	v := strings.TrimSpace(vector)
	switch {
	case strings.HasPrefix(v, "CVSS:3"):
		return 3
	case strings.HasPrefix(v, "CVSS:4"):
		return 4
	case strings.HasPrefix(v, "AV:") || strings.HasPrefix(v, "(AV:"):
		return 2
	}
	return 0
}

// NormalizeCWE returns "CWE-n" for "CWE-n", "cwe-n" or "n".
func NormalizeCWE(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 4 && strings.EqualFold(s[:4], "CWE-") {
		s = s[4:]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return "", false
	}
	return "CWE-" + strconv.Itoa(n), true
}

// ScoreVector computes the base score of a CVSS v2, v3.0, v3.1 or v4.0
// vector (OSV and SPDX records carry vectors without scores). ok is false
// for anything the calculator does not accept.
func ScoreVector(vector string) (Score, bool) {
	v := strings.TrimSpace(vector)
	if len(v) > 256 {
		return Score{}, false
	}
	var score float64
	switch {
	case strings.HasPrefix(v, "CVSS:3.1/"):
		c, err := cvss31.ParseVector(v)
		if err != nil {
			return Score{}, false
		}
		score = c.BaseScore()
	case strings.HasPrefix(v, "CVSS:3.0/"):
		c, err := cvss30.ParseVector(v)
		if err != nil {
			return Score{}, false
		}
		score = c.BaseScore()
	case strings.HasPrefix(v, "CVSS:4.0/"):
		c, err := cvss40.ParseVector(v)
		if err != nil {
			return Score{}, false
		}
		score = c.Score()
	default:
		c, err := cvss20.ParseVector(strings.TrimSuffix(strings.TrimPrefix(v, "("), ")"))
		if err != nil {
			return Score{}, false
		}
		score = c.BaseScore()
	}
	return Score{Version: VectorVersion(v), Score: score, Vector: v}, true
}
