// Package sshaudit parses ssh-audit JSON output (-j / -jj) into items.
//
// What becomes an item:
//   - one info item for the SSH service itself (banner, software), so the
//     port, product and version are facts either way;
//   - one tls_check-like "ssh_check" vulnerability item per algorithm
//     ssh-audit marks "fail" (severity medium) or "warn" (severity low),
//     with ssh-audit's own notes as the evidence;
//   - one vulnerability per CVE, for the ssh-audit versions that listed
//     them (cvssv2 score kept).
//
// Algorithms with only informational notes are counted in Report.Skipped.
// ssh-audit releases before per-algorithm notes (2.5 and older print bare
// algorithm names) yield the service item and a warning that no verdicts
// were recorded: a list of names is not evidence that any of them is weak.
package sshaudit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// Tool ids: the service item, algorithm items ("ssh-audit:kex:<name>") and
// CVE items (the CVE id).
const (
	ToolIDService = "ssh-audit:service"
	toolIDPrefix  = "ssh-audit:"
)

// Parse reads a whole ssh-audit JSON report.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads an ssh-audit JSON report and calls emit for each item. The
// report is one small object, decoded whole behind the input guards. An
// error from emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	rep := scan.Report{Format: scan.FormatSSHAudit, Tool: "ssh-audit"}
	d := jsonguard.NewDecoder(r)
	delim, err := d.Begin()
	if err != nil {
		return scan.Report{}, fmt.Errorf("ssh-audit: %w", err)
	}
	if delim != '{' {
		return scan.Report{}, fmt.Errorf("ssh-audit: %w", scan.Malformedf(scan.Position{}, "document is an array, not an ssh-audit report"))
	}
	var doc document
	if err := d.Fields(doc.field(d)); err != nil {
		return scan.Report{}, fmt.Errorf("ssh-audit: %w", err)
	}
	if err := d.End(); err != nil {
		return scan.Report{}, fmt.Errorf("ssh-audit: %w", err)
	}
	if doc.Banner == nil {
		return scan.Report{}, fmt.Errorf("ssh-audit: %w", scan.Malformedf(scan.Position{}, "no banner: not ssh-audit server output"))
	}
	if err := doc.items(&rep, emit); err != nil {
		return scan.Report{}, fmt.Errorf("ssh-audit: %w", err)
	}
	rep.Finish()
	return rep, nil
}

type banner struct {
	Raw      string `json:"raw"`
	Software string `json:"software"`
	Comments string `json:"comments"`
}

