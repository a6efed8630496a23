package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"mime"
	"net/http"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
)

type summaryQuery struct {
	From      string `query:"from" validate:"max=40" description:"Start: a month (2026-01), a date (2026-01-15) or an RFC 3339 time; inclusive"`
	To        string `query:"to" validate:"max=40" description:"End: a month or date (included) or an RFC 3339 time (exclusive)"`
	Authority string `query:"authority" validate:"max=40" description:"Authority code, or ALL; default your own. Others need a reporting role in the national authority"`
	Format    string `query:"format" validate:"omitempty,oneof=json csv pdf" description:"json (default), csv or pdf; overrides Accept"`
}

type timeseriesQuery struct {
	Metric    string `query:"metric" validate:"max=40" enumof:"report_metrics" description:"what to count per interval (required)"`
	Interval  string `query:"interval" validate:"max=20" enumof:"report_intervals" description:"the only interval is month (the default)"`
	From      string `query:"from" validate:"max=40" description:"As for the summary"`
	To        string `query:"to" validate:"max=40" description:"As for the summary"`
	Authority string `query:"authority" validate:"max=40" description:"As for the summary"`
}

type reportHeaderDTO struct {
	Authority     string    `json:"authority" description:"Authority code, or ALL"`
	AuthorityName string    `json:"authority_name"`
	From          time.Time `json:"from" description:"Start of the period, inclusive (UTC)"`
	To            time.Time `json:"to" description:"End of the period, exclusive (UTC)"`
	Defaulted     bool      `json:"defaulted" description:"A bound was missing and filled in"`
	Clamped       bool      `json:"clamped" description:"The period was longer than 10 years and was shortened"`
	Notes         []string  `json:"notes" description:"What was defaulted or clamped, in words"`
	GeneratedAt   time.Time `json:"generated_at"`
}

type originRowDTO struct {
	Origin string `json:"origin"`
	Opened int64  `json:"opened"`
	Closed int64  `json:"closed"`
}

type statusRowDTO struct {
	Status string `json:"status"`
	Cases  int64  `json:"cases" description:"Cases opened in the period now in this status"`
}

type reasonRowDTO struct {
	Reason string `json:"closure_reason"`
	Cases  int64  `json:"cases" description:"Cases closed in the period for this reason"`
}

type monthRowDTO struct {
	Month    string           `json:"month" description:"YYYY-MM (UTC)"`
	Opened   int64            `json:"opened"`
	ByStatus map[string]int64 `json:"by_status" description:"Cases opened that month by current status"`
}

type casesSectionDTO struct {
	Opened          int64          `json:"opened"`
	Closed          int64          `json:"closed" description:"Closed in the period and still closed"`
	ByOrigin        []originRowDTO `json:"by_origin"`
	ByStatus        []statusRowDTO `json:"by_status"`
	ByClosureReason []reasonRowDTO `json:"by_closure_reason"`
	PerMonth        []monthRowDTO  `json:"per_month"`
}

type requirementRowDTO struct {
	Rank              int    `json:"rank"`
	RequirementID     string `json:"requirement_id"`
	Title             string `json:"title"`
	CasesFailed       int64  `json:"cases_failed" description:"Cases whose fail verdict on it was recorded in the period"`
	ConfirmedFindings int64  `json:"confirmed_findings" description:"Findings first recorded in the period, confirmed, citing it"`
}

type requirementsDTO struct {
	PSTI     []requirementRowDTO `json:"psti"`
	EN303645 []requirementRowDTO `json:"en_303_645"`
}

type noticeRowDTO struct {
	Type               string `json:"type"`
	Issued             int64  `json:"issued"`
	Served             int64  `json:"served"`
	Complied           int64  `json:"complied"`
	Breached           int64  `json:"breached"`
	Appealed           int64  `json:"appealed" description:"Appeal pending or decided"`
	WithdrawnOrRevoked int64  `json:"withdrawn_or_revoked"`
}

type noticesSectionDTO struct {
	ByType []noticeRowDTO `json:"by_type"`
	Total  noticeRowDTO   `json:"total"`
}

type penaltiesDTO struct {
	Imposed               int64 `json:"imposed" description:"Penalty notices issued in the period and in force"`
	ImposedPence          int64 `json:"imposed_pence"`
	PaidPence             int64 `json:"paid_pence" description:"Paid against those penalties, whenever"`
	ReceivedInPeriodPence int64 `json:"received_in_period_pence" description:"All penalty payments received in the period"`
}

