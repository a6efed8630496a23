package evidence

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/detect"
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
// Statements also apply to findings a later scan adds (replayVEX).
//
// A statement matches a finding when the vulnerability id, a CVE or an
// alias agrees and the product (purl without qualifiers; any version when
// the statement names none) is the finding's component.
func (s *Service) applyVEX(ctx context.Context, caseID string, ex Exhibit, p parsed) (ImportSummary, error) {
	sum := ImportSummary{Parsed: len(p.items)}
	if err := s.store.LockCaseFindings(ctx, caseID); err != nil {
		return sum, err
	}
	var all []Finding
	for _, f := range vexFormats {
		fs, err := s.store.CaseFindings(ctx, caseID, string(f))
		if err != nil {
			return sum, err
		}
		all = append(all, fs...)
	}
	return sum, s.applyStatements(ctx, caseID, ex, p.items, all, &sum, true)
}

// applyStatements applies VEX statements from exhibit ex to findings,
// writing the changed ones and an audit entry for each change. unmatched
// says whether statements matching none of them count in the summary (not
// when earlier VEX exhibits are replayed on a scan's new findings).
func (s *Service) applyStatements(ctx context.Context, caseID string, ex Exhibit, statements []scan.Item, findings []Finding,
	sum *ImportSummary, unmatched bool) error {
	changed := map[string]int{} // finding id → index in updates
	var updates []Finding
	var events []audit.Event
	for _, st := range statements {
		matched := false
		for i := range findings {
			f := &findings[i]
			if !vexMatches(st, *f) {
				continue
			}
			matched = true
			before := f.Status
			if applyStatement(f, st, ex) {
				sum.VEXApplied++
			} else {
				sum.VEXRecorded++
			}
			f.UpdatedAt = s.now().UTC()
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
		if !matched && unmatched {
			sum.VEXUnmatched++
		}
	}
	if err := s.store.UpdateFindings(ctx, updates); err != nil {
		return err
	}
	for _, e := range events {
		if err := s.log.Record(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// replayVEX applies the case's earlier VEX exhibits, oldest first, to the
// findings a scan import has just added, so the order in which a lab sends
// the SBOM and its VEX does not matter. Superseded VEX exhibits are not
// replayed.
func (s *Service) replayVEX(ctx context.Context, caseID string, format scan.Format, added []Finding, sum *ImportSummary) error {
	if len(added) == 0 || !slices.Contains(vexFormats, format) {
		return nil
	}
	exs, err := s.store.ListExhibits(ctx, caseID)
	if err != nil {
		return err
	}
	for _, ex := range exs {
		if ex.Format != string(scan.FormatOpenVEX) || ex.SupersededBy != "" {
			continue
		}
		statements, err := s.vexStatements(ex)
		if err != nil {
			return err
		}
		if err := s.applyStatements(ctx, caseID, ex, statements, added, sum, false); err != nil {
			return err
		}
	}
	return nil
}

// vexStatements re-reads a stored VEX exhibit's statements.
func (s *Service) vexStatements(ex Exhibit) ([]scan.Item, error) {
	rc, _, err := s.blobs.Open(ex.SHA256)
	if err != nil {
		return nil, fmt.Errorf("open VEX exhibit %s: %w", ex.Ref, err)
	}
	defer rc.Close()
	var items []scan.Item
	if _, err := detect.StreamAs(scan.FormatOpenVEX, rc, func(it scan.Item) error {
		items = append(items, it)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("re-read VEX exhibit %s: %w", ex.Ref, err)
	}
	return items, nil
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
