// Package sslyze parses sslyze JSON output (--json_out FILE), both the
// sslyze 5+ layout (server_scan_results[].scan_result.<command>.{status,
// result}) and the sslyze 3/4 one (scan_commands_results.<command>), into
// tls_check items, one per fact or weakness per server:
//
//   - each SSL/TLS version scanned, offered or not (SSLv2 critical, SSLv3
//     high, TLS 1.0 and 1.1 low when offered; the rest info facts);
//   - weak accepted cipher suites by family: NULL, anonymous and export or
//     DES-strength (under 112-bit) suites high, RC4 and 3DES medium;
//   - Heartbleed (critical), CCS injection and ROBOT (high), insecure or
//     client-initiated renegotiation and TLS compression (medium), no
//     TLS_FALLBACK_SCSV and no HSTS (low);
//   - the certificate: not trusted by any trust store (high), expired at
//     scan time (high), not matching the host name or signed with SHA-1
//     (medium).
//
// A scan command sslyze could not run becomes a report warning: a missing
// check must not read as a pass.
package sslyze

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// Parse reads a whole sslyze JSON report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads an sslyze JSON report and calls emit for each item, server
// by server. It returns the report metadata without Items. An error from
// emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	p := parser{d: jsonguard.NewDecoder(r), emit: emit, rep: scan.Report{Format: scan.FormatSSLyze, Tool: "sslyze"}}
	if err := p.run(); err != nil {
		return scan.Report{}, fmt.Errorf("sslyze: %w", err)
	}
	p.rep.Finish()
	return p.rep, nil
}

type parser struct {
	d       *jsonguard.Decoder
	emit    func(scan.Item) error
	rep     scan.Report
	scanned time.Time
	servers int
}

