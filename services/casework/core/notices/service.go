package notices

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/legalbasis"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// Service implements the notice lifecycle.
type Service struct {
	store    Store
	cases    Cases
	exhibits Exhibits
	dir      Directory
	render   Renderer
	tx       txn.Runner
	// issuing serializes this process's issue calls per notice, so that
	// concurrent calls do not all render it.
	issuing keyedMutex
	log     audit.Log
	now     func() time.Time
}

// NewService wires the notice service.
func NewService(store Store, cs Cases, ex Exhibits, dir Directory, r Renderer, tx txn.Runner, log audit.Log, now func() time.Time) *Service {
	return &Service{store: store, cases: cs, exhibits: ex, dir: dir, render: r, tx: tx, log: log, now: now}
}

// Now is the service's clock (deadlines and overdue flags use it).
func (s *Service) Now() time.Time { return s.now() }

// Content is the editable content of a notice.
type Content struct {
	Type           Type
	OperatorID     string
	ProductIDs     []string
	RequirementIDs []string
	EvidenceIDs    []string
	Steps          []string
	Reasons        string
	Deadline       *time.Time
	Penalty        *PenaltyTerms
	// ProposedType is what a notice of intent proposes (default compliance).
	ProposedType Type
	// IntentID links the notice of intent this notice follows (optional:
	// issue finds a matching one).
	IntentID string
	// Urgency justifies giving a stop or recall notice without a notice of intent.
	Urgency string
	// RepresentationsResponse answers the representations received on the intent.
	RepresentationsResponse string
	// Hosts are the addresses of the tested units the notice names.
	Hosts []string
	// Reliance is the evidence relied on per requirement.
	Reliance []Reliance
}

// Create drafts a notice on a case the caller may work on.
func (s *Service) Create(ctx context.Context, caseID string, d Content) (Notice, error) {
	p, _ := principal.From(ctx)
	now := s.now().UTC()
	n := Notice{ID: ids.New(), CaseID: caseID, AuthorityID: p.Authority.ID, AuthorityCode: p.Authority.Code,
		Status: Draft, AuthorID: p.UserID, CreatedAt: now, UpdatedAt: now, Version: 1}
	n.AddContributor(p.UserID, Author)
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		c, err := s.cases.ForWork(ctx, caseID)
		if err != nil {
			return err
		}
		if c.Status == cases.Closed {
			return apperr.New(apperr.Conflict, "case %s is closed", c.Reference)
		}
		n.CaseID = c.ID
		if err := s.validate(ctx, c, &n, d); err != nil {
			return err
		}
		if err := s.store.CreateNotice(ctx, n); err != nil {
			return err
		}
		return s.record(ctx, n, "notice.draft", map[string]any{"type": n.Type, "operator_id": n.OperatorID,
			"requirement_ids": n.RequirementIDs, "evidence_ids": n.EvidenceIDs})
	})
	if err != nil {
		return Notice{}, fmt.Errorf("draft notice: %w", err)
	}
	return n, nil
}

