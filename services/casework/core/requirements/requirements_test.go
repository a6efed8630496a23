package requirements_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

func en() []requirements.Requirement {
	var out []requirements.Requirement
	for _, r := range requirements.All() {
		if r.Kind == requirements.KindEN303645 {
			out = append(out, r)
		}
	}
	return out
}

func TestENCountsPerClause(t *testing.T) {
	// M/R per clause of EN 303 645 V2.1.1, conditional forms included.
	want := map[string][2]int{
		"5.1": {5, 0}, "5.2": {1, 2}, "5.3": {7, 9}, "5.4": {4, 0}, "5.5": {4, 4}, "5.6": {3, 6}, "5.7": {0, 2},
		"5.8": {2, 1}, "5.9": {0, 3}, "5.10": {0, 1}, "5.11": {1, 3}, "5.12": {0, 3}, "5.13": {1, 0}, "6": {4, 1},
	}
	got := map[string][2]int{}
	var m, r int
	for _, p := range en() {
		if p.ID == "4-1" {
			continue
		}
		c := got[p.Clause]
		if p.Mandatory() {
			c[0]++
			m++
		} else {
			c[1]++
			r++
		}
		got[p.Clause] = c
	}
	for clause, w := range want {
		if got[clause] != w {
			t.Errorf("clause %s: M/R = %d/%d, want %d/%d", clause, got[clause][0], got[clause][1], w[0], w[1])
		}
	}
	for clause := range got {
		if _, ok := want[clause]; !ok {
			t.Errorf("unexpected clause %q", clause)
		}
	}
	if m+r != 67 || m != 32 || r != 35 {
		t.Errorf("provisions = %d (%d M, %d R), want 67 (32 M, 35 R)", m+r, m, r)
	}
	r41, ok := requirements.Lookup("4-1")
	if !ok || r41.Status != requirements.StatusM || r41.Clause != "4" || r41.ClauseTitle != "Reporting implementation" {
		t.Errorf("4-1 = %+v, %v; want a mandatory provision of clause 4", r41, ok)
	}
	if n := len(en()); n != 68 {
		t.Errorf("EN entries = %d, want 67 provisions plus 4-1", n)
	}
}

func TestClause51And53Details(t *testing.T) {
	type want struct {
		status string
		conds  []int
	}
	for id, w := range map[string]want{
		"5.1-1": {"MC", []int{1}}, "5.1-2": {"MC", []int{2}}, "5.1-3": {"M", nil}, "5.1-4": {"MC", []int{8}},
		"5.1-5": {"MC", []int{5}},
		"5.3-1": {"R", nil}, "5.3-2": {"MC", []int{5}}, "5.3-3": {"MC", []int{12}}, "5.3-4": {"RC", []int{12}},
		"5.3-5": {"RC", []int{12}}, "5.3-6": {"RC", []int{9, 12}}, "5.3-7": {"MC", []int{12}},
		"5.3-8": {"MC", []int{12}}, "5.3-9": {"RC", []int{12}}, "5.3-10": {"MC", []int{11, 12}},
		"5.3-11": {"RC", []int{12}}, "5.3-12": {"RC", []int{12}}, "5.3-13": {"M", nil},
		"5.3-14": {"RC", []int{3, 4}}, "5.3-15": {"RC", []int{3, 4}}, "5.3-16": {"M", nil},
		"5.2-1": {"M", nil}, "5.13-1a": {"M", nil},
	} {
		r, ok := requirements.Lookup(id)
		if !ok {
			t.Errorf("%s missing", id)
			continue
		}
		if r.Status != w.status || !slices.Equal(r.Conditions, w.conds) {
			t.Errorf("%s: %s%v, want %s%v", id, r.Status, r.Conditions, w.status, w.conds)
		}
	}
}

