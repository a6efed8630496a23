package cyclonedx_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/cyclonedx"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

func fixtures(t *testing.T) []string {
	return append(scantest.Fixtures(t, "testdata", ".json"), scantest.Fixtures(t, "testdata", ".xml")...)
}

func TestGolden(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := cyclonedx.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			scantest.CheckReport(t, rep, scan.FormatCycloneDX)
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
	rep, err := cyclonedx.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func item(t *testing.T, rep scan.Report, id, component string) scan.Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.ToolID == id && it.Component != nil && it.Component.Name == component {
			return it
		}
	}
	t.Fatalf("no item %s for %s", id, component)
	return scan.Item{}
}

func TestJSON14(t *testing.T) {
	rep := parseFile(t, "testdata/ipc-firmware-1.4.json")
	if rep.Tool != "syft" || rep.ToolVersion != "0.98.0" || rep.Subject == nil || rep.Subject.Type != "firmware" ||
		rep.Subject.Supplier != "Acme Security Devices Ltd" {
		t.Errorf("metadata: %+v subject %+v", rep, rep.Subject)
	}
	if len(rep.Components) != 5 || rep.Components[3].Name != "mod_cgi" || rep.Components[3].Parent != "pkg:generic/lighttpd@1.4.35?package-id=77aa01" {
		t.Errorf("components (nested flattened in order): %+v", rep.Components)
	}
	hb := item(t, rep, "CVE-2014-0160", "openssl")
	if hb.Kind != scan.KindComponentVulnerability || hb.Severity != scan.SeverityHigh || hb.CVSS != 7.5 ||
		!strings.HasPrefix(hb.CVSSVector, "CVSS:3.1/") || !slices.Equal(hb.CVEs, []string{"CVE-2014-0160"}) ||
		!slices.Equal(hb.CWEs, []string{"CWE-125"}) || hb.Product != "openssl" || hb.Version != "1.0.1e" ||
		hb.Component.PURL != "pkg:generic/openssl@1.0.1e" {
		t.Errorf("heartbleed (CVSSv31 preferred over v2): %+v", hb)
	}
	if trav := item(t, rep, "CVE-2018-19052", "lighttpd"); trav.Severity != scan.SeverityHigh {
		t.Errorf("severity from score when the rating has none: %v", trav.Severity)
	}
	if cgi := item(t, rep, "CVE-2018-19052", "mod_cgi"); cgi.State != "unaffected" {
		t.Errorf("all versions unaffected: state %q", cgi.State)
	}
}

func TestXML15(t *testing.T) {
	rep := parseFile(t, "testdata/nvr-1.5.xml")
	if rep.Tool != "cdxgen" || rep.Subject == nil || rep.Subject.Name != "NVR-8CH" || len(rep.Components) != 5 {
		t.Errorf("metadata: tool %q subject %+v components %d", rep.Tool, rep.Subject, len(rep.Components))
	}
	if rep.Components[0].Parent != "nvr-8ch" || rep.Components[0].Name != "NVR-8CH firmware" {
		t.Errorf("component nested in the metadata component: %+v", rep.Components[0])
	}
	if db := item(t, rep, "CVE-2018-15599", "dropbear"); db.Component.BOMRef != "dropbear" || db.Severity != scan.SeverityMedium {
		t.Errorf("BOM-Link ref: %+v", db)
	}
	if z := item(t, rep, "CVE-2018-25032", "zlib1g"); z.State != "not_affected" || !strings.Contains(z.Output, "not reachable") {
		t.Errorf("VEX analysis: %+v", z)
	}
	if fw := item(t, rep, "CVE-2012-5958", "NVR-8CH firmware"); fw.Severity != scan.SeverityHigh || fw.CVSS != 10 {
		t.Errorf("CVSSv2 rating: %+v", fw)
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("warnings: %q", rep.Warnings)
	}
}

func TestJSON16VulnerabilitiesFirst(t *testing.T) {
	rep := parseFile(t, "testdata/doorbell-1.6.json")
	if rep.Tool != "trivy" || rep.Subject == nil || rep.Subject.Supplier != "Acme Security Devices Ltd" {
		t.Errorf("metadata: %+v", rep)
	}
	curl := item(t, rep, "GHSA-xq3m-2v4x-88gg", "curl")
	if !slices.Equal(curl.CVEs, []string{"CVE-2023-38545"}) || curl.Severity != scan.SeverityCritical ||
		curl.CVSS != 9.8 || curl.State != "exploitable" || curl.Component.BOMRef != "curl-7.88.1" {
		t.Errorf("purl ref resolved after the components arrived, v3.1 rating chosen: %+v", curl)
	}
	unrated := item(t, rep, "CVE-2024-0001-EXAMPLE", "doorbell-app")
	if unrated.Severity != scan.SeverityUnknown || len(unrated.CVEs) != 0 {
		t.Errorf("unrated: %+v", unrated)
	}
}

