// Package csvsafe writes CSV that a spreadsheet opens as data, never as
// formulas (CSV / formula injection, OWASP "CSV Injection"): a cell that
// starts with = + - @, a tab or a carriage return (OWASP's list), a line
// feed, any of these after leading spaces (some importers trim them), or
// the full-width = + - @ (which some spreadsheet locales also evaluate) is
// prefixed with a
// single quote, which spreadsheets take as "this cell is text" and do not
// display. Quoting and embedded separators are left to encoding/csv.
//
// Numbers stay numbers: a cell that is a plain decimal number (-12, 3.50,
// -0.5) is written as is, because it cannot be a formula and a leading quote
// would turn a negative figure into text no spreadsheet can sum. Every
// other cell is treated as text, whatever column it is in.
package csvsafe

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
)

// Writer is a csv.Writer that neutralises formula triggers in every cell.
type Writer struct {
	*csv.Writer
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one record, each cell passed through Cell.
func (w *Writer) Write(record []string) error {
	safe := make([]string, len(record))
	for i, c := range record {
		safe[i] = Cell(c)
	}
	return w.Writer.Write(safe)
}

// WriteAll writes every record and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// triggers are the first characters a spreadsheet may evaluate: OWASP's
// list, line feed, and the full-width equals, plus, hyphen-minus and
// commercial at.
const triggers = "=+-@\t\r\n＝＋－＠"

var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Cell returns c as it is safe to put in a spreadsheet cell.
func Cell(c string) string {
	if c == "" || plainNumber.MatchString(c) {
		return c
	}
	first := strings.TrimLeft(c, " ")
	if first == "" {
		first = c
	}
	for _, t := range triggers {
		if strings.HasPrefix(first, string(t)) {
			return "'" + c
		}
	}
	return c
}
