package noticepdf

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// capFloorPence is the fixed limb of the penalty cap in section 38:
// £10,000,000, or 4% of qualifying worldwide revenue if greater.
const capFloorPence = 10_000_000 * 100

// actName is how the notice first names the PSTI Act; later text says "the Act".
const actName = "Product Security and Telecommunications Infrastructure Act 2022"

// notice is one document being laid out.
type notice struct {
	d    notices.Document
	info notices.TypeInfo
	t    notices.Type
	doc  *pdfdoc.Doc
	// verifyURL is the absolute address of the public verification page.
	verifyURL string
}

// name identifies the notice in errors.
func (n *notice) name() string {
	if n.d.Draft {
		return "draft " + strings.ToLower(n.info.Title)
	}
	return n.info.Title + " " + n.d.Notice.Reference
}

// quoteRef is what the recipient quotes when writing back.
func (n *notice) quoteRef() string {
	if n.d.Draft || n.d.Notice.Reference == "" {
		return n.d.CaseReference
	}
	return n.d.Notice.Reference
}

// officer is the person the recipient deals with: the issuer once issued.
func (n *notice) officer() string {
	if !n.d.Draft && n.d.IssuerName != "" {
		return n.d.IssuerName
	}
	return n.d.AuthorName
}

// productWord names the products the grounds refer to.
func (n *notice) productWord() string {
	if len(n.d.Products) == 1 {
		return "the product described above"
	}
	if len(n.d.Products) == 0 {
		return "the products concerned"
	}
	return "the products described above"
}

// deadline is the date by which the recipient must act, "immediately" for a
// stop notice without one, or "" when there is none.
func (n *notice) deadline() string {
	if dl := n.d.Notice.Deadline; dl != nil {
		return calendarDate(*dl)
	}
	if n.t == notices.Stop {
		return "immediately, on service of this notice"
	}
	return ""
}

// layout builds the whole document in reading order.
func (n *notice) layout() *pdfdoc.Doc {
	n.doc = pdfdoc.New(n.options())
	n.letterhead()
	n.title()
	n.particulars()
	n.grounds()
	if len(n.d.Schedule) > 0 || n.info.NeedsFailures {
		n.schedule()
	}
	n.sequence()
	switch n.t {
	case notices.Penalty, notices.PenaltyIntent:
		n.penalty()
		if len(n.d.Notice.Steps) > 0 {
			n.steps()
		}
	case notices.Information:
		n.informationRequired()
	default:
		n.steps()
	}
	if n.info.Appealable {
		n.consequences()
		n.appeal()
	} else {
		// Representations come first: they are what the recipient can do now.
		n.representations()
		n.consequences()
	}
	n.service()
	n.evidence()
	n.signature()
	n.verification()
	n.annexA()
	return n.doc
}

func (n *notice) options() pdfdoc.Options {
	d := n.d
	o := pdfdoc.Options{
		Title:     n.info.Title,
		Author:    d.AuthorityName,
		Subject:   n.info.Title + " under " + n.info.LegalBasis,
		Creator:   "TradeWarden",
		CreatedAt: d.Date,
	}
	if d.Draft {
		o.Title = "DRAFT " + strings.ToLower(n.info.Title) + " (not issued)"
		o.FooterLeft = "DRAFT — not issued — not valid"
		o.HeaderText = "DRAFT " + strings.ToLower(n.info.Title)
		if d.CaseReference != "" {
			o.FooterLeft += " · Case " + d.CaseReference
			o.HeaderText += " · Case " + d.CaseReference
		}
		o.HeaderText += " · " + d.Recipient.Name
		o.Watermark = "DRAFT"
		return o
	}
	o.Title += " " + d.Notice.Reference
	o.FooterLeft = "Ref " + d.Notice.Reference + " · Verification code " + d.Notice.Verification + " · verify at " + n.verifyURL
	o.HeaderText = n.info.Title + " " + d.Notice.Reference + " · " + d.Recipient.Name
	return o
}

