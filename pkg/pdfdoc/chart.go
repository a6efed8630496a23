package pdfdoc

import (
	"math"
	"strconv"
	"strings"
)

// Series is one data series of a bar chart: a value per label.
type Series struct {
	Name   string
	Values []float64
}

// BarChart is a vertical bar chart, for example cases per month. With more
// than one series the bars are stacked and a legend is drawn.
type BarChart struct {
	Title  string
	Labels []string // one per bar, e.g. "Jan 2026"
	Series []Series // each with len(Labels) non-negative values
	Height float64  // height of the plot area in mm; default 60
}

var palette = []rgb{
	{23, 55, 94},    // navy
	{62, 142, 160},  // teal
	{224, 158, 58},  // amber
	{186, 78, 68},   // brick
	{118, 128, 140}, // slate
	{118, 90, 160},  // violet
	{92, 150, 90},   // green
}

// BarChart draws a bar chart, kept together on one page.
func (d *Doc) BarChart(c BarChart) {
	if !d.ok() {
		return
	}
	const (
		titleSize, titleLead = 10.0, 5.5
		tickSize             = 7.5
		labelSize, labelLead = 7.5, 3.4
		legendSize, legendH  = 8.5, 5.0
	)
	n := len(c.Labels)
	if n == 0 || len(c.Series) == 0 {
		d.fail("bar chart %q needs labels and at least one series", c.Title)
		return
	}
	totals := make([]float64, n)
	integral := true
	for _, s := range c.Series {
		if len(s.Values) != n {
			d.fail("bar chart %q: series %q has %d values, want %d", c.Title, s.Name, len(s.Values), n)
			return
		}
		for i, v := range s.Values {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				d.fail("bar chart %q: series %q has invalid value %v", c.Title, s.Name, v)
				return
			}
			totals[i] += v
			integral = integral && v == math.Trunc(v)
		}
	}
	plotH := c.Height
	if plotH <= 0 {
		plotH = 60
	}
	top, step := niceScale(maxOf(totals), integral)

	// Left axis width follows the widest tick label.
	axisW := 0.0
	ticks := int(math.Round(top / step))
	for k := 0; k <= ticks; k++ {
		axisW = math.Max(axisW, d.width(faceRegular, tickSize, formatTick(float64(k)*step, step)))
	}
	axisW += 2.5
	plotX := marginL + axisW
	plotW := contentW - axisW
	slot := plotW / float64(n)
	barW := math.Min(slot*0.62, 18)

	xLabels := make([][]string, n)
	labelLines := 1
	for i, l := range c.Labels {
		lines := d.wrap(faceRegular, labelSize, slot-1, cleanText(l))
		if len(lines) > 2 {
			lines = []string{lines[0], d.fitText(faceRegular, labelSize, slot-1, lines[1]+"…")}
		}
		xLabels[i] = lines
		labelLines = max(labelLines, len(lines))
	}
	legend := d.legendRows(c.Series, legendSize)
	titleLines := d.wrap(faceBold, titleSize, contentW, cleanText(c.Title))
	if c.Title == "" {
		titleLines = nil
	}
	h := float64(len(titleLines))*titleLead + 4 + plotH + 1.5 + float64(labelLines)*labelLead +
		float64(len(legend))*legendH + 4
	d.ensure(h)

	for _, line := range titleLines {
		d.text(faceBold, titleSize, colText, marginL, d.y, titleLead, line)
		d.y += titleLead
	}
	d.y += 4 // room for the total above the tallest bar
	plotTop := d.y
	base := plotTop + plotH
	scale := plotH / top

	// Grid and tick labels.
	for k := 0; k <= ticks; k++ {
		v := float64(k) * step
		y := base - v*scale
		if k == 0 {
			d.rule(plotX, pageW-marginR, y, 0.35, colMuted)
		} else {
			d.rule(plotX, pageW-marginR, y, 0.15, colRule)
		}
		s := formatTick(v, step)
		d.text(faceRegular, tickSize, colMuted, plotX-1.5-d.width(faceRegular, tickSize, s), y-2, 4, s)
	}

	// Bars, stacked bottom-up in series order, with the total on top.
	for i := range n {
		x := plotX + float64(i)*slot + (slot-barW)/2
		y := base
		for si, s := range c.Series {
			bh := s.Values[i] * scale
			if bh <= 0 {
				continue
			}
			d.fillRect(x, y-bh, barW, bh, palette[si%len(palette)])
			y -= bh
		}
		total := formatNum(totals[i])
		d.text(faceRegular, tickSize, colText, x+(barW-d.width(faceRegular, tickSize, total))/2, y-3.6, 3.2, total)
		for li, line := range xLabels[i] {
			lx := plotX + float64(i)*slot + (slot-d.width(faceRegular, labelSize, line))/2
			d.text(faceRegular, labelSize, colMuted, lx, base+1.5+float64(li)*labelLead, labelLead, line)
		}
	}
	d.y = base + 1.5 + float64(labelLines)*labelLead + 1.5

	// Legend rows, centred.
	for _, row := range legend {
		x := marginL + (contentW-row.width)/2
		for _, it := range row.items {
			d.fillRect(x, d.y+1.2, 3, 3, palette[it.index%len(palette)])
			d.text(faceRegular, legendSize, colText, x+4.2, d.y, legendH, it.name)
			x += it.width
		}
		d.y += legendH
	}
	d.y += 4
}

type legendItem struct {
	index int
	name  string
	width float64 // swatch, name and gap
}

type legendRow struct {
	items []legendItem
	width float64
}

// legendRows lays out the legend; a single unnamed series needs none.
func (d *Doc) legendRows(series []Series, size float64) []legendRow {
	if len(series) < 2 && (len(series) == 0 || series[0].Name == "") {
		return nil
	}
	var rows []legendRow
	var cur legendRow
	for i, s := range series {
		name := cleanText(s.Name)
		w := 4.2 + d.width(faceRegular, size, name) + 6
		if len(cur.items) > 0 && cur.width+w > contentW {
			rows = append(rows, cur)
			cur = legendRow{}
		}
		cur.items = append(cur.items, legendItem{index: i, name: name, width: w})
		cur.width += w
	}
	if len(cur.items) > 0 {
		cur.width -= 6 // no gap after the last item
		rows = append(rows, cur)
	}
	return rows
}

func maxOf(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = math.Max(m, v)
	}
	return m
}

// niceScale picks an axis maximum and tick step (1, 2 or 5 times a power of
// ten) giving about five intervals; integral data (counts) gets whole steps.
func niceScale(maxVal float64, integral bool) (top, step float64) {
	if maxVal <= 0 {
		return 1, 1
	}
	raw := maxVal / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch r := raw / mag; {
	case r <= 1:
		step = mag
	case r <= 2:
		step = 2 * mag
	case r <= 5:
		step = 5 * mag
	default:
		step = 10 * mag
	}
	if integral && step < 1 {
		step = 1
	}
	top = math.Ceil(maxVal/step-1e-9) * step
	return top, step
}

// formatNum prints whole numbers without decimals and others with at most
// two.
func formatNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// formatTick prints an axis value with as many decimals as the step needs,
// hiding the float error of k*step.
func formatTick(v, step float64) string {
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
