package evidence

import (
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

func TestProductMatches(t *testing.T) {
	tests := []struct {
		product, component string
		want               bool
	}{
		{"pkg:apk/alpine/libssl3@3.0.8-r3", "pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64&distro=3.18", true},
		{"pkg:golang/helm.sh/helm/v3", "pkg:golang/helm.sh/helm/v3@v3.14.0", true},
		{"pkg:golang/github.com/docker/distribution@v2.7.1+incompatible", "pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible", true},
		{"pkg:apk/alpine/libssl3@3.0.8-r3", "pkg:apk/alpine/libssl3@3.0.9-r0", false},
		{"pkg:apk/alpine/libssl3", "pkg:apk/alpine/libssl", false},
		{"pkg:npm/a@1", "", false},
		{"busybox@1.36", "busybox@1.36", true},
	}
	for _, tt := range tests {
		if got := productMatches(tt.product, tt.component); got != tt.want {
			t.Errorf("productMatches(%q, %q) = %v", tt.product, tt.component, got)
		}
	}
}

func TestApplyStatement(t *testing.T) {
	st := func(state string) scan.Item { return scan.Item{State: state, Summary: "component_not_present"} }
	ex := Exhibit{ID: "vex1"}
	tests := []struct {
		from  FindingStatus
		state string
		want  FindingStatus
	}{
		{Open, "not_affected", NotAffected},
		{Open, "fixed", Resolved},
		{Open, "under_investigation", Open},
		{Open, "affected", Open},
		{NotAffected, "affected", Open},
		{Confirmed, "not_affected", Confirmed},
		{Disputed, "fixed", Disputed},
		{FalsePositive, "affected", FalsePositive},
	}
	for _, tt := range tests {
		f := Finding{Status: tt.from}
		changed := applyStatement(&f, st(tt.state), ex)
		if f.Status != tt.want || changed != (tt.from != tt.want) || f.VEX.Status != tt.state || f.VEX.EvidenceID != "vex1" {
			t.Errorf("%s + %s: %s (changed %v), vex %+v", tt.from, tt.state, f.Status, changed, f.VEX)
		}
	}
	f := Finding{Status: Open}
	applyStatement(&f, st("fixed"), ex)
	if f.ResolvedBy != "vex1" {
		t.Errorf("fixed resolves by the VEX exhibit: %+v", f)
	}
}

func TestVEXMatches(t *testing.T) {
	f := Finding{ToolID: "GHSA-r53h-jv2g-vpx6", CVEs: []string{"CVE-2024-26147"}, Component: "pkg:golang/helm.sh/helm/v3@v3.14.0"}
	byCVE := scan.Item{ToolID: "GO-2024-2575", CVEs: []string{"CVE-2024-26147"}, Component: &scan.ComponentRef{PURL: "pkg:golang/helm.sh/helm/v3"}}
	byAlias := scan.Item{ToolID: "GO-2024-2575", Aliases: []string{"GHSA-r53h-jv2g-vpx6"}, Component: &scan.ComponentRef{PURL: "pkg:golang/helm.sh/helm/v3"}}
	other := scan.Item{ToolID: "CVE-2024-1", Component: &scan.ComponentRef{PURL: "pkg:golang/helm.sh/helm/v3"}}
	if !vexMatches(byCVE, f) || !vexMatches(byAlias, f) || vexMatches(other, f) {
		t.Error("vulnerability matching by CVE and alias")
	}
}
