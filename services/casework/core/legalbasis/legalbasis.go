// Package legalbasis is the catalogue of the statutory provisions a notice
// prints as its legal basis: which duty of Chapter 2 of Part 1 of the
// Product Security and Telecommunications Infrastructure Act 2022 a
// recipient breached, given its role on the case, and which prior step the
// Act requires before each kind of notice may be given.
//
// Every entry records where its text was read (a legislation.gov.uk address
// and the subsection) and how far it was verified: Verified means the words
// were read in the Act's text on legislation.gov.uk; Secondary means only a
// secondary source (the project's domain brief, guidance or commentary)
// supports it; Unverified means neither, and the entry says so rather than
// guessing. Notices never print an Unverified section as the duty breached.
package legalbasis

import (
	"slices"
	"strings"
)

// Verification is how far a catalogue entry was checked against the Act.
type Verification string

// Verification levels.
const (
	// Verified: the cited words were read in the Act's text.
	Verified Verification = "verified"
	// Secondary: supported only by a secondary source.
	Secondary Verification = "secondary"
	// Unverified: not read in the Act; never printed as a duty.
	Unverified Verification = "unverified"
)

// Role is the capacity in which the Act imposes duties (s.7).
type Role string

// Duty-bearing roles.
const (
	Manufacturer Role = "manufacturer"
	Importer     Role = "importer"
	Distributor  Role = "distributor"
)

// Source is where a provision's text was read.
type Source struct {
	URL  string
	Note string // the subsection read, or why it is not verified
}

// Duty is one duty of Chapter 2 that a recipient in Role can breach.
type Duty struct {
	Role    Role
	Section string // "8", "19"
	// Title is the section's heading as the Act prints it (or a description
	// when the heading was not read; see Status).
	Title string
	// Breach says in plain words what failing the duty consists of.
	Breach string
	Status Verification
	Source Source
}

// Cite is the duty as a notice prints it: "section 19 of the Act (Duties to
// take action in relation to manufacturer’s compliance failure)".
func (d Duty) Cite() string {
	return "section " + d.Section + " of the Act (" + d.Title + ")"
}

// What a notice's breach is of: a Schedule 1 security requirement, or the
// statement-of-compliance duty.
const (
	// SecurityRequirement is a requirement of SI 2023/1007 Sch 1 (PSTI-1..3).
	SecurityRequirement = "security_requirement"
	// StatementOfCompliance is the SoC duty (PSTI-SOC).
	StatementOfCompliance = "statement_of_compliance"
)

const (
	act2022   = "https://www.legislation.gov.uk/ukpga/2022/46"
	bodyText  = act2022 + "/body/enacted"
	s19Text   = "https://legislation.gov.uk/ukpga/2022/46/section/19/data.html"
	s25Text   = "https://legislation.gov.uk/ukpga/2022/46/section/25"
	notices28 = act2022 + "/part/1/chapter/3/crossheading/enforcement-notices/enacted"
	penalty36 = act2022 + "/part/1/chapter/3/crossheading/monetary-penalties/enacted"
	domainDoc = "TradeWarden domain brief (docs/domain.md §1–2), a secondary summary"
)

