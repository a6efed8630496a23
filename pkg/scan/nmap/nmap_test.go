package nmap_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/nmap"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".xml") {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := nmap.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			scantest.CheckReport(t, rep, scan.FormatNmap)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

func TestCameraFacts(t *testing.T) {
	raw, err := os.ReadFile("testdata/camera.xml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := nmap.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if rep.ToolVersion != "7.94SVN" || rep.Start.Unix() != 1732617302 || rep.End.Unix() != 1732617702 {
		t.Errorf("metadata: %q %v %v", rep.ToolVersion, rep.Start, rep.End)
	}
	if !strings.Contains(rep.Args, "--script=default") {
		t.Errorf("args not decoded: %q", rep.Args)
	}
	if rep.HostStats == nil || *rep.HostStats != (scan.HostStats{Up: 3, Down: 13, Total: 16}) {
		t.Errorf("host stats = %+v", rep.HostStats)
	}
	find := func(addr string, port int, id string) scan.Item {
		t.Helper()
		for _, it := range rep.Items {
			if it.Host.Address == addr && it.Port == port && it.ToolID == id {
				return it
			}
		}
		t.Fatalf("no item %s:%d %s", addr, port, id)
		return scan.Item{}
	}
	telnet := find("192.168.50.7", 23, "port")
	if telnet.Kind != scan.KindOpenPort || telnet.Service != "telnet" || telnet.Product != "BusyBox telnetd" || telnet.Host.Hostname != "ipc-frontdoor.lab.test" {
		t.Errorf("telnet item: %+v", telnet)
	}
	creds := find("192.168.50.7", 80, "http-default-accounts")
	want := []scan.Credential{{Service: "http", Username: "admin", Password: "12345", Where: "Hikvision DVR at /"}}
	if creds.Kind != scan.KindCredential || !slices.Equal(creds.Credentials, want) || creds.Severity != scan.SeverityHigh ||
		!strings.Contains(creds.Output, "admin:12345") || creds.Service != "http" {
		t.Errorf("default-credential script: %+v", creds)
	}
	https := find("192.168.50.7", 443, "port")
	if https.Tunnel != "ssl" || https.Service != "http" {
		t.Errorf("https tunnel: %+v", https)
	}
	poodle := find("192.168.50.7", 443, "ssl-poodle")
	if !slices.Equal(poodle.CVEs, []string{"CVE-2014-3566"}) || poodle.Severity != scan.SeverityMedium ||
		poodle.Kind != scan.KindVulnerability {
		t.Errorf("poodle: %v %v", poodle.CVEs, poodle.Severity)
	}
	ms17 := find("192.168.50.12", 0, "smb-vuln-ms17-010")
	if ms17.Severity != scan.SeverityHigh || !slices.Equal(ms17.CVEs, []string{"CVE-2017-0143"}) ||
		ms17.Kind != scan.KindVulnerability {
		t.Errorf("ms17-010 host script: %+v", ms17)
	}
	snmp := find("192.168.50.7", 161, "port")
	if snmp.State != "open|filtered" || snmp.Protocol != "udp" {
		t.Errorf("snmp: %+v", snmp)
	}
	for _, it := range rep.Items {
		if it.Host.Address == "192.168.50.1" && it.Port == 23 {
			t.Errorf("closed port reported: %+v", it)
		}
	}
}

