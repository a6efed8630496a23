package pdfdoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW         = 210.0
	pageH         = 297.0
	marginL       = 20.0
	marginR       = 20.0
	marginTop     = 20.0
	contentBottom = pageH - 22 // last usable y; the footer lives below
	contentW      = pageW - marginL - marginR
	headerY       = 12.0 // baseline of the running header
	footerRuleY   = pageH - 16
	footerY       = pageH - 11.5 // baseline of the footer text
)

// Type sizes in points and line heights in millimetres.
const (
	bodySize   = 10.0
	bodyLead   = 4.9
	smallSize  = 8.0
	tableSize  = 9.0
	tableLead  = 4.3
	footerSize = 8.0
)

// nbAlias is replaced by gofpdf with the total page count when the document
// is written.
const nbAlias = "{nb}"

type rgb struct{ r, g, b int }

var (
	colText      = rgb{33, 37, 41}
	colMuted     = rgb{96, 103, 112}
	colAccent    = rgb{23, 55, 94}
	colRule      = rgb{200, 206, 214}
	colHeadFill  = rgb{226, 232, 240}
	colStripe    = rgb{246, 248, 250}
	colLabelFill = rgb{243, 245, 248}
	colWatermark = rgb{230, 230, 230}
)

// Options describe the document as a whole.
type Options struct {
	Title   string // PDF metadata title
	Author  string // PDF metadata author, e.g. the issuing authority
	Subject string // PDF metadata subject
	Creator string // PDF metadata creator, e.g. "TradeWarden"

	// CreatedAt is written as both creation and modification date. It is
	// required: with a fixed date the same inputs give identical bytes.
	CreatedAt time.Time

	FooterLeft string // left side of the footer on every page
	HeaderText string // running header on pages 2 onwards; empty for none
	// Watermark is set diagonally across every page in light grey, e.g.
	// "DRAFT". It is drawn as outlines in the Multiply blend mode: text stays
	// dark and readable beneath it, and text extraction does not see it.
	Watermark string
}

// ErrNoCreatedAt is returned by Write when Options.CreatedAt was zero.
var ErrNoCreatedAt = errors.New("pdfdoc: Options.CreatedAt is required for reproducible output")

// ErrWritten is returned by a second call to Write; blocks added after
// Write are ignored.
var ErrWritten = errors.New("pdfdoc: document already written")

// Doc is a document under construction. Blocks are laid out top to bottom in
// the order their methods are called; page breaks happen automatically. The
// first error is kept and returned by Write, so block methods return nothing.
// A Doc is not safe for concurrent use.
type Doc struct {
	pdf  *gofpdf.Fpdf
	opts Options
	y    float64 // layout cursor: top of the next block

	registered [numFaces]bool
	met        [numFaces]*metrics
	curFace    face
	curSize    float64
	curValid   bool

	section, subsection int
	written             bool
	wm                  *watermarkShape
}

// New starts a document with its first page.
func New(opts Options) *Doc {
	opts.FooterLeft = cleanText(opts.FooterLeft)
	opts.HeaderText = cleanText(opts.HeaderText)
	opts.Watermark = cleanText(opts.Watermark)
	pdf := gofpdf.NewCustom(&gofpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		SizeStr:        "A4",
	})
	d := &Doc{pdf: pdf, opts: opts}
	if opts.CreatedAt.IsZero() {
		pdf.SetError(ErrNoCreatedAt)
		return d
	}
	// UTC keeps the bytes independent of the server's time zone.
	pdf.SetCreationDate(opts.CreatedAt.UTC())
	pdf.SetModificationDate(opts.CreatedAt.UTC())
	pdf.SetCatalogSort(true) // gofpdf otherwise emits some objects in map order
	pdf.SetTitle(cleanText(opts.Title), true)
	pdf.SetAuthor(cleanText(opts.Author), true)
	pdf.SetSubject(cleanText(opts.Subject), true)
	pdf.SetCreator(cleanText(opts.Creator), true)
	// Must precede font registration: gofpdf sizes its initial glyph subset
	// differently once an alias is set.
	pdf.AliasNbPages(nbAlias)
	pdf.SetMargins(marginL, marginTop, marginR)
	// All breaks are decided by the layout code so that rows and blocks are
	// never split by gofpdf behind its back.
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetHeaderFuncMode(d.pageHeader, false)
	pdf.SetFooterFunc(d.pageFooter)
	if opts.Watermark != "" {
		d.wm = d.prepareWatermark(opts.Watermark)
	}
	d.newPage()
	return d
}

// Write finishes the document and writes the PDF to w. It reports the first
// error met while building the document.
func (d *Doc) Write(w io.Writer) error {
	if d.written {
		return ErrWritten
	}
	d.written = true
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("build pdf: %w", err)
	}
	if err := d.pdf.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// PageCount returns the number of pages laid out so far.
func (d *Doc) PageCount() int { return d.pdf.PageCount() }

// ok reports whether building may continue.
func (d *Doc) ok() bool {
	if d.written {
		return false
	}
	return !d.pdf.Err()
}

func (d *Doc) fail(format string, args ...any) {
	d.pdf.SetError(fmt.Errorf("pdfdoc: "+format, args...))
}

// newPage starts a page; gofpdf draws the previous footer and the new header.
func (d *Doc) newPage() {
	d.pdf.AddPage()
	// AddPage restores the font that was current before the footer ran, so
	// the cached selection may be stale.
	d.curValid = false
	d.y = marginTop
}

// fits reports whether a block of height h fits below the cursor.
func (d *Doc) fits(h float64) bool { return d.y+h <= contentBottom+1e-6 }

