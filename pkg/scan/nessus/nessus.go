// Package nessus parses Nessus v2 exports (.nessus:
// NessusClientData_v2/Report/ReportHost/ReportItem) into scan items.
//
// Each ReportItem becomes one item: port-scanner plugins (family "Port
// scanners") give open_port items, items with a severity above info or a
// CVE give vulnerability items, and the rest info items. The scan policy
// (often megabytes of plugin selections) is skipped. Items of a host are
// emitted when its ReportHost closes, once the host properties are known.
package nessus

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

// scanInfoPlugin is "Nessus Scan Information", whose output names the
// scanner version.
const scanInfoPlugin = "19506"

// Parse reads a whole .nessus report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a .nessus report and calls emit for each item as its host
// completes. It returns the report metadata without Items. An error from
// emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	p := parser{
		d:    xmlstream.NewDecoder(r, xmlstream.Options{}),
		emit: emit,
		rep:  scan.Report{Format: scan.FormatNessus, Tool: "Nessus"},
	}
	if err := p.run(); err != nil {
		return scan.Report{}, fmt.Errorf("nessus: %w", err)
	}
	if n := p.d.Replaced(); n > 0 {
		p.rep.Warn("%d invalid UTF-8 sequences or control characters replaced with U+FFFD", n)
	}
	p.rep.Finish()
	return p.rep, nil
}

type parser struct {
	d     *xmlstream.Decoder
	emit  func(scan.Item) error
	rep   scan.Report
	items []scan.Item
	out   scan.TextBuffer
}

func (p *parser) run() error {
	t, err := p.d.Next()
	for err == nil && t.Kind != xmlstream.StartElement {
		t, err = p.d.Next()
	}
	if err != nil {
		return err
	}
	if !t.Is("NessusClientData_v2") {
		return scan.Malformedf(p.d.Pos(), "root element is <%s>, not <NessusClientData_v2>", scan.Field(t.Name))
	}
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() == 0 {
			break
		}
		switch {
		case t.Is("Report"):
			if v, ok := t.Attr("name"); ok && p.rep.Name == "" {
				p.rep.Name = scan.Field(v)
			}
			// Descend to the ReportHost children.
		case t.Is("ReportHost"):
			err = p.parseHost(t)
		case t.Kind == xmlstream.StartElement:
			err = p.d.Skip() // Policy and anything unknown
		}
		if err != nil {
			return err
		}
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

type hostProps struct {
	name, ip, fqdn, netbios, mac, os string
	start, end                       time.Time
}

func (p *parser) parseHost(start *xmlstream.Token) error {
	var h hostProps
	if v, ok := start.Attr("name"); ok {
		h.name = scan.Field(v)
	}
	p.items = p.items[:0]
	depth := p.d.Depth()
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() < depth {
			break
		}
		switch {
		case t.Is("HostProperties"):
			err = p.parseProps(&h)
		case t.Is("ReportItem"):
			err = p.parseItem(t)
		case t.Kind == xmlstream.StartElement:
			err = p.d.Skip()
		}
		if err != nil {
			return err
		}
	}
	return p.finishHost(&h)
}

func (p *parser) parseProps(h *hostProps) error {
	depth := p.d.Depth()
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() < depth {
			return nil
		}
		if !t.Is("tag") {
			if t.Kind == xmlstream.StartElement {
				if err := p.d.Skip(); err != nil {
					return err
				}
			}
			continue
		}
		nameAttr, _ := t.Attr("name")
		name := string(nameAttr)
		v, err := p.d.FieldText()
		if err != nil {
			return err
		}
		switch name {
		case "host-ip":
			h.ip = v
		case "host-fqdn":
			h.fqdn = v
		case "hostname":
			if h.fqdn == "" {
				h.fqdn = v
			}
		case "netbios-name":
			h.netbios = v
		case "mac-address":
			// Nessus lists every MAC seen, one per line.
			h.mac, _, _ = strings.Cut(v, "\n")
		case "operating-system":
			h.os, _, _ = strings.Cut(v, "\n")
		case "HOST_START_TIMESTAMP":
			h.start = unixTime(v)
		case "HOST_END_TIMESTAMP":
			h.end = unixTime(v)
		case "HOST_START":
			if h.start.IsZero() {
				h.start = ctime(v)
			}
		case "HOST_END":
			if h.end.IsZero() {
				h.end = ctime(v)
			}
		}
	}
}

