package pdfdoc

import "math"

// Align is the horizontal alignment of text in a table column.
type Align int

// Alignments for table columns.
const (
	AlignLeft Align = iota
	AlignRight
	AlignCenter
)

// Column describes one column of a data table.
type Column struct {
	Header string
	Width  float64 // relative weight of the column's width; 0 counts as 1
	Align  Align
	Mono   bool // monospaced cells (hashes, codes)
}

// Table is a data table spanning the text width. Its header row is repeated
// at the top of every page the table continues onto.
type Table struct {
	Columns []Column
	Rows    [][]string // each row has one cell per column
	Empty   string     // shown in a single row when Rows is empty; default "None."
}

// cell is a laid-out table cell.
type cell struct {
	x, w  float64
	lines []string
	face  face
	size  float64
	color rgb
	align Align
}

func maxLines(cells []cell) int {
	n := 0
	for _, c := range cells {
		n = max(n, len(c.lines))
	}
	return max(n, 1)
}

func rowHeight(cells []cell, lead, padY float64) float64 {
	return float64(maxLines(cells))*lead + 2*padY
}

// drawCells draws lines [from, from+n) of each cell in a row whose top is y.
func (d *Doc) drawCells(cells []cell, y, lead, padX, padY float64, from, n int) {
	for _, c := range cells {
		for i := from; i < from+n && i < len(c.lines); i++ {
			line := c.lines[i]
			x := c.x + padX
			switch c.align {
			case AlignRight:
				x = c.x + c.w - padX - d.width(c.face, c.size, line)
			case AlignCenter:
				x = c.x + (c.w-d.width(c.face, c.size, line))/2
			}
			d.text(c.face, c.size, c.color, x, y+padY+float64(i-from)*lead, lead, line)
		}
	}
}

// Table draws a data table. Row heights are computed before drawing: a row
// that does not fit on the current page moves to the next one (after the
// repeated header), so rows are never split, except a single row taller
// than a whole page, which is continued line by line.
func (d *Doc) Table(t Table) {
	if !d.ok() {
		return
	}
	const (
		lead, padX, padY = tableLead, 1.8, 1.5
	)
	if len(t.Columns) == 0 {
		d.fail("table has no columns")
		return
	}
	total := 0.0
	for _, c := range t.Columns {
		if c.Width < 0 || math.IsNaN(c.Width) || math.IsInf(c.Width, 0) {
			d.fail("table column %q has invalid width %v", c.Header, c.Width)
			return
		}
		if c.Width == 0 {
			total++
		} else {
			total += c.Width
		}
	}
	xs := make([]float64, len(t.Columns))
	ws := make([]float64, len(t.Columns))
	x := float64(marginL)
	for i, c := range t.Columns {
		w := c.Width
		if w == 0 {
			w = 1
		}
		ws[i] = contentW * w / total
		xs[i] = x
		x += ws[i]
	}
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			d.fail("table row %d has %d cells, want %d", i+1, len(r), len(t.Columns))
			return
		}
	}

	header := make([]cell, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = cell{x: xs[i], w: ws[i], face: faceBold, size: tableSize, color: colText, align: c.Align,
			lines: d.wrap(faceBold, tableSize, ws[i]-2*padX, cleanText(c.Header))}
	}
	headerH := rowHeight(header, lead, padY)
	drawHeader := func() {
		d.fillRect(marginL, d.y, contentW, headerH, colHeadFill)
		d.drawCells(header, d.y, lead, padX, padY, 0, maxLines(header))
		d.y += headerH
		d.rule(marginL, pageW-marginR, d.y, 0.35, colAccent)
	}
	layout := func(r []string) []cell {
		cells := make([]cell, len(r))
		for i, s := range r {
			col := t.Columns[i]
			f := faceRegular
			if col.Mono {
				f = faceMono
			}
			cells[i] = cell{x: xs[i], w: ws[i], face: f, size: tableSize, color: colText, align: col.Align,
				lines: d.wrap(f, tableSize, ws[i]-2*padX, cleanText(s))}
		}
		return cells
	}

	rows := t.Rows
	if len(rows) == 0 {
		empty := t.Empty
		if empty == "" {
			empty = "None."
		}
		rows = nil
		d.ensure(headerH + lead + 2*padY)
		drawHeader()
		lines := d.wrap(faceItalic, tableSize, contentW-2*padX, cleanText(empty))
		c := []cell{{x: marginL, w: contentW, face: faceItalic, size: tableSize, color: colMuted, lines: lines}}
		h := rowHeight(c, lead, padY)
		d.drawCells(c, d.y, lead, padX, padY, 0, len(lines))
		d.y += h
		d.rule(marginL, pageW-marginR, d.y, 0.25, colRule)
		d.y += 5
		return
	}

	first := layout(rows[0])
	bodyH := contentBottom - marginTop - headerH // room for rows on a fresh page
	// Keep the header with the whole first row when that row fits on a fresh
	// page; only a row taller than a page starts with three of its lines.
	firstH := rowHeight(first, lead, padY)
	if firstH > bodyH {
		firstH = 3*lead + 2*padY
	}
	d.ensure(headerH + firstH)
	drawHeader()
	for ri, r := range rows {
		cells := first
		if ri > 0 {
			cells = layout(r)
		}
		n := maxLines(cells)
		h := rowHeight(cells, lead, padY)
		stripe := ri%2 == 1
		if !d.fits(h) && h <= bodyH {
			d.newPage()
			drawHeader()
		}
		// Normal case: one pass. Oversized rows loop, a page's worth of lines
		// at a time.
		for from := 0; from < n; {
			avail := int((contentBottom - d.y - 2*padY + 1e-6) / lead)
			atTop := d.y <= marginTop+headerH+1e-6
			if !atTop && (avail < 1 || (from == 0 && avail < min(n, 3) && h > bodyH)) {
				d.newPage()
				drawHeader()
				continue
			}
			k := min(n-from, max(avail, 1))
			ph := float64(k)*lead + 2*padY
			if stripe {
				d.fillRect(marginL, d.y, contentW, ph, colStripe)
			}
			d.drawCells(cells, d.y, lead, padX, padY, from, k)
			d.y += ph
			from += k
		}
	}
	d.rule(marginL, pageW-marginR, d.y, 0.35, colAccent)
	d.y += 5
}
