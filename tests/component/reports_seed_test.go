package component_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// Row shapes for bulk-seeding report volumes straight into the tables (the
// benchmark measures the aggregate queries, not the write path). Columns
// left out take their schema defaults.

type seedOperator struct {
	bun.BaseModel `bun:"table:operators"`
	ID            string    `bun:"id"`
	Name          string    `bun:"name"`
	Country       string    `bun:"country"`
	SoleTrader    bool      `bun:"sole_trader"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int       `bun:"version"`
}

type seedProduct struct {
	bun.BaseModel `bun:"table:products"`
	ID            string    `bun:"id"`
	Brand         string    `bun:"brand"`
	Model         string    `bun:"model"`
	ModelNorm     string    `bun:"model_norm"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int       `bun:"version"`
}

type seedCase struct {
	bun.BaseModel `bun:"table:cases"`
	ID            string     `bun:"id"`
	AuthorityID   string     `bun:"authority_id"`
	Reference     string     `bun:"reference"`
	Title         string     `bun:"title"`
	Origin        string     `bun:"origin"`
	Status        string     `bun:"status"`
	Risk          string     `bun:"risk_level"`
	CreatedBy     string     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	ClosedAt      *time.Time `bun:"closed_at"`
	ClosureReason string     `bun:"closure_reason"`
	Version       int        `bun:"version"`
}

type seedCaseProduct struct {
	bun.BaseModel `bun:"table:case_products"`
	CaseID        string `bun:"case_id"`
	ProductID     string `bun:"product_id"`
	Position      int    `bun:"position"`
}

type seedParty struct {
	bun.BaseModel `bun:"table:case_parties"`
	ID            string    `bun:"id"`
	CaseID        string    `bun:"case_id"`
	OperatorID    string    `bun:"operator_id"`
	Role          string    `bun:"role"`
	ProductID     string    `bun:"product_id"`
	AddedBy       string    `bun:"added_by"`
	AddedAt       time.Time `bun:"added_at"`
}

type seedAssessment struct {
	bun.BaseModel `bun:"table:case_assessments"`
	CaseID        string    `bun:"case_id"`
	RequirementID string    `bun:"requirement_id"`
	Verdict       string    `bun:"verdict"`
	UpdatedBy     string    `bun:"updated_by"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

type seedExhibit struct {
	bun.BaseModel `bun:"table:exhibits"`
	ID            string    `bun:"id"`
	CaseID        string    `bun:"case_id"`
	Seq           int       `bun:"seq"`
	Ref           string    `bun:"ref"`
	SHA256        string    `bun:"sha256"`
	Size          int64     `bun:"size"`
	MediaType     string    `bun:"media_type"`
	Format        string    `bun:"format"`
	Filename      string    `bun:"filename"`
	Description   string    `bun:"description"`
	CollectedAt   time.Time `bun:"collected_at"`
	CollectedBy   string    `bun:"collected_by"`
	UploadedBy    string    `bun:"uploaded_by"`
	UploadedAt    time.Time `bun:"uploaded_at"`
}

type seedFinding struct {
	bun.BaseModel   `bun:"table:findings"`
	ID              string    `bun:"id"`
	CaseID          string    `bun:"case_id"`
	Key             string    `bun:"key"`
	Format          string    `bun:"format"`
	Tool            string    `bun:"tool"`
	ToolID          string    `bun:"tool_id"`
	Kind            string    `bun:"kind"`
	Title           string    `bun:"title"`
	Severity        string    `bun:"severity"`
	Status          string    `bun:"status"`
	RequirementIDs  string    `bun:"requirement_ids"`
	EvidenceID      string    `bun:"evidence_id"`
	FirstEvidenceID string    `bun:"first_evidence_id"`
	CreatedAt       time.Time `bun:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at"`
}

type seedFindingReq struct {
	bun.BaseModel `bun:"table:finding_requirements"`
	FindingID     string `bun:"finding_id"`
	CaseID        string `bun:"case_id"`
	RequirementID string `bun:"requirement_id"`
}

