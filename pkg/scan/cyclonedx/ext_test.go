package cyclonedx_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/cyclonedx"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

// Grype's CycloneDX 1.2 output nests the vulnerability extension in each
// component; every nested vulnerability is a finding on its component.
func TestNestedExtensionVulnerabilities(t *testing.T) {
	rep := parseFile(t, "testdata/grype-1.2-image.xml")
	if rep.Tool != "grype" || rep.Subject == nil || rep.Subject.Type != "container" || len(rep.Warnings) != 0 {
		t.Errorf("metadata: %q %+v %q", rep.Tool, rep.Subject, rep.Warnings)
	}
	if len(rep.Items) != 2 {
		t.Fatalf("items: %+v", rep.Items)
	}
	low := item(t, rep, "CVE-1999-0001", "package-1")
	if low.Severity != scan.SeverityLow || low.CVSS != 4 || low.Version != "1.0.1" || !slices.Equal(low.CVEs, []string{"CVE-1999-0001"}) ||
		low.Output != "1999-01 description" || low.Kind != scan.KindComponentVulnerability {
		t.Errorf("Grype's severity word applies to its scored rating: %+v", low)
	}
	if crit := item(t, rep, "CVE-1999-0002", "package-2"); crit.Severity != scan.SeverityCritical || crit.CVSS != 1 {
		t.Errorf("critical: %+v", crit)
	}
}

func TestNestedExtensionRefResolved(t *testing.T) {
	doc := `<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.2" xmlns:v="http://cyclonedx.org/schema/ext/vulnerability/1.0" version="1">
 <components>
  <component type="library" bom-ref="pkg:apk/alpine/busybox@1.31.1-r9"><name>busybox</name><version>1.31.1-r9</version>
   <purl>pkg:apk/alpine/busybox@1.31.1-r9</purl></component>
  <component type="application" bom-ref="fw"><name>fw</name><version>2.0</version>
   <components><component type="library"><name>ssl_client</name><version>1.31.1-r9</version>
    <v:vulnerabilities>
     <v:vulnerability ref="pkg:apk/alpine/busybox@1.31.1-r9"><v:id>CVE-2021-28831</v:id>
      <v:ratings><v:rating><v:score><v:base>7.5</v:base></v:score><v:severity>High</v:severity><v:method>CVSSv3</v:method>
       <v:vector>AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H</v:vector></v:rating></v:ratings>
      <v:cwes><v:cwe>755</v:cwe></v:cwes><v:description>decompress_gunzip mishandles the error bit</v:description></v:vulnerability>
     <v:vulnerability ref="urn:uuid:2d4c1c3c"><v:id>CVE-2022-28391</v:id></v:vulnerability>
    </v:vulnerabilities></component></components>
  </component>
 </components>
</bom>`
	rep, err := cyclonedx.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	scantest.CheckReport(t, rep, scan.FormatCycloneDX)
	if bb := item(t, rep, "CVE-2021-28831", "busybox"); bb.Component.PURL != "pkg:apk/alpine/busybox@1.31.1-r9" || bb.Severity != scan.SeverityHigh ||
		bb.CVSS != 7.5 || !slices.Equal(bb.CWEs, []string{"CWE-755"}) {
		t.Errorf("ref resolved to the component it names: %+v", bb)
	}
	if sc := item(t, rep, "CVE-2022-28391", "ssl_client"); sc.Severity != scan.SeverityUnknown {
		t.Errorf("unknown ref: the enclosing component: %+v", sc)
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("1.2 is supported: %q", rep.Warnings)
	}
}

// The real report the issue names: Grype's 1.2 layout, 312 vulnerabilities
// that used to come out as 0 findings.
func TestGrype12Corpus(t *testing.T) {
	rep := parseFile(t, "testdata/corpus/grype-1.2-defectdojo.xml")
	scantest.CheckReport(t, rep, scan.FormatCycloneDX)
	if len(rep.Items) != 312 || len(rep.Warnings) != 0 {
		t.Fatalf("items %d, warnings %q", len(rep.Items), rep.Warnings)
	}
	sev := map[scan.Severity]int{}
	for _, it := range rep.Items {
		sev[it.Severity]++
		if it.Component == nil || it.Component.Name == "" || len(it.CVEs) == 0 && !strings.HasPrefix(it.ToolID, "GHSA-") {
			t.Errorf("item without its component or id: %+v", it)
		}
	}
	if sev[scan.SeverityCritical] != 5 || sev[scan.SeverityHigh] != 31 || sev[scan.SeverityMedium] != 139 || sev[scan.SeverityLow] != 137 {
		t.Errorf("severities: %v", sev)
	}
}