func (n *notice) title() {
	n.doc.Title(n.info.Title, "Under "+n.info.LegalBasis)
	if n.d.Draft {
		n.doc.BoldParagraph("DRAFT — NOT ISSUED. This is a preview for review. It has not been approved and " +
			"issued, has no legal effect and must not be served.")
		n.doc.Space(2)
	}
}

func (n *notice) particulars() {
	d := n.d
	r := d.Recipient
	fields := []pdfdoc.Field{{Label: "To", Value: r.Name}}
	add := func(label, value string) {
		if value = strings.TrimSpace(value); value != "" {
			fields = append(fields, pdfdoc.Field{Label: label, Value: value})
		}
	}
	add("Trading as", strings.Join(r.TradingNames, "; "))
	add("Company number", r.CompanyNumber)
	if r.CompanyNumber != "" {
		add("Registered address", r.Address)
	} else {
		add("Address", r.Address)
	}
	add("Country", countryName(r.Country))
	add("Role in this case", upperFirst(d.RecipientRole))
	if dl := n.deadline(); dl != "" {
		add(n.info.DeadlineLabel, upperFirst(dl))
	}
	switch len(d.Products) {
	case 0:
	case 1:
		p := d.Products[0]
		add("Product", strings.TrimSpace(p.Brand+" "+p.Model))
		add("Product type", categoryLabel(p.Category))
		add("Variants", strings.Join(p.Variants, ", "))
		add("GTIN", p.GTIN)
		add("Firmware versions", strings.Join(p.FirmwareVersions, ", "))
	default:
		add("Products", strconv.Itoa(len(d.Products))+" products, listed in the table below")
	}
	n.doc.Particulars(fields...)
	if len(d.Products) > 1 {
		rows := make([][]string, len(d.Products))
		for i, p := range d.Products {
			rows[i] = []string{p.Brand, p.Model, strings.Join(p.Variants, ", "), p.GTIN,
				strings.Join(p.FirmwareVersions, ", ")}
		}
		n.doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{
			{Header: "Brand", Width: 28},
			{Header: "Model", Width: 40},
			{Header: "Variants", Width: 40},
			{Header: "GTIN", Width: 31, Mono: true},
			{Header: "Firmware", Width: 31},
		}, Rows: rows})
	}
}

// grounds states why the notice is given: the statutory test for the type,
// then the officer's reasons.
func (n *notice) grounds() {
	who := n.d.AuthorityName + " (“the authority”)"
	duties := "one or more of the duties imposed by Chapter 2 of Part 1 of the " + actName + " (“the Act”) in relation to " + n.productWord()
	if held := n.dutiesHeld(); held != "" {
		duties += ", namely " + held
	}
	var s string
	switch n.t {
	case notices.Compliance:
		s = who + " has reasonable grounds to believe that you have failed to comply with " + duties +
			". The failures are set out in the schedule of breaches below. This notice is given under section 28 of the Act."
	case notices.Stop:
		s = who + " has reasonable grounds to believe that you are carrying on, or are likely to carry on, an activity " +
			"that involves a failure to comply with " + duties + ". The failures are set out in the schedule of breaches below. " +
			"This notice is given under section 29 of the Act."
	case notices.Recall:
		s = who + " has reasonable grounds to believe that you have failed to comply with " + duties +
			", that products affected by the failures are in the hands of customers, and that action other than a recall " +
			"would not be adequate to deal with the failures. The failures are set out in the schedule of breaches below. " +
			"This notice is given under section 30 of the Act."
	case notices.Penalty:
		s = who + " is satisfied, on the balance of probabilities, that you have failed to comply with " + duties +
			". The failures are set out in the schedule of breaches below. The authority has decided to impose a monetary " +
			"penalty on you under section 36 of the Act."
	case notices.PenaltyIntent:
		s = who + " is satisfied, on the balance of probabilities, that you have failed to comply with " + duties +
			", and proposes to impose a monetary penalty on you under section 36 of the Act. The failures are set out in " +
			"the schedule of breaches below. This notice tells you of the proposal and of your right to make " +
			"representations before a decision is made (section 37 of the Act)."
	case notices.Intent:
		proposed, section := "compliance notice", "28"
		switch notices.ProposedOf(n.d.Notice) {
		case notices.Stop:
			proposed, section = "stop notice", "29"
		case notices.Recall:
			proposed, section = "recall notice", "30"
		}
		s = who + " has reasonable grounds to believe that you have failed to comply with " + duties +
			", and proposes to give you a " + proposed + " under section " + section + " of the Act. The failures are set out in the " +
			"schedule of breaches below. Before deciding whether to give the " + proposed + ", the authority will " +
			"consider any representations you make."
	case notices.Information:
		s = who + " is investigating whether the duties imposed by Chapter 2 of Part 1 of the " + actName +
			" (“the Act”) have been complied with in relation to " + n.productWord() + ", and requires you to provide the " +
			"information described below for that purpose. This notice is given under " + n.info.LegalBasis + "."
	}
	n.doc.Heading("Grounds")
	n.doc.Paragraph(s)
	if ps := paragraphs(n.d.Notice.Reasons); len(ps) > 0 {
		n.doc.Paragraph("The authority’s reasons are as follows.")
		for _, p := range ps {
			n.doc.Paragraph(p)
		}
	}
}

