// Package cases holds market-surveillance cases: their lifecycle from intake
// to closure, the PSTI scope triage, the economic operators involved and in
// what role, the assessment of the product against each requirement, notes,
// assignment, and referral of a case to another authority.
package cases

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by stores when no case has the id.
var ErrNotFound = errors.New("case not found")

// Origin says how the case arose.
type Origin string

// Origins.
const (
	ProactiveSurveillance Origin = "proactive_surveillance"
	Complaint             Origin = "complaint"
	Referral              Origin = "referral"
	SelfNotification      Origin = "self_notification"
	BorderCheck           Origin = "border_check"
	OnlineMonitoring      Origin = "online_monitoring"
)

// Origins lists every origin.
var Origins = []Origin{ProactiveSurveillance, Complaint, Referral, SelfNotification, BorderCheck, OnlineMonitoring}

// Risk is the officer's risk rating.
type Risk string

// Risk levels.
var Risks = []Risk{"low", "medium", "high", "serious"}

// Scope records the PSTI triage answers; nil means not yet answered.
type Scope struct {
	Connectable       *bool  // internet- or network-connectable (ss.4–5)
	UKConsumerProduct *bool  // made available to UK consumers (s.54)
	UsedOrSecondHand  *bool  // genuinely used goods are outside the duties
	Excepted          *bool  // an excepted category in Sch 3
	ExceptedCategory  string // which one
	Notes             string
}

// InScope reports whether every answer is given and puts the product in scope.
func (s Scope) InScope() bool {
	return isTrue(s.Connectable) && isTrue(s.UKConsumerProduct) && isFalse(s.UsedOrSecondHand) && isFalse(s.Excepted)
}

// OutOfScope reports whether any answer puts the product out of scope.
func (s Scope) OutOfScope() bool {
	return isFalse(s.Connectable) || isFalse(s.UKConsumerProduct) || isTrue(s.UsedOrSecondHand) || isTrue(s.Excepted)
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }

// ClosureRequest is an officer's request that a supervisor close the case.
type ClosureRequest struct {
	Reason      ClosureReason
	Note        string
	RequestedBy string
	RequestedAt time.Time
}

// Share is a referral of the case to another authority: pending until that
// authority accepts or declines it, then a collaboration at an access level
// until either side ends it.
type Share struct {
	AuthorityID   string
	AuthorityCode string
	Status        ShareStatus
	Level         AccessLevel
	Reason        string
	ReferredBy    string
	ReferredAt    time.Time
	AcceptedBy    string
	AcceptedAt    *time.Time
	// EndedBy, EndedAt and EndReason record a decline or a revocation.
	EndedBy   string
	EndedAt   *time.Time
	EndReason string
}

// ShareStatus is the state of a referral.
type ShareStatus string

// Referral states. Declined and revoked referrals give the receiving
// authority no access at all; the owner may refer the case again.
const (
	SharePending  ShareStatus = "pending"
	ShareAccepted ShareStatus = "accepted"
	ShareDeclined ShareStatus = "declined"
	ShareRevoked  ShareStatus = "revoked"
)

// ShareStatuses lists every referral state.
var ShareStatuses = []ShareStatus{SharePending, ShareAccepted, ShareDeclined, ShareRevoked}

// Live reports whether the referral gives the receiving authority any access.
func (s Share) Live() bool { return s.Status == SharePending || s.Status == ShareAccepted }

// AccessLevel is what a collaborating authority may do on a case it accepted.
type AccessLevel string

// Access levels, as the UK Product Safety Database gives team collaborators.
// Neither lets a collaborator assign, rename, transition or close the case:
// the owning authority alone does that.
const (
	// ReadOnly collaborators see the case, its evidence and its issued notices.
	ReadOnly AccessLevel = "read_only"
	// EditEvidenceAndNotes collaborators may also add exhibits, record
	// custody and add notes.
	EditEvidenceAndNotes AccessLevel = "edit_evidence_and_notes"
)

// AccessLevels lists every level.
var AccessLevels = []AccessLevel{ReadOnly, EditEvidenceAndNotes}

// Complainant is who complained, kept apart from the summary so that the
// summary can be shared with their identity taken out (rule R1). Only the
// owning authority ever sees it.
type Complainant struct {
	Name    string
	Email   string
	Phone   string
	Address string
}

// Empty reports whether nothing is recorded.
func (c Complainant) Empty() bool { return c == Complainant{} }