// validate checks a draft against the case and copies it onto n.
func (s *Service) validate(ctx context.Context, c cases.Case, n *Notice, d Content) error {
	var fe apperr.Fields
	info, known := Info[d.Type]
	if !known {
		fe.Add("type", "must be one of %s", joinTypes())
		return fe.Err()
	}
	parties, err := s.cases.Parties(ctx, c.ID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(parties, func(p cases.Party) bool { return p.OperatorID == d.OperatorID }) {
		fe.Add("operator_id", "is not a party to case %s: add the operator to the case first", c.Reference)
	}
	d.ProductIDs = unique(d.ProductIDs)
	for i, pid := range d.ProductIDs {
		fe.Check(!slices.Contains(c.ProductIDs, pid), fmt.Sprintf("product_ids[%d]", i), "product %q is not on case %s", pid, c.Reference)
	}
	for i, rid := range d.RequirementIDs {
		if r, ok := requirements.Lookup(rid); ok {
			d.RequirementIDs[i] = r.ID
		}
	}
	d.RequirementIDs = unique(d.RequirementIDs)
	m, err := s.cases.Assessment(ctx, c.ID)
	if err != nil {
		return err
	}
	failed := map[string]bool{}
	for _, r := range m.Rows {
		if r.Verdict == cases.Fail {
			failed[r.Requirement.ID] = true
		}
	}
	for i, rid := range d.RequirementIDs {
		fe.Check(!failed[rid], fmt.Sprintf("requirement_ids[%d]", i), "requirement %q has no fail verdict on case %s", rid, c.Reference)
	}
	fe.Check(info.NeedsFailures && len(d.RequirementIDs) == 0, "requirement_ids", "a %s must cite at least one failed requirement", info.Title)
	if info.NeedsFailures && len(d.RequirementIDs) > 0 && !slices.ContainsFunc(d.RequirementIDs, func(id string) bool { return legalbasis.BreachKind(id) != "" }) {
		fe.Add("requirement_ids", "cite the PSTI Schedule 1 security requirement (PSTI-1 to PSTI-3) or the statement-of-compliance duty "+
			"(PSTI-SOC) that was breached: EN 303 645 provisions are technical evidence, not duties")
	}
	if info.NeedsFailures && slices.ContainsFunc(parties, func(p cases.Party) bool { return p.OperatorID == d.OperatorID }) {
		held := partyRoles(parties, Notice{OperatorID: d.OperatorID, ProductIDs: d.ProductIDs})
		if len(legalbasis.Roles(held)) == 0 {
			fe.Add("operator_id", "is a party to case %s only as %s, which bears no duty under sections 8 to 25 of the Act that a "+
				"notice can cite: record the operator's role as manufacturer, importer or distributor", c.Reference,
				strings.ReplaceAll(strings.Join(held, ", "), "_", " "))
		}
	}
	validateHosts(&fe, &d)
	validateReliance(&fe, &d)
	steps := []string{}
	for i, st := range d.Steps {
		st = strings.TrimSpace(st)
		if st == "" || len(st) > 4000 {
			fe.Add(fmt.Sprintf("steps[%d]", i), "must be 1 to 4000 characters")
			continue
		}
		steps = append(steps, st)
	}
	fe.Check(len(steps) > 50, "steps", "must list at most 50 steps")
	fe.Check((d.Type == Compliance || d.Type == Recall) && len(steps) == 0, "steps", "say what the recipient must do")
	d.Reasons = strings.TrimSpace(d.Reasons)
	fe.Check(len(d.Reasons) > 20000, "reasons", "must be at most 20000 characters")
	today := dateOf(s.now())
	switch {
	case d.Deadline == nil && d.Type != Stop:
		fe.Add("comply_by", "is required: %s", strings.ToLower(info.DeadlineLabel))
	case d.Deadline != nil && dateOf(*d.Deadline).Before(today):
		fe.Add("comply_by", "is in the past")
	case d.Deadline != nil && dateOf(*d.Deadline).Before(today.AddDate(0, 0, info.MinDays)):
		fe.Add("comply_by", "must be at least %d days after the date of issue for a %s", info.MinDays, strings.ToLower(info.Title))
	}
	if d.Type == Penalty || d.Type == PenaltyIntent {
		validatePenalty(&fe, d.Penalty)
	} else if d.Penalty != nil {
		fe.Add("penalty", "only penalty notices carry a penalty")
	}
	validateSequence(&fe, &d)
	if err := fe.Err(); err != nil {
		return err
	}
	if len(d.EvidenceIDs) > 0 {
		if _, err := s.exhibits.Lookup(ctx, c.ID, unique(d.EvidenceIDs)); err != nil {
			return err
		}
	}
	if err := s.checkReliance(ctx, c.ID, d); err != nil {
		return err
	}
	n.Type, n.OperatorID, n.ProductIDs, n.RequirementIDs = d.Type, d.OperatorID, d.ProductIDs, d.RequirementIDs
	n.EvidenceIDs, n.Steps, n.Reasons, n.Deadline, n.Penalty = unique(d.EvidenceIDs), steps, d.Reasons, d.Deadline, d.Penalty
	n.ProposedType, n.IntentID, n.Urgency, n.RepresentationsResponse = d.ProposedType, d.IntentID, d.Urgency, d.RepresentationsResponse
	n.Hosts, n.Reliance = d.Hosts, d.Reliance
	if n.Type == Intent && n.ProposedType == "" {
		n.ProposedType = Compliance
	}
	// A changed draft needs its urgency approved afresh.
	n.UrgencyApprovedBy, n.UrgencyApprovedAt = "", nil
	return s.checkIntentLink(ctx, *n)
}

func validatePenalty(fe *apperr.Fields, p *PenaltyTerms) {
	if p == nil {
		fe.Add("penalty", "is required for a penalty notice")
		return
	}
	fe.Check(p.QualifyingRevenuePence < 0, "penalty.qualifying_worldwide_revenue", "must not be negative")
	fe.Check(p.AmountPence <= 0, "penalty.amount", "must be more than zero")
	fe.Check(p.DailyPence < 0 || p.DailyPence > MaxDailyPence, "penalty.daily_amount", "must be between £0 and £20,000 a day (s.38)")
	if p.AmountPence > p.Cap() {
		fe.Add("penalty.amount", "exceeds the cap of £%s: the greater of £10,000,000 and 4%% of qualifying worldwide revenue (s.38)", Pounds(p.Cap()))
	}
	fe.Check(len(p.RevenuePeriod) > 200, "penalty.revenue_period", "must be at most 200 characters")
}

// Pounds formats pence as pounds with thousands separators: 1234567 → "12,345.67".
func Pounds(pence int64) string {
	neg := pence < 0
	if neg {
		pence = -pence
	}
	whole := fmt.Sprint(pence / 100)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := fmt.Sprintf("%s.%02d", b.String(), pence%100)
	if neg {
		return "-" + out
	}
	return out
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func unique(in []string) []string {
	out := []string{}
	for _, v := range in {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func joinTypes() string {
	parts := make([]string, len(Types))
	for i, t := range Types {
		parts[i] = string(t)
	}
	return strings.Join(parts, ", ")
}

func (s *Service) record(ctx context.Context, n Notice, action string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["status"] = n.Status
	detail["version"] = n.Version
	if n.Reference != "" {
		detail["reference"] = n.Reference
	}
	return s.log.Record(ctx, audit.Event{Action: action, ObjectType: "notice", ObjectID: n.ID, CaseID: n.CaseID, Detail: detail})
}

// load returns a notice the caller may see: one of their authority, on a
// case they can see. Others are NotFound.
func (s *Service) load(ctx context.Context, id string, forUpdate bool) (Notice, principal.Principal, error) {
	p, _ := principal.From(ctx)
	nf := apperr.New(apperr.NotFound, "no notice %q", id)
	if !ids.Valid(id) {
		return Notice{}, p, nf
	}
	n, err := s.store.GetNotice(ctx, id, forUpdate)
	if errors.Is(err, ErrNotFound) || (err == nil && n.AuthorityID != p.Authority.ID) {
		return Notice{}, p, nf
	}
	if err != nil {
		return Notice{}, p, fmt.Errorf("load notice %s: %w", id, err)
	}
	if _, err := s.cases.Get(ctx, n.CaseID); err != nil {
		return Notice{}, p, nf
	}
	return n, p, nil
}

// workCase returns the notice's case when p may work on the notice (MayWork).
func (s *Service) workCase(ctx context.Context, n Notice, p principal.Principal, doing string) (cases.Case, error) {
	c, err := s.cases.Get(ctx, n.CaseID)
	if err != nil {
		return cases.Case{}, err
	}
	return c, mayWork(n, c, p, doing)
}

// Get returns a notice the caller may read (see visible).
func (s *Service) Get(ctx context.Context, id string) (Notice, error) {
	n, _, err := s.visible(ctx, id)
	return n, err
}

// List returns the caller's authority's notices, newest first.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Notice, error) {
	p, _ := principal.From(ctx)
	f.AuthorityID = p.Authority.ID
	return s.store.ListNotices(ctx, f)
}

// mutate runs fn on a locked notice and saves it with an audit entry.
func (s *Service) mutate(ctx context.Context, id, action string, fn func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error)) (Notice, error) {
	var out Notice
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		n, p, err := s.load(ctx, id, true)
		if err != nil {
			return err
		}
		detail, err := fn(ctx, &n, p)
		if err != nil {
			return err
		}
		n.Version++
		n.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateNotice(ctx, n); err != nil {
			return err
		}
		out = n
		return s.record(ctx, n, action, detail)
	})
	if err != nil {
		return Notice{}, fmt.Errorf("%s %s: %w", action, id, err)
	}
	return out, nil
}

