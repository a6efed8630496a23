package gvm_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/gvm"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".xml") {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := gvm.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			scantest.CheckReport(t, rep, scan.FormatGVM)
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
	rep, err := gvm.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGVM22Facts(t *testing.T) {
	rep := parseFile(t, "testdata/gvm22-camera.xml")
	if rep.ToolVersion != "22.4" || rep.Name != "Camera lab - front door IPC" ||
		rep.Start.Format("15:04:05") != "11:00:14" || rep.End.Format("15:04:05") != "11:31:05" {
		t.Errorf("metadata: %q %q %v %v", rep.ToolVersion, rep.Name, rep.Start, rep.End)
	}
	if len(rep.Hosts) != 1 || rep.Hosts[0] != (scan.Host{Address: "192.168.50.7", Hostname: "ipc-frontdoor.lab.test", MAC: "A4:14:37:8E:21:5C", OS: "Linux Kernel"}) {
		t.Errorf("hosts: %+v", rep.Hosts)
	}
	if len(rep.Items) != 6 {
		t.Fatalf("got %d items, want 6 (detection sub-results must not count)", len(rep.Items))
	}
	rce := rep.Items[0]
	if rce.Severity != scan.SeverityCritical || rce.Port != 80 || rce.Protocol != "tcp" ||
		!slices.Equal(rce.CVEs, []string{"CVE-2021-36260"}) || rce.CVSS != 9.8 ||
		rce.CVSSVector != "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" || rce.Host.Hostname != "ipc-frontdoor.lab.test" ||
		rce.ToolID != "1.3.6.1.4.1.25623.1.0.146694" || !strings.HasPrefix(rce.Summary, "Multiple Hikvision") {
		t.Errorf("command injection: %+v", rce)
	}
	weak := rep.Items[2]
	if len(weak.CVEs) != 5 || weak.Family != "SSL and TLS" || weak.Kind != scan.KindVulnerability {
		t.Errorf("weak ciphers: %+v", weak)
	}
	osd := rep.Items[5]
	if osd.Kind != scan.KindInfo || osd.Severity != scan.SeverityInfo || osd.Port != 0 || osd.Service != "general" {
		t.Errorf("log result: %+v", osd)
	}
}

func TestOpenVAS9Facts(t *testing.T) {
	rep := parseFile(t, "testdata/openvas9-report.xml")
	if rep.ToolVersion != "7.0" || rep.Name != "NVR legacy scan" {
		t.Errorf("metadata: %+v", rep)
	}
	if len(rep.Warnings) != 2 {
		t.Errorf("want a Stopped-scan warning and a scanner error, got %q", rep.Warnings)
	}
	ssh := rep.Items[0]
	if ssh.Port != 22 || ssh.Service != "ssh" || !slices.Equal(ssh.CVEs, []string{"CVE-2017-15906"}) || ssh.CVSSVector != "AV:N/AC:L/Au:N/C:N/I:P/A:N" {
		t.Errorf("old port syntax / nvt cve: %+v", ssh)
	}
	if ccs := rep.Items[1]; !slices.Equal(ccs.CVEs, []string{"CVE-2014-0224", "CVE-2014-0195"}) {
		t.Errorf("comma-separated CVEs: %v", ccs.CVEs)
	}
	fp := rep.Items[2]
	if fp.State != "false_positive" || fp.Kind != scan.KindInfo || fp.Severity != scan.SeverityInfo {
		t.Errorf("false positive: %+v", fp)
	}
}

func TestKeysStableUnderReorder(t *testing.T) {
	result := func(host, port, oid string) string {
		return `<result id="` + oid + host + `-random"><name>n` + oid + `</name><host>` + host + `</host><port>` + port +
			`</port><nvt oid="` + oid + `"><name>n</name></nvt><severity>5.0</severity></result>`
	}
	a := `<report><report><results>` + result("10.0.0.1", "80/tcp", "1.2.3") + result("10.0.0.1", "443/tcp", "1.2.3") +
		result("10.0.0.2", "general/tcp", "1.2.4") + `</results></report></report>`
	b := `<report><results>` + result("10.0.0.2", "general/tcp", "1.2.4") + result("10.0.0.1", "443/tcp", "1.2.3") +
		result("10.0.0.1", "80/tcp", "1.2.3") + `</results></report>`
	ra, err := gvm.Parse(strings.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	rb, err := gvm.Parse(strings.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	scantest.CheckReport(t, ra, scan.FormatGVM)
	if !slices.Equal(scantest.Keys(ra), scantest.Keys(rb)) || len(ra.Items) != 3 {
		t.Fatalf("keys differ:\n%v\n%v", scantest.Keys(ra), scantest.Keys(rb))
	}
}

func TestStream(t *testing.T) {
	raw, err := os.ReadFile("testdata/gvm22-camera.xml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	meta, err := gvm.Stream(bytes.NewReader(raw), func(scan.Item) error { n++; return nil })
	if err != nil || n != 6 || meta.Items != nil || len(meta.Hosts) != 1 {
		t.Fatalf("stream: %v, %d items", err, n)
	}
	stop := errors.New("stop")
	if _, err := gvm.Stream(bytes.NewReader(raw), func(scan.Item) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("emit error: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	raw, err := os.ReadFile("testdata/gvm22-camera.xml")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		doc  string
		want error
	}{
		"empty":        {"", scan.ErrMalformed},
		"truncated":    {string(raw[:len(raw)/2]), scan.ErrMalformed},
		"wrong root":   {`<nmaprun/>`, scan.ErrMalformed},
		"gmp error":    {`<get_reports_response status="404" status_text="Failed to find report"/>`, scan.ErrMalformed},
		"no report":    {`<get_reports_response status="200" status_text="OK"/>`, scan.ErrMalformed},
		"no oid":       {`<report><results><result><host>1.2.3.4</host></result></results></report>`, scan.ErrMalformed},
		"entity":       {`<!DOCTYPE report [<!ENTITY a "aaaa">]><report>&a;</report>`, scan.ErrUnsafe},
		"deep reports": {strings.Repeat("<report>", 300) + strings.Repeat("</report>", 300), scan.ErrUnsafe},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := gvm.Parse(strings.NewReader(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}
