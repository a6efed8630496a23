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
	// SeverityAtLeast raises the finding's severity to this floor (a proven
	// default login is at least high whatever the tool said).
	SeverityAtLeast string `json:"severity_at_least"`
}

// When lists a rule's conditions; empty ones do not constrain. Unless is a
// set of conditions that, when they all hold, stop the rule applying.
type When struct {
	Format           []string `json:"format"`
	Kind             []string `json:"kind"`
	Service          []string `json:"service"`
	CanonicalService []string `json:"canonical_service"`
	TunnelNot        string   `json:"tunnel_not"`
	ToolIDRegex      string   `json:"tool_id_regex"`
	TitleRegex       string   `json:"title_regex"`
	OutputRegex      string   `json:"output_regex"`
	SummaryRegex     string   `json:"summary_regex"`
	FamilyRegex      string   `json:"family_regex"`
	ProductRegex     string   `json:"product_regex"`
	// TextRegex matches the title, summary or output.
	TextRegex      string `json:"text_regex"`
	MinSeverity    string `json:"min_severity"`
	MaxSeverity    string `json:"max_severity"`
	HasCVE         *bool  `json:"has_cve"`
	HasAdvisory    *bool  `json:"has_advisory"`
	HasCredentials *bool  `json:"has_credentials"`
	// Remote holds for a network-exploitable item: CVSS vector AV:N, or a
	// finding on a network port of the scanned host.
	Remote   *bool    `json:"remote"`
	State    []string `json:"state"`
	StateNot []string `json:"state_not"`
	Unless   *When    `json:"unless"`

	res map[string]*regexp.Regexp
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
		if err := r.When.compile(); err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		for name, sev := range map[string]string{"min_severity": r.When.MinSeverity, "max_severity": r.When.MaxSeverity,
			"severity_at_least": r.SeverityAtLeast} {
			if sev != "" && scan.Severity(sev).Rank() < scan.SeverityInfo.Rank() {
				return nil, fmt.Errorf("rule %s: unknown %s %q", r.ID, name, sev)
			}
		}
	}
	return doc.Rules, nil
}

// compile checks and compiles the regular expressions of w and of Unless.
func (w *When) compile() error {
	w.res = map[string]*regexp.Regexp{}
	for name, expr := range map[string]string{"tool_id_regex": w.ToolIDRegex, "title_regex": w.TitleRegex,
		"output_regex": w.OutputRegex, "summary_regex": w.SummaryRegex, "family_regex": w.FamilyRegex,
		"product_regex": w.ProductRegex, "text_regex": w.TextRegex} {
		if expr == "" {
			continue
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		w.res[name] = re
	}
	if w.Unless != nil {
		if err := w.Unless.compile(); err != nil {
			return fmt.Errorf("unless: %w", err)
		}
	}
	return nil
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

// holds reports whether every stated condition holds for the item.
func (w *When) holds(format scan.Format, it scan.Item) bool {
	re := func(name, v string) bool { r := w.res[name]; return r == nil || r.MatchString(v) }
	text := w.res["text_regex"]
	switch {
	case len(w.Format) > 0 && !anyFold(w.Format, string(format)),
		len(w.Kind) > 0 && !anyFold(w.Kind, string(it.Kind)),
		len(w.Service) > 0 && !anyFold(w.Service, it.Service),
		len(w.CanonicalService) > 0 && !anyFold(w.CanonicalService, scan.CanonicalService(it)),
		w.TunnelNot != "" && strings.EqualFold(it.Tunnel, w.TunnelNot),
		!re("tool_id_regex", it.ToolID), !re("title_regex", it.Title), !re("output_regex", it.Output),
		!re("summary_regex", it.Summary), !re("family_regex", it.Family), !re("product_regex", it.Product),
		text != nil && !text.MatchString(it.Title) && !text.MatchString(it.Summary) && !text.MatchString(it.Output),
		w.MinSeverity != "" && it.Severity.Rank() < scan.Severity(w.MinSeverity).Rank(),
		w.MaxSeverity != "" && it.Severity.Rank() > scan.Severity(w.MaxSeverity).Rank(),
		w.HasCVE != nil && (len(it.CVEs) > 0) != *w.HasCVE,
		w.HasAdvisory != nil && hasAdvisory(it) != *w.HasAdvisory,
		w.HasCredentials != nil && (len(it.Credentials) > 0) != *w.HasCredentials,
		w.Remote != nil && remote(it) != *w.Remote,
		len(w.State) > 0 && !anyFold(w.State, it.State),
		len(w.StateNot) > 0 && anyFold(w.StateNot, it.State):
		return false
	}
	return w.Unless == nil || !w.Unless.holds(format, it)
}

// hasAdvisory: a CVE, or another published advisory id (GHSA, GO, RUSTSEC,
// PYSEC, OSV), names the vulnerability.
func hasAdvisory(it scan.Item) bool {
	if len(it.CVEs) > 0 {
		return true
	}
	if slices.ContainsFunc(it.Aliases, func(a string) bool { return hasPrefix(strings.ToUpper(a), advisoryPrefixes) }) {
		return true
	}
	// A tool id names an advisory only for the open databases tools key on.
	return hasPrefix(it.ToolID, advisoryPrefixes[:4])
}

// advisoryPrefixes start the ids of published advisory databases; the
// first four are those tools use as a check id.
var advisoryPrefixes = []string{"GHSA-", "GO-", "RUSTSEC-", "PYSEC-", "OSV-", "SNYK-", "DSA-", "USN-", "RHSA-", "ALAS"}

func hasPrefix(s string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(s, p) })
}

// remote: the CVSS vector says network (AV:N), or, with no vector, the
// finding is on a network port of a scanned host.
func remote(it scan.Item) bool {
	v := strings.ToUpper(it.CVSSVector)
	if v != "" {
		return strings.Contains(v, "AV:N")
	}
	return it.Port > 0 && it.Component == nil
}

// Mapping is what the rules make of one item.
type Mapping struct {
	Requirements []string
	RuleIDs      []string
	// NoRequirement is the first reason a rule gave for citing nothing,
	// when nothing is cited.
	NoRequirement string
	// Severity is the item's severity raised to the floors the rules set.
	Severity scan.Severity
}

// Apply maps one item: the union of the requirements of every rule that
// applies, the rules that did, and the severity they set.
func (rs Rules) Apply(format scan.Format, it scan.Item) Mapping {
	// Rules see the severity the finding will carry: an unrated advisory
	// counts as medium until someone rates it.
	it.Severity = scan.Severity(severityOf(it))
	m := Mapping{Severity: it.Severity}
	for i := range rs {
		r := &rs[i]
		if !r.When.holds(format, it) {
			continue
		}
		m.RuleIDs = append(m.RuleIDs, r.ID)
		for _, id := range r.Requirements {
			if !slices.Contains(m.Requirements, id) {
				m.Requirements = append(m.Requirements, id)
			}
		}
		if r.NoRequirement != "" && m.NoRequirement == "" {
			m.NoRequirement = r.NoRequirement
		}
		if r.SeverityAtLeast != "" {
			m.Severity = m.Severity.Max(scan.Severity(r.SeverityAtLeast))
		}
	}
	slices.SortFunc(m.Requirements, requirements.CompareIDs)
	if len(m.Requirements) > 0 {
		m.NoRequirement = ""
	}
	return m
}

// Map returns the requirement ids an item evidences and the rules that said so.
func (rs Rules) Map(format scan.Format, it scan.Item) (reqs, ruleIDs []string) {
	m := rs.Apply(format, it)
	return m.Requirements, m.RuleIDs
}
