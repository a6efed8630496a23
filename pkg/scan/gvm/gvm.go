// Package gvm parses Greenbone / OpenVAS XML reports into scan items, one
// per report/results/result. It accepts a GMP <get_reports_response>
// wrapping <report><report>, the <report><report> file the web interface
// downloads, and a single bare <report>, from OpenVAS 9 (nvt/cve, no
// severities) to GVM 22+ (nvt/refs, nvt/severities).
//
// Severity comes from the result's severity score mapped with
// scan.SeverityFromCVSS (so scores of 9.0 and above are critical even where
// GVM itself says "High"); the threat word is used only when there is no
// score. Results are emitted as they are read: each carries its own host.
package gvm

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/xmlstream"
)

// Parse reads a whole GVM XML report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a GVM XML report and calls emit for each result. It returns
// the report metadata without Items. An error from emit stops parsing and
// is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	p := parser{
		d:    xmlstream.NewDecoder(r, xmlstream.Options{}),
		emit: emit,
		rep:  scan.Report{Format: scan.FormatGVM, Tool: "Greenbone Vulnerability Management"},
	}
	if err := p.run(); err != nil {
		return scan.Report{}, fmt.Errorf("gvm: %w", err)
	}
	if !p.sawReport {
		return scan.Report{}, fmt.Errorf("gvm: %w", scan.Malformedf(scan.Position{}, "no <report> element"))
	}
	if n := p.d.Replaced(); n > 0 {
		p.rep.Warn("%d invalid UTF-8 sequences or control characters replaced with U+FFFD", n)
	}
	p.rep.Finish()
	return p.rep, nil
}

type parser struct {
	d         *xmlstream.Decoder
	emit      func(scan.Item) error
	rep       scan.Report
	sawReport bool
	out       scan.TextBuffer
}

