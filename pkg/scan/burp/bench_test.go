package burp_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/burp"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

var benchDoc = sync.OnceValue(func() []byte { return genXML(20 << 20) })

// genXML builds a Burp XML export of about size bytes: Burp's DTD, then
// issues with details and a base64 request and response each.
func genXML(size int) []byte {
	var b bytes.Buffer
	b.WriteString(falsePositive[:strings.Index(falsePositive, "<issues ")])
	b.WriteString(`<issues burpVersion="2023.10.3" exportTime="Tue Mar 05 10:00:00 UTC 2024">`)
	body := strings.Repeat("SFRUUC8xLjEgMjAwIE9LDQpDb250ZW50LVR5cGU6IHRleHQvaHRtbA0K", 40)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<issue><serialNumber>%d</serialNumber><type>%d</type><name><![CDATA[Issue %d]]></name><host ip="10.0.%d.%d"><![CDATA[https://cam%d.lab]]></host>`+
			`<path><![CDATA[/page/%d]]></path><location><![CDATA[/page/%d [q parameter]]]></location><severity>High</severity><confidence>Firm</confidence>`+
			`<issueBackground><![CDATA[<p>Background for issue type %d.</p>]]></issueBackground>`+
			`<vulnerabilityClassifications><![CDATA[<ul><li><a href="https://cwe.mitre.org/data/definitions/79.html">CWE-79</a></li></ul>]]></vulnerabilityClassifications>`+
			`<issueDetail><![CDATA[The <b>q</b> parameter is reflected.]]></issueDetail><requestresponse><request method="GET" base64="true"><![CDATA[%s]]></request>`+
			`<response base64="true"><![CDATA[%s]]></response></requestresponse></issue>`, i, 1049088+i%20, i%20, i>>8&255, i&255, i%100, i, i, i%20, body, body)
	}
	b.WriteString(`</issues>`)
	return b.Bytes()
}

func BenchmarkBurpParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := burp.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkBurpStdlibTokenLoop is the raw baseline: reading every token
// with encoding/xml (which, unlike the parser, does not refuse the DTD).
func BenchmarkBurpStdlibTokenLoop(b *testing.B) {
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
