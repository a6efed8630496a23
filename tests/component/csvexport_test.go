package component_test

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// Issue #13 item 6: an operator named as a spreadsheet formula comes out of
// every CSV the API emits inert — the cell starts with a single quote —
// while numbers stay plain numbers. The JSON report keeps the exact name.
func TestCSVExportsAreSpreadsheetSafe(t *testing.T) {
	env := wiringtest.New(t)
	off, an := env.As(officer, "KENT-TS"), env.As(analyst, "KENT-TS")
	const formula = `=HYPERLINK("http://x.invalid","y")`
	var op struct{ ID string }
	off.Post("/api/v1/operators", map[string]any{"name": formula, "country": "GB"}).Expect(201).JSON(&op)
	pid := newProduct(t, off, "Formula", "F-1", "")
	cv := newCase(t, off, pid)
	off.Post("/api/v1/cases/"+cv.ID+"/parties", map[string]string{"operator_id": op.ID, "role": "manufacturer", "product_id": pid}).Expect(201)
	off.Put("/api/v1/cases/"+cv.ID+"/assessment/PSTI-1", map[string]any{"verdict": "fail",
		"rationale": "Default password admin/admin accepted"}).Expect(200)

	period := "from=" + time.Now().AddDate(0, -1, 0).Format("2006-01") + "&to=" + time.Now().AddDate(0, 1, 0).Format("2006-01")
	r := an.Header("Accept", "text/csv").Get("/api/v1/reports/summary?" + period).Expect(200)
	rd := csv.NewReader(bytes.NewReader(r.Body))
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	number := regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	found := false
	for _, row := range rows {
		for _, cell := range row {
			trimmed := strings.TrimLeft(cell, " ")
			if trimmed != "" && strings.ContainsAny(trimmed[:1], "=+-@\t\r\n") && !number.MatchString(cell) {
				t.Errorf("cell %q would be evaluated by a spreadsheet", cell)
			}
			found = found || cell == "'"+formula
		}
	}
	if !found {
		t.Fatalf("the operator's name is not in the CSV as '%s:\n%s", formula, r.Body)
	}
	// The JSON report is data, not a spreadsheet: the name is exact.
	var sum struct {
		Makers []struct{ Name string } `json:"top_manufacturers"`
	}
	an.Get("/api/v1/reports/summary?" + period).Expect(200).JSON(&sum)
	if len(sum.Makers) == 0 || sum.Makers[0].Name != formula {
		t.Fatalf("JSON top manufacturers: %+v", sum.Makers)
	}
}