type seedNotice struct {
	bun.BaseModel `bun:"table:notices"`
	ID            string     `bun:"id"`
	CaseID        string     `bun:"case_id"`
	AuthorityID   string     `bun:"authority_id"`
	Type          string     `bun:"type"`
	Status        string     `bun:"status"`
	OperatorID    string     `bun:"operator_id"`
	Penalty       *string    `bun:"penalty"`
	AuthorID      string     `bun:"author_id"`
	Reference     string     `bun:"reference"`
	IssuerID      string     `bun:"issuer_id"`
	IssuedAt      *time.Time `bun:"issued_at"`
	ServedAt      *time.Time `bun:"served_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	Version       int        `bun:"version"`
}

type seedPayment struct {
	bun.BaseModel `bun:"table:notice_payments"`
	ID            string    `bun:"id"`
	NoticeID      string    `bun:"notice_id"`
	AmountPence   int64     `bun:"amount_pence"`
	PaidAt        time.Time `bun:"paid_at"`
	Method        string    `bun:"method"`
	RecordedBy    string    `bun:"recorded_by"`
	RecordedAt    time.Time `bun:"recorded_at"`
}

type seedListing struct {
	bun.BaseModel `bun:"table:listings"`
	ID            string    `bun:"id"`
	Retailer      string    `bun:"retailer"`
	RetailerKey   string    `bun:"retailer_key"`
	MarketType    string    `bun:"market_type"`
	URL           string    `bun:"url"`
	URLKey        string    `bun:"url_key"`
	Title         string    `bun:"title"`
	Condition     string    `bun:"condition"`
	ObservedAt    time.Time `bun:"observed_at"`
	Status        string    `bun:"status"`
	ProductID     string    `bun:"product_id"`
	ContentHash   string    `bun:"content_hash"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int       `bun:"version"`
}

// reportVolume sizes a seeded dataset: per case three findings, and one
// notice for every five cases (the 100,000 / 300,000 / 20,000).
type reportVolume struct {
	Cases, Findings, Notices int
}

func volumeFor(cases int) reportVolume {
	return reportVolume{Cases: cases, Findings: 3 * cases, Notices: cases / 5}
}

// seedStart and seedEnd bound the seeded cases' opening dates.
var (
	seedStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	seedEnd   = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
)

// insertBulk writes rows in multi-row INSERTs of batch rows, in one transaction.
func insertBulk[T any](ctx context.Context, tx bun.Tx, rows []T) error {
	const batch = 1000
	for i := 0; i < len(rows); i += batch {
		part := rows[i:min(i+batch, len(rows))]
		if _, err := tx.NewInsert().Model(&part).Exec(ctx); err != nil {
			var zero T
			return fmt.Errorf("insert %T: %w", zero, err)
		}
	}
	return nil
}

