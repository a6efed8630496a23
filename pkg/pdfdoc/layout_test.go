package pdfdoc

import (
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
)

// The layout code measures text with its own tables; they must agree with
// the widths gofpdf writes into the PDF, or right-aligned and wrapped text
// would be misplaced.
func TestMetricsMatchGofpdf(t *testing.T) {
	for f := range numFaces {
		spec := faceSpecs[f]
		m, err := faceMetrics(f)
		if err != nil {
			t.Fatal(err)
		}
		pdf := gofpdf.New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes(spec.family, spec.style, spec.ttf)
		pdf.SetFont(spec.family, spec.style, 10)
		if err := pdf.Error(); err != nil {
			t.Fatal(err)
		}
		mismatches := 0
		for r := rune(1); r < 1<<16; r++ {
			if r >= 0xD800 && r <= 0xDFFF {
				continue // surrogates are not runes
			}
			want := pdf.GetStringSymbolWidth(string(r))
			if got := m.rune(r); got != float64(want) {
				if mismatches++; mismatches <= 5 {
					t.Errorf("face %s%s: width of %U = %v, gofpdf says %d", spec.family, spec.style, r, got, want)
				}
			}
		}
		if mismatches > 5 {
			t.Errorf("face %s%s: %d mismatches in all", spec.family, spec.style, mismatches)
		}
	}
}

func TestWrap(t *testing.T) {
	m, err := faceMetrics(faceRegular)
	if err != nil {
		t.Fatal(err)
	}
	const size, width = 10.0, 40.0
	fits := func(line string) bool { return m.units(line)*size*ptToMM/1000 <= width+1e-9 }

	text := "The quick brown fox jumps over the lazy dog near Łódź and Café Müller, twice over."
	lines := wrap(m, text, size, width)
	if len(lines) < 2 {
		t.Fatalf("expected wrapping, got %q", lines)
	}
	if got := strings.Join(lines, " "); got != text {
		t.Errorf("wrapping lost text:\n got %q\nwant %q", got, text)
	}
	for _, l := range lines {
		if !fits(l) {
			t.Errorf("line %q is wider than %v mm", l, width)
		}
	}

	long := "https://listings.example/products/sc-p2-uk/" + strings.Repeat("x", 80)
	lines = wrap(m, long, size, width)
	if got := strings.Join(lines, ""); got != long {
		t.Errorf("splitting a long word lost text: %q", lines)
	}
	if !strings.HasSuffix(lines[0], "/") {
		t.Errorf("long word should break after a slash first, got %q", lines[0])
	}
	for _, l := range lines {
		if !fits(l) {
			t.Errorf("line %q is wider than %v mm", l, width)
		}
	}

	if got := wrap(m, "one\n\ntwo", size, width); strings.Join(got, "|") != "one||two" {
		t.Errorf("newlines: got %q", got)
	}
	// A column narrower than one character still makes progress.
	if got := wrap(m, "abc", size, 0.1); strings.Join(got, "|") != "a|b|c" {
		t.Errorf("narrow column: got %q", got)
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"plain £ é ł ü € – ’": "plain £ é ł ü € – ’",
		"a\tb\r\nc\x00d\x7f":  "a b\ncd",
		"lock 🔒":              "lock \uFFFD",
		"bad \xff byte":       "bad \uFFFD byte",
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNiceScale(t *testing.T) {
	for _, tc := range []struct {
		max       float64
		integral  bool
		top, step float64
	}{
		{0, true, 1, 1},
		{3, true, 3, 1},
		{28, true, 30, 10},
		{47, true, 50, 10},
		{120, true, 150, 50},
		{2, false, 2, 0.5},
		{0.03, false, 0.03, 0.01},
	} {
		top, step := niceScale(tc.max, tc.integral)
		if top != tc.top || step != tc.step {
			t.Errorf("niceScale(%v, %v) = %v, %v; want %v, %v", tc.max, tc.integral, top, step, tc.top, tc.step)
		}
	}
	if got := formatTick(3*0.1, 0.1); got != "0.3" {
		t.Errorf("formatTick hides float error: got %q", got)
	}
	if got := formatNum(0.1 + 0.2); got != "0.3" {
		t.Errorf("formatNum(0.1+0.2) = %q", got)
	}
}
