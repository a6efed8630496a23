// Package xmlstream is a small, safe, streaming XML tokenizer for scanner
// reports. It exists because encoding/xml's Token loop is too slow for the
// 50 MB/s target on large nmap files, and because hostile input must never
// trigger entity expansion or unbounded buffering.
//
// It supports what report formats use: elements, attributes, text, CDATA,
// comments, processing instructions and a DOCTYPE without internal subset.
// Only the five predefined entities and numeric character references are
// expanded; any DTD internal subset or other entity reference is refused
// with scan.ErrUnsafe, and nothing outside the input is ever read.
// Well-formedness is checked (matching tags, one root, no truncation) and
// violations are scan.ErrMalformed. Invalid UTF-8 and control characters in
// text and attribute values are replaced with U+FFFD and counted (see
// Replaced) rather than rejected, so one bad byte in a banner does not lose a
// whole report.
//
// Tokens point into the decoder's buffers and are valid only until the next
// call to Next. Namespaces are not resolved: Token.Name is the local part.
package xmlstream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// Kind is the kind of a Token.
type Kind uint8

// Token kinds. Comments, processing instructions and the DOCTYPE are
// consumed silently; a self-closing tag yields StartElement then EndElement.
const (
	StartElement Kind = iota + 1
	EndElement
	CharData
)

// Attr is one attribute; Name is the qualified name as written.
type Attr struct {
	Name  []byte
	Value []byte
}

// Token is one XML token. Its slices are valid until the next Next call.
type Token struct {
	Kind Kind
	// Name is the local element name (after any prefix) for elements.
	Name []byte
	// QName is the element name as written, prefix included.
	QName []byte
	// Attrs are a StartElement's attributes, values with references expanded.
	Attrs []Attr
	// Data is CharData text with references expanded. A long text node may
	// arrive as several consecutive CharData tokens.
	Data []byte
}

// Attr returns the value of the attribute named name (as written) and
// whether it is present.
func (t *Token) Attr(name string) ([]byte, bool) {
	for i := range t.Attrs {
		if string(t.Attrs[i].Name) == name {
			return t.Attrs[i].Value, true
		}
	}
	return nil, false
}

// Is reports whether t is a StartElement with local name name.
func (t *Token) Is(name string) bool {
	return t.Kind == StartElement && string(t.Name) == name
}

// Options bounds what a Decoder accepts; zero fields take the scan package
// defaults (scan.MaxDepth, scan.MaxToken, scan.MaxText).
type Options struct {
	MaxDepth int
	MaxToken int
	MaxText  int64
}

const (
	initialBuffer = 64 << 10
	// markupSlack lets a maximal attribute value fit with its tag around it.
	markupSlack = 64 << 10
)

type state uint8

const (
	stateStart state = iota // nothing consumed yet
	stateProlog
	stateRoot
	stateEpilog
)

// errMore is the internal signal that a construct runs past the buffered
// data; the caller reads more and parses the construct again from its start.
var errMore = errors.New("xmlstream: need more input")

// Decoder reads tokens from an io.Reader.
type Decoder struct {
	r        io.Reader
	buf      []byte
	pos, end int   // unread data is buf[pos:end]
	base     int64 // input offset of buf[0]
	lines    int   // newlines in input before buf[0]
	eof      bool
	rerr     error // read error held back until the buffered input is used
	err      error // sticky

	maxDepth int
	maxBuf   int
	maxText  int64

	st         state
	sawDoctype bool
	sawDecl    bool
	pendingEnd bool
	stack      []int // start offsets of open element names in names
	names      []byte
	textLen    int64
	tokStart   int64

	scratch  []byte
	attrs    []Attr
	replaced int
	tok      Token
}

// NewDecoder returns a Decoder reading r.
func NewDecoder(r io.Reader, o Options) *Decoder {
	if o.MaxDepth <= 0 {
		o.MaxDepth = scan.MaxDepth
	}
	if o.MaxToken <= 0 {
		o.MaxToken = scan.MaxToken
	}
	if o.MaxText <= 0 {
		o.MaxText = scan.MaxText
	}
	return &Decoder{
		r:        r,
		buf:      make([]byte, initialBuffer),
		maxDepth: o.MaxDepth,
		maxBuf:   o.MaxToken + markupSlack,
		maxText:  o.MaxText,
		stack:    make([]int, 0, 32),
		names:    make([]byte, 0, 512),
	}
}