// regulations is how the schedule first names SI 2023/1007.
const regulations = "the Product Security and Telecommunications Infrastructure (Security Requirements for Relevant " +
	"Connectable Products) Regulations 2023 (SI 2023/1007)"

// summarised is how many findings a breach's paragraph names; Annex A
// lists them all.
const summarised = 3

// dutiesHeld names the duties the schedule cites, once each:
// "as importer, section 19 of the Act (…)".
func (n *notice) dutiesHeld() string {
	var out []string
	for _, r := range n.d.Schedule {
		for _, d := range r.Duties {
			c := "as " + string(d.Role) + ", " + d.Cite()
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return joinAnd(out)
}

// schedule sets out one row per breach: the Schedule 1 requirement (or the
// statement-of-compliance duty) not met, the duty of the recipient's role
// that this breaches, and one paragraph of assessment and chosen evidence.
func (n *notice) schedule() {
	n.doc.Heading("Schedule of breaches")
	n.doc.Paragraph("Each row is a security requirement of Schedule 1 to " + regulations + " (“the 2023 Regulations”), " +
		"or the statement-of-compliance duty, that is not met; the duty under the Act breached as a result; and the " +
		"officer’s assessment with the evidence relied on. ETSI EN 303 645 provisions are technical evidence and the " +
		"deemed-compliance route (Schedule 2) not met, not duties. Exhibits are cited by reference and the first 16 " +
		"characters of their SHA-256; the full fingerprints are under “Evidence relied on”.")
	rows := make([][]string, len(n.d.Schedule))
	for i, r := range n.d.Schedule {
		rows[i] = []string{strconv.Itoa(i + 1), requirementCell(r), dutyCell(r), assessmentCell(r)}
	}
	n.doc.Table(pdfdoc.Table{
		Columns: []pdfdoc.Column{
			{Header: "No.", Width: 9.5},
			{Header: "Requirement not met", Width: 36},
			{Header: "Duty breached", Width: 38},
			{Header: "Officer’s assessment and evidence", Width: 86.5},
		},
		Rows:  rows,
		Empty: "No failed requirement is cited.",
	})
	if len(n.d.OtherTechnical) > 0 {
		var cited []string
		for _, t := range n.d.OtherTechnical {
			cited = append(cited, "provision "+t.ID+" ("+t.Title+")")
		}
		n.doc.Paragraph("The authority also cites " + joinAnd(cited) + " of ETSI EN 303 645 V2.1.1 as technical evidence of " +
			"the failures above. They are technical standards, not duties under the Act.")
	}
}

func requirementCell(r notices.ScheduleRow) string {
	switch {
	case r.Paragraph != "":
		return "Schedule 1, paragraph " + r.Paragraph + " to the 2023 Regulations: " + r.RequirementTitle
	case r.RequirementID == "PSTI-SOC":
		return "The duty to supply the product with a statement of compliance"
	}
	return strings.TrimSpace(r.RequirementID + " " + r.RequirementTitle)
}

func dutyCell(r notices.ScheduleRow) string {
	if len(r.Duties) == 0 {
		return "—"
	}
	var out []string
	for _, d := range r.Duties {
		out = append(out, upperFirst(d.Cite())+", as "+string(d.Role))
	}
	return strings.Join(out, "\n")
}

// assessmentCell is the breach's paragraph: the officer's assessment, the
// technical provisions, the most severe findings with where they were seen
// and the exhibit that shows them, the other exhibits, and how many more
// findings Annex A lists.
func assessmentCell(r notices.ScheduleRow) string {
	var parts []string
	if a := strings.TrimSpace(r.Rationale); a != "" {
		parts = append(parts, a)
	}
	for _, t := range r.Technical {
		line := "ETSI EN 303 645 V2.1.1 provision " + t.ID + " (" + t.Title + ") is cited as technical evidence."
		if t.Deemed {
			line = "ETSI EN 303 645 V2.1.1 provision " + t.ID + " (" + t.Title + ") is not met, so the product does not have the " +
				"benefit of deemed compliance under Schedule 2 to the 2023 Regulations."
		}
		if ra := strings.TrimSpace(t.Rationale); ra != "" {
			line += " " + ra
		}
		parts = append(parts, line)
	}
	var ev []string
	shown := map[string]bool{}
	for i, f := range r.Findings {
		if i == summarised {
			break
		}
		line := f.Title
		if w := f.Where(); w != "" {
			line += " on " + w
		}
		if e, ok := exhibitOf(r, f.EvidenceID); ok {
			line += " — " + e.Ref + exhibitHash(e)
			shown[e.ID] = true
		}
		ev = append(ev, line)
	}
	for _, e := range r.Exhibits {
		if !shown[e.ID] && !laterFindingExhibit(r, e.ID) {
			ev = append(ev, e.Ref+exhibitHash(e))
		}
	}
	if more := len(r.Findings) - summarised; more > 0 {
		word := "findings"
		if more == 1 {
			word = "finding"
		}
		ev = append(ev, "and "+strconv.Itoa(more)+" further "+word+" listed in Annex A")
	}
	if len(ev) > 0 {
		parts = append(parts, "Evidence: "+strings.Join(ev, "; ")+".")
	} else {
		parts = append(parts, "Evidence: see the officer’s assessment.")
	}
	return strings.Join(parts, "\n")
}

func exhibitHash(e notices.ExhibitRef) string {
	if e.SHA256 == "" {
		return ""
	}
	return ", sha256 " + shortHash(e.SHA256)
}

func exhibitOf(r notices.ScheduleRow, id string) (notices.ExhibitRef, bool) {
	for _, e := range r.Exhibits {
		if e.ID == id {
			return e, true
		}
	}
	return notices.ExhibitRef{}, false
}

// laterFindingExhibit reports whether exhibit id belongs only to findings
// beyond the summary (it is then cited through Annex A).
func laterFindingExhibit(r notices.ScheduleRow, id string) bool {
	later := false
	for i, f := range r.Findings {
		if f.EvidenceID != id {
			continue
		}
		if i < summarised {
			return false
		}
		later = true
	}
	return later
}

// sequence states the step before the notice: the notice of intent given,
// the representations received and the authority's response; or why the
// notice could not wait, and who approved that.
func (n *notice) sequence() {
	sq := n.d.Sequence
	if sq == nil {
		return
	}
	if sq.Route == notices.RouteUrgency {
		n.doc.Heading("Why this notice is given without a notice of intent")
		n.doc.Paragraph("The authority has not first told you of its intention to give this notice because it considers " +
			"that the notice cannot wait, for the following reasons.")
		for _, p := range paragraphs(sq.Urgency) {
			n.doc.Paragraph(p)
		}
		if sq.UrgencyApprover != "" && sq.UrgencyApprovedAt != nil {
			n.doc.Paragraph("The decision to give this notice without a notice of intent was approved on " + issueDate(*sq.UrgencyApprovedAt) +
				" by " + sq.UrgencyApprover + ", a supervising officer of the authority who did not draft this notice.")
		} else {
			n.doc.Paragraph("The decision to give this notice without a notice of intent has not yet been approved by a supervising officer.")
		}
		return
	}
	n.doc.Heading("Notice of intent and representations")
	if sq.IntentReference == "" || sq.GivenOn == nil {
		n.doc.Paragraph("The authority has not yet given you the notice of intent that " + sq.Provision + " requires before " +
			"this notice may be given.")
		return
	}
	s := "On " + calendarDate(*sq.GivenOn) + " the authority gave you a " + lowerFirst(sq.IntentTitle) + " (reference " +
		sq.IntentReference + "), telling you that it intended to take this action for the failures set out above, and gave " +
		"you the opportunity to make representations"
	if sq.RepresentationsBy != nil {
		s += " by " + calendarDate(*sq.RepresentationsBy)
	}
	n.doc.Paragraph(s + ", as " + sq.Provision + " requires.")
	if len(sq.Representations) == 0 {
		n.doc.Paragraph("The authority received no representations from you.")
		for _, p := range paragraphs(sq.Response) {
			n.doc.Paragraph(p)
		}
		return
	}
	var got []string
	for _, r := range sq.Representations {
		line := "on " + issueDate(r.ReceivedAt) + " from " + r.From
		if len(r.Exhibits) > 0 {
			var refs []string
			for _, e := range r.Exhibits {
				refs = append(refs, e.Ref)
			}
			line += " (attachments held as " + joinAnd(refs) + ")"
		}
		got = append(got, line)
	}
	n.doc.Paragraph("The authority received representations " + joinAnd(got) + ". It has considered them before deciding to " +
		"give this notice. Its response to them is as follows.")
	for _, p := range paragraphs(sq.Response) {
		n.doc.Paragraph(p)
	}
}

// annexA lists every finding the schedule relies on, compactly, when the
// schedule could not name them all.
func (n *notice) annexA() {
	var rows [][]string
	more := false
	for i, r := range n.d.Schedule {
		more = more || len(r.Findings) > summarised
		for _, f := range r.Findings {
			ex := ""
			if e, ok := exhibitOf(r, f.EvidenceID); ok {
				ex = e.Ref
				if j := strings.LastIndex(ex, "/"); j >= 0 {
					ex = ex[j+1:]
				}
			}
			rows = append(rows, []string{strconv.Itoa(len(rows) + 1), strconv.Itoa(i + 1), f.Title, f.Where(), strings.ToLower(f.Severity), ex})
		}
	}
	if !more {
		return
	}
	n.doc.Heading("Annex A: findings relied on")
	n.doc.Paragraph("Every finding the schedule of breaches relies on, by breach. Exhibit references are those of case " +
		n.d.CaseReference + ".")
	n.doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{
		{Header: "No.", Width: 9.5},
		{Header: "Breach", Width: 13},
		{Header: "Finding", Width: 78.5},
		{Header: "Where", Width: 32},
		{Header: "Severity", Width: 17},
		{Header: "Exhibit", Width: 20},
	}, Rows: rows})
}

