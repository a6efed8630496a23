package bunstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
)

// Reports runs the aggregate queries behind the reports: every figure is
// computed by the database, and Go only lays the grouped rows out.
//
// The same SQL serves both engines, shaped for SQLite's cost model: it joins
// by nested loops (an index seek costs about a microsecond in the pure-Go
// driver) and sorts for every GROUP BY it cannot read in index order. So the
// report indexes (migration 20261126000600_reports) cover what each query
// reads and are ordered the way it groups: cases by origin, status and
// closure reason, cases by month (an expression index), fail verdicts by
// requirement and by case, confirmed findings by their list of
// requirements (each distinct list is expanded once), closed cases by
// duration (an expression index the percentiles walk). Reports on every
// authority never touch the cases table for verdicts and findings; reports
// on one authority walk its cases. CROSS JOIN fixes SQLite's join order
// where it matters; PostgreSQL plans CROSS JOIN with WHERE conditions
// freely. Only the percentiles have per-engine SQL (percentile_cont on
// PostgreSQL), with the same arithmetic, and tests hold both engines to the
// same independently computed figures.
type Reports struct{ *Store }

var _ reports.Store = Reports{}

func (r Reports) pg() bool { return r.db.Engine == database.Postgres }

// secs is the whole number of seconds since the Unix epoch of a timestamp
// column, truncated the same way on both engines.
func (r Reports) secs(col string) string {
	if r.pg() {
		return "CAST(floor(EXTRACT(EPOCH FROM " + col + ")) AS BIGINT)"
	}
	return "unixepoch(" + col + ")"
}

// plain is a timestamp column compared row by row. SQLite gives TIMESTAMP
// columns NUMERIC affinity, so comparing one with a text bound makes it try
// to read the bound as a number on every row; the unary plus strips the
// affinity (and the use of an index for the range), leaving a plain text
// comparison of the UTC timestamps bun writes.
func (r Reports) plain(col string) string {
	if r.pg() {
		return col
	}
	return "+" + col
}

// month is the UTC calendar month (YYYY-MM) of a timestamp column.
func (r Reports) month(col string) string {
	if r.pg() {
		return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM')"
	}
	// bun stores SQLite timestamps as UTC text, "2006-01-02 15:04:05.999999+00:00",
	// so the month is the first seven characters (much cheaper than strftime).
	return "substr(" + col + ", 1, 7)"
}

// penaltyAmount extracts amount_pence from the penalty terms JSON column.
func (r Reports) penaltyAmount(col string) string {
	if r.pg() {
		return "CAST(CAST(" + col + " AS jsonb) ->> 'amount_pence' AS BIGINT)"
	}
	return "CAST(json_extract(" + col + ", '$.amount_pence') AS INTEGER)"
}

// sqlArgs accumulates a query's text and arguments together, so optional
// conditions add their placeholder and value in one place.
type sqlArgs struct {
	b    strings.Builder
	args []any
}

func (s *sqlArgs) add(text string, args ...any) *sqlArgs {
	s.b.WriteString(text)
	s.args = append(s.args, args...)
	return s
}

// inPeriod adds "col >= from AND col < to".
func (s *sqlArgs) inPeriod(col string, q reports.Query) *sqlArgs {
	return s.add(" "+col+" >= ? AND "+col+" < ?", q.From, q.To)
}

// authority adds "AND col = authority" when the query is for one authority.
func (s *sqlArgs) authority(col string, q reports.Query) *sqlArgs {
	if q.AuthorityID != "" {
		s.add(" AND "+col+" = ?", q.AuthorityID)
	}
	return s
}

// inCohort adds the conditions on case c: opened in the period, in the scope.
func (s *sqlArgs) inCohort(q reports.Query) *sqlArgs {
	return s.inPeriod("c.created_at", q).authority("c.authority_id", q)
}

func (s *sqlArgs) String() string { return s.b.String() }

