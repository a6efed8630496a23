// Package nmap parses nmap XML output (-oX) into scan items: one open_port
// item per open or open|filtered port and one script item per NSE script
// result (port and host scripts), for hosts whose status is up.
//
// Items of a host are emitted when its </host> closes, because nmap writes
// the host's addresses and names before its ports but a hostile or edited
// file need not; memory per host is bounded by its own items.
package nmap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/xmlstream"
)

// Parse reads a whole nmap XML report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads an nmap XML report and calls emit for each item as its host
// completes. It returns the report metadata without Items. An error from
// emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	p := parser{
		d:    xmlstream.NewDecoder(r, xmlstream.Options{}),
		emit: emit,
		rep:  scan.Report{Format: scan.FormatNmap, Tool: "nmap"},
	}
	if err := p.run(); err != nil {
		return scan.Report{}, fmt.Errorf("nmap: %w", err)
	}
	if n := p.d.Replaced(); n > 0 {
		p.rep.Warn("%d invalid UTF-8 sequences or control characters replaced with U+FFFD", n)
	}
	p.rep.Finish()
	return p.rep, nil
}

type parser struct {
	d    *xmlstream.Decoder
	emit func(scan.Item) error
	rep  scan.Report
	host host
}

// host collects one <host> element; it is reused between hosts.
type host struct {
	up       bool
	ipv4     string
	ipv6     string
	mac      string
	hostname string
	ptr      string
	os       string
	items    []scan.Item
}

func (h *host) reset() {
	items := h.items[:0]
	clear(h.items)
	*h = host{items: items}
}

func (p *parser) run() error {
	t, err := p.d.Next()
	for err == nil && t.Kind != xmlstream.StartElement {
		t, err = p.d.Next()
	}
	if err != nil {
		return err
	}
	if !t.Is("nmaprun") {
		return scan.Malformedf(p.d.Pos(), "root element is <%s>, not <nmaprun>", scan.Field(t.Name))
	}
	if v, ok := t.Attr("version"); ok {
		p.rep.ToolVersion = scan.Field(v)
	}
	if v, ok := t.Attr("args"); ok {
		p.rep.Args = scan.Field(v)
	}
	if v, ok := t.Attr("start"); ok {
		p.rep.Start = unixTime(v)
	}
	if v, ok := t.Attr("scanner"); ok && len(v) > 0 && string(v) != "nmap" {
		p.rep.Tool = scan.Field(v)
	}
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if t.Kind == xmlstream.EndElement && p.d.Depth() == 0 {
			break
		}
		if t.Kind != xmlstream.StartElement {
			continue
		}
		switch string(t.Name) {
		case "host":
			err = p.parseHost()
		case "runstats":
			err = p.parseRunstats()
		default:
			err = p.d.Skip()
		}
		if err != nil {
			return err
		}
	}
	// Trailing comments or white space only.
	for {
		if _, err := p.d.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func (p *parser) parseRunstats() error {
	depth := p.d.Depth()
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() < depth {
			return nil
		}
		switch {
		case t.Is("finished"):
			if v, ok := t.Attr("time"); ok {
				p.rep.End = unixTime(v)
			}
			if v, ok := t.Attr("exit"); ok && string(v) == "error" {
				msg, _ := t.Attr("errormsg")
				p.rep.Warn("nmap exited with an error: %s", scan.Field(msg))
			}
		case t.Is("hosts"):
			up, _ := t.Attr("up")
			down, _ := t.Attr("down")
			total, _ := t.Attr("total")
			p.rep.HostStats = &scan.HostStats{Up: atoi(up), Down: atoi(down), Total: atoi(total)}
		}
	}
}

func (p *parser) parseHost() error {
	h := &p.host
	h.reset()
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
		switch string(t.Name) {
		case "status":
			v, _ := t.Attr("state")
			h.up = string(v) == "up"
		case "address":
			addr, _ := t.Attr("addr")
			typ, _ := t.Attr("addrtype")
			switch string(typ) {
			case "ipv4":
				if h.ipv4 == "" {
					h.ipv4 = scan.Field(addr)
				}
			case "ipv6":
				if h.ipv6 == "" {
					h.ipv6 = scan.Field(addr)
				}
			case "mac":
				if h.mac == "" {
					h.mac = scan.Field(addr)
				}
			}
		case "hostname":
			name, _ := t.Attr("name")
			typ, _ := t.Attr("type")
			if string(typ) == "user" && h.hostname == "" {
				h.hostname = scan.Field(name)
			} else if h.ptr == "" {
				h.ptr = scan.Field(name)
			}
		case "hostnames", "ports":
			// Descend: their children are handled here.
		case "port":
			err = p.parsePort(t)
		case "osmatch":
			if h.os == "" {
				name, _ := t.Attr("name")
				h.os = scan.Field(name)
			}
			err = p.d.Skip()
		case "os":
			// Descend to osmatch.
		case "hostscript":
			err = p.parseScripts(0, "")
		default:
			err = p.d.Skip()
		}
		if err != nil {
			return err
		}
	}
	return p.finishHost()
}

