package console

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

type reportSummary struct {
	AuthorityName string    `json:"authority_name"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Notes         []string  `json:"notes"`
	Cases         struct {
		Opened   int64 `json:"opened"`
		Closed   int64 `json:"closed"`
		ByOrigin []struct {
			Origin string `json:"origin"`
			Opened int64  `json:"opened"`
		} `json:"by_origin"`
		PerMonth []struct {
			Month  string `json:"month"`
			Opened int64  `json:"opened"`
		} `json:"per_month"`
	} `json:"cases"`
	Notices struct {
		ByType []noticeRow `json:"by_type"`
		Total  noticeRow   `json:"total"`
	} `json:"notices"`
	FailedRequirements struct {
		PSTI     []requirementRow `json:"psti"`
		EN303645 []requirementRow `json:"en_303_645"`
	} `json:"failed_requirements"`
	Penalties struct {
		Imposed      int64 `json:"imposed"`
		ImposedPence int64 `json:"imposed_pence"`
		PaidPence    int64 `json:"paid_pence"`
	} `json:"penalties"`
	Listings struct {
		ByMarketType []struct {
			MarketType            string  `json:"market_type"`
			Found                 int64   `json:"found"`
			Removed               int64   `json:"removed"`
			RemovedAfterActionPct float64 `json:"removed_after_action_pct"`
		} `json:"by_market_type"`
	} `json:"listings"`
	TopManufacturers []struct {
		Rank               int    `json:"rank"`
		Name               string `json:"name"`
		Cases              int64  `json:"cases"`
		FailedRequirements int64  `json:"failed_requirements"`
	} `json:"top_manufacturers"`
}

type noticeRow struct {
	Type     string `json:"type"`
	Issued   int64  `json:"issued"`
	Served   int64  `json:"served"`
	Complied int64  `json:"complied"`
	Breached int64  `json:"breached"`
	Appealed int64  `json:"appealed"`
}

type requirementRow struct {
	Rank          int    `json:"rank"`
	RequirementID string `json:"requirement_id"`
	Title         string `json:"title"`
	CasesFailed   int64  `json:"cases_failed"`
}

type timeseries struct {
	Metric string `json:"metric"`
	Total  int64  `json:"total"`
	Points []struct {
		Month string `json:"month"`
		Value int64  `json:"value"`
	} `json:"points"`
}

type bar struct {
	Label string
	Value int64
}

type reportsView struct {
	Report      reportSummary
	From, To    string
	MonthChart  string
	Months      []bar
	Metric      string
	Metrics     []string
	Series      []bar
	SeriesChart string
	SeriesTotal int64
}

// reportMetrics are the time series the API counts, in the order offered.
var reportMetrics = []string{"cases_opened", "notices_issued", "listings_removed"}

// reportsPage shows the authority's summary for a period, with the cases
// opened per month as a server-drawn chart and the same numbers as a table.
func (con *Console) reportsPage(c *fiber.Ctx) error {
	v := reportsView{From: c.Query("from"), To: c.Query("to"), Metric: c.Query("metric"), Metrics: reportMetrics}
	if !contains(reportMetrics, v.Metric) {
		v.Metric = reportMetrics[1]
	}
	err := sess(c).api.call(ctx(c), http.MethodGet, "/reports/summary"+query("from", v.From, "to", v.To), nil, &v.Report)
	if p, ok := asProblem(err); ok && p.Status == http.StatusUnprocessableEntity {
		return con.render(c, p.Status, "reports", "Reports", v, withNav("reports"), withErrors(fieldErrors(p, map[string]string{
			"from": "Enter the start of the period as a date, for example 2026-01-01",
			"to":   "Enter the end of the period as a date, for example 2026-12-31"})))
	}
	if err != nil {
		return err
	}
	for _, m := range v.Report.Cases.PerMonth {
		v.Months = append(v.Months, bar{Label: monthLabel(m.Month), Value: m.Opened})
	}
	v.MonthChart = barChart("chart-title", "Cases opened each month", v.Months)
	var ts timeseries
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/reports/timeseries"+query("metric", v.Metric, "from", v.From,
		"to", v.To), nil, &ts); err != nil {
		return err
	}
	for _, p := range ts.Points {
		v.Series = append(v.Series, bar{Label: monthLabel(p.Month), Value: p.Value})
	}
	v.SeriesTotal = ts.Total
	v.SeriesChart = barChart("series-title", label(v.Metric)+" each month", v.Series)
	return con.render(c, http.StatusOK, "reports", "Reports", v, withNav("reports"))
}

// reportDownload passes the summary through as CSV or PDF for the same
// period; the API sets the file name.
func (con *Console) reportDownload(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		path := "/reports/summary" + query("from", c.Query("from"), "to", c.Query("to"), "format", format)
		return con.passDownload(c, path, "")
	}
}

// PeriodQuery is the chosen period as a query string for the download links.
func (v reportsView) PeriodQuery() string { return query("from", v.From, "to", v.To) }

func monthLabel(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return t.Format("Jan 2006")
}

// barChart draws a vertical bar chart as inline SVG (no script), with a
// title for screen readers; the page repeats the numbers in a table.
func barChart(id, title string, bars []bar) string {
	const w, h, pad, top = 640, 240, 40, 20
	var max int64 = 1
	for _, b := range bars {
		if b.Value > max {
			max = b.Value
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="tw-chart" role="img" aria-labelledby="%s" viewBox="0 0 %d %d" width="100%%" xmlns="http://www.w3.org/2000/svg">`,
		id, w, h+pad)
	fmt.Fprintf(&sb, `<title id="%s">%s</title>`, id, html.EscapeString(title))
	fmt.Fprintf(&sb, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#0b0c0c"/>`, pad, h, w-10, h)
	if len(bars) > 0 {
		slot := float64(w-pad-10) / float64(len(bars))
		for i, b := range bars {
			bh := float64(h-top) * float64(b.Value) / float64(max)
			x := float64(pad) + float64(i)*slot + slot*0.15
			fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#1d70b8"><title>%s: %d</title></rect>`,
				x, float64(h)-bh, slot*0.7, bh, html.EscapeString(b.Label), b.Value)
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="#0b0c0c">%d</text>`,
				x+slot*0.35, float64(h)-bh-4, b.Value)
			if len(bars) <= 12 || i%(len(bars)/12+1) == 0 {
				fmt.Fprintf(&sb, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#0b0c0c">%s</text>`,
					x+slot*0.35, h+16, html.EscapeString(b.Label))
			}
		}
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

type adminUser struct {
	ID                 string   `json:"id"`
	Email              string   `json:"email"`
	Name               string   `json:"name"`
	Roles              []string `json:"roles"`
	Disabled           bool     `json:"disabled"`
	MustChangePassword bool     `json:"must_change_password"`
}
