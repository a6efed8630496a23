package pdftext_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc"
	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
)

func twoPages(t *testing.T) []byte {
	t.Helper()
	doc := pdfdoc.New(pdfdoc.Options{CreatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), FooterLeft: "Ref T-1"})
	doc.Paragraph("First page: £ é ł ü")
	doc.PageBreak()
	doc.Paragraph("Second page")
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHelpersReadBackADocument(t *testing.T) {
	pdf := twoPages(t)
	if got := pdftext.Extract(t, pdf); !strings.Contains(got, "First page: £ é ł ü") {
		t.Errorf("Extract: %q", got)
	}
	pages := pdftext.Pages(t, pdf)
	if len(pages) != 2 || !strings.Contains(pages[1], "Second page") || !strings.Contains(pages[1], "Page 2 of 2") {
		t.Errorf("Pages: %q", pages)
	}
	if info := pdftext.Info(t, pdf); info["Pages"] != "2" || !strings.Contains(info["Page size"], "(A4)") {
		t.Errorf("Info: %v", info)
	}
	var found bool
	for _, w := range pdftext.Words(t, pdf) {
		if w.Text == "Second" {
			found = w.Page == 2 && w.XMin > 0 && w.YMax > w.YMin
		}
	}
	if !found {
		t.Error("Words: no well-placed \"Second\" on page 2")
	}
	img := pdftext.Image(t, pdf, 1, 20)
	if b := img.Bounds(); b.Dx() < 150 || b.Dy() < 220 {
		t.Errorf("Image: unexpected size %v", b)
	}
}

// recorder stands in for a test so that skips and failures can be observed.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()                        {}
func (r *recorder) Skipf(format string, a ...any)  { r.skipped = true }
func (r *recorder) Fatalf(format string, a ...any) { r.failed = true }

func TestMissingToolSkipsUnlessRequired(t *testing.T) {
	t.Setenv("TW_REQUIRE_TOOLS", "")
	r := &recorder{TB: t}
	pdftext.Available(r, "no-such-poppler-tool")
	if !r.skipped || r.failed {
		t.Errorf("without TW_REQUIRE_TOOLS: skipped=%v failed=%v, want a skip", r.skipped, r.failed)
	}
	t.Setenv("TW_REQUIRE_TOOLS", "1")
	r = &recorder{TB: t}
	pdftext.Available(r, "no-such-poppler-tool")
	if r.skipped || !r.failed {
		t.Errorf("with TW_REQUIRE_TOOLS=1: skipped=%v failed=%v, want a failure", r.skipped, r.failed)
	}
}
