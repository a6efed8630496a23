package noticepdf_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
	"github.com/tradewarden/tradewarden/services/casework/core/legalbasis"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/noticepdf"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.txt from the current output")

var spaces = regexp.MustCompile(`\s+`)

// contentBottomPt is the lowest y (from the top, in points) body text may
// reach: the footer sits below it.
const contentBottomPt = (297 - 22) * 72 / 25.4

// flat collapses whitespace so that wrapped text reads as one line.
func flat(s string) string { return spaces.ReplaceAllString(s, " ") }

func render(t testing.TB, d notices.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := noticepdf.New().Render(&buf, d); err != nil {
		t.Fatalf("render: %v", err)
	}
	return buf.Bytes()
}

// column returns the words of a table column, in reading order. The table
// is the first one on a page whose header row holds the word anchor; the
// column is the one headed head, and ends at the next header word (if any)
// and at the next numbered heading or the signature.
func column(words []pdftext.Word, anchor, head, next string) string {
	page, hy := 0, -1.0
	for _, w := range words {
		if w.Text == anchor {
			page, hy = w.Page, w.YMax
			break
		}
	}
	var hx, nx, stop float64 = -1, 1e9, 1e9
	for _, w := range words {
		if w.Page != page {
			continue
		}
		switch {
		case w.Text == head && w.YMax == hy:
			hx = w.XMin
		case next != "" && w.Text == next && w.YMax == hy:
			nx = w.XMin
		case w.YMin > hy && w.XMin < 60 && tableEnd.MatchString(w.Text):
			stop = min(stop, w.YMin)
		}
	}
	if hx < 0 {
		return ""
	}
	var out []string
	for _, w := range words {
		if w.Page == page && w.YMin > hy && w.YMax < min(stop, contentBottomPt) && w.XMin >= hx-0.5 && w.XMin < nx-0.5 {
			out = append(out, w.Text)
		}
	}
	return strings.Join(out, " ")
}

var (
	// sectionNo matches the number of a section heading, "3.".
	sectionNo = regexp.MustCompile(`^[0-9]+\.$`)
	// tableEnd matches what may follow a table at the left margin: the next
	// section heading or the signature block.
	tableEnd = regexp.MustCompile(`^([0-9]+\.|Signed|Draft|Questions)$`)
)

// common is what every issued fixture prints.
func common(d notices.Document) []string {
	return []string{
		authorityName, "on behalf of the Secretary of State", "Birmingham B4 6BS", "Telephone 0121 345 1200",
		"Notice ref " + d.Notice.Reference, "Date of issue 26 November 2026", "Case ref " + caseRef,
		"Verification code " + d.Notice.Verification,
		d.Info.Title, "Under " + d.Info.LegalBasis,
		"To " + d.Recipient.Name,
		"1. Grounds", "The authority’s reasons are as follows.", "On 3 November 2026 an officer of the authority made a test purchase",
		"Evidence relied on",
		"Signed for and on behalf of " + authorityName, issuerName, "Issuing officer", "Date: 26 November 2026",
		"Approved by " + approverName + ", a second officer of the authority who did not draft this notice.",
		"Anyone can check that this notice is genuine at " + noticepdf.DefaultBaseURL + "/verify with the reference and verification code",
	}
}

var brightwave = []string{
	"Trading as Brightwave; SmartHome Direct", "Company number 12345678",
	"Registered address Unit 4, Riverside Park, 18 Mill Lane, Ashford, Kent TN24 8QD", "Country United Kingdom (GB)",
}

var singleCamera = []string{
	"Product Brightwave SmartCam Pro 2 (SC-P2-UK)", "Product type Indoor security camera",
	"Variants SC-P2-UK-W white, SC-P2-UK-B black", "GTIN 05060123456784", "Firmware versions 2.4.1, 2.4.3",
}

var enforcementConsequences = []string{
	"Consequences of not complying",
	"Failing to comply with this notice is an offence under section 32 of the Act.",
	"liable on summary conviction to a fine",
	"It is a defence to show that you took all reasonable steps to comply with the notice.",
	"at least 7 clear days before the hearing",
}