type listingRowDTO struct {
	MarketType            string  `json:"market_type"`
	Found                 int64   `json:"found"`
	Removed               int64   `json:"removed"`
	RemovedAfterAction    int64   `json:"removed_after_action"`
	RemovedAfterActionPct float64 `json:"removed_after_action_pct" description:"Percentage of found, one decimal place"`
}

type listingsSectionDTO struct {
	ByMarketType []listingRowDTO `json:"by_market_type"`
	Total        listingRowDTO   `json:"total"`
}

type timingDTO struct {
	Cases      int64    `json:"cases"`
	MedianDays *float64 `json:"median_days" description:"Two decimal places; null without cases"`
	P90Days    *float64 `json:"p90_days"`
}

type timingsDTO struct {
	ToFirstNotice timingDTO `json:"to_first_notice"`
	ToClosure     timingDTO `json:"to_closure"`
}

type manufacturerDTO struct {
	Rank               int    `json:"rank"`
	OperatorID         string `json:"operator_id,omitempty" description:"Absent for sole traders"`
	Name               string `json:"name" description:"Sole traders are anonymised: Sole trader 1, 2…"`
	SoleTrader         bool   `json:"sole_trader"`
	Country            string `json:"country"`
	Cases              int64  `json:"cases" description:"Its cases with a fail verdict recorded in the period"`
	FailedRequirements int64  `json:"failed_requirements" description:"Fail verdicts recorded in the period on those cases"`
}

type summaryDTO struct {
	reportHeaderDTO
	Cases              casesSectionDTO    `json:"cases"`
	FailedRequirements requirementsDTO    `json:"failed_requirements"`
	Notices            noticesSectionDTO  `json:"notices"`
	Penalties          penaltiesDTO       `json:"penalties"`
	Listings           listingsSectionDTO `json:"listings"`
	Timings            timingsDTO         `json:"timings"`
	TopManufacturers   []manufacturerDTO  `json:"top_manufacturers"`
}

type pointDTO struct {
	Month string    `json:"month" description:"YYYY-MM (UTC)"`
	Start time.Time `json:"start"`
	Value int64     `json:"value"`
}

type timeseriesDTO struct {
	reportHeaderDTO
	Metric   string     `json:"metric"`
	Interval string     `json:"interval"`
	Total    int64      `json:"total"`
	Points   []pointDTO `json:"points"`
}

type exportReq struct {
	Recipient       string   `json:"recipient" validate:"required,max=300" description:"The agency receiving the package"`
	Purpose         string   `json:"purpose" validate:"required,max=2000" description:"Why it is shared"`
	IncludeEvidence bool     `json:"include_evidence" description:"Copy exhibits into the package"`
	ExhibitIDs      []string `json:"exhibit_ids" validate:"max=500" description:"Only these exhibits (default: every exhibit officers added)"`
}

func header(sc reports.Scope, p reports.Period, generated time.Time) reportHeaderDTO {
	name := sc.AuthorityName
	if sc.All {
		name = sc.Label()
	}
	return reportHeaderDTO{Authority: sc.Code(), AuthorityName: name, From: p.From, To: p.To, Defaulted: p.Defaulted,
		Clamped: p.Clamped, Notes: orEmpty(p.Notes), GeneratedAt: generated}
}

func toNoticeRowDTO(n reports.NoticeCount) noticeRowDTO {
	return noticeRowDTO{Type: n.Type, Issued: n.Issued, Served: n.Served, Complied: n.Complied, Breached: n.Breached,
		Appealed: n.Appealed, WithdrawnOrRevoked: n.Withdrawn}
}

func toListingRowDTO(l reports.ListingRow) listingRowDTO {
	return listingRowDTO{MarketType: l.MarketType, Found: l.Found, Removed: l.Removed, RemovedAfterAction: l.RemovedAfterAction,
		RemovedAfterActionPct: l.RemovedAfterActionPct}
}

func toRequirementRows(rs []reports.RequirementRow) []requirementRowDTO {
	out := make([]requirementRowDTO, len(rs))
	for i, r := range rs {
		out[i] = requirementRowDTO{Rank: r.Rank, RequirementID: r.RequirementID, Title: r.Title, CasesFailed: r.Cases, ConfirmedFindings: r.Findings}
	}
	return out
}