func (p *parser) finishHost(h *hostProps) error {
	addr := h.ip
	if addr == "" {
		addr = h.name
	}
	name := h.fqdn
	if name == "" {
		name = h.netbios
	}
	if name == "" && h.name != addr {
		name = h.name
	}
	p.rep.AddHost(scan.Host{Address: addr, Hostname: name, MAC: h.mac, OS: h.os})
	if !h.start.IsZero() && (p.rep.Start.IsZero() || h.start.Before(p.rep.Start)) {
		p.rep.Start = h.start
	}
	if h.end.After(p.rep.End) {
		p.rep.End = h.end
	}
	ref := scan.HostRef{Address: addr, Hostname: name}
	for i := range p.items {
		it := &p.items[i]
		it.Host = ref
		it.Key = scan.Key(scan.FormatNessus, addr, it.Protocol, strconv.Itoa(it.Port), it.ToolID)
		if err := p.emit(*it); err != nil {
			return err
		}
	}
	clear(p.items)
	return nil
}

func (p *parser) parseItem(t *xmlstream.Token) error {
	var it scan.Item
	var family, sevAttr string
	for _, a := range t.Attrs {
		switch string(a.Name) {
		case "port":
			it.Port = atoi(a.Value)
		case "svc_name":
			it.Service = scan.Field(a.Value)
		case "protocol":
			it.Protocol = scan.Field(a.Value)
		case "severity":
			sevAttr = scan.Field(a.Value)
		case "pluginID":
			it.ToolID = scan.Field(a.Value)
		case "pluginName":
			it.Title = scan.Field(a.Value)
		case "pluginFamily":
			family = scan.Field(a.Value)
		}
	}
	it.Family = family
	var risk string
	var cvss2, cvss3, cvss4 float64
	var vec2, vec3, vec4 string
	depth := p.d.Depth()
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() < depth {
			break
		}
		if t.Kind != xmlstream.StartElement {
			continue
		}
		var v string
		switch string(t.Name) {
		case "plugin_output":
			p.out.Reset()
			if err := p.d.Text(&p.out); err != nil {
				return err
			}
			it.Output, it.OutputTruncated = p.out.String()
			continue
		case "cve", "synopsis", "risk_factor", "cvss_base_score", "cvss_vector", "cvss3_base_score",
			"cvss3_vector", "cvss4_base_score", "cvss4_vector", "xref", "cwe", "cpe", "plugin_name":
			if v, err = p.d.FieldText(); err != nil {
				return err
			}
		default:
			if err := p.d.Skip(); err != nil {
				return err
			}
			continue
		}
		switch string(t.Name) {
		case "cve":
			if id, ok := scan.NormalizeCVE(v); ok {
				it.CVEs = scan.AppendUnique(it.CVEs, id)
			}
		case "synopsis":
			it.Summary = v
		case "risk_factor":
			risk = v
		case "cvss_base_score":
			cvss2 = atof(v)
		case "cvss_vector":
			vec2 = v
		case "cvss3_base_score":
			cvss3 = atof(v)
		case "cvss3_vector":
			vec3 = v
		case "cvss4_base_score":
			cvss4 = atof(v)
		case "cvss4_vector":
			vec4 = v
		case "xref":
			// "CWE:79", "IAVA:2017-A-0065", "MSKB:4012212".
			if n, ok := strings.CutPrefix(v, "CWE:"); ok {
				it.CWEs = scan.AppendUnique(it.CWEs, cweID(n))
			}
		case "cwe":
			it.CWEs = scan.AppendUnique(it.CWEs, cweID(v))
		case "cpe":
			for _, c := range strings.Fields(v) {
				it.CPEs = scan.AppendUnique(it.CPEs, c)
			}
		case "plugin_name":
			if it.Title == "" {
				it.Title = v
			}
		}
	}
	// CVSS v3 is what most rules and thresholds are written against, so it
	// wins over v4 and v2 when a plugin carries several.
	switch {
	case cvss3 > 0 || vec3 != "":
		it.CVSS, it.CVSSVector = cvss3, vec3
	case cvss4 > 0 || vec4 != "":
		it.CVSS, it.CVSSVector = cvss4, vec4
	case cvss2 > 0 || vec2 != "":
		it.CVSS, it.CVSSVector = cvss2, strings.TrimPrefix(vec2, "CVSS2#")
	}
	sev, ok := scan.SeverityFromLevel(sevAttr)
	if !ok || sevAttr == "" {
		if sev, ok = scan.SeverityFromLevel(risk); !ok || risk == "" {
			sev = scan.SeverityFromCVSS(it.CVSS)
		}
	}
	it.Severity = sev
	if it.ToolID == "" {
		return scan.Malformedf(p.d.Pos(), "ReportItem without pluginID")
	}
	if it.Title == "" {
		it.Title = "Nessus plugin " + it.ToolID
	}
	if scan.IsCredentialCheck(it.Title) && it.Severity.Rank() > scan.SeverityInfo.Rank() {
		it.Credentials = scan.CredentialsFromText(it.Service, it.Output)
	}
	switch {
	case family == "Port scanners":
		it.Kind = scan.KindOpenPort
		it.State = "open"
		if it.Summary == "" {
			it.Summary = it.Title
		}
		it.Title = portTitle(&it)
	case len(it.Credentials) > 0:
		it.Kind = scan.KindCredential
	case it.Severity.Rank() > scan.SeverityInfo.Rank() || len(it.CVEs) > 0:
		it.Kind = scan.KindVulnerability
	default:
		it.Kind = scan.KindInfo
	}
	if it.ToolID == scanInfoPlugin && p.rep.ToolVersion == "" {
		p.rep.ToolVersion = outputField(it.Output, "Nessus version")
	}
	p.items = append(p.items, it)
	return nil
}

