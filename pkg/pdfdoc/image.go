package pdfdoc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"strconv"
	"strings"

	"github.com/jung-kurt/gofpdf"
)

// Largest logo box in millimetres.
const (
	logoMaxH = 16.0
	logoMaxW = 40.0
)

// logo draws a PNG with its top left at (x, y), scaled into the logo box,
// and returns its size. A logo that is not a PNG fails the document: a
// letterhead must not silently lose its logo.
func (d *Doc) logo(b []byte, x, y float64) (w, h float64, ok bool) {
	if len(b) == 0 || !d.ok() {
		return 0, 0, false
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		d.fail("letterhead logo is not a PNG image")
		return 0, 0, false
	}
	h = logoMaxH
	w = h * float64(cfg.Width) / float64(cfg.Height)
	if w > logoMaxW {
		w, h = logoMaxW, logoMaxW*float64(cfg.Height)/float64(cfg.Width)
	}
	sum := sha256.Sum256(b)
	name := "logo-" + hex.EncodeToString(sum[:8])
	opts := gofpdf.ImageOptions{ImageType: "PNG"}
	d.pdf.RegisterImageOptionsReader(name, opts, bytes.NewReader(b))
	d.pdf.ImageOptions(name, x, y, w, h, false, opts, 0, "")
	return w, h, !d.pdf.Err()
}

// QR is a QR code set beside a few lines of text, such as where and how to
// check a document.
type QR struct {
	// Modules are the code's dark (true) and light modules, row by row,
	// including its quiet zone.
	Modules [][]bool
	// Size is the printed side in millimetres (default 28).
	Size float64
	// Lines are drawn to the right of the code, wrapped.
	Lines []Run
}

// size is the printed side, 28 mm unless set.
func (q *QR) size() float64 {
	if q.Size <= 0 {
		return 28
	}
	return q.Size
}

// drawModules draws a QR code's dark modules as filled rectangles (one per
// run of dark modules in a row), so the code is vector-sharp at any zoom
// and costs no image decoding. The operators are written in one go: a
// gofpdf Rect call per run would cost a formatted string each.
func (d *Doc) drawModules(modules [][]bool, x, y, size float64) {
	if len(modules) == 0 {
		return
	}
	m := size / float64(len(modules))
	k := d.pdf.GetConversionRatio()
	d.fillColor(rgb{0, 0, 0})
	buf := make([]byte, 0, 16<<10)
	num := func(v float64) {
		buf = strconv.AppendFloat(buf, v, 'f', 2, 64)
		buf = append(buf, ' ')
	}
	for r, row := range modules {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			// A hair of overlap hides seams between adjacent runs in viewers.
			num((x + float64(start)*m) * k)
			num((pageH - (y + float64(r)*m)) * k)
			num((float64(c-start)*m + 0.01) * k)
			num(-(m + 0.01) * k)
			buf = append(buf, "re f\n"...)
		}
	}
	d.pdf.RawWriteStr(strings.TrimSuffix(string(buf), "\n"))
}
