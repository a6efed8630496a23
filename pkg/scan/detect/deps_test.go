package detect_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/burp"
	"github.com/tradewarden/tradewarden/pkg/scan/cyclonedx"
	"github.com/tradewarden/tradewarden/pkg/scan/depcheck"
	"github.com/tradewarden/tradewarden/pkg/scan/detect"
	"github.com/tradewarden/tradewarden/pkg/scan/grype"
	"github.com/tradewarden/tradewarden/pkg/scan/openvex"
	"github.com/tradewarden/tradewarden/pkg/scan/osv"
	"github.com/tradewarden/tradewarden/pkg/scan/spdx"
	"github.com/tradewarden/tradewarden/pkg/scan/trivy"
	"github.com/tradewarden/tradewarden/pkg/scan/zap"
)

// depFixtures are the dependency, SBOM and VEX formats: each real sample
// must be recognised from its content and parse as its own parser does.
var depFixtures = []struct {
	path   string
	format scan.Format
	parse  func(r *bytes.Reader) (scan.Report, error)
}{
	{"../trivy/testdata/alpine-310.json", scan.FormatTrivy, func(r *bytes.Reader) (scan.Report, error) { return trivy.Parse(r) }},
	{"../grype/testdata/ghsa-java.json", scan.FormatGrype, func(r *bytes.Reader) (scan.Report, error) { return grype.Parse(r) }},
	{"../grype/testdata/presenter-image.json", scan.FormatGrype, func(r *bytes.Reader) (scan.Report, error) { return grype.Parse(r) }},
	{"../osv/testdata/go-and-cargo.json", scan.FormatOSV, func(r *bytes.Reader) (scan.Report, error) { return osv.Parse(r) }},
	{"../osv/testdata/max-severity.json", scan.FormatOSV, func(r *bytes.Reader) (scan.Report, error) { return osv.Parse(r) }},
	{"../spdx/testdata/trivy-conda.json", scan.FormatSPDX, func(r *bytes.Reader) (scan.Report, error) { return spdx.Parse(r) }},
	{"../spdx/testdata/bitnami-postgresql.json", scan.FormatSPDX, func(r *bytes.Reader) (scan.Report, error) { return spdx.Parse(r) }},
	{"../openvex/testdata/trivy-gomod.json", scan.FormatOpenVEX, func(r *bytes.Reader) (scan.Report, error) { return openvex.Parse(r) }},
	{"../openvex/testdata/go-vex-v0.0.1.json", scan.FormatOpenVEX, func(r *bytes.Reader) (scan.Report, error) { return openvex.Parse(r) }},
	{"../cyclonedx/testdata/grype-1.2-image.xml", scan.FormatCycloneDX, func(r *bytes.Reader) (scan.Report, error) { return cyclonedx.Parse(r) }},
	{"../depcheck/testdata/dc-6.5.3.xml", scan.FormatDependencyCheck, func(r *bytes.Reader) (scan.Report, error) { return depcheck.Parse(r) }},
	{"../depcheck/testdata/dc-schema-1.3.xml", scan.FormatDependencyCheck, func(r *bytes.Reader) (scan.Report, error) { return depcheck.Parse(r) }},
	{"../zap/testdata/some_2.9.0.xml", scan.FormatZAP, func(r *bytes.Reader) (scan.Report, error) { return zap.Parse(r) }},
	{"../zap/testdata/zap_2.16.1_with_req_resp.xml", scan.FormatZAP, func(r *bytes.Reader) (scan.Report, error) { return zap.Parse(r) }},
	{"../burp/testdata/one_finding_with_cwe.xml", scan.FormatBurp, func(r *bytes.Reader) (scan.Report, error) { return burp.Parse(r) }},
	{"../burp/testdata/seven_findings.xml", scan.FormatBurp, func(r *bytes.Reader) (scan.Report, error) { return burp.Parse(r) }},
	{"../trivy/testdata/secrets.json", scan.FormatTrivy, func(r *bytes.Reader) (scan.Report, error) { return trivy.Parse(r) }},
}

func TestDetectDependencyFormats(t *testing.T) {
	for _, fx := range depFixtures {
		t.Run(fx.path, func(t *testing.T) {
			raw, err := os.ReadFile(fx.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := detect.Detect(raw[:min(len(raw), detect.HeadSize)]); got != fx.format {
				t.Fatalf("Detect = %q, want %q", got, fx.format)
			}
			got, err := detect.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			want, err := fx.parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if !bytes.Equal(gj, wj) {
				t.Fatal("detect.Parse differs from the format's own Parse")
			}
		})
	}
}

func TestDetectDependencyVariants(t *testing.T) {
	tests := []struct {
		name string
		head string
		want scan.Format
	}{
		{"trivy legacy array", `[{"Target": "img (debian 9)", "Type": "debian", "Vulnerabilities": [`, scan.FormatTrivy},
		{"trivy schema 2", "{\n  \"SchemaVersion\": 2,\n  \"ArtifactName\": \"x\"", scan.FormatTrivy},
		{"grype empty", `{"matches": [], "source": {"type": "directory"}, "descriptor": {"name": "grype", "version": "0.80.0"}}`, scan.FormatGrype},
		{"other matches", `{"matches": [{"team": "a", "score": 1}]}`, scan.FormatOther},
		{"osv empty", "{\n  \"results\": [],\n  \"experimental_config\": {}}", scan.FormatOSV},
		{"sarif", `{"$schema":"sarif","version":"2.1.0","runs":[{"results":[{"source":1,"packages":2}]}]}`, scan.FormatOther},
		{"dependency-check json", "{\n  \"reportSchema\": \"1.1\",\n  \"scanInfo\": {\"engineVersion\": \"12.1.0\"}", scan.FormatDependencyCheck},
		{"other analysis", `<analysis><result/></analysis>`, scan.FormatOther},
		{"zap json", "{\"@programName\": \"ZAP\", \"@version\": \"2.14.0\"", scan.FormatZAP},
		{"zap json 2.9", "{\"@version\": \"2.9.0\", \"@generated\": \"Tue\", \"site\": [", scan.FormatZAP},
		{"zap 1.x", "<?xml version=\"1.0\"?><report>Report generated at x\n<alertitem><pluginid>1</pluginid>", scan.FormatZAP},
		{"burp with entity", "<?xml version=\"1.0\"?><!DOCTYPE issues [<!ENTITY x \"y\">]><issues burpVersion=\"1\">", scan.FormatBurp},
		{"other issues", `<issues><issue><title>bug</title></issue></issues>`, scan.FormatOther},
		{"schema version alone", `{"SchemaVersion": 2, "name": "x"}`, scan.FormatOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detect.Detect([]byte(tt.head)); got != tt.want {
				t.Fatalf("Detect = %q, want %q", got, tt.want)
			}
		})
	}
}

// Burp's DTD is accepted; one that declares entities is refused as unsafe,
// before any parser runs.
func TestBurpDTD(t *testing.T) {
	raw, err := os.ReadFile("../burp/testdata/one_finding_with_cwe.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := detect.Parse(bytes.NewReader(raw)); err != nil {
		t.Fatalf("Burp export refused: %v", err)
	}
	evil := bytes.Replace(raw, []byte("<!ELEMENT issues (issue*)>"), []byte(`<!ELEMENT issues (issue*)><!ENTITY x SYSTEM "file:///etc/passwd">`), 1)
	if _, err := detect.Parse(bytes.NewReader(evil)); !errors.Is(err, scan.ErrUnsafe) {
		t.Fatalf("entity declaration: %v", err)
	}
}