func TestAllOrderAndShape(t *testing.T) {
	all := requirements.All()
	if len(all) != 4+68+13 {
		t.Fatalf("All() has %d entries, want 85", len(all))
	}
	var ids []string
	for _, r := range all {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids[:4], requirements.Core()) {
		t.Errorf("All() starts %v, want Core() %v", ids[:4], requirements.Core())
	}
	if ids[4] != "4-1" || ids[71] != "6-5" || ids[72] != "COP-1" || ids[84] != "COP-13" {
		t.Errorf("unexpected boundaries: %s %s %s %s", ids[4], ids[71], ids[72], ids[84])
	}
	rank := map[requirements.Kind]int{requirements.KindPSTI: 0, requirements.KindPSTISoC: 1,
		requirements.KindEN303645: 2, requirements.KindCoP: 3}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if rank[a.Kind] > rank[b.Kind] || (a.Kind == b.Kind && requirements.CompareIDs(a.ID, b.ID) >= 0) {
			t.Errorf("%s sorts before %s", a.ID, b.ID)
		}
	}
	pos := func(id string) int { return slices.Index(ids, id) }
	for _, pair := range [][2]string{{"5.3-2", "5.3-10"}, {"5.12-3", "5.13-1a"}, {"5.13-1a", "6-1"}, {"4-1", "5.1-1"}, {"COP-9", "COP-10"}} {
		if pos(pair[0]) >= pos(pair[1]) {
			t.Errorf("%s should come before %s in All()", pair[0], pair[1])
		}
	}
}

func TestIDsUniqueAndWellFormed(t *testing.T) {
	format := map[requirements.Kind]*regexp.Regexp{
		requirements.KindPSTI:     regexp.MustCompile(`^PSTI-[1-3]$`),
		requirements.KindPSTISoC:  regexp.MustCompile(`^PSTI-SOC$`),
		requirements.KindEN303645: regexp.MustCompile(`^(4|5\.([1-9]|1[0-3])|6)-[0-9]+a?$`),
		requirements.KindCoP:      regexp.MustCompile(`^COP-([1-9]|1[0-3])$`),
	}
	seen := map[string]bool{}
	for _, r := range requirements.All() {
		re, ok := format[r.Kind]
		if !ok {
			t.Errorf("%s: unknown kind %q", r.ID, r.Kind)
		} else if !re.MatchString(r.ID) {
			t.Errorf("%s: malformed id for kind %s", r.ID, r.Kind)
		}
		if seen[strings.ToLower(r.ID)] {
			t.Errorf("%s: duplicate id", r.ID)
		}
		seen[strings.ToLower(r.ID)] = true
		if r.Title == "" || r.Summary == "" || r.LegalRef == "" {
			t.Errorf("%s: missing title, summary or legal reference", r.ID)
		}
		if r.Kind == requirements.KindEN303645 {
			if !strings.HasPrefix(r.ID, r.Clause+"-") || r.ClauseTitle == "" || r.TestGroup != r.ID {
				t.Errorf("%s: clause %q (%q), test group %q", r.ID, r.Clause, r.ClauseTitle, r.TestGroup)
			}
			if !strings.Contains(r.LegalRef, "EN 303 645 V2.1.1") {
				t.Errorf("%s: legal ref %q does not cite V2.1.1", r.ID, r.LegalRef)
			}
		} else if r.Status != "" || r.Conditions != nil || r.TestGroup != "" {
			t.Errorf("%s: only EN provisions carry status, conditions and a test group", r.ID)
		}
	}
}

