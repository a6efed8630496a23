package bunstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
)

// Cases stores cases and everything hanging off them.
type Cases struct{ *Store }

var _ cases.Store = Cases{}

type caseRow struct {
	bun.BaseModel `bun:"table:cases"`

	ID               string     `bun:"id,pk"`
	AuthorityID      string     `bun:"authority_id"`
	AuthorityCode    string     `bun:"authority_code,scanonly"`
	Reference        string     `bun:"reference"`
	Title            string     `bun:"title"`
	Summary          string     `bun:"summary"`
	ComplainantName  string     `bun:"complainant_name"`
	ComplainantEmail string     `bun:"complainant_email"`
	ComplainantPhone string     `bun:"complainant_phone"`
	ComplainantAddr  string     `bun:"complainant_address"`
	Origin           string     `bun:"origin"`
	Status           string     `bun:"status"`
	Risk             string     `bun:"risk_level"`
	AssigneeID       *string    `bun:"assignee_id"`
	CreatedBy        string     `bun:"created_by"`
	CreatedAt        time.Time  `bun:"created_at"`
	UpdatedAt        time.Time  `bun:"updated_at"`
	ClosedAt         *time.Time `bun:"closed_at"`
	ClosureReason    string     `bun:"closure_reason"`
	ClosureNote      string     `bun:"closure_note"`
	ClosureRequest   *string    `bun:"closure_request"`
	ScopeConnectable *bool      `bun:"scope_connectable"`
	ScopeUKConsumer  *bool      `bun:"scope_uk_consumer"`
	ScopeUsed        *bool      `bun:"scope_used"`
	ScopeExcepted    *bool      `bun:"scope_excepted"`
	ScopeExceptedCat string     `bun:"scope_excepted_cat"`
	ScopeNotes       string     `bun:"scope_notes"`
	Version          int        `bun:"version"`
}