var appeal33 = []string{
	"Your right of appeal", "First-tier Tribunal (General Regulatory Chamber) under section 33 of the Act",
	"within 28 days of the date on which this notice is served on you",
}

func TestEveryTypeCarriesItsParticulars(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	tests := []struct {
		name   string
		doc    notices.Document
		want   []string
		absent []string
	}{
		{"compliance", complianceDoc(), concat(brightwave, singleCamera, enforcementConsequences, appeal33, []string{
			"Compliance notice", "Under section 28 of the Product Security and Telecommunications Infrastructure Act 2022",
			"Role in this case Importer", "Comply by 24 December 2026",
			"has reasonable grounds to believe that you have failed to comply with one or more of the duties imposed by Chapter 2 of Part 1",
			"2. Schedule of breaches", "3. Steps required",
			"1. Stop supplying SmartCam Pro 2 units that use a universal default password",
			"including Kühn Elektronik GmbH and Maison Connectée SARL",
			"4. Send the authority evidence that these steps have been taken",
			"Comply by: 24 December 2026.", "The period for taking these steps ends on 24 December 2026.",
			"up to the greater of £10,000,000 and 4% of your qualifying worldwide revenue, and up to £20,000 for each day",
		}), []string{"Making representations", "section 47", "DRAFT"}},
		{"stop without deadline", stopDoc(), concat(brightwave, enforcementConsequences, appeal33, []string{
			"Stop notice", "Under section 29 of the Product Security",
			"Stop by Immediately, on service of this notice",
			"are carrying on, or are likely to carry on, an activity that involves a failure to comply",
			"You must stop carrying on the activity described in this notice",
			"2. Warn customers who bought the product since 29 April 2024",
			"Stop by: immediately, on service of this notice.",
			"The authority may revoke this notice once it is satisfied that the steps it requires have been taken.",
		}), []string{"Making representations", "period for taking these steps"}},
		{"recall", recallDoc(), concat(brightwave, enforcementConsequences, appeal33, []string{
			"Recall notice", "Under section 30 of the Product Security",
			"Role in this case Importer, distributor", "Products 2 products, listed in the table below",
			"Brand Model Variants GTIN Firmware",
			"05060123456784", "05060123456791", "RingSafe Video Doorbell",
			"Recall completed by 24 December 2026", "Recall completed by: 24 December 2026.",
			"action other than a recall would not be adequate",
			"may recover the costs of doing so from you (section 47 of the Act)",
			"asking customers to return them to Brightwave Returns",
		}), []string{"Making representations"}},
		{"penalty", penaltyDoc(), []string{
			"Penalty notice", "Under sections 36 to 38 of the Product Security",
			"To Shenzhen Lumina Smart Technology Co., Ltd", "Trading as Lumina Smart", "Company number 91440300MA5FXXXX1K",
			"Country China (CN)", "Role in this case Manufacturer", "Pay by 8 January 2027",
			"is satisfied, on the balance of probabilities, that you have failed to comply",
			"3. Penalty", "The authority imposes a penalty of £2,500,000.00 on you.",
			"Qualifying worldwide revenue £400,000,000.00 (financial year ended 31 March 2026)",
			"Maximum penalty £16,000,000.00, being the greater of £10,000,000.00 and 4% of qualifying worldwide revenue " +
				"(4% of £400,000,000.00 is £16,000,000.00), under section 38 of the Act",
			"Penalty imposed £2,500,000.00",
			"Daily penalty £5,000.00 for each day on which the failure continues (the maximum is £20,000.00 a day)",
			"Pay by: 8 January 2027.", "quoting reference OPSS-PN-2026-0002",
			"Consequences of not paying", "an offence under section 32 of the Act",
			"First-tier Tribunal (General Regulatory Chamber) under section 41 of the Act",
			"within 28 days of the date on which this notice is served on you", "or that the amount of the penalty is wrong",
		}, []string{"Making representations", "Steps required"}},
		{"penalty intent", penaltyIntentDoc(), []string{
			"Notice of intent to impose a penalty", "Under section 37 of the Product Security",
			"proposes to impose a monetary penalty on you under section 36 of the Act",
			"3. Proposed penalty", "Proposed penalty £2,500,000.00", "Proposed daily penalty None",
			"Maximum penalty £16,000,000.00", "No penalty is payable as a result of this notice.",
			"4. Making representations", "about the proposed penalty, including the failures alleged and the amount",
			"Your representations must reach the authority by 24 December 2026.",
			"Send them by post or email to " + issuerName + ", " + authorityName + ", quoting reference OPSS-PI-2026-0004",
			"5. What happens next",
		}, []string{"Your right of appeal", "Penalty imposed", "Pay by:"}},
		{"information", informationDoc(), concat(brightwave, singleCamera, []string{
			"Information notice",
			"Under paragraph 14 of Schedule 5 to the Consumer Rights Act 2015, as applied by section 26(4) of the Product Security",
			"Provide the information by 24 December 2026",
			"requires you to provide the information described below",
			"2. Information required", "1. The statement of compliance supplied with the SmartCam Pro 2",
			"Provide the information by: 24 December 2026.", "Send the information in writing to " + issuerName,
			"3. Making representations", "Your representations must reach the authority by 24 December 2026.",
			"4. Consequences of not complying", "paragraph 36 of Schedule 5 to the Consumer Rights Act 2015",
		}), []string{"Schedule of breaches", "Your right of appeal", "section 32", "PSTI-1"}},
		{"intent", intentDoc(), concat(brightwave, singleCamera, []string{
			"Notice of intent to issue a compliance notice", "Representations by 10 December 2026",
			"proposes to give you a compliance notice under section 28 of the Act",
			"2. Schedule of breaches", "3. Proposed steps", "it proposes to require you to take the following steps",
			"4. Making representations", "Your representations must reach the authority by 10 December 2026.",
			"before deciding whether to give you a compliance notice",
			"5. What happens next", "failing to comply with it is an offence under section 32 of the Act",
		}), []string{"Your right of appeal", "Comply by"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pdf := render(t, tc.doc)
			all := flat(pdftext.Extract(t, pdf))
			for _, want := range append(common(tc.doc), tc.want...) {
				if !strings.Contains(all, want) {
					t.Errorf("text lacks %q", want)
				}
			}
			for _, no := range tc.absent {
				if strings.Contains(all, no) {
					t.Errorf("text should not contain %q", no)
				}
			}
			if tc.doc.Info.NeedsFailures {
				checkSchedule(t, pdf)
			}
			checkEvidence(t, pdf, tc.doc)
		})
	}
}

