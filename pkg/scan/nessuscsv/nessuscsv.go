// Package nessuscsv parses the CSV exports of Nessus (Professional/Manager:
// "Plugin ID,CVE,CVSS,Risk,Host,..."), Tenable.sc ("Plugin,Plugin
// Name,Family,Severity,IP Address,...") and Tenable.io/Vulnerability
// Management (";"-separated "definition.id;asset.display_ipv4_address...").
//
// The rows are turned into the .nessus v2 structure and read by the nessus
// parser, so a CSV export gives the same items, with the same keys, kinds
// and severities, as the .nessus export of the same scan: the report's
// format is "nessus". Consecutive rows of one plugin on one host and port
// (Nessus writes one row per CVE) become one item with every CVE; an item
// seen again later in the file is dropped as a duplicate and counted in a
// warning. What a CSV export does not carry stays empty: service names
// (svc_name), host properties other than names, and for Nessus
// Professional the plugin family, which is inferred only for the port
// scanners so that their rows stay open-port facts.
package nessuscsv

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/csvguard"
	"github.com/tradewarden/tradewarden/pkg/scan/nessus"
)

// Parse reads a whole Nessus CSV export.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a Nessus CSV export and calls emit for each item. It returns
// the report metadata without Items. An error from emit stops parsing and
// is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	cr, err := csvguard.NewReader(r)
	if err != nil {
		return scan.Report{}, fmt.Errorf("nessus csv: %w", err)
	}
	c, err := columnsOf(cr)
	if err != nil {
		return scan.Report{}, fmt.Errorf("nessus csv: %w", err)
	}
	x := &xmlRows{cr: cr, c: c}
	seen := map[string]bool{}
	dups := 0
	rep, err := nessus.Stream(x, func(it scan.Item) error {
		if seen[it.Key] {
			dups++
			return nil
		}
		seen[it.Key] = true
		return emit(it)
	})
	if err != nil {
		if x.err != nil && errors.Is(err, x.err) {
			err = x.err
		}
		return scan.Report{}, fmt.Errorf("nessus csv: %w", unwrap(err))
	}
	rep.Tool = "Nessus (CSV export)"
	if dups > 0 {
		rep.Warn("%d rows repeat a plugin already reported for the same host and port, away from its first rows; kept once", dups)
	}
	rep.Finish()
	return rep, nil
}

// unwrap drops the nessus parser's "nessus: " prefix around our own
// errors, keeping the classification.
func unwrap(err error) error {
	var pe *scan.ParseError
	if errors.As(err, &pe) {
		return pe
	}
	return err
}

// columns are the indexes of the fields used; -1 when absent.
type columns struct {
	plugin, name, family, risk, sevNum, host, dns, netbios, mac, proto, port, cve,
	cvss2, cvss3, vec2, vec3, synopsis, output, cpe, xref int
}

func columnsOf(cr *csvguard.Reader) (columns, error) {
	c := columns{
		plugin:   cr.Col("plugin id", "plugin", "pluginid", "definition.id"),
		name:     cr.Col("name", "plugin name", "definition.name"),
		family:   cr.Col("family", "plugin family", "definition.family"),
		risk:     cr.Col("risk", "severity", "risk factor", "definition.severity"),
		host:     cr.Col("host", "ip address", "asset.display_ipv4_address", "asset.display_ipv6_address", "ip"),
		dns:      cr.Col("dns name", "fqdn", "asset.display_fqdn", "asset.host_name"),
		netbios:  cr.Col("netbios name", "netbios", "asset.netbios_name"),
		mac:      cr.Col("mac address", "asset.display_mac_address"),
		proto:    cr.Col("protocol", "port.protocol"),
		port:     cr.Col("port", "port.port"),
		cve:      cr.Col("cve", "cves", "definition.cve"),
		cvss2:    cr.Col("cvss v2.0 base score", "cvss v2 base score", "cvss", "definition.cvss2.base_score"),
		cvss3:    cr.Col("cvss v3.0 base score", "cvss v3 base score", "definition.cvss3.base_score"),
		vec2:     cr.Col("cvss v2 vector", "cvss v2.0 vector", "definition.cvss2.base_vector"),
		vec3:     cr.Col("cvss v3 vector", "cvss v3.0 vector", "definition.cvss3.base_vector"),
		synopsis: cr.Col("synopsis", "definition.synopsis"),
		output:   cr.Col("plugin output", "plugin text", "output"),
		cpe:      cr.Col("cpe", "definition.cpe"),
		xref:     cr.Col("xref", "cross references"),
		sevNum:   -1,
	}
	if c.plugin < 0 || c.host < 0 {
		return c, scan.Malformedf(scan.Position{Line: 1}, "the header has no plugin id and host columns: not a Nessus CSV export")
	}
	return c, nil
}

// portScanners are the plugins whose rows record open ports; Nessus
// Professional's CSV has no family column to say so.
var portScanners = map[string]bool{"11219": true, "10335": true, "14272": true, "34220": true, "34277": true, "14274": true}

