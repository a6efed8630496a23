// Package reportpdf draws the reports' PDFs with pkg/pdfdoc: the analysts'
// summary (tables and a chart of cases per month by status) and the case
// document of a referral package. It implements reports.Renderer and
// prints what it is given: redaction happened before.
package reportpdf

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
)

// Renderer draws report PDFs.
type Renderer struct{}

var _ reports.Renderer = Renderer{}

// New returns the renderer.
func New() Renderer { return Renderer{} }

// Count formats a count with thousands separators: 12,345.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Money formats pence as pounds: £1,234.56.
func Money(pence int64) string {
	sign := ""
	if pence < 0 {
		sign, pence = "-", -pence
	}
	return fmt.Sprintf("%s£%s.%02d", sign, Count(pence/100), pence%100)
}

// Days formats a duration in days, or "–" when there is none.
func Days(d *float64) string {
	if d == nil {
		return "–"
	}
	return strconv.FormatFloat(*d, 'f', 2, 64)
}

// Pct formats a percentage with one decimal place.
func Pct(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) + "%" }

func label(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return "–"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func date(t time.Time) string { return t.UTC().Format("2 January 2006") }

func dateTime(t time.Time) string { return t.UTC().Format("2 January 2006 15:04 UTC") }

func datePtr(t *time.Time) string {
	if t == nil {
		return "–"
	}
	return date(*t)
}

func monthLabel(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.Format("Jan 2006")
}

// periodText names the period inclusively: 1 January 2026 – 31 December 2026.
func periodText(p reports.Period) string {
	last := p.To.Add(-time.Nanosecond)
	if p.To.Equal(p.To.Truncate(24*time.Hour)) && p.From.Equal(p.From.Truncate(24*time.Hour)) {
		return date(p.From) + " – " + date(last)
	}
	return dateTime(p.From) + " – " + dateTime(p.To) + " (exclusive)"
}

func right(header string, weight float64) pdfdoc.Column {
	return pdfdoc.Column{Header: header, Width: weight, Align: pdfdoc.AlignRight}
}

func left(header string, weight float64) pdfdoc.Column {
	return pdfdoc.Column{Header: header, Width: weight}
}

// SummaryPDF draws the aggregate report.
func (Renderer) SummaryPDF(w io.Writer, s reports.Summary) error {
	title := "Enforcement summary: " + s.Scope.Label()
	doc := pdfdoc.New(pdfdoc.Options{Title: title, Author: "TradeWarden", Creator: "TradeWarden", Subject: "Aggregate enforcement statistics",
		CreatedAt: s.GeneratedAt, FooterLeft: s.Scope.Code() + " · " + periodText(s.Period) + " · no personal data",
		HeaderText: title})
	doc.Title("Enforcement summary", s.Scope.Label())
	fields := []pdfdoc.Field{
		{Label: "Authority", Value: s.Scope.Label()},
		{Label: "Period", Value: periodText(s.Period)},
		{Label: "Generated", Value: dateTime(s.GeneratedAt)},
	}
	for _, n := range s.Period.Notes {
		fields = append(fields, pdfdoc.Field{Label: "Note", Value: n})
	}
	doc.Particulars(fields...)

	doc.Heading("Cases")
	doc.Paragraph(fmt.Sprintf("%s cases opened and %s closed in the period.", Count(s.Cases.Opened), Count(s.Cases.Closed)))
	rows := [][]string{}
	for _, o := range s.Cases.ByOrigin {
		rows = append(rows, []string{label(o.Origin), Count(o.Opened), Count(o.Closed)})
	}
	rows = append(rows, []string{"Total", Count(s.Cases.Opened), Count(s.Cases.Closed)})
	doc.Subheading("By origin")
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Origin", 3), right("Opened", 1), right("Closed", 1)}, Rows: rows})
	rows = [][]string{}
	for _, st := range s.Cases.ByStatus {
		rows = append(rows, []string{label(st.Status), Count(st.Cases)})
	}
	doc.Subheading("Cases opened, by current status")
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Status", 3), right("Cases", 1)}, Rows: rows})
	rows = [][]string{}
	for _, r := range s.Cases.ByClosureReason {
		rows = append(rows, []string{label(r.Reason), Count(r.Closed)})
	}
	doc.Subheading("Cases closed, by reason")
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Closure reason", 3), right("Cases", 1)}, Rows: rows})
	doc.BarChart(monthChart(s.Cases))

	doc.Heading("Requirements most often failed")
	doc.Paragraph("Fail verdicts recorded in the period (one per case), and findings first recorded in the period that officers confirmed.")
	reqTable := func(title string, rs []reports.RequirementRow) {
		rows := [][]string{}
		for _, r := range rs {
			rows = append(rows, []string{strconv.Itoa(r.Rank), r.RequirementID, r.Title, Count(r.Cases), Count(r.Findings)})
		}
		doc.Subheading(title)
		doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{right("#", 0.5), left("Requirement", 1.2), left("Title", 4),
			right("Cases failed", 1.4), right("Confirmed findings", 1.6)}, Rows: rows, Empty: "No failures recorded."})
	}
	reqTable("PSTI security requirements", s.Requirements.PSTI)
	reqTable("ETSI EN 303 645 provisions", s.Requirements.EN303645)

	doc.Heading("Notices")
	rows = [][]string{}
	for _, n := range append(append([]reports.NoticeCount{}, s.Notices...), s.NoticeTotals) {
		rows = append(rows, []string{label(n.Type), Count(n.Issued), Count(n.Served), Count(n.Complied), Count(n.Breached),
			Count(n.Appealed), Count(n.Withdrawn)})
	}
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Type", 2.2), right("Issued", 1), right("Served", 1), right("Complied", 1.1),
		right("Breached", 1.1), right("Appealed", 1.1), right("Withdrawn", 1.2)}, Rows: rows})

	doc.Heading("Penalties")
	doc.Particulars(
		pdfdoc.Field{Label: "Penalties imposed", Value: Count(s.Penalties.Imposed)},
		pdfdoc.Field{Label: "Amount imposed", Value: Money(s.Penalties.ImposedPence)},
		pdfdoc.Field{Label: "Paid against them", Value: Money(s.Penalties.PaidPence)},
		pdfdoc.Field{Label: "Received in the period", Value: Money(s.Penalties.ReceivedPence)},
	)

	doc.Heading("Listings")
	doc.Paragraph("Listings observed in the period of products under investigation, and those removed after a notice about the product.")
	rows = [][]string{}
	for _, l := range append(append([]reports.ListingRow{}, s.Listings...), s.ListingTotals) {
		rows = append(rows, []string{label(l.MarketType), Count(l.Found), Count(l.Removed), Count(l.RemovedAfterAction), Pct(l.RemovedAfterActionPct)})
	}
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Market", 2), right("Found", 1), right("Removed", 1),
		right("After action", 1.3), right("Share", 1)}, Rows: rows})

	doc.Heading("Timings")
	rows = [][]string{}
	for _, t := range []struct {
		name string
		t    reports.Timing
	}{{"Opening to first notice", s.Timings.ToFirstNotice}, {"Opening to closure", s.Timings.ToClosure}} {
		rows = append(rows, []string{t.name, Count(t.t.Cases), Days(t.t.MedianDays), Days(t.t.P90Days)})
	}
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Days from opening to", 3), right("Cases", 1), right("Median", 1),
		right("90th percentile", 1.4)}, Rows: rows})

	doc.Heading("Manufacturers with most failed requirements")
	rows = [][]string{}
	for _, m := range s.Manufacturers {
		name := m.Name
		if m.SoleTrader {
			name += " (sole trader)"
		}
		rows = append(rows, []string{strconv.Itoa(m.Rank), name, m.Country, Count(m.Cases), Count(m.Failed)})
	}
	doc.Paragraph("Fail verdicts recorded in the period on the cases naming them manufacturer or own-brander, and how many of the cases had one.")
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{right("#", 0.5), left("Manufacturer", 4), left("Country", 1),
		right("Cases failing", 1.4), right("Fail verdicts", 1.4)}, Rows: rows, Empty: "No manufacturer failed a requirement."})
	doc.Paragraph("Sole traders are individuals: they are shown anonymised.")
	if err := doc.Write(w); err != nil {
		return fmt.Errorf("write summary pdf: %w", err)
	}
	return nil
}

