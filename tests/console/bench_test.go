package console_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// nmapWith is an nmap XML report of one host with n open ports, so each
// port is a finding.
func nmapWith(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><nmaprun scanner="nmap" args="nmap -sV 192.0.2.10" start="1764000000" version="7.94">`)
	b.WriteString(`<host><status state="up"/><address addr="192.0.2.10" addrtype="ipv4"/><ports>`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<port protocol="tcp" portid="%d"><state state="open"/><service name="http" product="Acme httpd" version="1.%d"/></port>`, 8000+i, i)
	}
	b.WriteString(`</ports></host><runstats><finished time="1764000100"/></runstats></nmaprun>`)
	return []byte(b.String())
}

// BenchmarkConsoleCasePage is the console's server time for a case with 200
// findings and 10 notices (summary, findings and notices pages), beside the
// one API call a page wraps, in the same run; and the bytes sent (gzip).
func BenchmarkConsoleCasePage(b *testing.B) {
	env := wiringtest.New(b)
	off := env.As(principal.Officer, "KENT-TS")
	var cs struct{ ID string }
	off.Post("/api/v1/cases", map[string]any{"title": "Bench case", "origin": "complaint"}).Expect(201).JSON(&cs)
	var op struct{ ID string }
	off.Post("/api/v1/operators", map[string]any{"name": "Bench Devices Ltd"}).Expect(201).JSON(&op)
	off.Post("/api/v1/cases/"+cs.ID+"/parties", map[string]any{"operator_id": op.ID, "role": "manufacturer"}).Expect(201)
	off.Upload("/api/v1/cases/"+cs.ID+"/evidence", map[string]string{"description": "scan", "collected_by": "bench",
		"collected_at": env.Clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}, "scan.xml", "application/xml",
		nmapWith(200)).Expect(201)
	for i := 0; i < 10; i++ {
		off.Post("/api/v1/cases/"+cs.ID+"/notices", map[string]any{"type": "information", "operator_id": op.ID,
			"reasons": fmt.Sprintf("Bench notice %d", i), "comply_by": "2027-06-01"}).Expect(201)
	}
	br := &browser{t: &testing.T{}, env: env, cookies: map[string]string{}}
	br.get("/sign-in")
	br.post("/sign-in", url.Values{"email": {wiringtest.Email(principal.Officer, "KENT-TS")}, "password": {wiringtest.Password}})
	pages := map[string]string{"summary": "/cases/" + cs.ID, "findings": "/cases/" + cs.ID + "/findings",
		"notices": "/cases/" + cs.ID + "/notices"}
	for name, path := range pages {
		b.Run(name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			var size int
			for i := 0; i < b.N; i++ {
				req, _ := http.NewRequest(http.MethodGet, path, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				for k, v := range br.cookies {
					req.AddCookie(&http.Cookie{Name: k, Value: v})
				}
				start := time.Now()
				res, err := env.App.API.App().Test(req, -1)
				if err != nil || res.StatusCode != 200 {
					b.Fatalf("%s: %v %v", path, err, res)
				}
				body, _ := io.ReadAll(res.Body)
				size = len(body)
				_ = res.Body.Close()
				times = append(times, time.Since(start))
			}
			b.ReportMetric(p95(times), "p95-ms")
			b.ReportMetric(float64(size)/1024, "KB-gzip")
		})
	}
	b.Run("api-get-case", func(b *testing.B) {
		times := make([]time.Duration, 0, b.N)
		for i := 0; i < b.N; i++ {
			start := time.Now()
			off.Get("/api/v1/cases/" + cs.ID).Expect(200)
			times = append(times, time.Since(start))
		}
		b.ReportMetric(p95(times), "p95-ms")
	})
}

func p95(ts []time.Duration) float64 {
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return float64(ts[len(ts)*95/100].Microseconds()) / 1000
}
