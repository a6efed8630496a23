package trivy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/trivy"
)

var benchDoc = sync.OnceValue(func() []byte { return genTrivy(20 << 20) })

// genTrivy builds a Trivy schema-2 report of about size bytes: lock-file
// results with vulnerabilities carrying NVD and vendor ratings.
func genTrivy(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"SchemaVersion":2,"CreatedAt":"2024-11-20T14:02:11Z","ArtifactName":"fw.img","ArtifactType":"filesystem",` +
		`"Metadata":{"OS":{"Family":"debian","Name":"11.6"}},"Results":[`)
	for r := 0; b.Len() < size; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Target":"app%d/package-lock.json","Class":"lang-pkgs","Type":"npm","Vulnerabilities":[`, r)
		for i := range 100 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"VulnerabilityID":"CVE-2023-%d","VendorIDs":["GHSA-aaaa-bbbb-%04d"],"PkgID":"lib%d@1.%d.0","PkgName":"lib%d",`+
				`"PkgIdentifier":{"PURL":"pkg:npm/lib%d@1.%d.0"},"InstalledVersion":"1.%d.0","FixedVersion":"1.%d.1, 2.0.0","Status":"fixed",`+
				`"SeveritySource":"ghsa","PrimaryURL":"https://avd.aquasec.com/nvd/cve-2023-%d","Title":"lib%d: prototype pollution",`+
				`"Description":"Prototype pollution in lib%d before 1.%d.1 allows remote attackers to execute code.","Severity":"HIGH",`+
				`"CweIDs":["CWE-1321"],"CVSS":{"ghsa":{"V3Vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","V3Score":9.8},`+
				`"nvd":{"V2Vector":"AV:N/AC:L/Au:N/C:P/I:P/A:P","V3Vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","V2Score":7.5,"V3Score":9.8}},`+
				`"References":["https://github.com/advisories/GHSA-aaaa-bbbb-%04d","https://nvd.nist.gov/vuln/detail/CVE-2023-%d"],`+
				`"PublishedDate":"2023-01-01T00:00:00Z","LastModifiedDate":"2023-02-01T00:00:00Z"}`,
				10000+i, i, i, i%50, i, i, i%50, i%50, i%50, 10000+i, i, i, i%50, i, 10000+i)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func BenchmarkTrivyParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := trivy.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkTrivyStdlibUnmarshal is the raw baseline: encoding/json
// unmarshalling the whole document into generic values.
func BenchmarkTrivyStdlibUnmarshal(b *testing.B) {
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
