package notices

import "testing"

func TestENProvisionsFoldIntoTheBreachTheyEvidence(t *testing.T) {
	cited := []string{"PSTI-1", "PSTI-3", "5.1-1", "5.1-5", "5.3-13", "5.6-1"}
	for en, want := range map[string]string{"5.1-1": "PSTI-1", "5.1-5": "PSTI-1", "5.3-13": "PSTI-3", "5.6-1": "", "5.2-1": ""} {
		if got := breachOf(en, cited); got != want {
			t.Errorf("%s belongs with %q, want %q", en, got, want)
		}
	}
}

func TestOnlyFindingsOnNamedHostsAreCitable(t *testing.T) {
	hosts := []string{"192.168.50.10"}
	for _, c := range []struct {
		f  FindingDetail
		ok bool
	}{
		{FindingDetail{Host: "192.168.50.10", Status: "confirmed"}, true},
		{FindingDetail{Host: "192.168.50.12", Status: "confirmed"}, false},
		{FindingDetail{Status: "open"}, true}, // an SBOM component: the product itself
		{FindingDetail{Host: "192.168.50.10", Status: "false_positive"}, false},
		{FindingDetail{Host: "192.168.50.10", Status: "resolved"}, false},
	} {
		if got := citable(c.f, hosts); got != c.ok {
			t.Errorf("%+v citable = %v, want %v", c.f, got, c.ok)
		}
	}
	if w := (FindingDetail{Host: "192.168.50.10", Port: 23}).Where(); w != "192.168.50.10:23" {
		t.Errorf("where = %q", w)
	}
}
