package sslyze_test

import (
	"bytes"
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/sslyze"
)

// benchDoc repeats the sample's server result (about 400 KB each) to about
// 8 MB: sslyze reports are dominated by certificate chains and cipher lists.
var benchDoc = sync.OnceValue(func() []byte {
	raw, err := os.ReadFile("testdata/dd-one_target_many_vuln_new.json")
	if err != nil {
		panic(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	var servers []json.RawMessage
	if err := json.Unmarshal(doc["server_scan_results"], &servers); err != nil {
		panic(err)
	}
	var many []json.RawMessage
	for len(many)*len(servers[0]) < 8<<20 {
		many = append(many, servers[0])
	}
	doc["server_scan_results"], _ = json.Marshal(many)
	out, _ := json.Marshal(doc)
	return out
})

func BenchmarkSSLyzeParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := sslyze.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkSSLyzeStdlibUnmarshal is the raw encoding/json baseline (with
// UseNumber: sslyze writes RSA moduli as JSON numbers).
func BenchmarkSSLyzeStdlibUnmarshal(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		d := json.NewDecoder(bytes.NewReader(doc))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			b.Fatal(err)
		}
	}
}
