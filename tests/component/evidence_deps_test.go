package component_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// Dependency-scanner and SBOM reports are recognised from their content,
// and their CVE findings cite the patching provisions.
func TestEvidenceDependencyFormats(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	cases := []struct {
		file, ctype, format string
		findings            int
	}{
		{"trivy/testdata/alpine-310.json", "application/json", "trivy", 4},
		{"grype/testdata/ghsa-java.json", "application/json", "grype", 2},
		{"osv/testdata/go-and-cargo.json", "application/json", "osv", 2},
		{"spdx/testdata/trivy-conda.json", "application/spdx+json", "spdx", 0},
		{"cyclonedx/testdata/grype-1.2-image.xml", "application/xml", "cyclonedx", 2},
		{"depcheck/testdata/dc-6.5.3.xml", "application/xml", "dependency-check", 1},
	}
	web := []struct{ file, format string }{{"zap/testdata/some_2.9.0.xml", "zap"}, {"burp/testdata/seven_findings.xml", "burp"}}
	for _, tc := range cases {
		ev := upload(t, off, cv.ID, filepath.Base(tc.file), tc.ctype, fixture(t, tc.file), 201)
		if ev.Format != tc.format || ev.FindingsCount != tc.findings || ev.ParseWarning != "" {
			t.Errorf("%s: format %q with %d findings (want %s, %d), warning %q", tc.file, ev.Format, ev.FindingsCount, tc.format, tc.findings, ev.ParseWarning)
		}
	}
	for _, w := range web {
		if ev := upload(t, off, cv.ID, filepath.Base(w.file), "application/xml", fixture(t, w.file), 201); ev.Format != w.format || ev.FindingsCount == 0 {
			t.Errorf("%s: %+v", w.file, ev)
		}
	}
	fs := findings(t, off, cv.ID, "")
	fs = slices.DeleteFunc(fs, func(f findingView) bool { return f.Kind != "component_vulnerability" })
	if len(fs) != 11 {
		t.Fatalf("findings: %d", len(fs))
	}
	for _, f := range fs {
		if f.Kind != "component_vulnerability" {
			t.Errorf("%s: kind %q", f.Title, f.Kind)
		}
		if f.Severity != "info" && !slices.Contains(f.RequirementIDs, "5.3-8") {
			t.Errorf("%s (%s) cites %v, want 5.3-8", f.Title, f.Severity, f.RequirementIDs)
		}
	}
}

type vexFindingView struct {
	ID             string   `json:"id"`
	ToolID         string   `json:"tool_id"`
	Status         string   `json:"status"`
	Component      string   `json:"component"`
	RequirementIDs []string `json:"requirement_ids"`
	ResolvedBy     string   `json:"resolved_by_evidence_id"`
	VEX            *struct {
		Status        string `json:"status"`
		Justification string `json:"justification"`
		Statement     string `json:"statement"`
		EvidenceID    string `json:"evidence_id"`
	} `json:"vex"`
}

type vexUpload struct {
	ID            string `json:"id"`
	Format        string `json:"format"`
	FindingsCount int    `json:"findings_count"`
	Import        struct {
		Parsed       int `json:"parsed"`
		VEXApplied   int `json:"vex_applied"`
		VEXRecorded  int `json:"vex_recorded"`
		VEXUnmatched int `json:"vex_unmatched"`
	} `json:"import"`
}

func vexFindings(t *testing.T, c *wiringtest.Client, caseID, query string) []vexFindingView {
	t.Helper()
	var pg struct{ Items []vexFindingView }
	c.Get("/api/v1/cases/" + caseID + "/findings?limit=200&" + query).Expect(200).JSON(&pg)
	return pg.Items
}

func uploadVEX(t *testing.T, c *wiringtest.Client, caseID, name string, content []byte) vexUpload {
	t.Helper()
	var up vexUpload
	c.Upload("/api/v1/cases/"+caseID+"/evidence", uploadFields(), name, "application/json", content).Expect(201).JSON(&up)
	return up
}

