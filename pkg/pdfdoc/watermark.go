package pdfdoc

import (
	"errors"
	"fmt"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// pathOp is one drawing operation of a glyph outline, in millimetres with
// the origin at the left end of the baseline and y growing downwards.
type pathOp struct {
	op  byte // 'M' move, 'L' line, 'C' cubic curve, 'Z' close
	pts [3][2]float64
}

// outline converts text into filled outlines of face f at size pt and
// returns the operations and the advance width in mm.
//
// The watermark is drawn as shapes rather than text: rotated text would be
// extracted as fragments ("DR", "AF", "T") interleaved with the content by
// text extractors and copy-paste, while the outline leaves the document's
// real text clean.
func outline(m *metrics, text string, size float64) ([]pathOp, float64, error) {
	fnt := m.font
	if fnt == nil {
		return nil, 0, errors.New("no outlines for face")
	}
	var buf sfnt.Buffer
	upem := fnt.UnitsPerEm()
	ppem := fixed.I(int(upem))
	scale := size * ptToMM / float64(upem) / 64 // 26.6 font units to mm
	var ops []pathOp
	pen := 0.0 // in 26.6 font units
	prev := sfnt.GlyphIndex(0)
	for i, r := range text {
		g, err := fnt.GlyphIndex(&buf, r)
		if err != nil {
			return nil, 0, fmt.Errorf("glyph for %q: %w", r, err)
		}
		if i > 0 && prev != 0 && g != 0 {
			if k, err := fnt.Kern(&buf, prev, g, ppem, font.HintingNone); err == nil {
				pen += float64(k)
			}
		}
		segs, err := fnt.LoadGlyph(&buf, g, ppem, nil)
		if err != nil {
			return nil, 0, fmt.Errorf("outline of %q: %w", r, err)
		}
		pt := func(p fixed.Point26_6) [2]float64 {
			return [2]float64{(pen + float64(p.X)) * scale, float64(p.Y) * scale}
		}
		var cur [2]float64
		open := false
		for _, s := range segs {
			switch s.Op {
			case sfnt.SegmentOpMoveTo:
				if open {
					ops = append(ops, pathOp{op: 'Z'})
				}
				cur = pt(s.Args[0])
				open = true
				ops = append(ops, pathOp{op: 'M', pts: [3][2]float64{cur}})
			case sfnt.SegmentOpLineTo:
				cur = pt(s.Args[0])
				ops = append(ops, pathOp{op: 'L', pts: [3][2]float64{cur}})
			case sfnt.SegmentOpQuadTo:
				// PDF has no quadratic curves: raise to cubic.
				q, end := pt(s.Args[0]), pt(s.Args[1])
				c1 := [2]float64{cur[0] + 2.0/3*(q[0]-cur[0]), cur[1] + 2.0/3*(q[1]-cur[1])}
				c2 := [2]float64{end[0] + 2.0/3*(q[0]-end[0]), end[1] + 2.0/3*(q[1]-end[1])}
				ops = append(ops, pathOp{op: 'C', pts: [3][2]float64{c1, c2, end}})
				cur = end
			case sfnt.SegmentOpCubeTo:
				end := pt(s.Args[2])
				ops = append(ops, pathOp{op: 'C', pts: [3][2]float64{pt(s.Args[0]), pt(s.Args[1]), end}})
				cur = end
			}
		}
		if open {
			ops = append(ops, pathOp{op: 'Z'})
		}
		adv, err := fnt.GlyphAdvance(&buf, g, ppem, font.HintingNone)
		if err != nil {
			return nil, 0, fmt.Errorf("advance of %q: %w", r, err)
		}
		pen += float64(adv)
		prev = g
	}
	return ops, pen * scale, nil
}

// watermarkShape is the laid-out watermark, computed once per document.
type watermarkShape struct {
	ops   []pathOp
	width float64 // mm
	size  float64 // pt
}

// prepareWatermark sizes the text to about 60% of the page diagonal (capped
// for short words) and outlines it.
func (d *Doc) prepareWatermark(text string) *watermarkShape {
	const f = faceBold
	m := d.metricsFor(f)
	units := m.units(text)
	if units <= 0 {
		return nil
	}
	size := math.Min(0.6*math.Hypot(pageW, pageH)/(units/1000*ptToMM), 110)
	ops, w, err := outline(m, text, size)
	if err != nil {
		d.fail("watermark: %v", err)
		return nil
	}
	return &watermarkShape{ops: ops, width: w, size: size}
}

// drawWatermark paints the watermark diagonally across the page centre in
// light grey. It is drawn over the finished page with the Multiply blend
// mode, so it shows through table fills yet never lightens the text: on
// white it is light grey, on black it is black.
func (d *Doc) drawWatermark(w *watermarkShape) {
	angle := math.Atan2(pageH, pageW) * 180 / math.Pi
	cx, cy := pageW/2, pageH/2
	// Centre the cap height on the page centre.
	ox, oy := cx-w.width/2, cy+0.35*w.size*ptToMM
	d.fillColor(colWatermark)
	d.pdf.TransformBegin()
	d.pdf.SetAlpha(1, "Multiply")
	d.pdf.TransformRotate(angle, cx, cy)
	for _, op := range w.ops {
		p := op.pts
		switch op.op {
		case 'M':
			d.pdf.MoveTo(ox+p[0][0], oy+p[0][1])
		case 'L':
			d.pdf.LineTo(ox+p[0][0], oy+p[0][1])
		case 'C':
			d.pdf.CurveBezierCubicTo(ox+p[0][0], oy+p[0][1], ox+p[1][0], oy+p[1][1], ox+p[2][0], oy+p[2][1])
		case 'Z':
			d.pdf.ClosePath()
		}
	}
	d.pdf.DrawPath("F")         // nonzero winding, as TrueType outlines expect
	d.pdf.TransformEnd()        // restores the blend mode in the PDF…
	d.pdf.SetAlpha(1, "Normal") // …and this in gofpdf's own state
}