func portTitle(it *scan.Item) string {
	s := strconv.Itoa(it.Port) + "/" + it.Protocol + " open"
	if it.Service != "" && it.Service != "general" {
		s += " " + it.Service
	}
	return s
}

// outputField finds "Name : value" in plugin output.
func outputField(out, name string) string {
	for line := range strings.Lines(out) {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == name {
			return scan.FieldString(v)
		}
	}
	return ""
}

func atoi(b []byte) int {
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func atof(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 10 {
		return 0
	}
	return f
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

// ctime parses HOST_START/HOST_END ("Tue Nov 26 11:00:20 2024"), which
// carry no zone; they are read as UTC and only used without timestamps.
func ctime(s string) time.Time {
	t, err := time.Parse("Mon Jan _2 15:04:05 2006", strings.Join(strings.Fields(s), " "))
	if err != nil {
		t, err = time.Parse("Mon Jan 2 15:04:05 2006", strings.Join(strings.Fields(s), " "))
		if err != nil {
			return time.Time{}
		}
	}
	return t.UTC()
}

// cweID writes a weakness id once as "CWE-94", whether the report gave
// "94", "CWE-94" or "CWE:94".
func cweID(v string) string {
	v = strings.TrimSpace(v)
	for _, p := range []string{"CWE-", "CWE:", "cwe-", "cwe:"} {
		v = strings.TrimPrefix(v, p)
	}
	return "CWE-" + strings.TrimSpace(v)
}