// checkSchedule reads the schedule's columns back and checks each row's
// requirement, legal reference, assessment and evidence.
func checkSchedule(t *testing.T, pdf []byte) {
	t.Helper()
	words := pdftext.Words(t, pdf)
	const anchor = "Officer’s"
	cols := map[string]string{
		"requirement": column(words, anchor, "Requirement", "Duty"),
		"duty":        column(words, anchor, "Duty", "Officer’s"),
		"assessment":  column(words, anchor, "Officer’s", ""),
	}
	for col, want := range map[string][]string{
		"requirement": {"Schedule 1, paragraph 1 to the 2023 Regulations: Passwords"},
		"duty":        {"Section 19 of the Act (Duties to take action in relation to manufacturer’s compliance failure), as importer"},
		"assessment": {"All three test units accepted the same factory default password (“admin”)",
			"contrary to Schedule 1, paragraph 1.",
			"ETSI EN 303 645 V2.1.1 provision 5.1-1 (Unique or user-defined passwords) is not met, so the product does not " +
				"have the benefit of deemed compliance under Schedule 2 to the 2023 Regulations.",
			"Evidence: Telnet service accepts default credentials admin/admin on 192.168.50.10:23 — OPSS-2026-000123/EX-003, " +
				"sha256 9b1e44c07d2a5f30…; OPSS-2026-000123/EX-002, sha256 3fa9c1d2e4b5a6f7…."},
	} {
		for _, w := range want {
			if !strings.Contains(cols[col], w) {
				t.Errorf("schedule column %s lacks %q; it reads %q", col, w, cols[col])
			}
		}
	}
}