func (r Reports) raw(ctx context.Context, s *sqlArgs, dst any) error {
	return r.run(ctx, func(db bun.IDB) error { return db.NewRaw(s.String(), s.args...).Scan(ctx, dst) })
}

// run runs a report query. On PostgreSQL it runs in its own read-only
// transaction with JIT compilation off: the planner's cost estimates for
// these aggregates (correlated subplans especially) cross jit_above_cost,
// and compiling then takes longer (a third of a second) than the query.
func (r Reports) run(ctx context.Context, fn func(db bun.IDB) error) error {
	if _, ok := inTx(ctx); ok || !r.pg() {
		return fn(r.idb(ctx))
	}
	return r.db.RunInTx(ctx, &sql.TxOptions{ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET LOCAL jit = off"); err != nil {
			return fmt.Errorf("turn jit off: %w", err)
		}
		return fn(tx)
	})
}

// scanInts reads a result of integer columns, one []int64 per row, and
// the row's leading text columns into keys.
func (r Reports) scanInts(ctx context.Context, s *sqlArgs, nKeys int) (keys [][]string, vals [][]int64, err error) {
	err = r.run(ctx, func(db bun.IDB) error {
		keys, vals, err = scanIntRows(ctx, db, s, nKeys)
		return err
	})
	return keys, vals, err
}

