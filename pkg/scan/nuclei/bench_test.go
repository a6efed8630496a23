package nuclei_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/nuclei"
)

var benchDoc = sync.OnceValue(func() []byte { return genJSONL(8 << 20) })

// genJSONL builds Nuclei -jsonl output of about size bytes.
func genJSONL(size int) []byte {
	var b bytes.Buffer
	for h := 0; b.Len() < size; h++ {
		fmt.Fprintf(&b, `{"template":"cves/2018/CVE-2018-15473.yaml","template-id":"CVE-2018-15473","info":{"name":"OpenSSH Username Enumeration v7.7","author":["r3dg33k"],"tags":["network","openssh","cve"],"description":"OpenSSH through 7.7 is prone to a user enumeration vulnerability.","reference":["https://nvd.nist.gov/vuln/detail/cve-2018-15473"],"severity":"medium","classification":{"cve-id":["cve-2018-15473"],"cwe-id":["cwe-362"],"cvss-metrics":"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N","cvss-score":5.3}},"type":"network","host":"10.%d.%d.%d","matched-at":"10.%d.%d.%d:22","extracted-results":["SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7\n"],"ip":"10.%d.%d.%d","timestamp":"2022-03-20T22:43:31.231312071-03:00","matcher-status":true}`+"\n",
			h>>16&255, h>>8&255, h&255, h>>16&255, h>>8&255, h&255, h>>16&255, h>>8&255, h&255)
	}
	return b.Bytes()
}

func BenchmarkNucleiParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := nuclei.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkNucleiStdlibUnmarshal is the raw encoding/json baseline: each
// line into generic values.
func BenchmarkNucleiStdlibUnmarshal(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		sc := bufio.NewScanner(bytes.NewReader(doc))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var v any
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				b.Fatal(err)
			}
		}
	}
}