func toSummaryDTO(s reports.Summary) summaryDTO {
	out := summaryDTO{reportHeaderDTO: header(s.Scope, s.Period, s.GeneratedAt),
		Cases: casesSectionDTO{Opened: s.Cases.Opened, Closed: s.Cases.Closed, ByOrigin: []originRowDTO{}, ByStatus: []statusRowDTO{},
			ByClosureReason: []reasonRowDTO{}, PerMonth: []monthRowDTO{}},
		FailedRequirements: requirementsDTO{PSTI: toRequirementRows(s.Requirements.PSTI), EN303645: toRequirementRows(s.Requirements.EN303645)},
		Notices:            noticesSectionDTO{ByType: []noticeRowDTO{}, Total: toNoticeRowDTO(s.NoticeTotals)},
		Penalties: penaltiesDTO{Imposed: s.Penalties.Imposed, ImposedPence: s.Penalties.ImposedPence, PaidPence: s.Penalties.PaidPence,
			ReceivedInPeriodPence: s.Penalties.ReceivedPence},
		Listings: listingsSectionDTO{ByMarketType: []listingRowDTO{}, Total: toListingRowDTO(s.ListingTotals)},
		Timings: timingsDTO{
			ToFirstNotice: timingDTO{Cases: s.Timings.ToFirstNotice.Cases, MedianDays: s.Timings.ToFirstNotice.MedianDays, P90Days: s.Timings.ToFirstNotice.P90Days},
			ToClosure:     timingDTO{Cases: s.Timings.ToClosure.Cases, MedianDays: s.Timings.ToClosure.MedianDays, P90Days: s.Timings.ToClosure.P90Days}},
		TopManufacturers: []manufacturerDTO{}}
	for _, o := range s.Cases.ByOrigin {
		out.Cases.ByOrigin = append(out.Cases.ByOrigin, originRowDTO{Origin: o.Origin, Opened: o.Opened, Closed: o.Closed})
	}
	for _, st := range s.Cases.ByStatus {
		out.Cases.ByStatus = append(out.Cases.ByStatus, statusRowDTO{Status: st.Status, Cases: st.Cases})
	}
	for _, r := range s.Cases.ByClosureReason {
		out.Cases.ByClosureReason = append(out.Cases.ByClosureReason, reasonRowDTO{Reason: r.Reason, Cases: r.Closed})
	}
	for _, m := range s.Cases.PerMonth {
		out.Cases.PerMonth = append(out.Cases.PerMonth, monthRowDTO{Month: m.Month, Opened: m.Opened, ByStatus: m.ByStatus})
	}
	for _, n := range s.Notices {
		out.Notices.ByType = append(out.Notices.ByType, toNoticeRowDTO(n))
	}
	for _, l := range s.Listings {
		out.Listings.ByMarketType = append(out.Listings.ByMarketType, toListingRowDTO(l))
	}
	for _, m := range s.Manufacturers {
		out.TopManufacturers = append(out.TopManufacturers, manufacturerDTO{Rank: m.Rank, OperatorID: m.OperatorID, Name: m.Name,
			SoleTrader: m.SoleTrader, Country: m.Country, Cases: m.Cases, FailedRequirements: m.Failed})
	}
	return out
}

// summaryRouteDoc is the summary route's OpenAPI summary: the CSV layout is
// part of the contract (see also package reports).
const summaryRouteDoc = "Aggregate enforcement report for an authority (or ALL, national roles only) over a period: JSON; " +
	"CSV with Accept: text/csv or ?format=csv (one table per section, each after a '# section' line: " +
	"report(field,value); cases_by_origin(origin,opened,closed); cases_by_status(status,cases_opened); " +
	"cases_by_closure_reason(closure_reason,cases_closed); cases_per_month(month,status,cases_opened); " +
	"failed_psti_requirements and failed_en303645_provisions(rank,requirement_id,title,cases_failed,confirmed_findings); " +
	"notices(type,issued,served,complied,breached,appealed,withdrawn_or_revoked); " +
	"penalties(penalties_imposed,imposed_pence,paid_pence,received_in_period_pence); " +
	"listings(market_type,found,removed,removed_after_action,removed_after_action_pct); timings(milestone,cases,median_days,p90_days); " +
	"top_manufacturers(rank,operator_id,name,sole_trader,country,cases,failed_requirements); " +
	"spreadsheet-safe: a text cell starting with = + - @, tab or CR gets a leading single quote, numbers are plain); " +
	"or a PDF with tables and a chart (?format=pdf). No personal data: sole traders are anonymised."

