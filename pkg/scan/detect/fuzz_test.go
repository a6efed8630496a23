package detect_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/detect"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

// FuzzParse checks detection plus dispatch: no panic, failures classified,
// and a successful parse is of the format Detect named.
func FuzzParse(f *testing.F) {
	for _, fx := range fixtures {
		b, err := os.ReadFile(fx.path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// Compressed and re-encoded inputs exercise Open's layers.
	for _, name := range []string{"nested-gzip.xml.gz.gz", "truncated-gzip.xml.gz", "utf16be-bom-nmap.xml", "windows-1252-declared.xml", "dtd-elements-only.xml"} {
		b, err := os.ReadFile("../testdata/hostile/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(gz(f, []byte(`<nmaprun><host><status state="up"/><address addr="10.0.0.1" addrtype="ipv4"/></host></nmaprun>`)))
	f.Fuzz(func(t *testing.T, doc []byte) {
		format := detect.Detect(doc[:min(len(doc), detect.HeadSize)])
		rep, err := detect.Parse(bytes.NewReader(doc))
		scantest.CheckBadInput(t, err)
		if err != nil {
			return
		}
		if format == scan.FormatOther {
			t.Fatal("parsed a report Detect did not recognise")
		}
		scantest.CheckFuzzed(t, rep, detect.ReportFormat(format))
	})
}
