// Package depcheck parses OWASP Dependency-Check reports, XML (schemas 1.x
// to 2.x) or JSON (reportSchema 1.1), into one component_vulnerability
// item per (dependency, vulnerability): the vulnerability name (CVE, GHSA,
// NPM or OSS Index id) as ToolID, Dependency-Check's severity, the CVSS v3
// base score (v2 when there is none), CWEs, the first version the matched
// CPE range excludes as the fixed version, and the dependency's package
// URL. Suppressed vulnerabilities are counted in Skipped, not reported.
//
// Dependencies are decoded one at a time, so a large report is never held
// whole.
package depcheck

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/depvuln"
)

// Parse reads a whole Dependency-Check report, XML or JSON.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a Dependency-Check report, XML or JSON (told apart by the
// first non-blank byte), and calls emit for each vulnerability. An error
// from emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	br := bufio.NewReaderSize(r, 4096)
	rep := scan.Report{Format: scan.FormatDependencyCheck, Tool: "Dependency-Check"}
	b := &builder{rep: &rep, emit: emit}
	var err error
	if firstByte(br) == '<' {
		err = parseXML(br, b)
	} else {
		err = parseJSON(br, b)
	}
	if err != nil {
		return scan.Report{}, fmt.Errorf("dependency-check: %w", err)
	}
	if b.suppressed > 0 {
		rep.Skipped += b.suppressed
		rep.Warn("%d suppressed vulnerabilities (the scanning party's suppression file) not turned into findings", b.suppressed)
	}
	rep.Finish()
	return rep, nil
}

// firstByte peeks past white space and a UTF-8 byte order mark.
func firstByte(br *bufio.Reader) byte {
	for n := 1; n <= 4096; n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			return 0
		}
		c := b[n-1]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case n <= 3 && (c == 0xEF || c == 0xBB || c == 0xBF):
		default:
			return c
		}
		if err != nil {
			return 0
		}
	}
	return 0
}

// dependency and vulnerability are the format-neutral model both decoders
// fill.
type dependency struct {
	fileName, filePath string
	purl               string
	vulns              []vulnerability
}

type vulnerability struct {
	name        string
	severity    string
	v3, v2      float64
	v3Vector    string
	v2Vector    string
	cwes        []string
	description string
	fixed       []string
}

type builder struct {
	rep        *scan.Report
	emit       func(scan.Item) error
	suppressed int
}

// project makes the scanned project the report's subject: the target its
// findings are on, so a re-scan of another project resolves none of them.
func (b *builder) project() {
	if b.rep.Name != "" {
		b.rep.Subject = &scan.Component{Type: "application", Name: b.rep.Name}
	}
}

func (b *builder) dependency(d dependency) error {
	name, version := d.fileName, ""
	if d.purl != "" {
		name, version = purlNameVersion(d.purl)
	}
	for _, v := range d.vulns {
		if strings.TrimSpace(v.name) == "" {
			b.rep.Warn("vulnerability without a name on %s skipped", scan.FieldString(d.fileName))
			b.rep.Skipped++
			continue
		}
		dv := depvuln.Vuln{ID: v.name, Severity: v.severity, CWEs: v.cwes, Description: v.description, Fixed: v.fixed, Where: d.filePath,
			Component: scan.ComponentRef{Name: name, Version: version, PURL: d.purl},
			Scores:    []depvuln.Score{{Version: 3, Score: v.v3, Vector: v.v3Vector}, {Version: 2, Score: v.v2, Vector: v.v2Vector}}}
		it := depvuln.Item(scan.FormatDependencyCheck, dv)
		if it.Product == "" {
			it.Product = scan.FieldString(d.fileName)
		}
		if err := b.emit(it); err != nil {
			return err
		}
	}
	return nil
}

// purlNameVersion reads "pkg:maven/org.apache.logging.log4j/log4j-api@2.12.4"
// as (org.apache.logging.log4j/log4j-api, 2.12.4).
func purlNameVersion(purl string) (string, string) {
	p := purl
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = strings.TrimPrefix(p, "pkg:")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	name, version, _ := strings.Cut(p, "@")
	return name, version
}
