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
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
)

// document resolves everything the PDF prints.
func (s *Service) document(ctx context.Context, n Notice, draft bool, at time.Time) (Document, error) {
	d := Document{Notice: n, Info: Info[n.Type], Draft: draft, Date: at, AuthorityCode: n.AuthorityCode}
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
	var roles []string
	for _, p := range parties {
		if p.OperatorID == n.OperatorID && !slices.Contains(roles, string(p.Role)) {
			roles = append(roles, string(p.Role))
		}
	}
	d.RecipientRole = strings.ReplaceAll(strings.Join(roles, ", "), "_", " ")
	for _, pid := range n.ProductIDs {
		p, err := s.dir.Product(ctx, pid)
		if err != nil {
			return Document{}, err
		}
		d.Products = append(d.Products, p)
	}
	if d.Schedule, d.Exhibits, err = s.schedule(ctx, n); err != nil {
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
	return d, nil
}

// schedule builds one row per cited requirement from the case's assessment,
// with the exhibits linked there and on the notice.
func (s *Service) schedule(ctx context.Context, n Notice) ([]ScheduleRow, []ExhibitRef, error) {
	m, err := s.cases.Assessment(ctx, n.CaseID)
	if err != nil {
		return nil, nil, err
	}
	byReq := map[string]cases.Row{}
	for _, r := range m.Rows {
		byReq[r.Requirement.ID] = r
	}
	wanted := append([]string{}, n.EvidenceIDs...)
	for _, rid := range n.RequirementIDs {
		for _, e := range byReq[rid].EvidenceIDs {
			if !slices.Contains(wanted, e) {
				wanted = append(wanted, e)
			}
		}
		for _, f := range byReq[rid].Findings {
			if !slices.Contains(wanted, f.EvidenceID) {
				wanted = append(wanted, f.EvidenceID)
			}
		}
	}
	var all []ExhibitRef
	if len(wanted) > 0 {
		if all, err = s.exhibits.Lookup(ctx, n.CaseID, wanted); err != nil {
			return nil, nil, err
		}
	}
	byID := map[string]ExhibitRef{}
	for _, e := range all {
		byID[e.ID] = e
	}
	var rows []ScheduleRow
	for _, rid := range n.RequirementIDs {
		r := byReq[rid]
		row := ScheduleRow{RequirementID: rid, RequirementTitle: r.Requirement.Title, LegalRef: r.Requirement.LegalRef,
			Rationale: r.Rationale, Findings: r.Findings}
		for _, eid := range r.EvidenceIDs {
			if e, ok := byID[eid]; ok {
				row.Exhibits = append(row.Exhibits, e)
			}
		}
		for _, f := range r.Findings {
			if e, ok := byID[f.EvidenceID]; ok && !slices.ContainsFunc(row.Exhibits, func(x ExhibitRef) bool { return x.ID == e.ID }) {
				row.Exhibits = append(row.Exhibits, e)
			}
		}
		rows = append(rows, row)
	}
	var cited []ExhibitRef
	for _, eid := range n.EvidenceIDs {
		if e, ok := byID[eid]; ok {
			cited = append(cited, e)
		}
	}
	return rows, cited, nil
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