// xmlRows renders CSV rows as a .nessus document, one ReportHost per run
// of rows for the same host, one ReportItem per run of rows for the same
// plugin, protocol and port.
type xmlRows struct {
	cr      *csvguard.Reader
	c       columns
	buf     bytes.Buffer
	off     int
	started bool
	done    bool
	err     error

	host     string
	itemKey  string
	pending  []string // the open ReportItem's row
	pendCVEs []string
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

// fill renders at least one row (or the end of the document) into buf.
func (x *xmlRows) fill() {
	if !x.started {
		x.started = true
		x.buf.WriteString("<NessusClientData_v2><Report name=\"CSV export\">")
	}
	for x.buf.Len() < 32<<10 {
		rec, err := x.cr.Next()
		if errors.Is(err, io.EOF) {
			x.flushItem()
			if x.host != "" {
				x.buf.WriteString("</ReportHost>")
			}
			x.buf.WriteString("</Report></NessusClientData_v2>")
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

func (x *xmlRows) get(rec []string, i int) string { return csvguard.Get(rec, i) }

func (x *xmlRows) row(rec []string) {
	c := x.c
	host := x.get(rec, c.host)
	if host == "" {
		host = x.get(rec, c.dns)
	}
	plugin := x.get(rec, c.plugin)
	if plugin == "" || host == "" {
		return
	}
	proto := strings.ToLower(x.get(rec, c.proto))
	key := plugin + "\x00" + proto + "\x00" + x.get(rec, c.port)
	if host == x.host && key == x.itemKey {
		x.pendCVEs = append(x.pendCVEs, cves(x.get(rec, c.cve))...)
		return
	}
	x.flushItem()
	if host != x.host {
		if x.host != "" {
			x.buf.WriteString("</ReportHost>")
		}
		x.host = host
		x.buf.WriteString(`<ReportHost name="`)
		esc(&x.buf, host)
		x.buf.WriteString(`"><HostProperties>`)
		tag(&x.buf, "host-ip", host)
		tag(&x.buf, "host-fqdn", x.get(rec, c.dns))
		tag(&x.buf, "netbios-name", x.get(rec, c.netbios))
		tag(&x.buf, "mac-address", x.get(rec, c.mac))
		x.buf.WriteString("</HostProperties>")
	}
	x.itemKey = key
	x.pending = rec
	x.pendCVEs = cves(x.get(rec, c.cve))
}

func (x *xmlRows) flushItem() {
	rec := x.pending
	if rec == nil {
		return
	}
	x.pending = nil
	c := x.c
	b := &x.buf
	plugin := x.get(rec, c.plugin)
	family := x.get(rec, c.family)
	if family == "" && portScanners[plugin] {
		family = "Port scanners"
	}
	port := x.get(rec, c.port)
	if port == "" {
		port = "0"
	}
	b.WriteString("<ReportItem")
	attr(b, "port", port)
	attr(b, "protocol", strings.ToLower(x.get(rec, c.proto)))
	attr(b, "pluginID", plugin)
	attr(b, "pluginName", x.get(rec, c.name))
	attr(b, "pluginFamily", family)
	b.WriteString(">")
	for _, id := range x.pendCVEs {
		elem(b, "cve", id)
	}
	elem(b, "risk_factor", x.get(rec, c.risk))
	elem(b, "synopsis", x.get(rec, c.synopsis))
	elem(b, "cvss_base_score", x.get(rec, c.cvss2))
	elem(b, "cvss_vector", x.get(rec, c.vec2))
	elem(b, "cvss3_base_score", x.get(rec, c.cvss3))
	elem(b, "cvss3_vector", x.get(rec, c.vec3))
	elem(b, "cpe", x.get(rec, c.cpe))
	for _, ref := range strings.FieldsFunc(x.get(rec, c.xref), func(r rune) bool { return r == ',' || r == '\n' }) {
		elem(b, "xref", strings.TrimSpace(ref))
	}
	out := csvguard.Get(rec, c.output)
	// Tenable.io prefixes cells that could start a spreadsheet formula
	// with an apostrophe; Tenable.sc labels the text.
	if len(out) > 1 && out[0] == '\'' && strings.ContainsRune("\n=+-@", rune(out[1])) {
		out = out[1:]
	}
	out = strings.TrimPrefix(out, "Plugin Output:")
	elem(b, "plugin_output", strings.TrimSpace(out))
	b.WriteString("</ReportItem>")
}

// cves splits a CVE cell: one id in Nessus Professional exports, a comma
// or space separated list in Tenable.sc and Tenable.io ones.
func cves(cell string) []string {
	return scan.FindCVEs(nil, cell)
}

func esc(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

func attr(b *bytes.Buffer, name, v string) {
	b.WriteString(" " + name + `="`)
	esc(b, v)
	b.WriteString(`"`)
}

func elem(b *bytes.Buffer, name, v string) {
	if v == "" {
		return
	}
	b.WriteString("<" + name + ">")
	esc(b, v)
	b.WriteString("</" + name + ">")
}

func tag(b *bytes.Buffer, name, v string) {
	if v == "" {
		return
	}
	b.WriteString(`<tag name="` + name + `">`)
	esc(b, v)
	b.WriteString("</tag>")
}