// checkEvidence reads the evidence table back: every exhibit cited or linked
// in the schedule, in reference order, with its full SHA-256.
func checkEvidence(t *testing.T, pdf []byte, d notices.Document) {
	t.Helper()
	seen := map[string]notices.ExhibitRef{}
	for _, e := range d.Exhibits {
		seen[e.Ref] = e
	}
	for _, r := range d.Schedule {
		for _, e := range r.Exhibits {
			seen[e.Ref] = e
		}
	}
	var refs, hashes []string
	for _, ref := range slices.Sorted(maps.Keys(seen)) {
		refs = append(refs, ref)
		hashes = append(hashes, seen[ref].SHA256[:32]+" "+seen[ref].SHA256[32:])
	}
	words := pdftext.Words(t, pdf)
	if got, want := column(words, "Description", "Exhibit", "Description"), strings.Join(refs, " "); got != want {
		t.Errorf("evidence table lists exhibits %q, want %q", got, want)
	}
	if got, want := column(words, "Description", "SHA-256", ""), strings.Join(hashes, " "); got != want {
		t.Errorf("evidence table lists hashes %q, want %q", got, want)
	}
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestFooterOnEveryPage(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	for name, d := range map[string]notices.Document{
		"compliance": complianceDoc(), "penalty": penaltyDoc(), "information": informationDoc(),
		"long schedule": longSchedule(40),
	} {
		t.Run(name, func(t *testing.T) {
			pages := pdftext.Pages(t, render(t, d))
			footer := "Ref " + d.Notice.Reference + " · Verification code " + d.Notice.Verification +
				" · verify at " + noticepdf.DefaultBaseURL + "/verify"
			header := d.Info.Title + " " + d.Notice.Reference + " · " + d.Recipient.Name
			for i, p := range pages {
				p = flat(p)
				if !strings.Contains(p, footer) {
					t.Errorf("page %d lacks the footer %q", i+1, footer)
				}
				if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(p, want) {
					t.Errorf("page %d lacks %q", i+1, want)
				}
				if i > 0 && !strings.HasPrefix(strings.TrimSpace(p), header) {
					t.Errorf("page %d does not start with the running header %q", i+1, header)
				}
			}
		})
	}
}

// A longer authority code must not push the verification hint out of the
// footer.
func TestFooterFitsLongAuthorityCode(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	d := complianceDoc()
	d.AuthorityCode, d.Notice.AuthorityCode = "KENT-TS", "KENT-TS"
	d.Notice.Reference = "KENT-TS-CN-2026-0001"
	d.Notice.Verification = code(d.Notice.Reference)
	for i, p := range pdftext.Pages(t, render(t, d)) {
		lines := strings.Split(strings.TrimRight(p, "\n "), "\n")
		last := lines[len(lines)-1]
		if !strings.Contains(last, "verify at "+noticepdf.DefaultBaseURL+"/verify") || strings.Contains(last, "…") {
			t.Errorf("page %d footer is cut short: %q", i+1, last)
		}
	}
}

func TestDraft(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	d := draftDoc()
	pdf := render(t, d)
	pages := pdftext.Pages(t, pdf)
	first := flat(pages[0])
	for _, want := range []string{
		"Notice ref DRAFT — not issued", "Draft printed 25 November 2026", "Case ref " + caseRef,
		"DRAFT — NOT ISSUED. This is a preview for review.", "has no legal effect and must not be served",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	// DRAFT must be text in the title area, not only the watermark outline.
	if i, j := strings.Index(first, "Compliance notice"), strings.Index(first, "DRAFT — NOT ISSUED"); i < 0 || j < i || j-i > 200 {
		t.Errorf("DRAFT is not next to the title: %q", first[:min(len(first), 600)])
	}
	all := flat(strings.Join(pages, " "))
	for _, want := range []string{"Draft prepared by (not signed)", authorName, "Drafting officer",
		"This is a draft. It has not been issued and cannot be verified."} {
		if !strings.Contains(all, want) {
			t.Errorf("draft lacks %q", want)
		}
	}
	for _, no := range []string{"Verification code", "Date of issue", "Approved by", "Issuing officer"} {
		if strings.Contains(all, no) {
			t.Errorf("draft should not contain %q", no)
		}
	}
	for i, p := range pages {
		p = flat(p)
		if !strings.Contains(p, "DRAFT — not issued — not valid · Case "+caseRef) ||
			!strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, len(pages))) {
			t.Errorf("page %d lacks the draft footer: %q", i+1, p)
		}
	}
	if got := pdftext.Info(t, pdf)["Title"]; got != "DRAFT compliance notice (not issued)" {
		t.Errorf("PDF title = %q", got)
	}

	// The watermark is drawn as light grey shapes across the page.
	issued := greyPixels(t, render(t, complianceDoc()))
	draft := greyPixels(t, pdf)
	t.Logf("mid-grey pixels on page 1: draft %d, issued %d", draft, issued)
	if draft < issued+2000 {
		t.Errorf("no DRAFT watermark: %d mid-grey pixels on the draft, %d on the issued notice", draft, issued)
	}
}

