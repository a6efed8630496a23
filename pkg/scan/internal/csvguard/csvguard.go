// Package csvguard reads untrusted CSV exports for the parsers: the header
// row mapped to column indexes by name, each record bounded in size before
// encoding/csv buffers it, a UTF-8 byte order mark dropped, the separator
// (comma or semicolon) taken from the header line, and encoding/csv errors
// turned into scan.ErrMalformed.
package csvguard

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// MaxRecord is the largest CSV record accepted, in bytes.
const MaxRecord = scan.MaxToken

// Reader reads records after the header.
type Reader struct {
	c      *csv.Reader
	g      *guard
	header []string
	cols   map[string]int
	line   int
}

// guard fails a read that takes the current record past MaxRecord.
type guard struct {
	r     io.Reader
	total int64
	limit int64
}

func (g *guard) Read(p []byte) (int, error) {
	if g.total >= g.limit {
		return 0, scan.Unsafef(scan.Position{Offset: g.total}, "CSV record longer than %d bytes", MaxRecord)
	}
	if room := g.limit - g.total; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := g.r.Read(p)
	g.total += int64(n)
	return n, err
}

// NewReader reads the header row of r. Empty input, or a header with fewer
// than two columns, is ErrMalformed.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(64 << 10)
	sep := ','
	if line, _, _ := bytes.Cut(head, []byte("\n")); bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		sep = ';'
	}
	g := &guard{r: br, limit: MaxRecord}
	c := csv.NewReader(g)
	c.Comma = sep
	c.FieldsPerRecord = -1
	c.LazyQuotes = true
	c.ReuseRecord = false
	rd := &Reader{c: c, g: g, cols: map[string]int{}}
	h, err := rd.read()
	if errors.Is(err, io.EOF) {
		return nil, scan.Malformedf(scan.Position{}, "empty input")
	}
	if err != nil {
		return nil, err
	}
	if len(h) < 2 {
		return nil, scan.Malformedf(scan.Position{Line: 1}, "the first line is not a CSV header")
	}
	rd.header = h
	for i, name := range h {
		k := strings.ToLower(strings.TrimSpace(name))
		if _, dup := rd.cols[k]; !dup && k != "" {
			rd.cols[k] = i
		}
	}
	return rd, nil
}

// Header is the header row as written.
func (r *Reader) Header() []string { return r.header }

// Line is the input line where the last record started.
func (r *Reader) Line() int { return r.line }

// Col returns the index of the first of names (lower-case) present in the
// header, or -1.
func (r *Reader) Col(names ...string) int {
	for _, n := range names {
		if i, ok := r.cols[n]; ok {
			return i
		}
	}
	return -1
}

// Next returns the next record, or io.EOF at the end. Blank lines are
// skipped by encoding/csv.
func (r *Reader) Next() ([]string, error) { return r.read() }

func (r *Reader) read() ([]string, error) {
	rec, err := r.c.Read()
	if err == nil {
		r.line, _ = r.c.FieldPos(0)
		r.g.limit = r.c.InputOffset() + MaxRecord
		return rec, nil
	}
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		var se *scan.ParseError
		if errors.As(pe.Err, &se) {
			return nil, se
		}
		return nil, scan.Malformedf(scan.Position{Line: pe.StartLine}, "CSV: %v", pe.Err)
	}
	var se *scan.ParseError
	if errors.As(err, &se) {
		return nil, err
	}
	return nil, err
}

// Get returns rec[i] trimmed, or "" when i is -1 or out of range.
func Get(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}
