package notices

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/legalbasis"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
)

// Cases is what notices need of the case service; it enforces case access.
type Cases interface {
	Get(ctx context.Context, id string) (cases.Case, error)
	// Access returns the case as the caller's authority sees it, with its access.
	Access(ctx context.Context, id string) (cases.Case, cases.Access, error)
	ForWork(ctx context.Context, id string) (cases.Case, error)
	Parties(ctx context.Context, id string) ([]cases.Party, error)
	Assessment(ctx context.Context, id string) (cases.Matrix, error)
}

// ExhibitRef identifies an exhibit a notice cites or produces.
type ExhibitRef struct {
	ID          string
	Ref         string // e.g. KENT-TS-2026-000123/EX-002
	SHA256      string
	Description string
}

// Exhibits is what notices need of the evidence store.
type Exhibits interface {
	// Lookup returns the exhibits, failing with a field error for any id that
	// is not an exhibit of the case.
	Lookup(ctx context.Context, caseID string, ids []string) ([]ExhibitRef, error)
	// StoreIssued keeps an issued notice's bytes as an immutable exhibit of
	// the case, in the transaction in ctx.
	StoreIssued(ctx context.Context, caseID, filename string, content []byte, description string) (ExhibitRef, error)
	// Open returns the stored bytes of an exhibit.
	Open(ctx context.Context, exhibitID string) (io.ReadCloser, int64, error)
	// Findings returns the findings of the case with the given ids (ids
	// that are not findings of the case are left out).
	Findings(ctx context.Context, caseID string, ids []string) ([]FindingDetail, error)
}

// FindingDetail is a finding as a schedule of breaches cites it.
type FindingDetail struct {
	ID         string
	EvidenceID string
	Title      string
	Severity   string
	Status     string
	Host       string
	Port       int
	Protocol   string
	Service    string
}

// Where is the finding's location: "192.168.50.10:23/tcp (telnet)".
func (f FindingDetail) Where() string {
	if f.Host == "" {
		return ""
	}
	w := f.Host
	if f.Port > 0 {
		w += ":" + strconv.Itoa(f.Port)
	}
	return w
}

// Directory resolves the names a notice prints.
type Directory interface {
	Operator(ctx context.Context, id string) (operators.Operator, error)
	Product(ctx context.Context, id string) (products.Product, error)
	AuthorityName(ctx context.Context, id string) (string, error)
	UserName(ctx context.Context, id string) (string, error)
	// UserEmail is the officer's address the signature block prints.
	UserEmail(ctx context.Context, id string) (string, error)
	// Profile is the authority's letterhead, payment and service settings.
	Profile(ctx context.Context, authorityID string) (authorities.Profile, error)
}

// Renderer draws a notice document, and the certificate of its service, as
// PDFs.
type Renderer interface {
	Render(w io.Writer, d Document) error
	RenderCertificate(w io.Writer, c Certificate) error
}

// ScheduleRow is one breach in the schedule: a Schedule 1 security
// requirement (or the statement-of-compliance duty) not met, the duty of the
// recipient's role that failing it breaches, the EN 303 645 provisions
// cited as technical evidence, and the evidence the officer relies on.
type ScheduleRow struct {
	RequirementID    string
	RequirementTitle string
	// LegalRef is the catalogue's citation of the requirement itself.
	LegalRef  string
	Rationale string
	// Paragraph is the Schedule 1 paragraph ("1"), or "" for the SoC duty.
	Paragraph string
	// Duties are the duties breached, one per role the recipient holds.
	Duties []legalbasis.Duty
	// Technical are the EN 303 645 provisions cited with this breach.
	Technical []TechnicalRef
	// Exhibits are the exhibits relied on for this breach.
	Exhibits []ExhibitRef
	// Findings are the findings relied on, most severe first; the schedule
	// summarises the first few and Annex A lists them all.
	Findings []FindingDetail
}

// TechnicalRef is an EN 303 645 provision cited as technical evidence; when
// Deemed, meeting it would have been deemed compliance (SI 2023/1007 Sch 2).
type TechnicalRef struct {
	ID        string
	Title     string
	Rationale string
	Deemed    bool
}

// Reliance is what the officer relies on for one cited requirement.
type Reliance struct {
	RequirementID string
	FindingIDs    []string
	ExhibitIDs    []string
}

// Document is everything a rendered notice shows, resolved.
type Document struct {
	Notice        Notice
	Info          TypeInfo
	Draft         bool
	Date          time.Time // issue time, or the preview time of a draft
	CaseReference string
	AuthorityName string
	AuthorityCode string
	Recipient     operators.Operator
	RecipientRole string
	Products      []products.Product
	Schedule      []ScheduleRow
	Exhibits      []ExhibitRef
	AuthorName    string
	IssuerName    string
	ApproverName  string
	PenaltyCap    int64

	// Authority is the issuing authority's profile: the letterhead, the
	// payment details of a penalty and the deemed-service days printed.
	Authority authorities.Profile
	// OfficerEmail is the signing (or drafting) officer's contact address.
	OfficerEmail string
	// Roles are the recipient's duty-bearing roles on the case.
	Roles []legalbasis.Role
	// OtherTechnical are EN 303 645 provisions cited that relate to no
	// breach in the schedule: technical evidence only.
	OtherTechnical []TechnicalRef
	// Sequence is what the notice says of the step before it.
	Sequence *SequenceDoc
}

// SequenceDoc is the prior step as the notice states it.
type SequenceDoc struct {
	Provision         string
	Route             string
	IntentReference   string
	IntentTitle       string
	GivenOn           *time.Time
	RepresentationsBy *time.Time
	Representations   []RepresentationDoc
	Response          string
	Urgency           string
	UrgencyApprover   string
	UrgencyApprovedAt *time.Time
}

// RepresentationDoc is representations as the notice lists them.
type RepresentationDoc struct {
	ReceivedAt time.Time
	From       string
	Exhibits   []ExhibitRef
}
