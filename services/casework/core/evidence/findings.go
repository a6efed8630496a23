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
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
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
// item naming an advisory (or a component's known vulnerability) is treated
// as medium until someone rates it.
func severityOf(it scan.Item) string {
	if it.Severity == scan.SeverityUnknown || it.Severity.Rank() < 0 {
		if hasAdvisory(it) || it.Kind == scan.KindComponentVulnerability {
			return string(scan.SeverityMedium)
		}
		return string(scan.SeverityInfo)
	}
	return string(it.Severity)
}

func (s *Service) toFinding(caseID string, ex Exhibit, p parsed, it scan.Item) Finding {
	m := s.rules.Apply(p.format, it)
	f := Finding{ID: ids.New(), CaseID: caseID, Key: it.Key, Format: string(p.format), Tool: p.report.Tool, ToolID: it.ToolID,
		Kind: string(it.Kind), Title: it.Title, Severity: string(m.Severity), Host: target(p.report, it),
		Hostname: it.Host.Hostname, Port: it.Port, Protocol: it.Protocol, Service: it.Service, Product: it.Product,
		Version: it.Version, CVEs: it.CVEs, CVSS: it.CVSS, Output: it.Output, Status: Open, RuleRequirements: m.Requirements,
		NoRequirement: m.NoRequirement, RuleIDs: m.RuleIDs, Credentials: it.Credentials,
		EvidenceID: ex.ID, FirstEvidenceID: ex.ID, CreatedAt: ex.UploadedAt, UpdatedAt: ex.UploadedAt}
	f.remap()
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
// statement; a new version is a new component), and officers' decisions on
// requirements are applied to the rules' new citations (see Effective).
func (s *Service) importFindings(ctx context.Context, caseID string, ex Exhibit, p parsed) (ImportSummary, error) {
	sum := ImportSummary{Parsed: len(p.items)}
	if err := s.store.LockCaseFindings(ctx, caseID); err != nil {
		return sum, err
	}
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
		// The rules' citations are recomputed; the officers' decisions stay.
		f.RuleRequirements, f.RuleIDs, f.NoRequirement = nf.RuleRequirements, nf.RuleIDs, nf.NoRequirement
		f.Credentials = nf.Credentials
		f.remap()
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
		fs[i] = s.explain(fs[i])
	}
	return fs, nil
}

// FindingPatch is an officer's change to a finding; nil fields are unchanged.
type FindingPatch struct {
	Status *FindingStatus
	// Requirements is the whole list the finding should cite; it is
	// recorded as attach and detach decisions against the rules' citations.
	Requirements *[]string
	// Reason explains a change of Requirements (the note when empty).
	Reason *string
	Note   *string
}

// UpdateFinding confirms, disputes, dismisses or re-maps a finding.
func (s *Service) UpdateFinding(ctx context.Context, id string, p FindingPatch) (Finding, error) {
	var out Finding
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		f, by, err := s.findingForWork(ctx, id)
		if err != nil {
			return err
		}
		before := map[string]any{"status": f.Status, "requirement_ids": f.Requirements}
		var fe apperr.Fields
		if p.Status != nil {
			fe.Check(!slices.Contains(FindingStatuses, *p.Status), "status", "must be one of open, confirmed, disputed, false_positive, resolved, not_affected")
			f.Status = *p.Status
		}
		if p.Note != nil {
			fe.Check(len(*p.Note) > 5000, "note", "must be at most 5000 characters")
			f.Note = strings.TrimSpace(*p.Note)
		}
		if p.Requirements != nil {
			s.patchRequirements(&fe, &f, *p.Requirements, p.Reason, by)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		f.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateFindings(ctx, []Finding{f}); err != nil {
			return err
		}
		out = s.explain(f)
		return s.log.Record(ctx, audit.Event{Action: "evidence.finding_update", ObjectType: "finding", ObjectID: f.ID,
			CaseID: f.CaseID, Detail: map[string]any{"before": before, "status": f.Status, "requirement_ids": f.Requirements,
				"decisions": decisionsDetail(f.Decisions), "note": f.Note, "title": f.Title}})
	})
	if err != nil {
		return Finding{}, fmt.Errorf("update finding %s: %w", id, err)
	}
	return out, nil
}

// patchRequirements records a whole requirement list as decisions.
func (s *Service) patchRequirements(fe *apperr.Fields, f *Finding, list []string, reason *string, by string) {
	if err := requirements.Validate(list); err != nil {
		fe.Add("requirement_ids", "%v", err)
		return
	}
	why := f.Note
	if reason != nil {
		why = strings.TrimSpace(*reason)
		fe.Check(len(why) > 5000, "reason", "must be at most 5000 characters")
	}
	if why == "" {
		why = "requirements set by the officer"
	}
	want := make([]string, 0, len(list))
	for _, rid := range list {
		r, _ := requirements.Lookup(rid)
		want = append(want, r.ID)
	}
	f.Decisions = DecideList(f.RuleRequirements, f.Decisions, want, Decision{Reason: why, By: by, At: s.now().UTC()})
	f.remap()
}

