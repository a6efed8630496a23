// Package zap parses OWASP ZAP reports: the traditional XML report (2.x,
// <OWASPZAPReport> with sites and instances; and the 1.x layout, a
// <report> of alert items each carrying its URI), and the traditional JSON
// report. Each alert on a site is one item: the plugin's alertRef (or
// pluginid) as ToolID, ZAP's risk as severity (informational alerts are
// KindInfo), the site's host, port and scheme, CWE, the instances as
// evidence, and CVE ids only where ZAP's own text names them (the
// vulnerable JavaScript library alert).
//
// Alerts an analyst marked false positive in ZAP (confidence 0) are counted
// in Skipped, not reported. Alerts are decoded one at a time.
package zap

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// Parse reads a whole ZAP report, XML or JSON.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a ZAP report, XML or JSON (told apart by the first non-blank
// byte), and calls emit for each alert. An error from emit stops parsing and
// is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	br := bufio.NewReaderSize(r, 4096)
	b := &builder{rep: scan.Report{Format: scan.FormatZAP, Tool: "ZAP"}, emit: emit}
	var err error
	if firstByte(br) == '<' {
		err = parseXML(br, b)
	} else {
		err = parseJSON(br, b)
	}
	if err != nil {
		return scan.Report{}, fmt.Errorf("zap: %w", err)
	}
	if b.falsePositives > 0 {
		b.rep.Skipped += b.falsePositives
		b.rep.Warn("%d alerts marked false positive in ZAP (confidence 0) not turned into findings", b.falsePositives)
	}
	b.rep.Finish()
	return b.rep, nil
}

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

// site and alert are the format-neutral model both decoders fill.
type site struct {
	name, host string
	port       int
	ssl        bool
}

type instance struct {
	uri, method, param, attack, evidence, otherInfo string
}

type alert struct {
	pluginID, alertRef, name  string
	riskCode, confidence      string
	desc, solution, otherInfo string
	reference, cweID, wascID  string
	instances                 []instance
	count                     int
}

type builder struct {
	rep            scan.Report
	emit           func(scan.Item) error
	falsePositives int
	hosts          map[string]bool
	keys           map[string]bool
}

func (b *builder) site(s site) {
	if b.hosts == nil {
		b.hosts = map[string]bool{}
	}
	if s.host == "" || b.hosts[s.host] {
		return
	}
	b.hosts[s.host] = true
	h := scan.Host{Address: s.host}
	if net.ParseIP(s.host) == nil {
		h.Hostname = s.host
	}
	b.rep.AddHost(h)
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// plain turns ZAP's HTML fragments into text.
func plain(s string) string {
	s = tagRE.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	return strings.Join(strings.Fields(s), " ")
}

func (b *builder) alert(s site, a alert) error {
	id := strings.TrimSpace(a.alertRef)
	if id == "" {
		id = strings.TrimSpace(a.pluginID)
	}
	id = scan.FieldString(id)
	if id == "" || strings.TrimSpace(a.name) == "" {
		b.rep.Warn("alert without pluginid or name skipped")
		b.rep.Skipped++
		return nil
	}
	if strings.TrimSpace(a.confidence) == "0" {
		b.falsePositives++
		return nil
	}
	sev, ok := scan.SeverityFromLevel(a.riskCode)
	if !ok || sev == scan.SeverityCritical {
		// ZAP risk codes are 0-3; anything else is not ZAP's.
		b.rep.Warn("alert %s has unknown riskcode %q", id, scan.FieldString(a.riskCode))
		sev = scan.SeverityUnknown
	}
	it := scan.Item{Kind: scan.KindVulnerability, ToolID: id, Severity: sev, Family: "web", Protocol: "tcp", Port: s.port,
		Title: scan.FieldString(strings.TrimSpace(a.name)), Summary: scan.FieldString(plain(a.desc))}
	if sev == scan.SeverityInfo {
		it.Kind = scan.KindInfo
	}
	it.Host = scan.HostRef{Address: scan.FieldString(s.host)}
	if net.ParseIP(s.host) == nil {
		it.Host.Hostname = it.Host.Address
	}
	it.Service = "http"
	if s.ssl {
		it.Service, it.Tunnel = "https", "ssl"
	}
	if n, err := strconv.Atoi(strings.TrimSpace(a.cweID)); err == nil && n > 0 {
		it.CWEs = []string{"CWE-" + strconv.Itoa(n)}
	}
	it.CVEs = scan.FindCVEs(it.CVEs, a.otherInfo)
	var out strings.Builder
	for _, in := range a.instances {
		it.CVEs = scan.FindCVEs(it.CVEs, in.otherInfo)
		line := strings.TrimSpace(in.method + " " + in.uri)
		if in.param != "" {
			line += " param=" + in.param
		}
		if in.attack != "" {
			line += " attack=" + in.attack
		}
		if in.evidence != "" {
			line += " evidence=" + in.evidence
		}
		if out.Len() < scan.MaxOutput {
			out.WriteString(line + "\n")
		}
	}
	if t := plain(a.otherInfo); t != "" && out.Len() < scan.MaxOutput {
		out.WriteString("Other info: " + t + "\n")
	}
	if t := plain(a.solution); t != "" && out.Len() < scan.MaxOutput {
		out.WriteString("Solution: " + t + "\n")
	}
	it.Output, it.OutputTruncated = scan.Output(strings.TrimSpace(out.String()))
	it.Key = scan.Key(scan.FormatZAP, s.host, strconv.Itoa(s.port), id)
	if b.keys == nil {
		b.keys = map[string]bool{}
	}
	if b.keys[it.Key] && len(a.instances) > 0 {
		// The same alert listed again on the site (ZAP 1.x writes one item
		// per URL): its first instance tells the two apart.
		in := a.instances[0]
		it.Key = scan.Key(scan.FormatZAP, s.host, strconv.Itoa(s.port), id, in.method, in.uri, in.param)
	}
	b.keys[it.Key] = true
	return b.emit(it)
}