// monthChart stacks the cases opened each month by current status; statuses
// no case has are left out of the legend.
func monthChart(c reports.CaseSection) pdfdoc.BarChart {
	chart := pdfdoc.BarChart{Title: "Cases opened per month, by current status"}
	for _, m := range c.PerMonth {
		chart.Labels = append(chart.Labels, monthLabel(m.Month))
	}
	for _, st := range c.ByStatus {
		if st.Cases == 0 {
			continue
		}
		series := pdfdoc.Series{Name: label(st.Status), Values: make([]float64, len(c.PerMonth))}
		for i, m := range c.PerMonth {
			series.Values[i] = float64(m.ByStatus[st.Status])
		}
		chart.Series = append(chart.Series, series)
	}
	if len(chart.Series) == 0 {
		chart.Series = []pdfdoc.Series{{Name: "Cases", Values: make([]float64, len(c.PerMonth))}}
	}
	if len(chart.Labels) == 0 {
		chart.Labels, chart.Series[0].Values = []string{"–"}, []float64{0}
	}
	return chart
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "Not answered"
	case *b:
		return "Yes"
	default:
		return "No"
	}
}

// CasePDF draws a referral package's case document.
func (Renderer) CasePDF(w io.Writer, f reports.CaseFile) error {
	c := f.Case
	doc := pdfdoc.New(pdfdoc.Options{Title: "Referral package " + c.Reference, Author: c.AuthorityName, Creator: "TradeWarden",
		Subject: "Case referral to " + f.Recipient, CreatedAt: f.GeneratedAt,
		FooterLeft: "Case " + c.Reference + " · package " + f.PackageID + " · redacted by rule",
		HeaderText: "Referral package " + c.Reference})
	doc.Letterhead(pdfdoc.Letterhead{Authority: c.AuthorityName, Address: []string{"Authority code " + c.AuthorityCode},
		Right: []pdfdoc.Field{{Label: "Case", Value: c.Reference}, {Label: "Date", Value: date(f.GeneratedAt)}}})
	doc.Title("Referral package", c.Title)
	doc.Particulars(
		pdfdoc.Field{Label: "For", Value: f.Recipient},
		pdfdoc.Field{Label: "Purpose", Value: f.Purpose},
		pdfdoc.Field{Label: "Issued by", Value: f.GeneratedBy.Name + " <" + f.GeneratedBy.Email + ">, " + f.GeneratedBy.AuthorityName},
		pdfdoc.Field{Label: "Generated", Value: dateTime(f.GeneratedAt)},
		pdfdoc.Field{Label: "Package", Value: f.PackageID, Mono: true},
	)

	doc.Heading("Case")
	fields := []pdfdoc.Field{
		{Label: "Reference", Value: c.Reference},
		{Label: "Origin", Value: label(c.Origin)},
		{Label: "Status", Value: label(c.Status)},
		{Label: "Risk", Value: label(c.Risk)},
		{Label: "Opened", Value: date(c.OpenedAt)},
	}
	if c.ClosedAt != nil {
		fields = append(fields, pdfdoc.Field{Label: "Closed", Value: date(*c.ClosedAt) + " (" + label(c.ClosureReason) + ")"})
	}
	if c.OfficerInCharge != "" {
		fields = append(fields, pdfdoc.Field{Label: "Officer in charge", Value: c.OfficerInCharge})
	}
	doc.Particulars(fields...)
	if c.Summary != "" {
		doc.Subheading("Summary")
		doc.Paragraph(c.Summary)
	}
	doc.Subheading("PSTI scope")
	scope := []pdfdoc.Field{
		{Label: "Connectable", Value: yesNo(c.Scope.Connectable)},
		{Label: "UK consumer product", Value: yesNo(c.Scope.UKConsumerProduct)},
		{Label: "Used or second-hand", Value: yesNo(c.Scope.UsedOrSecondHand)},
		{Label: "Excepted (Sch 3)", Value: yesNo(c.Scope.Excepted)},
	}
	if c.Scope.ExceptedCategory != "" {
		scope = append(scope, pdfdoc.Field{Label: "Excepted category", Value: c.Scope.ExceptedCategory})
	}
	doc.Particulars(scope...)

	doc.Heading("Products")
	rows := [][]string{}
	for _, p := range f.Products {
		soc := "None"
		if p.SoCPresent {
			soc = strings.TrimSpace(p.SoCStandard + " " + p.SoCVersion)
			if soc == "" {
				soc = "Present"
			}
		}
		support := datePtr(p.SupportEnd)
		if p.SupportShortened {
			support += " (shortened)"
		}
		rows = append(rows, []string{p.Brand + " " + p.Model, p.GTIN, label(p.Category), soc, support})
	}
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Product", 3), {Header: "GTIN", Width: 2, Mono: true}, left("Category", 1.5),
		left("Statement of compliance", 2), left("Support until", 1.6)}, Rows: rows, Empty: "No products linked."})

	doc.Heading("Economic operators")
	rows = [][]string{}
	for _, p := range f.Parties {
		details := []string{}
		for _, d := range []string{p.CompanyNumber, p.Address, p.Country, p.Website} {
			if d != "" {
				details = append(details, d)
			}
		}
		name := p.Operator
		if p.SoleTrader {
			name += " (sole trader)"
		}
		rows = append(rows, []string{name, label(p.Role), p.Product, strings.Join(details, "\n")})
	}
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Operator", 2.5), left("Role", 1.5), left("Product", 2), left("Details", 3)},
		Rows: rows, Empty: "No operators linked."})

	doc.Heading("Assessment")
	rows = [][]string{}
	for _, a := range f.Assessment {
		basis := a.Rationale
		if a.Reason != "" {
			basis = strings.TrimSpace(basis + "\n" + a.Reason)
		}
		if len(a.Exhibits) > 0 {
			basis = strings.TrimSpace(basis + "\nExhibits: " + strings.Join(a.Exhibits, ", "))
		}
		rows = append(rows, []string{a.RequirementID, a.Title, label(a.Verdict), basis})
	}
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Requirement", 1.3), left("Title", 2.2), left("Verdict", 1.3), left("Basis", 4.2)},
		Rows: rows, Empty: "Not assessed."})

	doc.Heading("Notices")
	rows = [][]string{}
	for _, n := range f.Notices {
		served := "Not served"
		if n.ServedAt != nil {
			served = date(*n.ServedAt) + " (" + label(n.ServeMethod) + ")"
		}
		money := ""
		if n.PenaltyPence != nil {
			money = "\nPenalty " + Money(*n.PenaltyPence)
			if n.PaidPence != nil {
				money += ", paid " + Money(*n.PaidPence)
			}
		}
		rows = append(rows, []string{n.Reference + "\n" + n.Title, n.Recipient, datePtr(n.IssuedAt) + "\nby " + n.IssuedBy,
			served, label(n.Status) + money, n.Verification})
	}
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Notice", 2.6), left("Recipient", 1.8), left("Issued", 1.6), left("Served", 1.5),
		left("Status", 1.6), {Header: "Verification", Width: 1.6, Mono: true}}, Rows: rows, Empty: "No notices issued."})
	for _, n := range f.Notices {
		doc.Subheading(n.Reference + ": particulars")
		doc.Paragraph(n.Title + " under " + n.LegalBasis + ", to " + n.Recipient + ". Requirements: " +
			orDash(strings.Join(n.RequirementIDs, ", ")) + ".")
		if n.ApprovedBy != "" {
			doc.Paragraph("Issued by " + n.IssuedBy + ", approved by " + n.ApprovedBy + ".")
		}
		if len(n.Steps) > 0 {
			doc.Bullets(n.Steps...)
		}
		if n.Reasons != "" {
			doc.Paragraph(n.Reasons)
		}
	}

	doc.Heading("Notes")
	if len(f.Notes) == 0 {
		doc.Paragraph("No shareable notes.")
	}
	for _, n := range f.Notes {
		doc.RichParagraph(pdfdoc.Run{Text: dateTime(n.At) + ", " + n.Author + ": ", Bold: true}, pdfdoc.Run{Text: n.Body})
	}
	if f.NotesWithheld > 0 {
		doc.Paragraph(fmt.Sprintf("%d note(s) not marked shareable were withheld (rule R5).", f.NotesWithheld))
	}

	doc.Heading("Exhibits")
	rows = [][]string{}
	for _, e := range f.Exhibits {
		rows = append(rows, []string{e.Ref, e.Path + "\n" + e.Description, Count(e.Size), e.SHA256})
	}
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Exhibit", 2.2), left("File", 3), right("Bytes", 1), {Header: "SHA-256", Width: 3, Mono: true}},
		Rows: rows, Empty: "No exhibits included."})
	if len(f.Withheld) > 0 {
		doc.Subheading("Not copied")
		rows = [][]string{}
		for _, e := range f.Withheld {
			rows = append(rows, []string{e.Ref, e.Reason, e.SHA256})
		}
		doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Exhibit", 2.2), left("Why", 4), {Header: "SHA-256", Width: 3, Mono: true}}, Rows: rows})
	}

	doc.Heading("Redactions")
	doc.Paragraph("Personal data was redacted by these rules before the package was generated.")
	rows = [][]string{}
	for _, r := range f.Redactions {
		rows = append(rows, []string{r.ID, r.Data, r.Action})
	}
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{left("Rule", 0.6), left("Personal data", 4), left("In this package", 4)}, Rows: rows,
		Empty: "No rule needed to apply."})
	if err := doc.Write(w); err != nil {
		return fmt.Errorf("write case pdf: %w", err)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
