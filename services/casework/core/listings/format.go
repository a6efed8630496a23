package listings

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Format is the encoding of an import.
type Format string

// Import formats.
const (
	FormatNDJSON Format = "ndjson"
	FormatCSV    Format = "csv"
)

// ParseFormat accepts a format name, a media type or a file extension.
func ParseFormat(s string) (Format, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if mt, _, ok := strings.Cut(s, ";"); ok {
		s = strings.TrimSpace(mt)
	}
	switch s {
	case "ndjson", "jsonl", ".ndjson", ".jsonl", "application/x-ndjson", "application/ndjson", "application/jsonl",
		"application/json-seq":
		return FormatNDJSON, true
	case "csv", ".csv", "text/csv", "application/csv":
		return FormatCSV, true
	}
	return "", false
}

// record is one decoded line (or CSV record) of an import.
type record struct {
	line  int64 // 1-based line number where it starts
	in    Input
	notes FieldNotes // valid until the next call of next
	err   string     // why the line cannot be used; empty when in is set
}

// decoder yields records; io.EOF ends the input, any other error aborts it.
type decoder interface {
	next() (record, error)
}

// tracker sits between the source and a decoder: it counts and keeps the
// bytes read but not yet consumed, and hashes bytes as the decoder consumes
// them, so a checkpoint can name an exact prefix of the input by length and
// SHA-256. It also bounds how much one record may buffer.
type tracker struct {
	src      io.Reader
	buf      []byte // read from src, not yet consumed
	consumed int64  // offset of buf[0] in the input
	lines    int64  // newlines consumed
	h        hash.Hash
	limit    int
}

func (t *tracker) Read(p []byte) (int, error) {
	if len(t.buf) > t.limit {
		return 0, fmt.Errorf("a record is longer than %d bytes", t.limit)
	}
	n, err := t.src.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// consume hashes and forgets the input up to absolute offset upTo.
func (t *tracker) consume(upTo int64) {
	n := upTo - t.consumed
	if n <= 0 {
		return
	}
	if n > int64(len(t.buf)) {
		n = int64(len(t.buf))
	}
	t.h.Write(t.buf[:n])
	t.lines += int64(bytes.Count(t.buf[:n], []byte{'\n'}))
	t.buf = t.buf[n:]
	if len(t.buf) == 0 {
		t.buf = t.buf[:0:0]
	}
	t.consumed += n
}

// ndjsonDecoder reads one JSON object per line.
type ndjsonDecoder struct {
	t       *tracker
	r       *bufio.Reader
	line    int64
	off     int64
	maxLine int
	lv      lineValues
}

func newNDJSONDecoder(t *tracker, firstLine int64, startOff int64, maxLine int) *ndjsonDecoder {
	return &ndjsonDecoder{t: t, r: bufio.NewReaderSize(t, 64<<10), line: firstLine - 1, off: startOff, maxLine: maxLine}
}

func (d *ndjsonDecoder) next() (record, error) {
	for {
		raw, tooLong, err := d.readLine()
		if err != nil && (err != io.EOF || len(raw) == 0 && !tooLong) {
			return record{}, err
		}
		d.line++
		if tooLong {
			return record{line: d.line, err: fmt.Sprintf("the line is longer than %d bytes", d.maxLine)}, nil
		}
		raw = bytes.TrimRight(raw, "\r\n")
		if len(bytes.TrimSpace(raw)) == 0 {
			if err == io.EOF {
				return record{}, io.EOF
			}
			continue
		}
		return decodeJSONLine(&d.lv, d.line, raw), nil
	}
}

// readLine returns the next line (with its newline) and whether it was cut
// for exceeding maxLine; the rest of an overlong line is skipped.
func (d *ndjsonDecoder) readLine() ([]byte, bool, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := d.r.ReadSlice('\n')
		d.off += int64(len(chunk))
		d.t.consume(d.off)
		if !tooLong {
			if len(line)+len(chunk) > d.maxLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		switch {
		case err == nil:
			return line, tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return line, tooLong, err
		}
	}
}

// decodeJSONLine reads one NDJSON line into a record, reusing lv.
func decodeJSONLine(lv *lineValues, line int64, raw []byte) record {
	if !utf8.Valid(raw) {
		return record{line: line, err: "the line is not valid UTF-8"}
	}
	lv.reset()
	if msg := decodeObject(lv, raw); msg != "" {
		return record{line: line, err: msg}
	}
	in, msg := lv.finish()
	return record{line: line, in: in, notes: lv.notes, err: msg}
}

// decodeObject reads a JSON object's members into lv; it returns why raw
// is not one JSON object.
func decodeObject(lv *lineValues, raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if !json.Valid(raw) {
		return "malformed JSON: " + jsonSyntaxProblem(raw)
	}
	if raw[0] != '{' {
		return "malformed JSON: the line must be a JSON object, not " + jsonKind(raw)
	}
	lv.obj, lv.src = raw, string(raw)
	eachMember(raw, lv.putJSON)
	lv.obj = nil
	return ""
}

// jsonSyntaxProblem says why raw (which json.Valid refused) is not one
// JSON value.
func jsonSyntaxProblem(raw []byte) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return jsonProblem(err)
	}
	return "more than one value on the line"
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the JSON object is incomplete"
	}
	return err.Error()
}

