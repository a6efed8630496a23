package hydra_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/hydra"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

var benchDoc = sync.OnceValue(func() []byte { return genHydra(8 << 20) })

// genHydra builds a Hydra JSON report of about size bytes: hits on many
// hosts, a few per target.
func genHydra(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{ "generator": {` + "\n\t" + `"software": "Hydra", "version": "v9.4", "built": "2026-12-03 07:35:46",` + "\n\t" +
		`"server": "10.0.0.0", "service": "ssh", "jsonoutputversion": "1.00",` + "\n\t" + `"commandline": "hydra -b json -o bench.json -M targets.txt ssh"` +
		"\n\t},\n\"results\": [\n")
	for h := 0; b.Len() < size; h++ {
		if h > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "\t{\"port\": 22, \"service\": \"ssh\", \"host\": \"10.%d.%d.%d\", \"login\": \"user%d\", \"password\": \"password%d\"}",
			h>>14&255, h>>6&255, h&63, h%4, h)
	}
	b.WriteString("\n\t],\n\"success\": true,\n\"errormessages\": [  ],\n\"quantityfound\": 1   }\n")
	return b.Bytes()
}

func BenchmarkHydraParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := hydra.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkHydraStdlibUnmarshal is the raw encoding/json baseline: the
// whole document into generic values.
func BenchmarkHydraStdlibUnmarshal(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			b.Fatal(err)
		}
	}
}