// Depth is the number of open elements, counting one just returned as
// StartElement and not counting one just returned as EndElement.
func (d *Decoder) Depth() int { return len(d.stack) }

// Replaced is how many invalid UTF-8 sequences or disallowed control
// characters were replaced with U+FFFD so far.
func (d *Decoder) Replaced() int { return d.replaced }

// Offset is the input offset of the start of the last token returned.
func (d *Decoder) Offset() int64 { return d.tokStart }

// Pos is the position of the start of the last token returned.
func (d *Decoder) Pos() scan.Position { return d.position(int(d.tokStart - d.base)) }

func (d *Decoder) position(i int) scan.Position {
	if i < 0 || i > d.end {
		return scan.Position{Offset: d.base + int64(i)}
	}
	return scan.Position{Offset: d.base + int64(i), Line: d.lines + bytes.Count(d.buf[:i], []byte{'\n'}) + 1}
}

func (d *Decoder) malformed(i int, format string, args ...any) error {
	return scan.Malformedf(d.position(i), format, args...)
}

func (d *Decoder) unsafe(i int, format string, args ...any) error {
	return scan.Unsafef(d.position(i), format, args...)
}

// Next returns the next token, io.EOF after the root element has closed and
// the input ended cleanly, or an error wrapping scan.ErrMalformed,
// scan.ErrUnsafe or the reader's own error. Errors are sticky.
func (d *Decoder) Next() (*Token, error) {
	if d.err != nil {
		return nil, d.err
	}
	d.scratch = d.scratch[:0]
	if d.pendingEnd {
		d.pendingEnd = false
		d.tok = Token{Kind: EndElement}
		d.pop()
		return &d.tok, nil
	}
	for {
		t, err := d.next()
		if err != nil {
			d.err = err
			return nil, err
		}
		if t != nil {
			return t, nil
		}
	}
}

// Skip consumes the rest of the element whose StartElement was just
// returned, including its end tag.
func (d *Decoder) Skip() error {
	target := len(d.stack) - 1
	for len(d.stack) > target {
		if _, err := d.Next(); err != nil {
			return err
		}
	}
	return nil
}

// Text consumes the rest of the element whose StartElement was just
// returned and writes its direct text content to tb; child elements are
// skipped.
func (d *Decoder) Text(tb *scan.TextBuffer) error {
	target := len(d.stack) - 1
	for len(d.stack) > target {
		t, err := d.Next()
		if err != nil {
			return err
		}
		if t.Kind == CharData && len(d.stack) == target+1 {
			tb.Write(t.Data)
		}
	}
	return nil
}

// FieldText is Text cut to scan.MaxField and trimmed of white space.
func (d *Decoder) FieldText() (string, error) {
	var tb scan.TextBuffer
	tb.Max = scan.MaxField
	if err := d.Text(&tb); err != nil {
		return "", err
	}
	s, _ := tb.String()
	return strings.TrimSpace(s), nil
}

func (d *Decoder) pop() {
	top := d.stack[len(d.stack)-1]
	d.stack = d.stack[:len(d.stack)-1]
	d.tok.QName = d.names[top:]
	d.tok.Name = local(d.tok.QName)
	d.names = d.names[:top]
	if len(d.stack) == 0 {
		d.st = stateEpilog
	}
}

