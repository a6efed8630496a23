package notices

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/legalbasis"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

// document resolves everything the PDF prints.
func (s *Service) document(ctx context.Context, n Notice, draft bool, at time.Time) (Document, error) {
	d := Document{Notice: n, Info: InfoFor(n), Draft: draft, Date: at, AuthorityCode: n.AuthorityCode}
	c, err := s.cases.Get(ctx, n.CaseID)
	if err != nil {
		return Document{}, err
	}
	d.CaseReference = c.Reference
	if d.Authority, err = s.dir.Profile(ctx, n.AuthorityID); err != nil {
		return Document{}, err
	}
	d.AuthorityName = d.Authority.DisplayName()
	if d.Recipient, err = s.dir.Operator(ctx, n.OperatorID); err != nil {
		return Document{}, err
	}
	parties, err := s.cases.Parties(ctx, n.CaseID)
	if err != nil {
		return Document{}, err
	}
	roles := partyRoles(parties, n)
	d.RecipientRole = strings.ReplaceAll(strings.Join(roles, ", "), "_", " ")
	d.Roles = legalbasis.Roles(roles)
	for _, pid := range n.ProductIDs {
		p, err := s.dir.Product(ctx, pid)
		if err != nil {
			return Document{}, err
		}
		d.Products = append(d.Products, p)
	}
	if err := s.schedule(ctx, n, &d); err != nil {
		return Document{}, err
	}
	for _, u := range []struct {
		id  string
		dst *string
	}{{n.AuthorID, &d.AuthorName}, {n.IssuerID, &d.IssuerName}, {n.ApproverID, &d.ApproverName}} {
		if u.id == "" {
			continue
		}
		if *u.dst, err = s.dir.UserName(ctx, u.id); err != nil {
			return Document{}, err
		}
	}
	// The officer the recipient deals with, as the renderer names them.
	officer := n.AuthorID
	if !draft && n.IssuerID != "" {
		officer = n.IssuerID
	}
	if officer != "" {
		if d.OfficerEmail, err = s.dir.UserEmail(ctx, officer); err != nil {
			return Document{}, err
		}
	}
	if n.Penalty != nil {
		d.PenaltyCap = n.Penalty.Cap()
	}
	if d.Sequence, err = s.sequenceDoc(ctx, n); err != nil {
		return Document{}, err
	}
	return d, nil
}

// partyRoles are the roles the notice's recipient holds on the case, for
// the products the notice names (or for the case as a whole).
func partyRoles(parties []cases.Party, n Notice) []string {
	var roles []string
	for _, p := range parties {
		if p.OperatorID != n.OperatorID || slices.Contains(roles, string(p.Role)) {
			continue
		}
		if p.ProductID != "" && len(n.ProductIDs) > 0 && !slices.Contains(n.ProductIDs, p.ProductID) {
			continue
		}
		roles = append(roles, string(p.Role))
	}
	return roles
}

// sequenceDoc is what the notice states about the step before it.
func (s *Service) sequenceDoc(ctx context.Context, n Notice) (*SequenceDoc, error) {
	if _, needs := legalbasis.StepFor(string(n.Type)); !needs {
		return nil, nil
	}
	seq, err := s.sequence(ctx, n)
	if err != nil {
		return nil, err
	}
	sd := &SequenceDoc{Provision: seq.Step.Provision, Route: seq.Route, Response: n.RepresentationsResponse,
		GivenOn: seq.GivenOn, RepresentationsBy: seq.RepresentationsBy}
	if seq.Route == RouteUrgency {
		sd.Urgency, sd.UrgencyApprovedAt = n.Urgency, n.UrgencyApprovedAt
		if n.UrgencyApprovedBy != "" {
			if sd.UrgencyApprover, err = s.dir.UserName(ctx, n.UrgencyApprovedBy); err != nil {
				return nil, err
			}
		}
		return sd, nil
	}
	if seq.Intent == nil {
		return sd, nil
	}
	sd.IntentReference, sd.IntentTitle = seq.Intent.Reference, InfoFor(*seq.Intent).Title
	for _, r := range seq.Representations {
		rd := RepresentationDoc{ReceivedAt: r.ReceivedAt, From: r.From}
		if len(r.ExhibitIDs) > 0 {
			if rd.Exhibits, err = s.exhibits.Lookup(ctx, n.CaseID, r.ExhibitIDs); err != nil {
				return nil, err
			}
		}
		sd.Representations = append(sd.Representations, rd)
	}
	return sd, nil
}