func TestStatusAndConditions(t *testing.T) {
	conds := requirements.Conditions()
	if len(conds) != 13 {
		t.Fatalf("Conditions() has %d entries, want 13", len(conds))
	}
	for n := 1; n <= 13; n++ {
		if conds[n] == "" {
			t.Errorf("condition %d has no text", n)
		}
	}
	if !strings.Contains(conds[4], "constrained") || !strings.Contains(conds[13], "debug") {
		t.Errorf("conditions 4 and 13 = %q, %q", conds[4], conds[13])
	}
	conds[1] = "changed"
	if requirements.Conditions()[1] == "changed" {
		t.Error("Conditions() shares its map with the catalogue")
	}
	used := map[int]bool{}
	for _, p := range en() {
		if !slices.Contains([]string{"M", "R", "MC", "RC"}, p.Status) {
			t.Errorf("%s: status %q", p.ID, p.Status)
		}
		if p.Conditional() != (len(p.Conditions) > 0) {
			t.Errorf("%s: status %s with conditions %v", p.ID, p.Status, p.Conditions)
		}
		if !slices.IsSorted(p.Conditions) {
			t.Errorf("%s: conditions %v not ascending", p.ID, p.Conditions)
		}
		for _, n := range p.Conditions {
			used[n] = true
			if _, ok := conds[n]; !ok {
				t.Errorf("%s: undefined condition %d", p.ID, n)
			}
		}
	}
	if len(used) != 13 {
		t.Errorf("provisions use %d of the 13 conditions", len(used))
	}
}

func TestCrossReferences(t *testing.T) {
	deemed := map[string][]string{"PSTI-1": {"5.1-1", "5.1-2"}, "PSTI-2": {"5.2-1"}, "PSTI-3": {"5.3-13"}, "PSTI-SOC": nil}
	enByClause := map[string][]string{}
	for _, p := range en() {
		enByClause[p.Clause] = append(enByClause[p.Clause], p.ID)
	}
	cop := 0
	for _, r := range requirements.All() {
		for _, id := range slices.Concat(r.DeemedBy, r.MapsTo) {
			if p, ok := requirements.Lookup(id); !ok || p.Kind != requirements.KindEN303645 {
				t.Errorf("%s refers to %q, which is not an EN provision", r.ID, id)
			}
		}
		switch r.Kind {
		case requirements.KindPSTI, requirements.KindPSTISoC:
			if !slices.Equal(r.DeemedBy, deemed[r.ID]) {
				t.Errorf("%s deemed by %v, want %v", r.ID, r.DeemedBy, deemed[r.ID])
			}
			if !r.Mandatory() {
				t.Errorf("%s: PSTI duties are mandatory", r.ID)
			}
		case requirements.KindCoP:
			cop++
			n := strings.TrimPrefix(r.ID, "COP-")
			if r.Clause != "5."+n || r.ClauseTitle == "" || !slices.Equal(r.MapsTo, enByClause[r.Clause]) {
				t.Errorf("%s maps to clause %s %v, want 5.%s %v", r.ID, r.Clause, r.MapsTo, n, enByClause["5."+n])
			}
			if !strings.HasSuffix(r.LegalRef, "guideline "+n) || r.Mandatory() {
				t.Errorf("%s: legal ref %q, mandatory %v", r.ID, r.LegalRef, r.Mandatory())
			}
		}
	}
	if cop != 13 {
		t.Errorf("%d Code of Practice guidelines, want 13", cop)
	}
	for id, ref := range map[string]string{"PSTI-1": "Sch 1 para 1", "PSTI-2": "Sch 1 para 2", "PSTI-3": "Sch 1 para 3", "PSTI-SOC": "s.9"} {
		if r, _ := requirements.Lookup(id); !strings.Contains(r.LegalRef, ref) || !strings.Contains(r.LegalRef, "2023/1007") {
			t.Errorf("%s legal ref %q, want it to cite %s of SI 2023/1007", id, r.LegalRef, ref)
		}
	}
}

func TestLookup(t *testing.T) {
	for in, want := range map[string]string{
		"PSTI-1": "PSTI-1", "psti-soc": "PSTI-SOC", " 5.13-1A ": "5.13-1a", "cop-13": "COP-13", "6-5": "6-5",
	} {
		r, ok := requirements.Lookup(in)
		if !ok || r.ID != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", in, r.ID, ok, want)
		}
	}
	for _, in := range []string{"", "PSTI-4", "5.3-17", "5.13-1", "5.1.1", "COP-0", "PSTI-1x"} {
		if r, ok := requirements.Lookup(in); ok {
			t.Errorf("Lookup(%q) found %q", in, r.ID)
		}
	}
	r, _ := requirements.Lookup("5.3-6")
	r.Conditions[0] = 99
	r2, _ := requirements.Lookup("5.3-6")
	all := requirements.All()
	all[0].DeemedBy[0] = "X"
	all[0].DeemedBy = append(all[0].DeemedBy, "Y")
	p1, _ := requirements.Lookup("PSTI-1")
	if r2.Conditions[0] != 9 || !slices.Equal(p1.DeemedBy, []string{"5.1-1", "5.1-2"}) || requirements.All()[1].DeemedBy[0] != "5.2-1" {
		t.Error("changes to returned requirements leak into the catalogue")
	}
}

