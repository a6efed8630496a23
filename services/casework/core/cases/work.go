package cases

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

// LinkChecker confirms that evidence and finding ids belong to a case.
type LinkChecker func(ctx context.Context, caseID string, evidenceIDs, findingIDs []string) error

// FindingRef is a finding that supports a requirement, as the assessment
// matrix shows it.
type FindingRef struct {
	ID         string
	EvidenceID string
	Title      string
	Severity   string
	Status     string
	// Decision is set when an officer, not the mapping rules, decided that
	// the finding cites ("attach") or does not cite ("detach") the
	// requirement, with their reason.
	Decision  string
	Reason    string
	DecidedBy string
	DecidedAt time.Time
}

// Detached reports whether an officer decided the finding does not cite the requirement.
func (f FindingRef) Detached() bool { return f.Decision == "detach" }

// FindingSource lists a case's findings by requirement id.
type FindingSource func(ctx context.Context, caseID string) (map[string][]FindingRef, error)

// FindingRequirements lists the requirement ids a case's findings evidence
// (a cheaper question than FindingSource, for verdict counts).
type FindingRequirements func(ctx context.Context, caseID string) ([]string, error)

// UseEvidence connects the evidence module: links in assessments are checked
// against it and its findings appear in the assessment matrix.
func (s *Service) UseEvidence(check LinkChecker, findings FindingSource, reqs FindingRequirements) {
	s.links, s.findings, s.findingReqs = check, findings, reqs
}

