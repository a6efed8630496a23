package component_test

import (
	"context"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// mappedFinding is a finding with how it came to cite what it cites.
type mappedFinding struct {
	findingView
	RuleIDs            []string `json:"rule_ids"`
	RuleRequirementIDs []string `json:"rule_requirement_ids"`
	NoRequirement      string   `json:"no_requirement"`
	Remapped           bool     `json:"remapped"`
	Mapping            []struct {
		RuleID         string   `json:"rule_id"`
		Why            string   `json:"why"`
		RequirementIDs []string `json:"requirement_ids"`
		NoRequirement  string   `json:"no_requirement"`
	} `json:"mapping"`
	Decisions []struct {
		RequirementID string    `json:"requirement_id"`
		Action        string    `json:"action"`
		Reason        string    `json:"reason"`
		DecidedBy     string    `json:"decided_by"`
		DecidedAt     time.Time `json:"decided_at"`
	} `json:"decisions"`
}

func mappedFindings(t *testing.T, c *wiringtest.Client, caseID, query string) []mappedFinding {
	t.Helper()
	var pg struct{ Items []mappedFinding }
	c.Get("/api/v1/cases/" + caseID + "/findings?limit=200&" + query).Expect(200).JSON(&pg)
	return pg.Items
}

type matrixRef struct {
	ID       string `json:"id"`
	Source   string `json:"source"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

type matrixRow struct {
	RequirementID string      `json:"requirement_id"`
	Findings      []matrixRef `json:"findings"`
	Detached      []matrixRef `json:"detached_findings"`
}

func matrixRows(t *testing.T, c *wiringtest.Client, caseID string) map[string]matrixRow {
	t.Helper()
	var m struct{ Items []matrixRow }
	c.Get("/api/v1/cases/" + caseID + "/assessment").Expect(200).JSON(&m)
	out := map[string]matrixRow{}
	for _, r := range m.Items {
		out[r.RequirementID] = r
	}
	return out
}

func refIn(refs []matrixRef, id string) (matrixRef, bool) {
	i := slices.IndexFunc(refs, func(r matrixRef) bool { return r.ID == id })
	if i < 0 {
		return matrixRef{}, false
	}
	return refs[i], true
}

// TestFindingMappingExplainedAndUnmapped: every finding says which rules
// mapped it and why; ?unmapped=true lists exactly those citing nothing,
// with the other filters still applied.
func TestFindingMappingExplainedAndUnmapped(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	upload(t, off, cv.ID, "camera.xml", "application/xml", fixture(t, "nmap/testdata/camera.xml"), 201)

	all := mappedFindings(t, off, cv.ID, "")
	var cite, none []string
	for _, f := range all {
		if len(f.Mapping) != len(f.RuleIDs) {
			t.Fatalf("finding %q: rules %v explained as %+v", f.Title, f.RuleIDs, f.Mapping)
		}
		for i, m := range f.Mapping {
			if m.RuleID != f.RuleIDs[i] || (m.Why == "" && m.NoRequirement == "") {
				t.Fatalf("finding %q: rule %s has no why: %+v", f.Title, f.RuleIDs[i], m)
			}
			for _, rid := range m.RequirementIDs {
				if !slices.Contains(f.RuleRequirementIDs, rid) {
					t.Fatalf("finding %q: rule %s cites %s, missing from %v", f.Title, m.RuleID, rid, f.RuleRequirementIDs)
				}
			}
		}
		if !slices.Equal(f.RequirementIDs, f.RuleRequirementIDs) || f.Remapped || len(f.Decisions) != 0 {
			t.Fatalf("an untouched finding cites what its rules cite: %+v", f)
		}
		if len(f.RequirementIDs) == 0 {
			none = append(none, f.ID)
		} else {
			cite = append(cite, f.ID)
		}
	}
	if len(cite) == 0 || len(none) == 0 {
		t.Fatalf("the camera scan should have mapped and unmapped findings: %d and %d", len(cite), len(none))
	}
	var got []string
	for _, f := range mappedFindings(t, off, cv.ID, "unmapped=true") {
		got = append(got, f.ID)
	}
	if !slices.Equal(got, none) {
		t.Fatalf("unmapped=true listed %v, want %v", got, none)
	}
	// The other filters narrow it further.
	for _, f := range mappedFindings(t, off, cv.ID, "unmapped=true&severity=info") {
		if f.Severity != "info" || len(f.RequirementIDs) > 0 {
			t.Fatalf("unmapped info finding %+v", f)
		}
	}
	if fs := mappedFindings(t, off, cv.ID, "unmapped=true&requirement_id=5.5-1"); len(fs) != 0 {
		t.Fatalf("a finding citing 5.5-1 is not unmapped: %+v", fs)
	}
	if n := len(mappedFindings(t, off, cv.ID, "unmapped=false")); n != len(all) {
		t.Fatalf("unmapped=false listed %d of %d", n, len(all))
	}
	off.Get("/api/v1/cases/" + cv.ID + "/findings?unmapped=perhaps").Expect(422).Problem()
}

// TestOfficerAttachesAndDetachesRequirements: the assigned officer or a
// supervisor attaches and detaches requirements with a reason; the
// decision is audited, shown in the matrix as the officer's and kept when
// the same report is imported again.
func TestOfficerAttachesAndDetachesRequirements(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	cv := newCase(t, off)
	scan := fixture(t, "nmap/testdata/camera.xml")
	upload(t, off, cv.ID, "camera.xml", "application/xml", scan, 201)
	unmapped := mappedFindings(t, off, cv.ID, "unmapped=true")
	var cited mappedFinding
	for _, f := range mappedFindings(t, off, cv.ID, "") {
		if len(f.RuleRequirementIDs) > 0 {
			cited = f
			break
		}
	}
	if len(unmapped) == 0 || cited.ID == "" {
		t.Fatal("the camera scan should have mapped and unmapped findings")
	}
	target, detachID := unmapped[0], cited.RuleRequirementIDs[0]
	base := "/api/v1/cases/" + cv.ID + "/findings/"

	// Bad input names the field and changes nothing.
	other := newCase(t, off)
	before := auditCount(t, env)
	p := off.Post(base+target.ID+"/requirements", map[string]any{"requirement": "PSTI-99", "reason": "x"}).Expect(422).Problem()
	if !p.HasField("requirement") {
		t.Fatalf("unknown requirement: %+v", p)
	}
	if p = off.Post(base+target.ID+"/requirements", map[string]any{"requirement": "PSTI-1"}).Expect(422).Problem(); !p.HasField("reason") {
		t.Fatalf("missing reason: %+v", p)
	}
	if p = off.Post(base+target.ID+"/requirements", map[string]any{"requirement": "PSTI-1", "reason": "   "}).Expect(422).Problem(); !p.HasField("reason") {
		t.Fatalf("blank reason: %+v", p)
	}
	p = off.Do("DELETE", base+cited.ID+"/requirements/NOPE-1", map[string]any{"reason": "x"}).Expect(422).Problem()
	if !p.HasField("requirement_id") {
		t.Fatalf("unknown requirement to detach: %+v", p)
	}
	off.Post(base+"not-an-id/requirements", map[string]any{"requirement": "PSTI-1", "reason": "x"}).Expect(404).Problem()
	off.Post("/api/v1/cases/"+other.ID+"/findings/"+target.ID+"/requirements",
		map[string]any{"requirement": "PSTI-1", "reason": "x"}).Expect(404).Problem()
	if auditCount(t, env) != before {
		t.Fatal("refused decisions were audited or stored")
	}

	// Who may decide: the assigned officer and supervisors, no one else.
	colleague(t, env, "mapping.colleague@kent-ts.test", "officer").
		Post(base+target.ID+"/requirements", map[string]any{"requirement": "PSTI-1", "reason": "x"}).Expect(403).Problem()
	env.As(supervisor, "OPSS").Post(base+target.ID+"/requirements", map[string]any{"requirement": "PSTI-1", "reason": "x"}).Expect(404)
	env.As(analyst, "KENT-TS").Post(base+target.ID+"/requirements", map[string]any{"requirement": "PSTI-1", "reason": "x"}).Expect(403)

	var attached, detached mappedFinding
	off.Post(base+target.ID+"/requirements", map[string]any{"requirement": "psti-1", "reason": "admin/12345 logged in on the bench"}).
		Expect(200).JSON(&attached)
	if !slices.Contains(attached.RequirementIDs, "PSTI-1") || !attached.Remapped || len(attached.Decisions) != 1 ||
		attached.Decisions[0].Action != "attach" || attached.Decisions[0].Reason != "admin/12345 logged in on the bench" ||
		attached.Decisions[0].DecidedBy == "" || len(attached.RuleRequirementIDs) != 0 {
		t.Fatalf("attached %+v", attached)
	}
	sup.Do("DELETE", base+cited.ID+"/requirements/"+detachID, map[string]any{"reason": "the lab opened that port itself"}).Expect(200).JSON(&detached)
	if slices.Contains(detached.RequirementIDs, detachID) || !slices.Contains(detached.RuleRequirementIDs, detachID) ||
		detached.Decisions[0].Action != "detach" {
		t.Fatalf("detached %+v", detached)
	}
	for _, f := range mappedFindings(t, off, cv.ID, "unmapped=true") {
		if f.ID == target.ID {
			t.Fatal("a finding with an attached requirement is still listed as unmapped")
		}
	}

	// The matrix shows both as the officer's decisions, apart from the rules'.
	checkMatrix := func(when string) {
		t.Helper()
		rows := matrixRows(t, off, cv.ID)
		ref, ok := refIn(rows["PSTI-1"].Findings, target.ID)
		if !ok || ref.Source != "officer" || ref.Decision != "attach" || ref.Reason != "admin/12345 logged in on the bench" {
			t.Fatalf("%s: PSTI-1 row %+v", when, rows["PSTI-1"])
		}
		row := rows[detachID]
		if _, still := refIn(row.Findings, cited.ID); still {
			t.Fatalf("%s: detached finding still cited under %s", when, detachID)
		}
		if ref, ok := refIn(row.Detached, cited.ID); !ok && len(row.Findings) > 0 || ok && (ref.Source != "officer" || ref.Decision != "detach") {
			t.Fatalf("%s: %s row %+v", when, detachID, row)
		}
		for _, r := range rows {
			for _, f := range r.Findings {
				if f.Source == "rule" && f.Decision != "" {
					t.Fatalf("%s: rule-derived reference carries a decision: %+v", when, f)
				}
			}
		}
	}
	checkMatrix("after the decisions")

	// Audited on the case timeline.
	var tl struct {
		Items []struct {
			Action string         `json:"action"`
			Detail map[string]any `json:"detail"`
		}
	}
	off.Get("/api/v1/cases/" + cv.ID + "/timeline?limit=200").Expect(200).JSON(&tl)
	var actions []string
	for _, e := range tl.Items {
		if strings.HasPrefix(e.Action, "evidence.finding_requirement_") {
			actions = append(actions, e.Action+" "+e.Detail["requirement_id"].(string)+" "+e.Detail["reason"].(string))
		}
	}
	want := []string{"evidence.finding_requirement_attached PSTI-1 admin/12345 logged in on the bench",
		"evidence.finding_requirement_detached " + detachID + " the lab opened that port itself"}
	if !slices.Equal(actions, want) {
		t.Fatalf("timeline %v, want %v", actions, want)
	}

	// The same report again: the rules are re-applied, the decisions kept.
	upload(t, off, cv.ID, "camera-again.xml", "application/xml", scan, 201)
	for _, f := range mappedFindings(t, off, cv.ID, "") {
		switch f.ID {
		case target.ID:
			if !slices.Contains(f.RequirementIDs, "PSTI-1") || len(f.Decisions) != 1 {
				t.Fatalf("re-import lost the attach decision: %+v", f)
			}
		case cited.ID:
			if slices.Contains(f.RequirementIDs, detachID) || len(f.Decisions) != 1 {
				t.Fatalf("re-import lost the detach decision: %+v", f)
			}
		}
	}
	checkMatrix("after re-import")

	// A later decision on the same requirement replaces the earlier one.
	off.Do("DELETE", base+target.ID+"/requirements/PSTI-1", map[string]any{"reason": "login was the lab's own reset password"}).Expect(200).JSON(&attached)
	if slices.Contains(attached.RequirementIDs, "PSTI-1") || len(attached.Decisions) != 1 || attached.Decisions[0].Action != "detach" {
		t.Fatalf("re-decided %+v", attached)
	}

	// PATCH requirement_ids is recorded as decisions against the rules too.
	var patched mappedFinding
	off.Patch("/api/v1/findings/"+cited.ID, map[string]any{"requirement_ids": cited.RuleRequirementIDs, "reason": "back to the rules"}).
		Expect(200).JSON(&patched)
	if !slices.Equal(patched.RequirementIDs, cited.RuleRequirementIDs) || len(patched.Decisions) != 0 || patched.Remapped {
		t.Fatalf("patched back to the rules' list: %+v", patched)
	}
}

// TestRemappedBeforeDecisionsMigrate: a finding an officer re-mapped before
// decisions were recorded keeps its list as attach decisions (migration
// 20261202000650), which later re-imports keep.
func TestRemappedBeforeDecisionsMigrate(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	scan := fixture(t, "nmap/testdata/camera.xml")
	upload(t, off, cv.ID, "camera.xml", "application/xml", scan, 201)
	f := mappedFindings(t, off, cv.ID, "unmapped=true")[0]

	// The row as the earlier schema left it: the officer's list, flagged.
	ctx := context.Background()
	if _, err := env.App.DB.NewRaw(`UPDATE findings SET remapped = ?, requirement_ids = '["PSTI-1"]', rule_requirement_ids = '[]',
		decisions = '[]' WHERE id = ?`, true, f.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	sub, err := bunstore.MigrationFS(env.App.DB.Engine)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := fs.ReadFile(sub, "20261202000650_finding_decisions.tx.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(sql), "--bun:split")
	if _, err := env.App.DB.ExecContext(ctx, parts[len(parts)-1]); err != nil {
		t.Fatal(err)
	}

	var got mappedFinding
	off.Get("/api/v1/findings/" + f.ID).Expect(200).JSON(&got)
	if len(got.Decisions) != 1 || got.Decisions[0].RequirementID != "PSTI-1" || got.Decisions[0].Action != "attach" ||
		got.Decisions[0].DecidedAt.IsZero() || got.Decisions[0].Reason == "" {
		t.Fatalf("migrated decisions %+v", got.Decisions)
	}
	upload(t, off, cv.ID, "camera-again.xml", "application/xml", scan, 201)
	off.Get("/api/v1/findings/" + f.ID).Expect(200).JSON(&got)
	if !slices.Contains(got.RequirementIDs, "PSTI-1") || !got.Remapped {
		t.Fatalf("re-import after migration: %+v", got)
	}
}

// TestConcurrentDecisionsAllKept: decisions on one finding made at the same
// time are all kept (each reads the finding under the case's findings lock).
func TestConcurrentDecisionsAllKept(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	cv := newCase(t, off)
	upload(t, off, cv.ID, "camera.xml", "application/xml", fixture(t, "nmap/testdata/camera.xml"), 201)
	f := mappedFindings(t, off, cv.ID, "unmapped=true")[0]
	reqs := []string{"PSTI-1", "PSTI-2", "PSTI-3", "5.1-1", "5.3-1", "5.6-1"}
	var wg sync.WaitGroup
	status := make([]int, len(reqs))
	for i, rid := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := off
			if i%2 == 1 {
				c = sup
			}
			status[i] = c.Post("/api/v1/cases/"+cv.ID+"/findings/"+f.ID+"/requirements",
				map[string]any{"requirement": rid, "reason": "bench check " + rid}).Status
		}()
	}
	wg.Wait()
	for i, st := range status {
		if st != 200 {
			t.Fatalf("attach %s → %d", reqs[i], st)
		}
	}
	var got mappedFinding
	off.Get("/api/v1/findings/" + f.ID).Expect(200).JSON(&got)
	if len(got.Decisions) != len(reqs) || len(got.RequirementIDs) != len(reqs) {
		t.Fatalf("concurrent decisions lost: %+v", got.Decisions)
	}
}
