package pdfdoc

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// face is one embedded typeface of the kit.
type face int

const (
	faceRegular face = iota
	faceBold
	faceItalic
	faceBoldItalic
	faceMono
	numFaces
)

// faceSpec says how a face is registered with gofpdf.
type faceSpec struct {
	family string
	style  string
	ttf    []byte
}

var faceSpecs = [numFaces]faceSpec{
	faceRegular:    {"go", "", goregular.TTF},
	faceBold:       {"go", "B", gobold.TTF},
	faceItalic:     {"go", "I", goitalic.TTF},
	faceBoldItalic: {"go", "BI", gobolditalic.TTF},
	faceMono:       {"gomono", "", gomono.TTF},
}

// styleFace maps bold/italic flags to a face.
func styleFace(bold, italic bool) face {
	switch {
	case bold && italic:
		return faceBoldItalic
	case bold:
		return faceBold
	case italic:
		return faceItalic
	}
	return faceRegular
}

// metrics holds advance widths in 1/1000 em, computed exactly as gofpdf
// computes its /W array, so that layout measured here matches the glyph
// positions a viewer uses.
type metrics struct {
	widths  []uint16 // indexed by BMP rune
	missing float64  // width used for runes without a glyph
	font    *sfnt.Font
}

var (
	metricsOnce [numFaces]sync.Once
	metricsVal  [numFaces]*metrics
	metricsErr  [numFaces]error
)

// faceMetrics parses a face's TTF once per process. gofpdf itself re-parses
// the TTF for every document (its parsed font is unexported and mutated while
// subsetting, so it cannot be shared); measuring text here keeps layout free
// of gofpdf state and of redundant SetFont calls.
func faceMetrics(f face) (*metrics, error) {
	metricsOnce[f].Do(func() {
		metricsVal[f], metricsErr[f] = loadMetrics(faceSpecs[f].ttf)
	})
	return metricsVal[f], metricsErr[f]
}

func loadMetrics(ttf []byte) (*metrics, error) {
	fnt, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("parse font: %w", err)
	}
	var buf sfnt.Buffer
	upem := fnt.UnitsPerEm()
	ppem := fixed.I(int(upem))
	scale := 1000 / float64(upem)
	advance := func(g sfnt.GlyphIndex) (float64, error) {
		a, err := fnt.GlyphAdvance(&buf, g, ppem, font.HintingNone)
		if err != nil {
			return 0, err
		}
		return math.Round(scale * float64(a) / 64), nil
	}
	m := &metrics{widths: make([]uint16, 1<<16), font: fnt}
	if m.missing, err = advance(0); err != nil {
		return nil, fmt.Errorf("advance of .notdef: %w", err)
	}
	if m.missing == 0 {
		m.missing = 500 // gofpdf's fallback when the font has no default width
	}
	for r := rune(0); r < 1<<16; r++ {
		g, err := fnt.GlyphIndex(&buf, r)
		if err != nil || g == 0 {
			m.widths[r] = math.MaxUint16 // no glyph
			continue
		}
		w, err := advance(g)
		if err != nil {
			return nil, fmt.Errorf("advance of %U: %w", r, err)
		}
		m.widths[r] = uint16(w)
	}
	return m, nil
}

// units returns the width of s in 1/1000 em.
func (m *metrics) units(s string) float64 {
	var w float64
	for _, r := range s {
		w += m.rune(r)
	}
	return w
}

func (m *metrics) rune(r rune) float64 {
	if r < 0 || r >= 1<<16 {
		return m.missing
	}
	if w := m.widths[r]; w != math.MaxUint16 {
		return float64(w)
	}
	return m.missing
}

// ptToMM converts typographic points to millimetres.
const ptToMM = 25.4 / 72

// cleanText makes caller text safe for gofpdf: its width tables only cover
// the Basic Multilingual Plane (it indexes them by rune and would panic), and
// control characters other than newline have no business in a document.
func cleanText(s string) string {
	clean := true
	for _, r := range s {
		if r >= 1<<16 || r == utf8.RuneError || (r < 0x20 && r != '\n') || r == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n':
			b.WriteByte('\n')
		case r < 0x20 || r == 0x7f:
			// drop other control characters, including \r
		case r >= 1<<16:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wrap breaks text into lines no wider than width (mm) in face f at size pt.
// It breaks at spaces, honours explicit newlines, and splits words that are
// wider than a line after a hyphen or slash where possible, otherwise between
// characters.
func wrap(m *metrics, text string, size, width float64) []string {
	maxUnits := width / (size * ptToMM) * 1000
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = wrapLine(m, para, maxUnits, lines)
	}
	return lines
}

func wrapLine(m *metrics, para string, maxUnits float64, lines []string) []string {
	words := strings.FieldsFunc(para, unicode.IsSpace)
	if len(words) == 0 {
		return append(lines, "")
	}
	space := m.rune(' ')
	var cur strings.Builder
	var curUnits float64
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		curUnits = 0
	}
	for _, w := range words {
		wu := m.units(w)
		if cur.Len() > 0 && curUnits+space+wu <= maxUnits {
			cur.WriteByte(' ')
			cur.WriteString(w)
			curUnits += space + wu
			continue
		}
		if cur.Len() > 0 {
			flush()
		}
		for wu > maxUnits {
			head, tail := splitWord(m, w, maxUnits)
			lines = append(lines, head)
			w, wu = tail, m.units(tail)
		}
		cur.WriteString(w)
		curUnits = wu
	}
	if cur.Len() > 0 {
		flush()
	}
	return lines
}

// splitWord cuts an over-long word so that head fits in maxUnits. head always
// holds at least one rune so that wrapping terminates.
func splitWord(m *metrics, w string, maxUnits float64) (head, tail string) {
	var units float64
	fit, soft := 0, 0 // byte offsets: last rune that fits; just after a hyphen or slash
	for i, r := range w {
		units += m.rune(r)
		if units > maxUnits {
			break
		}
		fit = i + utf8.RuneLen(r)
		if r == '-' || r == '/' || r == '_' || r == '.' {
			soft = fit
		}
	}
	if fit == 0 {
		_, size := utf8.DecodeRuneInString(w)
		fit = size
	}
	if soft > 0 && soft < len(w) {
		fit = soft
	}
	return w[:fit], w[fit:]
}
