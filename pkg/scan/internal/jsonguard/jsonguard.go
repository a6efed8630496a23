// Package jsonguard puts limits in front of encoding/json for untrusted
// reports: a Reader that refuses nesting deeper than scan.MaxDepth and
// strings or scalars longer than scan.MaxToken before the decoder buffers
// them, and helpers that turn encoding/json errors into scan.ErrMalformed.
package jsonguard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// Reader scans JSON bytes as they pass, tracking nesting and the length of
// the current string or scalar. It strips a leading UTF-8 byte order mark,
// which encoding/json rejects but Windows tools write.
type Reader struct {
	r         io.Reader
	MaxDepth  int
	MaxString int

	off      int64
	depth    int
	inString bool
	escape   bool
	run      int // bytes in the current string or scalar
	started  bool
	bom      [3]byte
	bomN     int
	err      error
}

// NewReader returns a Reader over r with the scan package limits.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r, MaxDepth: scan.MaxDepth, MaxString: scan.MaxToken}
}

// Read implements io.Reader.
func (g *Reader) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if !g.started {
		if err := g.skipBOM(); err != nil {
			return 0, err
		}
		if g.bomN > 0 {
			n := copy(p, g.bom[:g.bomN])
			copy(g.bom[:], g.bom[n:g.bomN])
			g.bomN -= n
			return g.scan(p[:n], nil)
		}
	}
	n, err := g.r.Read(p)
	return g.scan(p[:n], err)
}

// skipBOM reads the first bytes, dropping a UTF-8 byte order mark and
// keeping anything else for the next Read.
func (g *Reader) skipBOM() error {
	g.started = true
	n, err := io.ReadFull(g.r, g.bom[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return err
	}
	if n == 3 && g.bom == [3]byte{0xEF, 0xBB, 0xBF} {
		g.off = 3
		n = 0
	}
	g.bomN = n
	return nil
}

func (g *Reader) scan(p []byte, err error) (int, error) {
	for i, c := range p {
		if g.inString {
			switch {
			case g.escape:
				g.escape = false
			case c == '\\':
				g.escape = true
			case c == '"':
				g.inString = false
				g.run = 0
				continue
			}
			if g.run++; g.run > g.MaxString {
				return g.fail(i, "JSON string longer than %d bytes", g.MaxString)
			}
			continue
		}
		switch c {
		case '"':
			g.inString = true
			g.run = 0
		case '{', '[':
			g.run = 0
			if g.depth++; g.depth > g.MaxDepth {
				return g.fail(i, "JSON nested deeper than %d", g.MaxDepth)
			}
		case '}', ']':
			g.run = 0
			g.depth--
		case ',', ':', ' ', '\t', '\r', '\n':
			g.run = 0
		default:
			if g.run++; g.run > g.MaxString {
				return g.fail(i, "JSON value longer than %d bytes", g.MaxString)
			}
		}
	}
	g.off += int64(len(p))
	return len(p), err
}

func (g *Reader) fail(i int, format string, args ...any) (int, error) {
	g.err = scan.Unsafef(scan.Position{Offset: g.off + int64(i)}, format, args...)
	g.off += int64(i)
	return i, g.err
}

// Classify maps an encoding/json error to scan.ErrMalformed with the
// offset it reports; guard errors and reader errors pass through.
func Classify(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var pe *scan.ParseError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return err
	case errors.As(err, &syn):
		return scan.Malformedf(scan.Position{Offset: syn.Offset}, "%v", syn)
	case errors.As(err, &typ):
		return scan.Malformedf(scan.Position{Offset: typ.Offset}, "%v", typ)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return scan.Malformedf(scan.Position{}, "unexpected end of input")
	case errors.Is(err, io.EOF):
		return scan.Malformedf(scan.Position{}, "unexpected end of input")
	}
	return err
}

// Decoder wraps json.Decoder with the calls the parsers need, classifying
// every error.
type Decoder struct {
	*json.Decoder
	g *Reader
}

// NewDecoder returns a guarded decoder over r.
func NewDecoder(r io.Reader) *Decoder {
	g := NewReader(r)
	return &Decoder{Decoder: json.NewDecoder(g), g: g}
}

// Offset is the input offset of the last token read.
func (d *Decoder) Offset() int64 { return d.InputOffset() }

// Begin reads the first token of the document: '{' or '['. Empty input is
// ErrMalformed.
func (d *Decoder) Begin() (json.Delim, error) {
	t, err := d.Token()
	if errors.Is(err, io.EOF) {
		return 0, scan.Malformedf(scan.Position{}, "empty input")
	}
	if err != nil {
		return 0, Classify(err)
	}
	delim, ok := t.(json.Delim)
	if !ok || (delim != '{' && delim != '[') {
		return 0, scan.Malformedf(scan.Position{Offset: d.InputOffset()}, "document is not a JSON object or array")
	}
	return delim, nil
}

// End checks that nothing but white space follows the document.
func (d *Decoder) End() error {
	_, err := d.Token()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return Classify(err)
	}
	return scan.Malformedf(scan.Position{Offset: d.InputOffset()}, "data after the JSON document")
}

// Expect reads one token and checks it is the delimiter want.
func (d *Decoder) Expect(want json.Delim) error {
	t, err := d.Token()
	if err != nil {
		return Classify(err)
	}
	if got, ok := t.(json.Delim); !ok || got != want {
		return scan.Malformedf(scan.Position{Offset: d.InputOffset()}, "expected %q, got %v", want, describe(t))
	}
	return nil
}

// Key reads an object key.
func (d *Decoder) Key() (string, error) {
	t, err := d.Token()
	if err != nil {
		return "", Classify(err)
	}
	k, ok := t.(string)
	if !ok {
		return "", scan.Malformedf(scan.Position{Offset: d.InputOffset()}, "expected an object key, got %v", describe(t))
	}
	return k, nil
}

// Value decodes the next value into v.
func (d *Decoder) Value(v any) error {
	return Classify(d.Decode(v))
}

// Skip consumes the next value without keeping it.
func (d *Decoder) Skip() error {
	depth := 0
	for {
		t, err := d.Token()
		if err != nil {
			return Classify(err)
		}
		if delim, ok := t.(json.Delim); ok {
			switch delim {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// Array calls fn for each element of the array that is the next value; fn
// must consume exactly one value. A null stands for an empty array: Go
// tools (Trivy, Grype) write nil slices as null.
func (d *Decoder) Array(fn func() error) error {
	t, err := d.Token()
	if err != nil {
		return Classify(err)
	}
	if t == nil {
		return nil
	}
	if got, ok := t.(json.Delim); !ok || got != '[' {
		return scan.Malformedf(scan.Position{Offset: d.InputOffset()}, "expected %q, got %v", '[', describe(t))
	}
	for d.More() {
		if err := fn(); err != nil {
			return err
		}
	}
	return d.Expect(']')
}

// Object calls fn with each key of the object that is the next value; fn
// must consume the key's value.
func (d *Decoder) Object(fn func(key string) error) error {
	if err := d.Expect('{'); err != nil {
		return err
	}
	return d.Fields(fn)
}

// Fields is Object after its '{' has been read.
func (d *Decoder) Fields(fn func(key string) error) error {
	for d.More() {
		k, err := d.Key()
		if err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	return d.Expect('}')
}

func describe(t any) string {
	switch t := t.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		s, _ := scan.Clip(t, 40)
		return fmt.Sprintf("string %q", s)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", t)
}