func wrongState(n Notice, doing string, want ...Status) error {
	names := make([]string, len(want))
	for i, w := range want {
		names[i] = string(w)
	}
	return apperr.New(apperr.Conflict, "cannot %s a notice that is %s (it must be %s)", doing, n.Status, strings.Join(names, " or ")).
		With("status", n.Status)
}

// Update edits a draft when version matches.
func (s *Service) Update(ctx context.Context, id string, version int, d Content) (Notice, error) {
	return s.mutate(ctx, id, "notice.update", func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error) {
		c, err := s.workCase(ctx, *n, p, "edit")
		if err != nil {
			return nil, err
		}
		if n.Version != version {
			return nil, apperr.New(apperr.PreconditionFailed, "notice is at version %d, not %d", n.Version, version).With("current_version", n.Version)
		}
		if n.Status != Draft {
			return nil, wrongState(*n, "edit", Draft)
		}
		if err := s.validate(ctx, c, n, d); err != nil {
			return nil, err
		}
		n.AddContributor(p.UserID, Editor)
		return map[string]any{"type": n.Type, "operator_id": n.OperatorID, "requirement_ids": n.RequirementIDs}, nil
	})
}

// Submit sends the author's draft for approval.
func (s *Service) Submit(ctx context.Context, id string) (Notice, error) {
	return s.mutate(ctx, id, "notice.submit", func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error) {
		if _, err := s.workCase(ctx, *n, p, "submit"); err != nil {
			return nil, err
		}
		if n.Status != Draft {
			return nil, wrongState(*n, "submit", Draft)
		}
		now := s.now().UTC()
		n.Status, n.SubmittedAt, n.RejectReason = PendingApproval, &now, ""
		n.AddContributor(p.UserID, Submitter)
		return nil, nil
	})
}

