package testsslcsv_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/testssl"
	"github.com/tradewarden/tradewarden/pkg/scan/testsslcsv"
)

func parseFile(t *testing.T, path string) scan.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := testsslcsv.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".csv") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatTestSSL)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

// The lab run wrote --csvfile and --jsonfile together (testdata/README.md):
// both give the same items, keys included.
func TestSameItemsAsJSON(t *testing.T) {
	csvRep := parseFile(t, "testdata/lab-openssl-s_server.csv")
	raw, err := os.ReadFile("testdata/lab-openssl-s_server.jsonfile")
	if err != nil {
		t.Fatal(err)
	}
	jsonRep, err := testssl.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(csvRep.Items)
	b, _ := json.Marshal(jsonRep.Items)
	if !bytes.Equal(a, b) || len(csvRep.Items) == 0 {
		t.Fatalf("CSV gave %d items, JSON %d, or they differ", len(csvRep.Items), len(jsonRep.Items))
	}
	byID := scantest.ByKey(csvRep)
	found := false
	for _, it := range byID {
		if it.ToolID == "cert_chain_of_trust" && it.Severity == scan.SeverityCritical && it.Port == 18443 && it.Host.Address == "127.0.0.1" {
			found = true
		}
	}
	if !found {
		t.Error("self-signed chain (critical) not found")
	}
}

func TestFailedTargetAndBadInput(t *testing.T) {
	rep := parseFile(t, "testdata/dd-failed_target.csv")
	if len(rep.Items) != 0 || !strings.Contains(strings.Join(rep.Warnings, " "), "connect") {
		t.Fatalf("failed target: items %d warnings %v", len(rep.Items), rep.Warnings)
	}
	for name, bad := range map[string]string{
		"not testssl": "a,b\n1,2\n",
		"empty":       "",
		"bad quote":   "\"id\",\"fqdn/ip\",\"port\",\"severity\",\"finding\"\n\"x\",\"y\"z\",\"1\",\"LOW\",\"f\"\n",
	} {
		_, err := testsslcsv.Parse(strings.NewReader(bad))
		if err == nil && name != "bad quote" {
			t.Errorf("%s: parsed", name)
		}
		scantest.CheckBadInput(t, err)
	}
}
