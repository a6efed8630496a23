package console

import "strings"

// labels is the one table of words people see for stored values, so the
// same state reads the same on every page (../shared/docs/console.md).
var labels = map[string]string{
	// case status
	"intake": "Intake", "triage": "Triage", "investigating": "Investigating", "decision": "Decision",
	"enforcement": "Enforcement", "monitoring": "Monitoring", "closed": "Closed", "reopened": "Reopened",
	// risk
	"low": "Low", "medium": "Medium", "high": "High", "serious": "Serious", "critical": "Critical", "info": "Information",
	// verdicts
	"pass": "Pass", "fail": "Fail", "inconclusive": "Inconclusive", "not_applicable": "Not applicable",
	"not_assessed": "Not assessed",
	// findings
	"open": "Open", "confirmed": "Confirmed", "disputed": "Disputed", "false_positive": "False positive",
	"resolved": "Resolved", "not_affected": "Not affected (supplier's VEX)",
	// notices
	"draft": "Draft", "pending_approval": "Waiting for approval", "approved": "Approved", "issued": "Issued",
	"served": "Served", "complied": "Complied", "breached": "Breached", "appealed": "Appealed",
	"upheld": "Appeal upheld", "varied": "Varied", "cancelled": "Cancelled", "withdrawn": "Withdrawn",
	"revoked": "Revoked",
	// notice types (their statutory titles)
	"compliance": "Compliance notice", "stop": "Stop notice", "recall": "Recall notice", "penalty": "Penalty notice",
	"information": "Information notice", "intent": "Notice of intent (compliance notice)",
	"penalty_intent": "Notice of intent (penalty notice)",
	// origins
	"proactive_surveillance": "Proactive surveillance", "complaint": "Complaint",
	"referral": "Referral from another authority", "self_notification": "Notified by the business",
	"border_check": "Border check", "online_monitoring": "Online monitoring",
	// closure reasons
	"out_of_scope": "Out of scope of PSTI", "duplicate": "Duplicate case", "no_breach": "No breach found",
	"compliance_achieved": "Compliance achieved", "enforcement_complete": "Enforcement complete",
	"referred_elsewhere": "Referred elsewhere", "no_further_action": "No further action",
	// operator roles
	"manufacturer": "Manufacturer", "importer": "Importer", "distributor": "Distributor",
	"authorised_representative": "Authorised representative", "online_marketplace": "Online marketplace",
	"retailer": "Retailer", "own_brander": "Own-brander",
	// people's roles
	"officer": "Officer", "supervisor": "Supervisor", "analyst": "Analyst", "admin": "Administrator",
	// requirement kinds
	"psti": "PSTI security requirement", "en303645": "EN 303 645 provision", "statement": "Statement of compliance",
	// market types
	"retailer_site": "Retailer", "marketplace": "Marketplace", "secondary": "Second-hand",
	// evidence powers
	"test_purchase": "Test purchase", "information_notice": "Information notice", "seizure": "Seizure",
	"voluntary": "Voluntary", "public_source": "Public source",
	// service methods
	"hand": "By hand", "post": "Post", "recorded_delivery": "Recorded delivery", "email": "Email",
	"registered_office": "Left at the registered office",
	// referrals
	"pending": "Waiting for a decision", "accepted": "Accepted", "declined": "Declined",
	// access
	"owner": "Owner", "referred": "Referral awaiting decision", "collaborator": "Collaborator",
	"read_only": "View full case", "edit_evidence_and_notes": "Edit evidence and notes",
	// why a listing may be of a product
	"gtin": "Same GTIN", "brand_model": "Same brand and model number", "model": "Same model number, another brand",
	"brand_similar_model": "Same brand, similar model number", "brand_title_model": "Same brand, model number in the title",
	"title_model": "Model number in the title",
	// report metrics
	"cases_opened": "Cases opened", "notices_issued": "Notices issued", "listings_removed": "Listings removed",
	"leads_opened": "Leads opened",
	// transitions (as actions on buttons)
	"to:triage": "Start triage", "to:investigating": "Start investigating", "to:decision": "Move to decision",
	"to:enforcement": "Move to enforcement", "to:monitoring": "Start monitoring", "to:closed": "Close the case",
	"to:reopened": "Reopen the case",
}

// label is the human word for a stored value; unknown values are written
// out from their spelling rather than shown raw.
func label(v string) string {
	if l, ok := labels[v]; ok {
		return l
	}
	if v == "" {
		return ""
	}
	s := strings.ReplaceAll(v, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// tagColours gives each state its one colour (govuk-frontend 6 names).
var tagColours = map[string]string{
	"intake": "blue", "triage": "blue", "investigating": "blue", "decision": "blue", "enforcement": "orange",
	"monitoring": "teal", "closed": "grey", "reopened": "purple",
	"low": "green", "medium": "yellow", "high": "orange", "serious": "red", "critical": "red", "info": "grey",
	"pass": "green", "fail": "red", "inconclusive": "yellow", "not_applicable": "grey",
	"open": "blue", "confirmed": "orange", "disputed": "yellow", "false_positive": "grey", "resolved": "green",
	"not_affected": "grey",
	"draft":        "grey", "pending_approval": "yellow", "approved": "blue", "issued": "purple", "served": "teal",
	"complied": "green", "breached": "red", "appealed": "orange", "upheld": "purple", "varied": "purple",
	"cancelled": "grey", "withdrawn": "grey", "revoked": "grey", "overdue": "red",
}

// tagClass is the govuk-tag modifier class for a state.
func tagClass(v string) string {
	if c, ok := tagColours[v]; ok {
		return "govuk-tag govuk-tag--" + c
	}
	return "govuk-tag govuk-tag--grey"
}

// actionTitles are the timeline's past-participle titles for audit actions.
var actionTitles = map[string]string{
	"case.create": "Case opened", "case.update": "Case details updated", "case.assign": "Officer assigned",
	"case.transition": "Case moved on", "case.closure_requested": "Closure requested",
	"case.assessment_set": "Verdict recorded", "case.note_added": "Note added", "case.party_added": "Business added",
	"case.referred": "Case referred", "case.referral_accepted": "Referral accepted",
	"case.referral_declined": "Referral declined", "case.referral_revoked": "Referral revoked",
	"case.referral_level_changed": "Collaboration access changed", "case.export": "Referral package exported",
	"case.json": "Case exported", "case.pdf": "Case report downloaded",
	"evidence.add": "Exhibit added", "evidence.generated": "Exhibit generated", "evidence.finding_update": "Finding reviewed",
	"evidence.verified_after_disposal": "Exhibit checked after disposal",
	"notice.draft":                     "Notice drafted", "notice.update": "Notice draft changed", "notice.submit": "Notice sent for approval",
	"notice.approve": "Notice approved", "notice.reject": "Notice returned to draft", "notice.issue": "Notice issued",
	"notice.serve": "Notice served", "notice.outcome": "Notice outcome recorded", "notice.payment": "Payment recorded",
	"notice.withdraw": "Notice withdrawn", "notice.revoke": "Notice revoked", "notice.pdf": "Notice PDF downloaded",
	"notice.self_approval_refused": "Approval by a contributor refused",
}

// actionTitle is the timeline title for an audit action.
func actionTitle(a string) string {
	if t, ok := actionTitles[a]; ok {
		return t
	}
	if rest, ok := strings.CutPrefix(a, "evidence.custody."); ok {
		return "Exhibit " + label(rest)
	}
	return label(strings.ReplaceAll(a, ".", " "))
}
