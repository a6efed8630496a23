package pdfdoc_test

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc"
	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
)

var spaces = regexp.MustCompile(`\s+`)

// flat collapses all whitespace, so that wrapped text reads as one line.
func flat(s string) string { return spaces.ReplaceAllString(s, " ") }

// A4 in points, and the lowest y (from the top) body content may reach.
const (
	a4W, a4H         = 595.28, 841.89
	mmToPt           = 72 / 25.4
	contentBottomPt  = (297 - 22) * mmToPt
	footerTopPt      = (297 - 16) * mmToPt
	runningHeaderMax = 20 * mmToPt
)

func TestNoticeEveryBlockIsExtractable(t *testing.T) {
	pdf := renderNotice(t, noticeOptions())
	pages := pdftext.Pages(t, pdf)
	if len(pages) != 3 {
		t.Fatalf("got %d pages, want 3", len(pages))
	}
	all := flat(strings.Join(pages, " "))
	for _, want := range []string{
		// letterhead
		authority, "Invicta House, County Hall", "Maidstone, Kent ME14 1XX",
		"Tel 03000 41 22 22", "trading.standards@kent.gov.uk",
		"Our ref " + noticeRef, "Date of issue 2 March 2026", "Officer Paweł Wójcik",
		// title
		"Compliance notice", "Product Security and Telecommunications Infrastructure Act 2022, section 28",
		// particulars
		"Served on Brightwave Devices Ltd (company no. 11223344)",
		"Registered office Unit 7, Café Quarter, 12 Müller Road, Ashford TN23 1AA",
		"Capacity Importer (sections 14–20)",
		"Verification code " + verifyCode,
		// numbered headings
		"1. Why this notice is given", "1.1 Breaches identified", "2. What you must do",
		"3. Schedule of evidence", "4. Your right of appeal",
		// paragraphs, including bold and italic runs
		"duties under Part 1, Chapter 2",
		"In particular, units of the product share the universal default password “admin”, contrary to paragraph 1",
		"and no defined support period is published, contrary to paragraph 3 of that Schedule.",
		"Failure to comply with this notice is an offence under section 32 of the Act.",
		"up to £10 million", "€11.6 million", "£20,000",
		"the authority’s decision",
		// bullets
		"• Paragraph 1 (passwords): every unit tested accepted the same default credentials after a factory reset.",
		"• Tell each distributor you supplied, including Maison Connectée SARL and Kühn Elektronik GmbH, of these steps.",
		// table
		"JW/01", "JW/25", "Statement of compliance in box of unit 5,", "signed J. Müller",
		// signature
		"Signed on behalf of the enforcement authority", "Senior Trading Standards Officer",
		"Date: 2 March 2026",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("extracted text lacks %q", want)
		}
	}

	footer := "Ref " + noticeRef + " · Verification code " + verifyCode
	header := "Compliance notice " + noticeRef + " · Brightwave Devices Ltd"
	for i, p := range pages {
		p = flat(p)
		if want := fmt.Sprintf("Page %d of 3", i+1); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		if !strings.Contains(p, footer) {
			t.Errorf("page %d lacks the footer %q", i+1, footer)
		}
		if got := strings.Contains(p, header); got != (i > 0) {
			t.Errorf("page %d: running header present = %v, want %v", i+1, got, i > 0)
		}
	}
}