// greyPixels counts the watermark's light grey on page 1 at 50 dpi.
func greyPixels(t *testing.T, pdf []byte) int {
	img := pdftext.Image(t, pdf, 1, 50)
	n := 0
	for _, v := range img.Pix {
		if v >= 215 && v <= 236 {
			n++
		}
	}
	return n
}

func TestScheduleBreaksAcrossPagesWithHeader(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	const rows = 40
	d := longSchedule(rows)
	pdf := render(t, d)
	words := pdftext.Words(t, pdf)

	start := map[int]pdftext.Word{} // row number → its first word "Row"
	end := map[int]pdftext.Word{}   // row number → "ends." of its rationale
	headers := map[int][]float64{}  // page → y of each "Legal" header word
	for i, w := range words {
		var n int
		switch {
		case w.Text == "Row" && i+1 < len(words):
			if _, err := fmt.Sscanf(words[i+1].Text, "%02d", &n); err == nil {
				if _, dup := start[n]; dup {
					t.Errorf("row %d printed twice", n)
				}
				start[n] = w
			}
		case strings.HasPrefix(w.Text, "R") && strings.HasSuffix(w.Text, "-end."):
			if _, err := fmt.Sscanf(w.Text, "R%02d-end.", &n); err == nil {
				end[n] = w
			}
		case w.Text == "Duty" && i+1 < len(words) && words[i+1].Text == "breached":
			headers[w.Page] = append(headers[w.Page], w.YMin)
		}
	}
	pages := map[int]bool{}
	for n := 1; n <= rows; n++ {
		s, ok1 := start[n]
		e, ok2 := end[n]
		if !ok1 || !ok2 {
			t.Fatalf("row %d missing (start %v, end %v)", n, ok1, ok2)
		}
		if s.Page != e.Page {
			t.Errorf("row %d is split across pages %d and %d", n, s.Page, e.Page)
		}
		if e.YMax > contentBottomPt+1 {
			t.Errorf("row %d runs into the footer (y=%.1f pt)", n, e.YMax)
		}
		pages[s.Page] = true
		hs := headers[s.Page]
		if len(hs) == 0 || hs[0] > s.YMin {
			t.Errorf("row %d on page %d has no table header above it", n, s.Page)
		}
		if n > 1 && start[n-1].Page == s.Page && start[n-1].YMin >= s.YMin {
			t.Errorf("row %d is printed above row %d", n, n-1)
		}
	}
	if len(pages) < 3 {
		t.Errorf("40 rows fill %d pages, want the schedule to break across at least 3", len(pages))
	}
}

