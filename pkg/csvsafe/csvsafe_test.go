package csvsafe_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/csvsafe"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x.invalid","y")`: `'=HYPERLINK("http://x.invalid","y")`,
		"+1+1":                               "'+1+1", "-1+1": "'-1+1", "@SUM(A1)": "'@SUM(A1)", "\t=1": "'\t=1", "\r=1": "'\r=1", "\n=1": "'\n=1",
		"  =1+1": "'  =1+1", "＝1+1": "'＝1+1", "-": "'-", "--": "'--", "-1e5": "'-1e5", "-0x10": "'-0x10",
		// Plain numbers stay numbers, negative ones too.
		"-12": "-12", "-0.5": "-0.5", "12": "12", "3.50": "3.50", "0": "0",
		// Ordinary text is untouched.
		"": "", "Brightwave Devices Ltd": "Brightwave Devices Ltd", "a=b": "a=b", "KENT-TS": "KENT-TS", "   ": "   ",
	} {
		if got := csvsafe.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := csvsafe.NewWriter(&buf)
	if err := w.WriteAll([][]string{{"name", "amount"}, {`=HYPERLINK("http://x.invalid","y")`, "-1500"}}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != `'=HYPERLINK("http://x.invalid","y")` || rows[1][1] != "-1500" {
		t.Fatalf("rows %q", rows)
	}
}
