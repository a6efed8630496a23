package bunstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
)

// Evidence stores exhibits, custody and findings.
type Evidence struct{ *Store }

var _ evidence.Store = Evidence{}

type exhibitRow struct {
	bun.BaseModel `bun:"table:exhibits"`

	ID             string     `bun:"id,pk"`
	CaseID         string     `bun:"case_id"`
	Seq            int        `bun:"seq"`
	Ref            string     `bun:"ref"`
	SHA256         string     `bun:"sha256"`
	Size           int64      `bun:"size"`
	MediaType      string     `bun:"media_type"`
	DeclaredType   string     `bun:"declared_type"`
	Format         string     `bun:"format"`
	Filename       string     `bun:"filename"`
	Description    string     `bun:"description"`
	Kind           string     `bun:"kind"`
	PowerUsed      string     `bun:"power_used"`
	CollectedAt    time.Time  `bun:"collected_at"`
	CollectedBy    string     `bun:"collected_by"`
	SupersedesID   string     `bun:"supersedes_id"`
	SupersededBy   string     `bun:"superseded_by"`
	UploadedBy     string     `bun:"uploaded_by"`
	UploadedAt     time.Time  `bun:"uploaded_at"`
	ParseWarning   string     `bun:"parse_warning"`
	FindingsCount  int        `bun:"findings_count"`
	Generated      bool       `bun:"generated"`
	LastVerifiedAt *time.Time `bun:"last_verified_at"`
	LastVerifyOK   *bool      `bun:"last_verify_ok"`
}

func toExhibitRow(e evidence.Exhibit) exhibitRow {
	return exhibitRow{ID: e.ID, CaseID: e.CaseID, Seq: e.Seq, Ref: e.Ref, SHA256: e.SHA256, Size: e.Size, MediaType: e.MediaType,
		DeclaredType: e.DeclaredType, Format: e.Format, Filename: e.Filename, Description: e.Description, Kind: e.Kind,
		PowerUsed: e.PowerUsed, CollectedAt: e.CollectedAt, CollectedBy: e.CollectedBy, SupersedesID: e.SupersedesID,
		SupersededBy: e.SupersededBy, UploadedBy: e.UploadedBy, UploadedAt: e.UploadedAt, ParseWarning: e.ParseWarning,
		FindingsCount: e.FindingsCount, Generated: e.Generated, LastVerifiedAt: e.LastVerifiedAt, LastVerifyOK: e.LastVerifyOK}
}

func (r exhibitRow) toCore() evidence.Exhibit {
	return evidence.Exhibit{ID: r.ID, CaseID: r.CaseID, Seq: r.Seq, Ref: r.Ref, SHA256: r.SHA256, Size: r.Size, MediaType: r.MediaType,
		DeclaredType: r.DeclaredType, Format: r.Format, Filename: r.Filename, Description: r.Description, Kind: r.Kind,
		PowerUsed: r.PowerUsed, CollectedAt: r.CollectedAt.UTC(), CollectedBy: r.CollectedBy, SupersedesID: r.SupersedesID,
		SupersededBy: r.SupersededBy, UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt.UTC(), ParseWarning: r.ParseWarning,
		FindingsCount: r.FindingsCount, Generated: r.Generated, LastVerifiedAt: utcPtr(r.LastVerifiedAt), LastVerifyOK: r.LastVerifyOK}
}

// NextExhibitSeq allocates the case's next exhibit number.
func (s Evidence) NextExhibitSeq(ctx context.Context, caseID string) (int, error) {
	v, err := s.NextValue(ctx, "exhibit/"+caseID)
	return int(v), err
}

// NextCustodySeq allocates an exhibit's next custody number.
func (s Evidence) NextCustodySeq(ctx context.Context, exhibitID string) (int, error) {
	v, err := s.NextValue(ctx, "custody/"+exhibitID)
	return int(v), err
}

// CreateExhibit inserts an exhibit.
func (s Evidence) CreateExhibit(ctx context.Context, e evidence.Exhibit) error {
	row := toExhibitRow(e)
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert exhibit: %w", err)
	}
	return nil
}

