package nuclei_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/nuclei"
)

func parseFile(t *testing.T, path string) scan.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := nuclei.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json*")
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			if len(rep.Items) == 0 {
				t.Fatal("no items")
			}
			scantest.Golden(t, strings.TrimSuffix(f, filepath.Ext(f))+".golden.json", rep)
		})
	}
}

// Facts of DefectDojo's Nuclei 2.5+ sample (testdata/README.md).
func TestCurrentFieldNames(t *testing.T) {
	rep := parseFile(t, "testdata/dd-many_findings_new.jsonl")
	scantest.CheckReport(t, rep, scan.FormatNuclei)
	var ssh *scan.Item
	for i := range rep.Items {
		if rep.Items[i].ToolID == "CVE-2018-15473" {
			ssh = &rep.Items[i]
		}
	}
	if ssh == nil || ssh.Kind != scan.KindVulnerability || ssh.Severity != scan.SeverityMedium || ssh.CVSS != 5.3 ||
		len(ssh.CVEs) != 1 || ssh.CVEs[0] != "CVE-2018-15473" || len(ssh.CWEs) != 1 || ssh.CWEs[0] != "CWE-362" ||
		ssh.Port != 22 || ssh.Host.Address != "127.0.0.1" || ssh.Host.Hostname != "nuclei-example.com" ||
		!strings.Contains(ssh.Output, "OpenSSH_7.4p1") || !strings.HasPrefix(ssh.CVSSVector, "CVSS:3.0/") {
		t.Fatalf("CVE-2018-15473: %+v", ssh)
	}
	for _, it := range rep.Items {
		if it.ToolID == "prometheus-metrics" && (it.Port != 443 || it.Service != "http" || it.Tunnel != "ssl" || it.Severity != scan.SeverityLow) {
			t.Errorf("prometheus-metrics: %+v", it)
		}
	}
}

// Nuclei 2.3 wrote templateID/matched and comma-separated tags; the
// -json-export array is read too.
func TestOldNamesAndExportArray(t *testing.T) {
	rep := parseFile(t, "testdata/dd-many_findings.jsonl")
	scantest.CheckReport(t, rep, scan.FormatNuclei)
	if rep.Items[0].ToolID != "openssh5.3-detect" || rep.Items[0].Port != 22 || rep.Items[0].Severity != scan.SeverityLow {
		t.Fatalf("old names: %+v", rep.Items[0])
	}
	rep = parseFile(t, "testdata/dd-multiple_v3.json")
	if len(rep.Items) < 2 {
		t.Fatalf("export array: %d items", len(rep.Items))
	}
}

func TestBadInput(t *testing.T) {
	for name, bad := range map[string]string{
		"no template": `{"info":{"name":"x"},"host":"h"}`,
		"truncated":   `{"template-id":"x","info":{"name":"`,
		"garbage":     `{"template-id":"x","info":{}} nope`,
		"empty":       ``,
	} {
		_, err := nuclei.Parse(strings.NewReader(bad))
		if err == nil {
			t.Errorf("%s: parsed", name)
		}
		scantest.CheckBadInput(t, err)
	}
}

// TestDefaultLogin: a default-login template's hit is a credential finding
// of at least high severity with the login it extracted.
func TestDefaultLogin(t *testing.T) {
	line := `{"template-id":"default-login","info":{"name":"Default admin credentials","severity":"medium","tags":["default-login"]},` +
		`"type":"http","host":"10.0.0.9","matched-at":"https://10.0.0.9/administration","extracted-results":["admin:admin123"]}` + "\n"
	rep, err := nuclei.Parse(strings.NewReader(line))
	if err != nil || len(rep.Items) != 1 {
		t.Fatalf("%v %+v", err, rep.Items)
	}
	it := rep.Items[0]
	if it.Kind != scan.KindCredential || it.Severity != scan.SeverityHigh || len(it.Credentials) != 1 ||
		it.Credentials[0].Username != "admin" || it.Credentials[0].Password != "admin123" {
		t.Errorf("default login: %+v", it)
	}
}
