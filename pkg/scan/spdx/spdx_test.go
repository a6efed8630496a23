package spdx_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/spdx"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".json") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatSPDX)
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
	rep, err := spdx.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestPackages(t *testing.T) {
	rep := parseFile(t, "testdata/bitnami-postgresql.json")
	if rep.Subject == nil || rep.Subject.Name != "PostgreSQL" || rep.Subject.Version != "15.3.0" ||
		rep.Subject.CPE != "cpe:2.3:*:postgresql:postgresql:15.3.0:*:*:*:*:*:*:*" || rep.Subject.PURL != "pkg:bitnami/postgresql@15.3.0" {
		t.Errorf("subject from documentDescribes: %+v", rep.Subject)
	}
	if len(rep.Components) != 4 || len(rep.Items) != 0 {
		t.Errorf("components %d items %d", len(rep.Components), len(rep.Items))
	}
	rep = parseFile(t, "testdata/trivy-conda.json")
	if rep.Tool != "trivy" || rep.ToolVersion != "dev" || rep.Subject == nil || rep.Subject.Name != "testdata/fixtures/repo/conda" {
		t.Errorf("tool %q %q subject %+v (DESCRIBES relationship)", rep.Tool, rep.ToolVersion, rep.Subject)
	}
	i := slices.IndexFunc(rep.Components, func(c scan.Component) bool { return c.Name == "openssl" })
	if i < 0 || rep.Components[i].Version != "1.1.1q" || rep.Components[i].PURL != "pkg:conda/openssl@1.1.1q" {
		t.Errorf("openssl: %+v", rep.Components)
	}
}

// advisoryDoc uses the security external references as the SPDX 2.3
// specification shows them (NVD advisory URLs, a fix reference).
const advisoryDoc = `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"doorbell-fw",
 "creationInfo":{"created":"2024-01-02T03:04:05Z","creators":["Tool: syft-0.98.0","Organization: Acme"]},
 "packages":[{"SPDXID":"SPDXRef-fw","name":"doorbell-fw","versionInfo":"2.1"},
  {"SPDXID":"SPDXRef-glibc","name":"glibc","versionInfo":"2.29","supplier":"Organization: GNU",
   "externalRefs":[{"referenceCategory":"PACKAGE_MANAGER","referenceType":"purl","referenceLocator":"pkg:generic/glibc@2.29"},
    {"referenceCategory" : "SECURITY","referenceLocator" : "https://nvd.nist.gov/vuln/detail/CVE-2020-29573","referenceType" : "advisory"},
    {"referenceCategory" : "SECURITY","referenceLocator" : "https://nvd.nist.gov/vuln/detail/CVE-2020-6096","referenceType" : "advisory"},
    {"referenceCategory" : "SECURITY","referenceLocator" : "https://github.com/advisories/GHSA-c3h9-896r-86jm","referenceType" : "advisory","comment":"gogo panic"},
    {"referenceCategory" : "SECURITY","referenceLocator" : "https://sourceware.org/git/?p=glibc.git;a=commit;h=681900d2","referenceType" : "fix"}]}],
 "relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-fw","relationshipType":"DESCRIBES"}]}`

func TestAdvisoryReferences(t *testing.T) {
	rep, err := spdx.Parse(strings.NewReader(advisoryDoc))
	if err != nil {
		t.Fatal(err)
	}
	scantest.CheckReport(t, rep, scan.FormatSPDX)
	if rep.Tool != "syft" || rep.ToolVersion != "0.98.0" || rep.Subject == nil || rep.Subject.Name != "doorbell-fw" {
		t.Errorf("metadata: %q %q %+v", rep.Tool, rep.ToolVersion, rep.Subject)
	}
	if len(rep.Items) != 3 {
		t.Fatalf("three advisories: %+v", rep.Items)
	}
	it := rep.Items[0]
	if it.ToolID != "CVE-2020-29573" || !slices.Equal(it.CVEs, []string{"CVE-2020-29573"}) || it.Severity != scan.SeverityUnknown ||
		it.Kind != scan.KindComponentVulnerability || it.Component.PURL != "pkg:generic/glibc@2.29" || it.Component.BOMRef != "SPDXRef-glibc" ||
		!strings.Contains(it.Output, "fix: https://sourceware.org") {
		t.Errorf("NVD advisory: %+v", it)
	}
	if g := rep.Items[2]; g.ToolID != "GHSA-c3h9-896r-86jm" || len(g.CVEs) != 0 || g.Summary != "gogo panic" {
		t.Errorf("GHSA advisory: %+v", g)
	}
	if rep.Components[1].Supplier != "GNU" {
		t.Errorf("supplier: %+v", rep.Components[1])
	}
}

func TestBadInput(t *testing.T) {
	for _, doc := range []string{``, `{`, `[]`, `{"name":"x"}`, `{"spdxVersion":"SPDX-2.3","packages":[{"name":7}]}`, `{"spdxVersion":"SPDX-2.3"} 1`} {
		if _, err := spdx.Parse(strings.NewReader(doc)); !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", doc, err)
		}
	}
	if _, err := spdx.Parse(strings.NewReader(`{"x":` + strings.Repeat("[", 300))); !errors.Is(err, scan.ErrUnsafe) {
		t.Errorf("deep nesting: %v", err)
	}
	rep, err := spdx.Parse(strings.NewReader(`{"spdxVersion":"SPDX-3.0"}`))
	if err != nil || len(rep.Warnings) != 1 {
		t.Errorf("other version: %v %q", err, rep.Warnings)
	}
}
