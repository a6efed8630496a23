// Package cyclonedx parses CycloneDX 1.2–1.6 SBOMs, JSON or XML, into the
// report's Subject (metadata component) and Components (nested ones
// flattened with Parent set), and turns embedded vulnerabilities into one
// component_vulnerability item per (vulnerability, affected component).
//
// A vulnerability is emitted as soon as every component it affects is
// known; one that refers to components later in the document waits until
// the end. Refs may be bom-refs, BOM-Links ("urn:cdx:…#ref") or purls.
// VEX analysis states (not_affected, false_positive, resolved…) are kept in
// Item.State rather than dropping the item, so the decision stays visible.
//
// CycloneDX 1.2/1.3 XML has no vulnerabilities section; tools such as older
// Grype wrote the vulnerability extension (schema/ext/vulnerability/1.0)
// inside each component instead. Those nested vulnerabilities affect the
// component they sit in, or the component their ref names when it is known.
package cyclonedx

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// Parse reads a whole CycloneDX document, JSON or XML.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a CycloneDX document, JSON or XML (told apart by the first
// non-blank byte), and calls emit for each component vulnerability. The
// returned report holds the subject and components but no Items. An error
// from emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	br := bufio.NewReaderSize(r, 4096)
	b := newBuilder(emit)
	var err error
	switch first := firstByte(br); first {
	case '<':
		err = parseXML(br, b)
	default:
		err = parseJSON(br, b)
	}
	if err == nil {
		err = b.finish()
	}
	if err != nil {
		return scan.Report{}, fmt.Errorf("cyclonedx: %w", err)
	}
	return b.rep, nil
}

// firstByte peeks past white space and a UTF-8 byte order mark.
func firstByte(br *bufio.Reader) byte {
	for n := 1; n <= 4096; n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			return 0
		}
		c := b[n-1]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case n <= 3 && (c == 0xEF || c == 0xBB || c == 0xBF):
		default:
			return c
		}
		if err != nil {
			return 0
		}
	}
	return 0
}

// component and vuln are the format-neutral model both decoders fill.
type component struct {
	scan.Component
	children []component
	// vulns are extension vulnerabilities nested in the component.
	vulns []vuln
}

type rating struct {
	score    float64
	hasScore bool
	severity string
	method   string
	vector   string
}

type affect struct {
	ref      string
	statuses []string
}

type vuln struct {
	id          string
	refIDs      []string
	ratings     []rating
	cwes        []string
	description string
	detail      string
	state       string
	affects     []affect
	// owner is the component an extension vulnerability is nested in: it
	// is affected when the vulnerability's ref names no known component.
	owner *scan.Component
}

// builder collects components and turns vulnerabilities into items.
type builder struct {
	emit     func(scan.Item) error
	rep      scan.Report
	byRef    map[string]int // bom-ref → index in rep.Components (-1: Subject)
	byPURL   map[string]int
	deferred []vuln
	spec     string
}

func newBuilder(emit func(scan.Item) error) *builder {
	return &builder{
		emit:   emit,
		rep:    scan.Report{Format: scan.FormatCycloneDX, Tool: "CycloneDX"},
		byRef:  map[string]int{},
		byPURL: map[string]int{},
	}
}

func (b *builder) setSpec(v string) {
	b.spec = v
	switch v {
	case "1.2", "1.3", "1.4", "1.5", "1.6":
	default:
		b.rep.Warn("specVersion %q is outside the supported 1.2–1.6; parsed anyway", v)
	}
}

func (b *builder) setTool(name, version string) {
	if name != "" && b.rep.Tool == "CycloneDX" {
		b.rep.Tool, b.rep.ToolVersion = name, version
	}
}

func (b *builder) setSubject(c component) error {
	s := c.Component
	b.rep.Subject = &s
	if s.BOMRef != "" {
		b.byRef[s.BOMRef] = -1
	}
	if s.PURL != "" {
		b.byPURL[s.PURL] = -1
	}
	// Components nested in the metadata component are still components.
	for _, ch := range c.children {
		if err := b.addComponent(ch, s.BOMRef); err != nil {
			return err
		}
	}
	return nil
}

// addComponent records c and its nested components, and emits the
// extension vulnerabilities nested in them (an emit error is returned).
func (b *builder) addComponent(c component, parent string) error {
	c.Parent = parent
	i := len(b.rep.Components)
	b.rep.Components = append(b.rep.Components, c.Component)
	if c.BOMRef != "" {
		if _, dup := b.byRef[c.BOMRef]; dup {
			b.rep.Warn("duplicate bom-ref %q", c.BOMRef)
		} else {
			b.byRef[c.BOMRef] = i
		}
	}
	if c.PURL != "" {
		if _, dup := b.byPURL[c.PURL]; !dup {
			b.byPURL[c.PURL] = i
		}
	}
	for _, ch := range c.children {
		if err := b.addComponent(ch, c.BOMRef); err != nil {
			return err
		}
	}
	for _, v := range c.vulns {
		owner := b.rep.Components[i]
		v.owner = &owner
		if err := b.addVuln(v); err != nil {
			return err
		}
	}
	return nil
}

