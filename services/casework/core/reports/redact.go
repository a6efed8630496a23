package reports

import (
	"fmt"
	"strings"
)

// Rule is one redaction rule every referral package applies. The rules are
// data: the package lists the ones it applied, and the documentation below
// and in doc.go is this table.
type Rule struct {
	ID     string
	Data   string // the personal data concerned
	Action string // what the package carries instead
	Why    string
}

// Redaction rules, by id.
const (
	RuleComplainant  = "R1"
	RuleOfficers     = "R2"
	RuleIssuing      = "R3"
	RuleSoleTraders  = "R4"
	RuleFreeText     = "R5"
	RuleIndividuals  = "R6"
	RuleServedOn     = "R7"
	RuleGeneratedDoc = "R8"
)

// Rules is the redaction table of referral packages.
//
//	| Rule | Personal data                                  | In the package                                   |
//	|------|------------------------------------------------|--------------------------------------------------|
//	| R1   | Case summary of a case opened on a complaint   | "[redacted: complaint details (R1)]"             |
//	| R2   | Names, e-mails and ids of officers             | a label, "Officer 1"…, the same per person       |
//	| R3   | The issuing officers: the supervisor issuing   | shown by name (the issuer also by e-mail)        |
//	|      | the package, and the officer who issued each   |                                                  |
//	|      | notice                                         |                                                  |
//	| R4   | Sole traders: name, trading names, address     | "Sole trader 1"…; the other fields left out      |
//	|      | (their home), company number, website, VDP     |                                                  |
//	| R5   | Notes not marked shareable, closure notes,     | left out; the package says how many notes were   |
//	|      | triage notes, notice outcome notes             | withheld                                         |
//	| R6   | Individuals named in free text: who collected  | "[redacted: individual (R6)]"                    |
//	|      | an exhibit, who signed a statement of          |                                                  |
//	|      | compliance                                     |                                                  |
//	| R7   | Whom a notice was served on                    | left out; the method and date of service kept    |
//	| R8   | Documents TradeWarden generated (issued notice | not copied; listed with reference, SHA-256 and   |
//	|      | PDFs): they print officers and recipients      | verification code, verifiable with the issuer    |
var Rules = []Rule{
	{RuleComplainant, "The summary of a case opened on a complaint", "Replaced by “" + redactedComplaint + "”",
		"It records the complainant's account and contact details."},
	{RuleOfficers, "Names, e-mail addresses and user ids of officers (case officer, note authors, who drafted, approved or served a notice, who recorded an assessment or a party)",
		"Replaced by a label (“Officer 1”, “Officer 2”…), the same label for the same person throughout the package",
		"Individual officers are not named to another agency; the issuing authority remains the point of contact."},
	{RuleIssuing, "The issuing officers: the supervisor issuing the package, and the officer who issued each notice",
		"Shown by name (the package's issuer also by e-mail)",
		"They are accountable for the package and for the notices, whose served copies already name them."},
	{RuleSoleTraders, "Sole traders' names, trading names, addresses (their home), company numbers, websites and reporting contacts",
		"The name replaced by “Sole trader 1”…, the other fields left out; the country is kept",
		"A sole trader is an individual: these identify a person, not a business."},
	{RuleFreeText, "Case notes not marked shareable, closure notes, triage notes and notice outcome notes",
		"Left out; the package says how many notes were withheld",
		"Free text may name anyone; only notes an officer marked shareable leave the authority."},
	{RuleIndividuals, "Individuals named in free-text fields: who collected an exhibit, who signed a statement of compliance",
		"Replaced by “" + redactedIndividual + "”", "These fields name people, who may not be officers or businesses."},
	{RuleServedOn, "Whom a notice was served on", "Left out; the method and date of service are kept",
		"It names a person at the operator, or a sole trader's address."},
	{RuleGeneratedDoc, "Documents TradeWarden generated (issued notice PDFs)",
		"Not copied; each is listed with its reference, SHA-256 and verification code",
		"They print officers' names and the recipient's details; the recipient can verify the original with the issuing authority."},
}

const (
	redactedComplaint  = "[redacted: complaint details (R1)]"
	redactedIndividual = "[redacted: individual (R6)]"
)

// RuleByID returns a rule of the table.
func RuleByID(id string) (Rule, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// redactor applies the rules to one package, remembering which it used
// and keeping labels stable across the package.
type redactor struct {
	// named are the people shown by name (R3): user id → name.
	named   map[string]string
	labels  map[string]string
	traders map[string]string
	used    map[string]bool
}

func newRedactor() *redactor {
	return &redactor{named: map[string]string{}, labels: map[string]string{}, traders: map[string]string{}, used: map[string]bool{}}
}

func (r *redactor) apply(rule string) { r.used[rule] = true }

// name shows an issuing officer by name (R3).
func (r *redactor) name(userID, name string) {
	if userID != "" {
		r.named[userID] = name
	}
}

// officer returns how the package shows a user: by name when issuing
// (R3), else by a stable label (R2); "" for no user.
func (r *redactor) officer(userID string) string {
	if userID == "" {
		return ""
	}
	if n, ok := r.named[userID]; ok {
		r.apply(RuleIssuing)
		return n
	}
	r.apply(RuleOfficers)
	if l, ok := r.labels[userID]; ok {
		return l
	}
	l := fmt.Sprintf("Officer %d", len(r.labels)+1)
	r.labels[userID] = l
	return l
}

// soleTrader returns a sole trader's stable label (R4).
func (r *redactor) soleTrader(operatorID string) string {
	r.apply(RuleSoleTraders)
	if l, ok := r.traders[operatorID]; ok {
		return l
	}
	l := fmt.Sprintf("Sole trader %d", len(r.traders)+1)
	r.traders[operatorID] = l
	return l
}

// individual redacts a free-text field naming a person (R6).
func (r *redactor) individual(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	r.apply(RuleIndividuals)
	return redactedIndividual
}

// applied lists the rules used, in table order.
func (r *redactor) applied() []Rule {
	var out []Rule
	for _, rule := range Rules {
		if r.used[rule.ID] {
			out = append(out, rule)
		}
	}
	return out
}
