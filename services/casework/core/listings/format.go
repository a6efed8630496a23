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
	"strconv"
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

// Columns are the field names of an import line: NDJSON object keys and CSV
// header names alike. listing_id is the source's own id (stored as the
// external id); external_id is accepted as a synonym.
var Columns = []string{"listing_id", "retailer", "market_type", "seller", "url", "title", "description", "brand",
	"model", "gtin", "price", "price_pence", "currency", "condition", "observed_at", "support_period_text", "status",
	"product_id"}

// record is one decoded line (or CSV record) of an import.
type record struct {
	line int64 // 1-based line number where it starts
	in   Input
	err  string // why the line cannot be used; empty when in is set
}

// decoder yields records; io.EOF ends the input, any other error aborts it.
type decoder interface {
	next() (record, error)
	// offset is the number of input bytes consumed so far.
	offset() int64
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
}

func newNDJSONDecoder(t *tracker, firstLine int64, startOff int64, maxLine int) *ndjsonDecoder {
	return &ndjsonDecoder{t: t, r: bufio.NewReaderSize(t, 64<<10), line: firstLine - 1, off: startOff, maxLine: maxLine}
}

func (d *ndjsonDecoder) offset() int64 { return d.off }

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
		return decodeJSONLine(d.line, raw), nil
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

// jsonLine is the NDJSON shape of an import line.
type jsonLine struct {
	ListingID   *string         `json:"listing_id"`
	ExternalID  *string         `json:"external_id"`
	Retailer    *string         `json:"retailer"`
	MarketType  *string         `json:"market_type"`
	Seller      *string         `json:"seller"`
	URL         *string         `json:"url"`
	Title       *string         `json:"title"`
	Description *string         `json:"description"`
	Brand       *string         `json:"brand"`
	Model       *string         `json:"model"`
	GTIN        json.RawMessage `json:"gtin"`
	Price       json.RawMessage `json:"price"`
	PricePence  *int64          `json:"price_pence"`
	Currency    *string         `json:"currency"`
	Condition   *string         `json:"condition"`
	ObservedAt  *string         `json:"observed_at"`
	SupportText *string         `json:"support_period_text"`
	Status      *string         `json:"status"`
	ProductID   *string         `json:"product_id"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// scalar reads a JSON string or number as its text ("12.99" or 12.99).
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return "", false
	}
	return n.String(), true
}

func decodeJSONLine(line int64, raw []byte) record {
	if !utf8.Valid(raw) {
		return record{line: line, err: "the line is not valid UTF-8"}
	}
	var jl jsonLine
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&jl); err != nil {
		return record{line: line, err: "malformed JSON: " + jsonProblem(err)}
	}
	if dec.More() {
		return record{line: line, err: "malformed JSON: more than one value on the line"}
	}
	in, msg := jl.input()
	if msg != "" {
		return record{line: line, err: msg}
	}
	return record{line: line, in: in}
}

func jsonProblem(err error) string {
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute) && ute.Field != "":
		return fmt.Sprintf("%s must not be a JSON %s", ute.Field, ute.Value)
	case errors.As(err, &ute):
		return "the line must be a JSON object, not " + ute.Value
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.TrimPrefix(err.Error(), "json: ")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the JSON object is incomplete"
	}
	return err.Error()
}

func (jl jsonLine) input() (Input, string) {
	in := Input{ExternalID: str(jl.ListingID), Retailer: str(jl.Retailer), MarketType: str(jl.MarketType),
		Seller: str(jl.Seller), URL: str(jl.URL), Title: str(jl.Title), Description: str(jl.Description),
		Brand: str(jl.Brand), Model: str(jl.Model), PricePence: jl.PricePence, Currency: str(jl.Currency),
		Condition: str(jl.Condition), ObservedAt: str(jl.ObservedAt), SupportText: str(jl.SupportText),
		Status: str(jl.Status), ProductID: str(jl.ProductID)}
	if jl.ExternalID != nil {
		if jl.ListingID != nil && *jl.ListingID != *jl.ExternalID {
			return in, "listing_id and external_id differ; give one"
		}
		in.ExternalID = *jl.ExternalID
	}
	var ok bool
	if in.GTIN, ok = scalar(jl.GTIN); !ok {
		return in, "gtin must be a string or a number"
	}
	if in.Price, ok = scalar(jl.Price); !ok {
		return in, "price must be a string or a number"
	}
	return in, ""
}

// csvDecoder reads CSV with a header row naming Columns.
type csvDecoder struct {
	t      *tracker
	r      *csv.Reader
	header []string
	base   int64 // line number before the reader's first line
	start  int64 // offset of the reader's first byte
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
	known := map[string]bool{"external_id": true}
	for _, c := range Columns {
		known[c] = true
	}
	seen := map[string]bool{}
	for i, h := range hdr {
		h = strings.ToLower(strings.TrimSpace(h))
		if !known[h] {
			return nil, fmt.Errorf("CSV column %d %q is not one of %s", i+1, clip(h), strings.Join(Columns, ", "))
		}
		if seen[h] {
			return nil, fmt.Errorf("CSV column %q appears twice", h)
		}
		seen[h] = true
		hdr[i] = h
	}
	d.header = slices.Clone(hdr) // the reader reuses the record's memory
	t.consume(d.r.InputOffset())
	return d, nil
}

// resumeCSV continues a CSV import after its header and committed lines.
func resumeCSV(t *tracker, header []string, lines, off int64) *csvDecoder {
	return &csvDecoder{t: t, r: newCSVReader(t), header: header, base: lines, start: off}
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
		if len(fields) != len(d.header) {
			rec.err = fmt.Sprintf("has %d fields, the header has %d", len(fields), len(d.header))
			return rec, nil
		}
		v := map[string]string{}
		for i, f := range fields {
			if !utf8.ValidString(f) {
				rec.err = d.header[i] + " is not valid UTF-8"
				return rec, nil
			}
			v[d.header[i]] = f
		}
		in := Input{ExternalID: v["listing_id"], Retailer: v["retailer"], MarketType: v["market_type"], Seller: v["seller"],
			URL: v["url"], Title: v["title"], Description: v["description"], Brand: v["brand"], Model: v["model"],
			GTIN: v["gtin"], Price: v["price"], Currency: v["currency"], Condition: v["condition"],
			ObservedAt: v["observed_at"], SupportText: v["support_period_text"], Status: v["status"], ProductID: v["product_id"]}
		if e := v["external_id"]; e != "" {
			if in.ExternalID != "" && in.ExternalID != e {
				rec.err = "listing_id and external_id differ; give one"
				return rec, nil
			}
			in.ExternalID = e
		}
		if p := strings.TrimSpace(v["price_pence"]); p != "" {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				rec.err = fmt.Sprintf("price_pence %q is not a whole number", clip(p))
				return rec, nil
			}
			in.PricePence = &n
		}
		rec.in = in
		return rec, nil
	}
}