// duties maps a role and what was breached to the duty a notice cites.
// The Schedule 1 security requirements are imposed on manufacturers (SI
// 2023/1007 Sch 1); what an importer or distributor breaches when the
// manufacturer fails them is its duty to act on the manufacturer's
// compliance failure, never the manufacturer's s.8.
var duties = map[Role]map[string]Duty{
	Manufacturer: {
		SecurityRequirement: {Role: Manufacturer, Section: "8", Title: "Duty to comply with security requirements",
			Breach: "failing, as manufacturer, to comply with a relevant security requirement relating to the product",
			Status: Verified, Source: Source{URL: bodyText, Note: "s.1(4): “For provision imposing duties on relevant persons to comply " +
				"with security requirements, see sections 8, 14 and 21”; s.8 is the manufacturer's (Duties of manufacturers); heading from the domain brief"}},
		StatementOfCompliance: {Role: Manufacturer, Section: "9", Title: "Statements of compliance",
			Breach: "supplying the product without a statement of compliance (or a summary of one)",
			Status: Secondary, Source: Source{URL: act2022 + "/section/9", Note: domainDoc + " marks s.9 as verified; not re-read in this session"}},
	},
	Importer: {
		SecurityRequirement: {Role: Importer, Section: "19", Title: "Duties to take action in relation to manufacturer’s compliance failure",
			Breach: "failing, as importer aware (or who ought to be aware) of the manufacturer's compliance failure, to contact the manufacturer, " +
				"to take all reasonable steps to prevent the product being made available to customers in the United Kingdom, and to notify the " +
				"enforcement authority and distributors",
			Status: Verified, Source: Source{URL: s19Text, Note: "s.19(1)–(6) read: “compliance failure” is a failure by a manufacturer (s.19(2)); " +
				"prevent availability (s.19(4)); notify (s.19(5)–(6)). s.16 (believed to bar supply before the product is made available) was not read and is not cited"}},
		StatementOfCompliance: {Role: Importer, Section: "15", Title: "Statements of compliance",
			Breach: "supplying the product without a statement of compliance (or a summary of one) accompanying it",
			Status: Secondary, Source: Source{URL: act2022 + "/section/15", Note: domainDoc + " and the requirement catalogue; not read in the Act"}},
	},
	Distributor: {
		SecurityRequirement: {Role: Distributor, Section: "25", Title: "Duties to take action in relation to manufacturer’s compliance failure",
			Breach: "failing, as distributor aware (or who ought to be aware) of the manufacturer's compliance failure, to contact the manufacturer, " +
				"to take all reasonable steps to prevent the product being made available to customers in the United Kingdom, and to notify the " +
				"enforcement authority",
			Status: Verified, Source: Source{URL: s25Text, Note: "s.25(1)–(6) read: “compliance failure” is a failure by a manufacturer (s.25(2)); " +
				"prevent availability (s.25(5)); notify (s.25(6)). s.23 (believed to bar supply before the product is made available) was not read and is not cited"}},
		StatementOfCompliance: {Role: Distributor, Section: "22", Title: "Statements of compliance",
			Breach: "supplying the product without a statement of compliance (or a summary of one) accompanying it",
			Status: Secondary, Source: Source{URL: act2022 + "/section/22", Note: domainDoc + " and the requirement catalogue; not read in the Act"}},
	},
}

// partyRoles maps the case's party roles to the role the Act knows them
// by. Others (authorised representative, online marketplace) bear no duty
// TradeWarden can cite.
var partyRoles = map[string]Role{
	"manufacturer": Manufacturer,
	// s.7: a person who markets the product under its own name or mark is a manufacturer [S].
	"own_brander": Manufacturer,
	"importer":    Importer,
	"distributor": Distributor,
	// A retailer makes the product available without making or importing it: a distributor [S].
	"retailer": Distributor,
}

// RoleOf maps a case party role to the Act's role; ok is false for roles
// that bear no duty TradeWarden can cite.
func RoleOf(partyRole string) (Role, bool) {
	r, ok := partyRoles[strings.TrimSpace(partyRole)]
	return r, ok
}

