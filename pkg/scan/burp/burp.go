// Package burp parses Burp Suite's XML issue export (<issues>, with the
// DTD of element and attribute declarations Burp writes) into one item per
// issue: Burp's issue type as ToolID, its severity (Information is
// KindInfo), the host, port and scheme, the path and location, CWEs from
// the vulnerability classifications, and CVE ids only where Burp's own
// issue detail names them. Issues marked "False positive" are counted in
// Skipped. Requests and responses are skipped unread, so base64 bodies
// cost no memory.
package burp

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/xmlstream"
)

// Parse reads a whole Burp XML export.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a Burp XML export and calls emit for each issue. An error
// from emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	rep := scan.Report{Format: scan.FormatBurp, Tool: "Burp Suite"}
	if err := parse(r, &rep, emit); err != nil {
		return scan.Report{}, fmt.Errorf("burp: %w", err)
	}
	rep.Finish()
	return rep, nil
}

type issue struct {
	typ, name, host, ip, path, location string
	severity, confidence                string
	background, detail, classifications string
	remediation                         string
}

func parse(r io.Reader, rep *scan.Report, emit func(scan.Item) error) error {
	d := xmlstream.NewDecoder(r, xmlstream.Options{})
	t, err := d.Next()
	for err == nil && t.Kind != xmlstream.StartElement {
		t, err = d.Next()
	}
	if err != nil {
		return err
	}
	if !t.Is("issues") {
		return scan.Malformedf(d.Pos(), "root element is <%s>, not <issues>", scan.Field(t.Name))
	}
	if v, ok := t.Attr("burpVersion"); ok {
		rep.ToolVersion = scan.Field(v)
	}
	if v, ok := t.Attr("exportTime"); ok {
		rep.Start = exportTime(string(v))
	}
	hosts := map[string]bool{}
	falsePositives := 0
	err = d.Children(func(t *xmlstream.Token) error {
		if !t.Is("issue") {
			return d.Skip()
		}
		is, err := readIssue(d)
		if err != nil {
			return err
		}
		if strings.EqualFold(is.severity, "False positive") {
			falsePositives++
			return nil
		}
		it, ok := item(is)
		if !ok {
			rep.Warn("issue without type or name skipped")
			rep.Skipped++
			return nil
		}
		if !hosts[it.Host.Address] {
			hosts[it.Host.Address] = true
			rep.AddHost(scan.Host{Address: it.Host.Address, Hostname: it.Host.Hostname})
		}
		return emit(it)
	})
	if err != nil {
		return err
	}
	if falsePositives > 0 {
		rep.Skipped += falsePositives
		rep.Warn("%d issues marked false positive in Burp not turned into findings", falsePositives)
	}
	if n := d.Replaced(); n > 0 {
		rep.Warn("%d invalid UTF-8 sequences or control characters replaced with U+FFFD", n)
	}
	for {
		if _, err := d.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func readIssue(d *xmlstream.Decoder) (issue, error) {
	var is issue
	text := func(dst *string) error {
		var tb scan.TextBuffer
		tb.Max = scan.MaxOutput
		err := d.Text(&tb)
		*dst, _ = tb.String()
		return err
	}
	err := d.Children(func(t *xmlstream.Token) error {
		var err error
		switch string(t.Name) {
		case "type":
			is.typ, err = d.FieldText()
		case "name":
			is.name, err = d.FieldText()
		case "host":
			if v, ok := t.Attr("ip"); ok {
				is.ip = scan.Field(v)
			}
			is.host, err = d.FieldText()
		case "path":
			is.path, err = d.FieldText()
		case "location":
			is.location, err = d.FieldText()
		case "severity":
			is.severity, err = d.FieldText()
		case "confidence":
			is.confidence, err = d.FieldText()
		case "issueBackground":
			err = text(&is.background)
		case "issueDetail":
			err = text(&is.detail)
		case "remediationDetail", "remediationBackground":
			if is.remediation == "" {
				err = text(&is.remediation)
			} else {
				err = d.Skip()
			}
		case "vulnerabilityClassifications":
			err = text(&is.classifications)
		default:
			err = d.Skip() // requests, responses, events
		}
		return err
	})
	return is, err
}

var (
	tagRE = regexp.MustCompile(`<[^>]*>`)
	cweRE = regexp.MustCompile(`CWE-(\d+)`)
)

func plain(s string) string {
	s = html.UnescapeString(tagRE.ReplaceAllString(s, " "))
	return strings.Join(strings.Fields(s), " ")
}

func item(is issue) (scan.Item, bool) {
	id := scan.FieldString(strings.TrimSpace(is.typ))
	if id == "" || strings.TrimSpace(is.name) == "" {
		return scan.Item{}, false
	}
	sev, ok := scan.SeverityFromLevel(is.severity)
	if !ok || sev == scan.SeverityCritical {
		sev = scan.SeverityUnknown
	}
	it := scan.Item{Kind: scan.KindVulnerability, ToolID: id, Severity: sev, Family: "web", Protocol: "tcp",
		Title: scan.FieldString(is.name), Summary: scan.FieldString(plain(is.background))}
	if sev == scan.SeverityInfo {
		it.Kind = scan.KindInfo
	}
	u, err := url.Parse(strings.TrimSpace(is.host))
	host := strings.TrimSpace(is.host)
	if err == nil && u.Host != "" {
		host = u.Hostname()
		it.Port, _ = strconv.Atoi(u.Port())
		it.Service = "http"
		if u.Scheme == "https" {
			it.Service, it.Tunnel = "https", "ssl"
		}
		if it.Port == 0 {
			it.Port = map[string]int{"http": 80, "https": 443}[it.Service]
		}
	}
	it.Host = scan.HostRef{Address: scan.FieldString(host)}
	if net.ParseIP(host) == nil {
		it.Host.Hostname = it.Host.Address
		if is.ip != "" {
			it.Host.Address = is.ip
		}
	}
	for _, m := range cweRE.FindAllStringSubmatch(is.classifications, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			it.CWEs = scan.AppendUnique(it.CWEs, "CWE-"+strconv.Itoa(n))
		}
	}
	it.CVEs = scan.FindCVEs(nil, is.detail)
	out := strings.TrimSpace("Location: " + is.location + "\n" + plain(is.detail))
	if r := plain(is.remediation); r != "" {
		out += "\nRemediation: " + r
	}
	if is.confidence != "" {
		out += "\nConfidence: " + is.confidence
	}
	it.Output, it.OutputTruncated = scan.Output(out)
	it.Key = scan.Key(scan.FormatBurp, host, strconv.Itoa(it.Port), id, is.path, is.location)
	return it, true
}

// exportTime reads Burp's "Wed Jan 27 22:43:35 UTC 2021". Burp writes the
// exporting machine's zone abbreviation, which does not name an offset
// ("IST" is three zones): only UTC and GMT are read, since a wrong time is
// worse than none.
func exportTime(s string) time.Time {
	f := strings.Fields(s)
	if len(f) == 6 && (f[4] == "UTC" || f[4] == "GMT") {
		if t, err := time.Parse("Mon Jan 2 15:04:05 2006", strings.Join([]string{f[0], f[1], f[2], f[3], f[5]}, " ")); err == nil {
			return t
		}
	}
	return time.Time{}
}
