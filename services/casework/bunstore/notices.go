package bunstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// Notices stores enforcement notices.
type Notices struct{ *Store }

var _ notices.Store = Notices{}

type noticeRow struct {
	bun.BaseModel `bun:"table:notices"`

	ID             string     `bun:"id,pk"`
	CaseID         string     `bun:"case_id"`
	AuthorityID    string     `bun:"authority_id"`
	AuthorityCode  string     `bun:"authority_code,scanonly"`
	Type           string     `bun:"type"`
	Status         string     `bun:"status"`
	OperatorID     string     `bun:"operator_id"`
	ProductIDs     string     `bun:"product_ids"`
	RequirementIDs string     `bun:"requirement_ids"`
	EvidenceIDs    string     `bun:"evidence_ids"`
	Steps          string     `bun:"steps"`
	Reasons        string     `bun:"reasons"`
	Deadline       *time.Time `bun:"deadline"`
	Penalty        *string    `bun:"penalty"`
	AuthorID       string     `bun:"author_id"`
	Contributors   string     `bun:"contributors"`
	SubmittedAt    *time.Time `bun:"submitted_at"`
	ApproverID     string     `bun:"approver_id"`
	ApprovedAt     *time.Time `bun:"approved_at"`
	RejectReason   string     `bun:"reject_reason"`
	Reference      *string    `bun:"reference"`
	IssuerID       string     `bun:"issuer_id"`
	IssuedAt       *time.Time `bun:"issued_at"`
	ExhibitID      string     `bun:"exhibit_id"`
	SHA256         string     `bun:"sha256"`
	Verification   string     `bun:"verification"`
	RecipName      string     `bun:"recipient_name"`
	RecipTrading   string     `bun:"recipient_trading_names"`
	RecipAddress   string     `bun:"recipient_address"`
	RecipCompany   string     `bun:"recipient_company_number"`
	RecipCountry   string     `bun:"recipient_country"`
	RecipSole      *bool      `bun:"recipient_sole_trader"`
	ServedAt       *time.Time `bun:"served_at"`
	ServedBy       string     `bun:"served_by"`
	ServeMethod    string     `bun:"serve_method"`
	ServedTo       string     `bun:"served_to"`
	DeemedServedOn *time.Time `bun:"deemed_served_on"`
	CertificateID  string     `bun:"service_certificate_id"`
	OutcomeAt      *time.Time `bun:"outcome_at"`
	OutcomeNote    string     `bun:"outcome_note"`
	ClosedReason   string     `bun:"closed_reason"`
	IntentID       string     `bun:"intent_id"`
	ProposedType   string     `bun:"proposed_type"`
	Urgency        string     `bun:"urgency"`
	UrgencyBy      string     `bun:"urgency_approved_by"`
	UrgencyAt      *time.Time `bun:"urgency_approved_at"`
	RepsResponse   string     `bun:"representations_response"`
	Hosts          string     `bun:"hosts"`
	ReliedOn       string     `bun:"relied_on"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
	Version        int        `bun:"version"`
}

// contributorJSON is a notice contributor as the contributors column holds it.
type contributorJSON struct {
	UserID string                    `json:"user_id"`
	Roles  []notices.ContributorRole `json:"roles"`
}

func contributorsJSON(cs []notices.Contributor) string {
	out := make([]contributorJSON, len(cs))
	for i, c := range cs {
		out[i] = contributorJSON(c)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func parseContributors(s string) []notices.Contributor {
	var in []contributorJSON
	_ = json.Unmarshal([]byte(s), &in)
	out := make([]notices.Contributor, len(in))
	for i, c := range in {
		out[i] = notices.Contributor(c)
	}
	return out
}

// relianceRowJSON is one entry of the relied_on column.
type relianceRowJSON struct {
	RequirementID string   `json:"requirement_id"`
	FindingIDs    []string `json:"finding_ids"`
	ExhibitIDs    []string `json:"exhibit_ids"`
}

func relianceJSON(rs []notices.Reliance) string {
	out := make([]relianceRowJSON, len(rs))
	for i, r := range rs {
		out[i] = relianceRowJSON(r)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func parseReliance(s string) []notices.Reliance {
	var in []relianceRowJSON
	_ = json.Unmarshal([]byte(s), &in)
	if len(in) == 0 {
		return nil
	}
	out := make([]notices.Reliance, len(in))
	for i, r := range in {
		out[i] = notices.Reliance(r)
	}
	return out
}

type penaltyJSON struct {
	QualifyingRevenuePence int64  `json:"qualifying_revenue_pence"`
	RevenuePeriod          string `json:"revenue_period"`
	AmountPence            int64  `json:"amount_pence"`
	DailyPence             int64  `json:"daily_pence"`
}

func toNoticeRow(n notices.Notice) noticeRow {
	r := noticeRow{ID: n.ID, CaseID: n.CaseID, AuthorityID: n.AuthorityID, Type: string(n.Type), Status: string(n.Status),
		OperatorID: n.OperatorID, ProductIDs: jsonList(n.ProductIDs), RequirementIDs: jsonList(n.RequirementIDs),
		EvidenceIDs: jsonList(n.EvidenceIDs), Steps: jsonList(n.Steps), Reasons: n.Reasons, Deadline: n.Deadline,
		AuthorID: n.AuthorID, SubmittedAt: n.SubmittedAt, ApproverID: n.ApproverID, ApprovedAt: n.ApprovedAt,
		RejectReason: n.RejectReason, IssuerID: n.IssuerID, IssuedAt: n.IssuedAt, ExhibitID: n.ExhibitID, SHA256: n.SHA256,
		Verification: n.Verification, ServedAt: n.ServedAt, ServedBy: n.ServedBy, ServeMethod: n.ServeMethod,
		ServedTo: n.ServedTo, DeemedServedOn: n.DeemedServedOn, CertificateID: n.ServiceCertificateID,
		OutcomeAt: n.OutcomeAt, OutcomeNote: n.OutcomeNote, ClosedReason: n.ClosedReason,
		CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, Version: n.Version,
		IntentID: n.IntentID, ProposedType: string(n.ProposedType), Urgency: n.Urgency, UrgencyBy: n.UrgencyApprovedBy,
		UrgencyAt: n.UrgencyApprovedAt, RepsResponse: n.RepresentationsResponse, Hosts: jsonList(n.Hosts), ReliedOn: relianceJSON(n.Reliance)}
	r.Contributors = contributorsJSON(n.Contributors)
	if n.Reference != "" {
		ref := n.Reference
		r.Reference = &ref
	}
	r.RecipTrading = jsonList(nil)
	if rc := n.Recipient; rc != nil {
		sole := rc.SoleTrader
		r.RecipName, r.RecipTrading, r.RecipAddress, r.RecipCompany, r.RecipCountry, r.RecipSole =
			rc.Name, jsonList(rc.TradingNames), rc.Address, rc.CompanyNumber, rc.Country, &sole
	}
	if p := n.Penalty; p != nil {
		b, _ := json.Marshal(penaltyJSON{p.QualifyingRevenuePence, p.RevenuePeriod, p.AmountPence, p.DailyPence})
		s := string(b)
		r.Penalty = &s
	}
	return r
}

func (r noticeRow) toCore() notices.Notice {
	n := notices.Notice{ID: r.ID, CaseID: r.CaseID, AuthorityID: r.AuthorityID, AuthorityCode: r.AuthorityCode,
		Type: notices.Type(r.Type), Status: notices.Status(r.Status), OperatorID: r.OperatorID,
		ProductIDs: parseList(r.ProductIDs), RequirementIDs: parseList(r.RequirementIDs), EvidenceIDs: parseList(r.EvidenceIDs),
		Steps: parseList(r.Steps), Reasons: r.Reasons, Deadline: utcPtr(r.Deadline), AuthorID: r.AuthorID,
		SubmittedAt: utcPtr(r.SubmittedAt), ApproverID: r.ApproverID, ApprovedAt: utcPtr(r.ApprovedAt),
		RejectReason: r.RejectReason, IssuerID: r.IssuerID, IssuedAt: utcPtr(r.IssuedAt), ExhibitID: r.ExhibitID,
		SHA256: r.SHA256, Verification: r.Verification, ServedAt: utcPtr(r.ServedAt), ServedBy: r.ServedBy,
		ServeMethod: r.ServeMethod, ServedTo: r.ServedTo, DeemedServedOn: utcPtr(r.DeemedServedOn),
		ServiceCertificateID: r.CertificateID, OutcomeAt: utcPtr(r.OutcomeAt), OutcomeNote: r.OutcomeNote,
		ClosedReason: r.ClosedReason, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		IntentID: r.IntentID, ProposedType: notices.Type(r.ProposedType), Urgency: r.Urgency, UrgencyApprovedBy: r.UrgencyBy,
		UrgencyApprovedAt: utcPtr(r.UrgencyAt), RepresentationsResponse: r.RepsResponse, Hosts: parseList(r.Hosts),
		Reliance: parseReliance(r.ReliedOn)}
	n.Contributors = parseContributors(r.Contributors)
	if r.Reference != nil {
		n.Reference = *r.Reference
	}
	if r.RecipSole != nil {
		n.Recipient = &notices.Recipient{Name: r.RecipName, TradingNames: parseList(r.RecipTrading), Address: r.RecipAddress,
			CompanyNumber: r.RecipCompany, Country: r.RecipCountry, SoleTrader: *r.RecipSole}
	}
	if r.Penalty != nil {
		var p penaltyJSON
		if json.Unmarshal([]byte(*r.Penalty), &p) == nil {
			n.Penalty = &notices.PenaltyTerms{QualifyingRevenuePence: p.QualifyingRevenuePence, RevenuePeriod: p.RevenuePeriod,
				AmountPence: p.AmountPence, DailyPence: p.DailyPence}
		}
	}
	return n
}

func (s Notices) selectNotices(ctx context.Context, rows *[]noticeRow) *bun.SelectQuery {
	return s.idb(ctx).NewSelect().Model(rows).ModelTableExpr("notices AS n").ColumnExpr("n.*").
		ColumnExpr("a.code AS authority_code").Join("JOIN authorities AS a ON a.id = n.authority_id")
}

// CreateNotice inserts a draft.
func (s Notices) CreateNotice(ctx context.Context, n notices.Notice) error {
	row := toNoticeRow(n)
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert notice: %w", err)
	}
	return nil
}

func (s Notices) one(ctx context.Context, where string, arg any) (notices.Notice, error) {
	var rows []noticeRow
	if err := s.selectNotices(ctx, &rows).Where(where, arg).Scan(ctx); err != nil {
		return notices.Notice{}, fmt.Errorf("load notice: %w", err)
	}
	if len(rows) == 0 {
		return notices.Notice{}, notices.ErrNotFound
	}
	return rows[0].toCore(), nil
}

// GetNotice loads a notice, locking it for update when asked.
func (s Notices) GetNotice(ctx context.Context, id string, forUpdate bool) (notices.Notice, error) {
	if forUpdate && s.db.Engine == database.Postgres {
		var v int
		if err := s.idb(ctx).NewSelect().Table("notices").Column("version").Where("id = ?", id).For("UPDATE").Scan(ctx, &v); err != nil {
			return notices.Notice{}, notFound(err, notices.ErrNotFound)
		}
	}
	return s.one(ctx, "n.id = ?", id)
}

// NoticeByReference finds an issued notice.
func (s Notices) NoticeByReference(ctx context.Context, reference string) (notices.Notice, error) {
	return s.one(ctx, "n.reference = ?", reference)
}

// UpdateNotice rewrites a notice.
func (s Notices) UpdateNotice(ctx context.Context, n notices.Notice) error {
	row := toNoticeRow(n)
	if _, err := s.idb(ctx).NewUpdate().Model(&row).WherePK().ExcludeColumn("case_id", "authority_id", "author_id", "created_at").Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return conflict("notice reference %s is already taken", n.Reference)
		}
		return fmt.Errorf("update notice: %w", err)
	}
	return nil
}

// ListNotices returns an authority's notices newest first.
func (s Notices) ListNotices(ctx context.Context, f notices.ListFilter) ([]notices.Notice, error) {
	var rows []noticeRow
	q := s.selectNotices(ctx, &rows).OrderExpr("n.id DESC").Limit(int64(f.Limit))
	if f.AlsoIssued {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("n.authority_id = ?", f.AuthorityID).WhereOr("n.issued_at IS NOT NULL")
		})
	} else {
		q = q.Where("n.authority_id = ?", f.AuthorityID)
	}
	if f.CaseID != "" {
		q = q.Where("n.case_id = ?", f.CaseID)
	}
	if f.Status != "" {
		q = q.Where("n.status = ?", string(f.Status))
	}
	if f.Type != "" {
		q = q.Where("n.type = ?", string(f.Type))
	}
	if f.OverdueAt != nil {
		// Deadlines are dates: a notice is overdue once the whole day has passed.
		y, m, d := f.OverdueAt.UTC().Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		q = q.Where("n.status IN ('served', 'upheld', 'varied', 'breached')").Where("n.deadline < ?", today).
			Where("n.type NOT IN ('intent', 'penalty_intent')")
	}
	if f.Before != "" {
		q = q.Where("n.id < ?", f.Before)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	out := make([]notices.Notice, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

// PeekNoticeNumber is the number NextNoticeNumber would allocate now.
func (s Notices) PeekNoticeNumber(ctx context.Context, authorityID string, t notices.Type, year int) (int64, error) {
	return s.PeekValue(ctx, "notice/"+authorityID+"/"+string(t)+"/"+strconv.Itoa(year))
}

// NextNoticeNumber allocates the next number for an authority, type and year.
func (s Notices) NextNoticeNumber(ctx context.Context, authorityID string, t notices.Type, year int) (int64, error) {
	return s.NextValue(ctx, "notice/"+authorityID+"/"+string(t)+"/"+strconv.Itoa(year))
}

type paymentRow struct {
	bun.BaseModel `bun:"table:notice_payments"`

	ID          string    `bun:"id,pk"`
	NoticeID    string    `bun:"notice_id"`
	AmountPence int64     `bun:"amount_pence"`
	PaidAt      time.Time `bun:"paid_at"`
	Method      string    `bun:"method"`
	Reference   string    `bun:"reference"`
	RecordedBy  string    `bun:"recorded_by"`
	RecordedAt  time.Time `bun:"recorded_at"`
}

// AddPayment inserts a payment.
func (s Notices) AddPayment(ctx context.Context, p notices.Payment) error {
	row := paymentRow{ID: p.ID, NoticeID: p.NoticeID, AmountPence: p.AmountPence, PaidAt: p.PaidAt, Method: p.Method,
		Reference: p.Reference, RecordedBy: p.RecordedBy, RecordedAt: p.RecordedAt}
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert payment: %w", err)
	}
	return nil
}

// Payments lists a notice's payments oldest first.
func (s Notices) Payments(ctx context.Context, noticeID string) ([]notices.Payment, error) {
	var rows []paymentRow
	if err := s.idb(ctx).NewSelect().Model(&rows).Where("notice_id = ?", noticeID).OrderExpr("paid_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	out := make([]notices.Payment, len(rows))
	for i, r := range rows {
		out[i] = notices.Payment{ID: r.ID, NoticeID: r.NoticeID, AmountPence: r.AmountPence, PaidAt: r.PaidAt.UTC(), Method: r.Method,
			Reference: r.Reference, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
	}
	return out, nil
}

type representationRow struct {
	bun.BaseModel `bun:"table:notice_representations"`

	ID         string    `bun:"id,pk"`
	NoticeID   string    `bun:"notice_id"`
	ReceivedAt time.Time `bun:"received_at"`
	From       string    `bun:"received_from"`
	Body       string    `bun:"body"`
	ExhibitIDs string    `bun:"exhibit_ids"`
	RecordedBy string    `bun:"recorded_by"`
	RecordedAt time.Time `bun:"recorded_at"`
}

// AddRepresentation inserts representations received on a notice of intent.
func (s Notices) AddRepresentation(ctx context.Context, r notices.Representation) error {
	row := representationRow{ID: r.ID, NoticeID: r.NoticeID, ReceivedAt: r.ReceivedAt, From: r.From, Body: r.Text,
		ExhibitIDs: jsonList(r.ExhibitIDs), RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert representation: %w", err)
	}
	return nil
}

// Representations lists a notice's representations in the order received.
func (s Notices) Representations(ctx context.Context, noticeID string) ([]notices.Representation, error) {
	var rows []representationRow
	if err := s.idb(ctx).NewSelect().Model(&rows).Where("notice_id = ?", noticeID).OrderExpr("received_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list representations: %w", err)
	}
	out := make([]notices.Representation, len(rows))
	for i, r := range rows {
		out[i] = notices.Representation{ID: r.ID, NoticeID: r.NoticeID, ReceivedAt: r.ReceivedAt.UTC(), From: r.From, Text: r.Body,
			ExhibitIDs: parseList(r.ExhibitIDs), RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
	}
	return out, nil
}
