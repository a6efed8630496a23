package gvmcsv_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/gvmcsv"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

var benchDoc = sync.OnceValue(func() []byte { return genCSV(8 << 20) })

// genCSV builds a Greenbone CSV results export of about size bytes.
func genCSV(size int) []byte {
	var b bytes.Buffer
	b.WriteString("IP,Hostname,Port,Port Protocol,CVSS,Severity,QoD,Solution Type,NVT Name,Summary,Specific Result,NVT OID,CVEs,Task ID,Task Name,Timestamp,Result ID\n")
	for h := 0; b.Len() < size; h++ {
		fmt.Fprintf(&b, "10.%d.%d.%d,cam%d,23,tcp,4.8,Medium,70,\"Mitigation\",\"Telnet Unencrypted Cleartext Login\",\"The remote host is running a Telnet service that allows cleartext logins over unencrypted connections.\",\"\",1.3.6.1.4.1.25623.1.0.108522,\"\",t1,\"bench\",2026-12-03T07:00:00Z,r%d\n",
			h>>16&255, h>>8&255, h&255, h, h)
		fmt.Fprintf(&b, "10.%d.%d.%d,cam%d,443,tcp,5.9,Medium,98,\"Mitigation\",\"SSL/TLS: Report Vulnerable Cipher Suites for HTTPS\",\"This routine reports all SSL/TLS cipher suites accepted by a service where attack vectors exists only on HTTPS services.\",\"'Vulnerable' cipher suites accepted by this service via the TLSv1.2 protocol:\n\nTLS_RSA_WITH_3DES_EDE_CBC_SHA (SWEET32)\n\",1.3.6.1.4.1.25623.1.0.108031,\"CVE-2016-2183,CVE-2016-6329,CVE-2020-12872\",t1,\"bench\",2026-12-03T07:00:00Z,s%d\n",
			h>>16&255, h>>8&255, h&255, h, h)
	}
	return b.Bytes()
}

func BenchmarkGVMCSVParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := gvmcsv.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkGVMCSVStdlibRead is the raw encoding/csv baseline.
func BenchmarkGVMCSVStdlibRead(b *testing.B) {
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
