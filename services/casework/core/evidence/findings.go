package evidence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

// target names what an item was found on: the host for network scans, the
// product an SBOM describes.
func target(r scan.Report, it scan.Item) string {
	if it.Host.Address != "" {
		return it.Host.Address
	}
	if it.Host.Hostname != "" {
		return it.Host.Hostname
	}
	if r.Subject != nil {
		return strings.TrimSuffix(r.Subject.Name+"@"+r.Subject.Version, "@")
	}
	return ""
}

// severityOf maps a parser severity onto the five the API uses: an unrated
// item with a CVE is treated as medium until someone rates it.
func severityOf(it scan.Item) string {
	if it.Severity == scan.SeverityUnknown || it.Severity.Rank() < 0 {
		if len(it.CVEs) > 0 {
			return string(scan.SeverityMedium)
		}
		return string(scan.SeverityInfo)
	}
	return string(it.Severity)
}

func (s *Service) toFinding(caseID string, ex Exhibit, p parsed, it scan.Item) Finding {
	reqs, rules := s.rules.Map(p.format, it)
	f := Finding{ID: ids.New(), CaseID: caseID, Key: it.Key, Format: string(p.format), Tool: p.report.Tool, ToolID: it.ToolID,
		Kind: string(it.Kind), Title: it.Title, Severity: severityOf(it), Host: target(p.report, it), Hostname: it.Host.Hostname,
		Port: it.Port, Protocol: it.Protocol, Service: it.Service, Product: it.Product, Version: it.Version, CVEs: it.CVEs,
		CVSS: it.CVSS, Output: it.Output, Status: Open, Requirements: reqs, RuleIDs: rules, EvidenceID: ex.ID,
		FirstEvidenceID: ex.ID, CreatedAt: ex.UploadedAt, UpdatedAt: ex.UploadedAt}
	if f.Tool == "" {
		f.Tool = string(p.format)
	}
	if c := it.Component; c != nil {
		f.Component = c.PURL
		if f.Component == "" {
			f.Component = strings.TrimSuffix(c.Name+"@"+c.Version, "@")
		}
	}
	return f
}

// importFindings merges a report into the case's findings. The same finding
// (same per-format key) is updated in place; a finding the earlier scans
// showed on a target this report covers, but that the report no longer
// shows, is resolved by this exhibit. False positives stay false positives,
// findings a VEX set not_affected or resolved as fixed keep that status (a
// re-scan of the same component does not contradict the supplier's
// statement; a new version is a new component), and officers' own
// requirement mappings are kept.
func (s *Service) importFindings(ctx context.Context, caseID string, ex Exhibit, p parsed) (ImportSummary, error) {
	sum := ImportSummary{Parsed: len(p.items)}
	existing, err := s.store.CaseFindings(ctx, caseID, string(p.format))
	if err != nil {
		return sum, err
	}
	byKey := make(map[string]*Finding, len(existing))
	for i := range existing {
		byKey[existing[i].Key] = &existing[i]
	}
	targets := map[string]bool{}
	for _, h := range p.report.Hosts {
		targets[h.Address] = true
	}
	var inserts, updates []Finding
	seen := make(map[string]bool, len(p.items))
	for _, it := range p.items {
		if seen[it.Key] {
			continue
		}
		seen[it.Key] = true
		nf := s.toFinding(caseID, ex, p, it)
		targets[nf.Host] = true
		old, ok := byKey[it.Key]
		if !ok {
			inserts = append(inserts, nf)
			sum.New++
			continue
		}
		f := *old
		f.Title, f.Severity, f.Output, f.CVEs, f.CVSS = nf.Title, nf.Severity, nf.Output, nf.CVEs, nf.CVSS
		f.Service, f.Product, f.Version, f.EvidenceID, f.UpdatedAt = nf.Service, nf.Product, nf.Version, ex.ID, ex.UploadedAt
		if !f.Remapped {
			f.Requirements, f.RuleIDs = nf.Requirements, nf.RuleIDs
		}
		if f.Status == Resolved && (f.VEX.EvidenceID == "" || f.ResolvedBy != f.VEX.EvidenceID) {
			f.Status, f.ResolvedBy = Open, ""
			sum.Reopened++
		} else {
			sum.Unchanged++
		}
		updates = append(updates, f)
	}
	for _, old := range existing {
		if seen[old.Key] || !targets[old.Host] || old.Status == Resolved || old.Status == FalsePositive || old.Status == NotAffected {
			continue
		}
		f := old
		f.Status, f.ResolvedBy, f.UpdatedAt = Resolved, ex.ID, ex.UploadedAt
		updates = append(updates, f)
		sum.Resolved++
	}
	if err := s.store.InsertFindings(ctx, inserts); err != nil {
		return sum, err
	}
	if err := s.store.UpdateFindings(ctx, updates); err != nil {
		return sum, err
	}
	if err := s.replayVEX(ctx, caseID, p.format, inserts, &sum); err != nil {
		return sum, err
	}
	return sum, nil
}