func (s *Server) mountReports() {
	read := Perm{"report", "read"}
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/reports/summary", Summary: summaryRouteDoc, Tag: "reports", Access: Scoped,
		Perm: read, Query: summaryQuery{}, Resp: summaryDTO{}, Handler: s.reportSummary})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/reports/timeseries", Summary: "Monthly counts of cases_opened, notices_issued " +
		"or listings_removed for dashboards (zero months included)", Tag: "reports", Access: Scoped, Perm: read,
		Query: timeseriesQuery{}, Resp: timeseriesDTO{}, Handler: s.reportTimeseries})
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/cases/:id/exports", Summary: "Referral package for another agency (supervisors): " +
		"a ZIP streamed with case.pdf, case.json, manifest.json (SHA-256 of every file) and the selected exhibits byte for byte, " +
		"personal data redacted by rule; recorded in each exhibit's chain of custody and in the audit log", Tag: "reports",
		Access: Scoped, Perm: Perm{"case", "export"}, Body: exportReq{}, RespType: "application/zip", Handler: s.exportCase})
}

// requester says who asks for a report: the acting authority, and whether
// the user holds a reporting role in a national authority.
func requester(c *fiber.Ctx) reports.Requester {
	r := reports.Requester{Authority: caller(c).Authority}
	for _, g := range account(c).Grants {
		if g.AuthorityNational && slices.Contains([]principal.Role{principal.Analyst, principal.Supervisor}, g.Role) {
			r.National = true
		}
	}
	return r
}

// reportFormat picks the representation: ?format wins, then Accept.
func reportFormat(c *fiber.Ctx, format string) string {
	if format != "" {
		return format
	}
	switch c.Accepts(fiber.MIMEApplicationJSON, "text/csv", "application/pdf") {
	case "text/csv":
		return "csv"
	case "application/pdf":
		return "pdf"
	}
	return "json"
}

func (s *Server) reportSummary(c *fiber.Ctx) error {
	q, err := parseQuery[summaryQuery](c)
	if err != nil {
		return err
	}
	sum, err := s.deps.Reports.Summary(c.UserContext(), requester(c), reports.Params{From: q.From, To: q.To, Authority: q.Authority})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	name := "summary-" + sum.Scope.Code() + "-" + sum.Period.From.Format("20060102") + "-" + sum.Period.To.Format("20060102")
	switch reportFormat(c, q.Format) {
	case "csv":
		var buf bytes.Buffer
		if err := writeSummaryCSV(&buf, sum); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name + ".csv"}))
		return c.Send(buf.Bytes())
	case "pdf":
		var buf bytes.Buffer
		if err := s.deps.Reports.RenderSummary(&buf, sum); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/pdf")
		c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("inline", map[string]string{"filename": name + ".pdf"}))
		return c.Send(buf.Bytes())
	}
	return c.JSON(toSummaryDTO(sum))
}

func (s *Server) reportTimeseries(c *fiber.Ctx) error {
	q, err := parseQuery[timeseriesQuery](c)
	if err != nil {
		return err
	}
	ts, err := s.deps.Reports.Timeseries(c.UserContext(), requester(c), reports.SeriesParams{Metric: q.Metric, Interval: q.Interval,
		Params: reports.Params{From: q.From, To: q.To, Authority: q.Authority}})
	if err != nil {
		return err
	}
	out := timeseriesDTO{reportHeaderDTO: header(ts.Scope, ts.Period, s.deps.Reports.Now().UTC()), Metric: string(ts.Metric),
		Interval: ts.Interval, Total: ts.Total, Points: []pointDTO{}}
	for _, p := range ts.Points {
		out.Points = append(out.Points, pointDTO{Month: p.Month, Start: p.Start, Value: p.Value})
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(out)
}

// exportCase records the export, then streams the archive: the response is
// written after the handler returns, file by file, exhibits straight from
// the blob store.
func (s *Server) exportCase(c *fiber.Ctx) error {
	in, err := decodeJSON[exportReq](s, c)
	if err != nil {
		return err
	}
	pkg, err := s.deps.Reports.Export(c.UserContext(), c.Params("id"), reports.ExportRequest{Recipient: in.Recipient,
		Purpose: in.Purpose, IncludeEvidence: in.IncludeEvidence, ExhibitIDs: in.ExhibitIDs})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment",
		map[string]string{"filename": pkg.CaseRef + "-referral-" + pkg.GeneratedAt.Format("20060102T150405Z") + ".zip"}))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Package-ID", pkg.ID)
	log, rid := s.log, requestID(c)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		// The request context ends with the handler; the stream outlives it.
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		if err := pkg.WriteZip(ctx, w); err != nil {
			log.Error("referral package stream abandoned", "request_id", rid, "package_id", pkg.ID, "case", pkg.CaseRef, "err", err)
			return
		}
		if err := w.Flush(); err != nil {
			log.Warn("referral package stream cut short", "request_id", rid, "package_id", pkg.ID, "err", err)
		}
	})
	return nil
}