// GetExhibit loads one exhibit.
func (s Evidence) GetExhibit(ctx context.Context, id string) (evidence.Exhibit, error) {
	var row exhibitRow
	if err := s.idb(ctx).NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return evidence.Exhibit{}, notFound(err, evidence.ErrNotFound)
	}
	return row.toCore(), nil
}

// UpdateExhibit writes the mutable bookkeeping of an exhibit; its content
// fields never change.
func (s Evidence) UpdateExhibit(ctx context.Context, e evidence.Exhibit) error {
	_, err := s.idb(ctx).NewUpdate().Table("exhibits").Set("superseded_by = ?", e.SupersededBy).
		Set("last_verified_at = ?", e.LastVerifiedAt).Set("last_verify_ok = ?", e.LastVerifyOK).
		Set("findings_count = ?", e.FindingsCount).Where("id = ?", e.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update exhibit: %w", err)
	}
	return nil
}

// ListExhibits returns a case's exhibits in order.
func (s Evidence) ListExhibits(ctx context.Context, caseID string) ([]evidence.Exhibit, error) {
	var rows []exhibitRow
	if err := s.idb(ctx).NewSelect().Model(&rows).Where("case_id = ?", caseID).OrderExpr("seq").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list exhibits: %w", err)
	}
	out := make([]evidence.Exhibit, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

// AllExhibits streams every exhibit in pages.
func (s Evidence) AllExhibits(ctx context.Context, fn func(evidence.Exhibit) error) error {
	after := ""
	for {
		var rows []exhibitRow
		if err := s.idb(ctx).NewSelect().Model(&rows).Where("id > ?", after).OrderExpr("id").Limit(1000).Scan(ctx); err != nil {
			return fmt.Errorf("scan exhibits: %w", err)
		}
		for _, r := range rows {
			if err := fn(r.toCore()); err != nil {
				return err
			}
		}
		if len(rows) < 1000 {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// BlobReferenced reports whether any exhibit keeps the blob.
func (s Evidence) BlobReferenced(ctx context.Context, sha string) (bool, error) {
	n, err := s.idb(ctx).NewSelect().Table("exhibits").Where("sha256 = ?", sha).Limit(1).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("check blob reference: %w", err)
	}
	return n > 0, nil
}

type custodyRow struct {
	bun.BaseModel `bun:"table:custody"`

	ID        string    `bun:"id,pk"`
	ExhibitID string    `bun:"exhibit_id"`
	Seq       int       `bun:"seq"`
	Action    string    `bun:"action"`
	At        time.Time `bun:"at"`
	ActorID   string    `bun:"actor_id"`
	Actor     string    `bun:"actor"`
	SHA256    string    `bun:"sha256"`
	From      string    `bun:"from_party"`
	To        string    `bun:"to_party"`
	Location  string    `bun:"location"`
	Note      string    `bun:"note"`
}

// AppendCustody inserts a custody entry.
func (s Evidence) AppendCustody(ctx context.Context, c evidence.CustodyEntry) error {
	row := custodyRow{ID: c.ID, ExhibitID: c.ExhibitID, Seq: c.Seq, Action: string(c.Action), At: c.At, ActorID: c.ActorID,
		Actor: c.Actor, SHA256: c.SHA256, From: c.From, To: c.To, Location: c.Location, Note: c.Note}
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert custody entry: %w", err)
	}
	return nil
}

// Custody lists an exhibit's custody in order.
func (s Evidence) Custody(ctx context.Context, exhibitID string) ([]evidence.CustodyEntry, error) {
	var rows []custodyRow
	if err := s.idb(ctx).NewSelect().Model(&rows).Where("exhibit_id = ?", exhibitID).OrderExpr("seq").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list custody: %w", err)
	}
	out := make([]evidence.CustodyEntry, len(rows))
	for i, r := range rows {
		out[i] = evidence.CustodyEntry{ID: r.ID, ExhibitID: r.ExhibitID, Seq: r.Seq, Action: evidence.CustodyAction(r.Action),
			At: r.At.UTC(), ActorID: r.ActorID, Actor: r.Actor, SHA256: r.SHA256, From: r.From, To: r.To, Location: r.Location, Note: r.Note}
	}
	return out, nil
}

type findingRow struct {
	bun.BaseModel `bun:"table:findings"`

	ID              string    `bun:"id,pk"`
	CaseID          string    `bun:"case_id"`
	Key             string    `bun:"key"`
	Format          string    `bun:"format"`
	Tool            string    `bun:"tool"`
	ToolID          string    `bun:"tool_id"`
	Kind            string    `bun:"kind"`
	Title           string    `bun:"title"`
	Severity        string    `bun:"severity"`
	Host            string    `bun:"host"`
	Hostname        string    `bun:"hostname"`
	Port            int       `bun:"port"`
	Protocol        string    `bun:"protocol"`
	Service         string    `bun:"service"`
	Product         string    `bun:"product"`
	Version         string    `bun:"version"`
	Component       string    `bun:"component"`
	CVEs            string    `bun:"cves"`
	CVSS            float64   `bun:"cvss"`
	Output          string    `bun:"output"`
	Credentials     string    `bun:"credentials"`
	Status          string    `bun:"status"`
	RequirementIDs  string    `bun:"requirement_ids"`
	RuleIDs         string    `bun:"rule_ids"`
	RuleReqIDs      string    `bun:"rule_requirement_ids"`
	NoRequirement   string    `bun:"no_requirement"`
	Decisions       string    `bun:"decisions"`
	Remapped        bool      `bun:"remapped"`
	EvidenceID      string    `bun:"evidence_id"`
	FirstEvidenceID string    `bun:"first_evidence_id"`
	ResolvedBy      string    `bun:"resolved_by"`
	VEXStatus       string    `bun:"vex_status"`
	VEXJustify      string    `bun:"vex_justification"`
	VEXStatement    string    `bun:"vex_statement"`
	VEXEvidenceID   string    `bun:"vex_evidence_id"`
	Note            string    `bun:"note"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

func toFindingRow(f evidence.Finding) findingRow {
	return findingRow{ID: f.ID, CaseID: f.CaseID, Key: f.Key, Format: f.Format, Tool: f.Tool, ToolID: f.ToolID, Kind: f.Kind,
		Title: f.Title, Severity: f.Severity, Host: f.Host, Hostname: f.Hostname, Port: f.Port, Protocol: f.Protocol,
		Service: f.Service, Product: f.Product, Version: f.Version, Component: f.Component, CVEs: jsonList(f.CVEs), CVSS: f.CVSS,
		Output: f.Output, Credentials: credentialsJSON(f.Credentials), Status: string(f.Status), RequirementIDs: jsonList(f.Requirements), RuleIDs: jsonList(f.RuleIDs),
		RuleReqIDs: jsonList(f.RuleRequirements), NoRequirement: f.NoRequirement, Decisions: decisionsJSON(f.Decisions),
		Remapped: f.Remapped, EvidenceID: f.EvidenceID, FirstEvidenceID: f.FirstEvidenceID, ResolvedBy: f.ResolvedBy,
		VEXStatus: f.VEX.Status, VEXJustify: f.VEX.Justification, VEXStatement: f.VEX.Statement, VEXEvidenceID: f.VEX.EvidenceID,
		Note: f.Note, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

func (r findingRow) toCore() evidence.Finding {
	return evidence.Finding{ID: r.ID, CaseID: r.CaseID, Key: r.Key, Format: r.Format, Tool: r.Tool, ToolID: r.ToolID, Kind: r.Kind,
		Title: r.Title, Severity: r.Severity, Host: r.Host, Hostname: r.Hostname, Port: r.Port, Protocol: r.Protocol,
		Service: r.Service, Product: r.Product, Version: r.Version, Component: r.Component, CVEs: parseList(r.CVEs), CVSS: r.CVSS,
		Output: r.Output, Credentials: parseCredentials(r.Credentials), Status: evidence.FindingStatus(r.Status), Requirements: parseList(r.RequirementIDs),
		RuleIDs: parseList(r.RuleIDs), RuleRequirements: parseList(r.RuleReqIDs), NoRequirement: r.NoRequirement,
		Decisions: parseDecisions(r.Decisions), Remapped: r.Remapped, EvidenceID: r.EvidenceID, FirstEvidenceID: r.FirstEvidenceID,
		ResolvedBy: r.ResolvedBy, Note: r.Note, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		VEX: evidence.VEX{Status: r.VEXStatus, Justification: r.VEXJustify, Statement: r.VEXStatement, EvidenceID: r.VEXEvidenceID}}
}

func findingsToCore(rows []findingRow) []evidence.Finding {
	out := make([]evidence.Finding, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out
}

// CaseFindings returns every finding of a case from one format.
func (s Evidence) CaseFindings(ctx context.Context, caseID, format string) ([]evidence.Finding, error) {
	var rows []findingRow
	if err := s.idb(ctx).NewSelect().Model(&rows).Where("case_id = ? AND format = ?", caseID, format).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load case findings: %w", err)
	}
	return findingsToCore(rows), nil
}

// LockCaseFindings takes a transaction-scoped advisory lock on the case's
// findings on PostgreSQL; SQLite runs one write transaction at a time.
func (s Evidence) LockCaseFindings(ctx context.Context, caseID string) error {
	if s.db.Engine != database.Postgres {
		return nil
	}
	if _, err := s.idb(ctx).NewRaw("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "findings/"+caseID).Exec(ctx); err != nil {
		return fmt.Errorf("lock findings of case %s: %w", caseID, err)
	}
	return nil
}

func credentialsJSON(cs []scan.Credential) string {
	if len(cs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(cs)
	return string(b)
}

func parseCredentials(s string) []scan.Credential {
	var out []scan.Credential
	if s == "" || s == "[]" || json.Unmarshal([]byte(s), &out) != nil {
		return nil
	}
	return out
}

// decisionJSON is an officer's decision as the findings.decisions column
// keeps it.
type decisionJSON struct {
	RequirementID string `json:"requirement_id"`
	Action        string `json:"action"`
	Reason        string `json:"reason"`
	By            string `json:"by"`
	At            string `json:"at"`
}

func decisionsJSON(ds []evidence.Decision) string {
	if len(ds) == 0 {
		return "[]"
	}
	rows := make([]decisionJSON, len(ds))
	for i, d := range ds {
		rows[i] = decisionJSON{RequirementID: d.RequirementID, Action: string(d.Action), Reason: d.Reason, By: d.By,
			At: d.At.UTC().Format(time.RFC3339Nano)}
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// parseDecisions reads the column; "at" may also be in the engine's own
// timestamp text (decisions the migration made from earlier re-mappings).
func parseDecisions(s string) []evidence.Decision {
	var rows []decisionJSON
	if s == "" || s == "[]" || json.Unmarshal([]byte(s), &rows) != nil {
		return nil
	}
	out := make([]evidence.Decision, 0, len(rows))
	for _, r := range rows {
		out = append(out, evidence.Decision{RequirementID: r.RequirementID, Action: evidence.DecisionAction(r.Action),
			Reason: r.Reason, By: r.By, At: parseStamp(r.At)})
	}
	return out
}

func parseStamp(v string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05-07"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

type findingReqRow struct {
	bun.BaseModel `bun:"table:finding_requirements"`

	FindingID     string `bun:"finding_id,pk"`
	CaseID        string `bun:"case_id"`
	RequirementID string `bun:"requirement_id,pk"`
}

// chunk is how many rows one bulk statement carries (SQLite caps bound
// variables; both engines are faster with moderate batches).
const chunk = 200

// InsertFindings bulk-inserts new findings with their requirement links.
func (s Evidence) InsertFindings(ctx context.Context, fs []evidence.Finding) error {
	for start := 0; start < len(fs); start += chunk {
		part := fs[start:min(start+chunk, len(fs))]
		rows := make([]findingRow, len(part))
		for i, f := range part {
			rows[i] = toFindingRow(f)
		}
		if _, err := s.idb(ctx).NewInsert().Model(&rows).Exec(ctx); err != nil {
			return fmt.Errorf("insert findings: %w", err)
		}
		if err := s.writeFindingRequirements(ctx, part, false); err != nil {
			return err
		}
	}
	return nil
}

// UpdateFindings rewrites findings and their requirement links.
func (s Evidence) UpdateFindings(ctx context.Context, fs []evidence.Finding) error {
	for start := 0; start < len(fs); start += chunk {
		part := fs[start:min(start+chunk, len(fs))]
		rows := make([]findingRow, len(part))
		for i, f := range part {
			rows[i] = toFindingRow(f)
		}
		if _, err := s.idb(ctx).NewUpdate().Model(&rows).
			Column("title", "severity", "output", "credentials", "cves", "cvss", "service", "product", "version", "status",
				"requirement_ids", "rule_ids", "rule_requirement_ids", "no_requirement", "decisions", "remapped", "evidence_id",
				"resolved_by", "note", "updated_at", "vex_status", "vex_justification", "vex_statement", "vex_evidence_id").
			Bulk().Exec(ctx); err != nil {
			return fmt.Errorf("update findings: %w", err)
		}
		if err := s.writeFindingRequirements(ctx, part, true); err != nil {
			return err
		}
	}
	return nil
}

func (s Evidence) writeFindingRequirements(ctx context.Context, fs []evidence.Finding, replace bool) error {
	if replace {
		ids := make([]string, len(fs))
		for i, f := range fs {
			ids[i] = f.ID
		}
		if _, err := s.idb(ctx).NewDelete().Table("finding_requirements").Where("finding_id IN (?)", bun.List(ids)).Exec(ctx); err != nil {
			return fmt.Errorf("clear finding requirements: %w", err)
		}
	}
	var links []findingReqRow
	for _, f := range fs {
		for _, r := range f.Requirements {
			links = append(links, findingReqRow{FindingID: f.ID, CaseID: f.CaseID, RequirementID: r})
		}
	}
	for start := 0; start < len(links); start += chunk * 2 {
		part := links[start:min(start+chunk*2, len(links))]
		if _, err := s.idb(ctx).NewInsert().Model(&part).Exec(ctx); err != nil {
			return fmt.Errorf("insert finding requirements: %w", err)
		}
	}
	return nil
}

// GetFinding loads one finding.
func (s Evidence) GetFinding(ctx context.Context, id string) (evidence.Finding, error) {
	var row findingRow
	if err := s.idb(ctx).NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return evidence.Finding{}, notFound(err, evidence.ErrNotFound)
	}
	return row.toCore(), nil
}

// ListFindings returns a case's findings in a stable order.
func (s Evidence) ListFindings(ctx context.Context, f evidence.FindingFilter) ([]evidence.Finding, error) {
	var rows []findingRow
	q := s.idb(ctx).NewSelect().Model(&rows).Where("case_id = ?", f.CaseID).OrderExpr("id")
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if f.After != "" {
		q = q.Where("id > ?", f.After)
	}
	if f.Severity != "" {
		q = q.Where("severity = ?", f.Severity)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.EvidenceID != "" {
		q = q.Where("evidence_id = ?", f.EvidenceID)
	}
	if f.Unmapped {
		q = q.Where("id NOT IN (SELECT finding_id FROM finding_requirements WHERE case_id = ?)", f.CaseID)
	}
	if f.RequirementID != "" {
		q = q.Where("id IN (SELECT finding_id FROM finding_requirements WHERE case_id = ? AND requirement_id = ?)", f.CaseID, f.RequirementID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	return findingsToCore(rows), nil
}

// FindingRequirementIDs lists the requirements a case's findings evidence:
// false positives and findings a supplier's VEX says do not affect the
// product evidence nothing.
func (s Evidence) FindingRequirementIDs(ctx context.Context, caseID string) ([]string, error) {
	var ids []string
	err := s.idb(ctx).NewSelect().TableExpr("finding_requirements AS fr").ColumnExpr("DISTINCT fr.requirement_id").
		Join("JOIN findings AS f ON f.id = fr.finding_id").
		Where("fr.case_id = ? AND f.status NOT IN (?)", caseID, bun.List([]string{string(evidence.FalsePositive), string(evidence.NotAffected)})).
		Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("finding requirements: %w", err)
	}
	return ids, nil
}
