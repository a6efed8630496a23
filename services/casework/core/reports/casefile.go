package reports

import (
	"encoding/json"
	"time"
)

// CaseFile is the redacted content of a referral package: what case.pdf
// and case.json carry. Every field has already been through the redaction
// rules; renderers print it as it is.
type CaseFile struct {
	PackageID   string
	GeneratedAt time.Time
	GeneratedBy Issuer
	Recipient   string
	Purpose     string

	Case       CaseInfo
	Products   []ProductInfo
	Parties    []PartyInfo
	Assessment []AssessmentInfo
	Notices    []NoticeInfo
	Notes      []NoteInfo
	// NotesWithheld is how many notes were left out (R5).
	NotesWithheld int
	Exhibits      []ExhibitInfo
	// Withheld are exhibits not copied into the package, with why.
	Withheld []ExhibitInfo
	// Redactions are the rules the package applied.
	Redactions []Rule
}

// Issuer is the supervisor issuing the package (shown by name, R3).
type Issuer struct {
	Name          string
	Email         string
	AuthorityCode string
	AuthorityName string
}

// CaseInfo is the case itself.
type CaseInfo struct {
	Reference       string
	AuthorityCode   string
	AuthorityName   string
	Title           string
	Summary         string
	Origin          string
	Status          string
	Risk            string
	OpenedAt        time.Time
	ClosedAt        *time.Time
	ClosureReason   string
	OfficerInCharge string
	Scope           ScopeInfo
}

// ScopeInfo are the PSTI triage answers; nil means not answered.
type ScopeInfo struct {
	Connectable       *bool
	UKConsumerProduct *bool
	UsedOrSecondHand  *bool
	Excepted          *bool
	ExceptedCategory  string
	InScope           bool
}

// ProductInfo is a product of the case.
type ProductInfo struct {
	ID               string
	Brand            string
	Model            string
	GTIN             string
	Category         string
	Variants         []string
	FirmwareVersions []string
	Excepted         bool
	ExceptedReason   string
	SoCPresent       bool
	SoCStandard      string
	SoCVersion       string
	SoCDate          *time.Time
	SoCSignatory     string
	SupportEnd       *time.Time
	SupportShortened bool
}

// PartyInfo is an economic operator in a role.
type PartyInfo struct {
	Operator      string // name, or "Sole trader 1"… (R4)
	SoleTrader    bool
	Role          string
	Product       string // brand and model, when the role is for one product
	CompanyNumber string
	Address       string
	Country       string
	Website       string
	VDPURL        string
	AddedBy       string
}

// AssessmentInfo is one row of the assessment matrix.
type AssessmentInfo struct {
	RequirementID string
	Title         string
	Kind          string
	Verdict       string
	Rationale     string
	Reason        string
	Exhibits      []string // exhibit references
	Findings      int
	UpdatedBy     string
	UpdatedAt     *time.Time
}

// NoticeInfo is an issued notice's particulars, with its recipient as at
// issue.
type NoticeInfo struct {
	Reference  string
	Type       string
	Title      string
	LegalBasis string
	Status     string
	Recipient  string // name, or "Sole trader 1"… (R4)
	// RecipientSoleTrader is true when the notice went to a sole trader.
	RecipientSoleTrader bool
	RequirementIDs      []string
	Steps               []string
	Reasons             string
	IssuedAt            *time.Time
	IssuedBy            string
	ApprovedBy          string
	ServedAt            *time.Time
	ServeMethod         string
	Deadline            *time.Time
	SHA256              string
	Verification        string
	ExhibitRef          string
	PenaltyPence        *int64
	PaidPence           *int64
}

// NoteInfo is a shareable note.
type NoteInfo struct {
	At     time.Time
	Author string
	Body   string
}

// ExhibitInfo describes an exhibit copied into (or withheld from) the package.
type ExhibitInfo struct {
	ID          string
	Ref         string
	Path        string // path in the archive; empty when withheld
	Filename    string
	SHA256      string
	Size        int64
	MediaType   string
	Description string
	Kind        string
	PowerUsed   string
	CollectedAt time.Time
	CollectedBy string
	// Reason says why a withheld exhibit is not in the package.
	Reason string
}

// The case.json document: its own shape (snake_case, documented field by
// field in the package documentation), converted from CaseFile.

type caseDoc struct {
	Format        string         `json:"format"`
	PackageID     string         `json:"package_id"`
	GeneratedAt   time.Time      `json:"generated_at"`
	GeneratedBy   issuerDoc      `json:"generated_by"`
	Recipient     string         `json:"recipient"`
	Purpose       string         `json:"purpose"`
	Case          caseInfoDoc    `json:"case"`
	Products      []productDoc   `json:"products"`
	Parties       []partyDoc     `json:"parties"`
	Assessment    []assessDoc    `json:"assessment"`
	Notices       []noticeDoc    `json:"notices"`
	Notes         []noteDoc      `json:"notes"`
	NotesWithheld int            `json:"notes_withheld"`
	Exhibits      []exhibitDoc   `json:"exhibits"`
	Withheld      []exhibitDoc   `json:"withheld_exhibits"`
	Redactions    []redactionDoc `json:"redactions"`
}