// Approve is the second pair of eyes: a supervisor who is not the author.
func (s *Service) Approve(ctx context.Context, id string) (Notice, error) {
	return s.decide(ctx, id, true, "")
}

// Reject returns a submitted notice to draft with a reason.
func (s *Service) Reject(ctx context.Context, id, reason string) (Notice, error) {
	if strings.TrimSpace(reason) == "" {
		return Notice{}, apperr.InvalidField("reason", "say why the notice is rejected")
	}
	return s.decide(ctx, id, false, strings.TrimSpace(reason))
}

func (s *Service) decide(ctx context.Context, id string, approve bool, reason string) (Notice, error) {
	action := "notice.approve"
	if !approve {
		action = "notice.reject"
	}
	var selfApproval []ContributorRole
	n, err := s.mutate(ctx, id, action, func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error) {
		if !p.Has(principal.Supervisor) {
			return nil, apperr.New(apperr.Forbidden, "only a supervisor may approve or reject a notice")
		}
		if err := n.CheckApprover(p.UserID); err != nil {
			selfApproval = n.ContributionOf(p.UserID)
			return nil, err
		}
		if n.Status != PendingApproval {
			return nil, wrongState(*n, "approve or reject", PendingApproval)
		}
		now := s.now().UTC()
		if approve {
			n.Status, n.ApproverID, n.ApprovedAt = Approved, p.UserID, &now
			if n.Urgency == "" {
				return nil, nil
			}
			// Approving the notice approves its reason for skipping the notice of intent.
			n.UrgencyApprovedBy, n.UrgencyApprovedAt = p.UserID, &now
			return map[string]any{"urgency_approved": true, "urgency": n.Urgency}, nil
		}
		n.Status, n.RejectReason = Draft, reason
		n.UrgencyApprovedBy, n.UrgencyApprovedAt = "", nil
		return map[string]any{"reason": reason}, nil
	})
	if selfApproval != nil {
		// The refused attempt itself is audited: four-eyes violations matter in court.
		if aerr := s.log.Record(ctx, audit.Event{Action: "notice.self_approval_refused", ObjectType: "notice",
			ObjectID: id, CaseID: caseIDOf(ctx, s, id), Detail: map[string]any{"attempted": action, "contributor_roles": selfApproval}}); aerr != nil {
			return Notice{}, aerr
		}
	}
	return n, err
}