func TestNoticeIsA4WithMetadata(t *testing.T) {
	info := pdftext.Info(t, renderNotice(t, noticeOptions()))
	if got := info["Page size"]; !strings.HasPrefix(got, "595.28 x 841.89 pts") {
		t.Errorf("page size %q, want A4 595.28 x 841.89 pts", got)
	}
	if got := info["Pages"]; got != "3" {
		t.Errorf("pages %q, want 3", got)
	}
	if got := info["Author"]; got != authority {
		t.Errorf("author %q, want %q", got, authority)
	}
	if got := info["Title"]; got != "Compliance notice "+noticeRef {
		t.Errorf("title %q", got)
	}
	if got := info["CreationDate"]; !strings.Contains(got, "2026") {
		t.Errorf("creation date %q, want the issue date", got)
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	opts := noticeOptions()
	opts.Watermark = "DRAFT"
	build := func(o pdfdoc.Options) []byte {
		doc := buildNotice(o)
		doc.BarChart(casesChart())
		var buf bytes.Buffer
		if err := doc.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	first := build(opts)
	for range 3 {
		if !bytes.Equal(first, build(opts)) {
			t.Fatal("same input rendered to different bytes")
		}
	}
	// The same instant in another time zone is the same document.
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err == nil {
		o := opts
		o.CreatedAt = opts.CreatedAt.In(warsaw)
		if !bytes.Equal(first, build(o)) {
			t.Error("time zone of CreatedAt changed the bytes")
		}
	}
	o := opts
	o.CreatedAt = opts.CreatedAt.Add(time.Hour)
	if bytes.Equal(first, build(o)) {
		t.Error("a different CreatedAt gave identical bytes")
	}
}

// longTable renders a table whose rows have very different heights, so that
// page breaks fall at awkward places.
func longTable(t *testing.T, rows int) ([]byte, pdfdoc.Options) {
	t.Helper()
	opts := noticeOptions()
	doc := pdfdoc.New(opts)
	doc.Title("Schedule of exhibits", "Continuation sheet")
	doc.Paragraph("A table long enough to run over several pages.")
	data := make([][]string, rows)
	for i := range data {
		desc := fmt.Sprintf("R%03d-start", i+1)
		for range (i * 7) % 23 {
			desc += " further description of the exhibit"
		}
		desc += fmt.Sprintf(" R%03d-end", i+1)
		data[i] = []string{fmt.Sprintf("X%03d", i+1), desc, "£" + fmt.Sprint(10*i) + ".00"}
	}
	doc.Table(pdfdoc.Table{
		Columns: []pdfdoc.Column{
			{Header: "Item", Width: 1},
			{Header: "Particulars of exhibit", Width: 5},
			{Header: "Value", Width: 1.2, Align: pdfdoc.AlignRight},
		},
		Rows: data,
	})
	doc.Paragraph("End of schedule.")
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), opts
}

func TestLongTableRepeatsHeaderAndNeverSplitsRows(t *testing.T) {
	pdf, _ := longTable(t, 90)
	pages := pdftext.Pages(t, pdf)
	if len(pages) < 4 {
		t.Fatalf("table fits on %d pages; want a longer test", len(pages))
	}
	pageOf := func(token string) int {
		found := -1
		for i, p := range pages {
			if n := strings.Count(p, token); n > 0 {
				if found >= 0 || n > 1 {
					t.Errorf("%s appears more than once", token)
				}
				found = i
			}
		}
		if found < 0 {
			t.Errorf("%s missing", token)
		}
		return found
	}
	last := 0
	for i := 1; i <= 90; i++ {
		start, end := pageOf(fmt.Sprintf("R%03d-start", i)), pageOf(fmt.Sprintf("R%03d-end", i))
		if start != end {
			t.Errorf("row %d split across pages %d and %d", i, start+1, end+1)
		}
		if start < last {
			t.Errorf("row %d on page %d, before the previous row", i, start+1)
		}
		last = start
	}
	headerRe := regexp.MustCompile(`Item\s+Particulars of exhibit\s+Value`)
	for i, p := range pages {
		if !strings.Contains(p, "-start") {
			continue
		}
		loc := headerRe.FindStringIndex(p)
		if loc == nil {
			t.Errorf("page %d has rows but no header row", i+1)
			continue
		}
		if first := strings.Index(p, "-start"); first < loc[0] {
			t.Errorf("page %d: a row precedes the header", i+1)
		}
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
	}
	checkInsideBody(t, pdf)
}

// checkInsideBody asserts that no text except the running header and the
// footer lies outside the body area, i.e. nothing ran over the footer.
func checkInsideBody(t *testing.T, pdf []byte) {
	t.Helper()
	for _, w := range pdftext.Words(t, pdf) {
		if w.XMin < 0 || w.XMax > a4W {
			t.Errorf("page %d: %q outside the page width", w.Page, w.Text)
		}
		if w.YMin >= footerTopPt || w.YMax <= runningHeaderMax {
			continue // footer or running header
		}
		if w.YMax > contentBottomPt+1 {
			t.Errorf("page %d: %q reaches y=%.1fpt, below the body (%.1fpt)", w.Page, w.Text, w.YMax, contentBottomPt)
		}
	}
}

func TestRowTallerThanAPageContinues(t *testing.T) {
	var long []string
	for i := range 150 {
		long = append(long, fmt.Sprintf("line-%03d", i))
	}
	doc := pdfdoc.New(noticeOptions())
	doc.Paragraph("Before the table.")
	doc.Table(pdfdoc.Table{
		Columns: []pdfdoc.Column{{Header: "Ref"}, {Header: "Transcript", Width: 4}},
		Rows:    [][]string{{"A", "short row"}, {"B", strings.Join(long, "\n")}, {"C", "after"}},
	})
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		t.Fatal(err)
	}
	text := pdftext.Extract(t, buf.Bytes())
	for _, l := range long {
		if strings.Count(text, l) != 1 {
			t.Errorf("%s appears %d times, want once", l, strings.Count(text, l))
		}
	}
	pages := pdftext.Pages(t, buf.Bytes())
	if len(pages) < 3 {
		t.Errorf("got %d pages, want the row to continue over at least 3", len(pages))
	}
	for i, p := range pages {
		if !regexp.MustCompile(`Ref\s+Transcript`).MatchString(p) {
			t.Errorf("page %d lacks the repeated header", i+1)
		}
	}
	checkInsideBody(t, buf.Bytes())
}