// ensure starts a new page unless h millimetres fit below the cursor. A block
// taller than a whole page is placed at the top of a fresh page.
func (d *Doc) ensure(h float64) {
	if !d.fits(h) && d.y > marginTop+1e-6 {
		d.newPage()
	}
}

// metricsFor returns the (process-wide) metrics of f.
func (d *Doc) metricsFor(f face) *metrics {
	if m := d.met[f]; m != nil {
		return m
	}
	m, err := faceMetrics(f)
	if err != nil {
		d.fail("font metrics: %v", err)
		// Fall back to regular so layout code never sees nil.
		if f != faceRegular {
			return d.metricsFor(faceRegular)
		}
		return &metrics{widths: make([]uint16, 1<<16), missing: 500}
	}
	d.met[f] = m
	return m
}

// width returns the width of s in mm.
func (d *Doc) width(f face, size float64, s string) float64 {
	return d.metricsFor(f).units(s) * size * ptToMM / 1000
}

// wrap breaks s into lines of at most w mm.
func (d *Doc) wrap(f face, size, w float64, s string) []string {
	return wrap(d.metricsFor(f), s, size, w)
}

// setFont selects a face, registering it with gofpdf on first use: each
// registration re-parses the TTF (about 2 ms), so unused faces cost nothing.
func (d *Doc) setFont(f face, size float64) {
	if d.curValid && d.curFace == f && d.curSize == size {
		return
	}
	spec := faceSpecs[f]
	if !d.registered[f] {
		// gofpdf writes into the byte slice it is given (its checksum code
		// appends padding in place while subsetting), so each document gets
		// its own copy: sharing the package-level TTF would be a data race
		// between concurrent renders. The copy costs ~10 µs.
		d.pdf.AddUTF8FontFromBytes(spec.family, spec.style, bytes.Clone(spec.ttf))
		d.registered[f] = true
	}
	d.pdf.SetFont(spec.family, spec.style, size)
	d.curFace, d.curSize, d.curValid = f, size, true
}

func (d *Doc) textColor(c rgb) { d.pdf.SetTextColor(c.r, c.g, c.b) }
func (d *Doc) fillColor(c rgb) { d.pdf.SetFillColor(c.r, c.g, c.b) }
func (d *Doc) drawColor(c rgb) { d.pdf.SetDrawColor(c.r, c.g, c.b) }

// text draws s with its left end at x on the baseline of a line box whose
// top is top and height lh.
func (d *Doc) text(f face, size float64, c rgb, x, top, lh float64, s string) {
	if s == "" {
		return
	}
	d.setFont(f, size)
	d.textColor(c)
	d.pdf.Text(x, baseline(top, lh, size), s)
}

// baseline centres a line of type in a box, as gofpdf's cells do.
func baseline(top, lh, size float64) float64 {
	return top + 0.5*lh + 0.35*size*ptToMM
}

// rule draws a horizontal line across [x1, x2] at y.
func (d *Doc) rule(x1, x2, y, width float64, c rgb) {
	d.drawColor(c)
	d.pdf.SetLineWidth(width)
	d.pdf.Line(x1, y, x2, y)
}

// fillRect paints a rectangle without a border.
func (d *Doc) fillRect(x, y, w, h float64, c rgb) {
	d.fillColor(c)
	d.pdf.Rect(x, y, w, h, "F")
}

// pageHeader runs at the start of every page and draws the running header.
func (d *Doc) pageHeader() {
	d.curValid = false
	if d.opts.HeaderText != "" && d.pdf.PageNo() >= 2 {
		s := d.fitText(faceRegular, smallSize, contentW, d.opts.HeaderText)
		d.setFont(faceRegular, smallSize)
		d.textColor(colMuted)
		d.pdf.Text(marginL, headerY, s)
		d.rule(marginL, pageW-marginR, headerY+2.5, 0.2, colRule)
	}
}

// pageFooter runs when a page is finished: the watermark over the page,
// then a hairline, the caller's text on the left and "Page x of y" on the
// right.
func (d *Doc) pageFooter() {
	d.curValid = false
	if d.wm != nil {
		d.drawWatermark(d.wm)
	}
	d.rule(marginL, pageW-marginR, footerRuleY, 0.2, colRule)
	page := strconv.Itoa(d.pdf.PageNo())
	label := "Page " + page + " of " + nbAlias
	// The alias is replaced after layout, so right-align as if the total had
	// as many digits as this page's number (exact for documents under ten
	// pages; off by at most a digit's width otherwise). The last page prints
	// the total itself, which also puts its digits in the font subset.
	labelW := d.width(faceRegular, footerSize, "Page "+page+" of "+page)
	x := pageW - marginR - labelW
	d.setFont(faceRegular, footerSize)
	d.textColor(colMuted)
	d.pdf.Text(x, footerY, label)
	if d.opts.FooterLeft != "" {
		// Text too long for the line continues on a second one (a long
		// address must not lose its end); only a third line's worth is cut.
		w := x - marginL - 6
		lines := d.wrap(faceRegular, footerSize, w, d.opts.FooterLeft)
		if len(lines) > 0 {
			d.pdf.Text(marginL, footerY, lines[0])
		}
		if len(lines) > 1 {
			rest := strings.Join(lines[1:], " ")
			d.pdf.Text(marginL, footerY+3.6, d.fitText(faceRegular, footerSize, w, rest))
		}
	}
}

// fitText shortens s with an ellipsis so that it fits in w mm.
func (d *Doc) fitText(f face, size, w float64, s string) string {
	if d.width(f, size, s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.width(f, size, string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
