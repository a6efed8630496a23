package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

type penaltyDTO struct {
	QualifyingRevenuePence int64  `json:"qualifying_worldwide_revenue_pence" validate:"gte=0"`
	RevenuePeriod          string `json:"revenue_period" validate:"max=200"`
	AmountPence            int64  `json:"amount_pence" validate:"gte=0"`
	DailyPence             int64  `json:"daily_amount_pence" validate:"gte=0"`
	CapPence               int64  `json:"cap_pence,omitempty"`
}

type noticeReq struct {
	Type           string      `json:"type" validate:"required,oneof=compliance stop recall penalty information intent penalty_intent"`
	OperatorID     string      `json:"operator_id" validate:"required,max=64"`
	ProductIDs     []string    `json:"product_ids" validate:"max=100"`
	RequirementIDs []string    `json:"requirement_ids" validate:"max=100"`
	EvidenceIDs    []string    `json:"evidence_ids" validate:"max=100"`
	Steps          []string    `json:"steps" validate:"max=50"`
	Reasons        string      `json:"reasons" validate:"max=20000"`
	ComplyBy       *Date       `json:"comply_by"`
	Penalty        *penaltyDTO `json:"penalty"`
	ProposedType   string      `json:"proposed_type" validate:"omitempty,oneof=compliance stop recall" description:"what a notice of intent proposes (default compliance)"`
	IntentID       string      `json:"intent_id" validate:"max=64" description:"the notice of intent this notice follows; issue finds a matching served one when empty"`
	Urgency        string      `json:"urgency" validate:"max=5000" description:"why a stop or recall notice cannot wait for a notice of intent; approved with the notice and printed on it"`
	// RepresentationsResponse is printed on the final notice.
	RepresentationsResponse string        `json:"representations_response" validate:"max=20000" description:"the authority's response to the representations received on the intent"`
	Hosts                   []string      `json:"hosts" validate:"max=50" description:"addresses of the tested units the notice names; findings on other hosts are never cited"`
	ReliedOn                []relianceDTO `json:"relied_on" validate:"max=100,dive" description:"per requirement, the findings and exhibits relied on (default: those linked in the assessment)"`
}

type relianceDTO struct {
	RequirementID string   `json:"requirement_id" validate:"required,max=32"`
	FindingIDs    []string `json:"finding_ids" validate:"max=500"`
	ExhibitIDs    []string `json:"exhibit_ids" validate:"max=100"`
}

type sequenceDTO struct {
	Required          bool   `json:"required"`
	Provision         string `json:"provision,omitempty"`
	ProvisionStatus   string `json:"provision_status,omitempty" description:"verified, secondary or unverified against the Act's text"`
	ProvisionSource   string `json:"provision_source,omitempty"`
	Route             string `json:"route,omitempty" description:"notice_of_intent or urgency"`
	Step              string `json:"step,omitempty"`
	IntentID          string `json:"intent_id,omitempty"`
	IntentReference   string `json:"intent_reference,omitempty"`
	IntentGivenOn     *Date  `json:"intent_given_on,omitempty"`
	RepresentationsBy *Date  `json:"representations_by,omitempty"`
	EarliestIssue     *Date  `json:"earliest_issue,omitempty"`
	Representations   int    `json:"representations"`
	UrgencyApprovedBy string `json:"urgency_approved_by,omitempty"`
	Satisfied         bool   `json:"satisfied"`
	MissingStep       string `json:"missing_step,omitempty"`
	Reason            string `json:"reason,omitempty"`
}

type representationReq struct {
	From       string    `json:"from" validate:"required,max=500"`
	Text       string    `json:"text" validate:"required,max=50000"`
	ReceivedAt time.Time `json:"received_at" validate:"required"`
	ExhibitIDs []string  `json:"exhibit_ids" validate:"max=50"`
}