// DecideRequirement attaches a requirement to a finding, or detaches one
// from it, as an officer's decision with a reason. It holds across
// re-imports of the report and is audited on the case.
func (s *Service) DecideRequirement(ctx context.Context, caseID, findingID string, d Decision) (Finding, error) {
	var fe apperr.Fields
	req, ok := requirements.Lookup(d.RequirementID)
	fe.Check(!ok, "requirement", "no requirement %q in the catalogue (see GET /api/v1/requirements)", d.RequirementID)
	d.Reason = strings.TrimSpace(d.Reason)
	fe.Check(d.Reason == "" || len(d.Reason) > 5000, "reason", "say why (max 5000 characters)")
	fe.Check(d.Action != Attach && d.Action != Detach, "action", "must be attach or detach")
	if err := fe.Err(); err != nil {
		return Finding{}, err
	}
	d.RequirementID = req.ID
	var out Finding
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		f, by, err := s.findingForWork(ctx, findingID)
		if err != nil {
			return err
		}
		if f.CaseID != caseID {
			return apperr.New(apperr.NotFound, "no finding %q on case %q", findingID, caseID)
		}
		before := f.Requirements
		d.By, d.At = by, s.now().UTC()
		f.Decisions = Decide(f.Decisions, d)
		f.remap()
		f.UpdatedAt = d.At
		if err := s.store.UpdateFindings(ctx, []Finding{f}); err != nil {
			return err
		}
		out = s.explain(f)
		return s.log.Record(ctx, audit.Event{Action: "evidence.finding_requirement_" + string(d.Action) + "ed", ObjectType: "finding",
			ObjectID: f.ID, CaseID: f.CaseID, Detail: map[string]any{"requirement_id": d.RequirementID, "action": d.Action,
				"reason": d.Reason, "before": before, "requirement_ids": f.Requirements,
				"rule_requirement_ids": orEmpty(f.RuleRequirements), "title": f.Title}})
	})
	if err != nil {
		return Finding{}, fmt.Errorf("%s requirement on finding %s: %w", d.Action, findingID, err)
	}
	return out, nil
}

// findingForWork loads a finding the caller may change (the case's assigned
// officer or a supervisor of its authority, the case open), serialised
// against imports into the case, with the caller's user id.
func (s *Service) findingForWork(ctx context.Context, id string) (Finding, string, error) {
	f, err := s.finding(ctx, id)
	if err != nil {
		return Finding{}, "", err
	}
	c, err := s.cases.ForWork(ctx, f.CaseID)
	if err != nil {
		return Finding{}, "", err
	}
	if c.Status == cases.Closed {
		return Finding{}, "", apperr.New(apperr.Conflict, "case %s is closed; a supervisor must reopen it first", c.Reference)
	}
	if err := s.store.LockCaseFindings(ctx, f.CaseID); err != nil {
		return Finding{}, "", err
	}
	// Read again under the lock: an import may have changed it meanwhile.
	if f, err = s.store.GetFinding(ctx, id); err != nil {
		return Finding{}, "", err
	}
	p, _ := principal.From(ctx)
	return f, p.UserID, nil
}

func decisionsDetail(ds []Decision) []map[string]any {
	out := make([]map[string]any, len(ds))
	for i, d := range ds {
		out[i] = map[string]any{"requirement_id": d.RequirementID, "action": d.Action, "reason": d.Reason}
	}
	return out
}

func orEmpty(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// explain fills the finding's Mapping from the rule table.
func (s *Service) explain(f Finding) Finding {
	f.Mapping = s.rules.Matches(f.RuleIDs)
	return f
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
	return s.explain(f), nil
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
// requirement they evidence, for the assessment matrix, and under each
// requirement an officer detached from them (marked so).
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
		ref := cases.FindingRef{ID: f.ID, EvidenceID: f.EvidenceID, Title: f.Title, Severity: f.Severity, Status: string(f.Status)}
		for _, rid := range f.Requirements {
			out[rid] = append(out[rid], withDecision(ref, f, rid))
		}
		for _, d := range f.Decisions {
			if d.Action == Detach {
				out[d.RequirementID] = append(out[d.RequirementID], withDecision(ref, f, d.RequirementID))
			}
		}
	}
	return out, nil
}

// withDecision marks a matrix reference with the officer's decision on the
// requirement, if there is one.
func withDecision(ref cases.FindingRef, f Finding, requirementID string) cases.FindingRef {
	if d, ok := f.DecisionOn(requirementID); ok {
		ref.Decision, ref.Reason, ref.DecidedBy, ref.DecidedAt = string(d.Action), d.Reason, d.By, d.At
	}
	return ref
}