// steps lists what the recipient must (or, for intent, would have to) do
// and by when.
func (n *notice) steps() {
	heading, intro := "Steps required", ""
	switch n.t {
	case notices.Compliance:
		intro = "You must take the following steps to remedy the failures set out above:"
	case notices.Stop:
		intro = "You must stop carrying on the activity described in this notice and take the following steps:"
	case notices.Recall:
		intro = "You must recall the products described above by taking the following steps:"
	case notices.Intent:
		heading = "Proposed steps"
		intro = "If the authority gives you a compliance notice, it proposes to require you to take the following steps:"
	case notices.Penalty, notices.PenaltyIntent:
		heading = "Remedial steps"
		intro = "To bring the failures to an end, you should take the following steps:"
	}
	n.doc.Heading(heading)
	if len(n.d.Notice.Steps) == 0 {
		n.doc.Paragraph("This notice does not specify steps. You must ensure that the failures set out above do not continue.")
	} else {
		n.doc.Paragraph(intro)
		n.numbered("Step", n.d.Notice.Steps)
	}
	dl := n.deadline()
	switch {
	case n.t == notices.Intent || n.t == notices.Penalty || n.t == notices.PenaltyIntent || dl == "":
	case n.t == notices.Stop && n.d.Notice.Deadline == nil:
		n.doc.BoldParagraph(n.info.DeadlineLabel + ": " + dl + ".")
	default:
		n.doc.BoldParagraph(n.info.DeadlineLabel + ": " + dl + ".")
		n.doc.Paragraph("The period for taking these steps ends on " + dl + ".")
	}
	if n.t == notices.Stop {
		n.doc.Paragraph("The authority may revoke this notice once it is satisfied that the steps it requires have been taken.")
	}
}

