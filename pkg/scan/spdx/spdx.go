// Package spdx parses SPDX 2.2/2.3 JSON documents into the report's
// Components (every package, with its purl and CPE) and Subject (the
// package the document DESCRIBES), and turns each package's SECURITY
// "advisory" external reference, the way SPDX 2.3 records a known
// vulnerability, into a component_vulnerability item.
//
// SPDX carries no rating, so those items are of unknown severity; the CVE
// or GHSA id is read from the advisory locator (an NVD, GitHub or OSV URL,
// or a bare id). Packages are decoded one at a time.
package spdx

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/depvuln"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// Parse reads a whole SPDX JSON document.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads an SPDX JSON document and calls emit for each advisory
// reference. The returned report holds the packages but no Items. An error
// from emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	p := &parser{d: jsonguard.NewDecoder(r), emit: emit, rep: scan.Report{Format: scan.FormatSPDX, Tool: "SPDX"}, byID: map[string]int{}}
	if err := p.run(); err != nil {
		return scan.Report{}, fmt.Errorf("spdx: %w", err)
	}
	p.rep.Finish()
	return p.rep, nil
}

type parser struct {
	d         *jsonguard.Decoder
	emit      func(scan.Item) error
	rep       scan.Report
	byID      map[string]int // SPDXID → index in rep.Components
	describes []string
}

