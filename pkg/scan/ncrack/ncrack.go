// Package ncrack parses Ncrack XML output (-oX: ncrackrun/service) into
// credential items: one per username/password pair Ncrack proved works on
// a service. A service it attacked without success yields no item (the
// attempt proves nothing either way) but is counted in Report.Skipped, and
// its host is listed in Report.Hosts.
package ncrack

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

// ToolID is the tool id of every Ncrack item: a login Ncrack proved works.
const ToolID = "ncrack-credentials"

// MaxCredentials is the number of credentials kept for one service;
// further ones are counted in a warning.
const MaxCredentials = 1000

// Parse reads a whole Ncrack XML report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads an Ncrack XML report and calls emit for each service with
// credentials. It returns the report metadata without Items. An error from
// emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	p := parser{
		d:     xmlstream.NewDecoder(r, xmlstream.Options{}),
		emit:  emit,
		rep:   scan.Report{Format: scan.FormatNcrack, Tool: "Ncrack"},
		hosts: map[string]bool{},
	}
	if err := p.run(); err != nil {
		return scan.Report{}, fmt.Errorf("ncrack: %w", err)
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
	hosts map[string]bool
}

func (p *parser) run() error {
	t, err := p.d.Next()
	for err == nil && t.Kind != xmlstream.StartElement {
		t, err = p.d.Next()
	}
	if err != nil {
		return err
	}
	if !t.Is("ncrackrun") {
		return scan.Malformedf(p.d.Pos(), "root element is <%s>, not <ncrackrun>", scan.Field(t.Name))
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
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() == 0 {
			break
		}
		switch {
		case t.Is("service"):
			err = p.service(t)
		case t.Is("finished"):
			if v, ok := t.Attr("time"); ok {
				p.rep.End = unixTime(v)
			}
		case t.Is("runstats"):
			// Descend to <finished>.
		case t.Kind == xmlstream.StartElement:
			err = p.d.Skip()
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

// service reads one <service> element: address, port and credentials.
func (p *parser) service(start *xmlstream.Token) error {
	var it scan.Item
	var end time.Time
	if v, ok := start.Attr("endtime"); ok {
		end = unixTime(v)
	}
	dropped := 0
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
		switch {
		case t.Is("address"):
			addr, _ := t.Attr("addr")
			if it.Host.Address == "" {
				it.Host.Address = scan.Field(addr)
			}
		case t.Is("port"):
			if v, ok := t.Attr("portid"); ok {
				it.Port, _ = strconv.Atoi(string(v))
				if it.Port < 0 || it.Port > 65535 {
					p.rep.Warn("port %q out of range", scan.Field(v))
					it.Port = 0
				}
			}
			if v, ok := t.Attr("protocol"); ok {
				it.Protocol = strings.ToLower(scan.Field(v))
			}
			if v, ok := t.Attr("name"); ok {
				it.Service = strings.ToLower(scan.Field(v))
			}
		case t.Is("credentials"):
			if len(it.Credentials) >= MaxCredentials {
				dropped++
				break
			}
			u, _ := t.Attr("username")
			pw, _ := t.Attr("password")
			c := scan.Credential{Username: scan.Field(u), Password: scan.Field(pw)}
			c.Blank = c.Password == ""
			it.Credentials = append(it.Credentials, c)
		}
		if err := p.d.Skip(); err != nil {
			return err
		}
	}
	if it.Host.Address != "" && !p.hosts[it.Host.Address] {
		p.hosts[it.Host.Address] = true
		p.rep.AddHost(scan.Host{Address: it.Host.Address})
	}
	if dropped > 0 {
		p.rep.Warn("%s:%d: %d credentials beyond the first %d not kept", it.Host.Address, it.Port, dropped, MaxCredentials)
	}
	if len(it.Credentials) == 0 {
		p.rep.Skipped++
		return nil
	}
	if !end.IsZero() && end.After(p.rep.End) {
		p.rep.End = end
	}
	for _, c := range it.Credentials {
		one := it
		one.Credentials = []scan.Credential{c}
		if err := p.emit(finish(one)); err != nil {
			return err
		}
	}
	return nil
}

// finish fills the item's identity, severity and evidence text. A login
// that works with a guessed password is at least high: it gives the
// attacker the device.
func finish(it scan.Item) scan.Item {
	it.Kind = scan.KindCredential
	it.ToolID = ToolID
	it.Severity = scan.SeverityHigh
	svc := it.Service
	if svc == "" {
		svc = "service"
	}
	it.Credentials[0].Service = it.Service
	c := it.Credentials[0]
	it.Title = scan.FieldString(fmt.Sprintf("Ncrack logged in to %s as %q with a guessed password", svc, c.Username))
	it.Output, it.OutputTruncated = scan.Output(fmt.Sprintf("Discovered credentials for %s on %s %d/%s:\n%s %d/%s %s: '%s' '%s'",
		svc, it.Host.Address, it.Port, it.Protocol, it.Host.Address, it.Port, it.Protocol, svc, c.Username, c.Password))
	it.Key = scan.Key(scan.FormatNcrack, it.Host.Address, strconv.Itoa(it.Port), it.Protocol, it.Service, c.Username)
	return it
}

func unixTime(v []byte) time.Time {
	n, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}
