package zap_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/zap"
)

var benchDoc = sync.OnceValue(func() []byte { return genXML(20 << 20) })

// genXML builds a ZAP 2.x XML report of about size bytes: sites with ten
// alerts of twenty instances each.
func genXML(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><OWASPZAPReport programName="ZAP" version="2.15.0" generated="Tue, 5 Mar 2024 10:00:00">`)
	for s := 0; b.Len() < size; s++ {
		fmt.Fprintf(&b, `<site name="https://10.0.%d.%d:8443" host="10.0.%d.%d" port="8443" ssl="true"><alerts>`, s>>8&255, s&255, s>>8&255, s&255)
		for a := range 10 {
			fmt.Fprintf(&b, `<alertitem><pluginid>%d</pluginid><alertRef>%d</alertRef><alert>Alert %d</alert><name>Alert %d</name><riskcode>%d</riskcode>`+
				`<confidence>2</confidence><riskdesc>Medium (Medium)</riskdesc><confidencedesc>Medium</confidencedesc>`+
				`<desc>&lt;p&gt;The response does not include a protective header, so the page may be framed.&lt;/p&gt;</desc><instances>`, 10020+a, 10020+a, a, a, a%4)
			for i := range 20 {
				fmt.Fprintf(&b, `<instance><uri>https://10.0.%d.%d:8443/page/%d</uri><method>GET</method><param>x-frame-options</param><attack></attack>`+
					`<evidence></evidence><otherinfo></otherinfo></instance>`, s>>8&255, s&255, i)
			}
			b.WriteString(`</instances><count>20</count><solution>&lt;p&gt;Set the header.&lt;/p&gt;</solution><otherinfo></otherinfo>` +
				`<reference>&lt;p&gt;https://example.test/ref&lt;/p&gt;</reference><cweid>1021</cweid><wascid>15</wascid><sourceid>10</sourceid></alertitem>`)
		}
		b.WriteString(`</alerts></site>`)
	}
	b.WriteString(`</OWASPZAPReport>`)
	return b.Bytes()
}

func BenchmarkZAPParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := zap.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkZAPStdlibTokenLoop is the raw baseline: reading every token with
// encoding/xml and doing nothing with it.
func BenchmarkZAPStdlibTokenLoop(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(doc))
		for {
			if _, err := d.RawToken(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