// seedReportVolume bulk-inserts a reproducible, realistic-looking dataset:
// cases in both seeded authorities over 33 months with products,
// manufacturers (some sole traders), assessments, exhibits, findings
// mapped to requirements, notices with penalties and payments, and listings.
func seedReportVolume(tb testing.TB, env *wiringtest.Env, v reportVolume) {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 26))
	var authIDs []string
	for _, a := range wiringtest.Authorities {
		auth, err := env.App.Identity.Authority(env.Ctx(), a.Code)
		if err != nil {
			tb.Fatal(err)
		}
		authIDs = append(authIDs, auth.ID)
	}
	var psti, en []string
	for _, r := range requirements.All() {
		switch r.Kind {
		case requirements.KindPSTI:
			psti = append(psti, r.ID)
		case requirements.KindEN303645:
			en = append(en, r.ID)
		}
	}
	en = en[:min(len(en), 30)]
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	// A skewed pick, so rankings have clear leaders.
	skew := func(xs []string) string { return xs[min(rng.IntN(len(xs)), rng.IntN(len(xs)))] }
	span := seedEnd.Sub(seedStart)
	at := func(from time.Time, maxDays int) time.Time {
		return from.Add(time.Duration(rng.IntN(maxDays*86400)) * time.Second).Add(time.Duration(rng.IntN(1000000)) * time.Microsecond)
	}

	nOps, nProducts := max(v.Cases/50, 10), max(v.Cases/20, 10)
	ops := make([]seedOperator, nOps)
	for i := range ops {
		ops[i] = seedOperator{ID: ids.New(), Name: fmt.Sprintf("Maker %04d Ltd", i), Country: pick([]string{"CN", "GB", "DE", "US", "TW"}),
			SoleTrader: i%20 == 3, CreatedAt: seedStart, UpdatedAt: seedStart, Version: 1}
	}
	prods := make([]seedProduct, nProducts)
	for i := range prods {
		prods[i] = seedProduct{ID: ids.New(), Brand: fmt.Sprintf("Brand%03d", i%300), Model: fmt.Sprintf("M-%05d", i),
			ModelNorm: fmt.Sprintf("m%05d", i), CreatedAt: seedStart, UpdatedAt: seedStart, Version: 1}
	}
	origins := []string{"proactive_surveillance", "complaint", "referral", "self_notification", "border_check", "online_monitoring"}
	open := []string{"intake", "triage", "investigating", "decision", "enforcement", "monitoring", "reopened"}
	reasons := []string{"out_of_scope", "duplicate", "no_breach_found", "compliance_achieved", "enforcement_complete", "referred_elsewhere", "no_further_action"}
	var (
		cs       = make([]seedCase, 0, v.Cases)
		cps      = make([]seedCaseProduct, 0, v.Cases)
		parties  = make([]seedParty, 0, v.Cases)
		assess   = make([]seedAssessment, 0, 2*v.Cases)
		exhibits = make([]seedExhibit, 0, v.Cases)
		fs       = make([]seedFinding, 0, v.Findings)
		frs      = make([]seedFindingReq, 0, v.Findings*3/2)
		caseOp   = make([]int, 0, v.Cases)
	)
	for i := 0; i < v.Cases; i++ {
		created := seedStart.Add(time.Duration(rng.Int64N(int64(span))))
		c := seedCase{ID: ids.New(), AuthorityID: authIDs[i%len(authIDs)], Reference: fmt.Sprintf("BENCH-%07d", i),
			Title: "Bench case", Origin: pick(origins), Status: pick(open), Risk: "medium", CreatedBy: "bench",
			CreatedAt: created, UpdatedAt: created, Version: 1}
		if rng.IntN(10) < 4 {
			closed := at(created, 400)
			c.Status, c.ClosedAt, c.ClosureReason = "closed", &closed, pick(reasons)
		}
		cs = append(cs, c)
		p, o := rng.IntN(nProducts), rng.IntN(nOps)
		caseOp = append(caseOp, o)
		cps = append(cps, seedCaseProduct{CaseID: c.ID, ProductID: prods[p].ID})
		parties = append(parties, seedParty{ID: ids.New(), CaseID: c.ID, OperatorID: ops[o].ID, Role: "manufacturer",
			ProductID: prods[p].ID, AddedBy: "bench", AddedAt: created})
		verdicts := []string{"fail", "fail", "pass", "inconclusive"}
		assess = append(assess, seedAssessment{CaseID: c.ID, RequirementID: skew(psti), Verdict: pick(verdicts), UpdatedBy: "bench", UpdatedAt: created})
		if i%2 == 0 {
			r := skew(en)
			assess = append(assess, seedAssessment{CaseID: c.ID, RequirementID: r, Verdict: pick(verdicts), UpdatedBy: "bench", UpdatedAt: created})
		}
		ex := seedExhibit{ID: ids.New(), CaseID: c.ID, Seq: 1, Ref: c.Reference + "/EX-001", SHA256: fmt.Sprintf("%064x", i),
			Size: 1024, MediaType: "application/xml", Format: "nmap", Filename: "scan.xml", Description: "Bench scan",
			CollectedAt: created, CollectedBy: "bench", UploadedBy: "bench", UploadedAt: created}
		exhibits = append(exhibits, ex)
		for k := 0; k < v.Findings/v.Cases; k++ {
			f := seedFinding{ID: ids.New(), CaseID: c.ID, Key: fmt.Sprintf("k%d", k), Format: "nmap", Tool: "nmap", ToolID: "23/tcp",
				Kind: "open_port", Title: "Telnet open", Severity: "high",
				Status:     pick([]string{"confirmed", "confirmed", "open", "open", "disputed", "false_positive", "resolved"}),
				EvidenceID: ex.ID, FirstEvidenceID: ex.ID, CreatedAt: created, UpdatedAt: created}
			reqs := []string{skew(en)}
			if k%2 == 0 {
				reqs = append(reqs, skew(psti))
			}
			quoted := make([]string, len(reqs))
			for q, r := range reqs {
				frs = append(frs, seedFindingReq{FindingID: f.ID, CaseID: c.ID, RequirementID: r})
				quoted[q] = strconv.Quote(r)
			}
			f.RequirementIDs = "[" + strings.Join(quoted, ",") + "]"
			fs = append(fs, f)
		}
	}
	types := []string{"compliance", "compliance", "information", "stop", "recall", "penalty", "intent", "penalty_intent"}
	outcomes := []string{"issued", "served", "complied", "complied", "breached", "appealed", "upheld", "withdrawn", "revoked", "cancelled"}
	var (
		ns       = make([]seedNotice, 0, v.Notices)
		payments []seedPayment
	)
	for j := 0; j < v.Notices; j++ {
		ci := rng.IntN(len(cs))
		c := cs[ci]
		issued := at(c.CreatedAt, 200)
		n := seedNotice{ID: ids.New(), CaseID: c.ID, AuthorityID: c.AuthorityID, Type: pick(types), Status: pick(outcomes),
			OperatorID: ops[caseOp[ci]].ID, AuthorID: "bench", Reference: fmt.Sprintf("BENCH-N-%07d", j), IssuerID: "bench",
			IssuedAt: &issued, CreatedAt: c.CreatedAt, UpdatedAt: issued, Version: 1}
		if n.Status != "issued" && n.Status != "withdrawn" {
			served := issued.Add(48 * time.Hour)
			n.ServedAt = &served
		}
		if n.Type == "penalty" {
			amount := int64(rng.IntN(5_000_000)+1000) * 100
			js := fmt.Sprintf(`{"qualifying_revenue_pence":0,"revenue_period":"","amount_pence":%d,"daily_pence":0}`, amount)
			n.Penalty = &js
			if rng.IntN(2) == 0 {
				payments = append(payments, seedPayment{ID: ids.New(), NoticeID: n.ID, AmountPence: amount / 2,
					PaidAt: issued.Add(20 * 24 * time.Hour), Method: "bank_transfer", RecordedBy: "bench", RecordedAt: issued})
			}
		}
		ns = append(ns, n)
	}
	markets := []string{"retailer", "marketplace", "marketplace", "secondary"}
	ls := make([]seedListing, 0, v.Cases/5)
	for k := 0; k < v.Cases/5; k++ {
		p := rng.IntN(nProducts)
		observed := seedStart.Add(time.Duration(rng.Int64N(int64(span))))
		l := seedListing{ID: ids.New(), Retailer: "Shop", RetailerKey: "shop", MarketType: pick(markets),
			URL: fmt.Sprintf("https://shop.example/item/%d", k), URLKey: fmt.Sprintf("shop.example/item/%d", k), Title: "Smart plug",
			Condition: "new", ObservedAt: observed, Status: "live", ProductID: prods[p].ID, ContentHash: fmt.Sprintf("%064x", k),
			CreatedAt: observed, UpdatedAt: observed, Version: 1}
		if rng.IntN(3) == 0 {
			l.Status, l.UpdatedAt = "removed", at(observed, 300)
		}
		ls = append(ls, l)
	}
	err := env.App.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, step := range []func() error{
			func() error { return insertBulk(ctx, tx, ops) },
			func() error { return insertBulk(ctx, tx, prods) },
			func() error { return insertBulk(ctx, tx, cs) },
			func() error { return insertBulk(ctx, tx, cps) },
			func() error { return insertBulk(ctx, tx, parties) },
			func() error { return insertBulk(ctx, tx, assess) },
			func() error { return insertBulk(ctx, tx, exhibits) },
			func() error { return insertBulk(ctx, tx, fs) },
			func() error { return insertBulk(ctx, tx, frs) },
			func() error { return insertBulk(ctx, tx, ns) },
			func() error { return insertBulk(ctx, tx, payments) },
			func() error { return insertBulk(ctx, tx, ls) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed report volume: %v", err)
	}
	// Fresh statistics, as a production database would have.
	if _, err := env.App.DB.ExecContext(ctx, "ANALYZE"); err != nil {
		tb.Fatalf("analyze: %v", err)
	}
}