type representationDTO struct {
	ID         string    `json:"id"`
	NoticeID   string    `json:"notice_id"`
	From       string    `json:"from"`
	Text       string    `json:"text"`
	ReceivedAt time.Time `json:"received_at"`
	ExhibitIDs []string  `json:"exhibit_ids"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

func toRepresentationDTO(r notices.Representation) representationDTO {
	return representationDTO{ID: r.ID, NoticeID: r.NoticeID, From: r.From, Text: r.Text, ReceivedAt: r.ReceivedAt,
		ExhibitIDs: orEmpty(r.ExhibitIDs), RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
}

func toSequenceDTO(q notices.Sequence) *sequenceDTO {
	out := &sequenceDTO{Required: q.Required, Satisfied: q.Satisfied, MissingStep: q.Missing, Reason: q.Reason, Route: q.Route,
		Representations: len(q.Representations), IntentGivenOn: datePtr(q.GivenOn), RepresentationsBy: datePtr(q.RepresentationsBy),
		EarliestIssue: datePtr(q.EarliestIssue)}
	if !q.Required {
		return out
	}
	out.Provision, out.ProvisionStatus, out.ProvisionSource, out.Step = q.Step.Provision, string(q.Step.Status), q.Step.Source.URL, q.Step.Name
	if q.Intent != nil {
		out.IntentID, out.IntentReference = q.Intent.ID, q.Intent.Reference
	}
	return out
}

type noticeDTO struct {
	ID               string      `json:"id"`
	CaseID           string      `json:"case_id"`
	Authority        string      `json:"authority"`
	Type             string      `json:"type"`
	Title            string      `json:"title"`
	Status           string      `json:"status"`
	Reference        string      `json:"reference,omitempty"`
	OperatorID       string      `json:"operator_id"`
	ProductIDs       []string    `json:"product_ids"`
	RequirementIDs   []string    `json:"requirement_ids"`
	EvidenceIDs      []string    `json:"evidence_ids"`
	Steps            []string    `json:"steps"`
	Reasons          string      `json:"reasons,omitempty"`
	ComplyBy         *Date       `json:"comply_by,omitempty"`
	DeadlineLabel    string      `json:"deadline_label"`
	AppealBy         *Date       `json:"appeal_by,omitempty"`
	Overdue          bool        `json:"overdue"`
	Penalty          *penaltyDTO `json:"penalty,omitempty"`
	AuthorID         string      `json:"author_id"`
	SubmittedAt      *time.Time  `json:"submitted_at,omitempty"`
	ApproverID       string      `json:"approver_id,omitempty"`
	ApprovedAt       *time.Time  `json:"approved_at,omitempty"`
	RejectReason     string      `json:"reject_reason,omitempty"`
	IssuerID         string      `json:"issuer_id,omitempty"`
	IssuedAt         *time.Time  `json:"issued_at,omitempty"`
	SHA256           string      `json:"sha256,omitempty"`
	VerificationCode string      `json:"verification_code,omitempty"`
	ExhibitID        string      `json:"exhibit_id,omitempty"`
	ServedAt         *time.Time  `json:"served_at,omitempty"`
	ServeMethod      string      `json:"serve_method,omitempty"`
	ServedTo         string      `json:"served_to,omitempty"`
	DeemedServedOn   *Date       `json:"deemed_served_on,omitempty" description:"the day the notice is treated as served (method and the authority's deemed-service days); the appeal period runs from it"`
	// ServiceCertificateID is the certificate of service, an exhibit of the case.
	ServiceCertificateID string `json:"service_certificate_id,omitempty"`
	// DaysAfterService is how many days the deadline leaves after the day of
	// deemed service; PeriodTooShort flags fewer than the type's minimum.
	DaysAfterService *int       `json:"days_after_service,omitempty"`
	PeriodTooShort   bool       `json:"period_too_short,omitempty" description:"the deadline leaves fewer days after deemed service than the notice type's minimum: consider revoking and reissuing"`
	OutcomeAt        *time.Time `json:"outcome_at,omitempty"`
	OutcomeNote      string     `json:"outcome_note,omitempty"`
	ClosedReason     string     `json:"closed_reason,omitempty"`
	NextOutcomes     []string   `json:"next_outcomes"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	Version          int        `json:"version"`

	// Contributors are everyone who shaped the content (author, editors,
	// submitters); none of them may approve it.
	Contributors []contributorDTO `json:"contributors"`

	RecipientAtIssue *recipientDTO `json:"recipient_at_issue,omitempty" description:"the operator as the issued PDF printed it; redaction follows it, not later changes to the register"`

	ProposedType            string        `json:"proposed_type,omitempty"`
	IntentID                string        `json:"intent_id,omitempty"`
	Urgency                 string        `json:"urgency,omitempty"`
	UrgencyApprovedBy       string        `json:"urgency_approved_by,omitempty"`
	RepresentationsResponse string        `json:"representations_response,omitempty"`
	Hosts                   []string      `json:"hosts"`
	ReliedOn                []relianceDTO `json:"relied_on"`
	// Sequence is where the notice stands in the statutory sequence (GET of one notice only).
	Sequence *sequenceDTO `json:"sequence,omitempty"`
}

