package openvex_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/openvex"
)

var benchDoc = sync.OnceValue(func() []byte { return genVEX(20 << 20) })

// genVEX builds an OpenVEX v0.2.0 document of about size bytes: statements
// on a firmware image with two subcomponents each, mostly not_affected.
func genVEX(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.test/vex-1","author":"Acme PSIRT","timestamp":"2024-11-20T14:02:11Z","version":1,"statements":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"vulnerability":{"@id":"https://nvd.nist.gov/vuln/detail/CVE-2023-%d","name":"CVE-2023-%d","aliases":["GHSA-aaaa-bbbb-%04d"]},`+
			`"timestamp":"2024-11-20T14:02:11Z","products":[{"@id":"pkg:oci/fw@sha256%%3A%064x","subcomponents":[{"@id":"pkg:generic/lib%d@1.%d.0"},`+
			`{"@id":"pkg:generic/libx%d@2.%d.0"}]}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path",`+
			`"impact_statement":"lib%d is linked but the vulnerable parser is never called on this device."}`,
			10000+i, 10000+i, i%10000, i%1000, i, i%50, i, i%50, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func BenchmarkOpenVEXParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := openvex.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkOpenVEXStdlibUnmarshal is the raw baseline: encoding/json
// unmarshalling the whole document into generic values.
func BenchmarkOpenVEXStdlibUnmarshal(b *testing.B) {
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
