package legalbasis

import "strings"

// Citation is one provision the notices print, with where it was read.
type Citation struct {
	// Cite is how the notice names it: "section 32", "paragraph 14 of Schedule 5".
	Cite   string
	What   string
	Status Verification
	Source Source
}

const (
	chapter3  = act2022 + "/part/1/chapter/3/enacted"
	cra2015   = "https://www.legislation.gov.uk/ukpga/2015/15/schedule/5"
	notRead   = "not read in the Act in this session; "
	briefNote = "the domain brief (docs/domain.md §2) records it"
)

// citations are the provisions of the Act and of the Consumer Rights Act
// 2015 that notices print besides the duties and sequence steps above.
var citations = []Citation{
	{Cite: "section 8", What: "manufacturer's duty to comply with security requirements", Status: Verified,
		Source: Source{URL: bodyText, Note: "s.1(4) names ss.8, 14 and 21 as the duties to comply"}},
	{Cite: "section 19", What: "importer's duties on a manufacturer's compliance failure", Status: Verified, Source: Source{URL: s19Text, Note: "s.19(1)–(6)"}},
	{Cite: "section 25", What: "distributor's duties on a manufacturer's compliance failure", Status: Verified, Source: Source{URL: s25Text, Note: "s.25(1)–(6)"}},
	{Cite: "section 9", What: "statements of compliance (manufacturer)", Status: Secondary, Source: Source{URL: act2022 + "/section/9", Note: notRead + briefNote}},
	{Cite: "section 15", What: "statements of compliance (importer)", Status: Secondary, Source: Source{URL: act2022 + "/section/15", Note: notRead + briefNote}},
	{Cite: "section 22", What: "statements of compliance (distributor)", Status: Secondary, Source: Source{URL: act2022 + "/section/22", Note: notRead + briefNote}},
	{Cite: "section 26(4)", What: "Sch 5 CRA 2015 information powers for any PSTI enforcement purpose", Status: Verified,
		Source: Source{URL: chapter3, Note: "s.26(4) read"}},
	{Cite: "section 28", What: "compliance notices: content (3), steps (4), notice of intent (5)–(6), once per act or omission (7)", Status: Verified,
		Source: Source{URL: notices28, Note: "s.28(1)–(8) read"}},
	{Cite: "section 29", What: "stop notices: grounds (1), content (3), steps and customer warnings (4)", Status: Verified,
		Source: Source{URL: act2022 + "/section/29/2024-04-29", Note: "s.29(1)–(4) read; later subsections not read"}},
	{Cite: "section 30", What: "recall notices", Status: Secondary, Source: Source{URL: act2022 + "/section/30", Note: notRead + briefNote}},
	{Cite: "section 32", What: "offence of failing to comply with an enforcement notice; all-reasonable-steps defence; 7 clear days", Status: Secondary,
		Source: Source{URL: act2022 + "/section/32", Note: notRead + briefNote + " as verified"}},
	{Cite: "section 33", What: "appeals against enforcement notices (First-tier Tribunal)", Status: Secondary,
		Source: Source{URL: act2022 + "/section/33", Note: notRead + briefNote}},
	{Cite: "section 36", What: "penalty notices; daily penalty ≤ £20,000 (5); ≥ 28 days to pay (7); with or without an enforcement notice (8)", Status: Verified,
		Source: Source{URL: penalty36, Note: "s.36(1)–(10) read"}},
	{Cite: "section 37", What: "procedure before a penalty notice (notice of intent, representations)", Status: Secondary,
		Source: Source{URL: act2022 + "/section/37", Note: notRead + briefNote}},
	{Cite: "section 38", What: "maximum penalty: greater of £10m and 4% of qualifying worldwide revenue", Status: Secondary,
		Source: Source{URL: penalty36, Note: "s.36(4) read: “For the relevant maximum, see section 38”; the figures are from " + briefNote}},
	{Cite: "section 41", What: "appeals against penalty notices", Status: Secondary, Source: Source{URL: act2022 + "/section/41", Note: notRead + briefNote}},
	{Cite: "section 47", What: "recall by the Secretary of State at the operator's cost", Status: Secondary, Source: Source{URL: act2022 + "/section/47", Note: notRead + briefNote}},
	{Cite: "paragraph 14 of Schedule 5", What: "CRA 2015: power to require information", Status: Secondary, Source: Source{URL: cra2015, Note: notRead + briefNote + " as verified"}},
	{Cite: "paragraph 36 of Schedule 5", What: "CRA 2015: obstruction offence", Status: Secondary, Source: Source{URL: cra2015, Note: notRead + briefNote + " as verified"}},
	{Cite: "Schedule 1, paragraph", What: "SI 2023/1007 security requirements (paras 1–3)", Status: Secondary, Source: Source{URL: RegulationsSource}},
}

// Citations returns every provision notices print, with its source.
func Citations() []Citation { return append([]Citation(nil), citations...) }

// Catalogued reports whether a citation as printed ("section 32 of the
// Act", "paragraph 14 of Schedule 5 to the Consumer Rights Act 2015") is
// in the catalogue, and its entry.
func Catalogued(printed string) (Citation, bool) {
	printed = strings.TrimSpace(printed)
	best := -1
	for i, c := range citations {
		if strings.HasPrefix(printed, c.Cite) && (len(printed) == len(c.Cite) || !isDigit(printed[len(c.Cite)])) &&
			(best < 0 || len(c.Cite) > len(citations[best].Cite)) {
			best = i
		}
	}
	if best < 0 {
		return Citation{}, false
	}
	return citations[best], true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