// eachMember calls fn with the raw key and value of every member of the
// JSON object obj, which must be valid JSON (json.Valid): the scan only
// finds boundaries, so it never allocates.
func eachMember(obj []byte, fn func(key, val []byte)) {
	i := skipSpace(obj, 1)
	for i < len(obj) && obj[i] != '}' {
		kEnd := skipValue(obj, i)
		key := obj[i:kEnd]
		i = skipSpace(obj, kEnd)
		i = skipSpace(obj, i+1) // the colon
		vEnd := skipValue(obj, i)
		fn(key, obj[i:vEnd])
		i = skipSpace(obj, vEnd)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// skipString returns the end (after the closing quote) of the string at b[i].
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// csvDecoder reads CSV with a header row naming Columns (or their
// aliases); other columns are ignored and reported.
type csvDecoder struct {
	t      *tracker
	r      *csv.Reader
	header []string
	cols   []csvColumn
	base   int64 // line number before the reader's first line
	start  int64 // offset of the reader's first byte
	lv     lineValues
}

// csvColumn is what a header name resolved to.
type csvColumn struct {
	name  string
	ref   fieldRef
	known bool
}

func resolveHeader(header []string) []csvColumn {
	cols := make([]csvColumn, len(header))
	for i, h := range header {
		ref, ok := lookupField(h)
		cols[i] = csvColumn{name: h, ref: ref, known: ok}
	}
	return cols
}

// readCSVHeader reads the header row and checks its names.
func readCSVHeader(t *tracker) (*csvDecoder, error) {
	d := &csvDecoder{t: t, r: newCSVReader(t)}
	hdr, err := d.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the CSV has no header row")
	}
	if err != nil {
		return nil, fmt.Errorf("the CSV header row is malformed: %w", err)
	}
	if len(hdr) > 0 {
		hdr[0] = strings.TrimPrefix(hdr[0], "\ufeff")
	}
	seen := map[string]bool{}
	for i, h := range hdr {
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("CSV column %d is not valid UTF-8", i+1)
		}
		h = normName(h)
		if seen[h] && h != "" {
			return nil, fmt.Errorf("CSV column %q appears twice", clip(h))
		}
		seen[h] = true
		hdr[i] = h
	}
	d.header = slices.Clone(hdr) // the reader reuses the record's memory
	d.cols = resolveHeader(d.header)
	t.consume(d.r.InputOffset())
	return d, nil
}

// resumeCSV continues a CSV import after its header and committed lines.
func resumeCSV(t *tracker, header []string, lines, off int64) *csvDecoder {
	return &csvDecoder{t: t, r: newCSVReader(t), header: header, cols: resolveHeader(header), base: lines, start: off}
}

func newCSVReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}

func (d *csvDecoder) offset() int64 { return d.start + d.r.InputOffset() }

func (d *csvDecoder) next() (record, error) {
	for {
		fields, err := d.r.Read()
		d.t.consume(d.offset())
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return record{}, io.EOF
		case errors.As(err, &pe):
			return record{line: d.base + int64(pe.StartLine), err: "malformed CSV: " + pe.Err.Error()}, nil
		case err != nil:
			return record{}, err
		}
		line, _ := d.r.FieldPos(0)
		rec := record{line: d.base + int64(line)}
		if len(fields) == 1 && strings.TrimSpace(fields[0]) == "" {
			continue
		}
		if len(fields) != len(d.cols) {
			rec.err = fmt.Sprintf("has %d fields, the header has %d", len(fields), len(d.cols))
			return rec, nil
		}
		lv := &d.lv
		lv.reset()
		for i, f := range fields {
			c := d.cols[i]
			if !utf8.ValidString(f) {
				rec.err = clip(c.name) + " is not valid UTF-8"
				return rec, nil
			}
			switch {
			case c.known:
				lv.put(c.name, c.ref, f, false)
			case strings.TrimSpace(f) != "":
				lv.ignore(c.name)
			}
		}
		rec.in, rec.err = lv.finish()
		rec.notes = lv.notes
		return rec, nil
	}
}
