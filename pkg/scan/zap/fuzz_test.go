package zap_test

import (
	"bytes"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/zap"
)

// FuzzParse checks that any input, XML or JSON, either parses into a report
// that keeps the invariants or fails with ErrMalformed/ErrUnsafe, without
// panicking.
func FuzzParse(f *testing.F) {
	scantest.FuzzSeeds(f, "testdata", ".xml")
	f.Add([]byte(jsonDoc))
	f.Add([]byte(xml1))
	f.Fuzz(func(t *testing.T, doc []byte) {
		rep, err := zap.Parse(bytes.NewReader(doc))
		scantest.CheckBadInput(t, err)
		if err == nil {
			scantest.CheckFuzzed(t, rep, scan.FormatZAP)
		}
	})
}
