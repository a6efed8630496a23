package pdfdoc

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Field is one "label: value" pair, used by particulars tables and the
// right-hand block of a letterhead.
type Field struct {
	Label string
	Value string
	Mono  bool // set the value in a monospaced face (hashes, codes)
}

// Letterhead is the issuing authority's block at the top of the first page.
type Letterhead struct {
	Authority string // e.g. "Kent County Council Trading Standards"
	// Byline is a line under the name, e.g. "on behalf of the Secretary of State".
	Byline string
	// Logo is a PNG drawn at the top left, above the name, at most 16 mm
	// high and 40 mm wide.
	Logo    []byte
	Address []string // postal address, one line each
	Contact []string // telephone, email, web; one line each
	Right   []Field  // optional right-aligned block, e.g. reference and date
}

// Run is a stretch of paragraph text in one style.
type Run struct {
	Text   string
	Bold   bool
	Italic bool
}

// Signature is the signing-off block of a notice.
type Signature struct {
	Label     string // lead-in above the signature line; defaults to "Signed"
	Name      string
	Role      string
	Authority string
	Date      string // already formatted, e.g. "2 March 2026"
	// Contact lines follow the name (telephone, email), one each.
	Contact []string
	// Lead paragraphs come just before the block and stay on its page, so
	// that no page holds a signature alone.
	Lead []string
	// QR, when set, is drawn to the right of the signature with its lines.
	QR *QR
	// Note is a paragraph after the block, kept on its page (e.g. who
	// approved the document).
	Note string
}

// Letterhead draws the authority block: name, address and contact on the
// left, the optional fields right-aligned, and a rule beneath.
func (d *Doc) Letterhead(l Letterhead) {
	if !d.ok() {
		return
	}
	const (
		nameSize, nameLead = 15.0, 6.6
		infoSize, infoLead = 9.0, 4.3
		gap                = 6.0
	)
	rightW := 0.0
	if len(l.Right) > 0 {
		rightW = contentW * 0.42
	}
	leftW := contentW - rightW
	if rightW > 0 {
		leftW -= gap
	}
	d.ensure(30)
	top := d.y

	// Left column, under the logo if there is one.
	y, x := top, marginL
	if _, h, ok := d.logo(l.Logo, marginL, top); ok {
		y += h + 3
	}
	for _, line := range d.wrap(faceBold, nameSize, leftW, cleanText(l.Authority)) {
		d.text(faceBold, nameSize, colAccent, x, y, nameLead, line)
		y += nameLead
	}
	if l.Byline != "" {
		for _, line := range d.wrap(faceRegular, infoSize+1, leftW, cleanText(l.Byline)) {
			d.text(faceRegular, infoSize+1, colText, x, y, infoLead+0.4, line)
			y += infoLead + 0.4
		}
	}
	y += 1
	for i, group := range [][]string{l.Address, l.Contact} {
		if i == 1 && len(l.Contact) > 0 && len(l.Address) > 0 {
			y += 1.2
		}
		for _, raw := range group {
			for _, line := range d.wrap(faceRegular, infoSize, leftW, cleanText(raw)) {
				d.text(faceRegular, infoSize, colMuted, x, y, infoLead, line)
				y += infoLead
			}
		}
	}

	// Right column: "Label  Value" per line, right-aligned; a value too long
	// for the line goes under its label.
	ry := top + 1
	right := pageW - marginR
	for _, f := range l.Right {
		label, value := cleanText(f.Label), cleanText(f.Value)
		vf := faceBold
		if f.Mono {
			vf = faceMono
		}
		lw := d.width(faceRegular, infoSize, label)
		vw := d.width(vf, infoSize, value)
		if lw+2.5+vw <= rightW {
			d.text(vf, infoSize, colText, right-vw, ry, infoLead+0.4, value)
			d.text(faceRegular, infoSize, colMuted, right-vw-2.5-lw, ry, infoLead+0.4, label)
			ry += infoLead + 0.4
			continue
		}
		d.text(faceRegular, infoSize, colMuted, right-lw, ry, infoLead+0.4, label)
		ry += infoLead + 0.4
		for _, line := range d.wrap(vf, infoSize, rightW, value) {
			d.text(vf, infoSize, colText, right-d.width(vf, infoSize, line), ry, infoLead+0.4, line)
			ry += infoLead + 0.4
		}
	}

	y = math.Max(y, ry) + 3
	d.rule(marginL, pageW-marginR, y, 0.6, colAccent)
	d.y = y + 8
}