func caseIDOf(ctx context.Context, s *Service, id string) string {
	n, err := s.store.GetNotice(ctx, id, false)
	if err != nil {
		return ""
	}
	return n.CaseID
}

// Issue renders the approved notice once, numbers it, stores the PDF as an
// exhibit on the case and freezes it. Rendering happens before the write
// transaction (see prepareIssue); concurrent calls then serialize on the
// notice row: exactly one numbers and stores it, the rest see it issued.
func (s *Service) Issue(ctx context.Context, id string) (Notice, error) {
	defer s.issuing.Lock(id)()
	n, p, err := s.load(ctx, id, false)
	if err != nil {
		return Notice{}, fmt.Errorf("notice.issue %s: %w", id, err)
	}
	if err := canIssue(n, p); err != nil {
		return Notice{}, fmt.Errorf("notice.issue %s: %w", id, err)
	}
	now := s.now().UTC().Truncate(time.Second)
	seq, err := s.store.PeekNoticeNumber(ctx, n.AuthorityID, n.Type, now.Year())
	if err != nil {
		return Notice{}, fmt.Errorf("notice.issue %s: %w", id, err)
	}
	pre, err := s.prepareIssue(ctx, n, p, now, seq)
	if err != nil {
		return Notice{}, fmt.Errorf("notice.issue %s: %w", id, err)
	}
	return s.mutate(ctx, id, "notice.issue", func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error) {
		if err := canIssue(*n, p); err != nil {
			return nil, err
		}
		if n.Version != pre.notice.Version {
			return nil, apperr.New(apperr.Conflict, "the notice changed while it was being issued: try again")
		}
		got, err := s.store.NextNoticeNumber(ctx, n.AuthorityID, n.Type, now.Year())
		if err != nil {
			return nil, err
		}
		if got != seq {
			// Another notice of this type took the number meanwhile: the
			// bytes must carry the number allocated, so render again (rare:
			// only concurrent issues of one type in one authority).
			if pre, err = s.prepareIssue(ctx, *n, p, now, got); err != nil {
				return nil, err
			}
		}
		standing, err := s.requireSequence(ctx, n)
		if err != nil {
			return nil, err
		}
		info := Info[n.Type]
		ex, err := s.exhibits.StoreIssued(ctx, n.CaseID, pre.notice.Reference+".pdf", pre.pdf,
			fmt.Sprintf("%s %s as issued", info.Title, pre.notice.Reference))
		if err != nil {
			return nil, err
		}
		version := n.Version
		*n = pre.notice
		n.Version, n.ExhibitID = version, ex.ID
		// The particulars' hashes let audit verify prove the stored notice unchanged since issue.
		parts := ParticularsOf(*n)
		detail := map[string]any{"reference": n.Reference, "sha256": n.SHA256, "exhibit_id": ex.ID, "exhibit_ref": ex.Ref,
			"verification_code": n.Verification, "recipient_sole_trader": n.Recipient.SoleTrader,
			"particulars_sha256": parts.Hash(), "particulars": parts.FieldHashes()}
		if standing.Required {
			detail["sequence_route"], detail["provision"] = standing.Route, standing.Step.Provision
			if standing.Intent != nil {
				detail["intent_id"], detail["intent_reference"] = standing.Intent.ID, standing.Intent.Reference
			}
		}
		return detail, nil
	})
}