type contributorDTO struct {
	UserID string   `json:"user_id"`
	Roles  []string `json:"roles" description:"author, editor, submitter"`
}

type recipientDTO struct {
	Name          string   `json:"name"`
	TradingNames  []string `json:"trading_names"`
	Address       string   `json:"address,omitempty"`
	CompanyNumber string   `json:"company_number,omitempty"`
	Country       string   `json:"country,omitempty"`
	SoleTrader    bool     `json:"sole_trader"`
}

type paymentReq struct {
	AmountPence int64     `json:"amount_pence" validate:"required,gte=1"`
	PaidAt      time.Time `json:"paid_at" validate:"required"`
	Method      string    `json:"method" validate:"required,oneof=bank_transfer card cheque other"`
	Reference   string    `json:"reference" validate:"max=200"`
}

type paymentDTO struct {
	ID          string    `json:"id"`
	AmountPence int64     `json:"amount_pence"`
	PaidAt      time.Time `json:"paid_at"`
	Method      string    `json:"method"`
	Reference   string    `json:"reference,omitempty"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

type paymentsResp struct {
	Items      []paymentDTO `json:"items"`
	TotalPence int64        `json:"total_pence"`
	DuePence   int64        `json:"due_pence"`
}

type reasonReq struct {
	Reason string `json:"reason" validate:"required,max=5000"`
}

type serveReq struct {
	Method   string    `json:"method" validate:"required,oneof=hand post recorded_delivery email registered_office" description:"how it was given; with the authority's deemed-service days it fixes deemed_served_on"`
	ServedAt time.Time `json:"served_at" validate:"required"`
	ServedTo string    `json:"served_to" validate:"required,max=500"`
}

type outcomeReq struct {
	Outcome string `json:"outcome" validate:"required,oneof=complied breached appealed upheld varied cancelled"`
	Note    string `json:"note" validate:"max=5000"`
}

type noticeListQuery struct {
	Status  string `query:"status" validate:"omitempty,oneof=draft pending_approval approved issued served complied breached appealed upheld varied cancelled withdrawn revoked"`
	Type    string `query:"type" validate:"omitempty,oneof=compliance stop recall penalty information intent penalty_intent"`
	Overdue bool   `query:"overdue"`
	CaseID  string `query:"case_id" validate:"max=64"`
	Limit   int    `query:"limit" validate:"gte=0"`
	Cursor  string `query:"cursor" validate:"max=64"`
}

type verifyNoticeQuery struct {
	Reference string `query:"reference" validate:"required,max=64"`
	Code      string `query:"code" validate:"max=64"`
}

type verifyNoticeResp struct {
	Genuine   bool       `json:"genuine"`
	Reference string     `json:"reference,omitempty"`
	Type      string     `json:"type,omitempty"`
	IssuedAt  *time.Time `json:"issued_at,omitempty"`
	Authority string     `json:"issuing_authority,omitempty"`
	Recipient string     `json:"recipient,omitempty"`
	Status    string     `json:"status,omitempty"`
}

func toNoticeDTO(n notices.Notice, now time.Time) noticeDTO {
	info := notices.Info[n.Type]
	out := noticeDTO{ID: n.ID, CaseID: n.CaseID, Authority: n.AuthorityCode, Type: string(n.Type), Title: info.Title,
		Status: string(n.Status), Reference: n.Reference, OperatorID: n.OperatorID, ProductIDs: orEmpty(n.ProductIDs),
		RequirementIDs: orEmpty(n.RequirementIDs), EvidenceIDs: orEmpty(n.EvidenceIDs), Steps: orEmpty(n.Steps),
		Reasons: n.Reasons, ComplyBy: datePtr(n.Deadline), DeadlineLabel: info.DeadlineLabel, AppealBy: datePtr(n.AppealBy()),
		Overdue: n.Overdue(now), AuthorID: n.AuthorID, SubmittedAt: n.SubmittedAt, ApproverID: n.ApproverID,
		ApprovedAt: n.ApprovedAt, RejectReason: n.RejectReason, IssuerID: n.IssuerID, IssuedAt: n.IssuedAt, SHA256: n.SHA256,
		VerificationCode: n.Verification, ExhibitID: n.ExhibitID, ServedAt: n.ServedAt, ServeMethod: n.ServeMethod,
		ServedTo: n.ServedTo, DeemedServedOn: datePtr(n.DeemedServedOn), ServiceCertificateID: n.ServiceCertificateID,
		OutcomeAt: n.OutcomeAt, OutcomeNote: n.OutcomeNote, ClosedReason: n.ClosedReason,
		NextOutcomes: []string{}, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, Version: n.Version,
		ProposedType: string(n.ProposedType), IntentID: n.IntentID, Urgency: n.Urgency, UrgencyApprovedBy: n.UrgencyApprovedBy,
		RepresentationsResponse: n.RepresentationsResponse, Hosts: orEmpty(n.Hosts), ReliedOn: []relianceDTO{}}
	for _, r := range n.Reliance {
		out.ReliedOn = append(out.ReliedOn, relianceDTO{RequirementID: r.RequirementID, FindingIDs: orEmpty(r.FindingIDs),
			ExhibitIDs: orEmpty(r.ExhibitIDs)})
	}
	for _, o := range n.Status.NextOutcomes() {
		out.NextOutcomes = append(out.NextOutcomes, string(o))
	}
	if days, short, ok := n.PeriodAfterService(); ok {
		out.DaysAfterService, out.PeriodTooShort = &days, short
	}
	out.Contributors = make([]contributorDTO, len(n.Contributors))
	for i, c := range n.Contributors {
		out.Contributors[i] = contributorDTO{UserID: c.UserID, Roles: make([]string, len(c.Roles))}
		for j, r := range c.Roles {
			out.Contributors[i].Roles[j] = string(r)
		}
	}
	if r := n.Recipient; r != nil {
		out.RecipientAtIssue = &recipientDTO{Name: r.Name, TradingNames: orEmpty(r.TradingNames), Address: r.Address,
			CompanyNumber: r.CompanyNumber, Country: r.Country, SoleTrader: r.SoleTrader}
	}
	if p := n.Penalty; p != nil {
		out.Penalty = &penaltyDTO{QualifyingRevenuePence: p.QualifyingRevenuePence, RevenuePeriod: p.RevenuePeriod,
			AmountPence: p.AmountPence, DailyPence: p.DailyPence, CapPence: p.Cap()}
	}
	return out
}

func (r noticeReq) toContent() notices.Content {
	c := notices.Content{Type: notices.Type(r.Type), OperatorID: r.OperatorID, ProductIDs: r.ProductIDs,
		RequirementIDs: r.RequirementIDs, EvidenceIDs: r.EvidenceIDs, Steps: r.Steps, Reasons: r.Reasons,
		ProposedType: notices.Type(r.ProposedType), IntentID: r.IntentID, Urgency: r.Urgency, RepresentationsResponse: r.RepresentationsResponse,
		Hosts: r.Hosts}
	for _, rd := range r.ReliedOn {
		c.Reliance = append(c.Reliance, notices.Reliance{RequirementID: rd.RequirementID, FindingIDs: rd.FindingIDs, ExhibitIDs: rd.ExhibitIDs})
	}
	if r.ComplyBy != nil {
		t := r.ComplyBy.Time
		c.Deadline = &t
	}
	if p := r.Penalty; p != nil {
		c.Penalty = &notices.PenaltyTerms{QualifyingRevenuePence: p.QualifyingRevenuePence, RevenuePeriod: p.RevenuePeriod,
			AmountPence: p.AmountPence, DailyPence: p.DailyPence}
	}
	return c
}

// noticeReqOf is a notice's content as a create request would send it: the
// document a PATCH merge patch applies to.
func noticeReqOf(n notices.Content) noticeReq {
	r := noticeReq{Type: string(n.Type), OperatorID: n.OperatorID, ProductIDs: n.ProductIDs,
		RequirementIDs: n.RequirementIDs, EvidenceIDs: n.EvidenceIDs, Steps: n.Steps, Reasons: n.Reasons,
		ComplyBy: datePtr(n.Deadline)}
	if p := n.Penalty; p != nil {
		r.Penalty = &penaltyDTO{QualifyingRevenuePence: p.QualifyingRevenuePence, RevenuePeriod: p.RevenuePeriod,
			AmountPence: p.AmountPence, DailyPence: p.DailyPence}
	}
	return r
}

func (s *Server) mountNotices() {
	base, one := Prefix+"/notices", Prefix+"/notices/:id"
	read := Perm{"notice", "read"}
	verifyLimit := limiter.New(limiter.Config{Max: s.cfg.VerifyPerMinute, Expiration: time.Minute, KeyGenerator: s.clientIP,
		LimitReached: func(c *fiber.Ctx) error {
			return apperr.New(apperr.TooMany, "too many verification requests from this address; wait a minute").With("retry_after_seconds", 60)
		}})
	// The public verification routes come first so "verify" is never taken for an id.
	s.add(Route{Method: http.MethodGet, Path: base + "/verify", Summary: "Public: is this reference and verification code a genuine issued notice?",
		Tag: "notices", Query: verifyNoticeQuery{}, Resp: verifyNoticeResp{}, Before: []fiber.Handler{verifyLimit}, Handler: s.verifyNoticeCode})
	s.add(Route{Method: http.MethodPost, Path: base + "/verify", Summary: "Public: are these exact bytes (the PDF as the body) a genuine issued notice?",
		Tag: "notices", Query: verifyNoticeQuery{}, BodyType: "application/pdf", Resp: verifyNoticeResp{}, Before: []fiber.Handler{verifyLimit},
		Handler: s.verifyNoticeBytes})
	// The HTML page shares the limiter: one budget per address for all checks.
	s.mountVerifyPage(verifyLimit)
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/cases/:id/notices", Summary: "Draft a notice from the case", Tag: "notices",
		Access: Scoped, Perm: Perm{"notice", "create"}, Body: noticeReq{}, Resp: noticeDTO{}, Status: http.StatusCreated, Handler: s.createNotice})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/cases/:id/notices", Summary: "The case's notices: your authority's, and " +
		"those another authority issued on it (redacted for your access)", Tag: "notices",
		Access: Scoped, Perm: read, Resp: page[noticeDTO]{}, Handler: s.caseNotices})
	s.add(Route{Method: http.MethodGet, Path: base, Summary: "Your authority's notices, filterable by status and overdue", Tag: "notices",
		Access: Scoped, Perm: read, Query: noticeListQuery{}, Resp: page[noticeDTO]{}, Handler: s.listNotices})
	s.add(Route{Method: http.MethodGet, Path: one, Summary: "One notice, with its deadlines", Tag: "notices", Access: Scoped, Perm: read,
		Resp: noticeDTO{}, Handler: s.getNotice})
	s.add(Route{Method: http.MethodPatch, Path: one, Summary: "Edit a draft (needs If-Match): an RFC 7396 merge patch, only the members sent change", Tag: "notices", Access: Scoped,
		Perm: Perm{"notice", "update"}, Body: noticeReq{}, Resp: noticeDTO{}, Handler: s.patchNotice})
	s.add(Route{Method: http.MethodGet, Path: one + "/preview.pdf", Summary: "The draft rendered, watermarked DRAFT", Tag: "notices",
		Access: Scoped, Perm: read, RespType: "application/pdf", Handler: s.previewNotice})
	s.add(Route{Method: http.MethodGet, Path: one + "/pdf", Summary: "The issued PDF, always the same bytes", Tag: "notices",
		Access: Scoped, Perm: read, RespType: "application/pdf", Handler: s.noticePDF})
	s.add(Route{Method: http.MethodGet, Path: one + "/payments", Summary: "Payments received against a penalty notice", Tag: "notices",
		Access: Scoped, Perm: read, Resp: paymentsResp{}, Handler: s.listPayments})
	s.add(Route{Method: http.MethodPost, Path: one + "/payments", Summary: "Record a payment against a penalty notice", Tag: "notices",
		Access: Scoped, Perm: Perm{"notice", "outcome"}, Body: paymentReq{}, Resp: paymentDTO{}, Status: http.StatusCreated,
		Handler: s.addPayment})
	s.add(Route{Method: http.MethodGet, Path: one + "/representations", Summary: "Representations received on a notice of intent",
		Tag: "notices", Access: Scoped, Perm: read, Resp: page[representationDTO]{}, Handler: s.listRepresentations})
	s.add(Route{Method: http.MethodPost, Path: one + "/representations", Summary: "Record representations received on an issued " +
		"notice of intent (attachments: exhibit_ids of exhibits uploaded to the case)", Tag: "notices", Access: Scoped,
		Perm: Perm{"notice", "serve"}, Body: representationReq{}, Resp: representationDTO{}, Status: http.StatusCreated,
		Handler: s.addRepresentation})
	step := func(path, summary string, perm Perm, body any, fn func(c *fiber.Ctx) (notices.Notice, error)) {
		s.add(Route{Method: http.MethodPost, Path: one + "/" + path, Summary: summary, Tag: "notices", Access: Scoped, Perm: perm,
			Body: body, Resp: noticeDTO{}, Handler: func(c *fiber.Ctx) error {
				n, err := fn(c)
				if err != nil {
					return err
				}
				c.Set(fiber.HeaderETag, etag(n.Version))
				return c.JSON(toNoticeDTO(n, s.deps.Notices.Now()))
			}})
	}
	step("submit", "Submit the draft for approval", Perm{"notice", "submit"}, nil, func(c *fiber.Ctx) (notices.Notice, error) {
		return s.deps.Notices.Submit(c.UserContext(), c.Params("id"))
	})
	step("approve", "Approve (a supervisor who is not the author)", Perm{"notice", "approve"}, nil, func(c *fiber.Ctx) (notices.Notice, error) {
		return s.deps.Notices.Approve(c.UserContext(), c.Params("id"))
	})
	step("reject", "Return to draft with a reason (a supervisor who is not the author)", Perm{"notice", "approve"}, reasonReq{},
		func(c *fiber.Ctx) (notices.Notice, error) {
			in, err := decodeJSON[reasonReq](s, c)
			if err != nil {
				return notices.Notice{}, err
			}
			return s.deps.Notices.Reject(c.UserContext(), c.Params("id"), in.Reason)
		})
	step("issue", "Render the final PDF once, number it, keep it as an exhibit, freeze the notice", Perm{"notice", "issue"}, nil,
		func(c *fiber.Ctx) (notices.Notice, error) {
			return s.deps.Notices.Issue(c.UserContext(), c.Params("id"))
		})
	step("serve", "Record service: the day it is treated as served is fixed, the clocks start, and a certificate of service is kept as an exhibit", Perm{"notice", "serve"}, serveReq{}, func(c *fiber.Ctx) (notices.Notice, error) {
		in, err := decodeJSON[serveReq](s, c)
		if err != nil {
			return notices.Notice{}, err
		}
		return s.deps.Notices.Serve(c.UserContext(), c.Params("id"), in.Method, in.ServedAt, in.ServedTo)
	})
	step("outcome", "Record compliance, breach, appeal or the appeal's result", Perm{"notice", "outcome"}, outcomeReq{},
		func(c *fiber.Ctx) (notices.Notice, error) {
			in, err := decodeJSON[outcomeReq](s, c)
			if err != nil {
				return notices.Notice{}, err
			}
			return s.deps.Notices.RecordOutcome(c.UserContext(), c.Params("id"), notices.Status(in.Outcome), in.Note)
		})
	step("withdraw", "Withdraw before service", Perm{"notice", "update"}, reasonReq{}, func(c *fiber.Ctx) (notices.Notice, error) {
		in, err := decodeJSON[reasonReq](s, c)
		if err != nil {
			return notices.Notice{}, err
		}
		return s.deps.Notices.Withdraw(c.UserContext(), c.Params("id"), in.Reason, false)
	})
	step("revoke", "Revoke after issue", Perm{"notice", "outcome"}, reasonReq{}, func(c *fiber.Ctx) (notices.Notice, error) {
		in, err := decodeJSON[reasonReq](s, c)
		if err != nil {
			return notices.Notice{}, err
		}
		return s.deps.Notices.Withdraw(c.UserContext(), c.Params("id"), in.Reason, true)
	})
}

func (s *Server) createNotice(c *fiber.Ctx) error {
	in, err := decodeJSON[noticeReq](s, c)
	if err != nil {
		return err
	}
	n, err := s.deps.Notices.Create(c.UserContext(), c.Params("id"), in.toContent())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, Prefix+"/notices/"+n.ID)
	c.Set(fiber.HeaderETag, etag(n.Version))
	return c.Status(http.StatusCreated).JSON(toNoticeDTO(n, s.deps.Notices.Now()))
}

func (s *Server) caseNotices(c *fiber.Ctx) error {
	ns, err := s.deps.Notices.CaseNotices(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	now := s.deps.Notices.Now()
	return c.JSON(listOf(ns, 0, func(n notices.Notice) noticeDTO { return toNoticeDTO(n, now) }, nil))
}

func (s *Server) listNotices(c *fiber.Ctx) error {
	q, err := parseQuery[noticeListQuery](c)
	if err != nil {
		return err
	}
	before, err := cursorID(q.Cursor)
	if err != nil {
		return err
	}
	limit := clampLimit(q.Limit)
	now := s.deps.Notices.Now()
	f := notices.ListFilter{Status: notices.Status(q.Status), Type: notices.Type(q.Type), CaseID: q.CaseID, Before: before, Limit: limit}
	if q.Overdue {
		f.OverdueAt = &now
	}
	ns, err := s.deps.Notices.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(listOf(ns, limit, func(n notices.Notice) noticeDTO { return toNoticeDTO(n, now) },
		func(n notices.Notice) string { return n.ID }))
}

func (s *Server) getNotice(c *fiber.Ctx) error {
	n, err := s.deps.Notices.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	q, err := s.deps.Notices.Sequence(c.UserContext(), n.ID)
	if err != nil {
		return err
	}
	out := toNoticeDTO(n, s.deps.Notices.Now())
	out.Sequence = toSequenceDTO(q)
	c.Set(fiber.HeaderETag, etag(n.Version))
	return c.JSON(out)
}

func (s *Server) listRepresentations(c *fiber.Ctx) error {
	rs, err := s.deps.Notices.Representations(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(listOf(rs, 0, toRepresentationDTO, nil))
}

func (s *Server) addRepresentation(c *fiber.Ctx) error {
	in, err := decodeJSON[representationReq](s, c)
	if err != nil {
		return err
	}
	r, err := s.deps.Notices.RecordRepresentation(c.UserContext(), c.Params("id"), notices.RepresentationInput{From: in.From,
		Text: in.Text, ReceivedAt: in.ReceivedAt, ExhibitIDs: in.ExhibitIDs})
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(toRepresentationDTO(r))
}

func (s *Server) patchNotice(c *fiber.Ctx) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	patch, err := s.mergePatchBody(c)
	if err != nil {
		return err
	}
	n, err := s.deps.Notices.Patch(c.UserContext(), c.Params("id"), version, func(cur notices.Content) (notices.Content, error) {
		in, err := applyMergePatch(noticeReqOf(cur), patch)
		return in.toContent(), err
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderETag, etag(n.Version))
	return c.JSON(toNoticeDTO(n, s.deps.Notices.Now()))
}

func (s *Server) previewNotice(c *fiber.Ctx) error {
	var buf bytes.Buffer
	if err := s.deps.Notices.Preview(c.UserContext(), c.Params("id"), &buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="draft-notice.pdf"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

func (s *Server) noticePDF(c *fiber.Ctx) error {
	n, pdf, err := s.deps.Notices.PDF(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+n.Reference+`.pdf"`)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderETag, `"`+n.SHA256+`"`)
	c.Set("X-Verification-Code", n.Verification)
	return c.Send(pdf)
}