// numbered sets a list as a two-column table, so that long items keep a
// hanging indent under their number.
func (n *notice) numbered(header string, items []string) {
	rows := make([][]string, len(items))
	for i, it := range items {
		rows[i] = []string{strconv.Itoa(i+1) + ".", it}
	}
	n.doc.Table(pdfdoc.Table{
		Columns: []pdfdoc.Column{{Header: "No.", Width: 9.5}, {Header: header, Width: 160.5}},
		Rows:    rows,
	})
}

func (n *notice) informationRequired() {
	n.doc.Heading("Information required")
	if len(n.d.Notice.Steps) == 0 {
		n.doc.Paragraph("You must provide the information described in the grounds above.")
	} else {
		n.doc.Paragraph("You must provide the following information:")
		n.numbered("Information", n.d.Notice.Steps)
	}
	if dl := n.deadline(); dl != "" {
		n.doc.BoldParagraph(n.info.DeadlineLabel + ": " + dl + ".")
		n.doc.Paragraph("Send the information in writing to " + n.officer() + ", " + n.d.AuthorityName +
			", quoting reference " + n.quoteRef() + ". Where documents are requested, send copies and keep the originals.")
	}
}

// penalty sets out the figures of a penalty, or of a proposed one.
func (n *notice) penalty() {
	p := *n.d.Notice.Penalty
	limit := n.d.PenaltyCap
	if limit == 0 {
		limit = p.Cap()
	}
	proposed := n.t == notices.PenaltyIntent
	heading, amountLabel, dailyLabel := "Penalty", "Penalty imposed", "Daily penalty"
	if proposed {
		heading, amountLabel, dailyLabel = "Proposed penalty", "Proposed penalty", "Proposed daily penalty"
	}
	n.doc.Heading(heading)
	revenue := money(p.QualifyingRevenuePence)
	if p.RevenuePeriod != "" {
		revenue += " (" + p.RevenuePeriod + ")"
	}
	fourPct := p.QualifyingRevenuePence / 25
	daily := "None"
	if p.DailyPence > 0 {
		daily = money(p.DailyPence) + " for each day on which the failure continues (the maximum is " +
			money(notices.MaxDailyPence) + " a day)"
	}
	fields := []pdfdoc.Field{
		{Label: "Qualifying worldwide revenue", Value: revenue},
		{Label: "Maximum penalty", Value: money(limit) + ", being the greater of " + money(capFloorPence) +
			" and 4% of qualifying worldwide revenue (4% of " + money(p.QualifyingRevenuePence) + " is " + money(fourPct) +
			"), under section 38 of the Act"},
		{Label: amountLabel, Value: money(p.AmountPence)},
		{Label: dailyLabel, Value: daily},
	}
	if proposed {
		n.doc.Paragraph("The authority proposes to impose a penalty of " + money(p.AmountPence) +
			". The figures on which the proposal is based are:")
	} else {
		n.doc.Paragraph("The authority imposes a penalty of " + money(p.AmountPence) + " on you. The figures on which it is based are:")
	}
	n.doc.Particulars(fields...)
	if proposed {
		n.doc.Paragraph("No penalty is payable as a result of this notice. If a penalty is imposed, the penalty notice " +
			"will allow at least 28 days for payment.")
		return
	}
	if n.d.Notice.Deadline != nil {
		n.doc.BoldParagraph(n.info.DeadlineLabel + ": " + calendarDate(*n.d.Notice.Deadline) + ".")
	}
	n.paymentDetails()
}