// Case is one market-surveillance case.
type Case struct {
	ID            string
	AuthorityID   string // owner
	AuthorityCode string
	Reference     string
	Title         string
	Summary       string
	Complainant   Complainant
	Origin        Origin
	Status        Status
	Risk          Risk
	AssigneeID    string
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ClosedAt      *time.Time
	ClosureReason ClosureReason
	ClosureNote   string
	ClosureReq    *ClosureRequest
	Scope         Scope
	ProductIDs    []string
	Shares        []Share
	Version       int
}

// ShareFor returns the referral to the authority, if any, whatever its state.
func (c Case) ShareFor(authorityID string) (Share, bool) {
	for _, s := range c.Shares {
		if s.AuthorityID == authorityID {
			return s, true
		}
	}
	return Share{}, false
}

// PartyRole is an operator's role in a case.
type PartyRole string

// Party roles.
var PartyRoles = []PartyRole{"manufacturer", "own_brander", "importer", "distributor", "authorised_representative",
	"online_marketplace", "retailer"}

// Party links an economic operator to a case in a role (for a product).
type Party struct {
	ID         string
	CaseID     string
	OperatorID string
	// OperatorName is the operator's registered name, read with the party
	// (empty where OperatorLabel stands in for the operator).
	OperatorName string
	Role         PartyRole
	ProductID    string
	AddedBy      string
	AddedAt      time.Time
	// OperatorLabel replaces OperatorID where the viewer may not learn
	// which sole trader is a party ("Sole trader 1"…, rule R4).
	OperatorLabel string
}

// Note is a free-text note on a case.
type Note struct {
	ID     string
	CaseID string
	// AuthorityID is the authority the author wrote it in (the owner or a
	// collaborator).
	AuthorityID string
	AuthorID    string
	Author      string
	Body        string
	// Shareable notes may go into referral packages to other agencies;
	// others are redacted.
	Shareable bool
	CreatedAt time.Time
}

// Verdict is the outcome of assessing one requirement.
type Verdict string

// Verdicts.
const (
	NotAssessed   Verdict = "not_assessed"
	Pass          Verdict = "pass"
	Fail          Verdict = "fail"
	NotApplicable Verdict = "not_applicable"
	Inconclusive  Verdict = "inconclusive"
)

// Verdicts lists every verdict.
var Verdicts = []Verdict{NotAssessed, Pass, Fail, NotApplicable, Inconclusive}

// Assessment is the verdict on one requirement for the case's product(s).
type Assessment struct {
	CaseID        string
	RequirementID string
	Verdict       Verdict
	Rationale     string
	Reason        string // why not applicable
	EvidenceIDs   []string
	FindingIDs    []string
	UpdatedBy     string
	UpdatedAt     time.Time
}

// ListFilter selects cases visible to an authority.
type ListFilter struct {
	AuthorityID string
	// IncludePending also lists cases referred to the authority but not yet accepted.
	IncludePending bool
	Status         Status
	AssigneeID     string
	Origin         Origin
	ProductID      string
	OperatorID     string
	Q              string
	Before         string // keyset cursor: list ids below this one
	Limit          int
}

// Store persists cases. Methods join the transaction in ctx.
type Store interface {
	CreateCase(ctx context.Context, c Case) error
	// GetCase loads a case with its product ids and referrals; forUpdate locks
	// the row until the transaction ends.
	GetCase(ctx context.Context, id string, forUpdate bool) (Case, error)
	// UpdateCase writes every field and the product links of c.
	UpdateCase(ctx context.Context, c Case) error
	// CaseIDByReference resolves a case reference such as KENT-TS-2026-000123.
	CaseIDByReference(ctx context.Context, reference string) (string, error)
	ListCases(ctx context.Context, f ListFilter) ([]Case, error)
	NextReference(ctx context.Context, authorityID string, year int) (int64, error)

	AddParty(ctx context.Context, p Party) error
	Parties(ctx context.Context, caseID string) ([]Party, error)
	AddNote(ctx context.Context, n Note) error
	Notes(ctx context.Context, caseID string) ([]Note, error)
	PutAssessment(ctx context.Context, a Assessment) error
	Assessments(ctx context.Context, caseID string) ([]Assessment, error)
	PutShare(ctx context.Context, caseID string, s Share) error
}

// Directory answers questions about other registers the case service needs.
type Directory interface {
	ExistingProducts(ctx context.Context, ids []string) (map[string]bool, error)
	OperatorExists(ctx context.Context, id string) (bool, error)
	// SoleTraders reports which of the operators are sole traders.
	SoleTraders(ctx context.Context, ids []string) (map[string]bool, error)
	// UserRoles lists the roles a user holds in an authority.
	UserRoles(ctx context.Context, userID, authorityID string) ([]string, error)
	// AuthorityByCode resolves an authority code to its id.
	AuthorityByCode(ctx context.Context, code string) (id string, err error)
}