func TestWatermarkOverlaysWithoutTouchingText(t *testing.T) {
	plainPDF := renderNotice(t, noticeOptions())
	opts := noticeOptions()
	opts.Watermark = "DRAFT"
	markedPDF := renderNotice(t, opts)

	// The watermark is drawn as shapes: the extracted text is unchanged.
	if a, b := pdftext.Extract(t, plainPDF), pdftext.Extract(t, markedPDF); a != b {
		t.Errorf("watermark changed the extracted text:\n%s\n---\n%s", a, b)
	}
	for page := 1; page <= 3; page++ {
		plain := pdftext.Image(t, plainPDF, page, 40)
		marked := pdftext.Image(t, markedPDF, page, 40)
		if plain.Bounds() != marked.Bounds() {
			t.Fatalf("page %d: sizes differ", page)
		}
		changed, lightened := 0, 0
		for i, p := range plain.Pix {
			m := marked.Pix[i]
			if m != p {
				changed++
			}
			if int(m) > int(p)+8 {
				lightened++ // the watermark must never wash out content
			}
		}
		if share := float64(changed) / float64(len(plain.Pix)); share < 0.02 {
			t.Errorf("page %d: watermark changed only %.2f%% of pixels", page, 100*share)
		}
		if lightened > 0 {
			t.Errorf("page %d: watermark lightened %d pixels", page, lightened)
		}
	}
}

func casesChart() pdfdoc.BarChart {
	months := []string{"Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Aug 2025", "Sep 2025",
		"Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026"}
	return pdfdoc.BarChart{
		Title:  "Cases per month by status",
		Labels: months,
		Series: []pdfdoc.Series{
			{Name: "Investigating", Values: []float64{4, 6, 5, 8, 7, 9, 11, 10, 6, 12, 14, 9}},
			{Name: "Enforcement", Values: []float64{1, 2, 2, 3, 1, 4, 3, 5, 2, 4, 6, 3}},
			{Name: "Closed", Values: []float64{7, 5, 9, 6, 8, 7, 10, 12, 9, 11, 8, 13}},
		},
	}
}

func TestBarChart(t *testing.T) {
	doc := pdfdoc.New(pdfdoc.Options{Title: "Monthly report", CreatedAt: issuedAt, FooterLeft: "Analyst report"})
	doc.Title("Enforcement activity", "Kent, April 2025 – March 2026")
	doc.BarChart(casesChart())
	doc.BarChart(pdfdoc.BarChart{
		Title:  "Listings captured per retailer",
		Labels: []string{"Amazon Marketplace", "eBay", "Łódź Electronics", "Café Gadgets"},
		Series: []pdfdoc.Series{{Values: []float64{0.5, 1.25, 2, 0}}},
	})
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		t.Fatal(err)
	}
	text := flat(pdftext.Extract(t, buf.Bytes()))
	for _, want := range []string{
		"Cases per month by status", "Investigating", "Enforcement", "Closed",
		"Apr 2025", "Mar 2026", "28", // the stacked total for Feb 2026
		"Listings captured per retailer", "Łódź Electronics", "Café Gadgets", "1.25",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("chart text lacks %q", want)
		}
	}
	checkInsideBody(t, buf.Bytes())
}

