package cyclonedx

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/xmlstream"
)

const namespacePrefix = "http://cyclonedx.org/schema/bom/"

type xmlParser struct {
	d *xmlstream.Decoder
	b *builder
}

func parseXML(r io.Reader, b *builder) error {
	p := xmlParser{d: xmlstream.NewDecoder(r, xmlstream.Options{}), b: b}
	t, err := p.d.Next()
	for err == nil && t.Kind != xmlstream.StartElement {
		t, err = p.d.Next()
	}
	if err != nil {
		return err
	}
	if !t.Is("bom") {
		return scan.Malformedf(p.d.Pos(), "root element is <%s>, not <bom>", scan.Field(t.Name))
	}
	ns, _ := t.Attr("xmlns")
	if !strings.HasPrefix(string(ns), namespacePrefix) {
		for _, a := range t.Attrs {
			if strings.HasPrefix(string(a.Name), "xmlns:") && strings.HasPrefix(string(a.Value), namespacePrefix) {
				ns = a.Value
			}
		}
	}
	if !strings.HasPrefix(string(ns), namespacePrefix) {
		return scan.Malformedf(p.d.Pos(), "<bom> is not in a CycloneDX namespace")
	}
	b.setSpec(scan.Field(ns[len(namespacePrefix):]))
	err = p.children(func(t *xmlstream.Token) error {
		switch string(t.Name) {
		case "metadata":
			return p.metadata()
		case "components":
			return p.children(func(t *xmlstream.Token) error {
				if !t.Is("component") {
					return p.d.Skip()
				}
				c, err := p.component(t)
				if err != nil {
					return err
				}
				return b.addComponent(c, "")
			})
		case "vulnerabilities":
			return p.children(func(t *xmlstream.Token) error {
				if !t.Is("vulnerability") {
					return p.d.Skip()
				}
				v, err := p.vulnerability()
				if err != nil {
					return err
				}
				return b.addVuln(v)
			})
		}
		return p.d.Skip()
	})
	if err != nil {
		return err
	}
	if n := p.d.Replaced(); n > 0 {
		b.rep.Warn("%d invalid UTF-8 sequences or control characters replaced with U+FFFD", n)
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

// children calls fn for each child element of the element just started;
// fn must consume the child.
func (p *xmlParser) children(fn func(*xmlstream.Token) error) error {
	depth := p.d.Depth()
	for {
		t, err := p.d.Next()
		if err != nil {
			return err
		}
		if p.d.Depth() < depth {
			return nil
		}
		if t.Kind == xmlstream.StartElement {
			if err := fn(t); err != nil {
				return err
			}
		}
	}
}

// fields reads simple text children into the named targets and skips the
// rest.
func (p *xmlParser) fields(targets map[string]*string) error {
	return p.children(func(t *xmlstream.Token) error {
		if dst, ok := targets[string(t.Name)]; ok {
			v, err := p.d.FieldText()
			*dst = v
			return err
		}
		return p.d.Skip()
	})
}

func (p *xmlParser) metadata() error {
	return p.children(func(t *xmlstream.Token) error {
		switch string(t.Name) {
		case "timestamp":
			v, err := p.d.FieldText()
			if ts, perr := time.Parse(time.RFC3339, v); perr == nil {
				p.b.rep.Start = ts.UTC()
			}
			return err
		case "component":
			c, err := p.component(t)
			if err != nil {
				return err
			}
			return p.b.setSubject(c)
		case "tools":
			return p.children(func(t *xmlstream.Token) error {
				switch string(t.Name) {
				case "tool": // 1.4
					var name, version string
					err := p.fields(map[string]*string{"name": &name, "version": &version})
					p.b.setTool(name, version)
					return err
				case "components", "services": // 1.5+
					return p.children(func(t *xmlstream.Token) error {
						var name, version string
						err := p.fields(map[string]*string{"name": &name, "version": &version})
						p.b.setTool(name, version)
						return err
					})
				}
				return p.d.Skip()
			})
		}
		return p.d.Skip()
	})
}

func (p *xmlParser) component(t *xmlstream.Token) (component, error) {
	var c component
	if v, ok := t.Attr("bom-ref"); ok {
		c.BOMRef = scan.Field(v)
	}
	if v, ok := t.Attr("type"); ok {
		c.Type = scan.Field(v)
	}
	var supplier, manufacturer, publisher, author string
	err := p.children(func(t *xmlstream.Token) error {
		var err error
		switch string(t.Name) {
		case "group":
			c.Group, err = p.d.FieldText()
		case "name":
			c.Name, err = p.d.FieldText()
		case "version":
			c.Version, err = p.d.FieldText()
		case "purl":
			c.PURL, err = p.d.FieldText()
		case "cpe":
			c.CPE, err = p.d.FieldText()
		case "publisher":
			publisher, err = p.d.FieldText()
		case "author":
			author, err = p.d.FieldText()
		case "supplier":
			err = p.fields(map[string]*string{"name": &supplier})
		case "manufacturer":
			err = p.fields(map[string]*string{"name": &manufacturer})
		case "components":
			err = p.children(func(t *xmlstream.Token) error {
				if !t.Is("component") {
					return p.d.Skip()
				}
				ch, err := p.component(t)
				c.children = append(c.children, ch)
				return err
			})
		case "vulnerabilities":
			// The 1.2/1.3 vulnerability extension, nested in the component.
			err = p.children(func(t *xmlstream.Token) error {
				if !t.Is("vulnerability") {
					return p.d.Skip()
				}
				v, err := p.extVulnerability(t)
				c.vulns = append(c.vulns, v)
				return err
			})
		default:
			err = p.d.Skip()
		}
		return err
	})
	for _, s := range []string{supplier, manufacturer, publisher, author} {
		if s != "" {
			c.Supplier = s
			break
		}
	}
	return c, err
}

func (p *xmlParser) vulnerability() (vuln, error) {
	var v vuln
	text := func(dst *string) error {
		var tb scan.TextBuffer
		err := p.d.Text(&tb)
		*dst, _ = tb.String()
		return err
	}
	err := p.children(func(t *xmlstream.Token) error {
		var err error
		switch string(t.Name) {
		case "id":
			v.id, err = p.d.FieldText()
		case "description":
			err = text(&v.description)
		case "detail":
			err = text(&v.detail)
		case "references":
			err = p.children(func(t *xmlstream.Token) error {
				var id string
				err := p.fields(map[string]*string{"id": &id})
				v.refIDs = append(v.refIDs, id)
				return err
			})
		case "ratings":
			err = p.children(func(t *xmlstream.Token) error {
				var score, sev, method, vector string
				err := p.fields(map[string]*string{"score": &score, "severity": &sev, "method": &method, "vector": &vector})
				r := rating{severity: sev, method: method, vector: vector}
				r.score, r.hasScore = parseScore(score)
				v.ratings = append(v.ratings, r)
				return err
			})
		case "cwes":
			err = p.children(func(t *xmlstream.Token) error {
				s, err := p.d.FieldText()
				if s != "" {
					v.cwes = scan.AppendUnique(v.cwes, "CWE-"+strings.TrimPrefix(s, "CWE-"))
				}
				return err
			})
		case "analysis":
			err = p.fields(map[string]*string{"state": &v.state})
		case "affects":
			err = p.children(func(t *xmlstream.Token) error {
				var a affect
				err := p.children(func(t *xmlstream.Token) error {
					switch string(t.Name) {
					case "ref":
						var err error
						a.ref, err = p.d.FieldText()
						return err
					case "versions":
						return p.children(func(t *xmlstream.Token) error {
							var status string
							err := p.fields(map[string]*string{"status": &status})
							a.statuses = append(a.statuses, status)
							return err
						})
					}
					return p.d.Skip()
				})
				v.affects = append(v.affects, a)
				return err
			})
		default:
			err = p.d.Skip()
		}
		return err
	})
	return v, err
}

// extVulnerability reads one vulnerability of the CycloneDX vulnerability
// extension 1.0: id, source, ratings (score/base, severity, method,
// vector), cwes, description, and the ref attribute naming the component.
func (p *xmlParser) extVulnerability(t *xmlstream.Token) (vuln, error) {
	var v vuln
	if ref, ok := t.Attr("ref"); ok && len(ref) > 0 {
		v.affects = []affect{{ref: scan.Field(ref)}}
	}
	err := p.children(func(t *xmlstream.Token) error {
		var err error
		switch string(t.Name) {
		case "id":
			v.id, err = p.d.FieldText()
		case "description":
			var tb scan.TextBuffer
			err = p.d.Text(&tb)
			v.description, _ = tb.String()
		case "ratings":
			err = p.children(func(t *xmlstream.Token) error {
				var r rating
				err := p.children(func(t *xmlstream.Token) error {
					var err error
					switch string(t.Name) {
					case "score":
						var base string
						err = p.fields(map[string]*string{"base": &base})
						r.score, r.hasScore = parseScore(base)
					case "severity":
						r.severity, err = p.d.FieldText()
					case "method":
						r.method, err = p.d.FieldText()
					case "vector":
						r.vector, err = p.d.FieldText()
					default:
						err = p.d.Skip()
					}
					return err
				})
				v.ratings = append(v.ratings, r)
				return err
			})
		case "cwes":
			err = p.children(func(t *xmlstream.Token) error {
				s, err := p.d.FieldText()
				if s != "" {
					v.cwes = scan.AppendUnique(v.cwes, "CWE-"+strings.TrimPrefix(s, "CWE-"))
				}
				return err
			})
		default:
			err = p.d.Skip()
		}
		return err
	})
	// Grype wrote the tool's severity as a rating of its own, apart from
	// the scored one: the word applies to the scored rating too.
	sev := ""
	for _, r := range v.ratings {
		if r.severity != "" {
			sev = r.severity
			break
		}
	}
	for i := range v.ratings {
		if v.ratings[i].severity == "" {
			v.ratings[i].severity = sev
		}
	}
	return v, err
}
