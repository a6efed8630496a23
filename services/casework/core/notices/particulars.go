package notices

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Particulars are the fields of an issued notice that must never change
// again, in their canonical form: what the PDF says and who made it so.
// Later events (service, outcomes, withdrawal) change other fields.
type Particulars struct {
	Reference      string        `json:"reference"`
	Type           Type          `json:"type"`
	AuthorityID    string        `json:"authority_id"`
	CaseID         string        `json:"case_id"`
	OperatorID     string        `json:"operator_id"`
	ProductIDs     []string      `json:"product_ids"`
	RequirementIDs []string      `json:"requirement_ids"`
	EvidenceIDs    []string      `json:"evidence_ids"`
	Steps          []string      `json:"steps"`
	Reasons        string        `json:"reasons"`
	Deadline       string        `json:"deadline"`
	Penalty        *PenaltyTerms `json:"penalty"`
	AuthorID       string        `json:"author_id"`
	SubmittedAt    string        `json:"submitted_at"`
	Contributors   []contributor `json:"contributors"`
	ApproverID     string        `json:"approver_id"`
	ApprovedAt     string        `json:"approved_at"`
	IssuerID       string        `json:"issuer_id"`
	IssuedAt       string        `json:"issued_at"`
	ExhibitID      string        `json:"exhibit_id"`
	SHA256         string        `json:"sha256"`
	Verification   string        `json:"verification"`
	Recipient      *Recipient    `json:"recipient"`
	// The statutory sequence; omitted when empty so notices issued before
	// these fields existed keep the particulars hash they were issued with.
	ProposedType            Type       `json:"proposed_type,omitempty"`
	IntentID                string     `json:"intent_id,omitempty"`
	Urgency                 string     `json:"urgency,omitempty"`
	UrgencyApprovedBy       string     `json:"urgency_approved_by,omitempty"`
	RepresentationsResponse string     `json:"representations_response,omitempty"`
	Hosts                   []string   `json:"hosts,omitempty"`
	Reliance                []reliance `json:"relied_on,omitempty"`
}

// reliance is a Reliance in canonical form.
type reliance struct {
	RequirementID string   `json:"requirement_id"`
	FindingIDs    []string `json:"finding_ids"`
	ExhibitIDs    []string `json:"exhibit_ids"`
}

func reliances(rs []Reliance) []reliance {
	if len(rs) == 0 {
		return nil
	}
	out := make([]reliance, len(rs))
	for i, r := range rs {
		out[i] = reliance{RequirementID: r.RequirementID, FindingIDs: list(r.FindingIDs), ExhibitIDs: list(r.ExhibitIDs)}
	}
	return out
}

// ParticularsOf returns n's particulars; times are UTC to the microsecond
// (what both engines store) and absent lists are empty, so a notice read
// back from either database gives the same bytes as when it was issued.
func ParticularsOf(n Notice) Particulars {
	return Particulars{Reference: n.Reference, Type: n.Type, AuthorityID: n.AuthorityID, CaseID: n.CaseID,
		OperatorID: n.OperatorID, ProductIDs: list(n.ProductIDs), RequirementIDs: list(n.RequirementIDs),
		EvidenceIDs: list(n.EvidenceIDs), Steps: list(n.Steps), Reasons: n.Reasons, Deadline: stamp(n.Deadline),
		Penalty: n.Penalty, AuthorID: n.AuthorID, SubmittedAt: stamp(n.SubmittedAt), Contributors: contributors(n.Contributors),
		ApproverID: n.ApproverID,
		ApprovedAt: stamp(n.ApprovedAt), IssuerID: n.IssuerID, IssuedAt: stamp(n.IssuedAt), ExhibitID: n.ExhibitID,
		SHA256: n.SHA256, Verification: n.Verification, Recipient: recipient(n.Recipient),
		ProposedType: n.ProposedType, IntentID: n.IntentID, Urgency: n.Urgency, UrgencyApprovedBy: n.UrgencyApprovedBy,
		RepresentationsResponse: n.RepresentationsResponse, Hosts: n.Hosts, Reliance: reliances(n.Reliance)}
}

// Hash is the SHA-256 (hex) of the particulars' canonical JSON.
func (p Particulars) Hash() string {
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// FieldHashes returns a short hash of each particular by its JSON name, so
// a mismatch can name the field without the audit log holding the content.
func (p Particulars) FieldHashes() map[string]string {
	b, _ := json.Marshal(p)
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(b, &fields)
	out := make(map[string]string, len(fields))
	for name, raw := range fields {
		sum := sha256.Sum256(raw)
		out[name] = hex.EncodeToString(sum[:8])
	}
	return out
}

// contributor is a Contributor in canonical form.
type contributor struct {
	UserID string            `json:"user_id"`
	Roles  []ContributorRole `json:"roles"`
}

func contributors(cs []Contributor) []contributor {
	out := make([]contributor, len(cs))
	for i, c := range cs {
		out[i] = contributor(c)
		if out[i].Roles == nil {
			out[i].Roles = []ContributorRole{}
		}
	}
	return out
}

func list(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z")
}

// recipient is r in canonical form: no trading names reads back as an empty
// list from either engine.
func recipient(r *Recipient) *Recipient {
	if r == nil {
		return nil
	}
	c := *r
	c.TradingNames = list(c.TradingNames)
	return &c
}
