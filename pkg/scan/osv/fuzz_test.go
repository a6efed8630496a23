package osv_test

import (
	"bytes"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/osv"
)

// FuzzParse checks that any input either parses into a report that keeps
// the invariants or fails with ErrMalformed/ErrUnsafe, without panicking.
func FuzzParse(f *testing.F) {
	scantest.FuzzSeeds(f, "testdata", ".json")
	f.Fuzz(func(t *testing.T, doc []byte) {
		rep, err := osv.Parse(bytes.NewReader(doc))
		scantest.CheckBadInput(t, err)
		if err == nil {
			scantest.CheckFuzzed(t, rep, scan.FormatOSV)
		}
	})
}