func (n *notice) consequences() {
	switch n.t {
	case notices.Compliance, notices.Stop, notices.Recall:
		n.doc.Heading("Consequences of not complying")
		n.doc.Paragraph("Failing to comply with this notice is an offence under section 32 of the Act. A person who " +
			"commits the offence is liable on summary conviction to a fine.")
		n.doc.Paragraph("It is a defence to show that you took all reasonable steps to comply with the notice. If the " +
			"defence involves an allegation that the failure was due to the act or default of another person, you may rely " +
			"on it only if you have given the prosecutor a notice identifying that person at least 7 clear days before the hearing.")
		if n.t == notices.Recall {
			n.doc.Paragraph("If you do not carry out the recall, the authority may itself arrange for the products to be " +
				"recalled and destroyed and may recover the costs of doing so from you (section 47 of the Act).")
		}
		n.doc.Paragraph("Separately, if the authority is satisfied on the balance of probabilities that you have failed " +
			"to comply with a duty under the Act, it may impose a monetary penalty of up to the greater of £10,000,000 and " +
			"4% of your qualifying worldwide revenue, and up to £20,000 for each day the failure continues (sections 36 and 38).")
	case notices.Penalty:
		n.doc.Heading("Consequences of not paying")
		n.doc.Paragraph("If the penalty is not paid in full by the date above, the authority may take proceedings to " +
			"recover the unpaid amount. Paying the penalty does not relieve you of your duties under the Act: the " +
			"authority may take further enforcement action, including a compliance, stop or recall notice, if the " +
			"failures continue. Failing to comply with such a notice is an offence under section 32 of the Act.")
	case notices.Information:
		n.doc.Heading("Consequences of not complying")
		n.doc.Paragraph("If you do not provide the information by the date above, the authority may take further " +
			"enforcement action. Intentionally obstructing an officer is an offence under paragraph 36 of Schedule 5 to " +
			"the Consumer Rights Act 2015.")
	case notices.Intent:
		n.doc.Heading("What happens next")
		n.doc.Paragraph("When the period for representations has ended, the authority will consider any representations " +
			"you have made and decide whether to give you a compliance notice under section 28 of the Act, and in what " +
			"terms. If a compliance notice is given, failing to comply with it is an offence under section 32 of the Act, " +
			"and you will have a right of appeal to the First-tier Tribunal.")
	case notices.PenaltyIntent:
		n.doc.Heading("What happens next")
		n.doc.Paragraph("When the period for representations has ended, the authority will consider any representations " +
			"you have made and decide whether to impose a penalty and, if so, of what amount. If it imposes a penalty, it " +
			"will give you a penalty notice, which will allow at least 28 days for payment and explain your right of " +
			"appeal to the First-tier Tribunal.")
	}
}

