package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

type scopeDTO struct {
	Connectable       *bool  `json:"connectable"`
	UKConsumerProduct *bool  `json:"uk_consumer_product"`
	UsedOrSecondHand  *bool  `json:"used_or_second_hand"`
	Excepted          *bool  `json:"excepted"`
	ExceptedCategory  string `json:"excepted_category,omitempty" validate:"max=200"`
	Notes             string `json:"notes,omitempty" validate:"max=5000"`
	InScope           bool   `json:"in_scope"`
	OutOfScope        bool   `json:"out_of_scope"`
}

type closureRequestDTO struct {
	Reason      string    `json:"reason" enumof:"closure_reasons"`
	Note        string    `json:"note,omitempty"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
}

type referralDTO struct {
	Authority   string     `json:"authority"`
	Status      string     `json:"status" enum:"pending,accepted,declined,revoked"`
	AccessLevel string     `json:"access_level" enumof:"access_levels" description:"what the receiving authority may do once it accepts"`
	Reason      string     `json:"reason"`
	ReferredBy  string     `json:"referred_by,omitempty"`
	ReferredAt  time.Time  `json:"referred_at"`
	AcceptedAt  *time.Time `json:"accepted_at,omitempty"`
	EndedAt     *time.Time `json:"ended_at,omitempty" description:"when the referral was declined or revoked"`
	EndReason   string     `json:"end_reason,omitempty"`
}

type complainantDTO struct {
	Name    string `json:"name,omitempty" validate:"max=300"`
	Email   string `json:"email,omitempty" validate:"omitempty,max=320,email"`
	Phone   string `json:"phone,omitempty" validate:"max=40"`
	Address string `json:"address,omitempty" validate:"max=1000"`
}

func (d *complainantDTO) toCore() *cases.Complainant {
	if d == nil {
		return nil
	}
	return &cases.Complainant{Name: d.Name, Email: d.Email, Phone: d.Phone, Address: d.Address}
}

type caseDTO struct {
	ID                 string             `json:"id"`
	Reference          string             `json:"reference"`
	Authority          string             `json:"authority"`
	Title              string             `json:"title"`
	Summary            string             `json:"summary"`
	Complainant        *complainantDTO    `json:"complainant,omitempty" description:"who complained; shown to the owning authority only (rule R1)"`
	Origin             string             `json:"origin" enum:"proactive_surveillance,complaint,referral,self_notification,border_check,online_monitoring"`
	Status             string             `json:"status" enum:"intake,triage,investigating,decision,enforcement,monitoring,closed,reopened"`
	AllowedTransitions []string           `json:"allowed_transitions"`
	RiskLevel          string             `json:"risk_level" enum:"low,medium,high,serious"`
	AssigneeID         string             `json:"assignee_id,omitempty"`
	CreatedBy          string             `json:"created_by,omitempty"`
	CreatedAt          time.Time          `json:"created_at"`
	UpdatedAt          time.Time          `json:"updated_at"`
	ClosedAt           *time.Time         `json:"closed_at,omitempty"`
	ClosureReason      string             `json:"closure_reason,omitempty" enumof:"closure_reasons"`
	ClosureNote        string             `json:"closure_note,omitempty"`
	ClosureRequest     *closureRequestDTO `json:"closure_request,omitempty"`
	Scope              scopeDTO           `json:"scope"`
	ProductIDs         []string           `json:"product_ids"`
	Referrals          []referralDTO      `json:"referrals" description:"the owner sees every referral; another authority sees its own"`
	Access             string             `json:"access" enum:"owner,referred,collaborator" description:"how your authority holds the case: owner; referred (a referral awaiting your decision: what a referral package would show, no exhibit content); collaborator (an accepted referral, at access_level)"`
	AccessLevel        string             `json:"access_level,omitempty" enumof:"access_levels" description:"for referred and collaborator access: what your authority may do (once it accepts)"`
	AssessmentSummary  map[string]int     `json:"assessment_summary,omitempty"`
	Version            int                `json:"version"`
}

type createCaseReq struct {
	Title       string          `json:"title" validate:"required,max=300"`
	Summary     string          `json:"summary" validate:"max=20000"`
	Complainant *complainantDTO `json:"complainant" description:"who complained; kept apart from the summary so the summary can be shared with their identity taken out (rule R1)"`
	Origin      string          `json:"origin" validate:"required,oneof=proactive_surveillance complaint referral self_notification border_check online_monitoring"`
	ProductIDs  []string        `json:"product_ids" validate:"max=100"`
	RiskLevel   string          `json:"risk_level" validate:"omitempty,oneof=low medium high serious"`
}

type patchCaseReq struct {
	Title       *string         `json:"title" validate:"omitempty,max=300"`
	Summary     *string         `json:"summary" validate:"omitempty,max=20000"`
	Complainant *complainantDTO `json:"complainant" description:"replaces the recorded complainant"`
	RiskLevel   *string         `json:"risk_level" validate:"omitempty,oneof=low medium high serious"`
	ProductIDs  *[]string       `json:"product_ids" validate:"omitempty,max=100"`
	Scope       *scopeDTO       `json:"scope"`
}

type transitionReq struct {
	To             string `json:"to" validate:"required,max=40" enumof:"case_statuses"`
	Reason         string `json:"reason" validate:"max=2000" description:"why; closing (to=closed) takes a closure reason, one of the values of a case's closure_reason"`
	Note           string `json:"note" validate:"max=5000"`
	OverrideReason string `json:"override_reason" validate:"max=5000" description:"a supervisor's reason for closing although notices, penalties, drafts or approvals are outstanding (audited with what is left)"`
}

type transitionResp struct {
	caseDTO
	ClosureRequested bool `json:"closure_requested"`
}

type assignmentReq struct {
	OfficerID string `json:"officer_id" validate:"required,max=64"`
}

type partyReq struct {
	OperatorID string `json:"operator_id" validate:"required,max=64"`
	Role       string `json:"role" validate:"required,oneof=manufacturer own_brander importer distributor authorised_representative online_marketplace retailer"`
	ProductID  string `json:"product_id" validate:"max=64"`
}

type partyDTO struct {
	ID           string    `json:"id"`
	OperatorID   string    `json:"operator_id"`
	OperatorName string    `json:"operator_name,omitempty" description:"the operator's registered name (absent where operator_label stands in for it)"`
	Role         string    `json:"role" enumof:"party_roles"`
	ProductID    string    `json:"product_id,omitempty"`
	AddedBy      string    `json:"added_by"`
	AddedAt      time.Time `json:"added_at"`

	OperatorLabel string `json:"operator_label,omitempty" description:"while a referral awaits your decision, a sole trader party is shown by this label (rule R4) and operator_id is empty"`
}

type noteReq struct {
	Body      string `json:"body" validate:"required,max=20000"`
	Shareable bool   `json:"shareable"`
}

type noteDTO struct {
	ID        string    `json:"id"`
	AuthorID  string    `json:"author_id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	Shareable bool      `json:"shareable"`
	CreatedAt time.Time `json:"created_at"`
}