// algorithm is one kex/key/enc/mac entry: a bare name in old releases, an
// object with notes in current ones.
type algorithm struct {
	Name    string
	KeySize int
	Fail    []string
	Warn    []string
	noted   bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *algorithm) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &a.Name)
	}
	var o struct {
		Algorithm string `json:"algorithm"`
		KeySize   int    `json:"keysize"`
		Notes     *struct {
			Fail []string `json:"fail"`
			Warn []string `json:"warn"`
		} `json:"notes"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	a.Name, a.KeySize = o.Algorithm, o.KeySize
	if o.Notes != nil {
		a.noted, a.Fail, a.Warn = true, o.Notes.Fail, o.Notes.Warn
	}
	return nil
}

type cve struct {
	Name        string  `json:"name"`
	CVSSv2      float64 `json:"cvssv2"`
	Description string  `json:"description"`
}

type document struct {
	Banner  *banner
	Target  string
	Algs    map[string][]algorithm
	CVEs    []cve
	order   []string
	dropped int
}

// maxList bounds each algorithm list and the CVE list: a real server
// offers a few dozen algorithms.
const maxList = 1000

// categories name the algorithm lists, in report order.
var categories = map[string]string{"kex": "key exchange", "key": "host key", "enc": "encryption", "mac": "MAC"}

func (doc *document) field(d *jsonguard.Decoder) func(string) error {
	return func(key string) error {
		switch key {
		case "banner":
			doc.Banner = &banner{}
			return d.Value(doc.Banner)
		case "target":
			return d.Value(&doc.Target)
		case "cves":
			return d.Array(func() error {
				var c cve
				if err := d.Value(&c); err != nil {
					return err
				}
				if len(doc.CVEs) < maxList {
					doc.CVEs = append(doc.CVEs, c)
				} else {
					doc.dropped++
				}
				return nil
			})
		case "kex", "key", "enc", "mac":
			var list []algorithm
			err := d.Array(func() error {
				var a algorithm
				if err := d.Value(&a); err != nil {
					return err
				}
				if len(list) < maxList {
					list = append(list, a)
				} else {
					doc.dropped++
				}
				return nil
			})
			if err != nil {
				return err
			}
			if doc.Algs == nil {
				doc.Algs = map[string][]algorithm{}
			}
			if _, seen := doc.Algs[key]; !seen {
				doc.order = append(doc.order, key)
			}
			doc.Algs[key] = list
			return nil
		}
		return d.Skip()
	}
}

func (doc *document) items(rep *scan.Report, emit func(scan.Item) error) error {
	host, port := splitTarget(doc.Target)
	if port == 0 {
		rep.Warn("the target %q names no port; ssh-audit's default is 22 but the scan may have used another", scan.FieldString(doc.Target))
	}
	rep.AddHost(scan.Host{Address: host})
	base := scan.Item{Host: scan.HostRef{Address: host}, Port: port, Protocol: "tcp", Service: "ssh"}
	product, version := software(doc.Banner.Software)
	base.Product, base.Version = product, version
	svc := base
	svc.Kind, svc.Severity, svc.ToolID = scan.KindInfo, scan.SeverityInfo, ToolIDService
	svc.Title = scan.FieldString("SSH server " + orUnknown(doc.Banner.Software))
	svc.Output, svc.OutputTruncated = scan.Output("banner: " + doc.Banner.Raw)
	svc.ExtraInfo = scan.FieldString(doc.Banner.Comments)
	svc.Key = scan.Key(scan.FormatSSHAudit, host, strconv.Itoa(port), "service")
	if err := emit(svc); err != nil {
		return err
	}
	noted := false
	seen := map[string]bool{}
	for _, cat := range doc.order {
		for _, a := range doc.Algs[cat] {
			noted = noted || a.noted
			name := scan.FieldString(a.Name)
			if name == "" || seen[cat+"\x00"+name] {
				continue
			}
			seen[cat+"\x00"+name] = true
			if len(a.Fail) == 0 && len(a.Warn) == 0 {
				rep.Skipped++
				continue
			}
			it := base
			it.Kind, it.Family = scan.KindVulnerability, cat
			it.ToolID = scan.FieldString(toolIDPrefix + cat + ":" + name)
			it.Severity = scan.SeverityLow
			notes := a.Warn
			if len(a.Fail) > 0 {
				it.Severity, notes = scan.SeverityMedium, a.Fail
			}
			it.Title = scan.FieldString(fmt.Sprintf("SSH %s algorithm %s: %s", categories[cat], name, notes[0]))
			var out strings.Builder
			for _, n := range a.Fail {
				fmt.Fprintf(&out, "(fail) %s\n", n)
			}
			for _, n := range a.Warn {
				fmt.Fprintf(&out, "(warn) %s\n", n)
			}
			if a.KeySize > 0 {
				fmt.Fprintf(&out, "key size %d bits\n", a.KeySize)
			}
			it.Output, it.OutputTruncated = scan.Output(strings.TrimSuffix(out.String(), "\n"))
			// ssh-audit names the CVE in the note (Terrapin: CVE-2023-48795).
			it.CVEs = scan.FindCVEs(nil, out.String())
			it.Key = scan.Key(scan.FormatSSHAudit, host, strconv.Itoa(port), cat, name)
			if err := emit(it); err != nil {
				return err
			}
		}
	}
	if doc.dropped > 0 {
		rep.Warn("%d algorithm or CVE entries beyond %d per list not kept", doc.dropped, maxList)
	}
	if len(doc.order) > 0 && !noted {
		rep.Warn("this ssh-audit output lists algorithms without verdicts (fail/warn notes); run ssh-audit 3.x with -j for findings")
	}
	for _, c := range doc.CVEs {
		id, ok := scan.NormalizeCVE(c.Name)
		if !ok {
			rep.Warn("CVE entry %q is not a CVE id", scan.FieldString(c.Name))
			continue
		}
		it := base
		it.Kind, it.ToolID, it.CVEs = scan.KindVulnerability, id, []string{id}
		it.CVSS = c.CVSSv2
		it.Severity = scan.SeverityFromCVSS(c.CVSSv2)
		if c.CVSSv2 == 0 {
			it.Severity = scan.SeverityUnknown
		}
		it.Title = scan.FieldString(fmt.Sprintf("%s in %s", id, orUnknown(doc.Banner.Software)))
		it.Summary = scan.FieldString(c.Description)
		it.Key = scan.Key(scan.FormatSSHAudit, host, strconv.Itoa(port), id)
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := emit(it); err != nil {
			return err
		}
	}
	return nil
}

// splitTarget reads "host:port", "[v6]:port" or a bare host.
func splitTarget(t string) (string, int) {
	t = scan.FieldString(t)
	if h, p, err := net.SplitHostPort(t); err == nil {
		n, err := strconv.Atoi(p)
		if err == nil && n > 0 && n <= 65535 {
			return h, n
		}
		return h, 0
	}
	return t, 0
}

// software splits "OpenSSH_8.0" or "dropbear_2019.78" into product and
// version.
func software(s string) (string, string) {
	s = scan.FieldString(s)
	if i := strings.IndexByte(s, '_'); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(software not identified)"
	}
	return scan.FieldString(s)
}
