package detect

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// DefaultMaxDecompressed is the largest decompressed stream Open reads from
// a gzip-compressed report when Options.MaxDecompressed is zero.
const DefaultMaxDecompressed = 512 << 20

// Options bounds what Open accepts.
type Options struct {
	// MaxDecompressed is the largest number of bytes a compressed report
	// may expand to; beyond it the report is refused as unsafe (a
	// decompression bomb). Zero means DefaultMaxDecompressed.
	MaxDecompressed int64
}

// Input is a report stream made ready for the parsers: decompressed,
// transcoded to UTF-8 without a byte order mark, its format named.
type Input struct {
	// R yields the normalised stream from its first byte (Head included).
	R io.Reader
	// Head is the first bytes of R, at most HeadSize.
	Head []byte
	// Format is the detected format, scan.FormatOther when none matched.
	Format scan.Format
	// Unsafe is set when a format was not matched and the prolog already
	// shows an entity declaration.
	Unsafe bool
	// Unsupported, when not nil, is an scan.ErrUnsupported error saying
	// which tool's output the content looks like and what to export
	// instead. Format is then scan.FormatOther.
	Unsupported error
	// Archive is "zip" for a zip archive, which no parser opens (its
	// members could be anything; only gzip is undone transparently).
	Archive string
	// Decoded lists what was undone to reach UTF-8 text, outermost first:
	// "gzip", "utf-16le", "utf-16be", "iso-8859-1", "windows-1252".
	Decoded []string
}

// Open reads the start of r, undoes gzip compression (bounded by
// o.MaxDecompressed and refusing nested archives), decodes UTF-16 with a
// byte order mark and XML declared in a Latin-1 family encoding to UTF-8,
// and names the format. Errors wrap scan.ErrMalformed (corrupt gzip),
// scan.ErrUnsafe (nesting; the size limit surfaces later, from R) or the
// reader's own error.
func Open(r io.Reader, o Options) (Input, error) {
	if o.MaxDecompressed <= 0 {
		o.MaxDecompressed = DefaultMaxDecompressed
	}
	var in Input
	br := bufio.NewReaderSize(r, HeadSize)
	head, err := peek(br)
	if err != nil {
		return Input{}, err
	}
	if isGzip(head) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return Input{}, gzipError(err)
		}
		in.Decoded = append(in.Decoded, "gzip")
		br = bufio.NewReaderSize(&boundedReader{r: zr, left: o.MaxDecompressed, max: o.MaxDecompressed}, HeadSize)
		if head, err = peek(br); err != nil {
			return Input{}, err
		}
		if isGzip(head) || isZip(head) {
			return Input{}, scan.Unsafef(scan.Position{}, "an archive inside a gzip-compressed file: nested compression is refused; upload the report itself or gzip it once")
		}
	}
	if dec, name := bomDecoder(head); dec != nil {
		in.Decoded = append(in.Decoded, name)
		br = bufio.NewReaderSize(transform.NewReader(br, dec.NewDecoder()), HeadSize)
		if head, err = peek(br); err != nil {
			return Input{}, err
		}
	}
	if bytes.HasPrefix(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
		if head, err = peek(br); err != nil {
			return Input{}, err
		}
	}
	if enc, name := declaredCharset(head); enc != nil {
		in.Decoded = append(in.Decoded, name)
		br = bufio.NewReaderSize(transform.NewReader(br, enc.NewDecoder()), HeadSize)
		if head, err = peek(br); err != nil {
			return Input{}, err
		}
	}
	// The head is copied out so that the declaration can be rewritten to
	// name the encoding the parsers now see.
	in.Head = append([]byte(nil), head...)
	_, _ = br.Discard(len(head))
	if len(in.Decoded) > 0 && !onlyGzip(in.Decoded) {
		in.Head = relabelUTF8(in.Head)
	}
	in.R = io.MultiReader(bytes.NewReader(in.Head), br)
	in.Format, in.Unsafe = sniff(in.Head)
	if in.Format == scan.FormatOther {
		if isZip(in.Head) {
			in.Archive = "zip"
		} else {
			in.Unsupported = unsupported(in.Head)
		}
	}
	return in, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// peek returns up to HeadSize bytes without consuming them; a short input
