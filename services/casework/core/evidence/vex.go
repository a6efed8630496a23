package evidence

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
)

// vexFormats are the report formats whose findings name a component, and
// so can be matched by a VEX statement's product.
var vexFormats = []scan.Format{scan.FormatCycloneDX, scan.FormatTrivy, scan.FormatGrype, scan.FormatOSV, scan.FormatSPDX}

// applyVEX applies an OpenVEX exhibit's statements to the case's matching
// component findings, inside the upload's transaction:
//
//   - not_affected sets the finding not_affected, and fixed resolves it
//     (resolved_by the VEX exhibit), each with the statement recorded and
//     audited;
//   - affected and under_investigation keep the status, recording the
//     statement; affected reopens a finding an earlier VEX had set
//     not_affected;
//   - an officer's decision (confirmed, disputed, false positive) is never
//     overridden: the statement is recorded beside it.
//
// A statement matches a finding when the vulnerability id, a CVE or an
// alias agrees and the product (purl without qualifiers; any version when
// the statement names none) is the finding's component.
func (s *Service) applyVEX(ctx context.Context, caseID string, ex Exhibit, p parsed) (ImportSummary, error) {
	sum := ImportSummary{Parsed: len(p.items)}
	var all []Finding
	for _, f := range vexFormats {
		fs, err := s.store.CaseFindings(ctx, caseID, string(f))
		if err != nil {
			return sum, err
		}
		all = append(all, fs...)
	}
	changed := map[string]int{} // finding id → index in updates
	var updates []Finding
	var events []audit.Event
	for _, st := range p.items {
		matched := false
		for i := range all {
			f := &all[i]
			if !vexMatches(st, *f) {
				continue
			}
			matched = true
			before := f.Status
			applied := applyStatement(f, st, ex)
			f.UpdatedAt = ex.UploadedAt
			if applied {
				sum.VEXApplied++
			} else {
				sum.VEXRecorded++
			}
			if j, ok := changed[f.ID]; ok {
				updates[j] = *f
			} else {
				changed[f.ID] = len(updates)
				updates = append(updates, *f)
			}
			events = append(events, audit.Event{Action: "evidence.finding_vex", ObjectType: "finding", ObjectID: f.ID, CaseID: caseID,
				Detail: map[string]any{"before": map[string]any{"status": before}, "status": f.Status, "vex_status": f.VEX.Status,
					"justification": f.VEX.Justification, "statement": f.VEX.Statement, "vulnerability": st.ToolID,
					"product": componentOf(st), "exhibit_ref": ex.Ref, "title": f.Title}})
		}
		if !matched {
			sum.VEXUnmatched++
		}
	}
	if err := s.store.UpdateFindings(ctx, updates); err != nil {
		return sum, err
	}
	for _, e := range events {
		if err := s.log.Record(ctx, e); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// applyStatement records the statement on f and changes its status where
// the rules above allow; it reports whether the status changed.
func applyStatement(f *Finding, st scan.Item, ex Exhibit) bool {
	f.VEX = VEX{Status: st.State, Justification: st.Summary, Statement: st.Output, EvidenceID: ex.ID}
	officers := f.Status == Confirmed || f.Status == Disputed || f.Status == FalsePositive
	before := f.Status
	switch st.State {
	case "not_affected":
		if !officers {
			f.Status, f.ResolvedBy = NotAffected, ""
		}
	case "fixed":
		if !officers && f.Status != Resolved {
			f.Status, f.ResolvedBy = Resolved, ex.ID
		}
	case "affected":
		if f.Status == NotAffected {
			f.Status = Open
		}
	}
	return f.Status != before
}

// vexMatches reports whether statement st is about finding f.
func vexMatches(st scan.Item, f Finding) bool {
	if f.Component == "" || st.Component == nil {
		return false
	}
	ids := append(append([]string{st.ToolID}, st.CVEs...), st.Aliases...)
	same := slices.ContainsFunc(ids, func(id string) bool {
		return strings.EqualFold(id, f.ToolID) || slices.ContainsFunc(f.CVEs, func(c string) bool { return strings.EqualFold(c, id) })
	})
	return same && productMatches(componentOf(st), f.Component)
}

func componentOf(st scan.Item) string {
	if st.Component == nil {
		return ""
	}
	if st.Component.PURL != "" {
		return st.Component.PURL
	}
	return st.Component.Name
}

// productMatches compares a VEX product with a finding's component (a purl,
// or name@version for components without one). Qualifiers and subpaths are
// ignored; a product without a version matches every version.
func productMatches(product, component string) bool {
	p, c := normPURL(product), normPURL(component)
	if p == "" || c == "" {
		return false
	}
	if p == c {
		return true
	}
	if !strings.Contains(p[strings.LastIndexByte(p, '/')+1:], "@") {
		name, _, _ := strings.Cut(c[strings.LastIndexByte(c, '/')+1:], "@")
		return p == c[:strings.LastIndexByte(c, '/')+1]+name
	}
	return false
}

// normPURL drops a purl's qualifiers and subpath and undoes percent-encoding
// ("%2B" and "+" name the same version).
func normPURL(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	return strings.ToLower(s)
}
