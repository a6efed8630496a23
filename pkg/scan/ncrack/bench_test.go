package ncrack_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/ncrack"
)

var benchDoc = sync.OnceValue(func() []byte { return genNcrack(8 << 20) })

// genNcrack builds an Ncrack XML report of about size bytes: services on
// many hosts, most without credentials, some with one or two.
func genNcrack(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<!DOCTYPE ncrackrun>\n" +
		`<ncrackrun scanner="ncrack" args="ncrack -oX bench.xml 10.0.0.0/16" start="1796283330" version="0.7" xmloutputversion="1.00">` + "\n")
	for h := 0; b.Len() < size; h++ {
		ip := fmt.Sprintf("10.%d.%d.%d", h>>16&255, h>>8&255, h&255)
		for i, svc := range []string{"ssh", "telnet", "ftp", "http"} {
			fmt.Fprintf(&b, "<service starttime=\"1796283330\" endtime=\"1796283331\">\n<address addr=\"%s\" addrtype=\"ipv4\"/>\n"+
				"<port protocol=\"tcp\" portid=\"%d\" name=\"%s\"></port>\n", ip, []int{22, 23, 21, 80}[i], svc)
			if (h+i)%3 == 0 {
				b.WriteString(`<credentials username="admin" password="12345"></credentials>` + "\n")
			}
			b.WriteString("</service>\n")
		}
	}
	b.WriteString("</ncrackrun>\n")
	return b.Bytes()
}

func BenchmarkNcrackParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := ncrack.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkNcrackStdlibTokenLoop is the raw encoding/xml baseline on the
// same document.
func BenchmarkNcrackStdlibTokenLoop(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(doc))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
