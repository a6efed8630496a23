package depvuln

import (
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

func TestScoreVector(t *testing.T) {
	tests := map[string]float64{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H":                    7.5,
		"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H":                    9.8,
		"AV:N/AC:L/Au:N/C:P/I:N/A:N":                                      5.0,
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N": 9.3,
	}
	for v, want := range tests {
		s, ok := ScoreVector(v)
		if !ok || s.Score != want {
			t.Errorf("%s: %v %v, want %v", v, s.Score, ok, want)
		}
	}
	for _, bad := range []string{"", "CVSS:3.1/AV:X", "garbage"} {
		if _, ok := ScoreVector(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestItem(t *testing.T) {
	it := Item(scan.FormatOSV, Vuln{ID: "GHSA-m5pq-gvj9-9vr8", Aliases: []string{"cve-2022-24713", "RUSTSEC-2022-0013", "GHSA-m5pq-gvj9-9vr8"},
		Severity: "", Scores: []Score{{Version: 2, Score: 5}, {Version: 3, Score: 7.5}}, CWEs: []string{"1333", "CWE-400", "x"},
		Component: regexRef(), Fixed: []string{"1.5.5", "1.5.5"}})
	if it.ToolID != "GHSA-m5pq-gvj9-9vr8" || len(it.CVEs) != 1 || it.CVEs[0] != "CVE-2022-24713" || len(it.Aliases) != 1 ||
		it.CVSS != 7.5 || it.Severity != scan.SeverityHigh || len(it.CWEs) != 2 || len(it.FixedVersions) != 1 ||
		it.Title != "GHSA-m5pq-gvj9-9vr8 in regex 1.5.1" {
		t.Errorf("%+v", it)
	}
	if Severity("Negligible") != scan.SeverityInfo || Severity("MODERATE") != scan.SeverityMedium || Severity("bogus") != scan.SeverityUnknown {
		t.Error("severity words")
	}
}

func regexRef() scan.ComponentRef {
	return scan.ComponentRef{Name: "regex", Version: "1.5.1", PURL: "pkg:cargo/regex@1.5.1"}
}