// An OpenVEX statement changes the status of the findings it is about:
// Trivy's own VEX for its go.mod test scan says CVE-2022-23628 does not
// affect the product, so that finding becomes not_affected with the
// justification shown and audited, stops evidencing requirements, and
// stays so on a re-scan; a later "affected" statement reopens it.
func TestEvidenceOpenVEXChangesFindingStatus(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	scan := fixture(t, "trivy/testdata/gomod.json")
	upload(t, off, cv.ID, "gomod.json", "application/json", scan, 201)
	target := func() vexFindingView {
		t.Helper()
		for _, f := range vexFindings(t, off, cv.ID, "") {
			if f.ToolID == "CVE-2022-23628" {
				return f
			}
		}
		t.Fatal("no CVE-2022-23628 finding")
		return vexFindingView{}
	}
	if f := target(); f.Status != "open" || f.VEX != nil || !slices.Contains(f.RequirementIDs, "5.3-8") {
		t.Fatalf("before the VEX: %+v", f)
	}
	others := len(vexFindings(t, off, cv.ID, "status=open"))

	up := uploadVEX(t, off, cv.ID, "openvex.json", fixture(t, "openvex/testdata/trivy-gomod.json"))
	if up.Format != "openvex" || up.FindingsCount != 0 || up.Import.Parsed != 1 || up.Import.VEXApplied != 1 || up.Import.VEXUnmatched != 0 {
		t.Fatalf("VEX upload: %+v", up)
	}
	f := target()
	if f.Status != "not_affected" || f.VEX == nil || f.VEX.Status != "not_affected" ||
		f.VEX.Justification != "vulnerable_code_not_in_execute_path" || f.VEX.Statement != "impact: The vulnerable code isn't called" ||
		f.VEX.EvidenceID != up.ID {
		t.Fatalf("after the VEX: %+v (vex %+v)", f, f.VEX)
	}
	if got := len(vexFindings(t, off, cv.ID, "status=open")); got != others-1 {
		t.Errorf("only the one finding changes: %d open, was %d", got, others)
	}
	if na := vexFindings(t, off, cv.ID, "status=not_affected"); len(na) != 1 || na[0].ID != f.ID {
		t.Errorf("status filter: %+v", na)
	}
	var a auditView
	env.As(supervisor, "KENT-TS").Get("/api/v1/audit?object_type=finding&object_id=" + f.ID).Expect(200).JSON(&a)
	audited := false
	for _, e := range a.Items {
		audited = audited || e.Action == "evidence.finding_vex" && strings.Contains(string(e.Detail), "vulnerable_code_not_in_execute_path")
	}
	if !audited {
		t.Errorf("VEX change not audited: %+v", a.Items)
	}

	// A re-scan that still lists the CVE leaves the supplier's statement in force.
	upload(t, off, cv.ID, "gomod-rescan.json", "application/json", scan, 201)
	if f := target(); f.Status != "not_affected" {
		t.Errorf("re-scan: %+v", f)
	}

	// A later statement that the product is affected reopens it; one about
	// a product not on the case matches nothing and changes nothing.
	affected := `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"urn:vex:2","author":"Aqua Security","statements":[
	 {"vulnerability":{"name":"CVE-2022-23628"},"products":[{"@id":"pkg:golang/github.com/open-policy-agent/opa@v0.35.0"}],"status":"affected",
	  "action_statement":"Upgrade to 0.37.0"},
	 {"vulnerability":{"name":"CVE-2022-23628"},"products":[{"@id":"pkg:golang/github.com/other/opa@v0.35.0"}],"status":"not_affected",
	  "justification":"component_not_present"}]}`
	up = uploadVEX(t, off, cv.ID, "openvex-2.json", []byte(affected))
	if up.Import.VEXApplied != 1 || up.Import.VEXUnmatched != 1 {
		t.Fatalf("second VEX: %+v", up.Import)
	}
	if f := target(); f.Status != "open" || f.VEX == nil || f.VEX.Status != "affected" || f.VEX.Statement != "action: Upgrade to 0.37.0" {
		t.Errorf("affected: %+v", f)
	}
}

// An officer's decision stands against a supplier's VEX: the statement is
// recorded beside it, the status is not changed.
func TestEvidenceOpenVEXKeepsOfficersDecision(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	upload(t, off, cv.ID, "gomod.json", "application/json", fixture(t, "trivy/testdata/gomod.json"), 201)
	var id string
	for _, f := range vexFindings(t, off, cv.ID, "") {
		if f.ToolID == "CVE-2022-23628" {
			id = f.ID
		}
	}
	off.Patch("/api/v1/findings/"+id, map[string]any{"status": "confirmed"}).Expect(200)
	up := uploadVEX(t, off, cv.ID, "openvex.json", fixture(t, "openvex/testdata/trivy-gomod.json"))
	if up.Import.VEXApplied != 0 || up.Import.VEXRecorded != 1 {
		t.Fatalf("VEX upload: %+v", up.Import)
	}
	var f vexFindingView
	off.Get("/api/v1/findings/" + id).Expect(200).JSON(&f)
	if f.Status != "confirmed" || f.VEX == nil || f.VEX.Status != "not_affected" {
		t.Errorf("officer's confirmation kept, statement recorded: %+v", f)
	}
}

// The order a lab sends the VEX and the scan in does not matter: a VEX
// already on the case applies to the findings a later scan adds.
func TestEvidenceOpenVEXBeforeScan(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	up := uploadVEX(t, off, cv.ID, "openvex.json", fixture(t, "openvex/testdata/trivy-gomod.json"))
	if up.Import.VEXUnmatched != 1 || up.Import.VEXApplied != 0 {
		t.Fatalf("VEX on an empty case: %+v", up.Import)
	}
	var scan vexUpload
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", uploadFields(), "gomod.json", "application/json",
		fixture(t, "trivy/testdata/gomod.json")).Expect(201).JSON(&scan)
	if scan.Import.VEXApplied != 1 {
		t.Errorf("scan import: %+v", scan.Import)
	}
	for _, f := range vexFindings(t, off, cv.ID, "") {
		want := "open"
		if f.ToolID == "CVE-2022-23628" {
			want = "not_affected"
			if f.VEX == nil || f.VEX.EvidenceID != up.ID || f.VEX.Justification != "vulnerable_code_not_in_execute_path" {
				t.Errorf("statement not recorded: %+v", f.VEX)
			}
		}
		if f.Status != want {
			t.Errorf("%s: %s, want %s", f.ToolID, f.Status, want)
		}
	}
}