func (p *parser) finishHost() error {
	h := &p.host
	if !h.up {
		p.rep.Skipped += len(h.items)
		return nil
	}
	addr := h.ipv4
	if addr == "" {
		addr = h.ipv6
	}
	if addr == "" {
		addr = h.mac
	}
	name := h.hostname
	if name == "" {
		name = h.ptr
	}
	if addr == "" {
		addr = name
	}
	p.rep.AddHost(scan.Host{Address: addr, Hostname: name, MAC: h.mac, OS: h.os})
	ref := scan.HostRef{Address: addr, Hostname: name}
	for i := range h.items {
		it := &h.items[i]
		it.Host = ref
		port := strconv.Itoa(it.Port)
		if it.Kind == scan.KindOpenPort {
			it.Key = scan.Key(scan.FormatNmap, addr, it.Protocol, port, "port")
		} else {
			it.Key = scan.Key(scan.FormatNmap, addr, it.Protocol, port, "script", it.ToolID)
			if it.Kind == scan.KindVulnerability && len(it.CVEs) == 1 {
				it.Key = scan.Key(scan.FormatNmap, addr, it.Protocol, port, "script", it.ToolID, it.CVEs[0])
			}
		}
		if err := p.emit(*it); err != nil {
			return err
		}
	}
	return nil
}

type service struct {
	name, product, version, extra, tunnel string
	cpes                                  []string
}

func (p *parser) parsePort(start *xmlstream.Token) error {
	proto, _ := start.Attr("protocol")
	portID, _ := start.Attr("portid")
	protocol := scan.Field(proto)
	port := atoi(portID)
	depth := p.d.Depth()
	var state string
	var svc service
	first := len(p.host.items)
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
		switch string(t.Name) {
		case "state":
			v, _ := t.Attr("state")
			state = scan.Field(v)
			err = p.d.Skip()
		case "service":
			err = p.parseService(t, &svc)
		case "script":
			err = p.parseScript(t, port, protocol)
		default:
			err = p.d.Skip()
		}
		if err != nil {
			return err
		}
	}
	// Scripts came before we knew the service; fill it in.
	for i := first; i < len(p.host.items); i++ {
		it := &p.host.items[i]
		it.Service, it.Tunnel, it.Product, it.Version = svc.name, svc.tunnel, svc.product, svc.version
	}
	if state != "open" && state != "open|filtered" {
		return nil
	}
	// The port goes before its scripts.
	p.host.items = slices.Insert(p.host.items, first, scan.Item{
		Kind:      scan.KindOpenPort,
		Title:     portTitle(port, protocol, state, &svc),
		Severity:  scan.SeverityInfo,
		Port:      port,
		Protocol:  protocol,
		State:     state,
		Service:   svc.name,
		Tunnel:    svc.tunnel,
		Product:   svc.product,
		Version:   svc.version,
		ExtraInfo: svc.extra,
		CPEs:      svc.cpes,
		ToolID:    "port",
	})
	return nil
}

func portTitle(port int, protocol, state string, svc *service) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(port))
	b.WriteByte('/')
	b.WriteString(protocol)
	b.WriteByte(' ')
	b.WriteString(state)
	if svc.name != "" {
		b.WriteByte(' ')
		if svc.tunnel != "" {
			b.WriteString(svc.tunnel)
			b.WriteByte('/')
		}
		b.WriteString(svc.name)
	}
	if svc.product != "" {
		b.WriteString(" (")
		b.WriteString(svc.product)
		if svc.version != "" {
			b.WriteByte(' ')
			b.WriteString(svc.version)
		}
		b.WriteByte(')')
	}
	s, _ := scan.Clip(b.String(), scan.MaxField)
	return s
}