// No page may end with a section heading or a table's header row: each must
// be followed on its page by what it introduces.
func TestNoOrphanedHeadings(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	const marginPt = 20 * 72 / 25.4
	for name, d := range map[string]notices.Document{
		"compliance": complianceDoc(), "stop": stopDoc(), "recall": recallDoc(), "penalty": penaltyDoc(),
		"penalty intent": penaltyIntentDoc(), "information": informationDoc(), "intent": intentDoc(),
		"draft": draftDoc(), "long schedule": longSchedule(40),
	} {
		words := pdftext.Words(t, render(t, d))
		last := map[int][]pdftext.Word{} // page → words of its last body line
		for _, w := range words {
			if w.YMax > contentBottomPt {
				continue
			}
			l := last[w.Page]
			switch {
			case len(l) == 0 || w.YMin > l[0].YMax:
				last[w.Page] = []pdftext.Word{w}
			case w.YMin >= l[0].YMin-1:
				last[w.Page] = append(l, w)
			}
		}
		for page, l := range last {
			first := l[0]
			if first.XMin < marginPt+1 && sectionNo.MatchString(first.Text) {
				t.Errorf("%s: page %d ends with heading %q", name, page, joinWords(l))
			}
			if first.Text == "No." {
				t.Errorf("%s: page %d ends with a table header %q", name, page, joinWords(l))
			}
		}
	}
}

func joinWords(ws []pdftext.Word) string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Text
	}
	return strings.Join(out, " ")
}

func TestDeterministicAndConcurrent(t *testing.T) {
	d := penaltyDoc()
	want := render(t, d)
	if !bytes.HasPrefix(want, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", want[:min(len(want), 16)])
	}
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	for i := range got {
		wg.Go(func() { got[i] = render(t, d) })
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, want) {
			t.Errorf("render %d differs from the first (%d vs %d bytes)", i+2, len(g), len(want))
		}
	}
}

// A Document whose Info was left empty takes it from notices.Info.
func TestInfoDefaultsFromType(t *testing.T) {
	d := recallDoc()
	want := render(t, d)
	d.Info = notices.TypeInfo{}
	if got := render(t, d); !bytes.Equal(got, want) {
		t.Error("rendering without Info differs from rendering with notices.Info[type]")
	}
}

func TestA4(t *testing.T) {
	pdftext.Available(t, "pdfinfo")
	info := pdftext.Info(t, render(t, complianceDoc()))
	if got := info["Page size"]; !strings.Contains(got, "(A4)") {
		t.Errorf("page size = %q, want A4", got)
	}
	// The letterhead, the statutory sequence, the duty by role and the
	// schedule with its evidence take four pages for the sample notice.
	if got := info["Pages"]; got != "4" {
		t.Errorf("compliance notice has %s pages, want 4", got)
	}
	if got := info["Title"]; got != "Compliance notice OPSS-CN-2026-0042" {
		t.Errorf("PDF title = %q", got)
	}
	if got := info["Author"]; got != authorityName {
		t.Errorf("PDF author = %q", got)
	}
}

// The issue date is the date in London: 23:30 UTC on 1 July is 2 July (BST).
func TestIssueDateIsUKDate(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	d := complianceDoc()
	d.Date = time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC)
	all := flat(pdftext.Extract(t, render(t, d)))
	if !strings.Contains(all, "Date of issue 2 July 2026") || !strings.Contains(all, "Date: 2 July 2026") {
		t.Errorf("issue date not shown as 2 July 2026")
	}
	if !strings.Contains(all, "Comply by 24 December 2026") {
		t.Errorf("deadline shifted by the time zone")
	}
}

