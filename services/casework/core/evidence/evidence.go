// Package evidence keeps exhibits: files held byte-for-byte under their
// SHA-256 with an append-only chain of custody, and the findings parsed out
// of scanner reports, each cited against the requirements it evidences.
package evidence

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// ErrNotFound is returned by stores when a record does not exist.
var ErrNotFound = errors.New("not found")

// Powers under which evidence may be obtained (domain brief §4–5).
var Powers = []string{"test_purchase", "information_notice", "seizure", "voluntary", "public_source"}

// FormatOther marks an exhibit that is not a parsed scanner report.
const FormatOther = "other"

// Exhibit is one immutable piece of evidence.
type Exhibit struct {
	ID            string
	CaseID        string
	Seq           int
	Ref           string // <case reference>/EX-001
	SHA256        string
	Size          int64
	MediaType     string // detected from the content
	DeclaredType  string // what the uploader said
	Format        string // scanner format, or "other"
	Filename      string
	Description   string
	Kind          string
	PowerUsed     string
	CollectedAt   time.Time
	CollectedBy   string
	SupersedesID  string
	SupersededBy  string
	UploadedBy    string
	UploadedAt    time.Time
	ParseWarning  string
	FindingsCount int
	// Generated marks documents TradeWarden produced itself (issued notices).
	Generated bool
	// LastVerified is the outcome of the latest re-hash.
	LastVerifiedAt *time.Time
	LastVerifyOK   *bool
}

// CustodyAction is one kind of chain-of-custody event.
type CustodyAction string

// Custody actions.
const (
	Acquired     CustodyAction = "acquired"
	Uploaded     CustodyAction = "uploaded"
	Generated    CustodyAction = "generated"
	Viewed       CustodyAction = "viewed"
	Downloaded   CustodyAction = "downloaded"
	Transferred  CustodyAction = "transferred"
	Exported     CustodyAction = "exported"
	ReVerified   CustodyAction = "re_verified"
	VerifyFailed CustodyAction = "verify_failed"
	Disposed     CustodyAction = "disposed"
)

// ManualActions are the events an officer may record by hand.
var ManualActions = []CustodyAction{Transferred, Viewed, Disposed}

// CustodyEntry is one append-only chain-of-custody event.
type CustodyEntry struct {
	ID        string
	ExhibitID string
	Seq       int
	Action    CustodyAction
	At        time.Time
	ActorID   string
	Actor     string
	// SHA256 is the hash of the stored bytes at that moment (empty when
	// they could not be read).
	SHA256   string
	From     string
	To       string
	Location string
	Note     string
}

// FindingStatus is where a finding stands.
type FindingStatus string

// Finding states.
const (
	Open          FindingStatus = "open"
	Confirmed     FindingStatus = "confirmed"
	Disputed      FindingStatus = "disputed"
	FalsePositive FindingStatus = "false_positive"
	Resolved      FindingStatus = "resolved"
	// NotAffected is set by a supplier's VEX statement that the product is
	// not affected, with its justification kept on the finding: the claim
	// is the supplier's, recorded as theirs, not an officer's dismissal.
	NotAffected FindingStatus = "not_affected"
)

// FindingStatuses lists every status.
var FindingStatuses = []FindingStatus{Open, Confirmed, Disputed, FalsePositive, Resolved, NotAffected}

// VEX is the latest VEX statement applied to a finding.
type VEX struct {
	// Status is the statement's: not_affected, fixed, affected or
	// under_investigation.
	Status string
	// Justification is the not_affected justification (OpenVEX's fixed
	// vocabulary), when the statement gives one.
	Justification string
	// Statement is the impact, action and status notes, as written.
	Statement string
	// EvidenceID is the VEX exhibit the statement came from.
	EvidenceID string
}

