package gvmcsv_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/gvmcsv"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

func parseFile(t *testing.T, path string) scan.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := gvmcsv.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".csv") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatGVM)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

// Facts of DefectDojo's GVM 22 CSV sample (testdata/README.md).
func TestDetailFacts(t *testing.T) {
	rep := parseFile(t, "testdata/report_detail_v2.csv")
	if len(rep.Items) == 0 {
		t.Fatal("no items")
	}
	it := rep.Items[0]
	if it.Host.Address != "10.99.99.99" || it.Host.Hostname != "server99" || it.Port != 42 || it.Protocol != "tcp" ||
		it.CVSS != 9.8 || it.Severity != scan.SeverityCritical || it.Kind != scan.KindVulnerability ||
		!strings.HasPrefix(it.ToolID, "1.3.6.1.4.1.25623.1.") || !strings.Contains(it.Title, "KB5062557") ||
		!strings.Contains(it.Output, "Ntoskrnl.exe") || !strings.Contains(it.Summary, "missing an important security") {
		t.Fatalf("first result %+v", it)
	}
	if len(it.CVEs) != 93 || it.CVEs[0] != "CVE-2025-49659" {
		t.Errorf("CVEs %v", it.CVEs)
	}
	rep = parseFile(t, "testdata/report_combine_v2.csv")
	if len(rep.Items) != 1 || len(rep.Warnings) != 1 {
		t.Errorf("combined export: %d items, warnings %v", len(rep.Items), rep.Warnings)
	}
}

func TestRefusesOtherCSV(t *testing.T) {
	for name, bad := range map[string]string{
		"not gvm":   "IP,Hostname,Port\n1.2.3.4,x,80\n",
		"empty":     "",
		"truncated": "IP,Hostname,Port,Port Protocol,CVSS,Severity,NVT Name,NVT OID\n\"10.0.0.1,",
	} {
		_, err := gvmcsv.Parse(strings.NewReader(bad))
		if err == nil && name != "truncated" {
			t.Errorf("%s: parsed", name)
		}
		scantest.CheckBadInput(t, err)
	}
}