func toVerifyResp(v notices.Verification) verifyNoticeResp {
	if !v.Genuine {
		return verifyNoticeResp{Genuine: false}
	}
	return verifyNoticeResp{Genuine: true, Reference: v.Reference, Type: string(v.Type), IssuedAt: v.IssuedAt,
		Authority: v.AuthorityName, Recipient: v.Recipient, Status: string(v.Status)}
}

func (s *Server) verifyNoticeCode(c *fiber.Ctx) error {
	q, err := parseQuery[verifyNoticeQuery](c)
	if err != nil {
		return err
	}
	if q.Code == "" {
		return apperr.InvalidField("code", "is required: the verification code printed in the notice's footer")
	}
	v, err := s.deps.Notices.VerifyCode(c.UserContext(), q.Reference, q.Code)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(toVerifyResp(v))
}

// maxVerifyBytes bounds the PDF a verifier may upload.
const maxVerifyBytes = 20 << 20

func (s *Server) verifyNoticeBytes(c *fiber.Ctx) error {
	q, err := parseQuery[verifyNoticeQuery](c)
	if err != nil {
		return err
	}
	if n := c.Request().Header.ContentLength(); n > maxVerifyBytes {
		return apperr.New(apperr.TooLarge, "a notice PDF is at most %d bytes", maxVerifyBytes)
	}
	var body io.Reader = bytes.NewReader(c.Body())
	if stream := c.Context().RequestBodyStream(); stream != nil {
		body = stream
	}
	content, err := io.ReadAll(io.LimitReader(body, maxVerifyBytes+1))
	if err != nil {
		return apperr.Wrap(err, apperr.Malformed, "could not read the body")
	}
	if len(content) > maxVerifyBytes {
		return apperr.New(apperr.TooLarge, "a notice PDF is at most %d bytes", maxVerifyBytes)
	}
	if len(content) == 0 {
		return apperr.InvalidField("body", "send the PDF's bytes as the request body")
	}
	v, err := s.deps.Notices.VerifyBytes(c.UserContext(), q.Reference, content)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(toVerifyResp(v))
}