// Title draws the document title and an optional subtitle.
func (d *Doc) Title(title, subtitle string) {
	if !d.ok() {
		return
	}
	const (
		titleSize, titleLead = 16.0, 7.4
		subSize, subLead     = 11.0, 5.4
	)
	tl := d.wrap(faceBold, titleSize, contentW, cleanText(title))
	var sl []string
	if subtitle != "" {
		sl = d.wrap(faceRegular, subSize, contentW, cleanText(subtitle))
	}
	// Keep the title with the start of what follows it.
	d.ensure(float64(len(tl))*titleLead + float64(len(sl))*subLead + 25)
	for _, line := range tl {
		d.text(faceBold, titleSize, colText, marginL, d.y, titleLead, line)
		d.y += titleLead
	}
	if len(sl) > 0 {
		d.y += 0.8
		for _, line := range sl {
			d.text(faceRegular, subSize, colMuted, marginL, d.y, subLead, line)
			d.y += subLead
		}
	}
	d.y += 6
}

// Particulars draws a two-column "label: value" table, such as the
// particulars of a notice. Rows never split across pages.
func (d *Doc) Particulars(fields ...Field) {
	if !d.ok() || len(fields) == 0 {
		return
	}
	const (
		labelSize, valueSize = 9.0, bodySize
		lead, padX, padY     = 4.6, 2.2, 1.7
	)
	labelW := 0.0
	for _, f := range fields {
		labelW = math.Max(labelW, d.width(faceBold, labelSize, cleanText(f.Label)))
	}
	labelW = math.Min(math.Max(labelW+2*padX, 38), 72)
	valueX := marginL + labelW
	valueW := contentW - labelW

	d.ensure(2 * (lead + 2*padY))
	d.rule(marginL, pageW-marginR, d.y, 0.25, colRule)
	for _, f := range fields {
		vf := faceRegular
		if f.Mono {
			vf = faceMono
		}
		cells := []cell{
			{x: marginL, w: labelW, face: faceBold, size: labelSize, color: colMuted,
				lines: d.wrap(faceBold, labelSize, labelW-2*padX, cleanText(f.Label))},
			{x: valueX, w: valueW, face: vf, size: valueSize, color: colText,
				lines: d.wrap(vf, valueSize, valueW-2*padX, cleanText(f.Value))},
		}
		h := rowHeight(cells, lead, padY)
		if !d.fits(h) {
			d.newPage()
			d.rule(marginL, pageW-marginR, d.y, 0.25, colRule)
		}
		d.fillRect(marginL, d.y, labelW, h, colLabelFill)
		d.drawCells(cells, d.y, lead, padX, padY, 0, maxLines(cells))
		d.y += h
		d.rule(marginL, pageW-marginR, d.y, 0.25, colRule)
	}
	d.y += 6
}

// Heading starts a numbered section ("1.", "2.", ...) and returns its number.
func (d *Doc) Heading(text string) string {
	d.section++
	d.subsection = 0
	num := strconv.Itoa(d.section)
	d.heading(num+".", text, 12, 6.0, colAccent, 4)
	return num
}

// Subheading starts a numbered subsection ("1.1", "1.2", ...) of the current
// section and returns its number.
func (d *Doc) Subheading(text string) string {
	d.subsection++
	num := strconv.Itoa(d.section) + "." + strconv.Itoa(d.subsection)
	d.heading(num, text, bodySize+0.5, 5.2, colText, 2.5)
	return num
}

func (d *Doc) heading(num, text string, size, lead float64, c rgb, before float64) {
	if !d.ok() {
		return
	}
	const indent = 10.0
	lines := d.wrap(faceBold, size, contentW-indent, cleanText(text))
	// Keep the heading with at least three lines of what follows.
	h := before + float64(len(lines))*lead + 1.5 + 3*bodyLead
	if !d.fits(h) {
		d.newPage()
	} else if d.y > marginTop+1e-6 {
		d.y += before
	}
	d.text(faceBold, size, c, marginL, d.y, lead, num)
	for _, line := range lines {
		d.text(faceBold, size, c, marginL+indent, d.y, lead, line)
		d.y += lead
	}
	d.y += 1.5
}

