package hydra_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/hydra"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

func parseFile(t *testing.T, path string) scan.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := hydra.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".json") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatHydra)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

// The lab runs (testdata/README.md): each working login is one item; HTTP
// basic auth is service http.
func TestLabFacts(t *testing.T) {
	rep := parseFile(t, "testdata/lab-ssh.json")
	if rep.ToolVersion != "v9.4" || !strings.Contains(rep.Args, "ssh://127.0.0.1") || len(rep.Warnings) != 0 {
		t.Errorf("metadata %q %q %v", rep.ToolVersion, rep.Args, rep.Warnings)
	}
	if len(rep.Items) != 2 {
		t.Fatalf("%d items", len(rep.Items))
	}
	want := []scan.Credential{{Service: "ssh", Username: "root", Password: "root"}, {Service: "ssh", Username: "admin", Password: "admin"}}
	for i, it := range rep.Items {
		if it.Kind != scan.KindCredential || it.ToolID != hydra.ToolID || it.Severity != scan.SeverityHigh || it.Host.Address != "127.0.0.1" ||
			it.Port != 12222 || it.Protocol != "tcp" || it.Service != "ssh" || len(it.Credentials) != 1 || it.Credentials[0] != want[i] {
			t.Fatalf("item %d %+v", i, it)
		}
	}
	rep = parseFile(t, "testdata/lab-http-get.json")
	if len(rep.Items) != 1 || rep.Items[0].Service != "http" || rep.Items[0].Family != "http-get" || rep.Items[0].Port != 18080 ||
		rep.Items[0].Credentials[0].Username != "admin" || rep.Items[0].Credentials[0].Password != "12345" {
		t.Fatalf("http-get: %+v", rep.Items)
	}
	rep = parseFile(t, "testdata/lab-none.json")
	if len(rep.Items) != 0 || len(rep.Warnings) != 0 {
		t.Fatalf("no hits: %+v", rep)
	}
	// A run that could not connect says so: no findings is not a clean bill.
	rep = parseFile(t, "testdata/lab-refused.json")
	if len(rep.Items) != 0 || len(rep.Warnings) != 2 || !strings.Contains(strings.Join(rep.Warnings, "\n"), "port 1") {
		t.Fatalf("refused: %+v", rep.Warnings)
	}
}

func TestBlankPasswordsAndBadInput(t *testing.T) {
	doc := `{"generator":{"software":"Hydra","version":"v9.5"},"results":[` +
		`{"port":"23","service":"telnet","host":"10.0.0.5","login":"root","password":""},` +
		`{"port":443,"service":"https-get","host":"10.0.0.5","login":"admin","password":"admin"},` +
		`{"port":23,"service":"telnet","host":"10.0.0.5","login":"admin","password":"1234"}],"success":true,"errormessages":[]}`
	rep, err := hydra.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 3 {
		t.Fatalf("%d items", len(rep.Items))
	}
	telnet, https := rep.Items[0], rep.Items[1]
	if telnet.Port != 23 || !telnet.Credentials[0].Blank || rep.Items[2].Credentials[0].Blank || telnet.Key == rep.Items[2].Key {
		t.Errorf("telnet %+v %+v", telnet, rep.Items[2])
	}
	if https.Service != "http" || https.Tunnel != "ssl" || https.Port != 443 {
		t.Errorf("https %+v", https)
	}
	for name, bad := range map[string]string{
		"truncated":    doc[:len(doc)-30],
		"not hydra":    `{"generator":{"software":"Medusa"},"results":[]}`,
		"no generator": `{"results":[]}`,
		"array":        `[{"port":22}]`,
		"trailing":     `{"generator":{"software":"Hydra"}} x`,
		"empty":        ``,
	} {
		_, err := hydra.Parse(strings.NewReader(bad))
		if !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