type closureRequestJSON struct {
	Reason      string    `json:"reason"`
	Note        string    `json:"note"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
}

func toCaseRow(c cases.Case) caseRow {
	r := caseRow{ID: c.ID, AuthorityID: c.AuthorityID, Reference: c.Reference, Title: c.Title, Summary: c.Summary,
		ComplainantName: c.Complainant.Name, ComplainantEmail: c.Complainant.Email, ComplainantPhone: c.Complainant.Phone,
		ComplainantAddr: c.Complainant.Address, Origin: string(c.Origin), Status: string(c.Status), Risk: string(c.Risk), CreatedBy: c.CreatedBy,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ClosedAt: c.ClosedAt, ClosureReason: string(c.ClosureReason),
		ClosureNote: c.ClosureNote, ScopeConnectable: c.Scope.Connectable, ScopeUKConsumer: c.Scope.UKConsumerProduct,
		ScopeUsed: c.Scope.UsedOrSecondHand, ScopeExcepted: c.Scope.Excepted, ScopeExceptedCat: c.Scope.ExceptedCategory,
		ScopeNotes: c.Scope.Notes, Version: c.Version}
	if c.AssigneeID != "" {
		a := c.AssigneeID
		r.AssigneeID = &a
	}
	if c.ClosureReq != nil {
		b, _ := json.Marshal(closureRequestJSON{Reason: string(c.ClosureReq.Reason), Note: c.ClosureReq.Note,
			RequestedBy: c.ClosureReq.RequestedBy, RequestedAt: c.ClosureReq.RequestedAt})
		s := string(b)
		r.ClosureRequest = &s
	}
	return r
}

func (r caseRow) toCore() cases.Case {
	c := cases.Case{ID: r.ID, AuthorityID: r.AuthorityID, AuthorityCode: r.AuthorityCode, Reference: r.Reference,
		Title: r.Title, Summary: r.Summary, Origin: cases.Origin(r.Origin),
		Complainant: cases.Complainant{Name: r.ComplainantName, Email: r.ComplainantEmail, Phone: r.ComplainantPhone,
			Address: r.ComplainantAddr}, Status: cases.Status(r.Status),
		Risk: cases.Risk(r.Risk), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		ClosedAt: utcPtr(r.ClosedAt), ClosureReason: cases.ClosureReason(r.ClosureReason), ClosureNote: r.ClosureNote,
		Scope: cases.Scope{Connectable: r.ScopeConnectable, UKConsumerProduct: r.ScopeUKConsumer, UsedOrSecondHand: r.ScopeUsed,
			Excepted: r.ScopeExcepted, ExceptedCategory: r.ScopeExceptedCat, Notes: r.ScopeNotes},
		Version: r.Version}
	if r.AssigneeID != nil {
		c.AssigneeID = *r.AssigneeID
	}
	if r.ClosureRequest != nil {
		var cr closureRequestJSON
		if json.Unmarshal([]byte(*r.ClosureRequest), &cr) == nil {
			c.ClosureReq = &cases.ClosureRequest{Reason: cases.ClosureReason(cr.Reason), Note: cr.Note,
				RequestedBy: cr.RequestedBy, RequestedAt: cr.RequestedAt.UTC()}
		}
	}
	return c
}

type caseProductRow struct {
	bun.BaseModel `bun:"table:case_products"`

	CaseID    string `bun:"case_id,pk"`
	ProductID string `bun:"product_id,pk"`
	Position  int    `bun:"position"`
}

type shareRow struct {
	bun.BaseModel `bun:"table:case_shares"`

	CaseID        string     `bun:"case_id,pk"`
	AuthorityID   string     `bun:"authority_id,pk"`
	AuthorityCode string     `bun:"authority_code,scanonly"`
	Status        string     `bun:"status"`
	AccessLevel   string     `bun:"access_level"`
	Reason        string     `bun:"reason"`
	ReferredBy    string     `bun:"referred_by"`
	ReferredAt    time.Time  `bun:"referred_at"`
	AcceptedBy    string     `bun:"accepted_by"`
	AcceptedAt    *time.Time `bun:"accepted_at"`
	EndedBy       string     `bun:"ended_by"`
	EndedAt       *time.Time `bun:"ended_at"`
	EndReason     string     `bun:"end_reason"`
}

// NextReference allocates the next case number for an authority and year.
func (s Cases) NextReference(ctx context.Context, authorityID string, year int) (int64, error) {
	return s.NextValue(ctx, "case/"+authorityID+"/"+strconv.Itoa(year))
}

// CreateCase inserts a case and its product links.
func (s Cases) CreateCase(ctx context.Context, c cases.Case) error {
	row := toCaseRow(c)
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return conflict("case reference %s is already taken", c.Reference)
		}
		return fmt.Errorf("insert case: %w", err)
	}
	return s.writeProducts(ctx, c.ID, c.ProductIDs)
}

func (s Cases) writeProducts(ctx context.Context, caseID string, productIDs []string) error {
	if _, err := s.idb(ctx).NewDelete().Table("case_products").Where("case_id = ?", caseID).Exec(ctx); err != nil {
		return fmt.Errorf("clear case products: %w", err)
	}
	if len(productIDs) == 0 {
		return nil
	}
	rows := make([]caseProductRow, len(productIDs))
	for i, p := range productIDs {
		rows[i] = caseProductRow{CaseID: caseID, ProductID: p, Position: i}
	}
	if _, err := s.idb(ctx).NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert case products: %w", err)
	}
	return nil
}

func (s Cases) selectCases(ctx context.Context, rows *[]caseRow) *bun.SelectQuery {
	return s.idb(ctx).NewSelect().Model(rows).ModelTableExpr("cases AS c").ColumnExpr("c.*").
		ColumnExpr("a.code AS authority_code").Join("JOIN authorities AS a ON a.id = c.authority_id")
}

// CaseIDByReference resolves a case reference.
func (s Cases) CaseIDByReference(ctx context.Context, reference string) (string, error) {
	var id string
	if err := s.idb(ctx).NewSelect().Table("cases").Column("id").Where("reference = ?", reference).Scan(ctx, &id); err != nil {
		return "", notFound(err, cases.ErrNotFound)
	}
	return id, nil
}

// GetCase loads a case with product ids and referrals.
func (s Cases) GetCase(ctx context.Context, id string, forUpdate bool) (cases.Case, error) {
	if forUpdate && s.db.Engine == database.Postgres {
		// Lock the row first: FOR UPDATE cannot apply to the joined query's nullable side.
		var v int
		if err := s.idb(ctx).NewSelect().Table("cases").Column("version").Where("id = ?", id).For("UPDATE").Scan(ctx, &v); err != nil {
			return cases.Case{}, notFound(err, cases.ErrNotFound)
		}
	}
	var rows []caseRow
	if err := s.selectCases(ctx, &rows).Where("c.id = ?", id).Scan(ctx); err != nil {
		return cases.Case{}, fmt.Errorf("load case: %w", err)
	}
	if len(rows) == 0 {
		return cases.Case{}, cases.ErrNotFound
	}
	out, err := s.hydrate(ctx, rows)
	if err != nil {
		return cases.Case{}, err
	}
	return out[0], nil
}

// hydrate loads product links and referrals for the rows.
func (s Cases) hydrate(ctx context.Context, rows []caseRow) ([]cases.Case, error) {
	out := make([]cases.Case, len(rows))
	idx := make(map[string]int, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
		out[i].ProductIDs = []string{}
		idx[r.ID], ids[i] = i, r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var links []caseProductRow
	if err := s.idb(ctx).NewSelect().Model(&links).Where("case_id IN (?)", bun.List(ids)).OrderExpr("case_id, position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load case products: %w", err)
	}
	for _, l := range links {
		c := &out[idx[l.CaseID]]
		c.ProductIDs = append(c.ProductIDs, l.ProductID)
	}
	var shares []shareRow
	if err := s.idb(ctx).NewSelect().Model(&shares).ModelTableExpr("case_shares AS s").ColumnExpr("s.*").
		ColumnExpr("a.code AS authority_code").Join("JOIN authorities AS a ON a.id = s.authority_id").
		Where("s.case_id IN (?)", bun.List(ids)).OrderExpr("s.referred_at").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load case shares: %w", err)
	}
	for _, sh := range shares {
		c := &out[idx[sh.CaseID]]
		c.Shares = append(c.Shares, cases.Share{AuthorityID: sh.AuthorityID, AuthorityCode: sh.AuthorityCode,
			Status: cases.ShareStatus(sh.Status), Level: cases.AccessLevel(sh.AccessLevel), Reason: sh.Reason,
			ReferredBy: sh.ReferredBy, ReferredAt: sh.ReferredAt.UTC(), AcceptedBy: sh.AcceptedBy, AcceptedAt: utcPtr(sh.AcceptedAt),
			EndedBy: sh.EndedBy, EndedAt: utcPtr(sh.EndedAt), EndReason: sh.EndReason})
	}
	return out, nil
}

// UpdateCase rewrites the case row and its product links.
func (s Cases) UpdateCase(ctx context.Context, c cases.Case) error {
	row := toCaseRow(c)
	if _, err := s.idb(ctx).NewUpdate().Model(&row).WherePK().
		ExcludeColumn("authority_id", "reference", "created_by", "created_at").Exec(ctx); err != nil {
		return fmt.Errorf("update case: %w", err)
	}
	return s.writeProducts(ctx, c.ID, c.ProductIDs)
}

// ListCases returns the cases visible to an authority, newest first.
func (s Cases) ListCases(ctx context.Context, f cases.ListFilter) ([]cases.Case, error) {
	var rows []caseRow
	q := s.selectCases(ctx, &rows).OrderExpr("c.id DESC").Limit(int64(f.Limit))
	shared := "SELECT case_id FROM case_shares WHERE authority_id = ? AND status = 'accepted'"
	if f.IncludePending {
		shared = "SELECT case_id FROM case_shares WHERE authority_id = ? AND status IN ('pending', 'accepted')"
	}
	q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("c.authority_id = ?", f.AuthorityID).WhereOr("c.id IN ("+shared+")", f.AuthorityID)
	})
	if f.Before != "" {
		q = q.Where("c.id < ?", f.Before)
	}
	if f.Status != "" {
		q = q.Where("c.status = ?", string(f.Status))
	}
	if f.AssigneeID != "" {
		q = q.Where("c.assignee_id = ?", f.AssigneeID)
	}
	if f.Origin != "" {
		q = q.Where("c.origin = ?", string(f.Origin))
	}
	if f.ProductID != "" {
		q = q.Where("c.id IN (SELECT case_id FROM case_products WHERE product_id = ?)", f.ProductID)
	}
	if f.OperatorID != "" {
		q = q.Where("c.id IN (SELECT case_id FROM case_parties WHERE operator_id = ?)", f.OperatorID)
		// A pending referral does not say which sole trader is a party (R4):
		// filtering by one must not confirm it either.
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("c.authority_id = ?", f.AuthorityID).
				WhereOr("c.id IN (SELECT case_id FROM case_shares WHERE authority_id = ? AND status = 'accepted')", f.AuthorityID).
				WhereOr("NOT EXISTS (SELECT 1 FROM operators o WHERE o.id = ? AND o.sole_trader)", f.OperatorID)
		})
	}
	if f.Q != "" {
		// Another authority's cases match on their reference only: their
		// title and summary may name the complainant, whom the caller sees
		// redacted, and a text filter must not confirm a guess.
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.WhereGroup(" OR ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("c.authority_id = ?", f.AuthorityID).WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
					return q.Where("LOWER(c.title) LIKE ? ESCAPE '\\'", like).WhereOr("LOWER(c.summary) LIKE ? ESCAPE '\\'", like)
				})
			}).WhereOr("LOWER(c.reference) LIKE ? ESCAPE '\\'", like)
		})
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return s.hydrate(ctx, rows)
}

type partyRow struct {
	bun.BaseModel `bun:"table:case_parties"`

	ID         string    `bun:"id,pk"`
	CaseID     string    `bun:"case_id"`
	OperatorID string    `bun:"operator_id"`
	Role       string    `bun:"role"`
	ProductID  string    `bun:"product_id"`
	AddedBy    string    `bun:"added_by"`
	AddedAt    time.Time `bun:"added_at"`
}

// AddParty inserts a party link.
func (s Cases) AddParty(ctx context.Context, p cases.Party) error {
	row := partyRow{ID: p.ID, CaseID: p.CaseID, OperatorID: p.OperatorID, Role: string(p.Role), ProductID: p.ProductID,
		AddedBy: p.AddedBy, AddedAt: p.AddedAt}
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return conflict("that operator is already a %s on this case for that product", p.Role)
		}
		return fmt.Errorf("insert party: %w", err)
	}
	return nil
}

// Parties lists a case's parties in the order added.
func (s Cases) Parties(ctx context.Context, caseID string) ([]cases.Party, error) {
	var rows []partyRow
	if err := s.idb(ctx).NewSelect().Model(&rows).Where("case_id = ?", caseID).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list parties: %w", err)
	}
	names, err := s.operatorNames(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := make([]cases.Party, len(rows))
	for i, r := range rows {
		out[i] = cases.Party{ID: r.ID, CaseID: r.CaseID, OperatorID: r.OperatorID, OperatorName: names[r.OperatorID],
			Role: cases.PartyRole(r.Role), ProductID: r.ProductID, AddedBy: r.AddedBy, AddedAt: r.AddedAt.UTC()}
	}
	return out, nil
}

// operatorNames maps the operators of the party rows to their names, in
// one query.
func (s Cases) operatorNames(ctx context.Context, rows []partyRow) (map[string]string, error) {
	out := map[string]string{}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.OperatorID
	}
	var ops []struct {
		ID   string `bun:"id"`
		Name string `bun:"name"`
	}
	if err := s.idb(ctx).NewSelect().Table("operators").Column("id", "name").Where("id IN (?)", bun.List(ids)).
		Scan(ctx, &ops); err != nil {
		return nil, fmt.Errorf("name the parties' operators: %w", err)
	}
	for _, o := range ops {
		out[o.ID] = o.Name
	}
	return out, nil
}

type noteRow struct {
	bun.BaseModel `bun:"table:case_notes"`

	ID          string    `bun:"id,pk"`
	CaseID      string    `bun:"case_id"`
	AuthorityID *string   `bun:"authority_id"`
	AuthorID    string    `bun:"author_id"`
	Author      string    `bun:"author"`
	Body        string    `bun:"body"`
	Shareable   bool      `bun:"shareable"`
	CreatedAt   time.Time `bun:"created_at"`
}

// AddNote inserts a note.
func (s Cases) AddNote(ctx context.Context, n cases.Note) error {
	row := noteRow{ID: n.ID, CaseID: n.CaseID, AuthorID: n.AuthorID, Author: n.Author, Body: n.Body,
		Shareable: n.Shareable, CreatedAt: n.CreatedAt}
	if n.AuthorityID != "" {
		row.AuthorityID = &n.AuthorityID
	}
	if _, err := s.idb(ctx).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert note: %w", err)
	}
	return nil
}

// Notes lists a case's notes oldest first.
func (s Cases) Notes(ctx context.Context, caseID string) ([]cases.Note, error) {
	var rows []noteRow
	if err := s.idb(ctx).NewSelect().Model(&rows).Where("case_id = ?", caseID).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list notes: %w", err)
	}
	out := make([]cases.Note, len(rows))
	for i, r := range rows {
		out[i] = cases.Note{ID: r.ID, CaseID: r.CaseID, AuthorID: r.AuthorID, Author: r.Author, Body: r.Body,
			Shareable: r.Shareable, CreatedAt: r.CreatedAt.UTC()}
		if r.AuthorityID != nil {
			out[i].AuthorityID = *r.AuthorityID
		}
	}
	return out, nil
}

type assessmentRow struct {
	bun.BaseModel `bun:"table:case_assessments"`

	CaseID        string    `bun:"case_id,pk"`
	RequirementID string    `bun:"requirement_id,pk"`
	Verdict       string    `bun:"verdict"`
	Rationale     string    `bun:"rationale"`
	Reason        string    `bun:"reason"`
	EvidenceIDs   string    `bun:"evidence_ids"`
	FindingIDs    string    `bun:"finding_ids"`
	UpdatedBy     string    `bun:"updated_by"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

// PutAssessment inserts or replaces a verdict.
func (s Cases) PutAssessment(ctx context.Context, a cases.Assessment) error {
	row := assessmentRow{CaseID: a.CaseID, RequirementID: a.RequirementID, Verdict: string(a.Verdict), Rationale: a.Rationale,
		Reason: a.Reason, EvidenceIDs: jsonList(a.EvidenceIDs), FindingIDs: jsonList(a.FindingIDs), UpdatedBy: a.UpdatedBy,
		UpdatedAt: a.UpdatedAt}
	_, err := s.idb(ctx).NewInsert().Model(&row).
		On("CONFLICT (case_id, requirement_id) DO UPDATE").
		Set("verdict = EXCLUDED.verdict, rationale = EXCLUDED.rationale, reason = EXCLUDED.reason").
		Set("evidence_ids = EXCLUDED.evidence_ids, finding_ids = EXCLUDED.finding_ids").
		Set("updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("put assessment: %w", err)
	}
	return nil
}

// Assessments lists the stored verdicts of a case.
func (s Cases) Assessments(ctx context.Context, caseID string) ([]cases.Assessment, error) {
	var rows []assessmentRow
	if err := s.idb(ctx).NewSelect().Model(&rows).Where("case_id = ?", caseID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("list assessments: %w", err)
	}
	out := make([]cases.Assessment, len(rows))
	for i, r := range rows {
		out[i] = cases.Assessment{CaseID: r.CaseID, RequirementID: r.RequirementID, Verdict: cases.Verdict(r.Verdict),
			Rationale: r.Rationale, Reason: r.Reason, EvidenceIDs: parseList(r.EvidenceIDs), FindingIDs: parseList(r.FindingIDs),
			UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt.UTC()}
	}
	return out, nil
}

// PutShare inserts or updates a referral.
func (s Cases) PutShare(ctx context.Context, caseID string, sh cases.Share) error {
	row := shareRow{CaseID: caseID, AuthorityID: sh.AuthorityID, Status: string(sh.Status), AccessLevel: string(sh.Level),
		Reason: sh.Reason, ReferredBy: sh.ReferredBy, ReferredAt: sh.ReferredAt, AcceptedBy: sh.AcceptedBy, AcceptedAt: sh.AcceptedAt,
		EndedBy: sh.EndedBy, EndedAt: sh.EndedAt, EndReason: sh.EndReason}
	// A referral made again after a decline or revocation replaces the old
	// one; the audit log keeps the history.
	_, err := s.idb(ctx).NewInsert().Model(&row).On("CONFLICT (case_id, authority_id) DO UPDATE").
		Set("status = EXCLUDED.status, access_level = EXCLUDED.access_level, reason = EXCLUDED.reason").
		Set("referred_by = EXCLUDED.referred_by, referred_at = EXCLUDED.referred_at").
		Set("accepted_by = EXCLUDED.accepted_by, accepted_at = EXCLUDED.accepted_at").
		Set("ended_by = EXCLUDED.ended_by, ended_at = EXCLUDED.ended_at, end_reason = EXCLUDED.end_reason").Exec(ctx)
	if err != nil {
		return fmt.Errorf("put share: %w", err)
	}
	return nil
}