func local(qname []byte) []byte {
	if i := bytes.IndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

// fill reads more input. When the buffer is full it first drops consumed
// bytes, or grows the buffer when one construct fills it.
func (d *Decoder) fill() error {
	if d.end == len(d.buf) {
		if d.pos > 0 {
			d.lines += bytes.Count(d.buf[:d.pos], []byte{'\n'})
			n := copy(d.buf, d.buf[d.pos:d.end])
			d.base += int64(d.pos)
			d.end = n
			d.pos = 0
		} else {
			if len(d.buf) >= d.maxBuf {
				return d.unsafe(0, "markup construct longer than %d bytes", d.maxBuf-markupSlack)
			}
			size := min(2*len(d.buf), d.maxBuf)
			nb := make([]byte, size)
			copy(nb, d.buf[:d.end])
			d.buf = nb
		}
	}
	if d.rerr != nil {
		return d.rerr
	}
	empty := 0
	start := d.end
	for d.end < len(d.buf) {
		n, err := d.r.Read(d.buf[d.end:])
		d.end += n
		if err == io.EOF {
			d.eof = true
			return nil
		}
		if err != nil {
			err = fmt.Errorf("xmlstream: read: %w", err)
			if d.end > start {
				// Parse what arrived first; report the failure when more
				// input is needed.
				d.rerr = err
				return nil
			}
			return err
		}
		if n == 0 {
			if empty++; empty > 100 {
				return fmt.Errorf("xmlstream: read: %w", io.ErrNoProgress)
			}
		}
	}
	return nil
}

// next parses one construct; a nil token with nil error means it was
// consumed silently.
func (d *Decoder) next() (*Token, error) {
	for {
		if d.pos == d.end && !d.eof {
			if err := d.fill(); err != nil {
				return nil, err
			}
			continue
		}
		if d.pos == d.end {
			return nil, d.atEOF()
		}
		if d.st == stateStart {
			if err := d.checkStart(); err != nil {
				if err == errMore {
					if err := d.fill(); err != nil {
						return nil, err
					}
					continue
				}
				return nil, err
			}
			if d.pos == d.end {
				continue
			}
		}
		var t *Token
		var err error
		d.tokStart = d.base + int64(d.pos)
		if d.buf[d.pos] == '<' {
			t, err = d.markup()
		} else {
			t, err = d.text()
		}
		if err == errMore {
			if d.eof {
				return nil, d.malformed(d.end, "unexpected end of input")
			}
			if err := d.fill(); err != nil {
				return nil, err
			}
			continue
		}
		return t, err
	}
}

func (d *Decoder) atEOF() error {
	switch d.st {
	case stateEpilog:
		return io.EOF
	case stateRoot:
		top := d.stack[len(d.stack)-1]
		return d.malformed(d.end, "unexpected end of input inside <%s>", d.names[top:])
	}
	if d.base+int64(d.end) == 0 {
		return d.malformed(0, "empty input")
	}
	return d.malformed(d.end, "no root element")
}

// checkStart handles byte order marks and refuses non-UTF-8 encodings
// before anything else is parsed.
func (d *Decoder) checkStart() error {
	b := d.buf[d.pos:d.end]
	if len(b) < 4 && !d.eof {
		return errMore
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		d.pos += 3
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0xFF, 0xFE}),
		bytes.HasPrefix(b, []byte{0, '<'}), bytes.HasPrefix(b, []byte{'<', 0}),
		bytes.HasPrefix(b, []byte{0, 0}):
		return d.malformed(0, "UTF-16 or UTF-32 input is not supported")
	}
	d.st = stateProlog
	if !bytes.HasPrefix(d.buf[d.pos:d.end], []byte("<?xml")) {
		return nil
	}
	// The XML declaration: only its encoding matters.
	end := bytes.Index(d.buf[d.pos:d.end], []byte("?>"))
	if end < 0 {
		if d.eof {
			return d.malformed(d.end, "unterminated XML declaration")
		}
		if d.end-d.pos > 4096 {
			return d.malformed(d.pos, "XML declaration too long")
		}
		d.st = stateStart
		return errMore
	}
	decl := d.buf[d.pos+5 : d.pos+end]
	if len(decl) > 0 && !isSpace(decl[0]) {
		// "<?xml-stylesheet ...?>" and the like are ordinary PIs.
		return nil
	}
	if enc, ok := pseudoAttr(decl, "encoding"); ok && !utf8Name(enc) {
		return d.malformed(d.pos, "unsupported encoding %q", enc)
	}
	d.sawDecl = true
	d.pos += end + 2
	return nil
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

// text handles character data up to the next '<'. Long runs are returned
// in chunks of at most one buffer, cut where no reference, CR LF pair or
// UTF-8 sequence is split.
func (d *Decoder) text() (*Token, error) {
	for {
		b := d.buf[d.pos:d.end]
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			if !d.eof && !(d.pos == 0 && d.end == len(d.buf)) {
				if err := d.fill(); err != nil {
					return nil, err
				}
				continue
			}
			i = len(b)
			if !d.eof {
				if i = safeCut(b); i == 0 {
					// Only possible with a buffer smaller than a reference.
					if err := d.fill(); err != nil {
						return nil, err
					}
					continue
				}
			}
		}
		raw := b[:i]
		start := d.pos
		d.pos += i
		if d.st != stateRoot {
			for _, c := range raw {
				if !isSpace(c) {
					return nil, d.malformed(start, "text outside the root element")
				}
			}
			return nil, nil
		}
		d.textLen += int64(i)
		if d.textLen > d.maxText {
			return nil, d.unsafe(start, "text node longer than %d bytes", d.maxText)
		}
		data, err := d.decode(raw, modeText, start)
		if err != nil {
			return nil, err
		}
		d.tok = Token{Kind: CharData, Data: data}
		return &d.tok, nil
	}
}

