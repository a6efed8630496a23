package xmlstream

import (
	"unicode/utf8"
)

type mode uint8

const (
	modeText mode = iota
	modeAttr
	modeCDATA
)

// Byte classes: bytes that force the slow path in text and in attribute
// values. Both include '&', '\r', control characters and non-ASCII bytes
// (which need UTF-8 validation); attribute values add '<', '\t' and '\n'
// (literal white space in attribute values is normalised to a space).
var (
	textSpecial, attrSpecial [256]bool
)

func init() {
	for c := 0; c < 256; c++ {
		s := c == '&' || c == '\r' || (c < 0x20 && c != '\t' && c != '\n') || c >= 0x80
		textSpecial[c] = s
		attrSpecial[c] = s || c == '<' || c == '\t' || c == '\n'
	}
}

// decode expands references, normalises line ends and replaces invalid
// characters in src, which starts at buffer index at. It returns src itself
// when nothing needs changing, else a slice of the scratch buffer.
func (d *Decoder) decode(src []byte, m mode, at int) ([]byte, error) {
	tbl := &textSpecial
	if m == modeAttr {
		tbl = &attrSpecial
	}
	i := 0
	for i < len(src) {
		c := src[i]
		if !tbl[c] {
			i++
			continue
		}
		if c >= 0x80 {
			r, n := utf8.DecodeRune(src[i:])
			if r != utf8.RuneError && isChar(r) {
				i += n
				continue
			}
		}
		if c == '&' && m == modeCDATA {
			i++
			continue
		}
		break
	}
	if i == len(src) {
		return src, nil
	}
	start := len(d.scratch)
	out := append(d.scratch, src[:i]...)
	for i < len(src) {
		c := src[i]
		if !tbl[c] {
			j := i + 1
			for j < len(src) && !tbl[src[j]] {
				j++
			}
			out = append(out, src[i:j]...)
			i = j
			continue
		}
		switch {
		case c >= 0x80:
			r, n := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && n <= 1 || !isChar(r) {
				out = append(out, "\uFFFD"...)
				d.replaced++
			} else {
				out = append(out, src[i:i+n]...)
			}
			i += n
		case c == '&':
			if m == modeCDATA {
				out = append(out, '&')
				i++
				continue
			}
			r, n, err := d.reference(src[i:], at+i)
			if err != nil {
				return nil, err
			}
			out = utf8.AppendRune(out, r)
			i += n
		case c == '\r':
			if m == modeAttr {
				out = append(out, ' ')
			} else {
				out = append(out, '\n')
			}
			i++
			if i < len(src) && src[i] == '\n' {
				i++
			}
		case c == '\t' || c == '\n': // attribute values only
			out = append(out, ' ')
			i++
		case c == '<': // attribute values only
			d.scratch = out
			return nil, d.malformed(at+i, "'<' in attribute value")
		default: // control character
			out = append(out, "\uFFFD"...)
			d.replaced++
			i++
		}
	}
	d.scratch = out
	return out[start:], nil
}

// isChar reports whether r is allowed in XML 1.0 documents (apart from the
// ASCII controls handled by the byte tables).
func isChar(r rune) bool {
	return r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF ||
		r == '\t' || r == '\n' || r == '\r'
}

// reference decodes the reference at the start of src ("&lt;", "&#10;",
// "&#x1F600;"), returning the rune and the bytes consumed.
func (d *Decoder) reference(src []byte, at int) (rune, int, error) {
	const maxRef = 32
	semi := -1
	for k := 1; k < len(src) && k <= maxRef; k++ {
		if src[k] == ';' {
			semi = k
			break
		}
	}
	if semi < 0 {
		return 0, 0, d.malformed(at, "'&' not starting a reference")
	}
	name := src[1:semi]
	if len(name) > 0 && name[0] == '#' {
		r, ok := charRef(name[1:])
		if !ok {
			return 0, 0, d.malformed(at, "invalid character reference &%s;", clipName(name))
		}
		return r, semi + 1, nil
	}
	switch string(name) {
	case "lt":
		return '<', semi + 1, nil
	case "gt":
		return '>', semi + 1, nil
	case "amp":
		return '&', semi + 1, nil
	case "apos":
		return '\'', semi + 1, nil
	case "quot":
		return '"', semi + 1, nil
	}
	if n := scanName(name, 0); n == len(name) && n > 0 {
		return 0, 0, d.unsafe(at, "entity reference &%s; not allowed", clipName(name))
	}
	return 0, 0, d.malformed(at, "invalid reference &%s;", clipName(name))
}

func charRef(s []byte) (rune, bool) {
	base := rune(10)
	if len(s) > 0 && s[0] == 'x' {
		base = 16
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 8 {
		return 0, false
	}
	var r rune
	for _, c := range s {
		var v rune
		switch {
		case c >= '0' && c <= '9':
			v = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			v = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			v = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r*base + v
	}
	if !isChar(r) {
		return 0, false
	}
	return r, true
}
