// Package openvex parses OpenVEX documents (v0.0.1 and v0.2.0 JSON) into
// one vex_statement item per (statement, product or subcomponent). A VEX
// document makes no finding of its own: its statements say what the
// supplier asserts about findings other reports made (not_affected with a
// justification, fixed, affected, under_investigation), and the caller
// applies them to the matching findings.
//
// The item's ToolID is the vulnerability name, CVEs and Aliases its other
// ids, State the status, Summary the justification, Component the product
// the statement is about (the subcomponent when the statement names them,
// since that is the package a scanner reports), and Output the impact,
// action and status notes. Statements are decoded one at a time.
package openvex

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

// KindStatement is the item kind of a VEX statement.
const KindStatement scan.Kind = "vex_statement"

// The statuses OpenVEX defines.
const (
	NotAffected        = "not_affected"
	Affected           = "affected"
	Fixed              = "fixed"
	UnderInvestigation = "under_investigation"
)

// Justifications are the not_affected justifications OpenVEX defines.
var Justifications = []string{"component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
	"vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"}

// Parse reads a whole OpenVEX document.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads an OpenVEX document and calls emit for each (statement,
// product). An error from emit stops parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	d := jsonguard.NewDecoder(r)
	rep := scan.Report{Format: scan.FormatOpenVEX, Tool: "OpenVEX"}
	if err := run(d, &rep, emit); err != nil {
		return scan.Report{}, fmt.Errorf("openvex: %w", err)
	}
	rep.Finish()
	return rep, nil
}

func run(d *jsonguard.Decoder, rep *scan.Report, emit func(scan.Item) error) error {
	delim, err := d.Begin()
	if err != nil {
		return err
	}
	if delim != '{' {
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "an OpenVEX document is a JSON object")
	}
	context, docTime := "", time.Time{}
	sawStatements := false
	err = d.Fields(func(k string) error {
		switch k {
		case "@context":
			return d.Value(&context)
		case "@id":
			var s string
			if err := d.Value(&s); err != nil {
				return err
			}
			rep.Name = scan.FieldString(s)
		case "author":
			var s string
			if err := d.Value(&s); err != nil {
				return err
			}
			rep.Args = scan.FieldString("author: " + s)
		case "tooling":
			var s string
			if err := d.Value(&s); err != nil {
				return err
			}
			rep.ToolVersion = scan.FieldString(s)
		case "timestamp":
			var s string
			if err := d.Value(&s); err != nil {
				return err
			}
			docTime, _ = time.Parse(time.RFC3339Nano, s)
			rep.Start = docTime
		case "statements":
			sawStatements = true
			return d.Array(func() error {
				var st statement
				if err := d.Value(&st); err != nil {
					return err
				}
				return emitStatement(rep, st, emit)
			})
		default:
			return d.Skip()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !strings.HasPrefix(context, "https://openvex.dev/ns") {
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "@context %q is not an OpenVEX namespace", scan.FieldString(context))
	}
	if !sawStatements {
		rep.Warn("document has no statements")
	}
	return d.End()
}

type identifiers struct {
	PURL  string `json:"purl"`
	CPE23 string `json:"cpe23"`
}

// ref is a product, subcomponent or vulnerability: an object (v0.2.0) or
// a bare string (v0.0.1).
type ref struct {
	ID            string      `json:"@id"`
	Name          string      `json:"name"`
	Aliases       []string    `json:"aliases"`
	Identifiers   identifiers `json:"identifiers"`
	Subcomponents []subRef    `json:"subcomponents"`
}

// subRef is a v0.2.0 subcomponent, always an object; a plain type, so the
// decoder reads it once rather than through ref's UnmarshalJSON again.
type subRef struct {
	ID          string      `json:"@id"`
	Identifiers identifiers `json:"identifiers"`
}

// UnmarshalJSON accepts the v0.0.1 string form.
func (r *ref) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = ref{ID: s}
		return nil
	}
	type plain ref
	return json.Unmarshal(b, (*plain)(r))
}

type statement struct {
	Vulnerability   ref    `json:"vulnerability"`
	Products        []ref  `json:"products"`
	Subcomponents   []ref  `json:"subcomponents"` // v0.0.1: at statement level
	Status          string `json:"status"`
	Justification   string `json:"justification"`
	ImpactStatement string `json:"impact_statement"`
	ActionStatement string `json:"action_statement"`
	StatusNotes     string `json:"status_notes"`
}