func (n *notice) appeal() {
	section, subject := "33", "the decision to give this notice"
	if n.t == notices.Penalty {
		section, subject = "41", "the decision to impose the penalty"
	}
	n.doc.Heading("Your right of appeal")
	n.doc.Paragraph("You may appeal against this notice to the First-tier Tribunal (General Regulatory Chamber) under " +
		"section " + section + " of the Act. Your appeal must be made within 28 days of the date on which this notice is " +
		"served on you.")
	grounds := "An appeal may be made on the grounds that " + subject + " was based on an error of fact or was wrong in law"
	if n.t == notices.Penalty {
		grounds += ", or that the amount of the penalty is wrong"
	}
	n.doc.Paragraph(grounds + ". If you appeal, please also tell " + n.officer() + " at the authority, quoting reference " +
		n.quoteRef() + ".")
}

func (n *notice) representations() {
	about, decision := "this notice", ""
	switch n.t {
	case notices.Intent:
		about = "the proposed compliance notice, including the failures alleged and the steps proposed"
		decision = " before deciding whether to give you a compliance notice"
	case notices.PenaltyIntent:
		about = "the proposed penalty, including the failures alleged and the amount"
		decision = " before deciding whether to impose a penalty"
	}
	n.doc.Heading("Making representations")
	s := "You may make written representations about " + about + "."
	if dl := n.deadline(); dl != "" {
		s += " Your representations must reach the authority by " + dl + "."
	}
	n.doc.Paragraph(s)
	how := "Send them by post or email to " + n.officer() + ", " + n.d.AuthorityName + ", quoting reference " +
		n.quoteRef() + ", with any evidence you want the authority to consider."
	if decision != "" {
		how += " The authority will consider everything it receives by that date" + decision + "."
	}
	n.doc.Paragraph(how)
	if n.t == notices.Information {
		n.doc.Paragraph("If you consider that any of the information cannot be provided, or cannot be provided in time, " +
			"tell the officer in writing before the date above, giving your reasons.")
	}
}

