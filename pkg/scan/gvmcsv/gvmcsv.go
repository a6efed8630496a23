// Package gvmcsv parses the CSV results export of Greenbone / OpenVAS
// ("IP,Hostname,Port,Port Protocol,CVSS,Severity,...,NVT Name,Summary,
// Specific Result,NVT OID,CVEs,..."), as the web interface's "CSV Results"
// report format writes it.
//
// The rows are turned into the GVM XML result structure and read by the
// gvm parser, so a CSV export gives the same items, keys, kinds and
// severities as the XML report of the same scan: the report's format is
// "gvm". What the CSV does not carry stays empty: NVT families, CVSS
// vectors, and result overrides other than the severity printed.
package gvmcsv

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/gvm"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/csvguard"
)

// Parse reads a whole Greenbone CSV results export.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a Greenbone CSV results export and calls emit for each
// result. It returns the report metadata without Items. An error from emit
// stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	cr, err := csvguard.NewReader(r)
	if err != nil {
		return scan.Report{}, fmt.Errorf("gvm csv: %w", err)
	}
	c := cols{ip: cr.Col("ip", "host"), hostname: cr.Col("hostname"), port: cr.Col("port"), proto: cr.Col("port protocol"),
		cvss: cr.Col("cvss", "severity score"), sev: cr.Col("severity"), name: cr.Col("nvt name", "vulnerability"),
		summary: cr.Col("summary"), result: cr.Col("specific result"), oid: cr.Col("nvt oid", "oid"), cves: cr.Col("cves", "cve"),
		task: cr.Col("task name"), id: cr.Col("result id"), insight: cr.Col("vulnerability insight"),
		solType: cr.Col("solution type"), solution: cr.Col("solution"), affected: cr.Col("affected software/os")}
	if c.ip < 0 || c.oid < 0 || c.name < 0 {
		return scan.Report{}, fmt.Errorf("gvm csv: %w", scan.Malformedf(scan.Position{Line: 1}, "the header has no IP, NVT Name and NVT OID columns: not a Greenbone CSV export"))
	}
	x := &xmlRows{cr: cr, c: c}
	// Combined exports repeat results; each is kept once.
	seen := map[string]bool{}
	dups := 0
	rep, err := gvm.Stream(x, func(it scan.Item) error {
		if seen[it.Key] {
			dups++
			return nil
		}
		seen[it.Key] = true
		return emit(it)
	})
	if err != nil {
		var pe *scan.ParseError
		if errors.As(err, &pe) {
			err = pe
		}
		return scan.Report{}, fmt.Errorf("gvm csv: %w", err)
	}
	rep.Tool = "Greenbone Vulnerability Management (CSV export)"
	if rep.Name == "" {
		rep.Name = x.task
	}
	if dups > 0 {
		rep.Warn("%d rows repeat a result already read (same host, port and NVT); kept once", dups)
	}
	rep.Finish()
	return rep, nil
}

type cols struct {
	ip, hostname, port, proto, cvss, sev, name, summary, result, oid, cves, task, id, insight, solType, solution, affected int
}

// xmlRows renders CSV rows as a GVM report document.
type xmlRows struct {
	cr      *csvguard.Reader
	c       cols
	buf     bytes.Buffer
	off     int
	started bool
	done    bool
	err     error
	task    string
}

func (x *xmlRows) Read(p []byte) (int, error) {
	for x.off >= x.buf.Len() {
		if x.done {
			if x.err != nil {
				return 0, x.err
			}
			return 0, io.EOF
		}
		x.buf.Reset()
		x.off = 0
		x.fill()
	}
	n := copy(p, x.buf.Bytes()[x.off:])
	x.off += n
	return n, nil
}

func (x *xmlRows) fill() {
	if !x.started {
		x.started = true
		x.buf.WriteString(`<report format_id="csv"><report><results>`)
	}
	for x.buf.Len() < 32<<10 {
		rec, err := x.cr.Next()
		if errors.Is(err, io.EOF) {
			x.buf.WriteString("</results></report></report>")
			x.done = true
			return
		}
		if err != nil {
			x.err, x.done = err, true
			return
		}
		x.row(rec)
	}
}

func (x *xmlRows) row(rec []string) {
	c := x.c
	g := func(i int) string { return csvguard.Get(rec, i) }
	oid := g(c.oid)
	if oid == "" {
		return
	}
	if x.task == "" {
		x.task = scan.FieldString(g(c.task))
	}
	b := &x.buf
	b.WriteString("<result")
	if id := g(c.id); id != "" {
		b.WriteString(` id="`)
		esc(b, id)
		b.WriteString(`"`)
	}
	b.WriteString(">")
	elem(b, "name", g(c.name))
	b.WriteString("<host>")
	esc(b, g(c.ip))
	elem(b, "hostname", g(c.hostname))
	b.WriteString("</host>")
	port, proto := g(c.port), strings.ToLower(g(c.proto))
	switch {
	case port != "" && proto != "":
		elem(b, "port", port+"/"+proto)
	case port != "":
		elem(b, "port", port)
	case proto != "":
		elem(b, "port", "general/"+proto)
	}
	b.WriteString(`<nvt oid="`)
	esc(b, oid)
	b.WriteString(`">`)
	elem(b, "name", g(c.name))
	elem(b, "cvss_base", g(c.cvss))
	var tags []string
	for _, t := range []struct {
		k string
		i int
	}{{"summary", c.summary}, {"insight", c.insight}, {"affected", c.affected}, {"solution_type", c.solType}, {"solution", c.solution}} {
		if v := g(t.i); v != "" {
			// "|" separates tags; inside a value it would cut it short.
			tags = append(tags, t.k+"="+strings.ReplaceAll(v, "|", "/"))
		}
	}
	elem(b, "tags", strings.Join(tags, "|"))
	ids := scan.FindCVEs(nil, g(c.cves))
	// Greenbone's CVE scanner names each result after the CVE it found and
	// leaves the CVEs column empty.
	if id, ok := scan.NormalizeCVE(strings.TrimSpace(g(c.name))); ok && len(ids) == 0 {
		ids = []string{id}
	}
	if len(ids) > 0 {
		b.WriteString("<refs>")
		for _, id := range ids {
			b.WriteString(`<ref type="cve" id="` + id + `"/>`)
		}
		b.WriteString("</refs>")
	}
	b.WriteString("</nvt>")
	elem(b, "threat", g(c.sev))
	elem(b, "severity", g(c.cvss))
	elem(b, "description", csvguard.Get(rec, c.result))
	b.WriteString("</result>")
}

func esc(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

func elem(b *bytes.Buffer, name, v string) {
	if v == "" {
		return
	}
	b.WriteString("<" + name + ">")
	esc(b, v)
	b.WriteString("</" + name + ">")
}