// Findings lists a case's findings.
func (s *Service) Findings(ctx context.Context, f FindingFilter) ([]Finding, error) {
	c, acc, err := s.cases.Access(ctx, f.CaseID)
	if err != nil {
		return nil, err
	}
	if !acc.SeesContent() {
		return nil, noContent("case " + c.Reference)
	}
	if f.RequirementID != "" {
		r, ok := requirements.Lookup(f.RequirementID)
		if !ok {
			return nil, apperr.InvalidField("requirement_id", "no requirement %q in the catalogue", f.RequirementID)
		}
		f.RequirementID = r.ID
	}
	fs, err := s.store.ListFindings(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range fs {
		fs[i].Note = acc.Text(fs[i].Note)
	}
	return fs, nil
}

// FindingPatch is an officer's change to a finding; nil fields are unchanged.
type FindingPatch struct {
	Status       *FindingStatus
	Requirements *[]string
	Note         *string
}

// UpdateFinding confirms, disputes, dismisses or re-maps a finding.
func (s *Service) UpdateFinding(ctx context.Context, id string, p FindingPatch) (Finding, error) {
	var out Finding
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		f, err := s.finding(ctx, id)
		if err != nil {
			return err
		}
		if _, err := s.cases.ForWork(ctx, f.CaseID); err != nil {
			return err
		}
		before := map[string]any{"status": f.Status, "requirement_ids": f.Requirements}
		var fe apperr.Fields
		if p.Status != nil {
			fe.Check(!slices.Contains(FindingStatuses, *p.Status), "status", "must be one of open, confirmed, disputed, false_positive, resolved, not_affected")
			f.Status = *p.Status
		}
		if p.Requirements != nil {
			if err := requirements.Validate(*p.Requirements); err != nil {
				fe.Add("requirement_ids", "%v", err)
			} else {
				f.Requirements = f.Requirements[:0]
				for _, rid := range *p.Requirements {
					r, _ := requirements.Lookup(rid)
					if !slices.Contains(f.Requirements, r.ID) {
						f.Requirements = append(f.Requirements, r.ID)
					}
				}
				slices.SortFunc(f.Requirements, requirements.CompareIDs)
				f.Remapped = true
			}
		}
		if p.Note != nil {
			fe.Check(len(*p.Note) > 5000, "note", "must be at most 5000 characters")
			f.Note = strings.TrimSpace(*p.Note)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		f.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateFindings(ctx, []Finding{f}); err != nil {
			return err
		}
		out = f
		return s.log.Record(ctx, audit.Event{Action: "evidence.finding_update", ObjectType: "finding", ObjectID: f.ID,
			CaseID: f.CaseID, Detail: map[string]any{"before": before, "status": f.Status, "requirement_ids": f.Requirements,
				"note": f.Note, "title": f.Title}})
	})
	if err != nil {
		return Finding{}, fmt.Errorf("update finding %s: %w", id, err)
	}
	return out, nil
}

func (s *Service) finding(ctx context.Context, id string) (Finding, error) {
	nf := apperr.New(apperr.NotFound, "no finding %q", id)
	if !ids.Valid(id) {
		return Finding{}, nf
	}
	f, err := s.store.GetFinding(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Finding{}, nf
	}
	if err != nil {
		return Finding{}, err
	}
	_, acc, err := s.cases.Access(ctx, f.CaseID)
	if err != nil {
		return Finding{}, nf
	}
	if !acc.SeesContent() {
		return Finding{}, noContent("finding " + f.ID)
	}
	f.Note = acc.Text(f.Note)
	return f, nil
}

// GetFinding returns one finding the caller may see.
func (s *Service) GetFinding(ctx context.Context, id string) (Finding, error) {
	return s.finding(ctx, id)
}

// CheckLinks confirms exhibits and findings belong to the case (assessment links).
func (s *Service) CheckLinks(ctx context.Context, caseID string, exhibitIDs, findingIDs []string) error {
	var fe apperr.Fields
	for i, id := range exhibitIDs {
		ex, err := s.store.GetExhibit(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		fe.Check(err != nil || ex.CaseID != caseID, fmt.Sprintf("evidence_ids[%d]", i), "no exhibit %q on this case", id)
	}
	for i, id := range findingIDs {
		f, err := s.store.GetFinding(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		fe.Check(err != nil || f.CaseID != caseID, fmt.Sprintf("finding_ids[%d]", i), "no finding %q on this case", id)
	}
	return fe.Err()
}

// RequirementIDs lists the requirements a case's findings (false positives
// excluded) evidence.
func (s *Service) RequirementIDs(ctx context.Context, caseID string) ([]string, error) {
	return s.store.FindingRequirementIDs(ctx, caseID)
}

// ByRequirement lists a case's findings (false positives excluded) under each
// requirement they evidence, for the assessment matrix.
func (s *Service) ByRequirement(ctx context.Context, caseID string) (map[string][]cases.FindingRef, error) {
	fs, err := s.store.ListFindings(ctx, FindingFilter{CaseID: caseID, Limit: 100000})
	if err != nil {
		return nil, err
	}
	out := map[string][]cases.FindingRef{}
	for _, f := range fs {
		if f.Status == FalsePositive {
			continue
		}
		for _, rid := range f.Requirements {
			out[rid] = append(out[rid], cases.FindingRef{ID: f.ID, EvidenceID: f.EvidenceID, Title: f.Title,
				Severity: f.Severity, Status: string(f.Status)})
		}
	}
	return out, nil
}