func scanIntRows(ctx context.Context, db bun.IDB, s *sqlArgs, nKeys int) (keys [][]string, vals [][]int64, err error) {
	rows, err := db.QueryContext(ctx, s.String(), s.args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		k := make([]sql.NullString, nKeys)
		v := make([]sql.NullInt64, len(cols)-nKeys)
		dst := make([]any, 0, len(cols))
		for i := range k {
			dst = append(dst, &k[i])
		}
		for i := range v {
			dst = append(dst, &v[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, nil, err
		}
		ks, vs := make([]string, nKeys), make([]int64, len(v))
		for i := range k {
			ks[i] = k[i].String
		}
		for i := range v {
			vs[i] = v[i].Int64
		}
		keys, vals = append(keys, ks), append(vals, vs)
	}
	return keys, vals, rows.Err()
}

// CaseTotals counts the cases opened in the period by origin and current
// status, and those closed in it (and still closed) by origin and reason.
// Each branch groups on its own index (streaming, on SQLite), so only the
// few grouped rows meet in the outer sum.
func (r Reports) CaseTotals(ctx context.Context, q reports.Query) (reports.CaseTotals, error) {
	var s sqlArgs
	s.add(`SELECT origin, status, closure_reason, CAST(SUM(opened) AS BIGINT) AS opened, CAST(SUM(closed) AS BIGINT) AS closed FROM (
	SELECT c.origin, c.status, c.closure_reason, COUNT(*) AS opened, 0 AS closed FROM cases c WHERE`).
		inPeriod(r.plain("c.created_at"), q).authority("c.authority_id", q).add(`
	GROUP BY c.origin, c.status, c.closure_reason
	UNION ALL
	SELECT c.origin, c.status, c.closure_reason, 0 AS opened, COUNT(*) AS closed FROM cases c WHERE`).
		inPeriod("c.closed_at", q).authority("c.authority_id", q).add(`
	GROUP BY c.origin, c.status, c.closure_reason
) x GROUP BY origin, status, closure_reason`)
	keys, vals, err := r.scanInts(ctx, &s, 3)
	if err != nil {
		return reports.CaseTotals{}, fmt.Errorf("case totals: %w", err)
	}
	t := reports.CaseTotals{OpenedByOrigin: map[string]int64{}, ClosedByOrigin: map[string]int64{},
		OpenedByStatus: map[string]int64{}, ClosedByReason: map[string]int64{}}
	for i, k := range keys {
		opened, closed := vals[i][0], vals[i][1]
		t.Opened += opened
		t.Closed += closed
		if opened > 0 {
			t.OpenedByOrigin[k[0]] += opened
			t.OpenedByStatus[k[1]] += opened
		}
		if closed > 0 {
			t.ClosedByOrigin[k[0]] += closed
			t.ClosedByReason[k[2]] += closed
		}
	}
	return t, nil
}

// CasesPerMonth counts the cases opened per month by current status.
func (r Reports) CasesPerMonth(ctx context.Context, q reports.Query) ([]reports.MonthCount, error) {
	var s sqlArgs
	s.add(`SELECT `+r.month("c.created_at")+` AS month, c.status, COUNT(*) FROM cases c WHERE`).
		inPeriod(r.plain("c.created_at"), q).authority("c.authority_id", q).add(` GROUP BY 1, 2 ORDER BY 1, 2`)
	keys, vals, err := r.scanInts(ctx, &s, 2)
	if err != nil {
		return nil, fmt.Errorf("cases per month: %w", err)
	}
	out := make([]reports.MonthCount, len(keys))
	for i, k := range keys {
		out[i] = reports.MonthCount{Month: k[0], Key: k[1], Count: vals[i][0]}
	}
	return out, nil
}

// requirementsOf expands the JSON array of a finding's requirement ids
// (findings.requirement_ids, kept in step with finding_requirements by the
// evidence store) into rows of j.value.
func (r Reports) requirementsOf(col string) string {
	if r.pg() {
		return "jsonb_array_elements_text(CAST(" + col + " AS jsonb)) AS j(value)"
	}
	return "json_each(" + col + ") AS j"
}

// scopedCases adds the leading "cases c CROSS JOIN" of a query driven by the
// scope's cases (one authority), or nothing for every authority, where the
// query is driven by the period's rows of the child table instead.
func (s *sqlArgs) scopedCases(q reports.Query) *sqlArgs {
	if q.AuthorityID != "" {
		s.add(`cases c CROSS JOIN `)
	}
	return s
}

// ofScope adds the join to the scope's cases of a child table aliased
// alias: "AND c.authority_id = ? AND alias.case_id = c.id", or nothing for
// every authority.
func (s *sqlArgs) ofScope(alias string, q reports.Query) *sqlArgs {
	if q.AuthorityID != "" {
		s.add(` AND c.authority_id = ? AND `+alias+`.case_id = c.id`, q.AuthorityID)
	}
	return s
}

// FailedRequirements counts, per requirement, the fail verdicts recorded in
// the period on the scope's cases (one per case, as a case has one verdict
// per requirement), and the findings first recorded in the period on the
// scope's cases that an officer confirmed, per requirement they cite. For
// every authority both read the period's rows straight off indexes ordered
// the way they group (verdicts by requirement, findings by their list of
// requirements, each distinct list expanded once); for one authority the
// query walks its cases and seeks their verdicts and findings.
func (r Reports) FailedRequirements(ctx context.Context, q reports.Query) ([]reports.RequirementCount, error) {
	var s sqlArgs
	s.add(`SELECT requirement_id, CAST(SUM(cases) AS BIGINT) AS cases, CAST(SUM(findings) AS BIGINT) AS findings FROM (
	SELECT a.requirement_id, COUNT(*) AS cases, 0 AS findings
	FROM `).scopedCases(q).add(`case_assessments a
	WHERE a.verdict = 'fail'`).ofScope("a", q).add(` AND`).inPeriod(r.plain("a.updated_at"), q).add(`
	GROUP BY a.requirement_id
	UNION ALL
	SELECT j.value AS requirement_id, 0 AS cases, SUM(g.n) AS findings FROM (
		SELECT f.requirement_ids AS reqs, COUNT(*) AS n
		FROM `).scopedCases(q).add(`findings f
		WHERE f.status = 'confirmed'`).ofScope("f", q).add(` AND`).inPeriod(r.plain("f.created_at"), q).add(`
		GROUP BY f.requirement_ids
	) g CROSS JOIN ` + r.requirementsOf("g.reqs") + `
	GROUP BY j.value
) x GROUP BY requirement_id`)
	var rows []struct {
		RequirementID string `bun:"requirement_id"`
		Cases         int64  `bun:"cases"`
		Findings      int64  `bun:"findings"`
	}
	if err := r.raw(ctx, &s, &rows); err != nil {
		return nil, fmt.Errorf("failed requirements: %w", err)
	}
	out := make([]reports.RequirementCount, len(rows))
	for i, row := range rows {
		out[i] = reports.RequirementCount{RequirementID: row.RequirementID, Cases: row.Cases, Findings: row.Findings}
	}
	return out, nil
}

// TopManufacturers ranks the operators named manufacturer or own-brander on
// the scope's cases by the fail verdicts recorded on those cases in the
// period, then by how many of the cases had one, then by id. An operator
// named more than once in a case (several products, or both roles) counts
// the case once.
func (r Reports) TopManufacturers(ctx context.Context, q reports.Query, limit int) ([]reports.ManufacturerCount, error) {
	var s sqlArgs
	// fa: each case's fail verdicts recorded in the period, grouped in case
	// order (off the verdict index, or off the authority's cases).
	if q.AuthorityID != "" {
		s.add(`WITH fa AS (
	SELECT c.id AS case_id, COUNT(*) AS n FROM cases c CROSS JOIN case_assessments a
	WHERE c.authority_id = ? AND a.verdict = 'fail' AND a.case_id = c.id AND`, q.AuthorityID).inPeriod(r.plain("a.updated_at"), q).add(`
	GROUP BY c.id
),`)
	} else {
		s.add(`WITH fa AS (
	SELECT a.case_id, COUNT(*) AS n FROM case_assessments a WHERE a.verdict = 'fail' AND`).inPeriod(r.plain("a.updated_at"), q).add(`
	GROUP BY a.case_id
),`)
	}
	// Joining the failing cases to their maker parties counts an operator
	// named twice in a case twice; dup (a streaming pass over the parties'
	// unique index on SQLite) finds those pairs so their extra case and
	// verdicts are taken off again. This is cheaper on both engines than
	// making the pairs distinct first.
	s.add(`
dup AS (
	SELECT p.case_id, p.operator_id, COUNT(*) - 1 AS extra FROM case_parties p
	WHERE p.role IN ('manufacturer', 'own_brander')
	GROUP BY p.case_id, p.operator_id HAVING COUNT(*) > 1
),
x AS (
	SELECT p.operator_id, 1 AS cases, fa.n FROM fa CROSS JOIN case_parties p
	WHERE p.case_id = fa.case_id AND p.role IN ('manufacturer', 'own_brander')
	UNION ALL
	SELECT d.operator_id, -d.extra AS cases, -d.extra * d.n AS n FROM (
		SELECT dup.operator_id, dup.extra, (SELECT COUNT(*) FROM `).scopedCases(q).add(`case_assessments a
			WHERE a.verdict = 'fail' AND a.case_id = dup.case_id`).ofScope("a", q).add(` AND`).inPeriod(r.plain("a.updated_at"), q).add(`) AS n
		FROM dup
	) d WHERE d.n > 0
)`)
	s.add(`,
ranked AS (
	SELECT operator_id, CAST(SUM(cases) AS BIGINT) AS cases, CAST(SUM(n) AS BIGINT) AS failed FROM x
	GROUP BY operator_id
	ORDER BY failed DESC, cases DESC, operator_id LIMIT ?
)
SELECT k.operator_id, o.name, o.country, o.sole_trader, k.cases, k.failed
FROM ranked k JOIN operators o ON o.id = k.operator_id
ORDER BY k.failed DESC, k.cases DESC, k.operator_id`, limit)
	var rows []struct {
		OperatorID string `bun:"operator_id"`
		Name       string `bun:"name"`
		Country    string `bun:"country"`
		SoleTrader bool   `bun:"sole_trader"`
		Cases      int64  `bun:"cases"`
		Failed     int64  `bun:"failed"`
	}
	if err := r.raw(ctx, &s, &rows); err != nil {
		return nil, fmt.Errorf("top manufacturers: %w", err)
	}
	out := make([]reports.ManufacturerCount, len(rows))
	for i, row := range rows {
		out[i] = reports.ManufacturerCount{OperatorID: row.OperatorID, Name: row.Name, Country: row.Country,
			SoleTrader: row.SoleTrader, Cases: row.Cases, Failed: row.Failed}
	}
	return out, nil
}

// NoticeCounts counts the notices the scope issued in the period, by type
// and by where each stands now.
func (r Reports) NoticeCounts(ctx context.Context, q reports.Query) ([]reports.NoticeCount, error) {
	var s sqlArgs
	s.add(`SELECT n.type,
	COUNT(*) AS issued,
	SUM(CASE WHEN n.served_at IS NOT NULL THEN 1 ELSE 0 END) AS served,
	SUM(CASE WHEN n.status = 'complied' THEN 1 ELSE 0 END) AS complied,
	SUM(CASE WHEN n.status = 'breached' THEN 1 ELSE 0 END) AS breached,
	SUM(CASE WHEN n.status IN ('appealed', 'upheld', 'varied', 'cancelled') THEN 1 ELSE 0 END) AS appealed,
	SUM(CASE WHEN n.status IN ('withdrawn', 'revoked') THEN 1 ELSE 0 END) AS withdrawn
FROM notices n WHERE`).inPeriod("n.issued_at", q).authority("n.authority_id", q).add(` GROUP BY n.type`)
	var rows []struct {
		Type      string `bun:"type"`
		Issued    int64  `bun:"issued"`
		Served    int64  `bun:"served"`
		Complied  int64  `bun:"complied"`
		Breached  int64  `bun:"breached"`
		Appealed  int64  `bun:"appealed"`
		Withdrawn int64  `bun:"withdrawn"`
	}
	if err := r.raw(ctx, &s, &rows); err != nil {
		return nil, fmt.Errorf("notice counts: %w", err)
	}
	out := make([]reports.NoticeCount, len(rows))
	for i, row := range rows {
		out[i] = reports.NoticeCount{Type: row.Type, Issued: row.Issued, Served: row.Served, Complied: row.Complied,
			Breached: row.Breached, Appealed: row.Appealed, Withdrawn: row.Withdrawn}
	}
	return out, nil
}

// PenaltyTotals sums the penalty notices the scope issued in the period that
// are still in force, the payments against them, and every payment against
// the scope's penalty notices received in the period.
func (r Reports) PenaltyTotals(ctx context.Context, q reports.Query) (reports.PenaltyTotals, error) {
	var s sqlArgs
	s.add(`SELECT COUNT(*) AS imposed,
	CAST(COALESCE(SUM(x.amount), 0) AS BIGINT) AS imposed_pence,
	CAST(COALESCE(SUM(x.paid), 0) AS BIGINT) AS paid_pence
FROM (
	SELECT `+r.penaltyAmount("n.penalty")+` AS amount,
		(SELECT COALESCE(SUM(p.amount_pence), 0) FROM notice_payments p WHERE p.notice_id = n.id) AS paid
	FROM notices n
	WHERE n.type = 'penalty' AND n.status NOT IN ('withdrawn', 'revoked', 'cancelled') AND`).
		inPeriod("n.issued_at", q).authority("n.authority_id", q).add(`
) x`)
	var t struct {
		Imposed      int64 `bun:"imposed"`
		ImposedPence int64 `bun:"imposed_pence"`
		PaidPence    int64 `bun:"paid_pence"`
	}
	if err := r.raw(ctx, &s, &t); err != nil {
		return reports.PenaltyTotals{}, fmt.Errorf("penalties imposed: %w", err)
	}
	var rs sqlArgs
	rs.add(`SELECT CAST(COALESCE(SUM(p.amount_pence), 0) AS BIGINT) AS received FROM notice_payments p
	JOIN notices n ON n.id = p.notice_id
WHERE n.type = 'penalty' AND`).inPeriod("p.paid_at", q).authority("n.authority_id", q)
	var received int64
	if err := r.raw(ctx, &rs, &received); err != nil {
		return reports.PenaltyTotals{}, fmt.Errorf("penalty payments received: %w", err)
	}
	return reports.PenaltyTotals{Imposed: t.Imposed, ImposedPence: t.ImposedPence, PaidPence: t.PaidPence, ReceivedPence: received}, nil
}

// productInScope adds the condition that listing l's product is a product
// of one of the scope's cases (whenever opened).
func (s *sqlArgs) productInScope(q reports.Query) *sqlArgs {
	if q.AuthorityID == "" {
		return s.add(` EXISTS (SELECT 1 FROM case_products cp WHERE cp.product_id = l.product_id)`)
	}
	return s.add(` EXISTS (SELECT 1 FROM case_products cp CROSS JOIN cases c
		WHERE cp.product_id = l.product_id AND c.id = cp.case_id AND c.authority_id = ?)`, q.AuthorityID)
}

// ListingCounts counts the listings observed in the period of products in
// the scope's cases, by market type: how many are now removed, and how many
// were removed (last changed) on or after the first notice issued on a case
// of the scope about the product.
func (r Reports) ListingCounts(ctx context.Context, q reports.Query) ([]reports.ListingCount, error) {
	var s sqlArgs
	s.add(`WITH first_action AS (
	SELECT cp.product_id, MIN(n.issued_at) AS at FROM notices n CROSS JOIN case_products cp`)
	if q.AuthorityID != "" {
		s.add(` CROSS JOIN cases c`)
	}
	s.add(`
	WHERE n.issued_at IS NOT NULL AND cp.case_id = n.case_id`)
	if q.AuthorityID != "" {
		s.add(` AND c.id = n.case_id AND c.authority_id = ?`, q.AuthorityID)
	}
	s.add(`
	GROUP BY cp.product_id
)
SELECT l.market_type,
	COUNT(*) AS found,
	SUM(CASE WHEN l.status = 'removed' THEN 1 ELSE 0 END) AS removed,
	SUM(CASE WHEN l.status = 'removed' AND fa.at IS NOT NULL AND l.updated_at >= fa.at THEN 1 ELSE 0 END) AS removed_after_action
FROM listings l LEFT JOIN first_action fa ON fa.product_id = l.product_id
WHERE l.product_id IS NOT NULL AND`).inPeriod("l.observed_at", q).add(` AND`).productInScope(q).add(`
GROUP BY l.market_type`)
	var rows []struct {
		MarketType         string `bun:"market_type"`
		Found              int64  `bun:"found"`
		Removed            int64  `bun:"removed"`
		RemovedAfterAction int64  `bun:"removed_after_action"`
	}
	if err := r.raw(ctx, &s, &rows); err != nil {
		return nil, fmt.Errorf("listing counts: %w", err)
	}
	out := make([]reports.ListingCount, len(rows))
	for i, row := range rows {
		out[i] = reports.ListingCount{MarketType: row.MarketType, Found: row.Found, Removed: row.Removed, RemovedAfterAction: row.RemovedAfterAction}
	}
	return out, nil
}

// Durations computes the median and 90th percentile of the seconds from a
// case's opening to the milestone, over the scope's cases that reached it
// in the period. PostgreSQL uses percentile_cont; SQLite has no percentile
// aggregate, so the same linear interpolation is spelled out with window
// functions: with n sorted values v[0..n-1] and pos = p*(n-1), the result
// is v[pos] when pos is whole, else v[lo] + (pos-lo)*(v[lo+1]-v[lo]) with
// lo = floor(pos). Both engines evaluate that in IEEE double precision in
// the same order, so they return the same bits.
func (r Reports) Durations(ctx context.Context, q reports.Query, m reports.Milestone) (reports.Percentiles, error) {
	var s sqlArgs
	switch m {
	case reports.FirstNotice:
		s.add(`WITH firsts AS (
	SELECT n.case_id, MIN(n.issued_at) AS at FROM notices n WHERE n.issued_at IS NOT NULL GROUP BY n.case_id
),
d AS (
	SELECT `+r.secs("f.at")+` - `+r.secs("c.created_at")+` AS secs FROM firsts f CROSS JOIN cases c
	WHERE c.id = f.case_id AND`).inPeriod("f.at", q).authority("c.authority_id", q).add(`
)`)
	case reports.Closure:
		if !r.pg() {
			return r.closurePercentiles(ctx, q)
		}
		s.add(`WITH d AS (
	SELECT `+r.secs("c.closed_at")+` - `+r.secs("c.created_at")+` AS secs FROM cases c WHERE`).
			inPeriod("c.closed_at", q).authority("c.authority_id", q).add(`
)`)
	default:
		return reports.Percentiles{}, fmt.Errorf("durations: unknown milestone %q", m)
	}
	if r.pg() {
		s.add(`
SELECT COUNT(*) AS n,
	COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY secs), 0) AS p50,
	COALESCE(percentile_cont(0.9) WITHIN GROUP (ORDER BY secs), 0) AS p90
FROM d`)
		var out struct {
			N   int64   `bun:"n"`
			P50 float64 `bun:"p50"`
			P90 float64 `bun:"p90"`
		}
		if err := r.raw(ctx, &s, &out); err != nil {
			return reports.Percentiles{}, fmt.Errorf("percentiles: %w", err)
		}
		return reports.Percentiles{N: out.N, P50: out.P50, P90: out.P90}, nil
	}
	// One window pass numbers the sorted values; one aggregate pass picks
	// the two values each percentile falls between.
	pos := func(p string) string { return p + " * (n - 1)" }
	idx := func(p string) string { return "CAST(" + pos(p) + " AS INTEGER)" }
	interp := func(p, lo, hi string) string {
		return "CASE WHEN " + pos(p) + " = " + idx(p) + " THEN CAST(" + lo + " AS REAL) ELSE " +
			lo + " + ((" + pos(p) + " - " + idx(p) + ") * (" + hi + " - " + lo + ")) END"
	}
	s.add(`,
r AS (SELECT secs, ROW_NUMBER() OVER (ORDER BY secs) - 1 AS i, COUNT(*) OVER () AS n FROM d),
g AS (
	SELECT MAX(n) AS n,
		MAX(CASE WHEN i = ` + idx("0.5") + ` THEN secs END) AS lo50,
		MAX(CASE WHEN i = ` + idx("0.5") + ` + 1 THEN secs END) AS hi50,
		MAX(CASE WHEN i = ` + idx("0.9") + ` THEN secs END) AS lo90,
		MAX(CASE WHEN i = ` + idx("0.9") + ` + 1 THEN secs END) AS hi90
	FROM r
)
SELECT COALESCE(n, 0) AS n,
	COALESCE(` + interp("0.5", "lo50", "hi50") + `, 0.0) AS p50,
	COALESCE(` + interp("0.9", "lo90", "hi90") + `, 0.0) AS p90
FROM g`)
	var out struct {
		N   int64   `bun:"n"`
		P50 float64 `bun:"p50"`
		P90 float64 `bun:"p90"`
	}
	if err := r.raw(ctx, &s, &out); err != nil {
		return reports.Percentiles{}, fmt.Errorf("percentiles: %w", err)
	}
	return reports.Percentiles{N: out.N, P50: out.P50, P90: out.P90}, nil
}

// closureDuration is the expression SQLite indexes (partially, over closed
// cases) as cases_report_duration_idx: walking that index in order gives
// the closed cases sorted by duration with no sort.
const closureDuration = "unixepoch(c.closed_at) - unixepoch(c.created_at)"

// closurePercentiles is Durations to closure on SQLite: it counts the cases
// closed in the period, then reads the two values around each percentile's
// position straight off the duration index (LIMIT 2 OFFSET position), and
// interpolates as percentile_cont does.
func (r Reports) closurePercentiles(ctx context.Context, q reports.Query) (reports.Percentiles, error) {
	var s sqlArgs
	s.add(`WITH k AS (SELECT COUNT(*) AS n FROM cases c WHERE`).inPeriod("c.closed_at", q).authority("c.authority_id", q).add(`)`)
	for _, p := range []string{"50", "90"} {
		s.add(`,
p`+p+` AS (SELECT MIN(v) AS lo, MAX(v) AS hi FROM (
	SELECT `+closureDuration+` AS v FROM cases c
	WHERE c.closed_at IS NOT NULL AND`).inPeriod("+c.closed_at", q).authority("+c.authority_id", q).add(`
	ORDER BY ` + closureDuration + `
	LIMIT 2 OFFSET (SELECT CAST(0.` + p[:1] + ` * (n - 1) AS INTEGER) FROM k)))`)
	}
	interp := func(p string) string {
		pos := "0." + p[:1] + " * (k.n - 1)"
		idx := "CAST(" + pos + " AS INTEGER)"
		return "CASE WHEN " + pos + " = " + idx + " THEN CAST(p" + p + ".lo AS REAL) ELSE p" + p + ".lo + ((" + pos + " - " + idx +
			") * (p" + p + ".hi - p" + p + ".lo)) END"
	}
	s.add(`
SELECT k.n, COALESCE(` + interp("50") + `, 0.0) AS p50, COALESCE(` + interp("90") + `, 0.0) AS p90
FROM k CROSS JOIN p50 CROSS JOIN p90`)
	var out struct {
		N   int64   `bun:"n"`
		P50 float64 `bun:"p50"`
		P90 float64 `bun:"p90"`
	}
	if err := r.raw(ctx, &s, &out); err != nil {
		return reports.Percentiles{}, fmt.Errorf("percentiles: %w", err)
	}
	return reports.Percentiles{N: out.N, P50: out.P50, P90: out.P90}, nil
}

// Series counts a metric per calendar month (UTC).
func (r Reports) Series(ctx context.Context, q reports.Query, m reports.Metric) ([]reports.MonthCount, error) {
	var s sqlArgs
	switch m {
	case reports.CasesOpened:
		s.add(`SELECT ` + r.month("c.created_at") + ` AS month, COUNT(*) FROM cases c WHERE`).inCohort(q)
	case reports.NoticesIssued:
		s.add(`SELECT `+r.month("n.issued_at")+` AS month, COUNT(*) FROM notices n WHERE`).
			inPeriod("n.issued_at", q).authority("n.authority_id", q)
	case reports.ListingsRemoved:
		s.add(`SELECT `+r.month("l.updated_at")+` AS month, COUNT(*) FROM listings l
WHERE l.status = 'removed' AND l.product_id IS NOT NULL AND`).inPeriod("l.updated_at", q).add(` AND`).productInScope(q)
	default:
		return nil, fmt.Errorf("series: unknown metric %q", m)
	}
	s.add(` GROUP BY 1 ORDER BY 1`)
	keys, vals, err := r.scanInts(ctx, &s, 1)
	if err != nil {
		return nil, fmt.Errorf("series %s: %w", m, err)
	}
	out := make([]reports.MonthCount, len(keys))
	for i, k := range keys {
		out[i] = reports.MonthCount{Month: k[0], Count: vals[i][0]}
	}
	return out, nil
}