func TestRejectsIncompleteDocuments(t *testing.T) {
	tests := map[string]struct {
		edit func(*notices.Document)
		want error
	}{
		"unknown type":             {func(d *notices.Document) { d.Notice.Type, d.Info = "caution", notices.TypeInfo{} }, noticepdf.ErrUnknownType},
		"issued without reference": {func(d *notices.Document) { d.Notice.Reference = "" }, noticepdf.ErrIncomplete},
		"issued without code":      {func(d *notices.Document) { d.Notice.Verification = "" }, noticepdf.ErrIncomplete},
		"no date":                  {func(d *notices.Document) { d.Date = time.Time{} }, noticepdf.ErrIncomplete},
		"no recipient":             {func(d *notices.Document) { d.Recipient.Name = "" }, noticepdf.ErrIncomplete},
		"issued without issuer":    {func(d *notices.Document) { d.IssuerName = "" }, noticepdf.ErrIncomplete},
		"penalty without terms": {func(d *notices.Document) {
			d.Notice.Type, d.Info, d.Notice.Penalty = notices.Penalty, notices.Info[notices.Penalty], nil
		}, noticepdf.ErrNoPenaltyTerm},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := complianceDoc()
			tc.edit(&d)
			var buf bytes.Buffer
			err := noticepdf.New().Render(&buf, d)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

// The golden file pins the wording of a compliance notice, so that changes
// to what the regulator says are reviewed. Run with -update to accept them.
func TestComplianceGoldenText(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	got := normalise(pdftext.Extract(t, render(t, complianceDoc())))
	path := filepath.Join("testdata", "compliance.golden.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("text differs from %s at line %d (run with -update to accept):\n got %q\nwant %q", path, i+1, g, w)
			}
		}
	}
}

