// Package reports is inter-agency reporting: aggregate statistics for
// analysts (a summary and monthly time series) and redacted referral
// packages of single cases for other agencies. Reports carry no personal
// data of complainants, officers or sole traders.
//
// # Who may report on what
//
// Analysts and supervisors (permission report:read) report on their own
// authority. Those who hold a reporting role in a national authority (OPSS)
// may also name any other authority, or ALL for every authority; anyone
// else asking for another authority is refused (403). Unknown authority
// codes are field errors.
//
// # Periods
//
// from and to accept a month (2026-03: the whole month), a date
// (2026-03-31: the whole day) or an RFC 3339 instant; the period is
// [from, to) in UTC, with a month or date as to included. With neither, the
// period is the current calendar month and the eleven before it; with only
// from it runs to the end of today; with only to it starts twelve months
// before. A reversed or empty period is a field error; one longer than ten
// years first has an end after today moved to the end of today (so it still
// covers the data), then is clamped to the ten years ending at its end, and
// the report says so.
// Months are UTC calendar months on both engines.
//
// # What each figure counts
//
// Cases belong to the authority that owns them; notices to the authority
// that issued them.
//
//   - cases opened: cases whose created_at is in the period, by origin and by
//     current status (per month, by current status, for the chart);
//   - cases closed: cases whose closed_at is in the period and that are still
//     closed (a reopened case has no closure), by origin and closure reason;
//   - failed requirements (PSTI requirements and EN 303 645 provisions, top
//     10 each): fail verdicts recorded in the period (the assessment's last
//     change) on the scope's cases, whenever those were opened — one per case
//     and requirement, so a count of cases — and the findings first recorded
//     in the period on the scope's cases that an officer has confirmed, per
//     requirement they cite; ranked by cases, then findings, then id;
//   - top manufacturers (10): operators named manufacturer or own-brander on
//     the scope's cases, by the fail verdicts recorded in the period on those
//     cases, then by how many of the cases had one (each case once per
//     operator, however many products or roles name it), then id. Sole
//     traders are flagged and named "Sole trader 1"… in rank order, without
//     id;
//   - notices: notices issued in the period by type — issued; served (service
//     recorded); complied, breached (current status); appealed (an appeal is
//     pending or decided: appealed, upheld, varied, cancelled); withdrawn or
//     revoked;
//   - penalties: penalty notices issued in the period and still in force (not
//     withdrawn, revoked or cancelled on appeal): their number, the amounts
//     imposed, and the payments recorded against them whenever paid; plus all
//     payments against the scope's penalty notices received in the period.
//     Money is in pence;
//   - listings: listings observed in the period of products that are the
//     subject of a case of the scope, by market type: found, now removed, and
//     removed after action — removed, with the listing's last change on or
//     after the first notice issued on a case of the scope about the product
//     — with that as a percentage of found (one decimal place);
//   - timings: over the cases of the scope whose first notice was issued (or
//     that were closed) in the period, the median and 90th percentile of the
//     time from opening, in days to two decimal places. Percentiles
//     interpolate linearly between closest ranks (PostgreSQL's
//     percentile_cont), computed in whole seconds on both engines.
//
// Time series count cases_opened (by created_at, owned cases),
// notices_issued (by issued_at, issuing authority) and listings_removed
// (removed listings of products in the scope's cases, by the month of their
// last change) per month, zero months included.
//
// # CSV
//
// The summary as text/csv is one table per section, each introduced by a
// line "# <section>" and its header row, separated by blank lines:
//
//	report: field, value (authority, from, to, generated_at, notes)
//	cases_by_origin: origin, opened, closed
//	cases_by_status: status, cases_opened
//	cases_by_closure_reason: closure_reason, cases_closed
//	cases_per_month: month, status, cases_opened
//	failed_psti_requirements: rank, requirement_id, title, cases_failed, confirmed_findings
//	failed_en303645_provisions: rank, requirement_id, title, cases_failed, confirmed_findings
//	notices: type, issued, served, complied, breached, appealed, withdrawn_or_revoked
//	penalties: penalties_imposed, imposed_pence, paid_pence, received_in_period_pence
//	listings: market_type, found, removed, removed_after_action, removed_after_action_pct
//	timings: milestone, cases, median_days, p90_days
//	top_manufacturers: rank, operator_id, name, sole_trader, country, cases, failed_requirements
//
// Totals rows carry "total" in their first column. Cells are
// spreadsheet-safe (pkg/csvsafe): a text cell starting with = + - @, tab or
// CR has a single quote put in front; numbers, negative ones included, are
// written as plain decimals.
//
// # Referral packages
//
// A supervisor of the owning authority exports a case as a ZIP archive for
// another agency (collaborating authorities do not pass the owner's case
// on): case.pdf (summary, products, parties, assessment matrix, notices and
// their particulars, shareable notes, exhibits), case.json (the same,
// PackageFormat), the selected exhibits byte for byte under exhibits/ —
// issued notices' PDFs among them, except those issued to a sole trader —
// and manifest.json listing every other file with its SHA-256 and size,
// every exhibit of the case with whether it is included, when and by whom
// the package was generated, for whom and why, and the redaction rules
// applied. The export is recorded in each exported exhibit's chain of
// custody and in the audit log in one transaction before any byte is sent.
//
// Personal data is redacted by rule (see Rules). A referral awaiting the
// receiving authority's decision shows it the same, through the API:
//
//	| Rule | Personal data                                  | In the package                                   |
//	|------|------------------------------------------------|--------------------------------------------------|
//	| R1   | The complainant: the record of who complained  | the record left out; occurrences in the title,   |
//	|      | and any of it in free text; in complaint text  | summary, notes, rationales and notices replaced  |
//	|      | any e-mail, UK telephone number or postcode    | by "[redacted: complainant (R1)]" / "[redacted:  |
//	|      |                                                | contact details (R1)]"; a complaint summary with |
//	|      |                                                | no complainant recorded withheld whole           |
//	| R2   | Names, e-mails and ids of officers             | a label, "Officer 1"…, the same per person       |
//	| R3   | The issuing officers: the supervisor issuing   | shown by name (the issuer also by e-mail)        |
//	|      | the package, who issued and approved notices   |                                                  |
//	| R4   | Sole traders (at any notice's issue, or now):  | "Sole trader 1"…, in free text too; the other    |
//	|      | name, trading names, address, company number,  | fields left out                                  |
//	|      | website, reporting contact                     |                                                  |
//	| R5   | Notes not marked shareable, closure, triage    | left out; the count of withheld notes is given   |
//	|      | and notice outcome notes                       |                                                  |
//	| R6   | Individuals named in free text: exhibit        | "[redacted: individual (R6)]"                    |
//	|      | collectors, statement-of-compliance signatories|                                                  |
//	| R7   | Whom a notice was served on                    | left out; method and date of service kept        |
//	| R8   | Documents TradeWarden generated: issued notice | copied byte for byte; one issued to a sole       |
//	|      | PDFs, which print the recipient                | trader is not: its particulars go with the name  |
//	|      |                                                | withheld, the PDF listed by reference, SHA-256   |
//	|      |                                                | and verification code                            |
//
// A notice's recipient is redacted as it stood when the notice was issued
// (the notice keeps that snapshot), so a later change to the shared
// register cannot undo the redaction.
//
// Exhibits uploaded by officers are copied byte-identical and are not
// redacted: the supervisor chooses which ones leave (exhibit_ids).
package reports