// is not an error.
func peek(br *bufio.Reader) ([]byte, error) {
	head, err := br.Peek(HeadSize)
	if err != nil && !errors.Is(err, io.EOF) {
		var pe *scan.ParseError
		if errors.As(err, &pe) {
			return nil, err
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			return head, nil
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	return head, nil
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

func isZip(b []byte) bool {
	return bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06"))
}

func onlyGzip(dec []string) bool { return len(dec) == 1 && dec[0] == "gzip" }

// bomDecoder returns a UTF-16 decoder when b starts with a UTF-16 byte
// order mark. Without a mark the input is left alone: the XML parsers
// refuse it, since guessing the byte order of text is how reports get
// misread.
func bomDecoder(b []byte) (encoding.Encoding, string) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	}
	return nil, ""
}

// declaredCharset returns a decoder when b is XML whose declaration names
// a single-byte encoding the scanners are known to write.
func declaredCharset(b []byte) (encoding.Encoding, string) {
	decl, _, ok := xmlDecl(b)
	if !ok {
		return nil, ""
	}
	enc, ok := pseudoAttr(decl, "encoding")
	if !ok {
		return nil, ""
	}
	switch strings.ToLower(string(enc)) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1":
		return charmap.ISO8859_1, "iso-8859-1"
	case "iso-8859-15", "iso8859-15", "latin-9":
		return charmap.ISO8859_15, "iso-8859-15"
	case "windows-1252", "cp1252", "x-cp1252":
		return charmap.Windows1252, "windows-1252"
	}
	return nil, ""
}

// xmlDecl finds the XML declaration at the start of b, allowing white space
// and comments before it (which some exporters write although XML does not
// allow it), and returns its pseudo-attributes and its span.
func xmlDecl(b []byte) (decl []byte, span [2]int, ok bool) {
	i := 0
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if !bytes.HasPrefix(b[i:], []byte("<!--")) {
			break
		}
		end := bytes.Index(b[i+4:], []byte("-->"))
		if end < 0 {
			return nil, span, false
		}
		i += 4 + end + 3
	}
	if !bytes.HasPrefix(b[i:], []byte("<?xml")) || len(b) < i+6 || !isSpace(b[i+5]) {
		return nil, span, false
	}
	end := bytes.Index(b[i:], []byte("?>"))
	if end < 0 {
		return nil, span, false
	}
	return b[i+5 : i+end], [2]int{i, i + end + 2}, true
}

// relabelUTF8 rewrites the XML declaration's encoding to UTF-8 after the
// content has been transcoded, so that the parser does not refuse the
// encoding the bytes no longer have.
func relabelUTF8(head []byte) []byte {
	decl, span, ok := xmlDecl(head)
	if !ok {
		return head
	}
	if _, ok := pseudoAttr(decl, "encoding"); !ok {
		return head
	}
	version := []byte("1.0")
	if v, ok := pseudoAttr(decl, "version"); ok && len(v) <= 8 {
		version = v
	}
	out := make([]byte, 0, len(head))
	out = append(out, head[:span[0]]...)
	out = append(out, `<?xml version="`...)
	out = append(out, version...)
	out = append(out, `" encoding="UTF-8"?>`...)
	return append(out, head[span[1]:]...)
}

func pseudoAttr(decl []byte, name string) ([]byte, bool) {
	i := bytes.Index(decl, []byte(name))
	if i < 0 {
		return nil, false
	}
	rest := bytes.TrimLeft(decl[i+len(name):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return nil, false
	}
	q := rest[0]
	j := bytes.IndexByte(rest[1:], q)
	if j < 0 {
		return nil, false
	}
	return rest[1 : 1+j], true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// boundedReader stops a decompressed stream at a size limit with an
// ErrUnsafe error, and turns gzip's own errors into ErrMalformed.
type boundedReader struct {
	r         io.Reader
	left, max int64
	err       error
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.err = scan.Unsafef(scan.Position{Offset: b.max}, "the gzip-compressed report expands past %d bytes: refused as a decompression bomb", b.max)
		b.left = 0
		return n, b.err
	}
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		b.err = gzipError(err)
		return n, b.err
	}
	return n, err
}

// gzipError classifies a gzip failure: corrupt or truncated compressed
// data is a malformed report; anything else is the reader's own error.
func gzipError(err error) error {
	switch {
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.Is(err, io.ErrUnexpectedEOF):
		return scan.Malformedf(scan.Position{}, "corrupt or truncated gzip data: %v", err)
	case errors.Is(err, io.EOF):
		return scan.Malformedf(scan.Position{}, "truncated gzip data")
	}
	var pe *scan.ParseError
	if errors.As(err, &pe) {
		return err
	}
	var corrupt flate.CorruptInputError
	if errors.As(err, &corrupt) {
		return scan.Malformedf(scan.Position{}, "corrupt gzip data: %v", err)
	}
	return fmt.Errorf("read: %w", err)
}
