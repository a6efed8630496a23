// Package testssl parses testssl.sh JSON output, both the flat array of
// --json / --jsonfile and the --json-pretty / --jsonfile-pretty object with
// its scanResult list, into tls_check items.
//
// What becomes an item:
//   - every finding rated LOW, MEDIUM, HIGH or CRITICAL;
//   - OK and INFO findings only for the checks rules need as facts either
//     way: the service, each protocol (SSLv2 … TLS1_3, so "not offered" is
//     recorded too), the cipher categories (cipherlist_*), the certificate's
//     validity, trust chain, key and signature, and the overall grade.
//
// Other OK/INFO findings (hundreds per target: single ciphers, client
// simulations, headers) and DEBUG lines are counted in Report.Skipped, not
// kept: they carry no problem and no fact the evidence rules use. WARN and
// FATAL lines mean testssl.sh could not run a check; they become report
// warnings, because a missing check must not read as a pass.
package testssl

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// Parse reads a whole testssl.sh JSON report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a testssl.sh JSON report and calls emit for each kept
// finding. It returns the report metadata without Items. An error from emit
// stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	p := parser{
		d:     jsonguard.NewDecoder(r),
		emit:  emit,
		rep:   scan.Report{Format: scan.FormatTestSSL, Tool: "testssl.sh"},
		hosts: map[string]bool{},
	}
	if err := p.run(); err != nil {
		return scan.Report{}, fmt.Errorf("testssl: %w", err)
	}
	p.rep.Finish()
	return p.rep, nil
}

// finding is one testssl.sh result line. testssl.sh writes every value as
// a string.
type finding struct {
	ID       string `json:"id"`
	IP       string `json:"ip"`
	Port     string `json:"port"`
	Severity string `json:"severity"`
	CVE      string `json:"cve"`
	CWE      string `json:"cwe"`
	Hint     string `json:"hint"`
	Finding  string `json:"finding"`
}

// target is where findings of the pretty format apply.
type target struct {
	host, ip, port string
}

type parser struct {
	d       *jsonguard.Decoder
	emit    func(scan.Item) error
	rep     scan.Report
	hosts   map[string]bool
	pending []finding // findings of a pretty target seen before its ip
}

