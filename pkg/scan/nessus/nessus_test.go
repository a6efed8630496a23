package nessus_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/nessus"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".nessus") {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := nessus.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			scantest.CheckReport(t, rep, scan.FormatNessus)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

func TestCameraFacts(t *testing.T) {
	raw, err := os.ReadFile("testdata/camera-lab.nessus")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := nessus.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if rep.ToolVersion != "10.8.3" || rep.Name != "Camera lab scan" {
		t.Errorf("metadata: version %q name %q", rep.ToolVersion, rep.Name)
	}
	if rep.Start.Unix() != 1732618820 || rep.End.Unix() != 1732620611 {
		t.Errorf("times: %v %v", rep.Start, rep.End)
	}
	if len(rep.Hosts) != 2 || rep.Hosts[1].Hostname != "DVRSTATION" || rep.Hosts[1].OS != "Microsoft Windows XP Service Pack 2" {
		t.Errorf("hosts: %+v", rep.Hosts)
	}
	find := func(addr string, port int, plugin string) scan.Item {
		t.Helper()
		for _, it := range rep.Items {
			if it.Host.Address == addr && it.Port == port && it.ToolID == plugin {
				return it
			}
		}
		t.Fatalf("no item %s:%d plugin %s", addr, port, plugin)
		return scan.Item{}
	}
	telnetPort := find("192.168.50.7", 23, "11219")
	if telnetPort.Kind != scan.KindOpenPort || telnetPort.Service != "telnet" || telnetPort.Title != "23/tcp open telnet" {
		t.Errorf("open port: %+v", telnetPort)
	}
	telnet := find("192.168.50.7", 23, "42263")
	if telnet.Kind != scan.KindVulnerability || telnet.Severity != scan.SeverityMedium || telnet.CVSS != 6.5 ||
		!strings.HasPrefix(telnet.CVSSVector, "CVSS:3.0/") || telnet.Family != "Misc." {
		t.Errorf("unencrypted telnet: %+v", telnet)
	}
	rce := find("192.168.50.7", 80, "153820")
	if rce.Severity != scan.SeverityCritical || !slices.Equal(rce.CVEs, []string{"CVE-2021-36260"}) ||
		!strings.Contains(rce.Output, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("command injection: %+v", rce)
	}
	creds := find("192.168.50.7", 80, "26194")
	if !slices.Equal(creds.CWEs, []string{"CWE-522", "CWE-523", "CWE-718", "CWE-724"}) {
		t.Errorf("CWEs: %v", creds.CWEs)
	}
	ms17 := find("192.168.50.12", 445, "97833")
	if len(ms17.CVEs) != 6 || ms17.Severity != scan.SeverityHigh || ms17.Host.Hostname != "DVRSTATION" {
		t.Errorf("ms17-010: %+v", ms17)
	}
	info := find("192.168.50.7", 0, "19506")
	if info.Kind != scan.KindInfo || info.Severity != scan.SeverityInfo {
		t.Errorf("scan info: %+v", info)
	}
}

// The same findings, with hosts and items in another order, keep their keys.
func TestKeysStableUnderReorder(t *testing.T) {
	item := func(port, plugin, sev string) string {
		return `<ReportItem port="` + port + `" svc_name="www" protocol="tcp" severity="` + sev + `" pluginID="` + plugin +
			`" pluginName="Plugin ` + plugin + `" pluginFamily="General"><risk_factor>Medium</risk_factor></ReportItem>`
	}
	host := func(ip string, items ...string) string {
		return `<ReportHost name="` + ip + `"><HostProperties><tag name="host-ip">` + ip + `</tag></HostProperties>` +
			strings.Join(items, "") + `</ReportHost>`
	}
	a := `<NessusClientData_v2><Report name="a">` +
		host("10.0.0.1", item("80", "100", "2"), item("443", "100", "2"), item("443", "200", "1")) +
		host("10.0.0.2", item("80", "100", "2")) + `</Report></NessusClientData_v2>`
	b := `<NessusClientData_v2><Report name="b">` +
		host("10.0.0.2", item("80", "100", "2")) +
		host("10.0.0.1", item("443", "200", "1"), item("80", "100", "2"), item("443", "100", "2")) + `</Report></NessusClientData_v2>`
	ra, err := nessus.Parse(strings.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	rb, err := nessus.Parse(strings.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	scantest.CheckReport(t, ra, scan.FormatNessus)
	if !slices.Equal(scantest.Keys(ra), scantest.Keys(rb)) || len(ra.Items) != 4 {
		t.Fatalf("keys differ:\n%v\n%v", scantest.Keys(ra), scantest.Keys(rb))
	}
}

func TestStream(t *testing.T) {
	raw, err := os.ReadFile("testdata/camera-lab.nessus")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	meta, err := nessus.Stream(bytes.NewReader(raw), func(scan.Item) error { n++; return nil })
	if err != nil || meta.Items != nil || n != 18 {
		t.Fatalf("stream: %v, %d items, meta items %v", err, n, meta.Items)
	}
	stop := errors.New("stop")
	_, err = nessus.Stream(bytes.NewReader(raw), func(scan.Item) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("emit error: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	raw, err := os.ReadFile("testdata/camera-lab.nessus")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		doc  string
		want error
	}{
		"empty":      {"", scan.ErrMalformed},
		"truncated":  {string(raw[:len(raw)*2/3]), scan.ErrMalformed},
		"wrong root": {`<nmaprun/>`, scan.ErrMalformed},
		"no plugin":  {`<NessusClientData_v2><Report><ReportHost name="x"><ReportItem port="1"/></ReportHost></Report></NessusClientData_v2>`, scan.ErrMalformed},
		"xxe": {`<?xml version="1.0"?><!DOCTYPE NessusClientData_v2 [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
			`<NessusClientData_v2><Report><ReportHost name="a"><ReportItem pluginID="1"><plugin_output>&x;</plugin_output></ReportItem></ReportHost></Report></NessusClientData_v2>`, scan.ErrUnsafe},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := nessus.Parse(strings.NewReader(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}