// safeCut picks where to split a text run that fills the buffer.
func safeCut(b []byte) int {
	n := len(b)
	if j := bytes.LastIndexByte(b, '&'); j >= 0 && n-j < 40 && bytes.IndexByte(b[j:], ';') < 0 {
		n = j
	}
	if n > 0 && b[n-1] == '\r' {
		n--
	}
	for k := n - 1; k >= 0 && k >= n-utf8.UTFMax; k-- {
		if utf8.RuneStart(b[k]) {
			if !utf8.FullRune(b[k:n]) {
				n = k
			}
			break
		}
	}
	return n
}

// markup parses a construct starting with '<'. It returns errMore when the
// construct is not complete in the buffer.
func (d *Decoder) markup() (*Token, error) {
	b := d.buf[d.pos:d.end]
	if len(b) < 2 {
		return nil, errMore
	}
	d.textLen = 0
	switch b[1] {
	case '/':
		return d.endTag(b)
	case '?':
		return nil, d.procInst(b)
	case '!':
		return d.bang(b)
	}
	return d.startTag(b)
}

func (d *Decoder) startTag(b []byte) (*Token, error) {
	if d.st == stateEpilog {
		return nil, d.malformed(d.pos, "element after the root element")
	}
	n := scanName(b, 1)
	if n == 1 {
		if len(b) == 1 {
			return nil, errMore
		}
		return nil, d.malformed(d.pos, "invalid element name")
	}
	if n == len(b) {
		return nil, errMore
	}
	qname := b[1:n]
	d.attrs = d.attrs[:0]
	d.scratch = d.scratch[:0]
	i := n
	selfClose := false
	for {
		sp := i
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return nil, errMore
		}
		c := b[i]
		if c == '>' {
			i++
			break
		}
		if c == '/' {
			if i+1 == len(b) {
				return nil, errMore
			}
			if b[i+1] != '>' {
				return nil, d.malformed(d.pos+i, "expected '>' after '/' in tag <%s>", clipName(qname))
			}
			i += 2
			selfClose = true
			break
		}
		if sp == i {
			return nil, d.malformed(d.pos+i, "missing space before attribute in <%s>", clipName(qname))
		}
		ne := scanName(b, i)
		if ne == i {
			return nil, d.malformed(d.pos+i, "invalid attribute name in <%s>", clipName(qname))
		}
		if ne == len(b) {
			return nil, errMore
		}
		name := b[i:ne]
		i = ne
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return nil, errMore
		}
		if b[i] != '=' {
			return nil, d.malformed(d.pos+i, "attribute %s without value", clipName(name))
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i == len(b) {
			return nil, errMore
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return nil, d.malformed(d.pos+i, "unquoted value for attribute %s", clipName(name))
		}
		j := bytes.IndexByte(b[i+1:], q)
		if j < 0 {
			return nil, errMore
		}
		raw := b[i+1 : i+1+j]
		val, err := d.decode(raw, modeAttr, d.pos+i+1)
		if err != nil {
			return nil, err
		}
		d.attrs = append(d.attrs, Attr{Name: name, Value: val})
		i += j + 2
	}
	if err := d.checkDupAttrs(); err != nil {
		return nil, err
	}
	if len(d.stack) >= d.maxDepth {
		return nil, d.unsafe(d.pos, "elements nested deeper than %d", d.maxDepth)
	}
	d.pos += i
	d.st = stateRoot
	d.stack = append(d.stack, len(d.names))
	d.names = append(d.names, qname...)
	d.tok = Token{Kind: StartElement, QName: qname, Name: local(qname), Attrs: d.attrs}
	d.pendingEnd = selfClose
	return &d.tok, nil
}

func (d *Decoder) checkDupAttrs() error {
	a := d.attrs
	if len(a) < 2 {
		return nil
	}
	if len(a) <= 16 {
		for i := 1; i < len(a); i++ {
			for j := 0; j < i; j++ {
				if bytes.Equal(a[i].Name, a[j].Name) {
					return d.malformed(d.pos, "duplicate attribute %s", clipName(a[i].Name))
				}
			}
		}
		return nil
	}
	seen := make(map[string]struct{}, len(a))
	for _, at := range a {
		if _, dup := seen[string(at.Name)]; dup {
			return d.malformed(d.pos, "duplicate attribute %s", clipName(at.Name))
		}
		seen[string(at.Name)] = struct{}{}
	}
	return nil
}