// Regenerated SBOMs reorder components and vulnerabilities and change
// random bom-refs; keys follow purls and names instead.
func TestKeysStableUnderReorder(t *testing.T) {
	a := `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
		{"bom-ref":"r1","name":"openssl","version":"1.0.1e","purl":"pkg:generic/openssl@1.0.1e"},
		{"bom-ref":"r2","name":"busybox","version":"1.19.4"}],
		"vulnerabilities":[
		{"id":"CVE-2014-0160","affects":[{"ref":"r1"}]},
		{"id":"CVE-2016-2148","affects":[{"ref":"r2"},{"ref":"r1"}]}]}`
	b := `{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[
		{"id":"CVE-2016-2148","affects":[{"ref":"x1"},{"ref":"x9"}]},
		{"id":"CVE-2014-0160","affects":[{"ref":"x9"}]}],
		"components":[
		{"bom-ref":"x1","name":"busybox","version":"1.19.4"},
		{"bom-ref":"x9","name":"openssl","version":"1.0.1e","purl":"pkg:generic/openssl@1.0.1e"}]}`
	ra, err := cyclonedx.Parse(strings.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	rb, err := cyclonedx.Parse(strings.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	scantest.CheckReport(t, ra, scan.FormatCycloneDX)
	if !slices.Equal(scantest.Keys(ra), scantest.Keys(rb)) || len(ra.Items) != 3 {
		t.Fatalf("keys differ:\n%v\n%v", scantest.Keys(ra), scantest.Keys(rb))
	}
}

func TestStream(t *testing.T) {
	raw, err := os.ReadFile("testdata/ipc-firmware-1.4.json")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	meta, err := cyclonedx.Stream(bytes.NewReader(raw), func(scan.Item) error { n++; return nil })
	if err != nil || n != 4 || meta.Items != nil || len(meta.Components) != 5 {
		t.Fatalf("stream: %v, %d items", err, n)
	}
	stop := errors.New("stop")
	if _, err := cyclonedx.Stream(bytes.NewReader(raw), func(scan.Item) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("emit error: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	raw, err := os.ReadFile("testdata/ipc-firmware-1.4.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		doc  string
		want error
	}{
		"empty":          {"", scan.ErrMalformed},
		"blank":          {"  \n ", scan.ErrMalformed},
		"truncated":      {string(raw[:len(raw)/2]), scan.ErrMalformed},
		"not cyclonedx":  {`{"bomFormat":"SPDX"}`, scan.ErrMalformed},
		"no bomFormat":   {`{"components":[]}`, scan.ErrMalformed},
		"array":          {`[1,2]`, scan.ErrMalformed},
		"wrong shape":    {`{"bomFormat":"CycloneDX","components":{"a":1}}`, scan.ErrMalformed},
		"wrong type":     {`{"bomFormat":"CycloneDX","components":[{"name":42}]}`, scan.ErrMalformed},
		"trailing data":  {`{"bomFormat":"CycloneDX"} {}`, scan.ErrMalformed},
		"deep json":      {`{"bomFormat":"CycloneDX","x":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`, scan.ErrUnsafe},
		"xml no ns":      {`<bom/>`, scan.ErrMalformed},
		"xml wrong root": {`<nmaprun/>`, scan.ErrMalformed},
		"xml entity": {`<!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]><bom xmlns="http://cyclonedx.org/schema/bom/1.5">` +
			`<components><component><name>&x;</name></component></components></bom>`, scan.ErrUnsafe},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := cyclonedx.Parse(strings.NewReader(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHugeStringRefused(t *testing.T) {
	doc := `{"bomFormat":"CycloneDX","components":[{"name":"` + strings.Repeat("a", scan.MaxToken+10) + `"}]}`
	if _, err := cyclonedx.Parse(strings.NewReader(doc)); !errors.Is(err, scan.ErrUnsafe) {
		t.Fatalf("got %v", err)
	}
}