type assessmentReq struct {
	Verdict     string   `json:"verdict" validate:"required,oneof=not_assessed pass fail not_applicable inconclusive"`
	Rationale   string   `json:"rationale" validate:"max=10000"`
	Reason      string   `json:"reason" validate:"max=5000"`
	EvidenceIDs []string `json:"evidence_ids" validate:"max=100"`
	FindingIDs  []string `json:"finding_ids" validate:"max=500"`
}

type findingRefDTO struct {
	ID         string `json:"id"`
	EvidenceID string `json:"evidence_id"`
	Title      string `json:"title"`
	Severity   string `json:"severity"`
	Status     string `json:"status"`
	// Source says who linked the finding to the requirement: the mapping
	// rules, or an officer's decision (with its reason).
	Source    string     `json:"source" enum:"rule,officer"`
	Decision  string     `json:"decision,omitempty" enum:"attach,detach"`
	Reason    string     `json:"reason,omitempty"`
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
}

type assessmentRowDTO struct {
	RequirementID    string          `json:"requirement_id"`
	RequirementTitle string          `json:"requirement_title"`
	Kind             string          `json:"kind"`
	Verdict          string          `json:"verdict"`
	Rationale        string          `json:"rationale,omitempty"`
	Reason           string          `json:"reason,omitempty"`
	EvidenceIDs      []string        `json:"evidence_ids"`
	FindingIDs       []string        `json:"finding_ids"`
	Findings         []findingRefDTO `json:"findings" description:"empty while the case is a referral awaiting your decision: findings are exhibit content"`
	Detached         []findingRefDTO `json:"detached_findings" description:"findings the rules cite here that an officer decided do not evidence it"`
	FindingsCount    int             `json:"findings_count"`
	UpdatedBy        string          `json:"updated_by,omitempty"`
	UpdatedAt        *time.Time      `json:"updated_at,omitempty"`
}