// Roles returns the Act's roles of the given party roles, once each, in the
// order manufacturer, importer, distributor.
func Roles(partyRoles []string) []Role {
	var out []Role
	for _, want := range []Role{Manufacturer, Importer, Distributor} {
		for _, pr := range partyRoles {
			if r, ok := RoleOf(pr); ok && r == want && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// BreachKind says what a catalogue requirement id is, as a breach: a
// security requirement (PSTI-1..3), the statement of compliance
// (PSTI-SOC), or "" for EN 303 645 provisions and the Code of Practice,
// which are technical evidence and never a duty in their own right.
func BreachKind(requirementID string) string {
	switch strings.ToUpper(strings.TrimSpace(requirementID)) {
	case "PSTI-1", "PSTI-2", "PSTI-3":
		return SecurityRequirement
	case "PSTI-SOC":
		return StatementOfCompliance
	}
	return ""
}

// DutyFor returns the duty a recipient in role breaches when requirementID
// is not met; ok is false when the requirement is not a duty (EN 303 645),
// or the duty is not in the catalogue or is Unverified.
func DutyFor(role Role, requirementID string) (Duty, bool) {
	kind := BreachKind(requirementID)
	if kind == "" {
		return Duty{}, false
	}
	d, ok := duties[role][kind]
	return d, ok && d.Status != Unverified
}

// Duties returns every catalogued duty, by role then section.
func Duties() []Duty {
	var out []Duty
	for _, r := range []Role{Manufacturer, Importer, Distributor} {
		for _, k := range []string{SecurityRequirement, StatementOfCompliance} {
			out = append(out, duties[r][k])
		}
	}
	return out
}

// Schedule1Paragraph is the paragraph of SI 2023/1007 Sch 1 a PSTI security
// requirement id names ("1" for PSTI-1), or "".
func Schedule1Paragraph(requirementID string) string {
	switch strings.ToUpper(strings.TrimSpace(requirementID)) {
	case "PSTI-1":
		return "1"
	case "PSTI-2":
		return "2"
	case "PSTI-3":
		return "3"
	}
	return ""
}

// RegulationsSource is where the Schedule 1 requirements are published.
const RegulationsSource = "https://www.legislation.gov.uk/uksi/2023/1007/schedule/1 (SI 2023/1007 Sch 1 paras 1–3; " +
	"Sch 2 deemed compliance) — paragraph numbers from the requirement catalogue and domain brief [S]"

// Step is the prior step the Act requires before a kind of notice is given.
type Step struct {
	// Notice is the notice type that needs the step ("compliance").
	Notice string
	// Name is the step as a 409 problem names it.
	Name string
	// IntentType is the notice type that gives the step ("intent").
	IntentType string
	// Provision cites what requires it: "section 28(5) and (6) of the Act".
	Provision string
	// MinDays is the least number of days, beginning with the day the
	// intent was given, that must end before the notice may be given.
	MinDays int
	// UrgencyAllowed is true when an approved justification for urgency
	// may stand in for the step.
	UrgencyAllowed bool
	Status         Verification
	Source         Source
}

// steps is the sequence rule for each notice type. Where the Act's text
// could not be read, TradeWarden still requires the step — giving notice
// first is never unlawful, skipping a required one would be — and says so.
var steps = map[string]Step{
	"compliance": {Notice: "compliance", Name: "notice_of_intent", IntentType: "intent",
		Provision: "section 28(5) and (6) of the Act", MinDays: 10, UrgencyAllowed: false, Status: Verified,
		Source: Source{URL: notices28, Note: "s.28(5): notify the intention and give an opportunity to make representations; s.28(6): not " +
			"until the end of 10 days beginning with the day the notification is given. s.28 makes no exception for urgency"}},
	"stop": {Notice: "stop", Name: "notice_of_intent", IntentType: "intent",
		Provision: "section 29 of the Act", MinDays: 10, UrgencyAllowed: true, Status: Unverified,
		Source: Source{URL: act2022 + "/section/29", Note: "s.29(1)–(4) read; whether s.29 requires prior notice was not read. The domain brief " +
			"[S] records “pre-notice unless urgent”: TradeWarden requires a notice of intent (10 days, as s.28) or an approved urgency justification"}},
	"recall": {Notice: "recall", Name: "notice_of_intent", IntentType: "intent",
		Provision: "section 30 of the Act", MinDays: 10, UrgencyAllowed: true, Status: Unverified,
		Source: Source{URL: act2022 + "/section/30", Note: "s.30 not read. TradeWarden applies the stop-notice step: a notice of intent (10 days) " +
			"or an approved urgency justification"}},
	"penalty": {Notice: "penalty", Name: "notice_of_intent_to_impose_penalty", IntentType: "penalty_intent",
		Provision: "section 37 of the Act", MinDays: 0, UrgencyAllowed: false, Status: Secondary,
		Source: Source{URL: penalty36, Note: "s.36 read: no prior step in s.36 itself, and s.36(8) allows a penalty whether or not an enforcement " +
			"notice was given. The domain brief [S] records a notice of intent and representations under s.37 (not read): TradeWarden requires a " +
			"served notice of intent to impose a penalty whose representations period has ended; no urgency route"}},
}

// StepFor returns the prior step a notice type needs; ok is false when
// none is required (information notices, intents).
func StepFor(noticeType string) (Step, bool) {
	s, ok := steps[noticeType]
	return s, ok
}

// Steps returns every sequence rule, in notice order.
func Steps() []Step {
	out := make([]Step, 0, len(steps))
	for _, t := range []string{"compliance", "stop", "recall", "penalty"} {
		out = append(out, steps[t])
	}
	return out
}
