package evidence

import (
	"slices"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// Coverage counts how a rule table maps a set of scanner items: per format
// and severity, how many cite a requirement, how many a rule reviewed as
// evidencing nothing, and how many no rule covers (unreviewed).
type Coverage struct {
	Rows  []CoverageRow  `json:"rows"`
	Rules map[string]int `json:"rules"` // how many items each rule applied to
	// Serious is the medium-or-worse findings across every format.
	Serious CoverageRow `json:"medium_or_worse"`
	// Unmapped lists medium-or-worse items no rule covers, for review.
	Unmapped []CoverageMiss `json:"unmapped_medium_or_worse,omitempty"`
	rows     map[[2]string]int
}

// CoverageRow is the count for one format and severity (or a total).
type CoverageRow struct {
	Format        string `json:"format,omitempty"`
	Severity      string `json:"severity,omitempty"`
	Findings      int    `json:"findings"`
	Cited         int    `json:"cited"`
	NoRequirement int    `json:"no_requirement"`
	Unmapped      int    `json:"unmapped"`
}

// CoverageMiss is one medium-or-worse item that cites nothing.
type CoverageMiss struct {
	Format string `json:"format"`
	File   string `json:"file,omitempty"`
	ToolID string `json:"tool_id"`
	Title  string `json:"title"`
}

// Share is the fraction of the row's findings that cite a requirement.
func (r CoverageRow) Share() float64 {
	if r.Findings == 0 {
		return 1
	}
	return float64(r.Cited) / float64(r.Findings)
}

func (r *CoverageRow) add(m Mapping) {
	r.Findings++
	switch {
	case len(m.Requirements) > 0:
		r.Cited++
	case m.NoRequirement != "":
		r.NoRequirement++
	default:
		r.Unmapped++
	}
}

// Add maps one item and counts it; file names where it came from.
func (c *Coverage) Add(rs Rules, format scan.Format, file string, it scan.Item) {
	if c.rows == nil {
		c.rows, c.Rules = map[[2]string]int{}, map[string]int{}
	}
	m := rs.Apply(format, it)
	key := [2]string{string(format), string(m.Severity)}
	i, ok := c.rows[key]
	if !ok {
		i = len(c.Rows)
		c.rows[key] = i
		c.Rows = append(c.Rows, CoverageRow{Format: key[0], Severity: key[1]})
	}
	c.Rows[i].add(m)
	for _, id := range m.RuleIDs {
		c.Rules[id]++
	}
	if m.Severity.Rank() >= scan.SeverityMedium.Rank() {
		c.Serious.add(m)
		if len(m.Requirements) == 0 {
			c.Unmapped = append(c.Unmapped, CoverageMiss{Format: string(format), File: file, ToolID: it.ToolID, Title: it.Title})
		}
	}
}

// Sort orders the rows by format, then severity from the worst.
func (c *Coverage) Sort() {
	slices.SortFunc(c.Rows, func(a, b CoverageRow) int {
		if a.Format != b.Format {
			if a.Format < b.Format {
				return -1
			}
			return 1
		}
		return scan.Severity(b.Severity).Rank() - scan.Severity(a.Severity).Rank()
	})
}