func TestErrorsAreReportedByWrite(t *testing.T) {
	cases := map[string]struct {
		build func(*pdfdoc.Doc)
		opts  pdfdoc.Options
		want  string
	}{
		"no creation date": {opts: pdfdoc.Options{}, build: func(*pdfdoc.Doc) {}, want: "CreatedAt"},
		"ragged table": {build: func(d *pdfdoc.Doc) {
			d.Table(pdfdoc.Table{Columns: []pdfdoc.Column{{Header: "A"}, {Header: "B"}}, Rows: [][]string{{"1", "2"}, {"3"}}})
		}, want: "row 2 has 1 cells, want 2"},
		"table without columns": {build: func(d *pdfdoc.Doc) { d.Table(pdfdoc.Table{}) }, want: "no columns"},
		"negative column width": {build: func(d *pdfdoc.Doc) {
			d.Table(pdfdoc.Table{Columns: []pdfdoc.Column{{Header: "A", Width: -1}}})
		}, want: "invalid width"},
		"chart value count": {build: func(d *pdfdoc.Doc) {
			d.BarChart(pdfdoc.BarChart{Labels: []string{"a", "b"}, Series: []pdfdoc.Series{{Name: "s", Values: []float64{1}}}})
		}, want: "has 1 values, want 2"},
		"negative chart value": {build: func(d *pdfdoc.Doc) {
			d.BarChart(pdfdoc.BarChart{Labels: []string{"a"}, Series: []pdfdoc.Series{{Values: []float64{-1}}}})
		}, want: "invalid value"},
		"empty chart": {build: func(d *pdfdoc.Doc) { d.BarChart(pdfdoc.BarChart{Title: "x"}) }, want: "needs labels"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			opts := tc.opts
			if name != "no creation date" {
				opts = pdfdoc.Options{CreatedAt: issuedAt}
			}
			doc := pdfdoc.New(opts)
			tc.build(doc)
			doc.Paragraph("after the error")
			err := doc.Write(&bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	doc := pdfdoc.New(pdfdoc.Options{})
	if err := doc.Write(&bytes.Buffer{}); !errors.Is(err, pdfdoc.ErrNoCreatedAt) {
		t.Errorf("got %v, want ErrNoCreatedAt", err)
	}
	doc = pdfdoc.New(pdfdoc.Options{CreatedAt: issuedAt})
	if err := doc.Write(&bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := doc.Write(&bytes.Buffer{}); !errors.Is(err, pdfdoc.ErrWritten) {
		t.Errorf("second Write: got %v, want ErrWritten", err)
	}
}

func TestConcurrentRendersAgree(t *testing.T) {
	want := renderNotice(t, noticeOptions())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got := renderNotice(t, noticeOptions()); !bytes.Equal(got, want) {
				t.Error("concurrent render differs")
			}
		})
	}
	wg.Wait()
}

func TestAwkwardTextIsSafe(t *testing.T) {
	doc := pdfdoc.New(pdfdoc.Options{CreatedAt: issuedAt,
		FooterLeft: strings.Repeat("A footer far too long for one line ", 10),
		HeaderText: strings.Repeat("A running header far too long for one line ", 10)})
	doc.Paragraph("Emoji 🔒 outside the BMP,\ttabs,\r\ncontrol \x07 characters and invalid \xff bytes.")
	doc.Paragraph(strings.Repeat("https://example.com/a-very-long-path/without/any/spaces/", 8))
	doc.Table(pdfdoc.Table{
		Columns: []pdfdoc.Column{{Header: "Hash", Mono: true}, {Header: "", Width: 0.1}},
		Rows:    [][]string{{strings.Repeat("ab", 64), "x"}},
	})
	doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{{Header: "Nothing"}}, Empty: "No exhibits recorded."})
	doc.Bullets("", "only item")
	doc.RichParagraph(pdfdoc.Run{Text: "Mixed "}, pdfdoc.Run{Text: "italic", Italic: true},
		pdfdoc.Run{Text: " and "}, pdfdoc.Run{Text: "bold italic", Bold: true, Italic: true}, pdfdoc.Run{Text: " runs."})
	doc.Space(400)
	doc.RichParagraph()
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		t.Fatal(err)
	}
	text := flat(pdftext.Extract(t, buf.Bytes()))
	for _, want := range []string{"Emoji \uFFFD outside the BMP, tabs,", "No exhibits recorded.", "only item", "https://example.com/a-very-long-",
		"Mixed italic and bold italic runs."} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	// A footer too long for its line continues on a second, which is
	// shortened if even that is not enough; the page number keeps its place.
	if !strings.Contains(text, "A footer far too long Page 1 of 2 for one line") || !strings.Contains(text, "A foote… ") {
		t.Errorf("long footer not wrapped and shortened beside the page number: %q", text)
	}
	if strings.Contains(text, "\x07") {
		t.Error("control character reached the PDF")
	}
	checkInsideBody(t, buf.Bytes())
}
