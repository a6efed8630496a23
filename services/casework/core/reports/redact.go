package reports

import (
	"fmt"
	"strings"

	"github.com/tradewarden/tradewarden/services/casework/core/redact"
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

// Rules is the redaction table of referral packages. A referral awaiting
// its decision shows the receiving authority the same (see core/cases).
//
//	| Rule | Personal data                                  | In the package                                   |
//	|------|------------------------------------------------|--------------------------------------------------|
//	| R1   | The complainant: the record of who complained  | the record left out; in the summary, notes,      |
//	|      | (name, e-mail, telephone, address) and any of  | rationales and notices each occurrence replaced  |
//	|      | it in free text; in complaint text any e-mail, | by "[redacted: complainant (R1)]" or "[redacted: |
//	|      | UK telephone number or postcode                | contact details (R1)]"; the summary of a         |
//	|      |                                                | complaint with no complainant recorded withheld  |
//	| R2   | Names, e-mails and ids of officers             | a label, "Officer 1"…, the same per person       |
//	| R3   | The issuing officers: the supervisor issuing   | shown by name (the issuer also by e-mail)        |
//	|      | the package, and who issued and approved each  |                                                  |
//	|      | notice (its PDF prints them)                   |                                                  |
//	| R4   | Sole traders (at any notice's issue or now):   | "Sole trader 1"…, in free text too; the other    |
//	|      | name, trading names, address (their home),     | fields left out; the country is kept             |
//	|      | company number, website, VDP                   |                                                  |
//	| R5   | Notes not marked shareable, closure notes,     | left out; the package says how many notes were   |
//	|      | triage notes, notice outcome notes             | withheld                                         |
//	| R6   | Individuals named in free text: who collected  | "[redacted: individual (R6)]"                    |
//	|      | an exhibit, who signed a statement of          |                                                  |
//	|      | compliance                                     |                                                  |
//	| R7   | Whom a notice was served on                    | left out; the method and date of service kept    |
//	| R8   | Documents TradeWarden generated: issued notice | a notice's PDF copied byte for byte (it is what  |
//	|      | PDFs print the recipient's name and address    | was served); to a sole trader, not copied: its   |
//	|      |                                                | particulars given with the name withheld and the |
//	|      |                                                | PDF listed by reference, SHA-256 and code; other |
//	|      |                                                | generated documents listed, not copied           |
var Rules = []Rule{
	{RuleComplainant, "The complainant: the record of who complained (name, e-mail address, telephone number, address) and any of it in the case's free text (title, summary, notes, rationales, notices, exhibit descriptions); in the text of a complaint case, any e-mail address, UK telephone number or postcode",
		"The record left out; each occurrence replaced by “" + redact.Complainant + "” or “" + redact.ContactDetails + "”; the summary of a complaint case with no complainant recorded replaced by “" + redact.ComplaintWithheld + "”",
		"The agency receiving the package needs the complaint, not who made it; the issuing authority remains the complainant's point of contact."},
	{RuleOfficers, "Names, e-mail addresses and user ids of officers (case officer, note authors, who drafted, approved or served a notice, who recorded an assessment or a party)",
		"Replaced by a label (“Officer 1”, “Officer 2”…), the same label for the same person throughout the package",
		"Individual officers are not named to another agency; the issuing authority remains the point of contact."},
	{RuleIssuing, "The issuing officers: the supervisor issuing the package, and the officers who issued and approved each notice",
		"Shown by name (the package's issuer also by e-mail)",
		"They are accountable for the package and for the notices, whose issued copies print their names."},
	{RuleSoleTraders, "Sole traders' names, trading names, addresses (their home), company numbers, websites and reporting contacts — an operator that was a sole trader when a notice was issued to it, or is one now",
		"The name replaced by “Sole trader 1”…, in free text too; the other fields left out; the country is kept",
		"A sole trader is an individual: these identify a person, not a business. A later change to the register does not undo the redaction."},
	{RuleFreeText, "Case notes not marked shareable, closure notes, triage notes and notice outcome notes",
		"Left out; the package says how many notes were withheld",
		"Free text may name anyone; only notes an officer marked shareable leave the authority."},
	{RuleIndividuals, "Individuals named in free-text fields: who collected an exhibit, who signed a statement of compliance",
		"Replaced by “" + redact.Individual + "”", "These fields name people, who may not be officers or businesses."},
	{RuleServedOn, "Whom a notice was served on", "Left out; the method and date of service are kept",
		"It names a person at the operator, or a sole trader's address."},
	{RuleGeneratedDoc, "Documents TradeWarden generated: issued notice PDFs, which print the recipient's name and address",
		"A notice's PDF is copied byte for byte; one issued to a sole trader is not: its particulars are given with the name withheld, and the PDF is listed with its reference, SHA-256 and verification code; other generated documents are listed, not copied",
		"The receiving agency needs the notices as served, and can verify each with the issuing authority; a sole trader's notice prints their name and home address on every page."},
}

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
	return redact.Individual
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
