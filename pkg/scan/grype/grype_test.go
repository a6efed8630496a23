package grype_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/grype"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".json") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatGrype)
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
	rep, err := grype.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func find(t *testing.T, rep scan.Report, id, pkg string) scan.Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.ToolID == id && it.Product == pkg {
			return it
		}
	}
	t.Fatalf("no item %s for %q", id, pkg)
	return scan.Item{}
}

func TestGHSAKeptWithRelatedCVE(t *testing.T) {
	rep := parseFile(t, "testdata/ghsa-java.json")
	if rep.Tool != "grype" || rep.ToolVersion != "0.65.1" || rep.Subject == nil || rep.Subject.Type != "image" {
		t.Errorf("metadata: %q %q %+v", rep.Tool, rep.ToolVersion, rep.Subject)
	}
	g := find(t, rep, "GHSA-cfh5-3ghh-wfjx", "httpclient")
	if g.Kind != scan.KindComponentVulnerability || g.Severity != scan.SeverityMedium || !slices.Equal(g.CVEs, []string{"CVE-2014-3577"}) ||
		g.CVSS != 5.8 || !slices.Equal(g.FixedVersions, []string{"4.3.5"}) || g.Version != "4.1.1" ||
		g.Component.PURL != "pkg:maven/org.apache.httpcomponents/httpclient@4.1.1" {
		t.Errorf("GHSA match (id kept, CVE and NVD score from the related record): %+v", g)
	}
	c := find(t, rep, "CVE-2014-3577", "httpclient")
	if c.Key == g.Key || len(c.FixedVersions) != 0 || c.CVSS != 5.8 {
		t.Errorf("CVE match: %+v", c)
	}
}

func TestImageScan(t *testing.T) {
	rep := parseFile(t, "testdata/keycloak-rhel9.json")
	if len(rep.Items) != 6 || len(rep.Hosts) != 1 || rep.Hosts[0].OS != "redhat 9.1" {
		t.Fatalf("items %d hosts %+v", len(rep.Items), rep.Hosts)
	}
	it := find(t, rep, "CVE-2020-12413", "nss")
	if it.Severity != scan.SeverityLow || it.CVSS != 5.9 || it.State != "wont-fix" || len(it.FixedVersions) != 0 {
		t.Errorf("wont-fix, Grype's Low kept although the CVSS is medium: %+v", it)
	}
	rep = parseFile(t, "testdata/presenter-image.json")
	p1 := find(t, rep, "CVE-1999-0001", "package-1")
	if p1.Severity != scan.SeverityLow || p1.CVSS != 8.2 || !slices.Equal(p1.FixedVersions, []string{"1.2.1", "2.1.3", "3.4.0"}) {
		t.Errorf("fixed versions: %+v", p1)
	}
	if p2 := find(t, rep, "CVE-1999-0002", "package-2"); p2.Severity != scan.SeverityCritical {
		t.Errorf("critical: %+v", p2)
	}
}

func TestNegligibleIsInfo(t *testing.T) {
	doc := `{"matches":[{"vulnerability":{"id":"CVE-2005-2541","severity":"Negligible","fix":{"state":"not-fixed"}},` +
		`"artifact":{"name":"tar","version":"1.34"}}],"ignoredMatches":[{"vulnerability":{"id":"CVE-1"}}]}`
	rep, err := grype.Parse(strings.NewReader(doc))
	if err != nil || len(rep.Items) != 1 || rep.Items[0].Severity != scan.SeverityInfo || rep.Skipped != 1 || len(rep.Warnings) != 1 {
		t.Fatalf("%v %+v", err, rep)
	}
}

func TestBadInput(t *testing.T) {
	for _, doc := range []string{``, `{`, `[]`, `{"source":{}}`, `{"matches":[{"vulnerability":{"id":7}}]}`, `{"matches":[]} x`} {
		if _, err := grype.Parse(strings.NewReader(doc)); !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", doc, err)
		}
	}
	if _, err := grype.Parse(strings.NewReader(`{"source":` + strings.Repeat("[", 300))); !errors.Is(err, scan.ErrUnsafe) {
		t.Errorf("deep nesting: %v", err)
	}
}