func (p *parser) run() error {
	t, err := p.d.Next()
	for err == nil && t.Kind != xmlstream.StartElement {
		t, err = p.d.Next()
	}
	if err != nil {
		return err
	}
	switch {
	case t.Is("get_reports_response"):
		if status, ok := t.Attr("status"); ok && len(status) > 0 && status[0] != '2' {
			text, _ := t.Attr("status_text")
			return scan.Malformedf(p.d.Pos(), "GMP error response %s: %s", scan.Field(status), scan.Field(text))
		}
		err = p.children(p.wrapper)
	case t.Is("report"):
		err = p.report()
	default:
		return scan.Malformedf(p.d.Pos(), "root element is <%s>, not <report> or <get_reports_response>", scan.Field(t.Name))
	}
	if err != nil {
		return err
	}
	for {
		if _, err := p.d.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// children calls fn for each child element of the element just started and
// consumes the element's end tag. fn must consume the child it is given.
func (p *parser) children(fn func(*xmlstream.Token) error) error {
	depth := p.d.Depth()
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() < depth {
			return nil
		}
		if t.Kind != xmlstream.StartElement {
			continue
		}
		if err := fn(t); err != nil {
			return err
		}
	}
}

func (p *parser) wrapper(t *xmlstream.Token) error {
	if t.Is("report") {
		return p.report()
	}
	return p.d.Skip()
}

// report handles a <report> at any level; the outer one of a download
// holds the inner one that has the results.
func (p *parser) report() error {
	p.sawReport = true
	return p.children(func(t *xmlstream.Token) error {
		switch string(t.Name) {
		case "report":
			return p.report()
		case "results":
			return p.children(func(t *xmlstream.Token) error {
				if t.Is("result") {
					return p.result()
				}
				return p.d.Skip()
			})
		case "host":
			return p.hostSummary()
		case "task":
			return p.children(func(t *xmlstream.Token) error {
				if t.Is("name") && p.rep.Name == "" {
					v, err := p.d.FieldText()
					p.rep.Name = v
					return err
				}
				return p.d.Skip()
			})
		case "gmp", "omp":
			return p.children(func(t *xmlstream.Token) error {
				if t.Is("version") && p.rep.ToolVersion == "" {
					v, err := p.d.FieldText()
					p.rep.ToolVersion = v
					return err
				}
				return p.d.Skip()
			})
		case "scan_start":
			v, err := p.d.FieldText()
			if ts := parseTime(v); !ts.IsZero() && p.rep.Start.IsZero() {
				p.rep.Start = ts
			}
			return err
		case "scan_end":
			v, err := p.d.FieldText()
			if ts := parseTime(v); !ts.IsZero() && p.rep.End.IsZero() {
				p.rep.End = ts
			}
			return err
		case "scan_run_status":
			v, err := p.d.FieldText()
			if v != "" && v != "Done" {
				p.rep.Warn("scan run status is %q, not Done: results may be incomplete", v)
			}
			return err
		case "errors":
			return p.children(func(t *xmlstream.Token) error {
				if t.Is("error") {
					return p.scanError()
				}
				return p.d.Skip()
			})
		}
		return p.d.Skip()
	})
}

func (p *parser) scanError() error {
	var host, port, desc string
	err := p.children(func(t *xmlstream.Token) error {
		var err error
		switch string(t.Name) {
		case "host":
			host, err = p.d.FieldText()
		case "port":
			port, err = p.d.FieldText()
		case "description":
			desc, err = p.d.FieldText()
		default:
			err = p.d.Skip()
		}
		return err
	})
	p.rep.Warn("scanner error on %s %s: %s", host, port, desc)
	return err
}

func (p *parser) hostSummary() error {
	var h scan.Host
	var ip string
	err := p.children(func(t *xmlstream.Token) error {
		switch string(t.Name) {
		case "ip":
			v, err := p.d.FieldText()
			ip = v
			return err
		case "detail":
			var name, value string
			err := p.children(func(t *xmlstream.Token) error {
				var err error
				switch string(t.Name) {
				case "name":
					name, err = p.d.FieldText()
				case "value":
					value, err = p.d.FieldText()
				default:
					err = p.d.Skip()
				}
				return err
			})
			switch name {
			case "hostname":
				if h.Hostname == "" {
					h.Hostname = value
				}
			case "best_os_txt":
				h.OS = value
			case "MAC":
				h.MAC = value
			}
			return err
		}
		return p.d.Skip()
	})
	if ip == "" {
		// A <host> with text content is a results-level element in some
		// exports, not a summary; nothing to record.
		return err
	}
	h.Address = ip
	p.rep.AddHost(h)
	return err
}

type nvt struct {
	oid, name, family, tags string
	cvss                    float64
	vector                  string
	cves                    []string
}

func (p *parser) result() error {
	var it scan.Item
	var n nvt
	var threat, sevText string
	port := ""
	err := p.children(func(t *xmlstream.Token) error {
		var err error
		switch string(t.Name) {
		case "name":
			it.Title, err = p.d.FieldText()
		case "host":
			it.Host, err = p.resultHost()
		case "port":
			port, err = p.d.FieldText()
		case "nvt":
			err = p.nvt(t, &n)
		case "threat":
			threat, err = p.d.FieldText()
		case "severity":
			sevText, err = p.d.FieldText()
		case "description":
			p.out.Reset()
			err = p.d.Text(&p.out)
			it.Output, it.OutputTruncated = p.out.String()
			it.Output = strings.TrimSpace(it.Output)
		default:
			err = p.d.Skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	if n.oid == "" {
		return scan.Malformedf(p.d.Pos(), "result without nvt oid")
	}
	it.ToolID = n.oid
	it.Family = n.family
	it.CVEs = n.cves
	it.CVSS, it.CVSSVector = n.cvss, n.vector
	// The check's own name says what was found; a result's name is usually
	// the same, but exports and anonymised reports may replace it.
	if n.name != "" {
		it.Title = n.name
	}
	// Reports wrap long names across indented lines.
	it.Title = strings.Join(strings.Fields(it.Title), " ")
	if it.Title == "" {
		it.Title = "NVT " + n.oid
	}
	it.Summary = tag(n.tags, "summary")
	it.Port, it.Protocol, it.Service = parsePort(port)
	it.Severity = severity(sevText, threat)
	if score, err := strconv.ParseFloat(sevText, 64); err == nil && score == -1 || threat == "False Positive" {
		it.State = "false_positive"
	}
	if it.State != "false_positive" && it.Severity.Rank() > scan.SeverityInfo.Rank() &&
		(strings.EqualFold(it.Family, "Default Accounts") || scan.IsCredentialCheck(it.Title)) {
		it.Credentials = scan.CredentialsFromText(it.Service, it.Output)
	}
	// A result overridden as a false positive stays visible as info, so
	// rules keyed on vulnerabilities or CVEs do not fire on it.
	switch {
	case len(it.Credentials) > 0:
		it.Kind = scan.KindCredential
	case it.State != "false_positive" && (it.Severity.Rank() > scan.SeverityInfo.Rank() || len(it.CVEs) > 0):
		it.Kind = scan.KindVulnerability
	default:
		it.Kind = scan.KindInfo
	}
	// "general/tcp" results have no port number; the service word stands in.
	// Numbered ports leave it out, so OpenVAS 6 "ssh (22/tcp)" and later
	// "22/tcp" give the same key.
	where := it.Service
	if it.Port > 0 {
		where = strconv.Itoa(it.Port)
	}
	it.Key = scan.Key(scan.FormatGVM, it.Host.Address, it.Protocol, where, it.ToolID)
	return p.emit(it)
}

// resultHost reads <host>ADDR<asset/><hostname>NAME</hostname></host>.
func (p *parser) resultHost() (scan.HostRef, error) {
	var h scan.HostRef
	var tb scan.TextBuffer
	tb.Max = scan.MaxField
	depth := p.d.Depth()
	for {
		t, err := p.d.Next()
		if err != nil {
			return h, err
		}
		if p.d.Depth() < depth {
			break
		}
		switch {
		case t.Kind == xmlstream.CharData && p.d.Depth() == depth:
			tb.Write(t.Data)
		case t.Is("hostname"):
			if h.Hostname, err = p.d.FieldText(); err != nil {
				return h, err
			}
		case t.Kind == xmlstream.StartElement:
			if err := p.d.Skip(); err != nil {
				return h, err
			}
		}
	}
	s, _ := tb.String()
	h.Address = strings.TrimSpace(s)
	return h, nil
}

func (p *parser) nvt(t *xmlstream.Token, n *nvt) error {
	if v, ok := t.Attr("oid"); ok {
		n.oid = scan.Field(v)
	}
	var cvssBase string
	err := p.children(func(t *xmlstream.Token) error {
		var err error
		var v string
		switch string(t.Name) {
		case "name":
			n.name, err = p.d.FieldText()
		case "family":
			n.family, err = p.d.FieldText()
		case "cvss_base":
			cvssBase, err = p.d.FieldText()
		case "tags":
			var tb scan.TextBuffer
			err = p.d.Text(&tb)
			n.tags, _ = tb.String()
		case "cve": // OpenVAS 9: "CVE-2014-3566, CVE-2016-2183" or "NOCVE"
			v, err = p.d.FieldText()
			n.cves = scan.FindCVEs(n.cves, v)
		case "refs":
			err = p.children(func(t *xmlstream.Token) error {
				if t.Is("ref") {
					typ, _ := t.Attr("type")
					id, _ := t.Attr("id")
					if strings.EqualFold(string(typ), "cve") {
						if cve, ok := scan.NormalizeCVE(string(id)); ok {
							n.cves = scan.AppendUnique(n.cves, cve)
						}
					}
				}
				return p.d.Skip()
			})
		case "severities":
			if s, ok := t.Attr("score"); ok {
				n.cvss = parseScore(string(s))
			}
			err = p.children(func(t *xmlstream.Token) error {
				if !t.Is("severity") {
					return p.d.Skip()
				}
				return p.children(func(t *xmlstream.Token) error {
					var err error
					var v string
					switch string(t.Name) {
					case "value":
						v, err = p.d.FieldText()
						if n.vector == "" {
							n.vector = v
						}
					case "score":
						v, err = p.d.FieldText()
						if n.cvss == 0 {
							n.cvss = parseScore(v)
						}
					default:
						err = p.d.Skip()
					}
					return err
				})
			})
		default:
			err = p.d.Skip()
		}
		return err
	})
	if n.cvss == 0 {
		n.cvss = parseScore(cvssBase)
	}
	if n.vector == "" {
		n.vector = tag(n.tags, "cvss_base_vector")
	}
	return err
}

// tag extracts name=value from an NVT's "a=1|b=2" tag string.
func tag(tags, name string) string {
	for part := range strings.SplitSeq(tags, "|") {
		if k, v, ok := strings.Cut(part, "="); ok && k == name {
			return scan.FieldString(v)
		}
	}
	return ""
}

// parsePort reads "443/tcp", "general/tcp", "general/CPE-T", "package" or
// OpenVAS 6 style "www (80/tcp)".
func parsePort(s string) (port int, proto, service string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '('); i >= 0 {
		if j := strings.IndexByte(s[i:], ')'); j > 0 {
			service = strings.TrimSpace(s[:i])
			s = s[i+1 : i+j]
		}
	}
	left, right, ok := strings.Cut(s, "/")
	if !ok {
		if service == "" {
			service = s
		}
		return 0, "", service
	}
	if n, err := strconv.Atoi(left); err == nil && n >= 0 && n <= 65535 {
		port = n
	} else if service == "" {
		service = left
	}
	return port, strings.ToLower(right), service
}

func severity(score, threat string) scan.Severity {
	if f, err := strconv.ParseFloat(strings.TrimSpace(score), 64); err == nil {
		if f <= 0 {
			// 0 is a log entry; negative scores mark false positives (-1),
			// errors (-2) and debug output (-3).
			return scan.SeverityInfo
		}
		return scan.SeverityFromCVSS(f)
	}
	if threat == "False Positive" || threat == "Error" {
		return scan.SeverityInfo
	}
	if s, ok := scan.SeverityFromLevel(threat); ok && threat != "" {
		return s
	}
	return scan.SeverityUnknown
}

func parseScore(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 10 {
		return 0
	}
	return f
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