func (p *parser) run() error {
	delim, err := p.d.Begin()
	if err != nil {
		return err
	}
	if delim != '{' {
		return scan.Malformedf(scan.Position{Offset: p.d.Offset()}, "an SPDX document is a JSON object")
	}
	version := ""
	err = p.d.Fields(func(k string) error {
		switch k {
		case "spdxVersion":
			if err := p.d.Value(&version); err != nil {
				return err
			}
		case "name":
			var s string
			if err := p.d.Value(&s); err != nil {
				return err
			}
			p.rep.Name = scan.FieldString(s)
		case "creationInfo":
			var ci struct {
				Creators []string `json:"creators"`
				Created  string   `json:"created"`
			}
			if err := p.d.Value(&ci); err != nil {
				return err
			}
			p.rep.Start, _ = time.Parse(time.RFC3339, ci.Created)
			p.setTool(ci.Creators)
		case "documentDescribes":
			return p.d.Value(&p.describes)
		case "packages":
			return p.d.Array(func() error {
				var pk pkg
				if err := p.d.Value(&pk); err != nil {
					return err
				}
				return p.addPackage(pk)
			})
		case "relationships":
			return p.d.Array(func() error {
				var rel struct {
					From string `json:"spdxElementId"`
					To   string `json:"relatedSpdxElement"`
					Type string `json:"relationshipType"`
				}
				if err := p.d.Value(&rel); err != nil {
					return err
				}
				if rel.Type == "DESCRIBES" && rel.From == "SPDXRef-DOCUMENT" {
					p.describes = append(p.describes, rel.To)
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
	if !strings.HasPrefix(version, "SPDX-2.") {
		if version == "" {
			return scan.Malformedf(scan.Position{Offset: p.d.Offset()}, "no spdxVersion: not an SPDX document")
		}
		p.rep.Warn("spdxVersion %q is outside the supported SPDX-2.x; parsed anyway", scan.FieldString(version))
	}
	for _, id := range p.describes {
		if i, ok := p.byID[id]; ok {
			s := p.rep.Components[i]
			p.rep.Subject = &s
			break
		}
	}
	if p.rep.Subject == nil && p.rep.Name != "" {
		// No DESCRIBES: the document's name stands for the product.
		p.rep.Subject = &scan.Component{Name: p.rep.Name}
	}
	return p.d.End()
}

// setTool takes the first "Tool: name-version" creator.
func (p *parser) setTool(creators []string) {
	for _, c := range creators {
		t, ok := strings.CutPrefix(strings.TrimSpace(c), "Tool:")
		if !ok {
			continue
		}
		t = strings.TrimSpace(t)
		name, version := t, ""
		if i := strings.LastIndexByte(t, '-'); i > 0 {
			name, version = t[:i], t[i+1:]
		}
		p.rep.Tool, p.rep.ToolVersion = scan.FieldString(name), scan.FieldString(version)
		return
	}
}

type externalRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
	Comment  string `json:"comment"`
}

type pkg struct {
	SPDXID       string        `json:"SPDXID"`
	Name         string        `json:"name"`
	VersionInfo  string        `json:"versionInfo"`
	Supplier     string        `json:"supplier"`
	Purpose      string        `json:"primaryPackagePurpose"`
	ExternalRefs []externalRef `json:"externalRefs"`
}

func (p *parser) addPackage(pk pkg) error {
	c := scan.Component{BOMRef: scan.FieldString(pk.SPDXID), Name: scan.FieldString(pk.Name), Version: scan.FieldString(pk.VersionInfo),
		Type: strings.ToLower(scan.FieldString(pk.Purpose)), Supplier: supplier(pk.Supplier)}
	var advisories, fixes []externalRef
	for _, r := range pk.ExternalRefs {
		cat := strings.ReplaceAll(strings.ToUpper(r.Category), "_", "-")
		switch {
		case cat == "PACKAGE-MANAGER" && r.Type == "purl" && c.PURL == "":
			c.PURL = scan.FieldString(r.Locator)
		case cat == "SECURITY" && (r.Type == "cpe23Type" || r.Type == "cpe22Type") && c.CPE == "":
			c.CPE = scan.FieldString(r.Locator)
		case cat == "SECURITY" && r.Type == "advisory":
			advisories = append(advisories, r)
		case cat == "SECURITY" && r.Type == "fix":
			fixes = append(fixes, r)
		}
	}
	if c.BOMRef != "" {
		if _, dup := p.byID[c.BOMRef]; dup {
			p.rep.Warn("duplicate SPDXID %q", c.BOMRef)
		} else {
			p.byID[c.BOMRef] = len(p.rep.Components)
		}
	}
	p.rep.Components = append(p.rep.Components, c)
	for _, a := range advisories {
		if err := p.emitAdvisory(c, a, fixes); err != nil {
			return err
		}
	}
	return nil
}

// supplier strips the SPDX "Organization: " / "Person: " prefix; NOASSERTION
// is no supplier.
func supplier(s string) string {
	s = strings.TrimSpace(s)
	if s == "NOASSERTION" || s == "NONE" {
		return ""
	}
	for _, pre := range []string{"Organization:", "Person:", "Tool:"} {
		if rest, ok := strings.CutPrefix(s, pre); ok {
			return scan.FieldString(strings.TrimSpace(rest))
		}
	}
	return scan.FieldString(s)
}

var ghsaRE = regexp.MustCompile(`GHSA(-[23456789cfghjmpqrvwx]{4}){3}`)

// advisoryID reads the vulnerability id from an advisory locator: a CVE
// or GHSA id anywhere in it, else the URL's last path segment.
func advisoryID(locator string) string {
	if cves := scan.FindCVEs(nil, locator); len(cves) > 0 {
		return cves[0]
	}
	if g := ghsaRE.FindString(locator); g != "" {
		return g
	}
	if u, err := url.Parse(locator); err == nil && u.Host != "" {
		if b := path.Base(strings.TrimSuffix(u.Path, "/")); b != "" && b != "." && b != "/" {
			return b
		}
	}
	return strings.TrimSpace(locator)
}

func (p *parser) emitAdvisory(c scan.Component, a externalRef, fixes []externalRef) error {
	id := advisoryID(a.Locator)
	if id == "" {
		p.rep.Warn("advisory reference without a locator on %s skipped", c.Name)
		p.rep.Skipped++
		return nil
	}
	dv := depvuln.Vuln{ID: id, Title: a.Comment, Component: scan.ComponentRef{BOMRef: c.BOMRef, Name: c.Name, Version: c.Version, PURL: c.PURL}}
	if g := ghsaRE.FindString(a.Locator); g != "" && g != id {
		dv.Aliases = append(dv.Aliases, g)
	}
	desc := []string{"advisory: " + a.Locator}
	if a.Comment != "" {
		desc = append(desc, a.Comment)
	}
	for _, f := range fixes {
		desc = append(desc, "fix: "+f.Locator)
	}
	dv.Description = strings.Join(desc, "\n")
	return p.emit(depvuln.Item(scan.FormatSPDX, dv))
}