// VerificationCode is the code printed on every page of an issued notice:
// the first 16 hex digits of the SHA-256 of its canonical particulars. (A
// PDF cannot print its own file hash; the file hash is checked by
// VerifyBytes.)
func VerificationCode(n Notice) string {
	type canon struct {
		Reference string     `json:"reference"`
		Type      Type       `json:"type"`
		Authority string     `json:"authority"`
		CaseID    string     `json:"case_id"`
		Operator  string     `json:"operator_id"`
		Products  []string   `json:"product_ids"`
		Reqs      []string   `json:"requirement_ids"`
		Evidence  []string   `json:"evidence_ids"`
		Steps     []string   `json:"steps"`
		Deadline  *time.Time `json:"deadline"`
		IssuedAt  *time.Time `json:"issued_at"`
		Issuer    string     `json:"issuer_id"`
		Penalty   *PenaltyTerms
	}
	b, _ := json.Marshal(canon{n.Reference, n.Type, n.AuthorityCode, n.CaseID, n.OperatorID, n.ProductIDs, n.RequirementIDs,
		n.EvidenceIDs, n.Steps, n.Deadline, n.IssuedAt, n.IssuerID, n.Penalty})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16]
}

// Preview renders the current content, watermarked DRAFT.
func (s *Service) Preview(ctx context.Context, id string, w *bytes.Buffer) error {
	n, _, err := s.load(ctx, id, false)
	if err != nil {
		return err
	}
	if n.Status.Frozen() {
		return apperr.New(apperr.Conflict, "notice %s is issued: download the issued PDF instead", n.Reference)
	}
	doc, err := s.document(ctx, n, true, s.now().UTC().Truncate(time.Second))
	if err != nil {
		return err
	}
	return s.render.Render(w, doc)
}

// PDF returns the issued bytes, exactly as issued.
func (s *Service) PDF(ctx context.Context, id string) (Notice, []byte, error) {
	n, acc, err := s.visible(ctx, id)
	if err != nil {
		return Notice{}, nil, err
	}
	if !acc.SeesContent() {
		return Notice{}, nil, apperr.New(apperr.Forbidden, "notice %s is on a case referred to your authority: accept the referral to read the issued PDF", n.Reference)
	}
	return s.issuedBytes(ctx, n)
}

// IssuedPDF returns an issued notice's bytes by id or reference, for operator
// commands (no authority scoping).
func (s *Service) IssuedPDF(ctx context.Context, idOrRef string) (Notice, []byte, error) {
	var (
		n   Notice
		err error
	)
	if ids.Valid(idOrRef) {
		n, err = s.store.GetNotice(ctx, idOrRef, false)
	} else {
		n, err = s.store.NoticeByReference(ctx, strings.ToUpper(strings.TrimSpace(idOrRef)))
	}
	if errors.Is(err, ErrNotFound) {
		return Notice{}, nil, apperr.New(apperr.NotFound, "no notice %q", idOrRef)
	}
	if err != nil {
		return Notice{}, nil, err
	}
	return s.issuedBytes(ctx, n)
}

func (s *Service) issuedBytes(ctx context.Context, n Notice) (Notice, []byte, error) {
	if n.ExhibitID == "" {
		return Notice{}, nil, apperr.New(apperr.Conflict, "the notice is %s: only issued notices have a PDF (use preview.pdf for drafts)", n.Status)
	}
	rc, _, err := s.exhibits.Open(ctx, n.ExhibitID)
	if err != nil {
		return Notice{}, nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil {
		return Notice{}, nil, fmt.Errorf("read issued pdf: %w", err)
	}
	if sum := sha256.Sum256(buf.Bytes()); hex.EncodeToString(sum[:]) != n.SHA256 {
		return Notice{}, nil, apperr.New(apperr.Internal, "the stored PDF of %s no longer matches its recorded SHA-256", n.Reference)
	}
	return n, buf.Bytes(), nil
}

// RecordPayment records money received against an issued penalty notice.
func (s *Service) RecordPayment(ctx context.Context, id string, amountPence int64, paidAt time.Time, method, reference string) (Payment, error) {
	var fe apperr.Fields
	fe.Check(amountPence <= 0, "amount_pence", "must be more than zero")
	fe.Check(!slices.Contains(PaymentMethods, method), "method", "must be one of %s", strings.Join(PaymentMethods, ", "))
	fe.Check(paidAt.IsZero() || paidAt.After(s.now().Add(5*time.Minute)), "paid_at", "is required and must not be in the future")
	fe.Check(len(reference) > 200, "reference", "must be at most 200 characters")
	if err := fe.Err(); err != nil {
		return Payment{}, err
	}
	var pay Payment
	_, err := s.mutate(ctx, id, "notice.payment", func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error) {
		if err := needSupervisor(*n, p, "record a payment against"); err != nil {
			return nil, err
		}
		if n.Type != Penalty || n.IssuedAt == nil || n.Status == Withdrawn || n.Status == Revoked || n.Status == Cancelled {
			return nil, apperr.New(apperr.Conflict, "payments are recorded only against an issued penalty notice in force")
		}
		pay = Payment{ID: ids.New(), NoticeID: n.ID, AmountPence: amountPence, PaidAt: paidAt.UTC(), Method: method,
			Reference: strings.TrimSpace(reference), RecordedBy: p.UserID, RecordedAt: s.now().UTC()}
		if err := s.store.AddPayment(ctx, pay); err != nil {
			return nil, err
		}
		return map[string]any{"amount_pence": amountPence, "paid_at": pay.PaidAt, "method": method, "reference": pay.Reference}, nil
	})
	return pay, err
}

