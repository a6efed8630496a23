package console

import "time"

// The API's answers as the console reads them (only the fields it shows).

type listOf[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

type caseRec struct {
	ID                 string    `json:"id"`
	Reference          string    `json:"reference"`
	Authority          string    `json:"authority"`
	Title              string    `json:"title"`
	Summary            string    `json:"summary"`
	Origin             string    `json:"origin"`
	Status             string    `json:"status"`
	AllowedTransitions []string  `json:"allowed_transitions"`
	RiskLevel          string    `json:"risk_level"`
	AssigneeID         string    `json:"assignee_id"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
	ClosureReason      string    `json:"closure_reason"`
	ClosureRequest     *struct {
		Reason      string    `json:"reason"`
		Note        string    `json:"note"`
		RequestedAt time.Time `json:"requested_at"`
	} `json:"closure_request"`
	Scope struct {
		Connectable       *bool `json:"connectable"`
		UKConsumerProduct *bool `json:"uk_consumer_product"`
		UsedOrSecondHand  *bool `json:"used_or_second_hand"`
		Excepted          *bool `json:"excepted"`
		InScope           bool  `json:"in_scope"`
		OutOfScope        bool  `json:"out_of_scope"`
	} `json:"scope"`
	ProductIDs        []string       `json:"product_ids"`
	Referrals         []referral     `json:"referrals"`
	Access            string         `json:"access"`
	AccessLevel       string         `json:"access_level"`
	AssessmentSummary map[string]int `json:"assessment_summary"`
	Version           int            `json:"version"`
}

type person struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

type party struct {
	ID            string    `json:"id"`
	OperatorID    string    `json:"operator_id"`
	Role          string    `json:"role"`
	ProductID     string    `json:"product_id"`
	AddedAt       time.Time `json:"added_at"`
	OperatorLabel string    `json:"operator_label"`
	Name          string    `json:"-"`
}

type operator struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	SoleTrader bool   `json:"sole_trader"`
}

type assessmentRow struct {
	RequirementID    string   `json:"requirement_id"`
	RequirementTitle string   `json:"requirement_title"`
	Kind             string   `json:"kind"`
	Verdict          string   `json:"verdict"`
	Rationale        string   `json:"rationale"`
	EvidenceIDs      []string `json:"evidence_ids"`
	FindingIDs       []string `json:"finding_ids"`
	Findings         []struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Severity string `json:"severity"`
	} `json:"findings"`
	FindingsCount int `json:"findings_count"`
}

type assessment struct {
	Items  []assessmentRow `json:"items"`
	Counts map[string]int  `json:"counts"`
}

type exhibit struct {
	ID            string    `json:"id"`
	CaseID        string    `json:"case_id"`
	ExhibitRef    string    `json:"exhibit_ref"`
	SHA256        string    `json:"sha256"`
	Size          int64     `json:"size"`
	MediaType     string    `json:"media_type"`
	Format        string    `json:"format"`
	Filename      string    `json:"filename"`
	Description   string    `json:"description"`
	PowerUsed     string    `json:"power_used"`
	CollectedAt   time.Time `json:"collected_at"`
	CollectedBy   string    `json:"collected_by"`
	UploadedAt    time.Time `json:"uploaded_at"`
	FindingsCount int       `json:"findings_count"`
	Generated     bool      `json:"generated"`
}

type finding struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	Severity       string   `json:"severity"`
	Status         string   `json:"status"`
	Host           string   `json:"host"`
	Port           int      `json:"port"`
	Protocol       string   `json:"protocol"`
	Service        string   `json:"service"`
	Tool           string   `json:"tool"`
	CVEs           []string `json:"cves"`
	RequirementIDs []string `json:"requirement_ids"`
	RuleIDs        []string `json:"rule_ids"`
}

type notice struct {
	ID               string     `json:"id"`
	CaseID           string     `json:"case_id"`
	Type             string     `json:"type"`
	Title            string     `json:"title"`
	Status           string     `json:"status"`
	Reference        string     `json:"reference"`
	OperatorID       string     `json:"operator_id"`
	RequirementIDs   []string   `json:"requirement_ids"`
	EvidenceIDs      []string   `json:"evidence_ids"`
	Steps            []string   `json:"steps"`
	Reasons          string     `json:"reasons"`
	ComplyBy         string     `json:"comply_by"`
	DeadlineLabel    string     `json:"deadline_label"`
	AppealBy         string     `json:"appeal_by"`
	Overdue          bool       `json:"overdue"`
	AuthorID         string     `json:"author_id"`
	SubmittedAt      *time.Time `json:"submitted_at"`
	ApproverID       string     `json:"approver_id"`
	ApprovedAt       *time.Time `json:"approved_at"`
	RejectReason     string     `json:"reject_reason"`
	IssuedAt         *time.Time `json:"issued_at"`
	VerificationCode string     `json:"verification_code"`
	ServedAt         *time.Time `json:"served_at"`
	ServeMethod      string     `json:"serve_method"`
	NextOutcomes     []string   `json:"next_outcomes"`
	CreatedAt        time.Time  `json:"created_at"`
	Version          int        `json:"version"`
}

type timelineEntry struct {
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	ActorID   string    `json:"actor_id"`
	Authority string    `json:"authority"`
	Action    string    `json:"action"`
}

type referral struct {
	Authority   string     `json:"authority"`
	Status      string     `json:"status"`
	AccessLevel string     `json:"access_level"`
	Reason      string     `json:"reason"`
	ReferredAt  time.Time  `json:"referred_at"`
	AcceptedAt  *time.Time `json:"accepted_at"`
	EndReason   string     `json:"end_reason"`
}
