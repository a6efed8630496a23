// Package notices holds enforcement notices: drafted from a case, approved
// by a supervisor who is not the author (four eyes), issued once as a
// numbered, immutable PDF, then tracked through service, appeal and
// compliance.
package notices

import (
	"context"
	"errors"
	"slices"
	"time"
)

// ErrNotFound is returned by stores when no notice has the id.
var ErrNotFound = errors.New("notice not found")

// Type is a kind of notice.
type Type string

// Notice types.
const (
	Compliance    Type = "compliance"     // PSTI s.28
	Stop          Type = "stop"           // PSTI s.29
	Recall        Type = "recall"         // PSTI s.30
	Penalty       Type = "penalty"        // PSTI ss.36–38
	Information   Type = "information"    // CRA 2015 Sch 5 para 14 (via PSTI s.26(4))
	Intent        Type = "intent"         // notice of intent before a compliance notice
	PenaltyIntent Type = "penalty_intent" // notice of intent to impose a penalty (s.37)
)

// Types lists every notice type.
var Types = []Type{Compliance, Stop, Recall, Penalty, Information, Intent, PenaltyIntent}

// TypeInfo is what the law says of a notice type.
type TypeInfo struct {
	Title string
	Code  string // reference code: KENT-TS-CN-2026-0001
	// LegalBasis cites the enabling provisions.
	LegalBasis string
	// MinDays is the shortest period, in days from issue, that the deadline
	// may give (0: the deadline may be the day of issue).
	MinDays int
	// DeadlineLabel names the deadline for this type.
	DeadlineLabel string
	// NeedsFailures is true when the notice must cite failed requirements.
	NeedsFailures bool
	// Appealable is true when the recipient may appeal to the First-tier Tribunal.
	Appealable bool
}

// Info describes each type.
var Info = map[Type]TypeInfo{
	Compliance: {Title: "Compliance notice", Code: "CN", LegalBasis: "section 28 of the Product Security and Telecommunications Infrastructure Act 2022",
		MinDays: 1, DeadlineLabel: "Comply by", NeedsFailures: true, Appealable: true},
	Stop: {Title: "Stop notice", Code: "SN", LegalBasis: "section 29 of the Product Security and Telecommunications Infrastructure Act 2022",
		MinDays: 0, DeadlineLabel: "Stop by", NeedsFailures: true, Appealable: true},
	Recall: {Title: "Recall notice", Code: "RN", LegalBasis: "section 30 of the Product Security and Telecommunications Infrastructure Act 2022",
		MinDays: 1, DeadlineLabel: "Recall completed by", NeedsFailures: true, Appealable: true},
	Penalty: {Title: "Penalty notice", Code: "PN", LegalBasis: "sections 36 to 38 of the Product Security and Telecommunications Infrastructure Act 2022",
		MinDays: 28, DeadlineLabel: "Pay by", NeedsFailures: true, Appealable: true},
	Information: {Title: "Information notice", Code: "IN", LegalBasis: "paragraph 14 of Schedule 5 to the Consumer Rights Act 2015, as applied by section 26(4) of the Product Security and Telecommunications Infrastructure Act 2022",
		MinDays: 1, DeadlineLabel: "Provide the information by", NeedsFailures: false, Appealable: false},
	Intent: {Title: "Notice of intent to issue a compliance notice", Code: "NI", LegalBasis: "section 28 of the Product Security and Telecommunications Infrastructure Act 2022",
		MinDays: 10, DeadlineLabel: "Representations by", NeedsFailures: true, Appealable: false},
	PenaltyIntent: {Title: "Notice of intent to impose a penalty", Code: "PI", LegalBasis: "section 37 of the Product Security and Telecommunications Infrastructure Act 2022",
		MinDays: 28, DeadlineLabel: "Representations by", NeedsFailures: true, Appealable: false},
}

// Status is a notice's lifecycle state.
type Status string