// normalise collapses runs of spaces, trims lines and drops blank ones, so
// the golden file records wording and order rather than exact positions.
func normalise(s string) string {
	var b strings.Builder
	for i, page := range strings.Split(strings.TrimRight(s, "\f\n"), "\f") {
		if i > 0 {
			b.WriteString("--- page break ---\n")
		}
		for _, line := range strings.Split(page, "\n") {
			if line = strings.TrimSpace(spaces.ReplaceAllString(line, " ")); line != "" {
				b.WriteString(line)
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// BenchmarkRenderNotice3Pages renders the three-page compliance notice:
// letterhead, particulars, schedule, steps, evidence table with full
// hashes, signature, header and footer.
func BenchmarkRenderNotice3Pages(b *testing.B) {
	d := complianceDoc()
	r := noticepdf.New()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := r.Render(&buf, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/doc")
}

// Issue #15 item 3: a breach's paragraph names the most severe findings with
// where they were seen and their exhibit, counts the rest, and Annex A
// lists every finding relied on.
func TestScheduleSummarisesFindingsWithAnnex(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	pdf := render(t, manyFindings())
	all := flat(pdftext.Extract(t, pdf))
	for _, want := range []string{
		"Telnet service accepts default credentials admin/admin on 192.168.50.10:23 — OPSS-2026-000123/EX-003, sha256 9b1e44c07d2a5f30…",
		"and 34 further findings listed in Annex A", "Annex A: findings relied on",
		"TLS 1.0 offered with weak cipher 35 192.168.50.10:443 low EX-003",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	words := pdftext.Words(t, pdf)
	sched := column(words, "Officer’s", "Officer’s", "")
	if strings.Contains(sched, "cipher 10") || strings.Count(sched, "TLS 1.0") != 2 {
		t.Errorf("the schedule lists more than the three most severe findings: %q", sched)
	}
	if strings.Contains(flat(pdftext.Extract(t, render(t, complianceDoc()))), "Annex A") {
		t.Error("a notice whose schedule names every finding has an Annex A")
	}
}

// Issue #15 item 2: the duty printed follows the recipient's role.
func TestDutyFollowsTheRecipientsRole(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	for role, want := range map[legalbasis.Role]string{
		legalbasis.Manufacturer: "Section 8 of the Act (Duty to comply with security requirements), as manufacturer",
		legalbasis.Importer:     "Section 19 of the Act (Duties to take action in relation to manufacturer’s compliance failure), as importer",
		legalbasis.Distributor:  "Section 25 of the Act (Duties to take action in relation to manufacturer’s compliance failure), as distributor",
	} {
		d := complianceDoc()
		d.RecipientRole = string(role)
		duty, _ := legalbasis.DutyFor(role, "PSTI-1")
		d.Schedule[0].Duties = []legalbasis.Duty{duty}
		pdf := render(t, d)
		all := flat(pdftext.Extract(t, pdf))
		if col := column(pdftext.Words(t, pdf), "Officer’s", "Duty", "Officer’s"); !strings.Contains(col, want) {
			t.Errorf("%s: the duty column reads %q, want %q", role, col, want)
		}
		if !strings.Contains(all, "namely as "+string(role)+", "+duty.Cite()) {
			t.Errorf("%s: the grounds do not name %s", role, duty.Cite())
		}
		if role != legalbasis.Manufacturer && strings.Contains(all, "section 8 of the Act") {
			t.Errorf("%s is cited the manufacturer's section 8", role)
		}
	}
}

// Issue #15 item 1: the final notice states the notice of intent, the
// representations and the response; an urgent one says why and who approved.
func TestSequenceIsStated(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	given, by := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 13, 0, 0, 0, 0, time.UTC)
	d := complianceDoc()
	d.Sequence = &notices.SequenceDoc{Provision: "section 28(5) and (6) of the Act", Route: notices.RouteIntent,
		IntentReference: "OPSS-NI-2026-0031", IntentTitle: "Notice of intent to issue a compliance notice", GivenOn: &given,
		RepresentationsBy: &by, Response: "The authority does not accept that a firmware update planned for 2027 remedies the failure.",
		Representations: []notices.RepresentationDoc{{ReceivedAt: time.Date(2026, 11, 10, 15, 0, 0, 0, time.UTC), From: "Brightwave Devices Ltd",
			Exhibits: []notices.ExhibitRef{exPurchase}}}}
	all := flat(pdftext.Extract(t, render(t, d)))
	for _, want := range []string{
		"Notice of intent and representations",
		"On 2 November 2026 the authority gave you a notice of intent to issue a compliance notice (reference OPSS-NI-2026-0031)",
		"make representations by 13 November 2026, as section 28(5) and (6) of the Act requires.",
		"The authority received representations on 10 November 2026 from Brightwave Devices Ltd (attachments held as OPSS-2026-000123/EX-001).",
		"It has considered them before deciding to give this notice.",
		"does not accept that a firmware update planned for 2027 remedies the failure.",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("compliance text lacks %q", want)
		}
	}
	approved := issuedAt.Add(-time.Hour)
	s := stopDoc()
	s.Sequence = &notices.SequenceDoc{Provision: "section 29 of the Act", Route: notices.RouteUrgency,
		Urgency: "Units with a published password are on sale today.", UrgencyApprover: approverName, UrgencyApprovedAt: &approved}
	all = flat(pdftext.Extract(t, render(t, s)))
	for _, want := range []string{"Why this notice is given without a notice of intent", "Units with a published password are on sale today.",
		"approved on 26 November 2026 by " + approverName} {
		if !strings.Contains(all, want) {
			t.Errorf("stop text lacks %q", want)
		}
	}
}

// Every provision a notice prints is in the legal-basis catalogue, which
// records where its text was read and how far it was verified.
func TestEveryCitedProvisionIsCatalogued(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	cite := regexp.MustCompile(`(?:section|sections) ([0-9]+(?:\([0-9]+\))?)|paragraph ([0-9]+) of Schedule 5|(Schedule 1, paragraph)`)
	for name, d := range map[string]notices.Document{
		"compliance": complianceDoc(), "stop": stopDoc(), "recall": recallDoc(), "penalty": penaltyDoc(),
		"penalty intent": penaltyIntentDoc(), "information": informationDoc(), "intent": intentDoc(),
	} {
		text := flat(pdftext.Extract(t, render(t, d)))
		found := cite.FindAllStringSubmatch(text, -1)
		if len(found) < 3 {
			t.Errorf("%s: found only %d citations to check", name, len(found))
		}
		for _, m := range found {
			printed := m[0]
			switch {
			case m[1] != "":
				printed = "section " + m[1]
			case m[2] != "":
				printed = "paragraph " + m[2] + " of Schedule 5"
			}
			if _, ok := legalbasis.Catalogued(printed); !ok {
				t.Errorf("%s prints %q, which the legal-basis catalogue does not record", name, m[0])
			}
		}
	}
}
