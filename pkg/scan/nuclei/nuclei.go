// Package nuclei parses ProjectDiscovery Nuclei results: the JSON Lines of
// -jsonl / -json (-o FILE), one result object per line, and the JSON array
// of -json-export. Both the current field names ("template-id",
// "matched-at", info.classification) and those of Nuclei 2.3 and older
// ("templateID", "matched") are read.
//
// Each result is one item: a vulnerability when its severity is low or
// above or it names a CVE, otherwise info (technology and service
// detections). The template id is the tool id; CVE, CWE and CVSS come from
// info.classification.
package nuclei

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// Parse reads a whole Nuclei results file.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads Nuclei results and calls emit for each. It returns the
// report metadata without Items. An error from emit stops parsing and is
// returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	rep := scan.Report{Format: scan.FormatNuclei, Tool: "Nuclei"}
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	if err != nil {
		return scan.Report{}, fmt.Errorf("nuclei: %w", err)
	}
	p := parser{d: jsonguard.NewDecoder(br), rep: &rep, emit: emit, hosts: map[string]bool{}, seen: map[string]bool{}}
	if first == '[' {
		err = p.d.Array(p.one)
		if err == nil {
			err = p.d.End()
		}
	} else {
		for err == nil && p.d.More() {
			err = p.one()
		}
		if err == nil {
			err = p.d.End()
		}
	}
	if err != nil {
		return scan.Report{}, fmt.Errorf("nuclei: %w", err)
	}
	if p.n == 0 && first != '[' {
		return scan.Report{}, fmt.Errorf("nuclei: %w", scan.Malformedf(scan.Position{}, "no results"))
	}
	if p.dups > 0 {
		rep.Warn("%d results repeat one already read (same template, matcher and location); kept once", p.dups)
	}
	rep.Finish()
	return rep, nil
}

// firstByte returns the first non-space byte without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, scan.Malformedf(scan.Position{}, "empty input")
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.Discard(1)
		case 0xEF:
			if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
				_, _ = br.Discard(3)
				continue
			}
			return b[0], nil
		default:
			return b[0], nil
		}
	}
}

// strs accepts a JSON string (comma-separated in old releases), a list of
// strings, or null.
type strs []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *strs) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				*s = append(*s, part)
			}
		}
		return nil
	}
	var v []string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = v
	return nil
}

// num accepts a JSON number or a numeric string.
type num float64

// UnmarshalJSON implements json.Unmarshaler.
func (n *num) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(strings.Trim(string(b), `"`), 64)
	if err == nil && f >= 0 && f <= 10 {
		*n = num(f)
	}
	return nil
}

type result struct {
	TemplateID    string `json:"template-id"`
	TemplateIDOld string `json:"templateID"`
	Info          struct {
		Name           string `json:"name"`
		Severity       string `json:"severity"`
		Description    string `json:"description"`
		Tags           strs   `json:"tags"`
		Classification struct {
			CVE   strs   `json:"cve-id"`
			CWE   strs   `json:"cwe-id"`
			Score num    `json:"cvss-score"`
			Vec   string `json:"cvss-metrics"`
		} `json:"classification"`
	} `json:"info"`
	Type        string `json:"type"`
	Host        string `json:"host"`
	Port        string `json:"port"`
	Scheme      string `json:"scheme"`
	MatchedAt   string `json:"matched-at"`
	MatchedOld  string `json:"matched"`
	IP          string `json:"ip"`
	MatcherName string `json:"matcher-name"`
	MatcherOld  string `json:"matcher_name"`
	Extracted   strs   `json:"extracted-results"`
	ExtractOld  strs   `json:"extracted_results"`
	Timestamp   string `json:"timestamp"`
}

type parser struct {
	d     *jsonguard.Decoder
	rep   *scan.Report
	emit  func(scan.Item) error
	hosts map[string]bool
	seen  map[string]bool
	n     int
	dups  int
}

func (p *parser) one() error {
	var res result
	if err := p.d.Value(&res); err != nil {
		return err
	}
	id := scan.FieldString(res.TemplateID)
	if id == "" {
		id = scan.FieldString(res.TemplateIDOld)
	}
	if id == "" {
		return scan.Malformedf(scan.Position{Offset: p.d.Offset()}, "result without template-id: not Nuclei output")
	}
	if res.MatcherName == "" {
		res.MatcherName = res.MatcherOld
	}
	if len(res.Extracted) == 0 {
		res.Extracted = res.ExtractOld
	}
	p.n++
	it := p.item(id, res)
	// Nuclei repeats a result when several requests of a template match.
	if p.seen[it.Key] {
		p.dups++
		return nil
	}
	p.seen[it.Key] = true
	return p.emit(it)
}