func (p *parser) run() error {
	delim, err := p.d.Begin()
	if err != nil {
		return err
	}
	if delim == '[' {
		sawFinding := false
		for p.d.More() {
			var f finding
			if err := p.d.Value(&f); err != nil {
				return err
			}
			if f.ID == "" {
				return scan.Malformedf(scan.Position{Offset: p.d.Offset()}, "finding without id: not testssl.sh output")
			}
			sawFinding = true
			host, ip := splitNode(f.IP)
			if err := p.finding(f, "", target{host: host, ip: ip, port: f.Port}); err != nil {
				return err
			}
		}
		if err := p.d.Expect(']'); err != nil {
			return err
		}
		if !sawFinding {
			return scan.Malformedf(scan.Position{}, "empty finding list")
		}
		return p.d.End()
	}
	var scanTime string
	var top target
	sawResult := false
	err = p.d.Fields(func(key string) error {
		var s string
		switch key {
		case "Invocation":
			if err := p.value(&s); err != nil {
				return err
			}
			p.rep.Args = scan.FieldString(s)
		case "version":
			if err := p.value(&s); err != nil {
				return err
			}
			if f := strings.Fields(s); len(f) > 0 {
				p.rep.ToolVersion = scan.FieldString(f[0])
			}
		case "startTime":
			if err := p.value(&s); err != nil {
				return err
			}
			p.rep.Start = unixTime(s)
		case "scanTime":
			return p.value(&scanTime)
		case "target host", "targetHost":
			if err := p.value(&s); err != nil {
				return err
			}
			top.host = scan.FieldString(s)
		case "port":
			if err := p.value(&s); err != nil {
				return err
			}
			top.port = s
		case "scanResult":
			sawResult = true
			return p.d.Array(func() error { return p.target(top) })
		default:
			return p.d.Skip()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !sawResult {
		return scan.Malformedf(scan.Position{}, "no scanResult: not testssl.sh output")
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(scanTime)); err == nil && !p.rep.Start.IsZero() && secs >= 0 {
		p.rep.End = p.rep.Start.Add(time.Duration(secs) * time.Second)
	}
	return p.d.End()
}

// value decodes a scalar that testssl.sh writes as a string but that
// hand-edited or converted files may hold as a number.
func (p *parser) value(s *string) error {
	var raw json.RawMessage
	if err := p.d.Value(&raw); err != nil {
		return err
	}
	if len(raw) > 0 && raw[0] == '"' {
		return jsonguard.Classify(json.Unmarshal(raw, s))
	}
	*s = string(raw)
	return nil
}

// target reads one scanResult entry: its address fields and its sections,
// each an array of findings named after the testssl.sh output section.
func (p *parser) target(t target) error {
	if err := p.d.Expect('{'); err != nil {
		return err
	}
	p.pending = p.pending[:0]
	var sections []string
	err := p.d.Fields(func(key string) error {
		var s string
		switch key {
		case "target host", "targetHost":
			if err := p.value(&s); err != nil {
				return err
			}
			t.host = scan.FieldString(s)
			return nil
		case "ip":
			if err := p.value(&s); err != nil {
				return err
			}
			host, ip := splitNode(s)
			t.ip = ip
			if t.host == "" {
				t.host = host
			}
			return nil
		case "port":
			return p.value(&t.port)
		case "hostname", "rDNS":
			if err := p.value(&s); err != nil {
				return err
			}
			if t.host == "" {
				t.host = scan.FieldString(s)
			}
			return nil
		}
		// A section: read its findings, or skip a scalar such as "service".
		var raw json.RawMessage
		if err := p.d.Value(&raw); err != nil {
			return err
		}
		if len(raw) == 0 || raw[0] != '[' {
			if key == "service" {
				_ = json.Unmarshal(raw, &s)
				p.pending = append(p.pending, finding{ID: "service", Severity: "INFO", Finding: s})
				sections = append(sections, "service")
			}
			return nil
		}
		var fs []finding
		if err := jsonguard.Classify(json.Unmarshal(raw, &fs)); err != nil {
			return err
		}
		for _, f := range fs {
			p.pending = append(p.pending, f)
			sections = append(sections, key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, f := range p.pending {
		if err := p.finding(f, sections[i], t); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) finding(f finding, section string, t target) error {
	id := scan.FieldString(f.ID)
	if id == "" {
		p.rep.Skipped++
		return nil
	}
	sev := strings.ToUpper(strings.TrimSpace(f.Severity))
	text := strings.TrimSpace(f.Finding)
	switch sev {
	case "DEBUG":
		p.rep.Skipped++
		return nil
	case "WARN", "FATAL":
		p.rep.Warn("testssl.sh %s %s: %s", strings.ToLower(sev), id, scan.FieldString(text))
		return nil
	case "OK", "INFO":
		if !isFact(id) {
			p.rep.Skipped++
			return nil
		}
	}
	severity, ok := scan.SeverityFromLevel(sev)
	if !ok {
		p.rep.Warn("testssl.sh finding %s has unknown severity %q", id, scan.FieldString(f.Severity))
	}
	ip := t.ip
	if ip == "" {
		ip = t.host
	}
	if ip != "" && !p.hosts[ip] {
		p.hosts[ip] = true
		h := scan.Host{Address: ip}
		if t.host != ip {
			h.Hostname = t.host
		}
		p.rep.AddHost(h)
	}
	it := scan.Item{
		Kind:     scan.KindTLSCheck,
		Severity: severity,
		Host:     scan.HostRef{Address: ip},
		Port:     atoi(t.port),
		Protocol: "tcp",
		ToolID:   id,
		Family:   section,
		CVEs:     scan.FindCVEs(nil, f.CVE),
		Summary:  scan.FieldString(f.Hint),
	}
	if t.host != ip {
		it.Host.Hostname = t.host
	}
	for _, c := range strings.Fields(f.CWE) {
		if n, ok := strings.CutPrefix(strings.ToUpper(c), "CWE-"); ok {
			it.CWEs = scan.AppendUnique(it.CWEs, "CWE-"+n)
		}
	}
	it.Output, it.OutputTruncated = scan.Output(text)
	title := id
	if text != "" {
		title += ": " + text
	}
	it.Title, _ = scan.Clip(title, 200)
	it.Key = scan.Key(scan.FormatTestSSL, ip, strconv.Itoa(it.Port), id)
	return p.emit(it)
}

// factIDs are the OK/INFO checks kept as items (see the package comment).
var factIDs = map[string]bool{
	"service": true, "SSLv2": true, "SSLv3": true, "TLS1": true, "TLS1_1": true, "TLS1_2": true, "TLS1_3": true,
	"cert_notBefore": true, "cert_notAfter": true, "cert_expirationStatus": true, "cert_chain_of_trust": true,
	"cert_trust": true, "cert_keySize": true, "cert_signatureAlgorithm": true, "cert_commonName": true,
	"overall_grade": true,
}

func isFact(id string) bool {
	// Multi-certificate servers suffix certificate checks: "cert_trust <hostCert#1>".
	base, _, _ := strings.Cut(id, " ")
	return factIDs[base] || strings.HasPrefix(base, "cipherlist_")
}

// splitNode splits testssl.sh's "host/ip" node notation.
func splitNode(s string) (host, ip string) {
	s = scan.FieldString(s)
	if h, i, ok := strings.Cut(s, "/"); ok {
		return h, i
	}
	return s, s
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 65535 {
		return 0
	}
	return n
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}
