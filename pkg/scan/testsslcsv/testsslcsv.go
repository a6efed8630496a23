// Package testsslcsv parses testssl.sh CSV output (--csv / --csvfile:
// "id","fqdn/ip","port","severity","finding","cve","cwe"[,"hint"]).
//
// Each row is handed to the testssl JSON parser as the flat --jsonfile
// record it mirrors, so a CSV export gives the same items, keys and
// filtering (OK/INFO noise skipped, WARN/FATAL as warnings) as the JSON
// export of the same run: the report's format is "testssl".
package testsslcsv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/csvguard"
	"github.com/tradewarden/tradewarden/pkg/scan/testssl"
)

// Parse reads a whole testssl.sh CSV file.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream reads a testssl.sh CSV file and calls emit for each kept finding.
// It returns the report metadata without Items. An error from emit stops
// parsing and is returned wrapped.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	cr, err := csvguard.NewReader(r)
	if err != nil {
		return scan.Report{}, fmt.Errorf("testssl csv: %w", err)
	}
	c := cols{id: cr.Col("id"), ip: cr.Col("fqdn/ip", "ip"), port: cr.Col("port"), sev: cr.Col("severity"),
		finding: cr.Col("finding"), cve: cr.Col("cve"), cwe: cr.Col("cwe"), hint: cr.Col("hint")}
	if c.id < 0 || c.sev < 0 || c.finding < 0 {
		return scan.Report{}, fmt.Errorf("testssl csv: %w", scan.Malformedf(scan.Position{Line: 1}, "the header has no id, severity and finding columns: not testssl.sh CSV"))
	}
	j := &jsonRows{cr: cr, c: c}
	rep, err := testssl.Stream(j, emit)
	if err != nil {
		var pe *scan.ParseError
		if errors.As(err, &pe) {
			err = pe
		}
		return scan.Report{}, fmt.Errorf("testssl csv: %w", err)
	}
	rep.Tool = "testssl.sh (CSV)"
	return rep, nil
}

type cols struct{ id, ip, port, sev, finding, cve, cwe, hint int }

// record is the --jsonfile shape of one row.
type record struct {
	ID       string `json:"id"`
	IP       string `json:"ip"`
	Port     string `json:"port"`
	Severity string `json:"severity"`
	CVE      string `json:"cve"`
	CWE      string `json:"cwe"`
	Hint     string `json:"hint,omitempty"`
	Finding  string `json:"finding"`
}

// jsonRows renders CSV rows as a testssl.sh --jsonfile array.
type jsonRows struct {
	cr      *csvguard.Reader
	c       cols
	buf     bytes.Buffer
	off     int
	started bool
	n       int
	done    bool
	err     error
}

func (j *jsonRows) Read(p []byte) (int, error) {
	for j.off >= j.buf.Len() {
		if j.done {
			if j.err != nil {
				return 0, j.err
			}
			return 0, io.EOF
		}
		j.buf.Reset()
		j.off = 0
		j.fill()
	}
	n := copy(p, j.buf.Bytes()[j.off:])
	j.off += n
	return n, nil
}

func (j *jsonRows) fill() {
	if !j.started {
		j.started = true
		j.buf.WriteByte('[')
	}
	for j.buf.Len() < 32<<10 {
		rec, err := j.cr.Next()
		if errors.Is(err, io.EOF) {
			j.buf.WriteByte(']')
			j.done = true
			return
		}
		if err != nil {
			j.err, j.done = err, true
			return
		}
		g := func(i int) string { return csvguard.Get(rec, i) }
		row := record{ID: g(j.c.id), IP: g(j.c.ip), Port: g(j.c.port), Severity: g(j.c.sev), CVE: g(j.c.cve),
			CWE: g(j.c.cwe), Hint: g(j.c.hint), Finding: g(j.c.finding)}
		if row.ID == "" {
			continue
		}
		b, err := json.Marshal(row)
		if err != nil {
			j.err, j.done = scan.Malformedf(scan.Position{Line: j.cr.Line()}, "row cannot be encoded: %v", err), true
			return
		}
		if j.n > 0 {
			j.buf.WriteByte(',')
		}
		j.n++
		j.buf.Write(b)
	}
}
