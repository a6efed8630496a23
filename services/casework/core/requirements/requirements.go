// Package requirements is the catalogue of legal and technical requirements
// that TradeWarden cites: the PSTI security requirements of SI 2023/1007
// Sch 1 and the statement-of-compliance duty, every provision of ETSI
// EN 303 645 V2.1.1 (2020-06) and the guidelines of the 2018 Code of Practice
// for Consumer IoT Security. Assessment matrices, scan rule tables, notice
// schedules and reports all refer to requirements by the stable ids defined
// here, so an id, once published, never changes meaning.
//
// The catalogue is embedded data (catalogue.json), checked and indexed once on
// first use; it is read-only and safe for concurrent use.
package requirements

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Kind is the family a requirement belongs to.
type Kind string

// The kinds of requirement in the catalogue, in catalogue order.
const (
	// KindPSTI is a security requirement of SI 2023/1007 Sch 1.
	KindPSTI Kind = "psti"
	// KindPSTISoC is the statement-of-compliance duty (PSTI Act 2022 s.9, Sch 4).
	KindPSTISoC Kind = "psti_soc"
	// KindEN303645 is a provision of ETSI EN 303 645 V2.1.1.
	KindEN303645 Kind = "en303645"
	// KindCoP is a guideline of the 2018 Code of Practice for Consumer IoT Security.
	KindCoP Kind = "cop"
)

// Provision statuses as EN 303 645 writes them.
const (
	// StatusM is mandatory.
	StatusM = "M"
	// StatusR is recommended.
	StatusR = "R"
	// StatusMC is mandatory when the listed conditions hold.
	StatusMC = "MC"
	// StatusRC is recommended when the listed conditions hold.
	StatusRC = "RC"
)

// Requirement is one citable requirement.
type Requirement struct {
	// ID is the stable identifier: "PSTI-1", "PSTI-SOC", "5.3-13", "COP-3".
	ID   string
	Kind Kind
	// Title is a short name an officer would recognise.
	Title string
	// Summary paraphrases the requirement in plain English.
	Summary string
	// LegalRef cites the source: Act section and SI paragraph, or the
	// standard and provision, or the Code of Practice guideline.
	LegalRef string
	// Clause is the EN 303 645 clause ("5.3", "6") of a provision, or the
	// clause a Code of Practice guideline maps to; empty for PSTI.
	Clause string
	// ClauseTitle is the EN 303 645 title of Clause.
	ClauseTitle string
	// Status is the EN 303 645 status (StatusM, StatusR, StatusMC, StatusRC);
	// empty for other kinds.
	Status string
	// Conditions are the EN 303 645 condition numbers (see Conditions) on
	// which a conditional provision depends, ascending.
	Conditions []int
	// DeemedBy lists the EN 303 645 provisions whose fulfilment is deemed
	// compliance with a PSTI requirement (SI 2023/1007 Sch 2).
	DeemedBy []string
	// MapsTo lists the EN 303 645 provisions of the clause a Code of
	// Practice guideline became.
	MapsTo []string
	// TestGroup is the ETSI TS 103 701 test group of a provision, which
	// carries the provision id; empty for other kinds.
	TestGroup string
}

// Mandatory reports whether the requirement is a "shall": every PSTI duty,
// and EN 303 645 provisions with status M or MC. Code of Practice guidelines
// are voluntary, so never mandatory.
func (r Requirement) Mandatory() bool {
	switch r.Kind {
	case KindPSTI, KindPSTISoC:
		return true
	case KindEN303645:
		return r.Status == StatusM || r.Status == StatusMC
	}
	return false
}

// Conditional reports whether the requirement applies only when its
// Conditions hold.
func (r Requirement) Conditional() bool {
	return r.Status == StatusMC || r.Status == StatusRC
}

// coreIDs are assessed on every case: the three PSTI security requirements
// and the statement of compliance.
var coreIDs = []string{"PSTI-1", "PSTI-2", "PSTI-3", "PSTI-SOC"}

// Core returns the ids assessed on every case, in catalogue order.
func Core() []string {
	return slices.Clone(coreIDs)
}

// All returns every requirement in catalogue order: PSTI requirements, the
// statement of compliance, EN 303 645 provisions in clause and provision
// order (4-1 first), then Code of Practice guidelines 1 to 13. The result is
// the caller's to modify.
func All() []Requirement {
	return catalogue().all()
}

// Lookup returns the requirement with the given id. It also accepts ids that
// differ only in letter case or surrounding space ("psti-1", "5.13-1A"), and
// the Requirement it returns carries the canonical ID, which is what callers
// should store.
func Lookup(id string) (Requirement, bool) {
	c := catalogue()
	i, ok := c.index(id)
	if !ok {
		return Requirement{}, false
	}
	r := c.reqs[i]
	r.Conditions = slices.Clone(r.Conditions)
	r.DeemedBy = slices.Clone(r.DeemedBy)
	r.MapsTo = slices.Clone(r.MapsTo)
	return r, true
}

// Validate checks that every id is in the catalogue, accepting the same
// spellings as Lookup. It returns a *UnknownError naming every unknown id.
func Validate(ids []string) error {
	c := catalogue()
	var unknown []string
	for _, id := range ids {
		if _, ok := c.index(id); !ok && !slices.Contains(unknown, id) {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return &UnknownError{IDs: unknown}
	}
	return nil
}

// UnknownError reports ids that are not in the catalogue.
type UnknownError struct {
	// IDs are the unknown ids, once each, in the order first given.
	IDs []string
}

// Error names every unknown id.
func (e *UnknownError) Error() string {
	quoted := make([]string, len(e.IDs))
	for i, id := range e.IDs {
		quoted[i] = strconv.Quote(id)
	}
	noun := "id"
	if len(e.IDs) != 1 {
		noun = "ids"
	}
	return fmt.Sprintf("unknown requirement %s: %s", noun, strings.Join(quoted, ", "))
}

// Conditions returns the EN 303 645 V2.1.1 conditions by number (1 to 13),
// as cited by conditional provisions. The map is the caller's to modify.
func Conditions() map[int]string {
	return maps.Clone(catalogue().conditions)
}
