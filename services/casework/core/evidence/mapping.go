package evidence

import (
	"slices"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

// Match is one rule that applied to a finding: what it cited and why, or
// why the finding evidences nothing.
type Match struct {
	RuleID        string
	Why           string
	Requirements  []string
	NoRequirement string
	// Retired is true when the rule that mapped the finding is no longer in
	// the table (its id is all that is known of it).
	Retired bool
}

func (r Rule) match() Match {
	return Match{RuleID: r.ID, Why: r.Why, Requirements: slices.Clone(r.Requirements), NoRequirement: r.NoRequirement}
}

// Matches explains stored rule ids from the table as it stands.
func (rs Rules) Matches(ruleIDs []string) []Match {
	out := make([]Match, 0, len(ruleIDs))
	for _, id := range ruleIDs {
		i := slices.IndexFunc(rs, func(r Rule) bool { return r.ID == id })
		if i < 0 {
			out = append(out, Match{RuleID: id, Retired: true})
			continue
		}
		out = append(out, rs[i].match())
	}
	return out
}

// DecisionAction is what an officer decided about one requirement on a finding.
type DecisionAction string

// Officer decisions.
const (
	// Attach cites the requirement whatever the rules say.
	Attach DecisionAction = "attach"
	// Detach never cites the requirement, whatever the rules say.
	Detach DecisionAction = "detach"
)

// Decision is an officer's choice to cite, or not cite, one requirement on a
// finding. It outlives re-imports of the report: the rules' citations are
// recomputed and the decisions applied on top.
type Decision struct {
	RequirementID string
	Action        DecisionAction
	Reason        string
	By            string
	At            time.Time
}

// Decide records d, replacing any earlier decision on the same requirement,
// and returns the decisions in catalogue order.
func Decide(ds []Decision, d Decision) []Decision {
	out := slices.DeleteFunc(slices.Clone(ds), func(e Decision) bool { return e.RequirementID == d.RequirementID })
	out = append(out, d)
	slices.SortFunc(out, func(a, b Decision) int { return requirements.CompareIDs(a.RequirementID, b.RequirementID) })
	return out
}

// Effective is what a finding cites: the rules' requirements, plus those an
// officer attached, less those an officer detached, in catalogue order.
func Effective(ruleReqs []string, ds []Decision) []string {
	out := []string{}
	for _, id := range ruleReqs {
		if !slices.Contains(out, id) && !decided(ds, id, Detach) {
			out = append(out, id)
		}
	}
	for _, d := range ds {
		if d.Action == Attach && !slices.Contains(out, d.RequirementID) {
			out = append(out, d.RequirementID)
		}
	}
	slices.SortFunc(out, requirements.CompareIDs)
	return out
}

func decided(ds []Decision, id string, a DecisionAction) bool {
	return slices.ContainsFunc(ds, func(d Decision) bool { return d.RequirementID == id && d.Action == a })
}

// DecisionOn returns the officer's decision on a requirement, if any.
func (f Finding) DecisionOn(requirementID string) (Decision, bool) {
	return decisionIn(f.Decisions, requirementID)
}

// remap recomputes what the finding cites from the rules' citations and the
// officer's decisions.
func (f *Finding) remap() {
	f.Requirements = Effective(f.RuleRequirements, f.Decisions)
	f.Remapped = len(f.Decisions) > 0
}

// DecideList turns an officer's whole list of requirements into decisions:
// one per requirement where the list and the rules disagree, each made
// like proto (reason, author, time). Earlier decisions the list agrees
// with are kept as they were.
func DecideList(ruleReqs []string, ds []Decision, want []string, proto Decision) []Decision {
	var out []Decision
	consider := slices.Concat(want, ruleReqs)
	for _, d := range ds {
		consider = append(consider, d.RequirementID)
	}
	seen := map[string]bool{}
	for _, id := range consider {
		if seen[id] {
			continue
		}
		seen[id] = true
		wanted, ruled := slices.Contains(want, id), slices.Contains(ruleReqs, id)
		if old, ok := decisionIn(ds, id); ok && (old.Action == Attach) == wanted {
			out = append(out, old)
			continue
		}
		if wanted == ruled {
			continue
		}
		d := proto
		d.RequirementID, d.Action = id, Detach
		if wanted {
			d.Action = Attach
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Decision) int { return requirements.CompareIDs(a.RequirementID, b.RequirementID) })
	return out
}

func decisionIn(ds []Decision, id string) (Decision, bool) {
	i := slices.IndexFunc(ds, func(d Decision) bool { return d.RequirementID == id })
	if i < 0 {
		return Decision{}, false
	}
	return ds[i], true
}
