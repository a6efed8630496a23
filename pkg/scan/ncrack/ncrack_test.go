package ncrack_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/ncrack"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".xml") {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := ncrack.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			scantest.CheckReport(t, rep, scan.FormatNcrack)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

// The lab run (see testdata/README.md) found root:root over SSH and the
// DVR-style admin:12345 over HTTP basic auth.
func TestLabFacts(t *testing.T) {
	raw, err := os.ReadFile("testdata/lab-ssh-http.xml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ncrack.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if rep.ToolVersion != "0.7" || rep.Start.Unix() != 1796283330 || rep.End.Unix() != 1796283331 || !strings.Contains(rep.Args, "ssh://127.0.0.1:12222") {
		t.Errorf("metadata: %q %v %v %q", rep.ToolVersion, rep.Start, rep.End, rep.Args)
	}
	if len(rep.Items) != 2 || len(rep.Hosts) != 1 || rep.Hosts[0].Address != "127.0.0.1" {
		t.Fatalf("items %d hosts %+v", len(rep.Items), rep.Hosts)
	}
	want := map[int]scan.Credential{
		12222: {Service: "ssh", Username: "root", Password: "root"},
		18080: {Service: "http", Username: "admin", Password: "12345"},
	}
	for _, it := range rep.Items {
		c, ok := want[it.Port]
		if !ok || it.Kind != scan.KindCredential || it.ToolID != ncrack.ToolID || it.Severity != scan.SeverityHigh ||
			it.Host.Address != "127.0.0.1" || it.Protocol != "tcp" || it.Service != c.Service {
			t.Errorf("item %+v", it)
			continue
		}
		if len(it.Credentials) != 1 || it.Credentials[0] != c {
			t.Errorf("port %d credentials %+v, want %+v", it.Port, it.Credentials, c)
		}
		if !strings.Contains(it.Output, "'"+c.Username+"' '"+c.Password+"'") {
			t.Errorf("output %q", it.Output)
		}
	}
}

func TestNoCredentialsNoItems(t *testing.T) {
	raw, err := os.ReadFile("testdata/lab-none.xml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ncrack.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 0 || rep.Skipped != 1 || len(rep.Hosts) != 1 {
		t.Fatalf("items %d skipped %d hosts %d", len(rep.Items), rep.Skipped, len(rep.Hosts))
	}
}

func TestBlankPasswordAndBadInput(t *testing.T) {
	doc := `<ncrackrun scanner="ncrack" version="0.7"><service><address addr="10.0.0.5" addrtype="ipv4"/>` +
		`<port protocol="tcp" portid="23" name="telnet"/><credentials username="root" password=""/></service></ncrackrun>`
	rep, err := ncrack.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 1 || !rep.Items[0].Credentials[0].Blank || rep.Items[0].Service != "telnet" || rep.Items[0].Port != 23 {
		t.Fatalf("items %+v", rep.Items)
	}
	for name, bad := range map[string]string{
		"truncated":  doc[:len(doc)-20],
		"wrong root": `<nmaprun/>`,
		"entity":     `<!DOCTYPE ncrackrun [<!ENTITY x "y">]><ncrackrun>&x;</ncrackrun>`,
		"empty":      ``,
	} {
		_, err := ncrack.Parse(strings.NewReader(bad))
		if !errors.Is(err, scan.ErrMalformed) && !errors.Is(err, scan.ErrUnsafe) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
