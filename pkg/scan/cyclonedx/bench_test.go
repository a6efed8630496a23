package cyclonedx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/cyclonedx"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

var benchDoc = sync.OnceValue(func() []byte { return genSBOM(20000, 5000) })

// genSBOM builds a CycloneDX 1.5 JSON SBOM with n components (a tenth of
// them nesting one child) and v vulnerabilities each affecting two
// components.
func genSBOM(n, v int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"metadata":{"timestamp":"2024-11-20T14:02:11Z",` +
		`"tools":{"components":[{"type":"application","name":"syft","version":"1.0.1"}]},` +
		`"component":{"bom-ref":"fw","type":"firmware","name":"fw","version":"1"}},"components":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"bom-ref":"pkg:generic/lib%d@1.%d.0?id=%x","type":"library","supplier":{"name":"Vendor %d"},"name":"lib%d","version":"1.%d.0",`+
			`"purl":"pkg:generic/lib%d@1.%d.0","cpe":"cpe:2.3:a:vendor:lib%d:1.%d.0:*:*:*:*:*:*:*","licenses":[{"license":{"id":"MIT"}}],`+
			`"hashes":[{"alg":"SHA-256","content":"f74f15e8c8ff11aa3d5bb5f276d202ec18d7246e95f961db76054199c69c1ae3"}]`, i, i%50, i, i%300, i, i%50, i, i%50, i, i%50)
		if i%10 == 0 {
			fmt.Fprintf(&b, `,"components":[{"bom-ref":"child%d","type":"library","name":"child%d","version":"1"}]`, i, i)
		}
		b.WriteByte('}')
	}
	b.WriteString(`],"vulnerabilities":[`)
	for i := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		c1, c2 := (i*7)%n, (i*13)%n
		fmt.Fprintf(&b, `{"bom-ref":"v%d","id":"CVE-2023-%d","source":{"name":"NVD"},"ratings":[{"source":{"name":"NVD"},"score":7.5,"severity":"high","method":"CVSSv31",`+
			`"vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],"cwes":[787],"description":"Out-of-bounds write in lib%d before 1.%d.1 allows remote attackers to cause a denial of service.",`+
			`"affects":[{"ref":"pkg:generic/lib%d@1.%d.0?id=%x"},{"ref":"pkg:generic/lib%d@1.%d.0?id=%x"}]}`,
			i, 10000+i, c1, c1%50, c1, c1%50, c1, c2, c2%50, c2)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func BenchmarkCycloneDXParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := cyclonedx.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkCycloneDXStdlibUnmarshal is the raw baseline: encoding/json
// unmarshalling the whole document into generic values.
func BenchmarkCycloneDXStdlibUnmarshal(b *testing.B) {
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
