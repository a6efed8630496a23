package zap

import (
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/xmlstream"
)

func parseXML(r io.Reader, b *builder) error {
	d := xmlstream.NewDecoder(r, xmlstream.Options{})
	t, err := d.Next()
	for err == nil && t.Kind != xmlstream.StartElement {
		t, err = d.Next()
	}
	if err != nil {
		return err
	}
	switch {
	case t.Is("OWASPZAPReport"):
		if v, ok := t.Attr("version"); ok {
			b.rep.ToolVersion = scan.Field(v)
		}
		err = d.Children(func(t *xmlstream.Token) error {
			if !t.Is("site") {
				return d.Skip()
			}
			s := xmlSite(t)
			b.site(s)
			return d.Children(func(t *xmlstream.Token) error {
				if !t.Is("alerts") {
					return d.Skip()
				}
				return d.Children(func(t *xmlstream.Token) error {
					if !t.Is("alertitem") {
						return d.Skip()
					}
					a, err := xmlAlert(d)
					if err != nil {
						return err
					}
					return b.alert(s, a)
				})
			})
		})
	case t.Is("report"):
		// ZAP 1.x: alert items straight under the root, each with its URI.
		err = d.Children(func(t *xmlstream.Token) error {
			if !t.Is("alertitem") {
				return d.Skip()
			}
			a, err := xmlAlert(d)
			if err != nil {
				return err
			}
			s := siteOf(a)
			b.site(s)
			return b.alert(s, a)
		})
	default:
		return scan.Malformedf(d.Pos(), "root element is <%s>, not <OWASPZAPReport>", scan.Field(t.Name))
	}
	if err != nil {
		return err
	}
	if n := d.Replaced(); n > 0 {
		b.rep.Warn("%d invalid UTF-8 sequences or control characters replaced with U+FFFD", n)
	}
	for {
		if _, err := d.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func xmlSite(t *xmlstream.Token) site {
	var s site
	if v, ok := t.Attr("name"); ok {
		s.name = scan.Field(v)
	}
	if v, ok := t.Attr("host"); ok {
		s.host = scan.Field(v)
	}
	if v, ok := t.Attr("port"); ok {
		s.port, _ = strconv.Atoi(string(v))
	}
	if v, ok := t.Attr("ssl"); ok {
		s.ssl = string(v) == "true"
	}
	if s.host == "" {
		s = fromURL(s.name)
	}
	return s
}

// siteOf derives the site of a 1.x alert from its first URI.
func siteOf(a alert) site {
	if len(a.instances) == 0 {
		return site{}
	}
	return fromURL(a.instances[0].uri)
}

func fromURL(raw string) site {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return site{name: raw}
	}
	s := site{name: raw, host: u.Hostname(), ssl: u.Scheme == "https"}
	s.port, _ = strconv.Atoi(u.Port())
	if s.port == 0 {
		s.port = 80
		if s.ssl {
			s.port = 443
		}
	}
	return s
}

func xmlAlert(d *xmlstream.Decoder) (alert, error) {
	var a alert
	var flat instance // 1.x: instance fields on the alert item itself
	text := func(dst *string) error {
		var tb scan.TextBuffer
		err := d.Text(&tb)
		*dst, _ = tb.String()
		return err
	}
	err := d.Children(func(t *xmlstream.Token) error {
		var err error
		switch string(t.Name) {
		case "pluginid":
			a.pluginID, err = d.FieldText()
		case "alertRef":
			a.alertRef, err = d.FieldText()
		case "alert":
			if a.name == "" {
				a.name, err = d.FieldText()
			} else {
				err = d.Skip()
			}
		case "name":
			a.name, err = d.FieldText()
		case "riskcode":
			a.riskCode, err = d.FieldText()
		case "confidence", "reliability":
			a.confidence, err = d.FieldText()
		case "desc":
			err = text(&a.desc)
		case "solution":
			err = text(&a.solution)
		case "otherinfo":
			err = text(&a.otherInfo)
		case "reference":
			err = text(&a.reference)
		case "cweid":
			a.cweID, err = d.FieldText()
		case "wascid":
			a.wascID, err = d.FieldText()
		case "count":
			var c string
			c, err = d.FieldText()
			a.count, _ = strconv.Atoi(c)
		case "uri":
			flat.uri, err = d.FieldText()
		case "param":
			flat.param, err = d.FieldText()
		case "attack":
			flat.attack, err = d.FieldText()
		case "evidence":
			flat.evidence, err = d.FieldText()
		case "instances":
			err = d.Children(func(t *xmlstream.Token) error {
				if !t.Is("instance") {
					return d.Skip()
				}
				var in instance
				err := d.Fields(map[string]*string{"uri": &in.uri, "method": &in.method, "param": &in.param, "attack": &in.attack,
					"evidence": &in.evidence, "otherinfo": &in.otherInfo})
				a.instances = append(a.instances, in)
				return err
			})
		default:
			err = d.Skip()
		}
		return err
	})
	if flat.uri != "" {
		a.instances = append(a.instances, flat)
	}
	return a, err
}