func TestValidate(t *testing.T) {
	if err := requirements.Validate(nil); err != nil {
		t.Errorf("Validate(nil) = %v", err)
	}
	if err := requirements.Validate([]string{"PSTI-1", "5.3-13", "cop-3", "4-1"}); err != nil {
		t.Errorf("Validate(known) = %v", err)
	}
	err := requirements.Validate([]string{"PSTI-1", "PSTI-9", "", "5.3-99", "PSTI-9"})
	var ue *requirements.UnknownError
	if !errors.As(err, &ue) {
		t.Fatalf("Validate(unknown) = %v, want *UnknownError", err)
	}
	if !slices.Equal(ue.IDs, []string{"PSTI-9", "", "5.3-99"}) {
		t.Errorf("IDs = %q", ue.IDs)
	}
	if got, want := err.Error(), `unknown requirement ids: "PSTI-9", "", "5.3-99"`; got != want {
		t.Errorf("Error() = %s, want %s", got, want)
	}
	if got := requirements.Validate([]string{"X"}).Error(); got != `unknown requirement id: "X"` {
		t.Errorf("Error() = %s", got)
	}
	wrapped := fmt.Errorf("issue notice: %w", err)
	if !errors.As(wrapped, &ue) {
		t.Error("UnknownError not found through wrapping")
	}
}

func TestCore(t *testing.T) {
	core := requirements.Core()
	if !slices.Equal(core, []string{"PSTI-1", "PSTI-2", "PSTI-3", "PSTI-SOC"}) {
		t.Errorf("Core() = %v", core)
	}
	core[0] = "X"
	if requirements.Core()[0] != "PSTI-1" {
		t.Error("Core() shares its slice")
	}
	if err := requirements.Validate(requirements.Core()); err != nil {
		t.Error(err)
	}
}

func TestCompareIDs(t *testing.T) {
	ordered := []string{"4-1", "5.1-1", "5.1-5", "5.2-1", "5.3-2", "5.3-9", "5.3-10", "5.3-16", "5.9-3", "5.10-1",
		"5.12-3", "5.13-1", "5.13-1a", "5.13-1b", "5.13-2", "6-1", "6-5", "COP-2", "COP-10", "PSTI-1", "PSTI-SOC"}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := requirements.CompareIDs(ordered[i], ordered[j]); got != want {
				t.Errorf("CompareIDs(%q, %q) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	shuffled := slices.Clone(ordered)
	slices.Reverse(shuffled)
	slices.SortFunc(shuffled, requirements.CompareIDs)
	if !slices.Equal(shuffled, ordered) {
		t.Errorf("sorted = %v", shuffled)
	}
	if requirements.CompareIDs("5.01-1", "5.1-1") == 0 || requirements.CompareIDs("5.01-1", "5.1-2") >= 0 {
		t.Error("leading zeros: numbers compare by value and only identical ids are equal")
	}
}

func ExampleValidate() {
	err := requirements.Validate([]string{"PSTI-1", "5.3-13", "5.3-17"})
	fmt.Println(err)
	// Output: unknown requirement id: "5.3-17"
}

func ExampleLookup() {
	r, _ := requirements.Lookup("psti-3")
	fmt.Println(r.ID, r.Title, r.DeemedBy)
	// Output: PSTI-3 Information on minimum security update periods [5.3-13]
}