// Notice states.
const (
	Draft           Status = "draft"
	PendingApproval Status = "pending_approval"
	Approved        Status = "approved"
	Issued          Status = "issued"
	Served          Status = "served"
	Complied        Status = "complied"
	Breached        Status = "breached"
	Appealed        Status = "appealed"
	Upheld          Status = "upheld"
	Varied          Status = "varied"
	Cancelled       Status = "cancelled"
	Withdrawn       Status = "withdrawn"
	Revoked         Status = "revoked"
)

// Statuses lists every state.
var Statuses = []Status{Draft, PendingApproval, Approved, Issued, Served, Complied, Breached, Appealed, Upheld,
	Varied, Cancelled, Withdrawn, Revoked}

// outcomes maps a served notice's state to the outcomes that may follow it.
var outcomes = map[Status][]Status{
	Served:   {Complied, Breached, Appealed},
	Appealed: {Upheld, Varied, Cancelled},
	Upheld:   {Complied, Breached},
	Varied:   {Complied, Breached},
	Breached: {Complied},
}

// NextOutcomes lists the outcomes that may be recorded from s.
func (s Status) NextOutcomes() []Status { return outcomes[s] }

// Frozen reports whether the notice's content can no longer change.
func (s Status) Frozen() bool { return !slices.Contains([]Status{Draft, PendingApproval, Approved}, s) }

// PenaltyTerms holds the money of a penalty notice, in pence.
type PenaltyTerms struct {
	QualifyingRevenuePence int64
	RevenuePeriod          string
	AmountPence            int64
	DailyPence             int64
}

// Cap is the maximum penalty for the stated revenue: the greater of
// £10,000,000 and 4% of qualifying worldwide revenue (s.38).
func (p PenaltyTerms) Cap() int64 {
	const floor = 10_000_000 * 100
	pct := p.QualifyingRevenuePence / 25 // 4%
	return max(int64(floor), pct)
}

// MaxDailyPence is the statutory ceiling on a daily penalty (s.38): £20,000.
const MaxDailyPence = 20_000 * 100