// vulnID names the vulnerability: its name, else the id its @id ends in.
func vulnID(v ref) string {
	if n := strings.TrimSpace(v.Name); n != "" {
		return n
	}
	id := strings.TrimSpace(v.ID)
	if cves := scan.FindCVEs(nil, id); len(cves) > 0 {
		return cves[0]
	}
	if u, err := url.Parse(id); err == nil && u.Host != "" {
		if b := path.Base(strings.TrimSuffix(u.Path, "/")); b != "" && b != "." && b != "/" {
			return b
		}
	}
	return id
}

// identity is a product's purl when it has one, else its @id.
func identity(p ref) string {
	if p.Identifiers.PURL != "" {
		return strings.TrimSpace(p.Identifiers.PURL)
	}
	if strings.TrimSpace(p.ID) != "" {
		return strings.TrimSpace(p.ID)
	}
	return strings.TrimSpace(p.Identifiers.CPE23)
}

func emitStatement(rep *scan.Report, st statement, emit func(scan.Item) error) error {
	id := scan.FieldString(vulnID(st.Vulnerability))
	status := strings.ToLower(strings.TrimSpace(st.Status))
	switch {
	case id == "":
		rep.Warn("statement without a vulnerability skipped")
		rep.Skipped++
		return nil
	case status != NotAffected && status != Affected && status != Fixed && status != UnderInvestigation:
		rep.Warn("statement on %s with unknown status %q skipped", id, scan.FieldString(st.Status))
		rep.Skipped++
		return nil
	case status == NotAffected && st.Justification == "" && st.ImpactStatement == "":
		// OpenVEX requires one or the other: without them the claim is
		// unsupported and must not dismiss anything.
		rep.Warn("not_affected statement on %s without justification or impact statement skipped", id)
		rep.Skipped++
		return nil
	}
	base := scan.Item{Kind: KindStatement, ToolID: id, State: status, Severity: scan.SeverityInfo,
		Summary: scan.FieldString(strings.TrimSpace(st.Justification))}
	for _, a := range append([]string{id, st.Vulnerability.ID}, st.Vulnerability.Aliases...) {
		a = scan.FieldString(strings.TrimSpace(a))
		if cve, ok := scan.NormalizeCVE(a); ok {
			base.CVEs = scan.AppendUnique(base.CVEs, cve)
		} else if a != id && a != st.Vulnerability.ID {
			base.Aliases = scan.AppendUnique(base.Aliases, a)
		}
	}
	var notes []string
	for _, n := range []struct{ label, text string }{{"impact", st.ImpactStatement}, {"action", st.ActionStatement}, {"notes", st.StatusNotes}} {
		if t := strings.TrimSpace(n.text); t != "" {
			notes = append(notes, n.label+": "+t)
		}
	}
	base.Output, base.OutputTruncated = scan.Output(strings.Join(notes, "\n"))
	if len(st.Products) == 0 {
		rep.Warn("statement on %s names no product; it can match nothing", id)
		rep.Skipped++
		return nil
	}
	for _, p := range st.Products {
		subs := st.Subcomponents
		if len(p.Subcomponents) > 0 {
			subs = make([]ref, len(p.Subcomponents))
			for i, sc := range p.Subcomponents {
				subs[i] = ref{ID: sc.ID, Identifiers: sc.Identifiers}
			}
		}
		targets := subs
		if len(targets) == 0 {
			targets = []ref{p}
		}
		for _, t := range targets {
			it := base
			comp := scan.FieldString(identity(t))
			if comp == "" {
				continue
			}
			it.Component = &scan.ComponentRef{PURL: comp}
			if !strings.HasPrefix(comp, "pkg:") {
				it.Component = &scan.ComponentRef{Name: comp}
			}
			if len(subs) > 0 {
				it.ExtraInfo = scan.FieldString("product: " + identity(p))
			}
			it.Title, _ = scan.Clip(fmt.Sprintf("VEX %s: %s in %s", status, id, comp), scan.MaxField)
			it.Key = scan.Key(scan.FormatOpenVEX, id, comp, identity(p))
			if err := emit(it); err != nil {
				return err
			}
		}
	}
	return nil
}
