package spdx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/spdx"
)

var benchDoc = sync.OnceValue(func() []byte { return genSPDX(20 << 20) })

// genSPDX builds an SPDX 2.3 document of about size bytes: packages with
// purls, CPEs and licences, one in ten with an advisory reference, and a
// relationship per package.
func genSPDX(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"fw","documentNamespace":"https://example.test/fw",` +
		`"creationInfo":{"creators":["Tool: syft-1.0.1"],"created":"2024-11-20T14:02:11Z"},"packages":[`)
	n := 0
	for ; b.Len() < size*4/5; n++ {
		if n > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"lib%d","SPDXID":"SPDXRef-Package-%x","versionInfo":"1.%d.0","supplier":"Organization: Vendor %d","downloadLocation":"NOASSERTION",`+
			`"filesAnalyzed":false,"licenseConcluded":"MIT","licenseDeclared":"MIT","copyrightText":"NOASSERTION","externalRefs":[`+
			`{"referenceCategory":"SECURITY","referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:vendor:lib%d:1.%d.0:*:*:*:*:*:*:*"},`+
			`{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:generic/lib%d@1.%d.0"}`, n, n, n%50, n%300, n, n%50, n, n%50)
		if n%10 == 0 {
			fmt.Fprintf(&b, `,{"referenceCategory":"SECURITY","referenceType":"advisory","referenceLocator":"https://nvd.nist.gov/vuln/detail/CVE-2023-%d"}`, 10000+n)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`],"relationships":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-Package-%x","relationshipType":"DESCRIBES"}`, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func BenchmarkSPDXParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := spdx.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkSPDXStdlibUnmarshal is the raw baseline: encoding/json
// unmarshalling the whole document into generic values.
func BenchmarkSPDXStdlibUnmarshal(b *testing.B) {
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
