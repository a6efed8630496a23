package sslyze_test

import (
	"bytes"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/sslyze"
)

// FuzzParse checks that any input either parses into a report that keeps
// the invariants or fails with ErrMalformed/ErrUnsafe, without panicking,
// and that Stream agrees with Parse.
func FuzzParse(f *testing.F) {
	scantest.FuzzSeeds(f, "testdata", ".json")
	f.Fuzz(func(t *testing.T, doc []byte) {
		rep, err := sslyze.Parse(bytes.NewReader(doc))
		scantest.CheckBadInput(t, err)
		if err != nil {
			return
		}
		scantest.CheckFuzzed(t, rep, scan.FormatSSLyze)
		n := 0
		if _, err := sslyze.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil || n != len(rep.Items) {
			t.Fatalf("Stream: %v, %d items; Parse gave %d", err, n, len(rep.Items))
		}
	})
}
