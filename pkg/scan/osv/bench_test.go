package osv_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/osv"
)

var benchDoc = sync.OnceValue(func() []byte { return genOSV(20 << 20) })

// genOSV builds an OSV-Scanner report of about size bytes: npm packages,
// each with a GHSA record carrying a CVSS vector, grouped with max_severity.
func genOSV(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"results":[{"source":{"path":"/src/package-lock.json","type":"lockfile"},"packages":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"package":{"name":"lib%d","version":"1.%d.0","ecosystem":"npm"},"vulnerabilities":[{"modified":"2024-01-01T00:00:00Z",`+
			`"published":"2023-01-01T00:00:00Z","schema_version":"1.6.0","id":"GHSA-aaaa-bbbb-%04d","aliases":["CVE-2023-%d"],`+
			`"summary":"Prototype pollution in lib%d","details":"lib%d before 1.%d.1 merges untrusted keys into Object.prototype.",`+
			`"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"affected":[{"package":{"ecosystem":"npm","name":"lib%d",`+
			`"purl":"pkg:npm/lib%d"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.%d.1"}]}]}],`+
			`"references":[{"type":"ADVISORY","url":"https://nvd.nist.gov/vuln/detail/CVE-2023-%d"}],`+
			`"database_specific":{"cwe_ids":["CWE-1321"],"severity":"CRITICAL","github_reviewed":true}}],`+
			`"groups":[{"ids":["GHSA-aaaa-bbbb-%04d"],"aliases":["CVE-2023-%d","GHSA-aaaa-bbbb-%04d"],"max_severity":"9.8"}]}`,
			i, i%50, i%10000, 10000+i, i, i, i%50, i, i, i%50, 10000+i, i%10000, 10000+i, i%10000)
	}
	b.WriteString(`]}]}`)
	return b.Bytes()
}

func BenchmarkOSVParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := osv.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkOSVStdlibUnmarshal is the raw baseline: encoding/json
// unmarshalling the whole document into generic values.
func BenchmarkOSVStdlibUnmarshal(b *testing.B) {
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
