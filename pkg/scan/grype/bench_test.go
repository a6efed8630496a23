package grype_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/grype"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

var benchDoc = sync.OnceValue(func() []byte { return genGrype(20 << 20) })

// genGrype builds a Grype report of about size bytes: GHSA matches with a
// related NVD record, fixed versions and match details.
func genGrype(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"matches":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"vulnerability":{"id":"GHSA-aaaa-bbbb-%04d","dataSource":"https://github.com/advisories/GHSA-aaaa-bbbb-%04d",`+
			`"namespace":"github:language:javascript","severity":"High","urls":["https://github.com/advisories/GHSA-aaaa-bbbb-%04d"],`+
			`"description":"Prototype pollution in lib%d","cvss":[{"version":"3.1","vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",`+
			`"metrics":{"baseScore":9.8,"exploitabilityScore":3.9,"impactScore":5.9},"vendorMetadata":{}}],"fix":{"versions":["1.%d.1"],"state":"fixed"},"advisories":[]},`+
			`"relatedVulnerabilities":[{"id":"CVE-2023-%d","dataSource":"https://nvd.nist.gov/vuln/detail/CVE-2023-%d","namespace":"nvd:cpe","severity":"Critical",`+
			`"urls":["https://nvd.nist.gov/vuln/detail/CVE-2023-%d"],"description":"Prototype pollution in lib%d before 1.%d.1.",`+
			`"cvss":[{"source":"nvd@nist.gov","type":"Primary","version":"3.1","vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","metrics":{"baseScore":9.8}}]}],`+
			`"matchDetails":[{"type":"exact-direct-match","matcher":"javascript-matcher","searchedBy":{"language":"javascript","namespace":"github:language:javascript",`+
			`"package":{"name":"lib%d","version":"1.%d.0"}},"found":{"versionConstraint":"<1.%d.1 (unknown)","vulnerabilityID":"GHSA-aaaa-bbbb-%04d"}}],`+
			`"artifact":{"id":"%016x","name":"lib%d","version":"1.%d.0","type":"npm","locations":[{"path":"/app/node_modules/lib%d/package.json"}],`+
			`"language":"javascript","licenses":["MIT"],"cpes":["cpe:2.3:a:lib%d:lib%d:1.%d.0:*:*:*:*:*:*:*"],"purl":"pkg:npm/lib%d@1.%d.0","upstreams":[]}}`,
			i%10000, i%10000, i%10000, i, i%50, 10000+i, 10000+i, 10000+i, i, i%50, i, i%50, i%50, i%10000, i, i, i%50, i, i, i, i%50, i, i%50)
	}
	b.WriteString(`],"source":{"type":"directory","target":"/app"},"distro":{"name":"debian","version":"12"},"descriptor":{"name":"grype","version":"0.80.0"}}`)
	return b.Bytes()
}

func BenchmarkGrypeParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := grype.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkGrypeStdlibUnmarshal is the raw baseline: encoding/json
// unmarshalling the whole document into generic values.
func BenchmarkGrypeStdlibUnmarshal(b *testing.B) {
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
