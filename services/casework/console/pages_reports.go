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
		Total struct {
			Issued   int64 `json:"issued"`
			Complied int64 `json:"complied"`
		} `json:"total"`
	} `json:"notices"`
}

type bar struct {
	Label string
	Value int64
}

type reportsView struct {
	Report     reportSummary
	From, To   string
	MonthChart string
	Months     []bar
}

// reportsPage shows the authority's summary for a period, with the cases
// opened per month as a server-drawn chart and the same numbers as a table.
func (con *Console) reportsPage(c *fiber.Ctx) error {
	v := reportsView{From: c.Query("from"), To: c.Query("to")}
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
	v.MonthChart = barChart("Cases opened each month", v.Months)
	return con.render(c, http.StatusOK, "reports", "Reports", v, withNav("reports"))
}

func monthLabel(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return t.Format("Jan 2006")
}

// barChart draws a vertical bar chart as inline SVG (no script), with a
// title for screen readers; the page repeats the numbers in a table.
func barChart(title string, bars []bar) string {
	const w, h, pad, top = 640, 240, 40, 20
	var max int64 = 1
	for _, b := range bars {
		if b.Value > max {
			max = b.Value
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="tw-chart" role="img" aria-labelledby="chart-title" viewBox="0 0 %d %d" width="100%%" xmlns="http://www.w3.org/2000/svg">`, w, h+pad)
	fmt.Fprintf(&sb, `<title id="chart-title">%s</title>`, html.EscapeString(title))
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