func (d *Decoder) endTag(b []byte) (*Token, error) {
	n := scanName(b, 2)
	if n == 2 {
		if len(b) == 2 {
			return nil, errMore
		}
		return nil, d.malformed(d.pos, "invalid end tag")
	}
	i := n
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return nil, errMore
	}
	if b[i] != '>' {
		return nil, d.malformed(d.pos+i, "expected '>' in end tag")
	}
	qname := b[2:n]
	if len(d.stack) == 0 {
		return nil, d.malformed(d.pos, "unexpected end tag </%s>", clipName(qname))
	}
	top := d.stack[len(d.stack)-1]
	if !bytes.Equal(d.names[top:], qname) {
		return nil, d.malformed(d.pos, "end tag </%s> does not match <%s>", clipName(qname), clipName(d.names[top:]))
	}
	d.pos += i + 1
	d.tok = Token{Kind: EndElement}
	d.pop()
	return &d.tok, nil
}

func (d *Decoder) procInst(b []byte) error {
	n := scanName(b, 2)
	if n == 2 {
		if len(b) == 2 {
			return errMore
		}
		return d.malformed(d.pos, "invalid processing instruction")
	}
	if n == len(b) {
		return errMore
	}
	if strings.EqualFold(string(b[2:n]), "xml") {
		return d.lateDecl(b, n)
	}
	end := bytes.Index(b[n:], []byte("?>"))
	if end < 0 {
		return errMore
	}
	d.pos += n + end + 2
	return nil
}

// lateDecl accepts an XML declaration preceded only by white space and
// comments, which some exporters write although XML does not allow it, and
// checks its encoding as at the start. Anywhere else it is malformed.
func (d *Decoder) lateDecl(b []byte, n int) error {
	if d.st != stateProlog || d.sawDoctype || d.sawDecl || n != 5 {
		return d.malformed(d.pos, "XML declaration not at the start of the input")
	}
	end := bytes.Index(b[n:], []byte("?>"))
	if end < 0 {
		return errMore
	}
	if enc, ok := pseudoAttr(b[n:n+end], "encoding"); ok && !utf8Name(enc) {
		return d.malformed(d.pos, "unsupported encoding %q", enc)
	}
	d.sawDecl = true
	d.pos += n + end + 2
	return nil
}

// utf8Name reports whether an encoding name means bytes the decoder reads
// as they are.
func utf8Name(enc []byte) bool {
	switch strings.ToLower(string(enc)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return true
	}
	return false
}

var (
	commentOpen = []byte("<!--")
	cdataOpen   = []byte("<![CDATA[")
	doctypeOpen = []byte("<!DOCTYPE")
)

func (d *Decoder) bang(b []byte) (*Token, error) {
	switch {
	case hasPrefixOrShort(b, commentOpen):
		if len(b) < len(commentOpen) {
			return nil, errMore
		}
		end := bytes.Index(b[4:], []byte("-->"))
		if end < 0 {
			return nil, errMore
		}
		d.pos += 4 + end + 3
		return nil, nil
	case hasPrefixOrShort(b, cdataOpen):
		if len(b) < len(cdataOpen) {
			return nil, errMore
		}
		if d.st != stateRoot {
			return nil, d.malformed(d.pos, "CDATA outside the root element")
		}
		end := bytes.Index(b[9:], []byte("]]>"))
		if end < 0 {
			return nil, errMore
		}
		raw := b[9 : 9+end]
		data, err := d.decode(raw, modeCDATA, d.pos+9)
		if err != nil {
			return nil, err
		}
		d.pos += 9 + end + 3
		d.tok = Token{Kind: CharData, Data: data}
		return &d.tok, nil
	case hasPrefixOrShort(b, doctypeOpen):
		if len(b) < len(doctypeOpen) {
			return nil, errMore
		}
		return nil, d.doctype(b)
	}
	return nil, d.malformed(d.pos, "unsupported markup declaration")
}

func hasPrefixOrShort(b, prefix []byte) bool {
	if len(b) < len(prefix) {
		return bytes.HasPrefix(prefix, b)
	}
	return bytes.HasPrefix(b, prefix)
}