type issuerDoc struct {
	Name          string `json:"name"`
	Email         string `json:"email"`
	AuthorityCode string `json:"authority_code"`
	AuthorityName string `json:"authority_name"`
}

type scopeDoc struct {
	Connectable       *bool  `json:"connectable"`
	UKConsumerProduct *bool  `json:"uk_consumer_product"`
	UsedOrSecondHand  *bool  `json:"used_or_second_hand"`
	Excepted          *bool  `json:"excepted"`
	ExceptedCategory  string `json:"excepted_category,omitempty"`
	InScope           bool   `json:"in_scope"`
}

type caseInfoDoc struct {
	Reference       string     `json:"reference"`
	AuthorityCode   string     `json:"authority_code"`
	AuthorityName   string     `json:"authority_name"`
	Title           string     `json:"title"`
	Summary         string     `json:"summary"`
	Origin          string     `json:"origin"`
	Status          string     `json:"status"`
	Risk            string     `json:"risk_level"`
	OpenedAt        time.Time  `json:"opened_at"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	ClosureReason   string     `json:"closure_reason,omitempty"`
	OfficerInCharge string     `json:"officer_in_charge,omitempty"`
	Scope           scopeDoc   `json:"scope"`
}

type productDoc struct {
	ID               string     `json:"id"`
	Brand            string     `json:"brand"`
	Model            string     `json:"model"`
	GTIN             string     `json:"gtin,omitempty"`
	Category         string     `json:"category,omitempty"`
	Variants         []string   `json:"variants"`
	FirmwareVersions []string   `json:"firmware_versions"`
	Excepted         bool       `json:"excepted"`
	ExceptedReason   string     `json:"excepted_reason,omitempty"`
	SoCPresent       bool       `json:"soc_present"`
	SoCStandard      string     `json:"soc_standard,omitempty"`
	SoCVersion       string     `json:"soc_version,omitempty"`
	SoCDate          *time.Time `json:"soc_date,omitempty"`
	SoCSignatory     string     `json:"soc_signatory,omitempty"`
	SupportEnd       *time.Time `json:"support_period_end,omitempty"`
	SupportShortened bool       `json:"support_period_shortened"`
}

type partyDoc struct {
	Operator      string `json:"operator"`
	SoleTrader    bool   `json:"sole_trader"`
	Role          string `json:"role"`
	Product       string `json:"product,omitempty"`
	CompanyNumber string `json:"company_number,omitempty"`
	Address       string `json:"address,omitempty"`
	Country       string `json:"country,omitempty"`
	Website       string `json:"website,omitempty"`
	VDPURL        string `json:"vdp_url,omitempty"`
	AddedBy       string `json:"added_by,omitempty"`
}

type assessDoc struct {
	RequirementID string     `json:"requirement_id"`
	Title         string     `json:"title"`
	Kind          string     `json:"kind"`
	Verdict       string     `json:"verdict"`
	Rationale     string     `json:"rationale,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	Exhibits      []string   `json:"exhibit_refs"`
	Findings      int        `json:"findings"`
	UpdatedBy     string     `json:"updated_by,omitempty"`
	UpdatedAt     *time.Time `json:"updated_at,omitempty"`
}

type noticeDoc struct {
	Reference           string     `json:"reference"`
	Type                string     `json:"type"`
	Title               string     `json:"title"`
	LegalBasis          string     `json:"legal_basis"`
	Status              string     `json:"status"`
	Recipient           string     `json:"recipient"`
	RecipientSoleTrader bool       `json:"recipient_sole_trader"`
	RequirementIDs      []string   `json:"requirement_ids"`
	Steps               []string   `json:"steps"`
	Reasons             string     `json:"reasons,omitempty"`
	IssuedAt            *time.Time `json:"issued_at,omitempty"`
	IssuedBy            string     `json:"issued_by,omitempty"`
	ApprovedBy          string     `json:"approved_by,omitempty"`
	ServedAt            *time.Time `json:"served_at,omitempty"`
	ServeMethod         string     `json:"serve_method,omitempty"`
	Deadline            *time.Time `json:"deadline,omitempty"`
	SHA256              string     `json:"sha256,omitempty"`
	Verification        string     `json:"verification_code,omitempty"`
	ExhibitRef          string     `json:"exhibit_ref,omitempty"`
	PenaltyPence        *int64     `json:"penalty_pence,omitempty"`
	PaidPence           *int64     `json:"paid_pence,omitempty"`
}

type noteDoc struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Body   string    `json:"body"`
}