// Paragraph draws wrapped body text. Newlines in text start new lines.
func (d *Doc) Paragraph(text string) { d.RichParagraph(Run{Text: text}) }

// BoldParagraph draws a paragraph entirely in bold.
func (d *Doc) BoldParagraph(text string) { d.RichParagraph(Run{Text: text, Bold: true}) }

// RichParagraph draws a paragraph whose runs may switch between regular,
// bold and italic, wrapping across runs as one text.
func (d *Doc) RichParagraph(runs ...Run) {
	if !d.ok() {
		return
	}
	lines := d.layoutRuns(runs, bodySize, contentW)
	d.drawLines(lines, marginL, bodySize, bodyLead)
	d.y += 2.6
}

// Bullets draws a bulleted list; each item wraps with a hanging indent.
func (d *Doc) Bullets(items ...string) {
	if !d.ok() {
		return
	}
	const indent = 6.0
	for i, item := range items {
		lines := d.layoutRuns([]Run{{Text: item}}, bodySize, contentW-indent)
		if len(lines) == 0 {
			continue
		}
		if i > 0 {
			d.y += 1.2
		}
		// The bullet must land on the same page as the item's first line.
		d.ensure(math.Min(float64(len(lines)), 2) * bodyLead)
		d.text(faceRegular, bodySize, colAccent, marginL+1.2, d.y, bodyLead, "•")
		d.drawLines(lines, marginL+indent, bodySize, bodyLead)
	}
	d.y += 2.6
}

// Signature draws the signing-off block, kept together on one page with its
// lead paragraphs and, on the right, its QR code.
func (d *Doc) Signature(s Signature) {
	if !d.ok() {
		return
	}
	const (
		lead     = bodyLead
		inkSpace = 15.0
		lineW    = 75.0
		leftW    = 98.0 // with a QR code beside it
	)
	textW := contentW
	if s.QR != nil {
		textW = leftW
	}
	label := s.Label
	if label == "" {
		label = "Signed"
	}
	type row struct {
		f face
		s string
	}
	var rows []row
	add := func(f face, s string) {
		if s = cleanText(s); s != "" {
			rows = append(rows, row{f, s})
		}
	}
	add(faceBold, s.Name)
	add(faceRegular, s.Role)
	add(faceRegular, s.Authority)
	for _, c := range s.Contact {
		add(faceRegular, c)
	}
	if s.Date != "" {
		add(faceRegular, "Date: "+s.Date)
	}
	labelLines := d.wrap(faceRegular, 9, textW, cleanText(label))
	var wrapped [][]string
	n := 0
	for _, r := range rows {
		w := d.wrap(r.f, bodySize, textW, r.s)
		wrapped = append(wrapped, w)
		n += len(w)
	}
	var leads [][][]segment
	leadH := 0.0
	for _, p := range s.Lead {
		lines := d.layoutRuns([]Run{{Text: p}}, bodySize, contentW)
		leads = append(leads, lines)
		leadH += float64(len(lines))*bodyLead + 2.6
	}
	var note [][]segment
	if s.Note != "" {
		note = d.layoutRuns([]Run{{Text: s.Note}}, bodySize, contentW)
	}
	blockH := float64(len(labelLines))*lead + inkSpace + 2 + float64(n)*lead
	var qrLines [][]segment
	if s.QR != nil {
		qrLines = d.layoutRuns(s.QR.Lines, smallSize, contentW-leftW-s.QR.size()-4)
		blockH = max(blockH, s.QR.size(), float64(len(qrLines))*3.6)
	}
	noteH := 0.0
	if len(note) > 0 {
		noteH = 4 + float64(len(note))*bodyLead
	}
	d.ensure(leadH + 4 + blockH + noteH)
	for _, lines := range leads {
		d.drawLines(lines, marginL, bodySize, bodyLead)
		d.y += 2.6
	}
	d.y += 4
	top := d.y
	if s.QR != nil {
		x := marginL + leftW
		d.drawModules(s.QR.Modules, x, top, s.QR.size())
		y := top
		for _, l := range qrLines {
			for _, seg := range l {
				d.text(seg.face, smallSize, colText, x+s.QR.size()+4+seg.x, y, 3.6, seg.text)
			}
			y += 3.6
		}
	}
	for _, l := range labelLines {
		d.text(faceRegular, 9, colMuted, marginL, d.y, lead, l)
		d.y += lead
	}
	d.y += inkSpace
	d.rule(marginL, marginL+lineW, d.y, 0.3, colText)
	d.y += 2
	for i, r := range rows {
		for _, line := range wrapped[i] {
			d.text(r.f, bodySize, colText, marginL, d.y, lead, line)
			d.y += lead
		}
	}
	d.y = max(d.y, top+blockH) + 4
	if len(note) > 0 {
		d.drawLines(note, marginL, bodySize, bodyLead)
		d.y += 2.6
	}
}