// doctype accepts <!DOCTYPE name [ExternalID] [subset]>. An internal subset
// may hold element and attribute-list declarations only (ScanSubset):
// entity declarations are refused, since that is where entity expansion
// attacks live. The external identifier is never resolved.
func (d *Decoder) doctype(b []byte) error {
	if d.st != stateProlog || d.sawDoctype {
		return d.malformed(d.pos, "misplaced DOCTYPE")
	}
	var q byte
	for i := len(doctypeOpen); i < len(b); i++ {
		c := b[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '[':
			n, err := d.internalSubset(b, i+1)
			if err != nil {
				return err
			}
			i = n - 1
		case c == '<':
			return d.malformed(d.pos+i, "unexpected '<' in DOCTYPE")
		case c == '>':
			d.sawDoctype = true
			d.pos += i + 1
			return nil
		}
	}
	return errMore
}

// internalSubset checks the declarations of a DTD internal subset starting
// at b[i] and returns the index just past its closing ']'.
func (d *Decoder) internalSubset(b []byte, i int) (int, error) {
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return 0, errMore
		}
		rest := b[i:]
		switch {
		case rest[0] == ']':
			return i + 1, nil
		case rest[0] == '%':
			return 0, d.unsafe(d.pos+i, "parameter-entity reference in the DTD not allowed")
		case hasPrefixOrShort(rest, commentOpen):
			end := bytes.Index(rest, []byte("-->"))
			if len(rest) < len(commentOpen) || end < 0 {
				return 0, errMore
			}
			i += end + 3
		case hasPrefixOrShort(rest, []byte("<?")):
			end := bytes.Index(rest, []byte("?>"))
			if len(rest) < 2 || end < 0 {
				return 0, errMore
			}
			i += end + 2
		case hasPrefixOrShort(rest, []byte("<!ENTITY")):
			if len(rest) < len("<!ENTITY") {
				return 0, errMore
			}
			return 0, d.unsafe(d.pos+i, "DOCTYPE internal subset (entity declarations) not allowed")
		case hasPrefixOrShort(rest, []byte("<!NOTATION")), hasPrefixOrShort(rest, []byte("<![")):
			if len(rest) < len("<!NOTATION") {
				return 0, errMore
			}
			// As detect's ScanSubset: only what Burp's DTD needs is let through.
			return 0, d.unsafe(d.pos+i, "DOCTYPE internal subset with notation declarations or conditional sections not allowed")
		case hasPrefixOrShort(rest, []byte("<!ELEMENT")), hasPrefixOrShort(rest, []byte("<!ATTLIST")):
			if len(rest) < len("<!ELEMENT") {
				return 0, errMore
			}
			n, err := d.markupDecl(rest)
			if err != nil {
				if err != errMore {
					err = d.offset(err, i)
				}
				return 0, err
			}
			i += n
		default:
			return 0, d.malformed(d.pos+i, "unsupported declaration in the DTD internal subset")
		}
	}
}

// markupDecl returns the length of the ELEMENT, ATTLIST or NOTATION
// declaration at the start of b, quoted literals included.
func (d *Decoder) markupDecl(b []byte) (int, error) {
	var q byte
	for i := 2; i < len(b); i++ {
		c := b[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '%':
			return 0, d.unsafe(d.pos, "parameter-entity reference in the DTD not allowed")
		case c == '<':
			return 0, d.malformed(d.pos, "unexpected '<' in a DTD declaration")
		case c == '>':
			return i + 1, nil
		}
	}
	return 0, errMore
}

// offset moves a ParseError raised at the DOCTYPE start to the declaration
// at b[i].
func (d *Decoder) offset(err error, i int) error {
	var pe *scan.ParseError
	if errors.As(err, &pe) {
		pe.Pos = d.position(d.pos + i)
	}
	return err
}

// nameByte classifies bytes for names: 1 may start a name, 2 may continue
// one. Bytes >= 0x80 are accepted as UTF-8 name characters without checking
// Unicode name classes, which no report relies on.
var nameByte = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':', c >= 0x80:
			t[c] = 3
		case c >= '0' && c <= '9', c == '-', c == '.':
			t[c] = 2
		}
	}
	return t
}()

// scanName returns the end of a name starting at b[i], or i if none.
func scanName(b []byte, i int) int {
	if i >= len(b) || nameByte[b[i]]&1 == 0 {
		return i
	}
	j := i + 1
	for j < len(b) && nameByte[b[j]] != 0 {
		j++
	}
	return j
}

func clipName(b []byte) string {
	if len(b) > 64 {
		b = b[:64]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
