package testsslcsv_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/testsslcsv"
)

// benchDoc repeats the lab run's rows for many targets, about 8 MB.
var benchDoc = sync.OnceValue(func() []byte {
	raw, err := os.ReadFile("testdata/lab-openssl-s_server.csv")
	if err != nil {
		panic(err)
	}
	header, rows, _ := strings.Cut(string(raw), "\n")
	var b bytes.Buffer
	b.WriteString(header + "\n")
	for h := 0; b.Len() < 8<<20; h++ {
		b.WriteString(strings.ReplaceAll(rows, "127.0.0.1/127.0.0.1", fmt.Sprintf("10.%d.%d.%d/10.%d.%d.%d", h>>16&255, h>>8&255, h&255, h>>16&255, h>>8&255, h&255)))
	}
	return b.Bytes()
})

func BenchmarkTestSSLCSVParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := testsslcsv.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkTestSSLCSVStdlibRead is the raw encoding/csv baseline.
func BenchmarkTestSSLCSVStdlibRead(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		r := csv.NewReader(bytes.NewReader(doc))
		r.ReuseRecord = true
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