// resolve finds the component a vulnerability's affects ref names.
func (b *builder) resolve(ref string) (scan.Component, bool) {
	look := func(m map[string]int, k string) (scan.Component, bool) {
		i, ok := m[k]
		switch {
		case !ok:
			return scan.Component{}, false
		case i < 0:
			return *b.rep.Subject, true
		}
		return b.rep.Components[i], true
	}
	if c, ok := look(b.byRef, ref); ok {
		return c, true
	}
	// BOM-Link: urn:cdx:<serial>/<version>#<bom-ref>
	if strings.HasPrefix(ref, "urn:cdx:") {
		if _, frag, ok := strings.Cut(ref, "#"); ok {
			if c, ok := look(b.byRef, frag); ok {
				return c, true
			}
		}
	}
	return look(b.byPURL, ref)
}

func (b *builder) addVuln(v vuln) error {
	if v.owner != nil {
		return b.emitVuln(v)
	}
	for _, a := range v.affects {
		if _, ok := b.resolve(a.ref); !ok {
			b.deferred = append(b.deferred, v)
			return nil
		}
	}
	return b.emitVuln(v)
}

func (b *builder) finish() error {
	for _, v := range b.deferred {
		if err := b.emitVuln(v); err != nil {
			return err
		}
	}
	b.deferred = nil
	if b.spec == "" {
		b.rep.Warn("no specVersion")
	}
	b.rep.Finish()
	return nil
}

func (b *builder) emitVuln(v vuln) error {
	if v.id == "" {
		b.rep.Warn("vulnerability without id skipped")
		b.rep.Skipped++
		return nil
	}
	base := scan.Item{
		Kind:    scan.KindComponentVulnerability,
		ToolID:  v.id,
		CWEs:    v.cwes,
		Summary: scan.FieldString(v.description),
		State:   v.state,
	}
	if cve, ok := scan.NormalizeCVE(v.id); ok {
		base.CVEs = []string{cve}
	}
	for _, id := range v.refIDs {
		if cve, ok := scan.NormalizeCVE(id); ok {
			base.CVEs = scan.AppendUnique(base.CVEs, cve)
		}
	}
	out := v.detail
	if out == "" {
		out = v.description
	}
	base.Output, base.OutputTruncated = scan.Output(strings.TrimSpace(out))
	r, ok := bestRating(v.ratings)
	base.Severity = scan.SeverityUnknown
	if ok {
		base.CVSS, base.CVSSVector = r.score, r.vector
		if sev, known := scan.SeverityFromLevel(r.severity); known && sev != scan.SeverityUnknown && r.severity != "" {
			base.Severity = sev
		} else if r.hasScore {
			base.Severity = scan.SeverityFromCVSS(r.score)
		}
	}
	if v.owner != nil {
		// Nested (1.2 extension): the ref names the affected component when
		// it is one we know; otherwise it is the enclosing one.
		c := *v.owner
		if len(v.affects) > 0 {
			if rc, ok := b.resolve(v.affects[0].ref); ok {
				c = rc
			}
		}
		it := base
		it.Component = c.Ref()
		it.Product, it.Version = c.Name, c.Version
		it.Title, _ = scan.Clip(strings.TrimSpace(v.id+" in "+c.Name+" "+c.Version), scan.MaxField)
		it.Key = scan.Key(scan.FormatCycloneDX, v.id, identity(c))
		return b.emit(it)
	}
	if len(v.affects) == 0 {
		b.rep.Warn("vulnerability %s lists no affected component", v.id)
		it := base
		it.Title = v.id
		it.Key = scan.Key(scan.FormatCycloneDX, v.id, "")
		return b.emit(it)
	}
	seen := make([]string, 0, len(v.affects))
	for _, a := range v.affects {
		c, ok := b.resolve(a.ref)
		if !ok {
			b.rep.Warn("vulnerability %s affects unknown component %q", v.id, scan.FieldString(a.ref))
			c = scan.Component{BOMRef: a.ref}
		}
		id := identity(c)
		if slices.Contains(seen, id) {
			continue
		}
		seen = append(seen, id)
		it := base
		it.Component = c.Ref()
		it.Product, it.Version = c.Name, c.Version
		if it.State == "" && len(a.statuses) > 0 && !slices.ContainsFunc(a.statuses, func(s string) bool { return s != "unaffected" }) {
			it.State = "unaffected"
		}
		it.Title = v.id
		if c.Name != "" {
			it.Title += " in " + strings.TrimSpace(c.Name+" "+c.Version)
		}
		it.Title, _ = scan.Clip(it.Title, scan.MaxField)
		it.Key = scan.Key(scan.FormatCycloneDX, v.id, id)
		if err := b.emit(it); err != nil {
			return err
		}
	}
	return nil
}

// identity names a component the same way across regenerated SBOMs, where
// bom-refs are often random: purl first, then group/name@version.
func identity(c scan.Component) string {
	switch {
	case c.PURL != "":
		return c.PURL
	case c.Name != "":
		return c.Group + "/" + c.Name + "@" + c.Version
	}
	return c.BOMRef
}

// methodRank prefers CVSS v3.x (what most thresholds are written for), then
// v4, then v2, then anything else.
func methodRank(m string) int {
	switch strings.ToUpper(m) {
	case "CVSSV31":
		return 5
	case "CVSSV3":
		return 4
	case "CVSSV4":
		return 3
	case "CVSSV2":
		return 2
	case "":
		return 0
	}
	return 1
}

func bestRating(rs []rating) (rating, bool) {
	if len(rs) == 0 {
		return rating{}, false
	}
	best := rs[0]
	for _, r := range rs[1:] {
		if methodRank(r.method) > methodRank(best.method) {
			best = r
		}
	}
	return best, true
}

func parseScore(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 10 {
		return 0, false
	}
	return f, true
}
