package nessus_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/nessus"
)

var benchDoc = sync.OnceValue(func() []byte { return genNessus(20 << 20) })

// genNessus builds a .nessus export of about size bytes: hosts with
// properties, port-scanner items and findings with CVEs and long output.
func genNessus(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" ?>` + "\n<NessusClientData_v2>\n<Policy><policyName>Basic Network Scan</policyName></Policy>\n<Report name=\"bench\">\n")
	for h := 0; b.Len() < size; h++ {
		ip := fmt.Sprintf("10.%d.%d.%d", h>>16&255, h>>8&255, h&255)
		fmt.Fprintf(&b, `<ReportHost name="%s"><HostProperties>
<tag name="HOST_END_TIMESTAMP">1732620611</tag>
<tag name="host-ip">%s</tag>
<tag name="host-fqdn">host-%d.lab.test</tag>
<tag name="operating-system">Linux Kernel 3.10</tag>
<tag name="HOST_START_TIMESTAMP">1732618820</tag>
</HostProperties>
`, ip, ip, h)
		for _, port := range []int{21, 23, 80, 443, 554} {
			fmt.Fprintf(&b, `<ReportItem port="%d" svc_name="www" protocol="tcp" severity="0" pluginID="11219" pluginName="Nessus SYN scanner" pluginFamily="Port scanners">
<fname>nessus_syn_scanner.nbin</fname>
<plugin_name>Nessus SYN scanner</plugin_name>
<risk_factor>None</risk_factor>
<synopsis>It is possible to determine which TCP ports are open.</synopsis>
<plugin_output>Port %d/tcp was found to be open</plugin_output>
</ReportItem>
`, port, port)
		}
		b.WriteString(`<ReportItem port="443" svc_name="www" protocol="tcp" severity="2" pluginID="65821" pluginName="SSL RC4 Cipher Suites Supported (Bar Mitzvah)" pluginFamily="General">
<cve>CVE-2013-2566</cve>
<cve>CVE-2015-2808</cve>
<cvss3_base_score>5.9</cvss3_base_score>
<cvss3_vector>CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N</cvss3_vector>
<description>The remote host supports the use of RC4 in one or more cipher suites. The RC4 cipher is flawed in its generation of a pseudo-random stream of bytes so that a wide variety of small biases are introduced into the stream, decreasing its randomness.</description>
<risk_factor>Medium</risk_factor>
<solution>Reconfigure the affected application, if possible, to avoid use of RC4 ciphers.</solution>
<synopsis>The remote service supports the use of the RC4 cipher.</synopsis>
<plugin_output>
List of RC4 cipher suites supported by the remote server :

  High Strength Ciphers (&gt;= 112-bit key)

    Name                          Code             KEX           Auth     Encryption             MAC
    ----------------------        ----------       ---           ----     ---------------------  ---
    RC4-SHA                       0x00, 0x05       RSA           RSA      RC4(128)               SHA1
</plugin_output>
</ReportItem>
</ReportHost>
`)
	}
	b.WriteString("</Report>\n</NessusClientData_v2>\n")
	return b.Bytes()
}

func BenchmarkNessusParse20MB(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := nessus.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkNessusStdlibTokenLoop is the raw encoding/xml baseline on the
// same document.
func BenchmarkNessusStdlibTokenLoop(b *testing.B) {
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
