package burp_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/burp"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".xml") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatBurp)
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
	rep, err := burp.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestIssueFacts(t *testing.T) {
	rep := parseFile(t, "testdata/one_finding_with_cwe.xml")
	if rep.ToolVersion != "2020.12.1" || len(rep.Items) != 1 {
		t.Fatalf("report: %q %+v", rep.ToolVersion, rep.Items)
	}
	it := rep.Items[0]
	if it.ToolID != "7340288" || it.Title != "Cacheable HTTPS response" || it.Service != "https" || it.Tunnel != "ssl" || it.Port != 443 ||
		it.Host.Hostname == "" || len(it.CWEs) == 0 || !strings.HasPrefix(it.Output, "Location: ") {
		t.Errorf("issue: %+v", it)
	}
	rep = parseFile(t, "testdata/seven_findings.xml")
	sev := map[scan.Severity]int{}
	for _, it := range rep.Items {
		sev[it.Severity]++
		if (it.Severity == scan.SeverityInfo) != (it.Kind == scan.KindInfo) {
			t.Errorf("kind follows severity: %+v", it)
		}
	}
	if rep.ToolVersion != "1.6.05" || sev[scan.SeverityHigh] != 5 || sev[scan.SeverityLow] != 2 || sev[scan.SeverityInfo] != 9 {
		t.Errorf("severities: %v (%q)", sev, rep.ToolVersion)
	}
}

const falsePositive = `<?xml version="1.0"?>
<!DOCTYPE issues [
<!ELEMENT issues (issue*)>
<!ATTLIST issues burpVersion CDATA "">
<!ATTLIST issues exportTime CDATA "">
]>
<issues burpVersion="2023.10.3" exportTime="Tue Mar 05 10:00:00 UTC 2024">
 <issue><serialNumber>1</serialNumber><type>1049088</type><name>SQL injection</name><host ip="192.168.1.64">http://192.168.1.64:8080</host>
  <path>/cgi-bin/login</path><location>/cgi-bin/login [user parameter]</location><severity>High</severity><confidence>Firm</confidence>
  <vulnerabilityClassifications><![CDATA[<ul><li><a href="https://cwe.mitre.org/data/definitions/89.html">CWE-89: SQL Injection</a></li></ul>]]></vulnerabilityClassifications>
  <issueDetail><![CDATA[The <b>user</b> parameter appears to be vulnerable.]]></issueDetail>
  <requestresponse><request method="POST" base64="true"><![CDATA[UE9TVCAvY2dpLWJpbi9sb2dpbg==]]></request></requestresponse></issue>
 <issue><serialNumber>2</serialNumber><type>5244416</type><name>Cookie without HttpOnly flag set</name><host ip="192.168.1.64">http://192.168.1.64:8080</host>
  <path>/</path><location>/</location><severity>False positive</severity><confidence>Certain</confidence></issue>
</issues>`

func TestFalsePositiveAndTime(t *testing.T) {
	rep, err := burp.Parse(strings.NewReader(falsePositive))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 1 || rep.Skipped != 1 || rep.Start.IsZero() {
		t.Fatalf("report: %+v", rep)
	}
	it := rep.Items[0]
	if it.Host.Address != "192.168.1.64" || it.Host.Hostname != "" || it.Port != 8080 || it.Service != "http" ||
		!slices.Equal(it.CWEs, []string{"CWE-89"}) || it.Severity != scan.SeverityHigh ||
		!strings.Contains(it.Output, "The user parameter appears to be vulnerable.") || strings.Contains(it.Output, "UE9TV") {
		t.Errorf("issue: %+v", it)
	}
}

func TestBadInput(t *testing.T) {
	for _, doc := range []string{``, `<html/>`, `<issues><issue>`} {
		if _, err := burp.Parse(strings.NewReader(doc)); !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", doc, err)
		}
	}
	xxe := `<?xml version="1.0"?><!DOCTYPE issues [<!ELEMENT issues ANY><!ENTITY x SYSTEM "file:///etc/passwd">]><issues>&x;</issues>`
	if _, err := burp.Parse(strings.NewReader(xxe)); !errors.Is(err, scan.ErrUnsafe) {
		t.Errorf("entity in Burp's DTD: %v", err)
	}
}