// Space adds vertical space of mm millimetres.
func (d *Doc) Space(mm float64) {
	if !d.ok() || mm <= 0 {
		return
	}
	if !d.fits(mm) {
		d.newPage()
		return
	}
	d.y += mm
}

// PageBreak continues on a new page.
func (d *Doc) PageBreak() {
	if !d.ok() {
		return
	}
	d.newPage()
}

// segment is a piece of a laid-out line in one face.
type segment struct {
	face face
	x    float64 // offset from the line's left edge
	text string
}

type token struct {
	face    face
	text    string
	spaced  bool // whitespace precedes it
	newline bool // forced line break instead of a word
}

// layoutRuns wraps styled runs into lines of width w.
func (d *Doc) layoutRuns(runs []Run, size, w float64) [][]segment {
	var toks []token
	pending := false
	for _, r := range runs {
		f := styleFace(r.Bold, r.Italic)
		text := cleanText(r.Text)
		start := -1
		for i, c := range text {
			switch {
			case c == '\n':
				if start >= 0 {
					toks = append(toks, token{face: f, text: text[start:i], spaced: pending})
					start = -1
				}
				toks = append(toks, token{newline: true})
				pending = false
			case unicode.IsSpace(c):
				if start >= 0 {
					toks = append(toks, token{face: f, text: text[start:i], spaced: pending})
					start = -1
				}
				pending = true
			default:
				if start < 0 {
					start = i
				}
			}
		}
		if start >= 0 {
			toks = append(toks, token{face: f, text: text[start:], spaced: pending})
			pending = false
		}
	}

	scale := size * ptToMM / 1000
	var lines [][]segment
	var line []segment
	x := 0.0
	flush := func() {
		lines = append(lines, line)
		line, x = nil, 0
	}
	for _, t := range toks {
		if t.newline {
			flush()
			continue
		}
		m := d.metricsFor(t.face)
		ww := m.units(t.text) * scale
		if len(line) > 0 {
			last := &line[len(line)-1]
			sp := 0.0
			if t.spaced {
				sp = d.metricsFor(last.face).rune(' ') * scale
			}
			if x+sp+ww <= w+1e-9 {
				if last.face == t.face {
					if t.spaced {
						last.text += " "
					}
					last.text += t.text
				} else {
					if t.spaced {
						last.text += " "
					}
					line = append(line, segment{face: t.face, x: x + sp, text: t.text})
				}
				x += sp + ww
				continue
			}
			flush()
		}
		word := t.text
		for ww > w {
			head, tail := splitWord(m, word, w/scale)
			line = append(line, segment{face: t.face, text: head})
			flush()
			word, ww = tail, m.units(tail)*scale
		}
		if word != "" {
			line = append(line, segment{face: t.face, text: word})
			x = ww
		}
	}
	if len(line) > 0 {
		flush()
	}
	// Trailing spaces added for extraction carry no width worth keeping.
	for _, l := range lines {
		if n := len(l); n > 0 {
			l[n-1].text = strings.TrimRight(l[n-1].text, " ")
		}
	}
	return lines
}

// drawLines draws laid-out lines at x, breaking pages between lines. A
// paragraph is not started with a lone line at the foot of a page.
func (d *Doc) drawLines(lines [][]segment, x, size, lead float64) {
	if len(lines) >= 2 && !d.fits(2*lead) {
		d.ensure(2 * lead)
	}
	for _, l := range lines {
		if !d.fits(lead) {
			d.newPage()
		}
		for _, s := range l {
			d.text(s.face, size, colText, x+s.x, d.y, lead, s.text)
		}
		d.y += lead
	}
}
