package trivy_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/trivy"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".json") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatTrivy)
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
	rep, err := trivy.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func find(t *testing.T, rep scan.Report, id, pkg string) scan.Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.ToolID == id && (pkg == "" || it.Product == pkg) {
			return it
		}
	}
	t.Fatalf("no item %s for %q", id, pkg)
	return scan.Item{}
}

func TestImageScanFacts(t *testing.T) {
	rep := parseFile(t, "testdata/alpine-310.json")
	if rep.Subject == nil || rep.Subject.Name != "testdata/fixtures/images/alpine-310.tar.gz" || rep.Subject.Type != "container_image" {
		t.Errorf("subject: %+v", rep.Subject)
	}
	if len(rep.Hosts) != 1 || rep.Hosts[0].OS != "alpine 3.10.2" {
		t.Errorf("OS: %+v", rep.Hosts)
	}
	it := find(t, rep, "CVE-2019-1549", "libssl1.1")
	if it.Kind != scan.KindComponentVulnerability || it.Severity != scan.SeverityMedium || it.CVSS != 5.3 ||
		it.CVSSVector != "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N" || !slices.Equal(it.CVEs, []string{"CVE-2019-1549"}) ||
		!slices.Equal(it.CWEs, []string{"CWE-330"}) || !slices.Equal(it.FixedVersions, []string{"1.1.1d-r0"}) ||
		it.Version != "1.1.1c-r0" || it.State != "" || it.Component == nil ||
		it.Component.PURL != "pkg:apk/alpine/libssl1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2" ||
		it.Summary != "openssl: information disclosure in fork()" {
		t.Errorf("CVE-2019-1549 (NVD, the severity source, v3 preferred): %+v", it)
	}
	if a, b := find(t, rep, "CVE-2019-1549", "libssl1.1"), find(t, rep, "CVE-2019-1549", "libcrypto1.1"); a.Key == b.Key {
		t.Error("the same CVE in two packages must be two findings")
	}
}

func TestLockFilesFacts(t *testing.T) {
	rep := parseFile(t, "testdata/gomod.json")
	gms := 0
	for _, it := range rep.Items {
		if it.ToolID == "GMS-2022-20" {
			gms++
			if len(it.CVEs) != 0 || it.Severity != scan.SeverityUnknown || !slices.Equal(it.FixedVersions, []string{"v2.8.0"}) {
				t.Errorf("GMS advisory: %+v", it)
			}
		}
	}
	if gms != 3 {
		t.Errorf("GMS-2022-20 in three go.mod files: %d findings", gms)
	}
	if it := find(t, rep, "CVE-2022-23628", ""); it.Severity != scan.SeverityMedium || it.CVSS != 5.3 {
		t.Errorf("CVE-2022-23628: %+v", it)
	}
}

func TestSecretsAndMisconfigurations(t *testing.T) {
	rep := parseFile(t, "testdata/secrets.json")
	var aws *scan.Item
	for i, it := range rep.Items {
		if it.ToolID == "secret:aws-access-key-id" {
			aws = &rep.Items[i]
		}
	}
	if aws == nil || aws.Severity != scan.SeverityCritical || aws.Kind != scan.KindVulnerability ||
		!strings.Contains(aws.Title, "deploy.sh") || strings.Contains(aws.Output, "AKIA") {
		t.Errorf("secret (masked by Trivy): %+v", aws)
	}
	rep = parseFile(t, "testdata/dockerfile.json")
	if len(rep.Items) != 1 || rep.Items[0].ToolID != "DS-0002" || rep.Items[0].Severity != scan.SeverityHigh || rep.ToolVersion != "dev" {
		t.Errorf("misconfiguration: %+v", rep.Items)
	}
}

func TestLegacyArray(t *testing.T) {
	doc := `[{"Target":"img (debian 9.13)","Type":"debian","Vulnerabilities":[{"VulnerabilityID":"CVE-2020-1971","PkgName":"openssl",` +
		`"InstalledVersion":"1.1.0l-1~deb9u1","FixedVersion":"1.1.0l-1~deb9u2","Severity":"HIGH","CVSS":{"nvd":{"V3Score":5.9}}}]}]`
	rep, err := trivy.Parse(strings.NewReader(doc))
	if err != nil || len(rep.Items) != 1 || rep.Items[0].CVSS != 5.9 || rep.Items[0].Severity != scan.SeverityHigh {
		t.Fatalf("legacy array: %v %+v", err, rep.Items)
	}
}

// Trivy writes empty lists as null.
func TestNullLists(t *testing.T) {
	doc := `{"SchemaVersion":2,"ArtifactName":"x","Results":[{"Target":"a","Vulnerabilities":null,"Secrets":null},` +
		`{"Target":"b","Vulnerabilities":[{"VulnerabilityID":"CVE-2020-1","PkgName":"p","CweIDs":null,"CVSS":null}]}]}`
	rep, err := trivy.Parse(strings.NewReader(doc))
	if err != nil || len(rep.Items) != 1 {
		t.Fatalf("%v %+v", err, rep.Items)
	}
}

func TestBadInput(t *testing.T) {
	for _, doc := range []string{``, `{`, `{"SchemaVersion":2,"Results":[{"Vulnerabilities":[{"VulnerabilityID":1}]}]}`, `{"foo":1}`, `"x"`,
		`{"Results":[]} {}`} {
		_, err := trivy.Parse(strings.NewReader(doc))
		if !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", doc, err)
		}
	}
	_, err := trivy.Parse(strings.NewReader(`{"Metadata":` + strings.Repeat("[", 300)))
	if !errors.Is(err, scan.ErrUnsafe) {
		t.Errorf("deep nesting: %v", err)
	}
}