type assessmentDTO struct {
	Items  []assessmentRowDTO `json:"items"`
	Counts map[string]int     `json:"counts"`
}

type referralReq struct {
	ToAuthority string `json:"to_authority" validate:"required,max=32"`
	Reason      string `json:"reason" validate:"required,max=5000"`
	AccessLevel string `json:"access_level" validate:"omitempty,oneof=read_only edit_evidence_and_notes" description:"what the receiving authority may do once it accepts (default read_only)"`
}

type referralLevelReq struct {
	AccessLevel string `json:"access_level" validate:"required,oneof=read_only edit_evidence_and_notes"`
}

type caseListQuery struct {
	Status     string `query:"status" validate:"omitempty,oneof=intake triage investigating decision enforcement monitoring closed reopened"`
	Assignee   string `query:"assignee" validate:"max=64"`
	Origin     string `query:"origin" validate:"omitempty,oneof=proactive_surveillance complaint referral self_notification border_check online_monitoring"`
	ProductID  string `query:"product_id" validate:"max=64"`
	OperatorID string `query:"operator_id" validate:"max=64"`
	Q          string `query:"q" validate:"max=200"`
	Limit      int    `query:"limit" validate:"gte=0"`
	Cursor     string `query:"cursor" validate:"max=64"`
}

type timelineQuery struct {
	Limit  int    `query:"limit" validate:"gte=0"`
	Cursor string `query:"cursor" validate:"max=32"`
}

