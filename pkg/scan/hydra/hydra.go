// Package hydra parses THC Hydra JSON output (-b json -o FILE: a generator
// block, a results list and error messages) into credential items: one per
// login/password pair Hydra proved works, streamed as read.
//
// Hydra's error messages become report warnings, and "success": false a
// warning too, because a run that did not finish must not read as a device
// with no weak password.
package hydra

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// ToolID is the tool id of every Hydra item: a login Hydra proved works.
const ToolID = "hydra-credentials"

// Parse reads a whole Hydra JSON report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a Hydra JSON report and calls emit for each working login.
// It returns the report metadata without Items. An error from emit stops
// parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	p := parser{
		d:     jsonguard.NewDecoder(r),
		emit:  emit,
		rep:   scan.Report{Format: scan.FormatHydra, Tool: "Hydra"},
		hosts: map[string]bool{},
	}
	if err := p.run(); err != nil {
		return scan.Report{}, fmt.Errorf("hydra: %w", err)
	}
	p.rep.Finish()
	return p.rep, nil
}

type parser struct {
	d     *jsonguard.Decoder
	emit  func(scan.Item) error
	rep   scan.Report
	hosts map[string]bool
}

// result is one Hydra hit. Port is a number in Hydra's output; a string is
// accepted too.
type result struct {
	Port     jsonNumber `json:"port"`
	Service  string     `json:"service"`
	Host     string     `json:"host"`
	Login    string     `json:"login"`
	Password string     `json:"password"`
}

type generator struct {
	Software    string `json:"software"`
	Version     string `json:"version"`
	Server      string `json:"server"`
	Service     string `json:"service"`
	Commandline string `json:"commandline"`
}

func (p *parser) run() error {
	delim, err := p.d.Begin()
	if err != nil {
		return err
	}
	if delim != '{' {
		return scan.Malformedf(scan.Position{}, "document is an array, not a Hydra report object")
	}
	sawGenerator := false
	err = p.d.Fields(func(key string) error {
		switch key {
		case "generator":
			var g generator
			if err := p.d.Value(&g); err != nil {
				return err
			}
			if !strings.EqualFold(strings.TrimSpace(g.Software), "hydra") {
				return scan.Malformedf(scan.Position{Offset: p.d.Offset()}, "generator is %q, not Hydra", scan.FieldString(g.Software))
			}
			sawGenerator = true
			p.rep.ToolVersion = scan.FieldString(g.Version)
			p.rep.Args = scan.FieldString(g.Commandline)
		case "results":
			return p.d.Array(func() error {
				var res result
				if err := p.d.Value(&res); err != nil {
					return err
				}
				return p.emit(p.item(res))
			})
		case "success":
			var ok bool
			if err := p.d.Value(&ok); err != nil {
				return err
			}
			if !ok {
				p.rep.Warn("Hydra reports the run did not succeed: targets may not have been fully tested")
			}
		case "errormessages":
			return p.d.Array(func() error {
				var msg string
				if err := p.d.Value(&msg); err != nil {
					return err
				}
				if m := scan.FieldString(msg); m != "" {
					p.rep.Warn("Hydra: %s", m)
				}
				return nil
			})
		default:
			return p.d.Skip()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !sawGenerator {
		return scan.Malformedf(scan.Position{}, "no generator block: not Hydra output")
	}
	return p.d.End()
}

// item turns one result into a credential item.
func (p *parser) item(res result) scan.Item {
	host := scan.FieldString(res.Host)
	module := strings.ToLower(scan.FieldString(res.Service))
	svc, tunnel := service(module)
	it := scan.Item{Host: scan.HostRef{Address: host}, Port: res.Port.int(), Protocol: protocol(module),
		Service: svc, Tunnel: tunnel, Family: module}
	if host != "" && !p.hosts[host] && len(p.hosts) < scan.MaxHosts {
		p.hosts[host] = true
		p.rep.AddHost(scan.Host{Address: host})
	}
	c := scan.Credential{Service: module, Username: scan.FieldString(res.Login), Password: scan.FieldString(res.Password)}
	c.Blank = c.Password == ""
	it.Credentials = []scan.Credential{c}
	return finish(it)
}

// service maps a Hydra module name to the service it logs in to: the
// http(s)-get/-post-form/... modules are HTTP, "https-*" over TLS.
func service(module string) (svc, tunnel string) {
	base, _, _ := strings.Cut(module, "-")
	switch base {
	case "https":
		return "http", "ssl"
	case "http":
		return "http", ""
	}
	if strings.HasSuffix(module, "s") && (module == "ftps" || module == "pop3s" || module == "imaps" || module == "smtps" || module == "ldaps") {
		return strings.TrimSuffix(module, "s"), "ssl"
	}
	return module, ""
}

// protocol is udp for the modules that speak UDP, else tcp.
func protocol(module string) string {
	switch module {
	case "snmp", "sip", "tftp":
		return "udp"
	}
	return "tcp"
}

// finish fills the item's identity, severity and evidence text. A login
// that works with a guessed password is at least high.
func finish(it scan.Item) scan.Item {
	it.Kind = scan.KindCredential
	it.ToolID = ToolID
	it.Severity = scan.SeverityHigh
	svc := it.Family
	if svc == "" {
		svc = "service"
	}
	c := it.Credentials[0]
	it.Title = scan.FieldString(fmt.Sprintf("Hydra logged in to %s as %q with a guessed password", svc, c.Username))
	it.Output, it.OutputTruncated = scan.Output(fmt.Sprintf("[%d][%s] host: %s   login: %s   password: %s",
		it.Port, svc, it.Host.Address, c.Username, c.Password))
	it.Key = scan.Key(scan.FormatHydra, it.Host.Address, strconv.Itoa(it.Port), it.Protocol, it.Family, c.Username)
	return it
}

// jsonNumber accepts a JSON number or a numeric string.
type jsonNumber string

// UnmarshalJSON implements json.Unmarshaler.
func (n *jsonNumber) UnmarshalJSON(b []byte) error {
	*n = jsonNumber(strings.Trim(string(b), `"`))
	return nil
}

func (n jsonNumber) int() int {
	v, err := strconv.Atoi(strings.TrimSpace(string(n)))
	if err != nil || v < 0 || v > 65535 {
		return 0
	}
	return v
}