// Notice is one enforcement notice.
type Notice struct {
	ID             string
	CaseID         string
	AuthorityID    string
	AuthorityCode  string
	Type           Type
	Status         Status
	OperatorID     string
	ProductIDs     []string
	RequirementIDs []string
	EvidenceIDs    []string
	Steps          []string
	Reasons        string
	Deadline       *time.Time // comply/stop/pay/respond/representations by
	Penalty        *PenaltyTerms

	// ProposedType is what a notice of intent (Intent) proposes to give:
	// Compliance, Stop or Recall. Empty for other types.
	ProposedType Type
	// IntentID is the notice of intent this notice follows (the statutory
	// sequence); empty until linked, and for notices that need none.
	IntentID string
	// Urgency is the recorded justification for giving the notice without
	// a notice of intent, where the law allows it; approving the notice
	// approves it (UrgencyApprovedBy/At).
	Urgency           string
	UrgencyApprovedBy string
	UrgencyApprovedAt *time.Time
	// RepresentationsResponse is the authority's response to the
	// representations received on the intent; the notice prints it.
	RepresentationsResponse string
	// Hosts are the network addresses of the units tested that the notice
	// names; findings on other hosts are never cited.
	Hosts []string
	// Reliance is what the officer relies on per requirement; a requirement
	// without an entry relies on what its assessment links.
	Reliance []Reliance

	AuthorID     string
	SubmittedAt  *time.Time
	ApproverID   string
	ApprovedAt   *time.Time
	RejectReason string
	// Contributors are everyone who shaped the content (author, editors,
	// submitters): none of them may approve it.
	Contributors []Contributor

	Reference    string
	IssuerID     string
	IssuedAt     *time.Time
	ExhibitID    string // the issued PDF, stored as an exhibit on the case
	SHA256       string // of the issued PDF
	Verification string // printed code
	// Recipient is the operator as the issued PDF printed it; nil before issue.
	Recipient *Recipient

	ServedAt    *time.Time
	ServedBy    string
	ServeMethod string
	ServedTo    string
	// DeemedServedOn is the UK day the notice is treated as served, from the
	// method and the authority's deemed-service days (midnight UTC).
	DeemedServedOn *time.Time
	// ServiceCertificateID is the certificate of service, an exhibit of the case.
	ServiceCertificateID string
	OutcomeAt            *time.Time
	OutcomeNote          string
	ClosedReason         string // withdrawal or revocation reason

	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Recipient is the operator a notice was issued to, as it stood at issue.
// Redaction follows it (a sole trader at issue stays withheld), whatever the
// shared register says later.
type Recipient struct {
	Name          string
	TradingNames  []string
	Address       string
	CompanyNumber string
	Country       string
	SoleTrader    bool
}

// AppealBy is the last day to appeal: 28 days after the notice is treated
// as served (GRC rule 22), or after the recorded service where no deemed
// day was recorded.
func (n Notice) AppealBy() *time.Time {
	if n.ServedAt == nil || !Info[n.Type].Appealable {
		return nil
	}
	from := *n.ServedAt
	if n.DeemedServedOn != nil {
		from = *n.DeemedServedOn
	}
	t := from.AddDate(0, 0, 28)
	return &t
}

// PeriodAfterService is how many days the deadline leaves after the day of
// deemed service, and whether that is fewer than the type's minimum; ok is
// false before service or without a deadline.
func (n Notice) PeriodAfterService() (days int, short, ok bool) {
	if n.DeemedServedOn == nil || n.Deadline == nil {
		return 0, false, false
	}
	days = int(dateOf(*n.Deadline).Sub(dateOf(*n.DeemedServedOn)).Hours() / 24)
	return days, days < Info[n.Type].MinDays, true
}

// Overdue reports whether a served notice's deadline has passed without compliance.
func (n Notice) Overdue(now time.Time) bool {
	// An intent's date is the end of the period for representations: nothing is owed by it.
	if n.Deadline == nil || n.Type == Intent || n.Type == PenaltyIntent {
		return false
	}
	switch n.Status {
	case Served, Upheld, Varied, Breached:
		return now.After(endOfDay(*n.Deadline))
	}
	return false
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 23, 59, 59, 0, time.UTC)
}

// Payment is money received against a penalty notice.
type Payment struct {
	ID          string
	NoticeID    string
	AmountPence int64
	PaidAt      time.Time
	Method      string
	Reference   string
	RecordedBy  string
	RecordedAt  time.Time
}

// PaymentMethods are the ways a penalty can be paid.
var PaymentMethods = []string{"bank_transfer", "card", "cheque", "other"}

// ListFilter selects an authority's notices.
type ListFilter struct {
	AuthorityID string
	// AlsoIssued adds the notices other authorities issued (with CaseID:
	// the owner's notices on a case the caller collaborates on).
	AlsoIssued bool
	CaseID     string
	Status     Status
	Type       Type
	// OverdueAt, when set, keeps only notices overdue at that time.
	OverdueAt *time.Time
	Before    string
	Limit     int
}

// Store persists notices; methods join the transaction in ctx.
type Store interface {
	CreateNotice(ctx context.Context, n Notice) error
	GetNotice(ctx context.Context, id string, forUpdate bool) (Notice, error)
	UpdateNotice(ctx context.Context, n Notice) error
	ListNotices(ctx context.Context, f ListFilter) ([]Notice, error)
	NoticeByReference(ctx context.Context, reference string) (Notice, error)
	NextNoticeNumber(ctx context.Context, authorityID string, t Type, year int) (int64, error)
	// PeekNoticeNumber is the number NextNoticeNumber would allocate now,
	// without allocating it (outside any transaction).
	PeekNoticeNumber(ctx context.Context, authorityID string, t Type, year int) (int64, error)
	AddPayment(ctx context.Context, p Payment) error
	Payments(ctx context.Context, noticeID string) ([]Payment, error)
	AddRepresentation(ctx context.Context, r Representation) error
	Representations(ctx context.Context, noticeID string) ([]Representation, error)
}
