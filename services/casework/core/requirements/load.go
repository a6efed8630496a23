package requirements

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

//go:embed catalogue.json
var catalogueJSON []byte

// catalogue parses the embedded data on first use. The data is compiled in
// and checked by the tests, so a failure is a build defect, not a runtime
// condition callers could handle: it panics, like regexp.MustCompile.
var catalogue = sync.OnceValue(func() *index {
	c, err := parse(catalogueJSON)
	if err != nil {
		panic(fmt.Sprintf("requirements: embedded catalogue.json: %v", err))
	}
	return c
})

// index is the parsed, checked catalogue.
type index struct {
	reqs []Requirement
	// spans locate each requirement's slices inside ints and strs, so all()
	// can deep-copy the whole catalogue with three allocations.
	spans      []span
	ints       []int
	strs       []string
	byID       map[string]int
	byFold     map[string]int
	conditions map[int]string
}

type span struct{ cond, deemed, maps [2]int }

// fileJSON mirrors catalogue.json.
type fileJSON struct {
	Conditions []struct {
		N    int    `json:"n"`
		Text string `json:"text"`
	} `json:"conditions"`
	PSTI []struct {
		ID       string   `json:"id"`
		Kind     Kind     `json:"kind"`
		Title    string   `json:"title"`
		Summary  string   `json:"summary"`
		LegalRef string   `json:"legal_ref"`
		DeemedBy []string `json:"deemed_by"`
	} `json:"psti"`
	EN struct {
		Citation string `json:"citation"`
		Clauses  []struct {
			Clause     string `json:"clause"`
			Title      string `json:"title"`
			Provisions []struct {
				ID         string `json:"id"`
				Status     string `json:"status"`
				Conditions []int  `json:"conditions"`
				Title      string `json:"title"`
				Summary    string `json:"summary"`
			} `json:"provisions"`
		} `json:"clauses"`
	} `json:"en303645"`
	CoP struct {
		Citation   string `json:"citation"`
		Guidelines []struct {
			ID      string `json:"id"`
			Clause  string `json:"clause"`
			Title   string `json:"title"`
			Summary string `json:"summary"`
		} `json:"guidelines"`
	} `json:"cop"`
}

var (
	pstiIDRe      = regexp.MustCompile(`^PSTI-([1-9][0-9]*|SOC)$`)
	clauseRe      = regexp.MustCompile(`^[1-9][0-9]*(\.[1-9][0-9]*)?$`)
	provisionIDRe = regexp.MustCompile(`^([1-9][0-9]*(?:\.[1-9][0-9]*)?)-[1-9][0-9]*[a-z]?$`)
	copIDRe       = regexp.MustCompile(`^COP-([1-9][0-9]*)$`)
)

var kindRank = map[Kind]int{KindPSTI: 0, KindPSTISoC: 1, KindEN303645: 2, KindCoP: 3}

