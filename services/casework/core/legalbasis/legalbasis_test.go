package legalbasis_test

import (
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/legalbasis"
)

func TestDutyFollowsTheRole(t *testing.T) {
	for _, c := range []struct {
		party, req, section string
	}{
		{"manufacturer", "PSTI-1", "8"}, {"own_brander", "PSTI-3", "8"}, {"importer", "PSTI-1", "19"},
		{"distributor", "PSTI-2", "25"}, {"retailer", "PSTI-1", "25"}, {"manufacturer", "PSTI-SOC", "9"},
		{"importer", "psti-soc", "15"}, {"distributor", "PSTI-SOC", "22"},
	} {
		role, ok := legalbasis.RoleOf(c.party)
		if !ok {
			t.Fatalf("%s bears no duty", c.party)
		}
		d, ok := legalbasis.DutyFor(role, c.req)
		if !ok || d.Section != c.section {
			t.Errorf("%s breaching %s: got section %q (%v), want %s", c.party, c.req, d.Section, ok, c.section)
		}
		if d.Source.URL == "" || !strings.HasPrefix(d.Source.URL, "https://") || d.Status == legalbasis.Unverified {
			t.Errorf("duty %s has no usable source: %+v", d.Section, d)
		}
	}
}

func TestENProvisionsAreNeverADuty(t *testing.T) {
	for _, id := range []string{"5.1-1", "5.3-13", "COP-1", ""} {
		if _, ok := legalbasis.DutyFor(legalbasis.Manufacturer, id); ok {
			t.Errorf("%q is cited as a duty", id)
		}
	}
	for _, p := range []string{"authorised_representative", "online_marketplace", "smuggler"} {
		if _, ok := legalbasis.RoleOf(p); ok {
			t.Errorf("%s is given a duty", p)
		}
	}
}

func TestDistributorIsNeverCitedTheManufacturersSection(t *testing.T) {
	for _, r := range []legalbasis.Role{legalbasis.Importer, legalbasis.Distributor} {
		d, _ := legalbasis.DutyFor(r, "PSTI-1")
		if d.Section == "8" || !strings.Contains(d.Title, "manufacturer") {
			t.Errorf("%s: %+v", r, d)
		}
	}
}

func TestRolesOrderAndDedupe(t *testing.T) {
	got := legalbasis.Roles([]string{"retailer", "importer", "distributor", "manufacturer", "online_marketplace"})
	want := []legalbasis.Role{legalbasis.Manufacturer, legalbasis.Importer, legalbasis.Distributor}
	if len(got) != len(want) {
		t.Fatalf("roles %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("roles %v, want %v", got, want)
		}
	}
}

func TestSequenceRules(t *testing.T) {
	cn, ok := legalbasis.StepFor("compliance")
	if !ok || cn.MinDays != 10 || cn.UrgencyAllowed || cn.Status != legalbasis.Verified || cn.IntentType != "intent" ||
		!strings.Contains(cn.Provision, "28(5)") {
		t.Fatalf("compliance step: %+v", cn)
	}
	pn, ok := legalbasis.StepFor("penalty")
	if !ok || pn.IntentType != "penalty_intent" || pn.UrgencyAllowed {
		t.Fatalf("penalty step: %+v", pn)
	}
	for _, typ := range []string{"stop", "recall"} {
		s, ok := legalbasis.StepFor(typ)
		if !ok || !s.UrgencyAllowed || s.Source.Note == "" {
			t.Fatalf("%s step: %+v", typ, s)
		}
	}
	for _, typ := range []string{"information", "intent", "penalty_intent"} {
		if _, ok := legalbasis.StepFor(typ); ok {
			t.Errorf("%s needs a prior step", typ)
		}
	}
	if len(legalbasis.Steps()) != 4 || len(legalbasis.Duties()) != 6 {
		t.Fatal("catalogue size changed")
	}
}

func TestCatalogued(t *testing.T) {
	for _, c := range []struct {
		printed, want string
	}{
		{"section 32 of the Act", "section 32"}, {"section 28(5) and (6) of the Act", "section 28"},
		{"section 26(4) of the Product Security", "section 26(4)"}, {"paragraph 36 of Schedule 5 to the Consumer Rights Act 2015", "paragraph 36 of Schedule 5"},
	} {
		got, ok := legalbasis.Catalogued(c.printed)
		if !ok || got.Cite != c.want || got.Source.URL == "" {
			t.Errorf("%q: %+v %v, want %s", c.printed, got, ok, c.want)
		}
	}
	for _, no := range []string{"section 3", "section 280", "section 99 of the Act"} {
		if c, ok := legalbasis.Catalogued(no); ok {
			t.Errorf("%q is catalogued as %+v", no, c)
		}
	}
}

// TestEveryCitationRecordsWhereItWasRead: a provision a notice prints says
// how far it was checked against the Act and gives the address it was read at.
func TestEveryCitationRecordsWhereItWasRead(t *testing.T) {
	cs := legalbasis.Citations()
	if len(cs) == 0 {
		t.Fatal("no citations")
	}
	for _, c := range cs {
		if c.Cite == "" || c.What == "" || !strings.Contains(c.Source.URL, "legislation.gov.uk/") || c.Status == "" {
			t.Errorf("citation %+v lacks its wording, status or legislation.gov.uk source", c)
		}
	}
}