// breachOf is the cited PSTI requirement an EN 303 645 provision belongs
// with: the one it is a deemed-compliance route for, else the one its
// clause serves (5.1 passwords, 5.2 reporting, 5.3 updates); "" for none.
func breachOf(enID string, cited []string) string {
	for _, rid := range cited {
		if r, ok := requirements.Lookup(rid); ok && slices.Contains(r.DeemedBy, enID) {
			return rid
		}
	}
	byClause := map[string]string{"5.1": "PSTI-1", "5.2": "PSTI-2", "5.3": "PSTI-3"}
	if r, ok := requirements.Lookup(enID); ok && slices.Contains(cited, byClause[r.Clause]) {
		return byClause[r.Clause]
	}
	return ""
}

// schedule builds one row per breach — each cited PSTI requirement or the
// SoC duty — with the duty the recipient's role breaches, the EN 303 645
// provisions cited as technical evidence, and only the evidence the officer
// chose (or, by default, linked in the assessment) on hosts the notice names.
func (s *Service) schedule(ctx context.Context, n Notice, d *Document) error {
	m, err := s.cases.Assessment(ctx, n.CaseID)
	if err != nil {
		return err
	}
	byReq := map[string]cases.Row{}
	for _, r := range m.Rows {
		byReq[r.Requirement.ID] = r
	}
	chosen := map[string]Reliance{}
	for _, rid := range n.RequirementIDs {
		chosen[rid] = Reliance{RequirementID: rid, FindingIDs: byReq[rid].FindingIDs, ExhibitIDs: byReq[rid].EvidenceIDs}
	}
	for _, r := range n.Reliance {
		chosen[r.RequirementID] = r
	}
	// Fetch every exhibit and finding once.
	exhibitIDs := append([]string{}, n.EvidenceIDs...)
	var findingIDs []string
	for _, r := range chosen {
		exhibitIDs = append(exhibitIDs, r.ExhibitIDs...)
		findingIDs = append(findingIDs, r.FindingIDs...)
	}
	findings := map[string]FindingDetail{}
	if len(findingIDs) > 0 {
		fs, err := s.exhibits.Findings(ctx, n.CaseID, unique(findingIDs))
		if err != nil {
			return err
		}
		for _, f := range fs {
			if citable(f, n.Hosts) {
				findings[f.ID] = f
				exhibitIDs = append(exhibitIDs, f.EvidenceID)
			}
		}
	}
	byID := map[string]ExhibitRef{}
	if ids := unique(exhibitIDs); len(ids) > 0 {
		all, err := s.exhibits.Lookup(ctx, n.CaseID, ids)
		if err != nil {
			return err
		}
		for _, e := range all {
			byID[e.ID] = e
		}
	}
	rowOf := map[string]int{}
	for _, rid := range n.RequirementIDs {
		if legalbasis.BreachKind(rid) == "" {
			continue
		}
		r := byReq[rid]
		row := ScheduleRow{RequirementID: rid, RequirementTitle: r.Requirement.Title, LegalRef: r.Requirement.LegalRef,
			Rationale: r.Rationale, Paragraph: legalbasis.Schedule1Paragraph(rid)}
		for _, role := range d.Roles {
			if duty, ok := legalbasis.DutyFor(role, rid); ok {
				row.Duties = append(row.Duties, duty)
			}
		}
		rowOf[rid] = len(d.Schedule)
		d.Schedule = append(d.Schedule, row)
	}
	for _, rid := range n.RequirementIDs {
		if legalbasis.BreachKind(rid) != "" {
			continue
		}
		r := byReq[rid]
		tr := TechnicalRef{ID: rid, Title: r.Requirement.Title, Rationale: r.Rationale}
		owner := breachOf(rid, n.RequirementIDs)
		if i, ok := rowOf[owner]; ok {
			req, _ := requirements.Lookup(owner)
			tr.Deemed = slices.Contains(req.DeemedBy, rid)
			d.Schedule[i].Technical = append(d.Schedule[i].Technical, tr)
			rowOf[rid] = i // its evidence supports that breach
			continue
		}
		d.OtherTechnical = append(d.OtherTechnical, tr)
	}
	for _, rid := range n.RequirementIDs {
		i, ok := rowOf[rid]
		if !ok {
			continue
		}
		row := &d.Schedule[i]
		for _, fid := range chosen[rid].FindingIDs {
			if f, ok := findings[fid]; ok && !slices.ContainsFunc(row.Findings, func(x FindingDetail) bool { return x.ID == f.ID }) {
				row.Findings = append(row.Findings, f)
			}
		}
		for _, eid := range chosen[rid].ExhibitIDs {
			addExhibit(&row.Exhibits, byID, eid)
		}
		for _, f := range row.Findings {
			addExhibit(&row.Exhibits, byID, f.EvidenceID)
		}
	}
	for i := range d.Schedule {
		slices.SortStableFunc(d.Schedule[i].Findings, func(a, b FindingDetail) int { return severityRank(b.Severity) - severityRank(a.Severity) })
	}
	for _, eid := range n.EvidenceIDs {
		if e, ok := byID[eid]; ok {
			d.Exhibits = append(d.Exhibits, e)
		}
	}
	return nil
}

