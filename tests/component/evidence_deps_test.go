package component_test

import (
	"path/filepath"
	"slices"
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
	}
	for _, tc := range cases {
		ev := upload(t, off, cv.ID, filepath.Base(tc.file), tc.ctype, fixture(t, tc.file), 201)
		if ev.Format != tc.format || ev.FindingsCount != tc.findings || ev.ParseWarning != "" {
			t.Errorf("%s: format %q with %d findings (want %s, %d), warning %q", tc.file, ev.Format, ev.FindingsCount, tc.format, tc.findings, ev.ParseWarning)
		}
	}
	fs := findings(t, off, cv.ID, "")
	if len(fs) != 8 {
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