func (p *parser) run() error {
	delim, err := p.d.Begin()
	if err != nil {
		return err
	}
	if delim != '{' {
		return scan.Malformedf(scan.Position{}, "document is an array, not an sslyze report")
	}
	sawResults := false
	err = p.d.Fields(func(key string) error {
		var s string
		switch key {
		case "sslyze_version":
			if err := p.d.Value(&s); err != nil {
				return err
			}
			p.rep.ToolVersion = scan.FieldString(s)
		case "date_scans_started":
			if err := p.d.Value(&s); err != nil {
				return err
			}
			p.rep.Start = parseTime(s)
		case "date_scans_completed":
			if err := p.d.Value(&s); err != nil {
				return err
			}
			p.rep.End = parseTime(s)
			p.scanned = p.rep.End
		case "server_connectivity_errors":
			var errs []json.RawMessage
			if err := p.d.Value(&errs); err != nil {
				return err
			}
			for _, e := range errs {
				p.rep.Warn("sslyze could not connect: %s", scan.FieldString(string(e)))
			}
		case "server_scan_results":
			sawResults = true
			return p.d.Array(func() error {
				var srv server
				if err := p.d.Value(&srv); err != nil {
					return err
				}
				return p.server(srv)
			})
		default:
			return p.d.Skip()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !sawResults {
		return scan.Malformedf(scan.Position{}, "no server_scan_results: not sslyze output")
	}
	return p.d.End()
}

type location struct {
	Hostname  string `json:"hostname"`
	IPAddress string `json:"ip_address"`
	Port      int    `json:"port"`
}

// command is one scan command's outcome in either layout.
type command struct {
	Status string          `json:"status"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error_reason"`
}

type server struct {
	// sslyze 5+
	Location           *location          `json:"server_location"`
	ConnectivityStatus string             `json:"connectivity_status"`
	ScanResult         map[string]command `json:"scan_result"`
	// sslyze 3/4
	ServerInfo *struct {
		Location *location `json:"server_location"`
	} `json:"server_info"`
	Results map[string]json.RawMessage `json:"scan_commands_results"`
	Errors  map[string]json.RawMessage `json:"scan_commands_errors"`
}

// results returns each completed command's result, warning about the
// ones that failed.
func (p *parser) results(srv server, where string) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for name, c := range srv.ScanResult {
		switch c.Status {
		case "COMPLETED":
			out[name] = c.Result
		case "ERROR":
			p.rep.Warn("%s: sslyze %s failed: %s", where, scan.FieldString(name), scan.FieldString(c.Error))
		}
	}
	for name, raw := range srv.Results {
		out[name] = raw
	}
	names := make([]string, 0, len(srv.Errors))
	for name := range srv.Errors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p.rep.Warn("%s: sslyze %s failed", where, scan.FieldString(name))
	}
	return out
}

func (p *parser) server(srv server) error {
	loc := srv.Location
	if loc == nil && srv.ServerInfo != nil {
		loc = srv.ServerInfo.Location
	}
	if loc == nil {
		return scan.Malformedf(scan.Position{Offset: p.d.Offset()}, "server result without server_location")
	}
	host := scan.HostRef{Address: scan.FieldString(loc.IPAddress), Hostname: scan.FieldString(loc.Hostname)}
	if host.Address == "" {
		host.Address, host.Hostname = host.Hostname, ""
	}
	if host.Hostname == host.Address {
		host.Hostname = ""
	}
	port := loc.Port
	if port < 0 || port > 65535 {
		port = 0
	}
	where := fmt.Sprintf("%s:%d", host.Address, port)
	p.servers++
	p.rep.AddHost(scan.Host{Address: host.Address, Hostname: host.Hostname})
	if srv.ConnectivityStatus != "" && srv.ConnectivityStatus != "COMPLETED" {
		p.rep.Warn("%s: sslyze could not connect (%s); nothing was checked", where, scan.FieldString(srv.ConnectivityStatus))
		return nil
	}
	e := emitter{p: p, base: scan.Item{Kind: scan.KindTLSCheck, Host: host, Port: port, Protocol: "tcp"}}
	for _, check := range checks {
		raw, ok := e.res(srv, where)[check.command]
		if !ok || len(raw) == 0 || string(raw) == "null" {
			continue
		}
		if err := check.fn(&e, raw); err != nil {
			return err
		}
	}
	return nil
}

// emitter builds the items of one server.
type emitter struct {
	p     *parser
	base  scan.Item
	cache map[string]json.RawMessage
}

func (e *emitter) res(srv server, where string) map[string]json.RawMessage {
	if e.cache == nil {
		e.cache = e.p.results(srv, where)
	}
	return e.cache
}

// add emits one item with tool id "sslyze:<id>".
func (e *emitter) add(id, family string, sev scan.Severity, title, output string, cves ...string) error {
	it := e.base
	it.ToolID = "sslyze:" + id
	it.Family = family
	it.Severity = sev
	it.Title = scan.FieldString(title)
	it.Output, it.OutputTruncated = scan.Output(output)
	it.CVEs = cves
	it.Key = scan.Key(scan.FormatSSLyze, it.Host.Address, strconv.Itoa(it.Port), it.ToolID)
	return e.p.emit(it)
}

type check struct {
	command string
	fn      func(e *emitter, raw json.RawMessage) error
}

var protocols = []struct {
	command, id, name string
	sev               scan.Severity
}{
	{"ssl_2_0_cipher_suites", "SSLv2", "SSLv2", scan.SeverityCritical},
	{"ssl_3_0_cipher_suites", "SSLv3", "SSLv3", scan.SeverityHigh},
	{"tls_1_0_cipher_suites", "TLS1", "TLS 1.0", scan.SeverityLow},
	{"tls_1_1_cipher_suites", "TLS1_1", "TLS 1.1", scan.SeverityLow},
	{"tls_1_2_cipher_suites", "TLS1_2", "TLS 1.2", scan.SeverityInfo},
	{"tls_1_3_cipher_suites", "TLS1_3", "TLS 1.3", scan.SeverityInfo},
}

// checks run in report order: protocols (with their cipher suites), then
// vulnerabilities, then the certificate.
var checks = func() []check {
	var cs []check
	for _, pr := range protocols {
		cs = append(cs, check{pr.command, func(e *emitter, raw json.RawMessage) error { return e.protocol(pr.id, pr.name, pr.sev, raw) }})
	}
	return append(cs,
		check{"heartbleed", (*emitter).heartbleed},
		check{"openssl_ccs_injection", (*emitter).ccs},
		check{"robot", (*emitter).robot},
		check{"session_renegotiation", (*emitter).renegotiation},
		check{"tls_compression", (*emitter).compression},
		check{"tls_fallback_scsv", (*emitter).fallback},
		check{"http_headers", (*emitter).hsts},
		check{"certificate_info", (*emitter).certificate},
	)
}()

type suite struct {
	CipherSuite struct {
		Name        string `json:"name"`
		OpenSSLName string `json:"openssl_name"`
		KeySize     int    `json:"key_size"`
		IsAnonymous bool   `json:"is_anonymous"`
	} `json:"cipher_suite"`
}

func (e *emitter) protocol(id, name string, sev scan.Severity, raw json.RawMessage) error {
	var r struct {
		Accepted  []suite `json:"accepted_cipher_suites"`
		Supported *bool   `json:"is_tls_version_supported"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil
	}
	offered := len(r.Accepted) > 0
	if r.Supported != nil {
		offered = *r.Supported
	}
	if !offered {
		if err := e.add(id, "protocols", scan.SeverityInfo, name+": not offered", "not offered"); err != nil {
			return err
		}
		return nil
	}
	finding := "offered"
	if sev.Rank() > scan.SeverityInfo.Rank() {
		finding = "offered (deprecated)"
	}
	if err := e.add(id, "protocols", sev, name+": "+finding, fmt.Sprintf("%s offered with %d cipher suites", name, len(r.Accepted))); err != nil {
		return err
	}
	return e.weakCiphers(id, name, r.Accepted)
}

// weakCiphers groups a protocol's weak accepted suites by family.
func (e *emitter) weakCiphers(id, proto string, accepted []suite) error {
	type family struct {
		id, title string
		sev       scan.Severity
		cves      []string
		names     []string
	}
	fams := []*family{
		{id: "NULL", title: "NULL (unencrypted) cipher suites accepted", sev: scan.SeverityHigh},
		{id: "aNULL", title: "anonymous (unauthenticated) cipher suites accepted", sev: scan.SeverityHigh},
		{id: "EXPORT", title: "export or DES-strength (under 112-bit) cipher suites accepted", sev: scan.SeverityHigh},
		{id: "RC4", title: "RC4 cipher suites accepted", sev: scan.SeverityMedium, cves: []string{"CVE-2013-2566", "CVE-2015-2808"}},
		{id: "3DES", title: "3DES (64-bit block) cipher suites accepted", sev: scan.SeverityMedium, cves: []string{"CVE-2016-2183"}},
	}
	for _, s := range accepted {
		n := strings.ToUpper(s.CipherSuite.Name + " " + s.CipherSuite.OpenSSLName)
		switch {
		case strings.Contains(n, "_NULL_") || strings.HasSuffix(strings.ToUpper(s.CipherSuite.Name), "_NULL") || strings.Contains(n, "NULL-"):
			fams[0].names = append(fams[0].names, s.CipherSuite.Name)
		case s.CipherSuite.IsAnonymous || strings.Contains(n, "_ANON_") || strings.Contains(n, "ADH-") || strings.Contains(n, "AECDH-"):
			fams[1].names = append(fams[1].names, s.CipherSuite.Name)
		case strings.Contains(n, "RC4"):
			fams[3].names = append(fams[3].names, s.CipherSuite.Name)
		case strings.Contains(n, "3DES") || strings.Contains(n, "DES_CBC3") || strings.Contains(n, "DES-CBC3"):
			fams[4].names = append(fams[4].names, s.CipherSuite.Name)
		case s.CipherSuite.KeySize > 0 && s.CipherSuite.KeySize < 112 || strings.Contains(n, "EXPORT"):
			fams[2].names = append(fams[2].names, s.CipherSuite.Name)
		}
	}
	for _, f := range fams {
		if len(f.names) == 0 {
			continue
		}
		if err := e.add("cipher_"+f.id+"_"+id, "ciphers", f.sev, proto+": "+f.title, strings.Join(f.names, "\n"), f.cves...); err != nil {
			return err
		}
	}
	return nil
}

func (e *emitter) boolResult(raw json.RawMessage, field string) (bool, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false, false
	}
	v, ok := m[field]
	if !ok {
		return false, false
	}
	var b bool
	if json.Unmarshal(v, &b) != nil {
		return false, false
	}
	return b, true
}

func (e *emitter) heartbleed(raw json.RawMessage) error {
	if v, ok := e.boolResult(raw, "is_vulnerable_to_heartbleed"); ok && v {
		return e.add("heartbleed", "vulnerabilities", scan.SeverityCritical, "Heartbleed: vulnerable", "is_vulnerable_to_heartbleed: true", "CVE-2014-0160")
	}
	return nil
}

func (e *emitter) ccs(raw json.RawMessage) error {
	if v, ok := e.boolResult(raw, "is_vulnerable_to_ccs_injection"); ok && v {
		return e.add("CCS", "vulnerabilities", scan.SeverityHigh, "OpenSSL CCS injection: vulnerable", "is_vulnerable_to_ccs_injection: true", "CVE-2014-0224")
	}
	return nil
}

func (e *emitter) robot(raw json.RawMessage) error {
	var r struct {
		Result string `json:"robot_result"`
	}
	if json.Unmarshal(raw, &r) == nil && strings.HasPrefix(r.Result, "VULNERABLE") {
		return e.add("ROBOT", "vulnerabilities", scan.SeverityHigh, "ROBOT: "+strings.ToLower(strings.ReplaceAll(r.Result, "_", " ")), "robot_result: "+r.Result)
	}
	return nil
}

func (e *emitter) renegotiation(raw json.RawMessage) error {
	if v, ok := e.boolResult(raw, "supports_secure_renegotiation"); ok && !v {
		if err := e.add("secure_renego", "vulnerabilities", scan.SeverityMedium, "Secure renegotiation not supported", "supports_secure_renegotiation: false", "CVE-2009-3555"); err != nil {
			return err
		}
	}
	dos, ok := e.boolResult(raw, "is_vulnerable_to_client_renegotiation_dos")
	if !ok {
		dos, ok = e.boolResult(raw, "accepts_client_renegotiation")
	}
	if ok && dos {
		return e.add("secure_client_renego", "vulnerabilities", scan.SeverityMedium, "Client-initiated renegotiation accepted (DoS)", "client renegotiation accepted")
	}
	return nil
}

func (e *emitter) compression(raw json.RawMessage) error {
	if v, ok := e.boolResult(raw, "supports_compression"); ok && v {
		return e.add("CRIME_TLS", "vulnerabilities", scan.SeverityMedium, "TLS compression supported (CRIME)", "supports_compression: true", "CVE-2012-4929")
	}
	return nil
}

func (e *emitter) fallback(raw json.RawMessage) error {
	if v, ok := e.boolResult(raw, "supports_fallback_scsv"); ok && !v {
		return e.add("fallback_SCSV", "vulnerabilities", scan.SeverityLow, "TLS_FALLBACK_SCSV not supported (downgrade protection)", "supports_fallback_scsv: false")
	}
	return nil
}

func (e *emitter) hsts(raw json.RawMessage) error {
	var r struct {
		HSTS json.RawMessage `json:"strict_transport_security_header"`
	}
	if json.Unmarshal(raw, &r) == nil && (len(r.HSTS) == 0 || string(r.HSTS) == "null") {
		return e.add("HSTS", "headers", scan.SeverityLow, "HSTS not offered", "no Strict-Transport-Security header")
	}
	return nil
}

type deployment struct {
	MatchesHostname *bool `json:"leaf_certificate_subject_matches_hostname"`
	SHA1            bool  `json:"verified_chain_has_sha1_signature"`
	Paths           []struct {
		TrustStore struct {
			Name string `json:"name"`
		} `json:"trust_store"`
		Successful *bool           `json:"was_validation_successful"`
		Chain      json.RawMessage `json:"verified_certificate_chain"`
		OpenSSLErr *string         `json:"openssl_error_string"`
		Error      *string         `json:"validation_error"`
	} `json:"path_validation_results"`
	Received []struct {
		NotAfter string `json:"not_valid_after"`
	} `json:"received_certificate_chain"`
}

func (e *emitter) certificate(raw json.RawMessage) error {
	var r struct {
		Deployments []deployment `json:"certificate_deployments"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return nil
	}
	for i, d := range r.Deployments {
		sfx := ""
		if i > 0 {
			sfx = "_" + strconv.Itoa(i+1)
		}
		trusted, failed := 0, []string{}
		for _, pv := range d.Paths {
			ok := pv.Successful != nil && *pv.Successful
			if pv.Successful == nil {
				ok = len(pv.Chain) > 0 && string(pv.Chain) != "null" && (pv.OpenSSLErr == nil || *pv.OpenSSLErr == "")
			}
			if ok {
				trusted++
			} else {
				failed = append(failed, scan.FieldString(pv.TrustStore.Name))
			}
		}
		if len(d.Paths) > 0 && trusted == 0 {
			if err := e.add("cert_chain_of_trust"+sfx, "certificate", scan.SeverityHigh, "Certificate not trusted by any trust store",
				"validation failed against: "+strings.Join(failed, ", ")); err != nil {
				return err
			}
		}
		if d.MatchesHostname != nil && !*d.MatchesHostname {
			if err := e.add("cert_subject_matches_hostname"+sfx, "certificate", scan.SeverityMedium, "Certificate does not match the host name", "leaf_certificate_subject_matches_hostname: false"); err != nil {
				return err
			}
		}
		if d.SHA1 {
			if err := e.add("cert_signatureAlgorithm"+sfx, "certificate", scan.SeverityMedium, "Certificate chain signed with SHA-1", "verified_chain_has_sha1_signature: true"); err != nil {
				return err
			}
		}
		if len(d.Received) > 0 && !e.p.scanned.IsZero() {
			if after := parseTime(d.Received[0].NotAfter); !after.IsZero() && after.Before(e.p.scanned) {
				if err := e.add("cert_expirationStatus"+sfx, "certificate", scan.SeverityHigh, "Certificate expired",
					"not valid after "+after.Format(time.RFC3339)+", scanned "+e.p.scanned.Format(time.RFC3339)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// parseTime reads sslyze's ISO 8601 times, which carry no zone (UTC).
func parseTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05.999999", time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
