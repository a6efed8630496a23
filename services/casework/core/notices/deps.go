package notices

import (
	"context"
	"io"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
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

// ScheduleRow is one breach in the schedule: a failed requirement and the
// evidence that supports it.
type ScheduleRow struct {
	RequirementID    string
	RequirementTitle string
	LegalRef         string
	Rationale        string
	Exhibits         []ExhibitRef
	Findings         []cases.FindingRef
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
}
