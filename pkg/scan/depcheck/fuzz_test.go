package depcheck_test

import (
	"bytes"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/depcheck"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

// FuzzParse checks that any input, XML or JSON, either parses into a report
// that keeps the invariants or fails with ErrMalformed/ErrUnsafe, without
// panicking.
func FuzzParse(f *testing.F) {
	scantest.FuzzSeeds(f, "testdata", ".xml")
	f.Add([]byte(jsonDoc))
	f.Fuzz(func(t *testing.T, doc []byte) {
		rep, err := depcheck.Parse(bytes.NewReader(doc))
		scantest.CheckBadInput(t, err)
		if err == nil {
			scantest.CheckFuzzed(t, rep, scan.FormatDependencyCheck)
		}
	})
}
