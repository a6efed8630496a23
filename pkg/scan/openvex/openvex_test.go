package openvex_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/openvex"
)

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".json") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatOpenVEX)
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
	rep, err := openvex.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestNotAffectedWithSubcomponent(t *testing.T) {
	rep := parseFile(t, "testdata/trivy-gomod.json")
	if len(rep.Items) != 1 {
		t.Fatalf("items: %+v", rep.Items)
	}
	it := rep.Items[0]
	if it.Kind != openvex.KindStatement || it.ToolID != "CVE-2022-23628" || !slices.Equal(it.CVEs, []string{"CVE-2022-23628"}) ||
		it.State != openvex.NotAffected || it.Summary != "vulnerable_code_not_in_execute_path" ||
		it.Component == nil || it.Component.PURL != "pkg:golang/github.com/open-policy-agent/opa@v0.35.0" ||
		it.ExtraInfo != "product: pkg:golang/github.com/testdata/testdata" || it.Output != "impact: The vulnerable code isn't called" {
		t.Errorf("statement: %+v", it)
	}
}

func TestProjectVEX(t *testing.T) {
	rep := parseFile(t, "testdata/trivy-project.json")
	if rep.ToolVersion != "https://github.com/aquasecurity/trivy/tree/main/magefiles/vex.go" || len(rep.Items) == 0 {
		t.Fatalf("tooling %q, %d items", rep.ToolVersion, len(rep.Items))
	}
	it := rep.Items[0]
	if it.ToolID != "GO-2024-2575" || !slices.Equal(it.CVEs, []string{"CVE-2024-26147"}) || !slices.Equal(it.Aliases, []string{"GHSA-r53h-jv2g-vpx6"}) ||
		it.Component.PURL != "pkg:golang/helm.sh/helm/v3" {
		t.Errorf("named vulnerability with aliases, purl from identifiers: %+v", it)
	}
}

func TestVersions(t *testing.T) {
	rep := parseFile(t, "testdata/go-vex-v0.0.1.json")
	if len(rep.Items) != 2 || rep.Items[0].State != openvex.Fixed || rep.Items[0].Component.PURL != "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7" {
		t.Errorf("v0.0.1 strings: %+v", rep.Items)
	}
	rep = parseFile(t, "testdata/go-vex-v0.2.0.json")
	states := map[string]int{}
	for _, it := range rep.Items {
		states[it.State]++
		if !strings.HasPrefix(it.Component.PURL, "pkg:apk/alpine/lib") || !strings.HasPrefix(it.ExtraInfo, "product: pkg:oci/alpine@") {
			t.Errorf("v0.2.0 subcomponents: %+v", it)
		}
	}
	if states[openvex.Fixed] != 6 || states[openvex.NotAffected] != 4 {
		t.Errorf("states: %v", states)
	}
}

func TestUnsupportedClaims(t *testing.T) {
	doc := `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
	 {"vulnerability":{"name":"CVE-2024-1"},"products":[{"@id":"pkg:npm/a@1"}],"status":"not_affected"},
	 {"vulnerability":{"name":"CVE-2024-2"},"products":[{"@id":"pkg:npm/a@1"}],"status":"maybe"},
	 {"vulnerability":{"name":"CVE-2024-3"},"status":"fixed"},
	 {"vulnerability":{"name":"CVE-2024-4"},"products":[{"@id":"pkg:npm/a@1"}],"status":"not_affected","justification":"component_not_present"}]}`
	rep, err := openvex.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 1 || rep.Items[0].ToolID != "CVE-2024-4" || rep.Skipped != 3 || len(rep.Warnings) != 3 {
		t.Errorf("a not_affected without justification, an unknown status and a statement without products are skipped: %+v %q", rep.Items, rep.Warnings)
	}
}

func TestBadInput(t *testing.T) {
	for _, doc := range []string{``, `{`, `[]`, `{"statements":[]}`, `{"@context":"https://example.com/ns"}`,
		`{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":7}]}`, `{"@context":"https://openvex.dev/ns"} {}`} {
		if _, err := openvex.Parse(strings.NewReader(doc)); !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", doc, err)
		}
	}
	if _, err := openvex.Parse(strings.NewReader(`{"x":` + strings.Repeat("[", 300))); !errors.Is(err, scan.ErrUnsafe) {
		t.Errorf("deep nesting: %v", err)
	}
}