// AddParty links an operator to the case in a role, for a product.
func (s *Service) AddParty(ctx context.Context, id string, p Party) (Party, error) {
	var fe apperr.Fields
	fe.Check(!slices.Contains(PartyRoles, p.Role), "role", "must be one of %s", join(PartyRoles))
	fe.Check(!ids.Valid(p.OperatorID), "operator_id", "is not an operator id")
	fe.Check(p.ProductID != "" && !ids.Valid(p.ProductID), "product_id", "is not a product id")
	if err := fe.Err(); err != nil {
		return Party{}, err
	}
	_, err := s.write(ctx, id, needWork, false, "case.party_added", func(ctx context.Context, c *Case, pr principal.Principal) (map[string]any, error) {
		ok, err := s.dir.OperatorExists(ctx, p.OperatorID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apperr.InvalidField("operator_id", "no operator %q", p.OperatorID)
		}
		if p.ProductID != "" && !slices.Contains(c.ProductIDs, p.ProductID) {
			if _, err := s.checkProducts(ctx, "product_id", []string{p.ProductID}); err != nil {
				return nil, apperr.InvalidField("product_id", "no product %q", p.ProductID)
			}
			c.ProductIDs = append(c.ProductIDs, p.ProductID)
		}
		existing, err := s.store.Parties(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range existing {
			if e.OperatorID == p.OperatorID && e.Role == p.Role && e.ProductID == p.ProductID {
				return nil, apperr.New(apperr.Conflict, "that operator is already a %s on this case for that product", p.Role)
			}
		}
		p.ID, p.CaseID, p.AddedBy, p.AddedAt = ids.New(), c.ID, pr.UserID, s.now().UTC()
		if err := s.store.AddParty(ctx, p); err != nil {
			return nil, err
		}
		return map[string]any{"party_id": p.ID, "operator_id": p.OperatorID, "role": p.Role, "product_id": p.ProductID}, nil
	})
	return p, err
}

// Parties lists the operators linked to a case.
func (s *Service) Parties(ctx context.Context, id string) ([]Party, error) {
	_, _, acc, err := s.load(ctx, id, needRead, false)
	if err != nil {
		return nil, err
	}
	ps, err := s.store.Parties(ctx, id)
	if err != nil || acc.Standing != Referred {
		return ps, err
	}
	opIDs := make([]string, len(ps))
	for i, p := range ps {
		opIDs[i] = p.OperatorID
	}
	sole, err := s.dir.SoleTraders(ctx, opIDs)
	if err != nil {
		return nil, err
	}
	return partiesFor(acc, ps, sole), nil
}

// AddNote adds a note to the case: work rights on it, or a collaborator
// with edit_evidence_and_notes access.
func (s *Service) AddNote(ctx context.Context, id, body string, shareable bool) (Note, error) {
	body = strings.TrimSpace(body)
	if body == "" || len(body) > 20000 {
		return Note{}, apperr.InvalidField("body", "must be 1 to 20000 characters")
	}
	var n Note
	_, err := s.write(ctx, id, needContribute, true, "case.note_added", func(ctx context.Context, c *Case, p principal.Principal) (map[string]any, error) {
		n = Note{ID: ids.New(), CaseID: c.ID, AuthorityID: p.Authority.ID, AuthorID: p.UserID, Author: p.Name, Body: body,
			Shareable: shareable, CreatedAt: s.now().UTC()}
		if err := s.store.AddNote(ctx, n); err != nil {
			return nil, err
		}
		return map[string]any{"note_id": n.ID, "shareable": shareable, "length": len(body)}, nil
	})
	return n, err
}

// Notes lists the case's notes the caller's authority may read, oldest first.
func (s *Service) Notes(ctx context.Context, id string) ([]Note, error) {
	_, p, acc, err := s.load(ctx, id, needRead, false)
	if err != nil {
		return nil, err
	}
	ns, err := s.store.Notes(ctx, id)
	if err != nil {
		return nil, err
	}
	return notesFor(acc, p.Authority.ID, ns), nil
}

// Row is one line of the assessment matrix.
type Row struct {
	Assessment
	Requirement requirements.Requirement
	// Findings are the evidence findings that cite this requirement, by
	// rule or by an officer's decision.
	Findings []FindingRef
	// Detached are findings the rules would cite here that an officer
	// decided do not evidence it.
	Detached []FindingRef
	// FindingsCount is how many there are (kept when Findings are not shown).
	FindingsCount int
}

// Matrix is the assessment of a case against its relevant requirements.
type Matrix struct {
	Rows   []Row
	Counts map[Verdict]int
}

// SetAssessment records the officer's verdict on one requirement.
func (s *Service) SetAssessment(ctx context.Context, id string, a Assessment) (Assessment, error) {
	req, ok := requirements.Lookup(a.RequirementID)
	if !ok {
		return Assessment{}, apperr.InvalidField("requirement_id", "no requirement %q in the catalogue (see GET /api/v1/requirements)", a.RequirementID)
	}
	a.RequirementID = req.ID
	a.Rationale, a.Reason = strings.TrimSpace(a.Rationale), strings.TrimSpace(a.Reason)
	var fe apperr.Fields
	fe.Check(!slices.Contains(Verdicts, a.Verdict), "verdict", "must be one of %s", join(Verdicts))
	fe.Check(a.Verdict == Fail && a.Rationale == "", "rationale", "a fail verdict needs a rationale")
	fe.Check(a.Verdict == NotApplicable && a.Reason == "", "reason", "a not_applicable verdict needs a reason")
	fe.Check(len(a.Rationale) > 10000, "rationale", "must be at most 10000 characters")
	fe.Check(len(a.Reason) > 5000, "reason", "must be at most 5000 characters")
	fe.Check(len(a.EvidenceIDs) > 100 || len(a.FindingIDs) > 500, "evidence_ids", "too many linked items")
	if err := fe.Err(); err != nil {
		return Assessment{}, err
	}
	a.EvidenceIDs, a.FindingIDs = dedupe(a.EvidenceIDs), dedupe(a.FindingIDs)
	_, err := s.write(ctx, id, needWork, false, "case.assessment_set", func(ctx context.Context, c *Case, p principal.Principal) (map[string]any, error) {
		if len(a.EvidenceIDs)+len(a.FindingIDs) > 0 {
			if s.links == nil {
				return nil, apperr.InvalidField("evidence_ids", "no evidence is recorded on this case")
			}
			if err := s.links(ctx, c.ID, a.EvidenceIDs, a.FindingIDs); err != nil {
				return nil, err
			}
		}
		a.CaseID, a.UpdatedBy, a.UpdatedAt = c.ID, p.UserID, s.now().UTC()
		if err := s.store.PutAssessment(ctx, a); err != nil {
			return nil, err
		}
		return map[string]any{"requirement_id": a.RequirementID, "verdict": a.Verdict, "rationale": a.Rationale,
			"reason": a.Reason, "evidence_ids": a.EvidenceIDs, "finding_ids": a.FindingIDs}, nil
	})
	return a, err
}

func dedupe(in []string) []string {
	out := []string{}
	for _, v := range in {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Assessment returns the matrix: the core PSTI requirements always, plus
// every provision the case has assessed, in catalogue order, with counts.
func (s *Service) Assessment(ctx context.Context, id string) (Matrix, error) {
	c, _, acc, err := s.load(ctx, id, needRead, false)
	if err != nil {
		return Matrix{}, err
	}
	m, err := s.matrix(ctx, c)
	if err != nil {
		return Matrix{}, err
	}
	return matrixFor(acc, m), nil
}

func (s *Service) matrix(ctx context.Context, c Case) (Matrix, error) {
	stored, err := s.store.Assessments(ctx, c.ID)
	if err != nil {
		return Matrix{}, err
	}
	var findings map[string][]FindingRef
	if s.findings != nil {
		if findings, err = s.findings(ctx, c.ID); err != nil {
			return Matrix{}, err
		}
	}
	var withFindings []string
	for id, refs := range findings {
		if slices.ContainsFunc(refs, func(f FindingRef) bool { return !f.Detached() }) {
			withFindings = append(withFindings, id)
		}
	}
	m := Matrix{Counts: map[Verdict]int{}}
	for _, r := range relevant(stored, withFindings) {
		row := Row{Assessment: r.a, Requirement: r.req}
		for _, f := range findings[r.req.ID] {
			if f.Detached() {
				row.Detached = append(row.Detached, f)
			} else {
				row.Findings = append(row.Findings, f)
			}
		}
		row.FindingsCount = len(row.Findings)
		m.Rows = append(m.Rows, row)
	}
	m.Counts = countVerdicts(m.Rows)
	return m, nil
}

type relevantRow struct {
	req requirements.Requirement
	a   Assessment
}

// relevant lists, in catalogue order, the requirements a case's matrix
// shows: the core PSTI ones always, plus any assessed or evidenced by a
// finding.
func relevant(stored []Assessment, withFindings []string) []relevantRow {
	byID := map[string]Assessment{}
	idsSeen := map[string]bool{}
	var order []string
	add := func(id string) {
		if !idsSeen[id] {
			idsSeen[id] = true
			order = append(order, id)
		}
	}
	for _, id := range requirements.Core() {
		add(id)
	}
	for _, a := range stored {
		byID[a.RequirementID] = a
		add(a.RequirementID)
	}
	for _, id := range withFindings {
		add(id)
	}
	slices.SortFunc(order, requirements.CompareIDs)
	out := make([]relevantRow, 0, len(order))
	for _, id := range order {
		req, ok := requirements.Lookup(id)
		if !ok {
			continue
		}
		a, assessed := byID[id]
		if !assessed {
			a = Assessment{RequirementID: id, Verdict: NotAssessed}
		}
		out = append(out, relevantRow{req: req, a: a})
	}
	return out
}

func countVerdicts(rows []Row) map[Verdict]int {
	counts := make(map[Verdict]int, len(Verdicts))
	for _, v := range Verdicts {
		counts[v] = 0
	}
	for _, r := range rows {
		counts[r.Verdict]++
	}
	return counts
}

// Summary returns the verdict counts of a case's assessment, without
// loading the findings themselves.
func (s *Service) Summary(ctx context.Context, c Case) (map[Verdict]int, error) {
	stored, err := s.store.Assessments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var withFindings []string
	if s.findingReqs != nil {
		if withFindings, err = s.findingReqs(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	rows := relevant(stored, withFindings)
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{Assessment: r.a, Requirement: r.req}
	}
	return countVerdicts(out), nil
}

// TimelineReader lists audit entries for a case.
type TimelineReader interface {
	List(ctx context.Context, f audit.Filter) ([]audit.Entry, error)
}

// Timeline returns the case's audit entries, oldest first, after the cursor.
// An authority still deciding on a referral does not see it: the history is
// not part of what a referral package carries.
func (s *Service) Timeline(ctx context.Context, r TimelineReader, id string, after int64, limit int) ([]audit.Entry, error) {
	c, _, acc, err := s.load(ctx, id, needRead, false)
	if err != nil {
		return nil, err
	}
	if !acc.SeesContent() {
		return nil, apperr.New(apperr.Forbidden, "case %s was referred to your authority: accept the referral to see its history", c.Reference)
	}
	es, err := r.List(ctx, audit.Filter{CaseID: id, Ascending: true, Before: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	return timelineFor(acc, es), nil
}