func (p *parser) item(id string, res result) scan.Item {
	matched := scan.FieldString(res.MatchedAt)
	if matched == "" {
		matched = scan.FieldString(res.MatchedOld)
	}
	host, port, scheme := where(matched, res.Host)
	if p2, err := strconv.Atoi(strings.TrimSpace(res.Port)); err == nil && p2 > 0 && p2 <= 65535 {
		port = p2
	}
	addr := scan.FieldString(res.IP)
	it := scan.Item{Host: scan.HostRef{Address: addr}, Port: port, Protocol: "tcp", ToolID: id,
		Family: strings.ToLower(scan.FieldString(res.Type)), Summary: scan.FieldString(res.Info.Description)}
	if addr == "" {
		it.Host.Address = host
	} else if host != addr {
		it.Host.Hostname = host
	}
	if it.Family == "dns" {
		it.Protocol = "udp"
	}
	switch scheme {
	case "http", "https":
		it.Service = "http"
		if scheme == "https" {
			it.Tunnel = "ssl"
		}
	}
	if it.Host.Address != "" && !p.hosts[it.Host.Address] && len(p.hosts) < scan.MaxHosts {
		p.hosts[it.Host.Address] = true
		p.rep.AddHost(scan.Host{Address: it.Host.Address, Hostname: it.Host.Hostname})
	}
	for _, c := range res.Info.Classification.CVE {
		if cve, ok := scan.NormalizeCVE(c); ok {
			it.CVEs = scan.AppendUnique(it.CVEs, cve)
		}
	}
	// A CVE template is named after its CVE even when it is not classified.
	if cve, ok := scan.NormalizeCVE(id); ok {
		it.CVEs = scan.AppendUnique(it.CVEs, cve)
	}
	for _, c := range res.Info.Classification.CWE {
		if n, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(c)), "CWE-"); ok && n != "" {
			it.CWEs = scan.AppendUnique(it.CWEs, "CWE-"+n)
		}
	}
	it.CVSS = float64(res.Info.Classification.Score)
	it.CVSSVector = scan.FieldString(res.Info.Classification.Vec)
	sev, ok := scan.SeverityFromLevel(res.Info.Severity)
	if !ok {
		sev = scan.SeverityUnknown
		p.rep.Warn("result %s has unknown severity %q", id, scan.FieldString(res.Info.Severity))
	}
	it.Severity = sev
	switch {
	case defaultLogin(id, res.Info.Tags):
		// The template logged in with the product's factory credentials.
		it.Kind, it.Severity = scan.KindCredential, sev.Max(scan.SeverityHigh)
		for _, x := range append(append(strs{}, res.Extracted...), res.ExtractOld...) {
			if u, pw, ok := strings.Cut(strings.TrimSpace(x), ":"); ok && len(it.Credentials) < 100 {
				it.Credentials = append(it.Credentials, scan.Credential{Service: it.Service,
					Username: scan.FieldString(u), Password: scan.FieldString(pw), Blank: pw == ""})
			}
		}
	case sev.Rank() > scan.SeverityInfo.Rank() || len(it.CVEs) > 0:
		it.Kind = scan.KindVulnerability
	default:
		it.Kind = scan.KindInfo
	}
	it.Title = scan.FieldString(res.Info.Name)
	if it.Title == "" {
		it.Title = id
	}
	if m := scan.FieldString(res.MatcherName); m != "" {
		it.Title = scan.FieldString(it.Title + " [" + m + "]")
	}
	var out strings.Builder
	out.WriteString("matched at " + matched)
	for _, e := range res.Extracted {
		out.WriteString("\n" + e)
	}
	it.Output, it.OutputTruncated = scan.Output(out.String())
	it.Key = scan.Key(scan.FormatNuclei, it.Host.Address, strconv.Itoa(it.Port), id, scan.FieldString(res.MatcherName), matched)
	return it
}

// where reads host, port and scheme from matched-at ("https://h/x",
// "h:22", "h") falling back to the host field.
func where(matched, host string) (string, int, string) {
	for _, s := range []string{matched, host} {
		if s == "" {
			continue
		}
		if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
			port, _ := strconv.Atoi(u.Port())
			if port == 0 {
				switch u.Scheme {
				case "http":
					port = 80
				case "https":
					port = 443
				}
			}
			// Hostname undoes %-escapes, which may not be UTF-8.
			host := scan.FieldString(strings.ToValidUTF8(u.Hostname(), "\uFFFD"))
			return host, port, strings.ToLower(scan.FieldString(strings.ToValidUTF8(u.Scheme, "\uFFFD")))
		}
		if h, p, err := net.SplitHostPort(s); err == nil {
			port, _ := strconv.Atoi(p)
			if port < 0 || port > 65535 {
				port = 0
			}
			return h, port, ""
		}
	}
	return scan.FieldString(matched), 0, ""
}

// defaultLogin reports a template of nuclei's default-login family.
func defaultLogin(id string, tags []string) bool {
	for _, t := range tags {
		if strings.EqualFold(strings.TrimSpace(t), "default-login") {
			return true
		}
	}
	return strings.HasSuffix(id, "-default-login") || strings.Contains(id, "default-login")
}
