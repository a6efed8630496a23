package httpapi

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/csvsafe"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
)

// writeSummaryCSV writes the summary as CSV: one table per section, each a
// line "# <section>", a header row and its rows, tables separated by a
// blank line. The sections and columns (also in summaryRouteDoc and the
// reports package documentation):
//
//	report                      field, value
//	cases_by_origin             origin, opened, closed
//	cases_by_status             status, cases_opened
//	cases_by_closure_reason     closure_reason, cases_closed
//	cases_per_month             month, status, cases_opened
//	failed_psti_requirements    rank, requirement_id, title, cases_failed, confirmed_findings
//	failed_en303645_provisions  rank, requirement_id, title, cases_failed, confirmed_findings
//	notices                     type, issued, served, complied, breached, appealed, withdrawn_or_revoked
//	penalties                   penalties_imposed, imposed_pence, paid_pence, received_in_period_pence
//	listings                    market_type, found, removed, removed_after_action, removed_after_action_pct
//	timings                     milestone, cases, median_days, p90_days
//	top_manufacturers           rank, operator_id, name, sole_trader, country, cases, failed_requirements
//
// Counts are plain integers, money is in pence, days have two decimal
// places (empty without cases), percentages one. Every cell goes through
// csvsafe: a text cell a spreadsheet would evaluate (an operator named
// =HYPERLINK(…)) gets a leading single quote; numbers are left as numbers.
func writeSummaryCSV(w io.Writer, s reports.Summary) error {
	cw := csvsafe.NewWriter(w)
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	first := true
	table := func(name string, head []string, rows [][]string) {
		if !first {
			_ = cw.Write([]string{})
		}
		first = false
		_ = cw.Write([]string{"# " + name})
		_ = cw.Write(head)
		for _, r := range rows {
			_ = cw.Write(r)
		}
	}
	rows := [][]string{{"authority", s.Scope.Code()}, {"authority_name", s.Scope.Label()},
		{"from", s.Period.From.Format(time.RFC3339)}, {"to", s.Period.To.Format(time.RFC3339)},
		{"generated_at", s.GeneratedAt.Format(time.RFC3339)}, {"notes", strings.Join(s.Period.Notes, "; ")}}
	table("report", []string{"field", "value"}, rows)

	rows = nil
	for _, o := range s.Cases.ByOrigin {
		rows = append(rows, []string{o.Origin, n(o.Opened), n(o.Closed)})
	}
	rows = append(rows, []string{"total", n(s.Cases.Opened), n(s.Cases.Closed)})
	table("cases_by_origin", []string{"origin", "opened", "closed"}, rows)
	rows = nil
	for _, st := range s.Cases.ByStatus {
		rows = append(rows, []string{st.Status, n(st.Cases)})
	}
	rows = append(rows, []string{"total", n(s.Cases.Opened)})
	table("cases_by_status", []string{"status", "cases_opened"}, rows)
	rows = nil
	for _, r := range s.Cases.ByClosureReason {
		rows = append(rows, []string{r.Reason, n(r.Closed)})
	}
	rows = append(rows, []string{"total", n(s.Cases.Closed)})
	table("cases_by_closure_reason", []string{"closure_reason", "cases_closed"}, rows)
	rows = nil
	for _, m := range s.Cases.PerMonth {
		for _, st := range s.Cases.ByStatus {
			if c := m.ByStatus[st.Status]; c > 0 {
				rows = append(rows, []string{m.Month, st.Status, n(c)})
			}
		}
		rows = append(rows, []string{m.Month, "total", n(m.Opened)})
	}
	table("cases_per_month", []string{"month", "status", "cases_opened"}, rows)

	reqRows := func(rs []reports.RequirementRow) [][]string {
		var out [][]string
		for _, r := range rs {
			out = append(out, []string{strconv.Itoa(r.Rank), r.RequirementID, r.Title, n(r.Cases), n(r.Findings)})
		}
		return out
	}
	reqHead := []string{"rank", "requirement_id", "title", "cases_failed", "confirmed_findings"}
	table("failed_psti_requirements", reqHead, reqRows(s.Requirements.PSTI))
	table("failed_en303645_provisions", reqHead, reqRows(s.Requirements.EN303645))

	rows = nil
	for _, c := range append(append([]reports.NoticeCount{}, s.Notices...), s.NoticeTotals) {
		rows = append(rows, []string{c.Type, n(c.Issued), n(c.Served), n(c.Complied), n(c.Breached), n(c.Appealed), n(c.Withdrawn)})
	}
	table("notices", []string{"type", "issued", "served", "complied", "breached", "appealed", "withdrawn_or_revoked"}, rows)
	p := s.Penalties
	table("penalties", []string{"penalties_imposed", "imposed_pence", "paid_pence", "received_in_period_pence"},
		[][]string{{n(p.Imposed), n(p.ImposedPence), n(p.PaidPence), n(p.ReceivedPence)}})

	rows = nil
	for _, l := range append(append([]reports.ListingRow{}, s.Listings...), s.ListingTotals) {
		rows = append(rows, []string{l.MarketType, n(l.Found), n(l.Removed), n(l.RemovedAfterAction),
			strconv.FormatFloat(l.RemovedAfterActionPct, 'f', 1, 64)})
	}
	table("listings", []string{"market_type", "found", "removed", "removed_after_action", "removed_after_action_pct"}, rows)

	days := func(d *float64) string {
		if d == nil {
			return ""
		}
		return strconv.FormatFloat(*d, 'f', 2, 64)
	}
	table("timings", []string{"milestone", "cases", "median_days", "p90_days"}, [][]string{
		{string(reports.FirstNotice), n(s.Timings.ToFirstNotice.Cases), days(s.Timings.ToFirstNotice.MedianDays), days(s.Timings.ToFirstNotice.P90Days)},
		{string(reports.Closure), n(s.Timings.ToClosure.Cases), days(s.Timings.ToClosure.MedianDays), days(s.Timings.ToClosure.P90Days)},
	})

	rows = nil
	for _, m := range s.Manufacturers {
		rows = append(rows, []string{strconv.Itoa(m.Rank), m.OperatorID, m.Name, strconv.FormatBool(m.SoleTrader), m.Country,
			n(m.Cases), n(m.Failed)})
	}
	table("top_manufacturers", []string{"rank", "operator_id", "name", "sole_trader", "country", "cases", "failed_requirements"}, rows)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write summary csv: %w", err)
	}
	return nil
}
