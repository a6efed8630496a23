package depcheck_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/depcheck"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".xml") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatDependencyCheck)
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
	rep, err := depcheck.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestSchema25(t *testing.T) {
	rep := parseFile(t, "testdata/dc-6.5.3.xml")
	if rep.ToolVersion != "6.5.3" || len(rep.Items) != 1 {
		t.Fatalf("version %q items %+v", rep.ToolVersion, rep.Items)
	}
	it := rep.Items[0]
	if it.ToolID != "CVE-2020-9488" || it.Kind != scan.KindComponentVulnerability || it.Severity != scan.SeverityLow || it.CVSS != 3.7 ||
		!slices.Equal(it.CWEs, []string{"CWE-295"}) || !slices.Equal(it.FixedVersions, []string{"2.13.2"}) ||
		it.Component.PURL != "pkg:maven/org.apache.logging.log4j/log4j-api@2.12.4" || it.Version != "2.12.4" {
		t.Errorf("log4j (CVSS v3 preferred, fixed version from the matched CPE range): %+v", it)
	}
}

func TestSchema13(t *testing.T) {
	rep := parseFile(t, "testdata/dc-schema-1.3.xml")
	if rep.Skipped != 2 || len(rep.Warnings) != 1 {
		t.Errorf("suppressed vulnerabilities counted: skipped %d, %q", rep.Skipped, rep.Warnings)
	}
	var found bool
	for _, it := range rep.Items {
		if it.ToolID == "CVE-2020-7608" {
			found = true
			if it.Severity == scan.SeverityUnknown || it.CVSS == 0 {
				t.Errorf("1.3 cvssScore and severity: %+v", it)
			}
		}
	}
	if !found || len(rep.Items) != 7 {
		t.Errorf("items: %d", len(rep.Items))
	}
}

// jsonDoc has the shape of Dependency-Check's JSON report template
// (reportSchema 1.1).
const jsonDoc = `{"reportSchema":"1.1","scanInfo":{"engineVersion":"12.1.0","dataSource":[{"name":"NVD API Last Checked","timestamp":"2025-03-01T10:00:00Z"}]},
 "projectInfo":{"name":"camera-app","reportDate":"2025-03-01T10:05:12.123456Z","credits":{"NVD":"…"}},
 "dependencies":[{"isVirtual":false,"fileName":"jackson-databind-2.9.8.jar","filePath":"/app/lib/jackson-databind-2.9.8.jar","md5":"x","sha1":"y","sha256":"z",
  "packages":[{"id":"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.8","confidence":"HIGHEST"}],
  "vulnerabilityIds":[{"id":"cpe:2.3:a:fasterxml:jackson-databind:2.9.8:*:*:*:*:*:*:*","confidence":"HIGHEST"}],
  "vulnerabilities":[{"source":"NVD","name":"CVE-2019-12384","severity":"MEDIUM","cvssv2":{"score":4.3,"severity":"MEDIUM"},
   "cvssv3":{"baseScore":5.9,"attackVector":"NETWORK","baseSeverity":"MEDIUM","version":"3.1"},"cwes":["CWE-502"],
   "description":"FasterXML jackson-databind 2.x before 2.9.9.1 might allow attackers to have a variety of impacts",
   "references":[],"vulnerableSoftware":[{"software":{"id":"cpe:2.3:a:fasterxml:jackson-databind:*:*:*:*:*:*:*:*","vulnerabilityIdMatched":"true","versionEndExcluding":"2.9.9.1"}},
    {"software":{"id":"cpe:2.3:a:redhat:jboss:*","versionEndExcluding":"7.0"}}]}],
  "suppressedVulnerabilities":[{"name":"CVE-2018-1"}]},
  {"isVirtual":true,"fileName":"lodash:4.17.15","filePath":"/app/package-lock.json?lodash","packages":[{"id":"pkg:npm/lodash@4.17.15"}],
   "vulnerabilities":[{"source":"NPM","name":"GHSA-p6mc-m468-83gw","severity":"HIGH","cwes":["CWE-1321"],"description":"Prototype Pollution in lodash"}]}]}`

func TestJSON(t *testing.T) {
	rep, err := depcheck.Parse(strings.NewReader(jsonDoc))
	if err != nil {
		t.Fatal(err)
	}
	scantest.CheckReport(t, rep, scan.FormatDependencyCheck)
	if rep.ToolVersion != "12.1.0" || rep.Name != "camera-app" || rep.Start.IsZero() || len(rep.Items) != 2 || rep.Skipped != 1 {
		t.Fatalf("report: %+v", rep)
	}
	j := rep.Items[0]
	if j.ToolID != "CVE-2019-12384" || j.CVSS != 5.9 || j.Severity != scan.SeverityMedium || !slices.Equal(j.FixedVersions, []string{"2.9.9.1"}) ||
		j.Product != "com.fasterxml.jackson.core/jackson-databind" || j.Version != "2.9.8" {
		t.Errorf("jackson: %+v", j)
	}
	if g := rep.Items[1]; g.ToolID != "GHSA-p6mc-m468-83gw" || len(g.CVEs) != 0 || g.Severity != scan.SeverityHigh || g.Component.PURL != "pkg:npm/lodash@4.17.15" {
		t.Errorf("npm audit advisory: %+v", g)
	}
}

func TestBadInput(t *testing.T) {
	for _, doc := range []string{``, `{`, `[]`, `{"x":1}`, `<analysis/>`, `<other xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd"/>`,
		`<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd"><dependencies>`,
		`{"reportSchema":"1.1","dependencies":[{"fileName":7}]}`} {
		if _, err := depcheck.Parse(strings.NewReader(doc)); !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", doc, err)
		}
	}
	if _, err := depcheck.Parse(strings.NewReader(`<!DOCTYPE a [<!ENTITY x "y">]><analysis/>`)); !errors.Is(err, scan.ErrUnsafe) {
		t.Errorf("entity: %v", err)
	}
}
