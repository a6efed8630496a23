package osv_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/osv"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".json") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatOSV)
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
	rep, err := osv.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func find(t *testing.T, rep scan.Report, id string) scan.Item {
	t.Helper()
	for _, it := range rep.Items {
		if it.ToolID == id {
			return it
		}
	}
	t.Fatalf("no item %s", id)
	return scan.Item{}
}

func TestGroupsAreOneFinding(t *testing.T) {
	rep := parseFile(t, "testdata/go-and-cargo.json")
	if len(rep.Items) != 2 {
		t.Fatalf("two groups, two findings: %d", len(rep.Items))
	}
	re := find(t, rep, "GHSA-m5pq-gvj9-9vr8")
	if !slices.Equal(re.CVEs, []string{"CVE-2022-24713"}) || !slices.Equal(re.Aliases, []string{"RUSTSEC-2022-0013"}) ||
		re.CVSS != 7.5 || re.Severity != scan.SeverityHigh || re.CVSSVector != "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H" ||
		!slices.Equal(re.FixedVersions, []string{"1.5.5"}) || re.Component.PURL != "pkg:cargo/regex@1.5.1" ||
		!strings.HasPrefix(re.Summary, "Rust's regex crate") {
		t.Errorf("regex (score computed from the vector): %+v", re)
	}
	g := find(t, rep, "GO-2021-0053")
	if !slices.Equal(g.CVEs, []string{"CVE-2021-3121"}) || !slices.Equal(g.Aliases, []string{"GHSA-c3h9-896r-86jm"}) ||
		g.Severity != scan.SeverityUnknown || !slices.Equal(g.FixedVersions, []string{"1.3.2"}) || g.Product != "github.com/gogo/protobuf" {
		t.Errorf("unrated Go advisory: %+v", g)
	}
}

func TestMaxSeverity(t *testing.T) {
	rep := parseFile(t, "testdata/max-severity.json")
	g := find(t, rep, "GHSA-c3h9-896r-86jm")
	if g.CVSS != 8.6 || g.Severity != scan.SeverityHigh || g.CVSSVector == "" {
		t.Errorf("max_severity 8.6: %+v", g)
	}
}

func TestBadInput(t *testing.T) {
	for _, doc := range []string{``, `{`, `[]`, `{"x":1}`, `{"results":[{"packages":[{"package":{"name":1}}]}]}`, `{"results":[]}]`} {
		if _, err := osv.Parse(strings.NewReader(doc)); !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", doc, err)
		}
	}
	if _, err := osv.Parse(strings.NewReader(`{"x":` + strings.Repeat("[", 300))); !errors.Is(err, scan.ErrUnsafe) {
		t.Errorf("deep nesting: %v", err)
	}
}
