package testssl_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/testssl"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".json") {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := testssl.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			scantest.CheckReport(t, rep, scan.FormatTestSSL)
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
	rep, err := testssl.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func byID(rep scan.Report) map[string]scan.Item {
	m := map[string]scan.Item{}
	for _, it := range rep.Items {
		m[it.ToolID] = it
	}
	return m
}

func TestFlat(t *testing.T) {
	rep := parseFile(t, "testdata/camera-flat.json")
	items := byID(rep)
	// Weak protocols, ciphers and certificate problems are all visible.
	for id, sev := range map[string]scan.Severity{
		"SSLv3":                   scan.SeverityHigh,
		"TLS1":                    scan.SeverityLow,
		"SSLv2":                   scan.SeverityInfo,
		"cipherlist_NULL":         scan.SeverityInfo,
		"cipherlist_3DES_IDEA":    scan.SeverityMedium,
		"RC4":                     scan.SeverityHigh,
		"cert_chain_of_trust":     scan.SeverityCritical,
		"cert_expirationStatus":   scan.SeverityCritical,
		"cert_signatureAlgorithm": scan.SeverityMedium,
		"service":                 scan.SeverityInfo,
	} {
		it, ok := items[id]
		if !ok {
			t.Errorf("%s not kept", id)
			continue
		}
		if it.Severity != sev || it.Kind != scan.KindTLSCheck || it.Port != 443 ||
			it.Host != (scan.HostRef{Address: "192.168.50.7", Hostname: "ipc-frontdoor.lab.test"}) {
			t.Errorf("%s: %+v", id, it)
		}
	}
	for _, id := range []string{"pre_128cipher", "banner_server", "cipher-tls1_x05", "clientsimulation-android_60", "grade_cap_reason_1", "engine_problem"} {
		if _, ok := items[id]; ok {
			t.Errorf("noise %s kept as an item", id)
		}
	}
	if rep.Skipped != 6 {
		t.Errorf("skipped = %d, want 6", rep.Skipped)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "engine_problem") {
		t.Errorf("warnings = %q", rep.Warnings)
	}
	if rc4 := items["RC4"]; !slices.Equal(rc4.CVEs, []string{"CVE-2013-2566", "CVE-2015-2808"}) || !slices.Equal(rc4.CWEs, []string{"CWE-310"}) {
		t.Errorf("RC4 refs: %v %v", rc4.CVEs, rc4.CWEs)
	}
	if hb := items["heartbleed"]; hb.ToolID != "" {
		t.Errorf("passed vulnerability check kept: %+v", hb)
	}
}

func TestPretty(t *testing.T) {
	rep := parseFile(t, "testdata/nvr-pretty.json")
	if rep.ToolVersion != "3.2.0" || rep.Start.Unix() != 1732624200 || rep.End.Sub(rep.Start).Seconds() != 46 ||
		!strings.HasPrefix(rep.Args, "testssl.sh --jsonfile-pretty") {
		t.Errorf("metadata: %q %v %v %q", rep.ToolVersion, rep.Start, rep.End, rep.Args)
	}
	items := byID(rep)
	freak := items["FREAK"]
	if freak.Family != "vulnerabilities" || freak.Severity != scan.SeverityHigh || freak.Port != 8443 ||
		freak.Host != (scan.HostRef{Address: "10.20.0.15", Hostname: "nvr-01.site.test"}) ||
		freak.Summary != "Disable EXPORT cipher suites." || !slices.Equal(freak.CVEs, []string{"CVE-2015-0204"}) {
		t.Errorf("FREAK: %+v", freak)
	}
	if null := items["cipherlist_NULL"]; null.Severity != scan.SeverityHigh || null.Family != "ciphers" {
		t.Errorf("NULL ciphers: %+v", null)
	}
	if tr := items["cert_chain_of_trust <hostCert#1>"]; tr.Severity != scan.SeverityInfo {
		t.Errorf("multi-cert suffix: %+v", tr)
	}
	if svc := items["service"]; svc.Output != "HTTP" {
		t.Errorf("service: %+v", svc)
	}
	if _, ok := items["cert_ocspURL <hostCert#1>"]; ok {
		t.Error("cert_ocspURL is noise")
	}
	if rep.Skipped != 4 {
		t.Errorf("skipped = %d, want 4 (pre_128cipher, cert_ocspURL, heartbleed OK, DEBUG)", rep.Skipped)
	}
}

func TestKeysStableUnderReorder(t *testing.T) {
	a := `[{"id":"SSLv3","ip":"h/10.0.0.1","port":"443","severity":"HIGH","finding":"offered"},
		{"id":"RC4","ip":"h/10.0.0.1","port":"443","severity":"HIGH","finding":"VULNERABLE"},
		{"id":"RC4","ip":"h/10.0.0.1","port":"8443","severity":"HIGH","finding":"VULNERABLE"}]`
	b := `[{"id":"RC4","ip":"h/10.0.0.1","port":"8443","severity":"HIGH","finding":"VULNERABLE"},
		{"id":"RC4","ip":"h/10.0.0.1","port":"443","severity":"HIGH","finding":"VULNERABLE"},
		{"id":"SSLv3","ip":"h/10.0.0.1","port":"443","severity":"HIGH","finding":"offered"}]`
	ra, err := testssl.Parse(strings.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	rb, err := testssl.Parse(strings.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	scantest.CheckReport(t, ra, scan.FormatTestSSL)
	if !slices.Equal(scantest.Keys(ra), scantest.Keys(rb)) || len(ra.Items) != 3 {
		t.Fatalf("keys differ:\n%v\n%v", scantest.Keys(ra), scantest.Keys(rb))
	}
}

func TestStream(t *testing.T) {
	raw, err := os.ReadFile("testdata/camera-flat.json")
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	if _, err := testssl.Stream(bytes.NewReader(raw), func(scan.Item) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("emit error: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	raw, err := os.ReadFile("testdata/camera-flat.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		doc  string
		want error
	}{
		"empty":          {"", scan.ErrMalformed},
		"truncated":      {string(raw[:len(raw)/2]), scan.ErrMalformed},
		"empty array":    {"[]", scan.ErrMalformed},
		"not findings":   {`[{"name":"x"}]`, scan.ErrMalformed},
		"object no scan": {`{"bomFormat":"CycloneDX"}`, scan.ErrMalformed},
		"xml":            {`<nmaprun/>`, scan.ErrMalformed},
		"number values":  {`[{"id":1}]`, scan.ErrMalformed},
		"deep":           {`{"x":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`, scan.ErrUnsafe},
		"huge finding":   {`[{"id":"x","finding":"` + strings.Repeat("A", scan.MaxToken+1) + `"}]`, scan.ErrUnsafe},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := testssl.Parse(strings.NewReader(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}