type exhibitDoc struct {
	Ref         string    `json:"ref"`
	Path        string    `json:"path,omitempty"`
	Filename    string    `json:"filename"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	MediaType   string    `json:"media_type"`
	Description string    `json:"description,omitempty"`
	Kind        string    `json:"kind,omitempty"`
	PowerUsed   string    `json:"power_used,omitempty"`
	CollectedAt time.Time `json:"collected_at"`
	CollectedBy string    `json:"collected_by,omitempty"`
	Reason      string    `json:"withheld_because,omitempty"`
}

type redactionDoc struct {
	Rule   string `json:"rule"`
	Data   string `json:"data"`
	Action string `json:"action"`
}

// PackageFormat names the layout of case.json and manifest.json.
const PackageFormat = "tradewarden-referral-package/1"

func orNone[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func exhibitDocs(es []ExhibitInfo) []exhibitDoc {
	out := make([]exhibitDoc, len(es))
	for i, e := range es {
		out[i] = exhibitDoc{Ref: e.Ref, Path: e.Path, Filename: e.Filename, SHA256: e.SHA256, Size: e.Size, MediaType: e.MediaType,
			Description: e.Description, Kind: e.Kind, PowerUsed: e.PowerUsed, CollectedAt: e.CollectedAt, CollectedBy: e.CollectedBy,
			Reason: e.Reason}
	}
	return out
}

func redactionDocs(rs []Rule) []redactionDoc {
	out := make([]redactionDoc, len(rs))
	for i, r := range rs {
		out[i] = redactionDoc{Rule: r.ID, Data: r.Data, Action: r.Action}
	}
	return out
}

// JSON renders case.json.
func (f CaseFile) JSON() ([]byte, error) {
	c := f.Case
	d := caseDoc{Format: PackageFormat, PackageID: f.PackageID, GeneratedAt: f.GeneratedAt,
		GeneratedBy: issuerDoc{Name: f.GeneratedBy.Name, Email: f.GeneratedBy.Email, AuthorityCode: f.GeneratedBy.AuthorityCode,
			AuthorityName: f.GeneratedBy.AuthorityName},
		Recipient: f.Recipient, Purpose: f.Purpose,
		Case: caseInfoDoc{Reference: c.Reference, AuthorityCode: c.AuthorityCode, AuthorityName: c.AuthorityName, Title: c.Title,
			Summary: c.Summary, Origin: c.Origin, Status: c.Status, Risk: c.Risk, OpenedAt: c.OpenedAt, ClosedAt: c.ClosedAt,
			ClosureReason: c.ClosureReason, OfficerInCharge: c.OfficerInCharge,
			Scope: scopeDoc{Connectable: c.Scope.Connectable, UKConsumerProduct: c.Scope.UKConsumerProduct,
				UsedOrSecondHand: c.Scope.UsedOrSecondHand, Excepted: c.Scope.Excepted, ExceptedCategory: c.Scope.ExceptedCategory,
				InScope: c.Scope.InScope}},
		Products: []productDoc{}, Parties: []partyDoc{}, Assessment: []assessDoc{}, Notices: []noticeDoc{}, Notes: []noteDoc{},
		NotesWithheld: f.NotesWithheld, Exhibits: exhibitDocs(f.Exhibits), Withheld: exhibitDocs(f.Withheld),
		Redactions: redactionDocs(f.Redactions)}
	for _, p := range f.Products {
		d.Products = append(d.Products, productDoc{ID: p.ID, Brand: p.Brand, Model: p.Model, GTIN: p.GTIN, Category: p.Category,
			Variants: orNone(p.Variants), FirmwareVersions: orNone(p.FirmwareVersions), Excepted: p.Excepted,
			ExceptedReason: p.ExceptedReason, SoCPresent: p.SoCPresent, SoCStandard: p.SoCStandard, SoCVersion: p.SoCVersion,
			SoCDate: p.SoCDate, SoCSignatory: p.SoCSignatory, SupportEnd: p.SupportEnd, SupportShortened: p.SupportShortened})
	}
	for _, p := range f.Parties {
		d.Parties = append(d.Parties, partyDoc(p))
	}
	for _, a := range f.Assessment {
		d.Assessment = append(d.Assessment, assessDoc{RequirementID: a.RequirementID, Title: a.Title, Kind: a.Kind, Verdict: a.Verdict,
			Rationale: a.Rationale, Reason: a.Reason, Exhibits: orNone(a.Exhibits), Findings: a.Findings, UpdatedBy: a.UpdatedBy,
			UpdatedAt: a.UpdatedAt})
	}
	for _, n := range f.Notices {
		d.Notices = append(d.Notices, noticeDoc{Reference: n.Reference, Type: n.Type, Title: n.Title, LegalBasis: n.LegalBasis,
			Status: n.Status, Recipient: n.Recipient, RecipientSoleTrader: n.RecipientSoleTrader,
			RequirementIDs: orNone(n.RequirementIDs), Steps: orNone(n.Steps), Reasons: n.Reasons, IssuedAt: n.IssuedAt,
			IssuedBy: n.IssuedBy, ApprovedBy: n.ApprovedBy,
			ServedAt: n.ServedAt, ServeMethod: n.ServeMethod, Deadline: n.Deadline, SHA256: n.SHA256, Verification: n.Verification,
			ExhibitRef: n.ExhibitRef, PenaltyPence: n.PenaltyPence, PaidPence: n.PaidPence})
	}
	for _, n := range f.Notes {
		d.Notes = append(d.Notes, noteDoc(n))
	}
	return json.MarshalIndent(d, "", "  ")
}
