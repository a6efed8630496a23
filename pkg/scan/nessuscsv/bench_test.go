package nessuscsv_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/nessuscsv"
)

var benchDoc = sync.OnceValue(func() []byte { return genCSV(8 << 20) })

// genCSV builds a Nessus Professional CSV export of about size bytes.
func genCSV(size int) []byte {
	var b bytes.Buffer
	b.WriteString("Plugin ID,CVE,CVSS v2.0 Base Score,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,See Also,Plugin Output,CVSS v3.0 Base Score\n")
	for h := 0; b.Len() < size; h++ {
		ip := fmt.Sprintf("10.%d.%d.%d", h>>16&255, h>>8&255, h&255)
		fmt.Fprintf(&b, "\"11219\",\"\",\"\",\"None\",\"%s\",\"tcp\",\"23\",\"Nessus SYN scanner\",\"It is possible to determine which TCP ports are open.\",\"x\",\"n/a\",\"\",\"Port 23/tcp was found to be open\",\"\"\n", ip)
		for _, cve := range []string{"CVE-2013-2566", "CVE-2015-2808"} {
			fmt.Fprintf(&b, "\"65821\",\"%s\",\"4.3\",\"Medium\",\"%s\",\"tcp\",\"443\",\"SSL RC4 Cipher Suites Supported (Bar Mitzvah)\",\"The remote service supports the use of the RC4 cipher.\",\"The remote host supports the use of RC4 in one or more cipher suites.\",\"Reconfigure the affected application.\",\"https://www.rc4nomore.com/\",\"\nList of RC4 cipher suites supported by the remote server :\n    RC4-SHA 0x00, 0x05 RSA RSA RC4(128) SHA1\n\",\"5.9\"\n", cve, ip)
		}
	}
	return b.Bytes()
}

func BenchmarkNessusCSVParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := nessuscsv.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkNessusCSVStdlibRead is the raw encoding/csv baseline.
func BenchmarkNessusCSVStdlibRead(b *testing.B) {
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