func addExhibit(list *[]ExhibitRef, byID map[string]ExhibitRef, id string) {
	if e, ok := byID[id]; ok && !slices.ContainsFunc(*list, func(x ExhibitRef) bool { return x.ID == e.ID }) {
		*list = append(*list, e)
	}
}

// citable reports whether a finding may support a notice naming hosts: it
// is not dismissed, and it is on a host the notice names (a finding with no
// host, such as an SBOM component, concerns the product itself).
func citable(f FindingDetail, hosts []string) bool {
	if f.Status == "false_positive" || f.Status == "resolved" {
		return false
	}
	return f.Host == "" || slices.Contains(hosts, f.Host)
}

func severityRank(s string) int {
	switch strings.ToLower(s) {
	case "critical":
		return 5
	case "high":
		return 4
	case "medium":
		return 3
	case "low":
		return 2
	case "info", "informational":
		return 1
	}
	return 0
}

// Verification is what the public verification endpoint may reveal.
type Verification struct {
	Genuine       bool
	Reference     string
	Type          Type
	IssuedAt      *time.Time
	AuthorityName string
	Recipient     string
	Status        Status
}

// VerifyCode answers whether reference and code name a genuine issued notice.
func (s *Service) VerifyCode(ctx context.Context, reference, code string) (Verification, error) {
	n, err := s.store.NoticeByReference(ctx, strings.ToUpper(strings.TrimSpace(reference)))
	if errors.Is(err, ErrNotFound) {
		return Verification{}, nil
	}
	if err != nil {
		return Verification{}, err
	}
	code = strings.ToLower(strings.TrimSpace(code))
	if n.Verification == "" || subtle.ConstantTimeCompare([]byte(code), []byte(n.Verification)) != 1 {
		return Verification{}, nil
	}
	return s.reveal(ctx, n)
}

// VerifyBytes answers whether content is exactly an issued notice's PDF.
func (s *Service) VerifyBytes(ctx context.Context, reference string, content []byte) (Verification, error) {
	n, err := s.store.NoticeByReference(ctx, strings.ToUpper(strings.TrimSpace(reference)))
	if errors.Is(err, ErrNotFound) {
		return Verification{}, nil
	}
	if err != nil {
		return Verification{}, err
	}
	sum := sha256.Sum256(content)
	if n.SHA256 == "" || subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(n.SHA256)) != 1 {
		return Verification{}, nil
	}
	return s.reveal(ctx, n)
}

func (s *Service) reveal(ctx context.Context, n Notice) (Verification, error) {
	if n.IssuedAt == nil {
		return Verification{}, nil
	}
	name, err := s.dir.AuthorityName(ctx, n.AuthorityID)
	if err != nil {
		return Verification{}, err
	}
	recipient, err := s.recipientName(ctx, n)
	if err != nil {
		return Verification{}, err
	}
	return Verification{Genuine: true, Reference: n.Reference, Type: n.Type, IssuedAt: n.IssuedAt, AuthorityName: name,
		Recipient: recipient, Status: n.Status}, nil
}

// WithheldSoleTrader is what the public learns of a sole trader recipient.
const WithheldSoleTrader = "a sole trader (name withheld)"

// recipientName is the recipient as the public may read it: the name the
// notice was issued to, withheld if the operator was a sole trader then —
// or is recorded as one now, since a correction never un-withholds.
func (s *Service) recipientName(ctx context.Context, n Notice) (string, error) {
	op, err := s.dir.Operator(ctx, n.OperatorID)
	if err != nil {
		return "", err
	}
	r := n.Recipient
	if r == nil {
		r = recipientOf(op)
	}
	if r.SoleTrader || op.SoleTrader {
		return WithheldSoleTrader, nil
	}
	return r.Name, nil
}

// recipientOf snapshots an operator as a notice's recipient.
func recipientOf(o operators.Operator) *Recipient {
	return &Recipient{Name: o.Name, TradingNames: slices.Clone(o.TradingNames), Address: o.Address, CompanyNumber: o.CompanyNumber,
		Country: o.Country, SoleTrader: o.SoleTrader}
}
