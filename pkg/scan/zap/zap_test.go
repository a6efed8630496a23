package zap_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/zap"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".xml") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatZAP)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

func parseFile(t *testing.T, path string) scan.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := zap.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func find(t *testing.T, rep scan.Report, id string) scan.Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.ToolID == id {
			return it
		}
	}
	t.Fatalf("no alert %s", id)
	return scan.Item{}
}

func TestXML2(t *testing.T) {
	rep := parseFile(t, "testdata/some_2.9.0.xml")
	if rep.ToolVersion != "2.9.0" || len(rep.Hosts) != 1 || rep.Hosts[0].Hostname != "mainsite.com" {
		t.Errorf("report: %q %+v", rep.ToolVersion, rep.Hosts)
	}
	c := find(t, rep, "10011")
	if c.Title != "Cookie Without Secure Flag" || c.Severity != scan.SeverityLow || c.Kind != scan.KindVulnerability || c.Port != 443 ||
		c.Service != "https" || c.Tunnel != "ssl" || c.Host.Hostname != "mainsite.com" || !slices.Equal(c.CWEs, []string{"CWE-614"}) ||
		!strings.HasPrefix(c.Summary, "A cookie has been set without the secure flag") || !strings.Contains(c.Output, "GET https://mainsite.com param=opvc evidence=Set-Cookie: opvc") {
		t.Errorf("cookie alert: %+v", c)
	}
	rep = parseFile(t, "testdata/zap_2.16.1_with_req_resp.xml")
	if rep.ToolVersion != "2.16.1" {
		t.Errorf("version %q", rep.ToolVersion)
	}
	if a := find(t, rep, "10111"); a.Kind != scan.KindInfo || a.Severity != scan.SeverityInfo {
		t.Errorf("informational alert: %+v", a)
	}
}

func TestVulnerableLibraryCVEs(t *testing.T) {
	rep := parseFile(t, "testdata/juicy2.xml")
	for _, it := range rep.Items {
		if len(it.CVEs) > 0 && it.ToolID != "10003" {
			t.Errorf("only the vulnerable JS library alert names CVEs: %s %v", it.ToolID, it.CVEs)
		}
	}
}

const xml1 = `<?xml version="1.0"?><report>Report generated at Mon, 12 Aug 2013 10:00:00.
<alertitem><pluginid>40012</pluginid><alert>Cross Site Scripting (Reflected)</alert><riskcode>3</riskcode><reliability>2</reliability>
<riskdesc>High (Warning)</riskdesc><desc>Cross-site Scripting (XSS) is an attack technique...</desc>
<uri>http://192.168.1.64:8080/search?q=%3Cscript%3E</uri><param>q</param><attack>&lt;script&gt;alert(1);&lt;/script&gt;</attack>
<otherinfo></otherinfo><solution>Validate input.</solution><reference>http://projects.webappsec.org/Cross-Site-Scripting</reference></alertitem>
<alertitem><pluginid>40012</pluginid><alert>Cross Site Scripting (Reflected)</alert><riskcode>3</riskcode><reliability>2</reliability>
<uri>http://192.168.1.64:8080/login?user=x</uri><param>user</param></alertitem>
<alertitem><pluginid>10016</pluginid><alert>Web Browser XSS Protection Not Enabled</alert><riskcode>1</riskcode><reliability>0</reliability>
<uri>http://192.168.1.64:8080/</uri></alertitem>
</report>`

func TestXML1(t *testing.T) {
	rep, err := zap.Parse(strings.NewReader(xml1))
	if err != nil {
		t.Fatal(err)
	}
	scantest.CheckReport(t, rep, scan.FormatZAP)
	if len(rep.Items) != 2 || rep.Skipped != 1 {
		t.Fatalf("two XSS items, one false positive skipped: %+v", rep.Items)
	}
	x := rep.Items[0]
	if x.Severity != scan.SeverityHigh || x.Host.Address != "192.168.1.64" || x.Host.Hostname != "" || x.Port != 8080 || x.Service != "http" ||
		!strings.Contains(x.Output, "attack=<script>alert(1);</script>") {
		t.Errorf("1.x alert: %+v", x)
	}
}

const jsonDoc = `{"@programName":"ZAP","@version":"2.14.0","@generated":"Tue, 5 Mar 2024 10:00:00","site":[{"@name":"https://cam.local:8443","@host":"cam.local",
 "@port":"8443","@ssl":"true","alerts":[{"pluginid":"10202","alertRef":"10202","alert":"Absence of Anti-CSRF Tokens","name":"Absence of Anti-CSRF Tokens",
 "riskcode":"2","confidence":"1","riskdesc":"Medium (Low)","desc":"<p>No Anti-CSRF tokens were found in a HTML submission form.</p>",
 "instances":[{"uri":"https://cam.local:8443/login","method":"GET","param":"","attack":"","evidence":"<form action=\"/login\">","otherinfo":""}],
 "count":"1","solution":"<p>Use a vetted library.</p>","otherinfo":"","reference":"","cweid":"352","wascid":"9","sourceid":"1"},
 {"pluginid":"10003","alertRef":"10003","alert":"Vulnerable JS Library","name":"Vulnerable JS Library","riskcode":2,"confidence":2,"desc":"",
  "instances":[{"uri":"https://cam.local:8443/js/jquery-1.8.1.min.js","method":"GET","evidence":"jquery-1.8.1.min.js",
  "otherinfo":"CVE-2020-11023\nCVE-2019-11358\n"}],"cweid":"829"}]}]}`

func TestJSON(t *testing.T) {
	rep, err := zap.Parse(strings.NewReader(jsonDoc))
	if err != nil {
		t.Fatal(err)
	}
	scantest.CheckReport(t, rep, scan.FormatZAP)
	if rep.ToolVersion != "2.14.0" || len(rep.Items) != 2 {
		t.Fatalf("report: %+v", rep)
	}
	c := rep.Items[0]
	if c.ToolID != "10202" || c.Severity != scan.SeverityMedium || c.Port != 8443 || c.Tunnel != "ssl" || c.Summary != "No Anti-CSRF tokens were found in a HTML submission form." ||
		!slices.Equal(c.CWEs, []string{"CWE-352"}) {
		t.Errorf("csrf: %+v", c)
	}
	if j := rep.Items[1]; !slices.Equal(j.CVEs, []string{"CVE-2020-11023", "CVE-2019-11358"}) || j.Severity != scan.SeverityMedium {
		t.Errorf("JS library (numbers accepted for codes): %+v", j)
	}
}

func TestBadInput(t *testing.T) {
	for _, doc := range []string{``, `{`, `[]`, `{"x":1}`, `<html/>`, `<OWASPZAPReport><site>`, `{"site":[{"alerts":[{"riskcode":{}}]}]}`} {
		if _, err := zap.Parse(strings.NewReader(doc)); !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", doc, err)
		}
	}
	if _, err := zap.Parse(strings.NewReader(`<!DOCTYPE a [<!ENTITY x "y">]><OWASPZAPReport/>`)); !errors.Is(err, scan.ErrUnsafe) {
		t.Errorf("entity: %v", err)
	}
}
