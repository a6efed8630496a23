package pdfdoc_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// BenchmarkRender3PageNotice renders the sample three-page compliance
// notice: letterhead, particulars, numbered sections, a 25-row schedule,
// signature, header and footer, in three faces (regular, bold, mono). Each
// further face costs gofpdf about 3 ms per document.
func BenchmarkRender3PageNotice(b *testing.B) {
	opts := noticeOptions()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := buildNotice(opts).Write(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/doc")
}

// BenchmarkRawGofpdf3Page lays out the same content with bare gofpdf calls
// (the same three faces, alias page numbers, manual row heights), as the
// baseline for the kit's overhead.
func BenchmarkRawGofpdf3Page(b *testing.B) {
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := rawNotice(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/doc")
}

func rawNotice(buf *bytes.Buffer) error {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(issuedAt)
	pdf.SetModificationDate(issuedAt)
	pdf.SetCatalogSort(true)
	pdf.AliasNbPages("{nb}")
	pdf.AddUTF8FontFromBytes("go", "", bytes.Clone(goregular.TTF))
	pdf.AddUTF8FontFromBytes("go", "B", bytes.Clone(gobold.TTF))
	pdf.AddUTF8FontFromBytes("gomono", "", bytes.Clone(gomono.TTF)) // gofpdf writes into it
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 22)
	pdf.SetHeaderFunc(func() {
		if pdf.PageNo() > 1 {
			pdf.SetFont("go", "", 8)
			pdf.Text(20, 12, "Compliance notice "+noticeRef+" · Brightwave Devices Ltd")
			pdf.Line(20, 14.5, 190, 14.5)
		}
		pdf.SetY(20)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("go", "", 8)
		pdf.CellFormat(120, 5, "Ref "+noticeRef+" · Verification code "+verifyCode, "T", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "T", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	pdf.SetFont("go", "B", 15)
	pdf.CellFormat(100, 7, authority, "", 0, "L", false, 0, "")
	pdf.SetFont("go", "", 9)
	pdf.CellFormat(0, 7, "Our ref "+noticeRef, "", 1, "R", false, 0, "")
	for _, l := range []string{"Invicta House, County Hall", "Maidstone, Kent ME14 1XX", "Tel 03000 41 22 22", "trading.standards@kent.gov.uk"} {
		pdf.CellFormat(0, 4.3, l, "", 1, "L", false, 0, "")
	}
	pdf.Ln(6)
	pdf.SetFont("go", "B", 16)
	pdf.CellFormat(0, 7.4, "Compliance notice", "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 11)
	pdf.CellFormat(0, 5.4, "Product Security and Telecommunications Infrastructure Act 2022, section 28", "", 1, "L", false, 0, "")
	pdf.Ln(6)
	for _, kv := range [][2]string{
		{"Served on", "Brightwave Devices Ltd (company no. 11223344)"},
		{"Registered office", "Unit 7, Café Quarter, 12 Müller Road, Ashford TN23 1AA"},
		{"Capacity", "Importer (sections 14–20)"},
		{"Product", "SmartCam Pro 2 indoor security camera, model SC-P2-UK, batch 2025-11"},
		{"Compliance period", "28 days from the date of service"},
	} {
		pdf.SetFont("go", "B", 9)
		pdf.CellFormat(45, 8, kv[0], "B", 0, "L", true, 0, "")
		pdf.SetFont("go", "", 10)
		pdf.MultiCell(0, 8, kv[1], "B", "L", false)
	}
	pdf.SetFont("gomono", "", 10)
	pdf.CellFormat(0, 8, verifyCode, "B", 1, "L", false, 0, "")

	heading := func(s string) {
		pdf.Ln(4)
		pdf.SetFont("go", "B", 12)
		pdf.CellFormat(0, 6, s, "", 1, "L", false, 0, "")
	}
	para := func(s string) {
		pdf.SetFont("go", "", 10)
		pdf.MultiCell(0, 4.9, s, "", "L", false)
		pdf.Ln(2.6)
	}
	bullets := func(items ...string) {
		for _, it := range items {
			pdf.SetFont("go", "", 10)
			pdf.CellFormat(6, 4.9, "•", "", 0, "L", false, 0, "")
			pdf.MultiCell(0, 4.9, it, "", "L", false)
		}
		pdf.Ln(2.6)
	}
	heading("1. Why this notice is given")
	para("The enforcement authority has reasonable grounds to believe that you have failed to comply with duties " +
		"under Part 1, Chapter 2 of the Product Security and Telecommunications Infrastructure Act 2022 in respect " +
		"of the product described above, which you made available to consumers in the United Kingdom through your " +
		"own website and through the online shop of Maison Connectée SARL.")
	pdf.SetFont("go", "", 10)
	pdf.Write(4.9, "In particular, ")
	pdf.SetFont("go", "B", 10)
	pdf.Write(4.9, "units of the product share the universal default password “admin”")
	pdf.SetFont("go", "", 10)
	pdf.Write(4.9, ", contrary to paragraph 1 of Schedule 1 to the Product Security (Security Requirements for "+
		"Relevant Connectable Products) Regulations 2023, and ")
	pdf.SetFont("go", "B", 10)
	pdf.Write(4.9, "no defined support period is published")
	pdf.SetFont("go", "", 10)
	pdf.Write(4.9, ", contrary to paragraph 3 of that Schedule.")
	pdf.Ln(7.5)
	heading("1.1 Breaches identified")
	bullets("Paragraph 1 (passwords): every unit tested accepted the same default credentials after a factory reset.",
		"Paragraph 2 (reporting security issues): no contact point for security reports was published.",
		"Paragraph 3 (security update period): the sales page and packaging state no support end date.")
	heading("2. What you must do")
	para("Within the compliance period you must take the following steps and send evidence that you have done so " +
		"to the officer named above:")
	bullets("Stop supplying units of the product that use a universal default password.",
		"Publish a defined support period, with its end date, on every sales page for the product.",
		"Publish a point of contact for reporting security issues, with timescales for acknowledgement.",
		"Tell each distributor you supplied, including Maison Connectée SARL and Kühn Elektronik GmbH, of these steps.")
	pdf.SetFont("go", "B", 10)
	pdf.MultiCell(0, 4.9, "Failure to comply with this notice is an offence under section 32 of the Act. A monetary "+
		"penalty of up to £10 million or 4% of qualifying worldwide revenue (for example €11.6 million), plus up to "+
		"£20,000 for each day the failure continues, may also be imposed.", "", "L", false)
	heading("3. Schedule of evidence")
	para("The exhibits listed below were obtained by officers of the authority and are retained in accordance with " +
		"the Criminal Procedure and Investigations Act 1996 Code of Practice.")

	widths := []float64{16.8, 70.7, 23.6, 23.6, 35.3}
	header := func() {
		pdf.SetFont("go", "B", 9)
		for i, c := range scheduleColumns {
			pdf.CellFormat(widths[i], 7.3, c.Header, "", 0, "L", true, 0, "")
		}
		pdf.Ln(-1)
	}
	header()
	for _, r := range scheduleRows(25) {
		pdf.SetFont("go", "", 9)
		lines := 1
		for i, s := range r {
			lines = max(lines, len(pdf.SplitText(s, widths[i])))
		}
		h := float64(lines)*4.3 + 3
		if pdf.GetY()+h > 297-22 {
			pdf.AddPage()
			header()
		}
		x, y := pdf.GetXY()
		for i, s := range r {
			if i == 4 {
				pdf.SetFont("gomono", "", 9)
			}
			pdf.SetXY(x, y)
			pdf.MultiCell(widths[i], 4.3, s, "", "L", false)
			x += widths[i]
		}
		pdf.SetXY(20, y+h)
	}
	heading("4. Your right of appeal")
	para("You may appeal against this notice to the First-tier Tribunal (General Regulatory Chamber) within 28 days " +
		"beginning with the day on which the notice was given. An appeal does not suspend the notice unless the " +
		"Tribunal so orders. If you do not appeal, the authority’s decision becomes final.")
	pdf.SetFont("go", "", 9)
	pdf.CellFormat(0, 4.9, "Signed on behalf of the enforcement authority", "", 1, "L", false, 0, "")
	pdf.Ln(15)
	pdf.Line(20, pdf.GetY(), 95, pdf.GetY())
	pdf.Ln(2)
	pdf.SetFont("go", "B", 10)
	pdf.CellFormat(0, 4.9, "Paweł Wójcik", "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	for _, l := range []string{"Senior Trading Standards Officer", authority, "Date: 2 March 2026"} {
		pdf.CellFormat(0, 4.9, l, "", 1, "L", false, 0, "")
	}
	return pdf.Output(buf)
}

func TestRawBaselineIsComparable(t *testing.T) {
	var buf bytes.Buffer
	if err := rawNotice(&buf); err != nil {
		t.Fatal(err)
	}
	pdf := renderNotice(t, noticeOptions())
	t.Logf("raw gofpdf: %d bytes; pdfdoc: %d bytes", buf.Len(), len(pdf))
}
