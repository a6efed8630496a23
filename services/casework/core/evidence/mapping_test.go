package evidence

import (
	"slices"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

func TestEffectiveAppliesDecisionsToTheRules(t *testing.T) {
	rules := []string{"5.6-1", "5.5-1"}
	for _, tc := range []struct {
		name string
		ds   []Decision
		want []string
	}{
		{"rules alone", nil, []string{"5.5-1", "5.6-1"}},
		{"attach adds", []Decision{{RequirementID: "PSTI-1", Action: Attach}}, []string{"5.5-1", "5.6-1", "PSTI-1"}},
		{"detach removes", []Decision{{RequirementID: "5.6-1", Action: Detach}}, []string{"5.5-1"}},
		{"attach of a cited one changes nothing", []Decision{{RequirementID: "5.5-1", Action: Attach}}, []string{"5.5-1", "5.6-1"}},
		{"detach of an uncited one changes nothing", []Decision{{RequirementID: "PSTI-1", Action: Detach}}, []string{"5.5-1", "5.6-1"}},
	} {
		if got := Effective(rules, tc.ds); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := Effective(nil, nil); got == nil || len(got) != 0 {
		t.Errorf("nothing cited should be an empty list, got %#v", got)
	}
}

func TestDecideReplacesTheDecisionOnTheSameRequirement(t *testing.T) {
	ds := Decide(nil, Decision{RequirementID: "5.6-1", Action: Attach, Reason: "bind shell seen"})
	ds = Decide(ds, Decision{RequirementID: "PSTI-1", Action: Attach, Reason: "admin/12345 worked"})
	ds = Decide(ds, Decision{RequirementID: "5.6-1", Action: Detach, Reason: "port was the lab's own"})
	if len(ds) != 2 || ds[1].RequirementID != "PSTI-1" || ds[0].Action != Detach || ds[0].Reason != "port was the lab's own" {
		t.Fatalf("decisions %+v", ds)
	}
}

// A re-import recomputes the rules' citations: the officer's decisions
// still apply, also to requirements the new rules start or stop citing.
func TestDecisionsSurviveReimport(t *testing.T) {
	f := Finding{RuleRequirements: []string{"5.5-1"}}
	f.Decisions = Decide(f.Decisions, Decision{RequirementID: "PSTI-1", Action: Attach, Reason: "r"})
	f.Decisions = Decide(f.Decisions, Decision{RequirementID: "5.6-1", Action: Detach, Reason: "r"})
	f.remap()
	if !slices.Equal(f.Requirements, []string{"5.5-1", "PSTI-1"}) || !f.Remapped {
		t.Fatalf("before re-import %v", f.Requirements)
	}
	f.RuleRequirements = []string{"5.6-1", "5.3-1"} // what a newer rule table says
	f.remap()
	if !slices.Equal(f.Requirements, []string{"5.3-1", "PSTI-1"}) {
		t.Fatalf("after re-import %v", f.Requirements)
	}
}

func TestDecideListRecordsOnlyDisagreements(t *testing.T) {
	at := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	proto := Decision{Reason: "bench check", By: "u1", At: at}
	rules := []string{"5.5-1", "5.6-1"}
	ds := DecideList(rules, nil, []string{"PSTI-1", "5.5-1"}, proto)
	want := map[string]DecisionAction{"PSTI-1": Attach, "5.6-1": Detach}
	if len(ds) != len(want) {
		t.Fatalf("decisions %+v", ds)
	}
	for _, d := range ds {
		if want[d.RequirementID] != d.Action || d.Reason != "bench check" || d.By != "u1" || !d.At.Equal(at) {
			t.Fatalf("decision %+v", d)
		}
	}
	if got := Effective(rules, ds); !slices.Equal(got, []string{"5.5-1", "PSTI-1"}) {
		t.Fatalf("effective %v", got)
	}
	// Setting the rules' own list again drops the decisions; an agreeing
	// earlier decision is kept as it was.
	if again := DecideList(rules, ds, rules, proto); len(again) != 0 {
		t.Fatalf("back to the rules' list: %+v", again)
	}
	later := DecideList(rules, ds, []string{"PSTI-1"}, Decision{Reason: "later", At: at.Add(time.Hour)})
	// Sorted: 5.5-1 (new detach), 5.6-1 (kept detach), PSTI-1 (kept attach).
	if len(later) != 3 || later[0].RequirementID != "5.5-1" || later[0].Reason != "later" || later[1].Reason != "bench check" ||
		later[2].Reason != "bench check" {
		t.Fatalf("later list %+v", later)
	}
}

func TestRulesExplainWhyAndNoRequirement(t *testing.T) {
	rs, err := LoadRules([]byte(`{"rules": [
		{"id": "telnet", "why": "cleartext login", "when": {"service": ["telnet"]}, "requirements": ["5.5-1"]},
		{"id": "timing", "why": "scan metadata", "when": {"tool_id_regex": "^timing$"}, "no_requirement": "informational: scan timing"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	m := rs.Apply(scan.FormatNmap, scan.Item{ToolID: "timing"})
	ms := rs.Matches(m.RuleIDs)
	if len(ms) != 1 || ms[0].RuleID != "timing" || len(m.Requirements) != 0 || m.NoRequirement != "informational: scan timing" {
		t.Fatalf("matches %+v mapping %+v", ms, m)
	}
	got := rs.Matches([]string{"telnet", "gone"})
	if got[0].Why != "cleartext login" || !got[1].Retired {
		t.Fatalf("stored rule ids explained as %+v", got)
	}
	for _, bad := range []string{
		`{"rules": [{"id": "x", "why": "w", "when": {}}]}`, // cites nothing and says not why
		`{"rules": [{"id": "x", "why": "w", "when": {}, "requirements": ["5.5-1"], "no_requirement": "both"}]}`,
	} {
		if _, err := LoadRules([]byte(bad)); err == nil {
			t.Errorf("%s loaded (%v)", bad, err)
		}
	}
}