// evidence lists every exhibit the notice relies on, with its full hash: the
// exhibits cited on the notice and those linked in the schedule.
func (n *notice) evidence() {
	var all []notices.ExhibitRef
	seen := map[string]bool{}
	add := func(e notices.ExhibitRef) {
		key := cmp.Or(e.ID, e.Ref)
		if seen[key] {
			return
		}
		seen[key] = true
		all = append(all, e)
	}
	for _, e := range n.d.Exhibits {
		add(e)
	}
	for _, r := range n.d.Schedule {
		for _, e := range r.Exhibits {
			add(e)
		}
	}
	slices.SortStableFunc(all, func(a, b notices.ExhibitRef) int { return cmp.Compare(a.Ref, b.Ref) })

	n.doc.Heading("Evidence relied on")
	if len(all) == 0 {
		n.doc.Paragraph("This notice does not rely on any exhibit.")
		return
	}
	n.doc.Paragraph("The authority relies on the exhibits listed below. Each is held by the authority and identified by " +
		"its SHA-256 fingerprint, which would change if the exhibit were altered in any way. You may ask " + n.officer() +
		" for copies.")
	rows := make([][]string, len(all))
	for i, e := range all {
		rows[i] = []string{e.Ref, e.Description, splitHash(e.SHA256)}
	}
	// In millimetres: the hash column holds exactly 32 monospaced digits, so a
	// SHA-256 always breaks into two equal halves.
	n.doc.Table(pdfdoc.Table{Columns: []pdfdoc.Column{
		{Header: "Exhibit", Width: 52},
		{Header: "Description", Width: 53},
		{Header: "SHA-256", Width: 65, Mono: true},
	}, Rows: rows})
}