// parse decodes and checks catalogue data, reporting every problem found.
func parse(data []byte) (*index, error) {
	var f fileJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	conditions := map[int]string{}
	for _, c := range f.Conditions {
		switch {
		case c.N < 1:
			bad("condition %d: number must be positive", c.N)
		case conditions[c.N] != "":
			bad("condition %d: defined twice", c.N)
		case strings.TrimSpace(c.Text) == "":
			bad("condition %d: empty text", c.N)
		default:
			conditions[c.N] = c.Text
		}
	}

	var reqs []Requirement
	for _, p := range f.PSTI {
		if !pstiIDRe.MatchString(p.ID) {
			bad("psti %q: id must look like PSTI-1 or PSTI-SOC", p.ID)
		}
		if want := pstiKind(p.ID); p.Kind != want {
			bad("psti %q: kind %q, want %q", p.ID, p.Kind, want)
		}
		reqs = append(reqs, Requirement{ID: p.ID, Kind: p.Kind, Title: p.Title, Summary: p.Summary,
			LegalRef: p.LegalRef, DeemedBy: nilIfEmpty(p.DeemedBy)})
	}

	if f.EN.Citation == "" {
		bad("en303645: empty citation")
	}
	clauseTitles := map[string]string{}
	clauseIDs := map[string][]string{}
	for _, cl := range f.EN.Clauses {
		if !clauseRe.MatchString(cl.Clause) {
			bad("clause %q: malformed number", cl.Clause)
		}
		if _, dup := clauseTitles[cl.Clause]; dup {
			bad("clause %q: defined twice", cl.Clause)
		}
		if cl.Title == "" {
			bad("clause %q: empty title", cl.Clause)
		}
		if len(cl.Provisions) == 0 {
			bad("clause %q: no provisions", cl.Clause)
		}
		clauseTitles[cl.Clause] = cl.Title
		for _, p := range cl.Provisions {
			m := provisionIDRe.FindStringSubmatch(p.ID)
			if m == nil || m[1] != cl.Clause {
				bad("provision %q: id must be %s-<n>[letter]", p.ID, cl.Clause)
			}
			checkStatus(p.ID, p.Status, p.Conditions, conditions, bad)
			clauseIDs[cl.Clause] = append(clauseIDs[cl.Clause], p.ID)
			reqs = append(reqs, Requirement{ID: p.ID, Kind: KindEN303645, Title: p.Title, Summary: p.Summary,
				LegalRef: f.EN.Citation + ", provision " + p.ID, Clause: cl.Clause, ClauseTitle: cl.Title,
				Status: p.Status, Conditions: nilIfEmpty(p.Conditions), TestGroup: p.ID})
		}
	}

	if f.CoP.Citation == "" {
		bad("cop: empty citation")
	}
	for _, g := range f.CoP.Guidelines {
		m := copIDRe.FindStringSubmatch(g.ID)
		if m == nil {
			bad("guideline %q: id must look like COP-1", g.ID)
			continue
		}
		provisions := clauseIDs[g.Clause]
		if len(provisions) == 0 {
			bad("guideline %q: clause %q has no provisions", g.ID, g.Clause)
		}
		reqs = append(reqs, Requirement{ID: g.ID, Kind: KindCoP, Title: g.Title, Summary: g.Summary,
			LegalRef: f.CoP.Citation + ", guideline " + m[1], Clause: g.Clause, ClauseTitle: clauseTitles[g.Clause],
			MapsTo: slices.Clone(provisions)})
	}

	c := &index{byID: map[string]int{}, byFold: map[string]int{}, conditions: conditions}
	slices.SortStableFunc(reqs, func(a, b Requirement) int {
		if d := kindRank[a.Kind] - kindRank[b.Kind]; d != 0 {
			return d
		}
		return CompareIDs(a.ID, b.ID)
	})
	for i, r := range reqs {
		if r.Title == "" || r.Summary == "" || r.LegalRef == "" {
			bad("%s: title, summary and legal reference are required", r.ID)
		}
		if _, dup := c.byFold[fold(r.ID)]; dup {
			bad("%s: id defined twice (ignoring case)", r.ID)
		}
		c.byID[r.ID], c.byFold[fold(r.ID)] = i, i
	}
	for _, r := range reqs {
		if len(r.DeemedBy) > 0 && r.Kind != KindPSTI {
			bad("%s: only PSTI requirements have deemed-compliance provisions", r.ID)
		}
		for _, id := range r.DeemedBy {
			if i, ok := c.byID[id]; !ok || reqs[i].Kind != KindEN303645 {
				bad("%s: deemed-compliance id %q is not an EN 303 645 provision", r.ID, id)
			}
		}
	}
	for _, id := range coreIDs {
		if _, ok := c.byID[id]; !ok {
			bad("core requirement %q missing", id)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.pack(reqs)
	return c, nil
}

// checkStatus enforces that conditional statuses, and only those, list
// conditions, and that the conditions are defined and ascending.
func checkStatus(id, status string, conds []int, defined map[int]string, bad func(string, ...any)) {
	switch status {
	case StatusM, StatusR:
		if len(conds) > 0 {
			bad("provision %q: status %s cannot have conditions; use %sC", id, status, status)
		}
	case StatusMC, StatusRC:
		if len(conds) == 0 {
			bad("provision %q: status %s needs conditions", id, status)
		}
	default:
		bad("provision %q: status %q is not M, R, MC or RC", id, status)
	}
	for i, n := range conds {
		if _, ok := defined[n]; !ok {
			bad("provision %q: condition %d is not defined", id, n)
		}
		if i > 0 && n <= conds[i-1] {
			bad("provision %q: conditions must be ascending and unique", id)
		}
	}
}

// pack moves every requirement's slices into two shared arrays.
func (c *index) pack(reqs []Requirement) {
	c.reqs, c.spans = reqs, make([]span, len(reqs))
	for i, r := range reqs {
		c.spans[i].cond = [2]int{len(c.ints), len(c.ints) + len(r.Conditions)}
		c.ints = append(c.ints, r.Conditions...)
		c.spans[i].deemed = [2]int{len(c.strs), len(c.strs) + len(r.DeemedBy)}
		c.strs = append(c.strs, r.DeemedBy...)
		c.spans[i].maps = [2]int{len(c.strs), len(c.strs) + len(r.MapsTo)}
		c.strs = append(c.strs, r.MapsTo...)
	}
	c.reslice(c.reqs, c.ints, c.strs)
}

// reslice points each requirement's slices into ints and strs. The full
// slice expressions stop an append by one caller from overwriting the next
// requirement's data.
func (c *index) reslice(reqs []Requirement, ints []int, strs []string) {
	for i, s := range c.spans {
		reqs[i].Conditions = sub(ints, s.cond)
		reqs[i].DeemedBy = sub(strs, s.deemed)
		reqs[i].MapsTo = sub(strs, s.maps)
	}
}

func sub[T any](all []T, s [2]int) []T {
	if s[0] == s[1] {
		return nil
	}
	return all[s[0]:s[1]:s[1]]
}

// all returns a deep copy of the catalogue.
func (c *index) all() []Requirement {
	out := slices.Clone(c.reqs)
	c.reslice(out, slices.Clone(c.ints), slices.Clone(c.strs))
	return out
}

// index finds an id, first exactly and then ignoring case and surrounding
// space.
func (c *index) index(id string) (int, bool) {
	if i, ok := c.byID[id]; ok {
		return i, true
	}
	i, ok := c.byFold[fold(id)]
	return i, ok
}

func fold(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

func pstiKind(id string) Kind {
	if id == "PSTI-SOC" {
		return KindPSTISoC
	}
	return KindPSTI
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
