package cyclonedx_test

import (
	"bytes"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/cyclonedx"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

// FuzzParse checks that any input, JSON or XML, either parses into a
// report that keeps the invariants or fails with ErrMalformed/ErrUnsafe,
// without panicking, and that Stream agrees with Parse.
func FuzzParse(f *testing.F) {
	scantest.FuzzSeeds(f, "testdata", ".json")
	scantest.FuzzSeeds(f, "testdata", ".xml")
	f.Fuzz(func(t *testing.T, doc []byte) {
		rep, err := cyclonedx.Parse(bytes.NewReader(doc))
		scantest.CheckBadInput(t, err)
		if err != nil {
			return
		}
		scantest.CheckFuzzed(t, rep, scan.FormatCycloneDX)
		for _, c := range rep.Components {
			if len(c.Name) > scan.MaxField || len(c.PURL) > scan.MaxField {
				t.Fatalf("component field over the limit: %d", len(c.Name))
			}
		}
		n := 0
		if _, err := cyclonedx.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil || n != len(rep.Items) {
			t.Fatalf("Stream: %v, %d items; Parse gave %d", err, n, len(rep.Items))
		}
	})
}