func TestStreamMatchesParse(t *testing.T) {
	raw, err := os.ReadFile("testdata/camera.xml")
	if err != nil {
		t.Fatal(err)
	}
	full, err := nmap.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var streamed []scan.Item
	meta, err := nmap.Stream(bytes.NewReader(raw), func(it scan.Item) error {
		streamed = append(streamed, it)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if meta.Items != nil {
		t.Error("Stream returned items in the report")
	}
	if len(streamed) != len(full.Items) {
		t.Fatalf("stream gave %d items, parse %d", len(streamed), len(full.Items))
	}
	stop := errors.New("stop")
	n := 0
	_, err = nmap.Stream(bytes.NewReader(raw), func(scan.Item) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Fatalf("emit error not propagated: %v after %d items", err, n)
	}
}

// Two renderings of the same scan, with hosts, ports and scripts in a
// different order, must give the same keys for the same findings.
func TestKeysStableUnderReorder(t *testing.T) {
	hostA := `<host><status state="up"/><address addr="10.0.0.5" addrtype="ipv4"/><ports>` +
		`<port protocol="tcp" portid="23"><state state="open"/><service name="telnet"/></port>` +
		`<port protocol="tcp" portid="80"><state state="open"/><service name="http"/>` +
		`<script id="http-title" output="Login"/><script id="http-default-accounts" output="admin:admin"/></port>` +
		`</ports></host>`
	hostAReordered := `<host><status state="up"/><address addr="10.0.0.5" addrtype="ipv4"/><ports>` +
		`<port protocol="tcp" portid="80"><state state="open"/><service name="http"/>` +
		`<script id="http-default-accounts" output="admin:admin"/><script id="http-title" output="Login"/></port>` +
		`<port protocol="tcp" portid="23"><state state="open"/><service name="telnet"/></port>` +
		`</ports></host>`
	hostB := `<host><status state="up"/><address addr="10.0.0.6" addrtype="ipv4"/><ports>` +
		`<port protocol="udp" portid="1900"><state state="open"/><service name="upnp"/></port></ports>` +
		`<hostscript><script id="clock-skew" output="0s"/></hostscript></host>`
	parse := func(doc string) scan.Report {
		t.Helper()
		rep, err := nmap.Parse(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		scantest.CheckReport(t, rep, scan.FormatNmap)
		return rep
	}
	a := parse(`<nmaprun start="1">` + hostA + hostB + `</nmaprun>`)
	b := parse(`<nmaprun start="2">` + hostB + hostAReordered + `</nmaprun>`)
	if !slices.Equal(scantest.Keys(a), scantest.Keys(b)) {
		t.Fatalf("keys differ:\n%v\n%v", scantest.Keys(a), scantest.Keys(b))
	}
	bb := scantest.ByKey(b)
	for _, it := range a.Items {
		o := bb[it.Key]
		if o.ToolID != it.ToolID || o.Port != it.Port || o.Host != it.Host {
			t.Errorf("key %s names different findings: %+v vs %+v", it.Key, it, o)
		}
	}
	if len(a.Items) != 6 {
		t.Errorf("got %d items, want 6", len(a.Items))
	}
}

func TestHostsNotUpAreSkipped(t *testing.T) {
	doc := `<nmaprun><host><status state="down"/><address addr="10.0.0.9" addrtype="ipv4"/>` +
		`<ports><port protocol="tcp" portid="22"><state state="open"/></port></ports></host>` +
		`<host><status state="up"/><address addr="fe80::1" addrtype="ipv6"/>` +
		`<ports><port protocol="tcp" portid="22"><state state="filtered"/></port></ports></host></nmaprun>`
	rep, err := nmap.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 0 || len(rep.Hosts) != 1 || rep.Hosts[0].Address != "fe80::1" || rep.Skipped != 1 {
		t.Fatalf("got items %v hosts %v skipped %d", rep.Items, rep.Hosts, rep.Skipped)
	}
}

func TestBadInput(t *testing.T) {
	raw, err := os.ReadFile("testdata/camera.xml")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		doc  string
		want error
	}{
		"empty":       {"", scan.ErrMalformed},
		"truncated":   {string(raw[:len(raw)/2]), scan.ErrMalformed},
		"wrong root":  {`<NessusClientData_v2/>`, scan.ErrMalformed},
		"json":        {`{"bomFormat":"CycloneDX"}`, scan.ErrMalformed},
		"entity":      {`<!DOCTYPE nmaprun [<!ENTITY a "b">]><nmaprun>&a;</nmaprun>`, scan.ErrUnsafe},
		"undeclared":  {`<nmaprun args="&xxe;"/>`, scan.ErrUnsafe},
		"deep script": {`<nmaprun><host>` + strings.Repeat("<x>", 400) + `</host></nmaprun>`, scan.ErrUnsafe},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := nmap.Parse(strings.NewReader(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHugeOutputIsTruncated(t *testing.T) {
	big := strings.Repeat("A", 3*scan.MaxOutput) + " CVE-2020-1234"
	doc := `<nmaprun><host><status state="up"/><address addr="10.0.0.1" addrtype="ipv4"/><ports>` +
		`<port protocol="tcp" portid="80"><state state="open"/><script id="x" output="` + big + `"/></port>` +
		`</ports></host></nmaprun>`
	rep, err := nmap.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var it scan.Item
	for _, i := range rep.Items {
		if i.ToolID == "x" {
			it = i
		}
	}
	if !it.OutputTruncated || len(it.Output) != scan.MaxOutput {
		t.Fatalf("output len %d truncated %v", len(it.Output), it.OutputTruncated)
	}
	if !slices.Equal(it.CVEs, []string{"CVE-2020-1234"}) {
		t.Fatalf("CVE beyond the kept output not found: %v", it.CVEs)
	}
}

// TestLabCredentials: real nmap runs against loopback fakes; each proven
// login is a credential finding of at least high severity, with the login.
func TestLabCredentials(t *testing.T) {
	cases := []struct {
		file, script string
		want         scan.Credential
	}{
		{"lab-ftp-http.xml", "ftp-anon", scan.Credential{Service: "ftp", Username: "anonymous", Blank: true}},
		{"lab-ftp-http.xml", "http-default-accounts", scan.Credential{Service: "http", Username: "tomcat", Password: "tomcat",
			Where: "Apache Tomcat at /manager/html/"}},
		{"lab-telnet.xml", "telnet-brute", scan.Credential{Service: "telnet", Username: "admin", Password: "admin"}},
	}
	for _, c := range cases {
		f, err := os.Open(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := nmap.Parse(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(rep.Items, func(it scan.Item) bool { return it.ToolID == c.script })
		if i < 0 {
			t.Fatalf("%s: no %s item", c.file, c.script)
		}
		it := rep.Items[i]
		if it.Kind != scan.KindCredential || it.Severity.Rank() < scan.SeverityHigh.Rank() ||
			!slices.Equal(it.Credentials, []scan.Credential{c.want}) {
			t.Errorf("%s %s: %s %s %+v", c.file, c.script, it.Kind, it.Severity, it.Credentials)
		}
	}
}

// TestScriptShapes: the output shapes of nmap's brute, vulns and vulners
// libraries as nmap prints them.
func TestScriptShapes(t *testing.T) {
	doc := `<?xml version="1.0"?><nmaprun scanner="nmap"><host><status state="up"/><address addr="10.0.0.5" addrtype="ipv4"/>
<ports><port protocol="tcp" portid="22"><state state="open"/><service name="ssh" product="OpenSSH" version="7.4"/>
<script id="vulners" output="&#xa;  cpe:/a:openbsd:openssh:7.4: &#xa;    &#x9;CVE-2023-38408&#x9;9.8&#x9;https://vulners.com/cve/CVE-2023-38408&#x9;*EXPLOIT*&#xa;    &#x9;SSV:92579&#x9;7.5&#x9;https://vulners.com/seebug/SSV:92579&#x9;*EXPLOIT*&#xa;    &#x9;CVE-2016-10009&#x9;7.5&#x9;https://vulners.com/cve/CVE-2016-10009&#xa;    &#x9;CVE-2023-38408&#x9;9.8&#x9;https://vulners.com/githubexploit/X&#x9;*EXPLOIT*"/>
<script id="ssh-brute" output="&#xa;  Accounts: &#xa;    root:toor - Valid credentials&#xa;  Statistics: Performed 3 guesses"/></port>
<port protocol="tcp" portid="3306"><state state="open"/><service name="mysql"/>
<script id="mysql-empty-password" output="&#xa;  root account has empty password"/></port>
<port protocol="udp" portid="161"><state state="open"/><service name="snmp"/>
<script id="snmp-brute" output="&#xa;  public - Valid credentials&#xa;  private - Valid credentials"/></port>
<port protocol="tcp" portid="443"><state state="open"/><service name="http" product="Apache httpd" extrainfo="SSL-only mode"/></port>
<port protocol="tcp" portid="21"><state state="open"/><service name="ftp"/>
<script id="ftp-brute" output="&#xa;  Accounts: No valid accounts found"/></port>
</ports></host></nmaprun>`
	rep, err := nmap.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var vulners []string
	for _, it := range rep.Items {
		if it.ToolID == "vulners" {
			vulners = append(vulners, fmt.Sprintf("%s %.1f %s", it.CVEs[0], it.CVSS, it.Severity))
		}
	}
	if !slices.Equal(vulners, []string{"CVE-2023-38408 9.8 critical", "CVE-2016-10009 7.5 high"}) {
		t.Errorf("vulners: one finding per CVE with its score: %v", vulners)
	}
	creds := map[string][]scan.Credential{}
	keys := map[string]bool{}
	for _, it := range rep.Items {
		if keys[it.Key] {
			t.Errorf("duplicate key %s for %s", it.Key, it.Title)
		}
		keys[it.Key] = true
		if it.Kind == scan.KindCredential {
			creds[it.ToolID] = it.Credentials
		}
		if it.ToolID == "ftp-brute" && it.Kind != scan.KindScript {
			t.Errorf("no valid accounts is not a credential finding: %+v", it)
		}
		if it.Kind == scan.KindOpenPort && it.Port == 443 && it.Tunnel != "ssl" {
			t.Errorf("an SSL-only service is TLS: %+v", it)
		}
	}
	if c := creds["ssh-brute"]; len(c) != 1 || c[0].Username != "root" || c[0].Password != "toor" {
		t.Errorf("ssh-brute: %+v", c)
	}
	if c := creds["mysql-empty-password"]; len(c) != 1 || c[0].Username != "root" || !c[0].Blank {
		t.Errorf("mysql-empty-password: %+v", c)
	}
	if c := creds["snmp-brute"]; len(c) != 2 || c[0].Password != "public" || c[0].Where != "community" {
		t.Errorf("snmp-brute: %+v", c)
	}
}