// Payments lists the payments against a notice.
func (s *Service) Payments(ctx context.Context, id string) ([]Payment, error) {
	_, acc, err := s.visible(ctx, id)
	if err != nil {
		return nil, err
	}
	ps, err := s.store.Payments(ctx, id)
	if err != nil {
		return nil, err
	}
	return paymentsFor(acc, ps), nil
}

// ServeMethods are the ways a notice can be given.
var ServeMethods = authorities.ServiceMethods

// RecordOutcome records compliance, breach, appeal and the appeal's result.
func (s *Service) RecordOutcome(ctx context.Context, id string, outcome Status, note string) (Notice, error) {
	return s.mutate(ctx, id, "notice.outcome", func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error) {
		if err := needSupervisor(*n, p, "record an outcome of"); err != nil {
			return nil, err
		}
		if !slices.Contains(n.Status.NextOutcomes(), outcome) {
			return nil, apperr.New(apperr.Conflict, "a %s notice cannot become %s; allowed: %v", n.Status, outcome, n.Status.NextOutcomes()).
				With("allowed", n.Status.NextOutcomes())
		}
		if outcome == Appealed && !Info[n.Type].Appealable {
			return nil, apperr.New(apperr.Conflict, "a %s cannot be appealed", strings.ToLower(Info[n.Type].Title))
		}
		now := s.now().UTC()
		from := n.Status
		n.Status, n.OutcomeAt, n.OutcomeNote = outcome, &now, strings.TrimSpace(note)
		return map[string]any{"from": from, "to": outcome, "note": n.OutcomeNote}, nil
	})
}

// Withdraw ends a notice before service; Revoke ends one after issue.
func (s *Service) Withdraw(ctx context.Context, id, reason string, revoke bool) (Notice, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 5000 {
		return Notice{}, apperr.InvalidField("reason", "say why (max 5000 characters)")
	}
	action, to, from := "notice.withdraw", Withdrawn, []Status{Draft, PendingApproval, Approved, Issued}
	if revoke {
		action, to, from = "notice.revoke", Revoked, []Status{Issued, Served, Breached, Upheld, Varied}
	}
	return s.mutate(ctx, id, action, func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error) {
		doing := strings.TrimPrefix(action, "notice.")
		if revoke {
			if err := needSupervisor(*n, p, doing); err != nil {
				return nil, err
			}
		} else if _, err := s.workCase(ctx, *n, p, doing); err != nil {
			return nil, err
		}
		if !slices.Contains(from, n.Status) {
			return nil, wrongState(*n, doing, from...)
		}
		if n.Status != Draft && !p.Has(principal.Supervisor) {
			return nil, apperr.New(apperr.Forbidden, "only a supervisor may %s a notice once submitted", doing)
		}
		n.Status, n.ClosedReason = to, reason
		return map[string]any{"reason": reason}, nil
	})
}
