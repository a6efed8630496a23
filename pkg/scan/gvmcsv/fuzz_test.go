package gvmcsv_test

import (
	"bytes"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/gvmcsv"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

// FuzzParse checks that any input either parses into a report that keeps
// the invariants or fails with ErrMalformed/ErrUnsafe, without panicking,
// and that Stream agrees with Parse.
func FuzzParse(f *testing.F) {
	scantest.FuzzSeeds(f, "testdata", ".csv")
	f.Fuzz(func(t *testing.T, doc []byte) {
		rep, err := gvmcsv.Parse(bytes.NewReader(doc))
		scantest.CheckBadInput(t, err)
		if err != nil {
			return
		}
		scantest.CheckFuzzed(t, rep, scan.FormatGVM)
		n := 0
		if _, err := gvmcsv.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil || n != len(rep.Items) {
			t.Fatalf("Stream: %v, %d items; Parse gave %d", err, n, len(rep.Items))
		}
	})
}
