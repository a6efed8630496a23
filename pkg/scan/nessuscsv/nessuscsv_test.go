package nessuscsv_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/nessuscsv"
)

func parseFile(t *testing.T, path string) scan.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := nessuscsv.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".csv") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatNessus)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

// Facts of DefectDojo's Nessus Professional CSV sample (testdata/README.md).
func TestProfessionalFacts(t *testing.T) {
	rep := parseFile(t, "testdata/nessus_many_vuln2-all.csv")
	var http, syn *scan.Item
	for i := range rep.Items {
		it := &rep.Items[i]
		if it.ToolID == "10107" && it.Port == 443 {
			http = it
		}
		if it.Kind == scan.KindOpenPort && syn == nil {
			syn = it
		}
	}
	if http == nil || http.Kind != scan.KindInfo || http.Host.Address != "52.208.101.182" || http.Protocol != "tcp" ||
		http.Title != "HTTP Server Type and Version" || http.Key[:7] != "nessus:" {
		t.Fatalf("10107 on 443: %+v", http)
	}
	if syn == nil || syn.State != "open" {
		t.Fatalf("no open port from the port scanner rows: %+v", syn)
	}
}

// Tenable.sc: Severity column, CVE list, CVSS v3 over v2; Tenable.io: the
// ";"-separated definition.* columns, formula-guard apostrophes dropped.
func TestTenableFacts(t *testing.T) {
	rep := parseFile(t, "testdata/nessus_many_vuln.csv")
	if len(rep.Items) != 4 {
		t.Fatalf("%d items", len(rep.Items))
	}
	it := rep.Items[0]
	if it.ToolID != "35291" || it.Severity != scan.SeverityMedium || it.Port != 443 || len(it.CVEs) != 1 || it.CVEs[0] != "CVE-2004-2761" || it.Family != "General" {
		t.Fatalf("35291: %+v", it)
	}
	rep = parseFile(t, "testdata/nessus_new.csv")
	if len(rep.Items) != 99 {
		t.Fatalf("tenable.io: %d items", len(rep.Items))
	}
	it = rep.Items[0]
	if it.ToolID != "33851" || it.Severity != scan.SeverityLow || it.CVSS != 3.1 || it.Host.Address != "10.0.0.1" || it.Output == "" || it.Output[0] == '\'' {
		t.Fatalf("tenable.io item: %+v", it)
	}
}

func TestMergesCVERowsAndRefusesOthers(t *testing.T) {
	doc := "Plugin ID,CVE,CVSS,Risk,Host,Protocol,Port,Name,Synopsis,Description,Solution,See Also,Plugin Output\n" +
		"97833,CVE-2017-0143,9.3,Critical,10.0.0.9,tcp,445,MS17-010,x,x,x,,out\n" +
		"97833,CVE-2017-0144,9.3,Critical,10.0.0.9,tcp,445,MS17-010,x,x,x,,out\n" +
		"97833,CVE-2017-0145,9.3,Critical,10.0.0.9,tcp,445,MS17-010,x,x,x,,out\n"
	rep, err := nessuscsv.Parse(bytes.NewReader([]byte(doc)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 1 || len(rep.Items[0].CVEs) != 3 || rep.Items[0].Severity != scan.SeverityCritical || rep.Items[0].CVSS != 9.3 {
		t.Fatalf("items %+v", rep.Items)
	}
	for name, bad := range map[string]string{
		"not nessus": "a,b,c\n1,2,3\n",
		"empty":      "",
		"one column": "x\n1\n",
	} {
		if _, err := nessuscsv.Parse(bytes.NewReader([]byte(bad))); err == nil {
			t.Errorf("%s: parsed", name)
		} else {
			scantest.CheckBadInput(t, err)
		}
	}
}
