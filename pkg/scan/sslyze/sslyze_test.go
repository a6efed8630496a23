package sslyze_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/sslyze"
)

func parseFile(t *testing.T, path string) scan.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := sslyze.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".json") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatSSLyze)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

func byTool(rep scan.Report) map[string]scan.Item {
	m := map[string]scan.Item{}
	for _, it := range rep.Items {
		m[it.ToolID] = it
	}
	return m
}

// sslyze 5 layout, DefectDojo's sample (testdata/README.md).
func TestNewLayoutFacts(t *testing.T) {
	rep := parseFile(t, "testdata/dd-one_target_many_vuln_new.json")
	if rep.ToolVersion != "5.0.1" || rep.End.IsZero() || len(rep.Hosts) != 1 || rep.Hosts[0].Address != "1.1.1.1" {
		t.Fatalf("metadata %q %v %+v", rep.ToolVersion, rep.End, rep.Hosts)
	}
	m := byTool(rep)
	for id, want := range map[string]scan.Severity{"sslyze:TLS1": scan.SeverityLow, "sslyze:TLS1_2": scan.SeverityInfo} {
		if it, ok := m[id]; !ok || it.Severity != want || it.Port != 443 || it.Host.Hostname != "example.com" || it.Kind != scan.KindTLSCheck {
			t.Errorf("%s: %+v", id, it)
		}
	}
	if it := m["sslyze:SSLv2"]; !strings.Contains(it.Title, "not offered") || it.Severity != scan.SeverityInfo {
		t.Errorf("SSLv2 %+v", it)
	}
	if _, ok := m["sslyze:heartbleed"]; ok {
		t.Error("heartbleed reported although not vulnerable")
	}
}

// sslyze 3/4 layout: no is_tls_version_supported, renegotiation field
// named accepts_client_renegotiation.
func TestOldLayoutFacts(t *testing.T) {
	rep := parseFile(t, "testdata/dd-one_target_many_vuln_old.json")
	m := byTool(rep)
	if it, ok := m["sslyze:secure_renego"]; !ok || it.Severity != scan.SeverityMedium || len(it.CVEs) != 1 || it.Host.Address != "194.168.0.1" {
		t.Errorf("secure renegotiation: %+v", it)
	}
	if _, ok := m["sslyze:secure_client_renego"]; !ok {
		t.Error("client renegotiation not reported")
	}
}

func TestBadInput(t *testing.T) {
	for name, bad := range map[string]string{
		"no results": `{"sslyze_version":"5.0.1"}`,
		"array":      `[]`,
		"truncated":  `{"server_scan_results":[{"server_location":{"hostname":"a","port":443}`,
		"no server":  `{"server_scan_results":[{"scan_result":{}}]}`,
		"empty":      ``,
	} {
		_, err := sslyze.Parse(strings.NewReader(bad))
		if err == nil {
			t.Errorf("%s: parsed", name)
		}
		scantest.CheckBadInput(t, err)
	}
}