type timelineItem struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	ActorID    string          `json:"actor_id,omitempty"`
	Authority  string          `json:"authority"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Detail     json.RawMessage `json:"detail"`
}

func toReferralDTO(sh cases.Share) referralDTO {
	return referralDTO{Authority: sh.AuthorityCode, Status: string(sh.Status), AccessLevel: string(sh.Level), Reason: sh.Reason,
		ReferredBy: sh.ReferredBy, ReferredAt: sh.ReferredAt, AcceptedAt: sh.AcceptedAt, EndedAt: sh.EndedAt, EndReason: sh.EndReason}
}

// toCaseDTO converts a case as the core returned it for viewer (already
// redacted for viewer's authority).
func toCaseDTO(c cases.Case, viewer principal.Principal) caseDTO {
	out := caseDTO{ID: c.ID, Reference: c.Reference, Authority: c.AuthorityCode, Title: c.Title, Summary: c.Summary,
		Origin: string(c.Origin), Status: string(c.Status), RiskLevel: string(c.Risk), AssigneeID: c.AssigneeID,
		CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ClosedAt: c.ClosedAt,
		ClosureReason: string(c.ClosureReason), ClosureNote: c.ClosureNote, ProductIDs: orEmpty(c.ProductIDs),
		Referrals: []referralDTO{}, AllowedTransitions: []string{}, Access: string(cases.Owner), Version: c.Version,
		Scope: scopeDTO{Connectable: c.Scope.Connectable, UKConsumerProduct: c.Scope.UKConsumerProduct,
			UsedOrSecondHand: c.Scope.UsedOrSecondHand, Excepted: c.Scope.Excepted, ExceptedCategory: c.Scope.ExceptedCategory,
			Notes: c.Scope.Notes, InScope: c.Scope.InScope(), OutOfScope: c.Scope.OutOfScope()}}
	if k := c.Complainant; !k.Empty() {
		out.Complainant = &complainantDTO{Name: k.Name, Email: k.Email, Phone: k.Phone, Address: k.Address}
	}
	if r := c.ClosureReq; r != nil {
		out.ClosureRequest = &closureRequestDTO{Reason: string(r.Reason), Note: r.Note, RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt}
	}
	for _, sh := range c.Shares {
		out.Referrals = append(out.Referrals, toReferralDTO(sh))
	}
	acc, _ := c.AccessFor(viewer.Authority.ID)
	if acc.Standing != "" {
		out.Access, out.AccessLevel = string(acc.Standing), string(acc.Level)
	}
	// Only the owner moves the case through its lifecycle.
	if acc.Standing == cases.Owner {
		for _, st := range c.Status.Allowed() {
			out.AllowedTransitions = append(out.AllowedTransitions, string(st))
		}
	}
	return out
}

func (s *Server) mountCases() {
	base := Prefix + "/cases"
	one := base + "/:id"
	read, update := Perm{"case", "read"}, Perm{"case", "update"}
	s.add(Route{Method: http.MethodPost, Path: base, Summary: "Open a case in your authority", Tag: "cases", Access: Scoped,
		Perm: Perm{"case", "create"}, Body: createCaseReq{}, Resp: caseDTO{}, Status: http.StatusCreated, Handler: s.createCase})
	s.add(Route{Method: http.MethodGet, Path: base, Summary: "List the cases your authority can see (newest first, keyset cursor)",
		Tag: "cases", Access: Scoped, Perm: read, Query: caseListQuery{}, Resp: page[caseDTO]{}, Handler: s.listCases})
	s.add(Route{Method: http.MethodGet, Path: one, Summary: "One case; the ETag is its version", Tag: "cases", Access: Scoped,
		Perm: read, Resp: caseDTO{}, Handler: s.getCase})
	s.add(Route{Method: http.MethodPatch, Path: one, Summary: "Edit a case (title, summary, risk, products, triage scope); needs If-Match",
		Tag: "cases", Access: Scoped, Perm: update, Body: patchCaseReq{}, Resp: caseDTO{}, Handler: s.patchCase})
	s.add(Route{Method: http.MethodPost, Path: one + "/transitions", Summary: "Move a case through its lifecycle (officers closing records a closure request)",
		Description: "Closing is refused (409, listing them under extra.outstanding) while notices are not complied with, withdrawn, " +
			"revoked or cancelled, penalties unpaid, drafts or approvals pending, or notices of intent undecided, unless a supervisor gives " +
			"override_reason (audited on the timeline with what was left). Closing as referred_elsewhere needs no override.",
		Tag: "cases", Access: Scoped, Perm: Perm{"case", "transition"}, Body: transitionReq{}, Resp: transitionResp{}, Handler: s.transitionCase})
	s.add(Route{Method: http.MethodPost, Path: one + "/assignment", Summary: "Assign the officer in charge (supervisors)",
		Tag: "cases", Access: Scoped, Perm: Perm{"case", "assign"}, Body: assignmentReq{}, Resp: caseDTO{}, Handler: s.assignCase})
	s.add(Route{Method: http.MethodGet, Path: one + "/parties", Summary: "Economic operators on the case and their roles",
		Tag: "cases", Access: Scoped, Perm: read, Resp: page[partyDTO]{}, Handler: s.listParties})
	s.add(Route{Method: http.MethodPost, Path: one + "/parties", Summary: "Link an economic operator in a role", Tag: "cases",
		Access: Scoped, Perm: update, Body: partyReq{}, Resp: partyDTO{}, Status: http.StatusCreated, Handler: s.addParty})
	s.add(Route{Method: http.MethodGet, Path: one + "/notes", Summary: "Notes on the case, oldest first", Tag: "cases",
		Access: Scoped, Perm: read, Resp: page[noteDTO]{}, Handler: s.listNotes})
	s.add(Route{Method: http.MethodPost, Path: one + "/notes", Summary: "Add a note", Tag: "cases", Access: Scoped, Perm: update,
		Body: noteReq{}, Resp: noteDTO{}, Status: http.StatusCreated, Handler: s.addNote})
	s.add(Route{Method: http.MethodGet, Path: one + "/timeline", Summary: "Every change to the case, from the audit log, oldest first",
		Tag: "cases", Access: Scoped, Perm: read, Query: timelineQuery{}, Resp: page[timelineItem]{}, Handler: s.caseTimeline})
	s.add(Route{Method: http.MethodGet, Path: one + "/assessment", Summary: "The assessment matrix: a verdict per requirement",
		Tag: "cases", Access: Scoped, Perm: read, Resp: assessmentDTO{}, Handler: s.getAssessment})
	s.add(Route{Method: http.MethodPut, Path: one + "/assessment/:requirement_id", Summary: "Record the verdict on one requirement",
		Tag: "cases", Access: Scoped, Perm: update, Body: assessmentReq{}, Resp: assessmentRowDTO{}, Handler: s.putAssessment})
	s.mountReferrals(one)
}

// sendCase writes a case with its ETag and assessment summary.
func (s *Server) sendCase(c *fiber.Ctx, status int, cs cases.Case) error {
	dto := toCaseDTO(cs, caller(c))
	counts, err := s.deps.Cases.Summary(c.UserContext(), cs)
	if err != nil {
		return err
	}
	dto.AssessmentSummary = verdictCounts(counts)
	c.Set(fiber.HeaderETag, etag(cs.Version))
	return c.Status(status).JSON(dto)
}

func verdictCounts(m map[cases.Verdict]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

func (s *Server) createCase(c *fiber.Ctx) error {
	in, err := decodeJSON[createCaseReq](s, c)
	if err != nil {
		return err
	}
	nc := cases.NewCase{Title: in.Title, Summary: in.Summary, Origin: cases.Origin(in.Origin), Risk: cases.Risk(in.RiskLevel),
		ProductIDs: in.ProductIDs}
	if k := in.Complainant.toCore(); k != nil {
		nc.Complainant = *k
	}
	cs, err := s.deps.Cases.Create(c.UserContext(), nc)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, Prefix+"/cases/"+cs.ID)
	return s.sendCase(c, http.StatusCreated, cs)
}

func (s *Server) getCase(c *fiber.Ctx) error {
	cs, err := s.deps.Cases.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && inm == etag(cs.Version) {
		return c.SendStatus(http.StatusNotModified)
	}
	return s.sendCase(c, http.StatusOK, cs)
}

func (s *Server) listCases(c *fiber.Ctx) error {
	q, err := parseQuery[caseListQuery](c)
	if err != nil {
		return err
	}
	before, err := cursorID(q.Cursor)
	if err != nil {
		return err
	}
	assignee := q.Assignee
	if assignee == "me" {
		assignee = caller(c).UserID
	}
	limit := clampLimit(q.Limit)
	list, err := s.deps.Cases.List(c.UserContext(), cases.ListFilter{Status: cases.Status(q.Status), AssigneeID: assignee,
		Origin: cases.Origin(q.Origin), ProductID: q.ProductID, OperatorID: q.OperatorID, Q: q.Q, Before: before, Limit: limit})
	if err != nil {
		return err
	}
	viewer := caller(c)
	return c.JSON(listOf(list, limit, func(cs cases.Case) caseDTO { return toCaseDTO(cs, viewer) },
		func(cs cases.Case) string { return cs.ID }))
}

func (s *Server) patchCase(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	in, err := decodeJSON[patchCaseReq](s, c)
	if err != nil {
		return err
	}
	p := cases.Patch{Title: in.Title, Summary: in.Summary, ProductIDs: in.ProductIDs, Complainant: in.Complainant.toCore()}
	if in.RiskLevel != nil {
		r := cases.Risk(*in.RiskLevel)
		p.Risk = &r
	}
	if sc := in.Scope; sc != nil {
		p.Scope = &cases.Scope{Connectable: sc.Connectable, UKConsumerProduct: sc.UKConsumerProduct,
			UsedOrSecondHand: sc.UsedOrSecondHand, Excepted: sc.Excepted, ExceptedCategory: sc.ExceptedCategory, Notes: sc.Notes}
	}
	cs, err := s.deps.Cases.Update(c.UserContext(), c.Params("id"), version, p)
	if err != nil {
		return err
	}
	return s.sendCase(c, http.StatusOK, cs)
}

func (s *Server) transitionCase(c *fiber.Ctx) error {
	in, err := decodeJSON[transitionReq](s, c)
	if err != nil {
		return err
	}
	res, err := s.deps.Cases.MoveCase(c.UserContext(), c.Params("id"),
		cases.Move{To: cases.Status(in.To), Reason: in.Reason, Note: in.Note, Override: in.OverrideReason})
	if err != nil {
		return err
	}
	dto := transitionResp{caseDTO: toCaseDTO(res.Case, caller(c)), ClosureRequested: res.ClosureRequested}
	c.Set(fiber.HeaderETag, etag(res.Case.Version))
	status := http.StatusOK
	if res.ClosureRequested {
		status = http.StatusAccepted
	}
	return c.Status(status).JSON(dto)
}

func (s *Server) assignCase(c *fiber.Ctx) error {
	in, err := decodeJSON[assignmentReq](s, c)
	if err != nil {
		return err
	}
	cs, err := s.deps.Cases.Assign(c.UserContext(), c.Params("id"), in.OfficerID)
	if err != nil {
		return err
	}
	return s.sendCase(c, http.StatusOK, cs)
}

func toPartyDTO(p cases.Party) partyDTO {
	return partyDTO{ID: p.ID, OperatorID: p.OperatorID, OperatorName: p.OperatorName, Role: string(p.Role), ProductID: p.ProductID,
		AddedBy: p.AddedBy, AddedAt: p.AddedAt, OperatorLabel: p.OperatorLabel}
}

func (s *Server) listParties(c *fiber.Ctx) error {
	ps, err := s.deps.Cases.Parties(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(listOf(ps, 0, toPartyDTO, nil))
}

func (s *Server) addParty(c *fiber.Ctx) error {
	in, err := decodeJSON[partyReq](s, c)
	if err != nil {
		return err
	}
	p, err := s.deps.Cases.AddParty(c.UserContext(), c.Params("id"), cases.Party{OperatorID: in.OperatorID,
		Role: cases.PartyRole(in.Role), ProductID: in.ProductID})
	if err != nil {
		return err
	}
	if op, err := s.deps.Operators.Get(c.UserContext(), p.OperatorID); err == nil {
		p.OperatorName = op.Name // the caller just linked it, so may read it
	}
	return c.Status(http.StatusCreated).JSON(toPartyDTO(p))
}

func toNoteDTO(n cases.Note) noteDTO {
	return noteDTO{ID: n.ID, AuthorID: n.AuthorID, Author: n.Author, Body: n.Body, Shareable: n.Shareable, CreatedAt: n.CreatedAt}
}

func (s *Server) listNotes(c *fiber.Ctx) error {
	ns, err := s.deps.Cases.Notes(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(listOf(ns, 0, toNoteDTO, nil))
}

func (s *Server) addNote(c *fiber.Ctx) error {
	in, err := decodeJSON[noteReq](s, c)
	if err != nil {
		return err
	}
	n, err := s.deps.Cases.AddNote(c.UserContext(), c.Params("id"), in.Body, in.Shareable)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(toNoteDTO(n))
}

func (s *Server) caseTimeline(c *fiber.Ctx) error {
	q, err := parseQuery[timelineQuery](c)
	if err != nil {
		return err
	}
	var after int64
	if q.Cursor != "" {
		if after, err = strconv.ParseInt(q.Cursor, 10, 64); err != nil || after <= 0 {
			return apperr.InvalidField("cursor", "is not a cursor this endpoint returned")
		}
	}
	limit := clampLimit(q.Limit)
	if q.Limit == 0 {
		limit = maxLimit
	}
	entries, err := s.deps.Cases.Timeline(c.UserContext(), s.deps.Audit, c.Params("id"), after, limit)
	if err != nil {
		return err
	}
	return c.JSON(listOf(entries, limit, func(e audit.Entry) timelineItem {
		return timelineItem{ID: e.Seq, At: e.At, Actor: e.Actor, ActorID: e.ActorID, Authority: e.Authority, Action: e.Action,
			ObjectType: e.ObjectType, ObjectID: e.ObjectID, Detail: json.RawMessage(e.Detail)}
	}, func(e audit.Entry) string { return strconv.FormatInt(e.Seq, 10) }))
}

func toAssessmentRow(r cases.Row) assessmentRowDTO {
	out := assessmentRowDTO{RequirementID: r.Requirement.ID, RequirementTitle: r.Requirement.Title, Kind: string(r.Requirement.Kind),
		Verdict: string(r.Verdict), Rationale: r.Rationale, Reason: r.Reason, EvidenceIDs: orEmpty(r.EvidenceIDs),
		FindingIDs: orEmpty(r.FindingIDs), Findings: []findingRefDTO{}, Detached: []findingRefDTO{}, FindingsCount: max(r.FindingsCount, len(r.Findings)),
		UpdatedBy: r.UpdatedBy}
	if !r.UpdatedAt.IsZero() {
		t := r.UpdatedAt
		out.UpdatedAt = &t
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, toFindingRefDTO(f))
	}
	for _, f := range r.Detached {
		out.Detached = append(out.Detached, toFindingRefDTO(f))
	}
	return out
}

func toFindingRefDTO(f cases.FindingRef) findingRefDTO {
	out := findingRefDTO{ID: f.ID, EvidenceID: f.EvidenceID, Title: f.Title, Severity: f.Severity, Status: f.Status, Source: "rule"}
	if f.Decision != "" {
		at := f.DecidedAt
		out.Source, out.Decision, out.Reason, out.DecidedBy, out.DecidedAt = "officer", f.Decision, f.Reason, f.DecidedBy, &at
	}
	return out
}

func (s *Server) getAssessment(c *fiber.Ctx) error {
	m, err := s.deps.Cases.Assessment(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	out := assessmentDTO{Items: []assessmentRowDTO{}, Counts: verdictCounts(m.Counts)}
	for _, r := range m.Rows {
		out.Items = append(out.Items, toAssessmentRow(r))
	}
	return c.JSON(out)
}

func (s *Server) putAssessment(c *fiber.Ctx) error {
	in, err := decodeJSON[assessmentReq](s, c)
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), c.Params("id")
	_, err = s.deps.Cases.SetAssessment(ctx, id, cases.Assessment{RequirementID: c.Params("requirement_id"),
		Verdict: cases.Verdict(in.Verdict), Rationale: in.Rationale, Reason: in.Reason, EvidenceIDs: in.EvidenceIDs, FindingIDs: in.FindingIDs})
	if err != nil {
		return err
	}
	m, err := s.deps.Cases.Assessment(ctx, id)
	if err != nil {
		return err
	}
	for _, r := range m.Rows {
		if r.Requirement.ID == c.Params("requirement_id") {
			return c.JSON(toAssessmentRow(r))
		}
	}
	return apperr.New(apperr.Internal, "assessment row vanished after writing it")
}

func (s *Server) mountReferrals(one string) {
	s.add(Route{Method: http.MethodPost, Path: one + "/referrals", Summary: "Refer the case to another authority at an access level " +
		"(owning supervisors); it sees a referral package's view until it accepts", Tag: "referrals", Access: Scoped,
		Perm: Perm{"case", "refer"}, Body: referralReq{}, Resp: caseDTO{}, Status: http.StatusCreated, Handler: s.referCase})
	s.add(Route{Method: http.MethodPost, Path: one + "/referrals/accept", Summary: "Accept a referral to your authority and " +
		"collaborate at the level the owner set (receiving supervisors)", Tag: "referrals", Access: Scoped,
		Perm: Perm{"case", "accept_referral"}, Resp: caseDTO{}, Handler: s.acceptReferral})
	s.add(Route{Method: http.MethodPost, Path: one + "/referrals/decline", Summary: "Decline a referral to your authority, or leave " +
		"the collaboration (receiving supervisors); your authority loses access", Tag: "referrals", Access: Scoped,
		Perm: Perm{"case", "decline_referral"}, Body: reasonReq{}, Resp: referralDTO{}, Handler: s.declineReferral})
	s.add(Route{Method: http.MethodPatch, Path: one + "/referrals/:authority", Summary: "Change a referral's or collaboration's " +
		"access level (owning supervisors)", Tag: "referrals", Access: Scoped, Perm: Perm{"case", "refer"}, Body: referralLevelReq{},
		Resp: caseDTO{}, Handler: s.setReferralLevel})
	s.add(Route{Method: http.MethodPost, Path: one + "/referrals/:authority/revoke", Summary: "Revoke a referral or collaboration " +
		"at once (owning supervisors); the other authority no longer sees the case", Tag: "referrals", Access: Scoped,
		Perm: Perm{"case", "revoke_referral"}, Body: reasonReq{}, Resp: caseDTO{}, Handler: s.revokeReferral})
}

func (s *Server) referCase(c *fiber.Ctx) error {
	in, err := decodeJSON[referralReq](s, c)
	if err != nil {
		return err
	}
	cs, err := s.deps.Cases.Refer(c.UserContext(), c.Params("id"), in.ToAuthority, in.Reason, cases.AccessLevel(in.AccessLevel))
	if err != nil {
		return err
	}
	return s.sendCase(c, http.StatusCreated, cs)
}

func (s *Server) acceptReferral(c *fiber.Ctx) error {
	cs, err := s.deps.Cases.AcceptReferral(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return s.sendCase(c, http.StatusOK, cs)
}

func (s *Server) declineReferral(c *fiber.Ctx) error {
	in, err := decodeJSON[reasonReq](s, c)
	if err != nil {
		return err
	}
	sh, err := s.deps.Cases.DeclineReferral(c.UserContext(), c.Params("id"), in.Reason)
	if err != nil {
		return err
	}
	dto := toReferralDTO(sh)
	dto.ReferredBy = ""
	return c.JSON(dto)
}

func (s *Server) setReferralLevel(c *fiber.Ctx) error {
	in, err := decodeJSON[referralLevelReq](s, c)
	if err != nil {
		return err
	}
	cs, err := s.deps.Cases.SetReferralLevel(c.UserContext(), c.Params("id"), c.Params("authority"), cases.AccessLevel(in.AccessLevel))
	if err != nil {
		return err
	}
	return s.sendCase(c, http.StatusOK, cs)
}

func (s *Server) revokeReferral(c *fiber.Ctx) error {
	in, err := decodeJSON[reasonReq](s, c)
	if err != nil {
		return err
	}
	cs, err := s.deps.Cases.RevokeReferral(c.UserContext(), c.Params("id"), c.Params("authority"), in.Reason)
	if err != nil {
		return err
	}
	return s.sendCase(c, http.StatusOK, cs)
}
