// Package pdftext lets tests read PDFs back with poppler's command-line
// tools (Debian package poppler-utils): pdftotext for the text and word
// positions, pdfinfo for page size and count, pdftoppm for pixels.
//
// When a tool is missing the test is skipped, unless the environment sets
// TW_REQUIRE_TOOLS=1 (as CI does), in which case it fails.
package pdftext

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"image"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Extract returns the text of pdf as laid out on the page
// (`pdftotext -layout - -`). Pages are separated by form feeds ('\f').
func Extract(t testing.TB, pdf []byte) string {
	t.Helper()
	return run(t, pdf, "pdftotext", "-enc", "UTF-8", "-layout", "-", "-")
}

// Pages returns the text of each page, in order.
func Pages(t testing.TB, pdf []byte) []string {
	t.Helper()
	pages := strings.Split(Extract(t, pdf), "\f")
	// pdftotext ends the last page with a form feed too.
	if n := len(pages); n > 0 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1]
	}
	return pages
}

// Info returns pdfinfo's fields, e.g. "Pages" → "3" and
// "Page size" → "595.276 x 841.89 pts (A4)".
func Info(t testing.TB, pdf []byte) map[string]string {
	t.Helper()
	out := run(t, pdf, "pdfinfo", "-")
	info := make(map[string]string)
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		info[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return info
}

// Word is a word found by pdftotext with its box in PDF points, measured
// from the top-left corner of its page.
type Word struct {
	Page                   int // 1-based
	Text                   string
	XMin, YMin, XMax, YMax float64
}

var (
	pageRe = regexp.MustCompile(`<page width="`)
	wordRe = regexp.MustCompile(`<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">([^<]*)</word>`)
)

// Words returns every word of pdf with its position (`pdftotext -bbox`).
func Words(t testing.TB, pdf []byte) []Word {
	t.Helper()
	out := run(t, pdf, "pdftotext", "-enc", "UTF-8", "-bbox", "-", "-")
	var words []Word
	page := 0
	for _, line := range strings.Split(out, "\n") {
		if pageRe.MatchString(line) {
			page++
			continue
		}
		m := wordRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		w := Word{Page: page, Text: html.UnescapeString(m[5])}
		for i, p := range []*float64{&w.XMin, &w.YMin, &w.XMax, &w.YMax} {
			v, err := strconv.ParseFloat(m[i+1], 64)
			if err != nil {
				t.Fatalf("pdftotext -bbox: bad coordinate in %q: %v", line, err)
			}
			*p = v
		}
		words = append(words, w)
	}
	return words
}

// Image renders one page (1-based) in greyscale at dpi dots per inch
// (`pdftoppm -gray`).
func Image(t testing.TB, pdf []byte, page, dpi int) *image.Gray {
	t.Helper()
	p := strconv.Itoa(page)
	out := run(t, pdf, "pdftoppm", "-gray", "-r", strconv.Itoa(dpi), "-f", p, "-l", p, "-")
	img, err := decodePGM([]byte(out))
	if err != nil {
		t.Fatalf("pdftoppm page %d: %v", page, err)
	}
	return img
}

// decodePGM reads a binary 8-bit greyscale portable graymap.
func decodePGM(b []byte) (*image.Gray, error) {
	r := bufio.NewReader(bytes.NewReader(b))
	var magic string
	var w, h, maxVal int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxVal); err != nil {
		return nil, fmt.Errorf("read PGM header: %w", err)
	}
	if magic != "P5" || maxVal != 255 || w <= 0 || h <= 0 {
		return nil, fmt.Errorf("unsupported PGM %s %dx%d max %d", magic, w, h, maxVal)
	}
	if _, err := r.ReadByte(); err != nil { // the single whitespace after the header
		return nil, fmt.Errorf("read PGM header: %w", err)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	if _, err := io.ReadFull(r, img.Pix); err != nil {
		return nil, fmt.Errorf("read PGM pixels: %w", err)
	}
	return img, nil
}

// Require reports whether tests must fail, rather than skip, when a tool is
// missing.
func Require() bool { return os.Getenv("TW_REQUIRE_TOOLS") == "1" }

// Available reports whether tool is on PATH; if not, it skips t, or fails it
// when Require is true.
func Available(t testing.TB, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if Require() {
			t.Fatalf("%s not found (install poppler-utils): %v", tool, err)
			return
		}
		t.Skipf("%s not found (install poppler-utils; set TW_REQUIRE_TOOLS=1 to fail instead)", tool)
	}
}

func run(t testing.TB, pdf []byte, tool string, args ...string) string {
	t.Helper()
	Available(t, tool)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Stdin = bytes.NewReader(pdf)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v: %s", tool, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String()
}