func (p *parser) parseService(t *xmlstream.Token, svc *service) error {
	for _, a := range t.Attrs {
		switch string(a.Name) {
		case "name":
			svc.name = scan.Field(a.Value)
		case "product":
			svc.product = scan.Field(a.Value)
		case "version":
			svc.version = scan.Field(a.Value)
		case "extrainfo":
			svc.extra = scan.Field(a.Value)
		case "tunnel":
			svc.tunnel = scan.Field(a.Value)
		}
	}
	if svc.tunnel == "" && tlsOnly(svc) {
		svc.tunnel = "ssl"
	}
	depth := p.d.Depth()
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() < depth {
			return nil
		}
		if t.Is("cpe") {
			s, err := p.d.FieldText()
			if err != nil {
				return err
			}
			svc.cpes = scan.AppendUnique(svc.cpes, s)
		}
	}
}

// tlsOnly reports a service that -sV saw speaking only TLS although nmap
// did not mark a tunnel: "Apache httpd (SSL-only mode)", "https", "ssl/http".
func tlsOnly(svc *service) bool {
	return strings.Contains(strings.ToLower(svc.extra), "ssl-only") ||
		strings.Contains(strings.ToLower(svc.product), "ssl-only") ||
		svc.name == "https" || svc.name == "ssl" || strings.HasPrefix(svc.name, "ssl/")
}

// parseScripts reads the script children of <hostscript>.
func (p *parser) parseScripts(port int, protocol string) error {
	depth := p.d.Depth()
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() < depth {
			return nil
		}
		if t.Is("script") {
			err = p.parseScript(t, port, protocol)
		} else if t.Kind == xmlstream.StartElement {
			err = p.d.Skip()
		}
		if err != nil {
			return err
		}
	}
}

func (p *parser) parseScript(t *xmlstream.Token, port int, protocol string) error {
	idv, _ := t.Attr("id")
	out, _ := t.Attr("output")
	id := scan.Field(idv)
	if id == "" {
		p.rep.Skipped++
		return p.d.Skip()
	}
	it := scan.Item{
		Kind:     scan.KindScript,
		Severity: scan.SeverityInfo,
		Port:     port,
		Protocol: protocol,
		ToolID:   id,
		CVEs:     scan.FindCVEs(nil, out),
	}
	it.Output, it.OutputTruncated = scan.OutputBytes(out)
	it.Title = scriptTitle(id, out)
	p.host.items = append(p.host.items, interpret(it, out)...)
	// Structured <elem>/<table> children repeat the output attribute.
	return p.d.Skip()
}

// scriptTitle is the script id and the first non-blank line of its output.
func scriptTitle(id string, out []byte) string {
	const maxLine = 120
	for len(out) > 0 {
		line := out
		if i := bytes.IndexByte(out, '\n'); i >= 0 {
			line, out = out[:i], out[i+1:]
		} else {
			out = nil
		}
		line = bytes.TrimSpace(line)
		// The vulns library's "VULNERABLE:" header precedes the real title.
		if len(line) == 0 || bytes.HasSuffix(line, []byte("VULNERABLE:")) {
			continue
		}
		if len(line) > maxLine {
			s, _ := scan.Clip(string(line[:min(len(line), maxLine+4)]), maxLine)
			return id + ": " + s + "…"
		}
		return id + ": " + string(line)
	}
	return id
}

// vulnSeverity reads the report format of nmap's vulns library ("State:
// VULNERABLE", "Risk factor: High"). Scripts that do not use it are
// informational; their CVEs, if any, are still extracted.
func vulnSeverity(out []byte) (scan.Severity, bool) {
	if !bytes.Contains(out, []byte("State: VULNERABLE")) && !bytes.Contains(out, []byte("State: LIKELY VULNERABLE")) {
		return "", false
	}
	i := bytes.Index(out, []byte("Risk factor: "))
	if i < 0 {
		// Most vulns-library scripts print no risk factor: a confirmed
		// vulnerability is rated medium until a person rates it, a likely
		// one low, so neither is overstated.
		if bytes.Contains(out, []byte("State: LIKELY VULNERABLE")) {
			return scan.SeverityLow, true
		}
		return scan.SeverityMedium, true
	}
	rest := out[i+len("Risk factor: "):]
	end := 0
	for end < len(rest) && rest[end] >= 'A' && rest[end] <= 'z' {
		end++
	}
	if sev, ok := scan.SeverityFromLevel(string(rest[:end])); ok {
		return sev, true
	}
	return scan.SeverityUnknown, true
}

func atoi(b []byte) int {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func unixTime(b []byte) time.Time {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}
