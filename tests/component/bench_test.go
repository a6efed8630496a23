package component_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// nmapReport generates an nmap -oX report with hosts×ports open ports and
// one script result per port: 2×hosts×ports findings.
func nmapReport(hosts, ports int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<!DOCTYPE nmaprun>\n")
	b.WriteString(`<nmaprun scanner="nmap" args="nmap -sV -sC -oX lab.xml 10.0.0.0/22" start="1732617000" version="7.94" xmloutputversion="1.05">` + "\n")
	for h := 0; h < hosts; h++ {
		fmt.Fprintf(&b, `<host starttime="1732617001" endtime="1732617090"><status state="up" reason="arp-response"/>`+
			`<address addr="10.0.%d.%d" addrtype="ipv4"/><ports>`, h/250, h%250+1)
		for p := 0; p < ports; p++ {
			port := []int{21, 22, 23, 80, 443, 554, 1900, 8080, 8443, 9000}[p%10] + 10000*(p/10)
			fmt.Fprintf(&b, `<port protocol="tcp" portid="%d"><state state="open" reason="syn-ack"/>`+
				`<service name="telnet" product="BusyBox telnetd" method="probed" conf="10"/>`+
				`<script id="banner" output="BusyBox v1.31 built-in shell (ash) port %d"/></port>`, port, port)
		}
		b.WriteString("</ports></host>\n")
	}
	b.WriteString(`<runstats><finished time="1732617100" elapsed="100" exit="success"/></runstats></nmaprun>`)
	return []byte(b.String())
}

// BenchmarkEvidenceImport700Findings uploads a scan with 700 findings into a
// fresh case through the HTTP API (parse, map, dedupe, store, audit).
func BenchmarkEvidenceImport700Findings(b *testing.B) {
	env := wiringtest.New(b)
	off := env.As(officer, "KENT-TS")
	report := nmapReport(35, 10) // 35 hosts × 10 ports × (port + script) = 700
	b.SetBytes(int64(len(report)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cv := newCaseB(b, off)
		b.StartTimer()
		start := time.Now()
		r := off.Upload("/api/v1/cases/"+cv+"/evidence", uploadFields(), "lab.xml", "application/xml", report).Expect(201)
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/import")
		if !strings.Contains(r.String(), `"findings_count":700`) {
			b.Fatalf("expected 700 findings: %.300s", r.Body)
		}
	}
}

func newCaseB(b *testing.B, c *wiringtest.Client) string {
	b.Helper()
	var cv struct{ ID string }
	c.Post("/api/v1/cases", map[string]any{"title": "bench", "origin": "proactive_surveillance"}).Expect(201).JSON(&cv)
	return cv.ID
}

// BenchmarkGetCase is one authenticated GET /cases/{id} through the whole
// in-process stack (token lookup, casbin, case load, assessment summary).
func BenchmarkGetCase(b *testing.B) {
	env := wiringtest.New(b)
	off := env.As(officer, "KENT-TS")
	cv := newCaseB(b, off)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off.Get("/api/v1/cases/" + cv).Expect(200)
	}
}
