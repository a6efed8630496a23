package scan

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// Clip returns s cut to at most n bytes on a rune boundary, and whether it
// was cut.
func Clip(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i], true
}

// Field copies b into a string of at most MaxField bytes with surrounding
// white space removed. Parsers use it for every short field so that a
// hostile attribute cannot make one item hold megabytes.
func Field(b []byte) string {
	b = trimSpace(b)
	if len(b) > MaxField {
		s, _ := Clip(string(b[:min(len(b), MaxField+utf8.UTFMax)]), MaxField)
		return s
	}
	return string(b)
}

// FieldString is Field for a string.
func FieldString(s string) string {
	s, _ = Clip(strings.TrimSpace(s), MaxField)
	return s
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// TextBuffer accumulates text that arrives in pieces, keeping at most Max
// bytes (MaxOutput when Max is 0) and remembering whether more arrived.
type TextBuffer struct {
	Max       int
	b         []byte
	truncated bool
}

// Write appends p, dropping what does not fit. It never fails.
func (t *TextBuffer) Write(p []byte) (int, error) {
	limit := t.Max
	if limit <= 0 {
		limit = MaxOutput
	}
	room := limit - len(t.b)
	if len(p) > room {
		t.truncated = true
		if room > 0 {
			t.b = append(t.b, p[:room]...)
		}
		return len(p), nil
	}
	t.b = append(t.b, p...)
	return len(p), nil
}

// WriteString is Write for a string.
func (t *TextBuffer) WriteString(s string) (int, error) {
	limit := t.Max
	if limit <= 0 {
		limit = MaxOutput
	}
	room := limit - len(t.b)
	if len(s) > room {
		t.truncated = true
		if room > 0 {
			t.b = append(t.b, s[:room]...)
		}
		return len(s), nil
	}
	t.b = append(t.b, s...)
	return len(s), nil
}

// String returns the kept text, cut back to a rune boundary when the limit
// fell inside a rune, and whether anything was dropped.
func (t *TextBuffer) String() (string, bool) {
	b := t.b
	trunc := t.truncated
	if trunc {
		// The cut may have split a multi-byte rune.
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	return string(b), trunc
}

// Reset empties the buffer, keeping its storage and Max.
func (t *TextBuffer) Reset() {
	t.b = t.b[:0]
	t.truncated = false
}

// Output clips s to MaxOutput for Item.Output.
func Output(s string) (string, bool) { return Clip(s, MaxOutput) }

// OutputBytes copies b into a string clipped to MaxOutput, without first
// copying all of a huge value.
func OutputBytes(b []byte) (string, bool) {
	if len(b) <= MaxOutput {
		return string(b), false
	}
	s, _ := Clip(string(b[:min(len(b), MaxOutput+utf8.UTFMax)]), MaxOutput)
	return s, true
}

// Key returns a dedup key for a finding: the format name and a 128-bit
// SHA-256 prefix over the identifying parts. Parsers choose parts that stay
// the same when the same target is scanned again (address, port, protocol,
// check id) and never volatile ones (result UUIDs, timestamps, order).
func Key(f Format, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return string(f) + ":" + hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// FindCVEs appends to dst every CVE id in text ("CVE-2014-0160", any case),
// upper-cased and without duplicates (including those already in dst).
func FindCVEs[T string | []byte](dst []string, text T) []string {
	for i := 0; i+13 <= len(text); {
		j := indexCVE(text[i:])
		if j < 0 {
			break
		}
		start := i + j
		if id, n := matchCVE(text[start:]); n > 0 {
			dst = appendUnique(dst, id)
			i = start + n
			continue
		}
		i = start + 4
	}
	return dst
}

// NormalizeCVE returns id upper-cased when it is a CVE id, and ok false
// otherwise.
func NormalizeCVE(id string) (string, bool) {
	id = strings.TrimSpace(id)
	cve, n := matchCVE(id)
	if n == 0 || n != len(id) {
		return "", false
	}
	return cve, true
}

func matchCVE[T string | []byte](s T) (string, int) {
	// CVE-YYYY-NNNN with 4 to 19 digits in the sequence part.
	if len(s) < 13 || s[0]|0x20 != 'c' || s[1]|0x20 != 'v' || s[2]|0x20 != 'e' || s[3] != '-' {
		return "", 0
	}
	for k := 4; k < 8; k++ {
		if !isDigit(s[k]) {
			return "", 0
		}
	}
	if s[8] != '-' {
		return "", 0
	}
	n := 9
	for n < len(s) && n < 9+19 && isDigit(s[n]) {
		n++
	}
	if n-9 < 4 || (n < len(s) && isDigit(s[n])) {
		return "", 0
	}
	return "CVE-" + string(s[4:n]), n
}

// indexCVE finds the next "cve-" in any case.
func indexCVE[T string | []byte](s T) int {
	for i := 0; i+4 <= len(s); i++ {
		if s[i]|0x20 == 'c' && s[i+1]|0x20 == 'v' && s[i+2]|0x20 == 'e' && s[i+3] == '-' {
			return i
		}
	}
	return -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func appendUnique(dst []string, s string) []string {
	for _, d := range dst {
		if d == s {
			return dst
		}
	}
	return append(dst, s)
}

// AppendUnique appends s to dst unless it is empty or already present.
func AppendUnique(dst []string, s string) []string {
	if s == "" {
		return dst
	}
	return appendUnique(dst, s)
}