// Finding is one parsed scanner item on a case.
type Finding struct {
	ID        string
	CaseID    string
	Key       string // stable per-format dedup key
	Format    string
	Tool      string
	ToolID    string
	Kind      string
	Title     string
	Severity  string
	Host      string
	Hostname  string
	Port      int
	Protocol  string
	Service   string
	Product   string
	Version   string
	Component string // purl or name@version
	CVEs      []string
	CVSS      float64
	Output    string
	// Credentials are the logins the scanner proved (a default password is
	// the fact a PSTI-1 citation rests on).
	Credentials []scan.Credential
	Status      FindingStatus
	// Requirements is what the finding cites: RuleRequirements with the
	// officer's Decisions applied (see Effective).
	Requirements []string
	RuleIDs      []string
	// RuleRequirements is what the rules cited when the report was last
	// imported; NoRequirement is a rule's reason for citing nothing.
	RuleRequirements []string
	NoRequirement    string
	// Decisions are the officers' attach and detach decisions; re-imports
	// keep them.
	Decisions []Decision
	// Mapping explains RuleIDs from the rule table (filled when read).
	Mapping []Match
	// Remapped is true once an officer has decided on any requirement.
	Remapped        bool
	EvidenceID      string // the exhibit that last showed it
	FirstEvidenceID string
	ResolvedBy      string // the exhibit that showed it gone
	// VEX is the supplier's latest VEX statement on the finding; zero when
	// none applies.
	VEX       VEX
	Note      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FindingFilter selects a case's findings.
type FindingFilter struct {
	CaseID        string
	RequirementID string
	Severity      string
	Status        FindingStatus
	EvidenceID    string
	// Unmapped keeps only findings that cite no requirement.
	Unmapped bool
	After    string
	Limit    int
}

// Store persists exhibits, custody and findings; methods join the
// transaction in ctx.
type Store interface {
	NextExhibitSeq(ctx context.Context, caseID string) (int, error)
	CreateExhibit(ctx context.Context, e Exhibit) error
	GetExhibit(ctx context.Context, id string) (Exhibit, error)
	UpdateExhibit(ctx context.Context, e Exhibit) error
	ListExhibits(ctx context.Context, caseID string) ([]Exhibit, error)
	// AllExhibits calls fn for every exhibit (for verify --all and blob sweeps).
	AllExhibits(ctx context.Context, fn func(Exhibit) error) error
	BlobReferenced(ctx context.Context, sha string) (bool, error)

	// NextCustodySeq allocates an exhibit's next custody sequence number.
	NextCustodySeq(ctx context.Context, exhibitID string) (int, error)
	AppendCustody(ctx context.Context, c CustodyEntry) error
	Custody(ctx context.Context, exhibitID string) ([]CustodyEntry, error)

	// CaseFindings returns the findings of a case that one import may touch:
	// those of the format (all of them; the service narrows by target).
	CaseFindings(ctx context.Context, caseID, format string) ([]Finding, error)
	// LockCaseFindings serialises changes to a case's findings until the
	// transaction in ctx ends (imports and officers' decisions).
	LockCaseFindings(ctx context.Context, caseID string) error
	InsertFindings(ctx context.Context, fs []Finding) error
	UpdateFindings(ctx context.Context, fs []Finding) error
	GetFinding(ctx context.Context, id string) (Finding, error)
	ListFindings(ctx context.Context, f FindingFilter) ([]Finding, error)
	// FindingRequirementIDs lists the distinct requirement ids of a case's
	// findings that are not false positives.
	FindingRequirementIDs(ctx context.Context, caseID string) ([]string, error)
}

// Blobs is the content-addressed byte store.
type Blobs interface {
	Stage(ctx context.Context, r io.Reader, maxSize int64) (Staged, error)
	Open(sha string) (io.ReadSeekCloser, int64, error)
	// Verify re-hashes the stored bytes: ok=false with the actual hash on a
	// mismatch, an ErrNotFound-wrapping error when missing.
	Verify(ctx context.Context, sha string) (ok bool, actual string, err error)
	Remove(sha string) error
	Walk(ctx context.Context, fn func(sha string, modified time.Time) error) error
}

// Staged is an uploaded file hashed into a temporary place, not yet kept.
type Staged interface {
	SHA256() string
	Size() int64
	Open() (io.ReadSeekCloser, error)
	// Commit keeps the bytes, under WORM retention for retain where the
	// store supports it (0: the store's default).
	Commit(retain time.Duration) error
	Discard() error
}

// ErrBlobMissing is wrapped by Blobs.Verify/Open when the bytes are gone.
var ErrBlobMissing = errors.New("stored bytes are missing")

// Sniffer detects a media type from content and says whether a declared
// type is compatible with it.
type Sniffer func(head []byte, declared string) (detected string, compatible bool)