func toPaymentDTO(p notices.Payment) paymentDTO {
	return paymentDTO{ID: p.ID, AmountPence: p.AmountPence, PaidAt: p.PaidAt, Method: p.Method, Reference: p.Reference,
		RecordedBy: p.RecordedBy, RecordedAt: p.RecordedAt}
}

func (s *Server) listPayments(c *fiber.Ctx) error {
	ctx, id := c.UserContext(), c.Params("id")
	n, err := s.deps.Notices.Get(ctx, id)
	if err != nil {
		return err
	}
	ps, err := s.deps.Notices.Payments(ctx, id)
	if err != nil {
		return err
	}
	out := paymentsResp{Items: make([]paymentDTO, 0, len(ps))}
	for _, p := range ps {
		out.Items = append(out.Items, toPaymentDTO(p))
		out.TotalPence += p.AmountPence
	}
	if n.Penalty != nil {
		out.DuePence = max(0, n.Penalty.AmountPence-out.TotalPence)
	}
	return c.JSON(out)
}

func (s *Server) addPayment(c *fiber.Ctx) error {
	in, err := decodeJSON[paymentReq](s, c)
	if err != nil {
		return err
	}
	p, err := s.deps.Notices.RecordPayment(c.UserContext(), c.Params("id"), in.AmountPence, in.PaidAt, in.Method, in.Reference)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(toPaymentDTO(p))
}
