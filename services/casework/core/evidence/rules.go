package evidence

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

//go:embed rules.json
var rulesJSON []byte

// Rule maps scanner items to requirements when all its conditions hold.
type Rule struct {
	ID           string   `json:"id"`
	Why          string   `json:"why"`
	When         When     `json:"when"`
	Requirements []string `json:"requirements"`
	// NoRequirement is the reason a rule's items evidence nothing ("informational:
	// scan timing"), so that a finding citing nothing without one is unreviewed.
	NoRequirement string `json:"no_requirement"`

	toolID, title, output *regexp.Regexp
}

// When lists a rule's conditions; empty ones do not constrain.
type When struct {
	Format      []string `json:"format"`
	Kind        []string `json:"kind"`
	Service     []string `json:"service"`
	TunnelNot   string   `json:"tunnel_not"`
	ToolIDRegex string   `json:"tool_id_regex"`
	TitleRegex  string   `json:"title_regex"`
	OutputRegex string   `json:"output_regex"`
	MinSeverity string   `json:"min_severity"`
	HasCVE      *bool    `json:"has_cve"`
	StateNot    []string `json:"state_not"`
}

// Rules is the loaded rule table.
type Rules []Rule

// LoadRules parses and checks a rule table.
func LoadRules(data []byte) (Rules, error) {
	var doc struct {
		Comment string `json:"comment"`
		Rules   Rules  `json:"rules"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse rule table: %w", err)
	}
	seen := map[string]bool{}
	for i := range doc.Rules {
		r := &doc.Rules[i]
		if r.ID == "" || seen[r.ID] {
			return nil, fmt.Errorf("rule %d: missing or duplicate id %q", i, r.ID)
		}
		seen[r.ID] = true
		r.NoRequirement = strings.TrimSpace(r.NoRequirement)
		switch err := requirements.Validate(r.Requirements); {
		case err != nil:
			return nil, fmt.Errorf("rule %s: requirements: %w", r.ID, err)
		case len(r.Requirements) == 0 && r.NoRequirement == "":
			return nil, fmt.Errorf("rule %s: cites no requirement and gives no no_requirement reason", r.ID)
		case len(r.Requirements) > 0 && r.NoRequirement != "":
			return nil, fmt.Errorf("rule %s: cites requirements and gives a no_requirement reason", r.ID)
		}
		for j, id := range r.Requirements {
			req, _ := requirements.Lookup(id)
			r.Requirements[j] = req.ID
		}
		var err error
		if r.toolID, err = compile(r.When.ToolIDRegex); err != nil {
			return nil, fmt.Errorf("rule %s: tool_id_regex: %w", r.ID, err)
		}
		if r.title, err = compile(r.When.TitleRegex); err != nil {
			return nil, fmt.Errorf("rule %s: title_regex: %w", r.ID, err)
		}
		if r.output, err = compile(r.When.OutputRegex); err != nil {
			return nil, fmt.Errorf("rule %s: output_regex: %w", r.ID, err)
		}
		if r.When.MinSeverity != "" && scan.Severity(r.When.MinSeverity).Rank() < scan.SeverityInfo.Rank() {
			return nil, fmt.Errorf("rule %s: unknown min_severity %q", r.ID, r.When.MinSeverity)
		}
	}
	return doc.Rules, nil
}

func compile(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, nil
	}
	return regexp.Compile(expr)
}

// DefaultRules is the table kept in the repository (rules.json).
func DefaultRules() Rules {
	r, err := LoadRules(rulesJSON)
	if err != nil {
		panic("evidence: embedded rules.json is invalid: " + err.Error())
	}
	return r
}

func anyFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) })
}

// matches reports whether every stated condition holds for the item.
func (r Rule) matches(format scan.Format, it scan.Item) bool {
	w := r.When
	switch {
	case len(w.Format) > 0 && !anyFold(w.Format, string(format)),
		len(w.Kind) > 0 && !anyFold(w.Kind, string(it.Kind)),
		len(w.Service) > 0 && !anyFold(w.Service, it.Service),
		w.TunnelNot != "" && strings.EqualFold(it.Tunnel, w.TunnelNot),
		r.toolID != nil && !r.toolID.MatchString(it.ToolID),
		r.title != nil && !r.title.MatchString(it.Title),
		r.output != nil && !r.output.MatchString(it.Output),
		w.MinSeverity != "" && it.Severity.Rank() < scan.Severity(w.MinSeverity).Rank(),
		w.HasCVE != nil && (len(it.CVEs) > 0) != *w.HasCVE,
		len(w.StateNot) > 0 && anyFold(w.StateNot, it.State):
		return false
	}
	return true
}

// Map returns the requirement ids an item evidences and the rules that said so.
func (rs Rules) Map(format scan.Format, it scan.Item) (reqs, ruleIDs []string) {
	for _, r := range rs {
		if !r.matches(format, it) {
			continue
		}
		ruleIDs = append(ruleIDs, r.ID)
		for _, id := range r.Requirements {
			if !slices.Contains(reqs, id) {
				reqs = append(reqs, id)
			}
		}
	}
	slices.SortFunc(reqs, requirements.CompareIDs)
	return reqs, ruleIDs
}
