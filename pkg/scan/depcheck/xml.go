package depcheck

import (
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/xmlstream"
)

const namespacePrefix = "https://jeremylong.github.io/DependencyCheck/dependency-check."

func parseXML(r io.Reader, b *builder) error {
	d := xmlstream.NewDecoder(r, xmlstream.Options{})
	t, err := d.Next()
	for err == nil && t.Kind != xmlstream.StartElement {
		t, err = d.Next()
	}
	if err != nil {
		return err
	}
	if !t.Is("analysis") {
		return scan.Malformedf(d.Pos(), "root element is <%s>, not <analysis>", scan.Field(t.Name))
	}
	if ns, _ := t.Attr("xmlns"); !strings.HasPrefix(string(ns), namespacePrefix) {
		return scan.Malformedf(d.Pos(), "<analysis> is not in a Dependency-Check namespace")
	}
	err = d.Children(func(t *xmlstream.Token) error {
		switch string(t.Name) {
		case "scanInfo":
			return d.Fields(map[string]*string{"engineVersion": &b.rep.ToolVersion})
		case "projectInfo":
			var date string
			err := d.Fields(map[string]*string{"name": &b.rep.Name, "reportDate": &date})
			b.rep.Start = parseTime(date)
			b.project()
			return err
		case "dependencies":
			return d.Children(func(t *xmlstream.Token) error {
				if !t.Is("dependency") {
					return d.Skip()
				}
				dep, err := xmlDependency(d, b)
				if err != nil {
					return err
				}
				return b.dependency(dep)
			})
		}
		return d.Skip()
	})
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

func xmlDependency(d *xmlstream.Decoder, b *builder) (dependency, error) {
	var dep dependency
	err := d.Children(func(t *xmlstream.Token) error {
		var err error
		switch string(t.Name) {
		case "fileName":
			dep.fileName, err = d.FieldText()
		case "filePath":
			dep.filePath, err = d.FieldText()
		case "identifiers":
			err = d.Children(func(t *xmlstream.Token) error {
				switch string(t.Name) {
				case "package": // 2.x: <package><id>pkg:…</id></package>
					var id string
					err := d.Fields(map[string]*string{"id": &id})
					if dep.purl == "" && strings.HasPrefix(id, "pkg:") {
						dep.purl = id
					}
					return err
				case "identifier": // 1.x: <identifier type="maven"><name>g:a:v</name></identifier>
					typ, _ := t.Attr("type")
					var name string
					err := d.Fields(map[string]*string{"name": &name})
					if dep.purl == "" && string(typ) == "maven" {
						if parts := strings.Split(name, ":"); len(parts) == 3 {
							dep.purl = "pkg:maven/" + parts[0] + "/" + parts[1] + "@" + parts[2]
						}
					}
					return err
				}
				return d.Skip()
			})
		case "vulnerabilities":
			err = d.Children(func(t *xmlstream.Token) error {
				if t.Is("suppressedVulnerability") {
					// Some versions list suppressed ones among the others.
					b.suppressed++
					return d.Skip()
				}
				if !t.Is("vulnerability") {
					return d.Skip()
				}
				v, err := xmlVulnerability(d)
				dep.vulns = append(dep.vulns, v)
				return err
			})
		case "suppressedVulnerabilities":
			err = d.Children(func(t *xmlstream.Token) error {
				b.suppressed++
				return d.Skip()
			})
		default:
			err = d.Skip()
		}
		return err
	})
	return dep, err
}

func xmlVulnerability(d *xmlstream.Decoder) (vulnerability, error) {
	var v vulnerability
	err := d.Children(func(t *xmlstream.Token) error {
		var err error
		switch string(t.Name) {
		case "name":
			v.name, err = d.FieldText()
		case "severity":
			v.severity, err = d.FieldText()
		case "cvssScore": // 1.x
			var s string
			s, err = d.FieldText()
			v.v2 = score(s)
		case "cvssV2":
			var s, sev string
			err = d.Fields(map[string]*string{"score": &s, "severity": &sev})
			v.v2 = score(s)
		case "cvssV3":
			var s, sev string
			err = d.Fields(map[string]*string{"baseScore": &s, "baseSeverity": &sev})
			v.v3 = score(s)
		case "cwe": // 1.x
			var s string
			s, err = d.FieldText()
			v.cwes = appendCWE(v.cwes, s)
		case "cwes":
			err = d.Children(func(t *xmlstream.Token) error {
				s, err := d.FieldText()
				v.cwes = appendCWE(v.cwes, s)
				return err
			})
		case "description":
			var tb scan.TextBuffer
			err = d.Text(&tb)
			v.description, _ = tb.String()
		case "vulnerableSoftware":
			err = d.Children(func(t *xmlstream.Token) error {
				if !t.Is("software") {
					return d.Skip()
				}
				matched, _ := t.Attr("vulnerabilityIdMatched")
				end, hasEnd := t.Attr("versionEndExcluding")
				if string(matched) == "true" && hasEnd && len(end) > 0 {
					v.fixed = scan.AppendUnique(v.fixed, scan.Field(end))
				}
				return d.Skip()
			})
		default:
			err = d.Skip()
		}
		return err
	})
	return v, err
}

var cweRE = regexp.MustCompile(`(?i)^\s*(?:CWE-)?(\d+)`)

// appendCWE keeps "CWE-n" from "CWE-79", "79" or "CWE-79 Improper
// Neutralization…"; "NVD-CWE-Other" and the like are not CWEs.
func appendCWE(dst []string, s string) []string {
	if m := cweRE.FindStringSubmatch(s); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n > 0 {
			return scan.AppendUnique(dst, "CWE-"+strconv.Itoa(n))
		}
	}
	return dst
}

func score(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 10 {
		return 0
	}
	return f
}

// parseTime reads Dependency-Check's report dates, with or without a zone
// and fraction.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
