// Package redact takes named people and their contact details out of free
// text before it leaves the authority that holds it: a complainant's name,
// address, e-mail and telephone in a case summary, a sole trader's name in a
// notice's reasons. It knows nothing of cases; the referral rules (R1–R8 in
// core/reports) say what to redact where.
package redact

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Labels put in place of what is redacted.
const (
	// Complainant replaces a recorded complainant's name, address or contact (R1).
	Complainant = "[redacted: complainant (R1)]"
	// ContactDetails replaces an e-mail address, UK telephone number or
	// postcode found in complaint text (R1).
	ContactDetails = "[redacted: contact details (R1)]"
	// ComplaintWithheld replaces the whole summary of a complaint whose
	// complainant was never recorded: there is no telling whom to redact (R1).
	ComplaintWithheld = "[redacted: complaint details (R1)]"
	// Individual replaces a free-text field naming a person (R6).
	Individual = "[redacted: individual (R6)]"
	// SoleTrader replaces a sole trader's name where no package label applies (R4).
	SoleTrader = "[redacted: sole trader (R4)]"
)

// Identity is one person to take out of text, and what to write instead.
type Identity struct {
	Label string
	// Names are full names (and trading names); each is redacted in full, and
	// so is each of its words of three letters or more that is not a title.
	Names []string
	// Addresses are redacted line by line (comma or newline separated), with
	// and without a leading house number.
	Addresses []string
	// Contacts are e-mail addresses, telephone numbers and web addresses,
	// redacted as written; telephone numbers also in any spacing.
	Contacts []string
}

// Scrubber redacts a fixed set of identities, and optionally anything shaped
// like contact details, from text. The zero value and nil redact nothing.
type Scrubber struct {
	terms    []term
	phones   map[string]string // digits of a recorded number → label
	contacts bool
}

type term struct {
	re    *regexp.Regexp
	label string
}

// titles are words of a name that identify nobody on their own.
var titles = []string{"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "rev", "the", "and"}

// New builds a scrubber for the identities; contacts adds the e-mail,
// telephone and postcode patterns (for complaint text, where any such detail
// is the complainant's or someone they name).
func New(contacts bool, ids ...Identity) *Scrubber {
	s := &Scrubber{contacts: contacts, phones: map[string]string{}}
	type candidate struct{ text, label string }
	var cands []candidate
	add := func(text, label string) {
		text = strings.TrimSpace(text)
		if utf8.RuneCountInString(text) >= 3 {
			cands = append(cands, candidate{text, label})
		}
	}
	for _, id := range ids {
		for _, n := range id.Names {
			add(n, id.Label)
			var bare []string
			for _, w := range strings.FieldsFunc(n, notNamePart) {
				if !slices.Contains(titles, strings.ToLower(w)) {
					add(w, id.Label)
					bare = append(bare, w)
				}
			}
			add(strings.Join(bare, " "), id.Label)
		}
		for _, a := range id.Addresses {
			add(a, id.Label)
			for _, line := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
				add(line, id.Label)
				add(strings.TrimLeftFunc(line, func(r rune) bool { return unicode.IsDigit(r) || r == ' ' || r == '-' }), id.Label)
			}
		}
		for _, c := range id.Contacts {
			add(c, id.Label)
			if d := digits(c); len(d) >= 9 {
				s.phones[d] = id.Label
			}
		}
	}
	// Longest first, so a full name wins over its words.
	slices.SortStableFunc(cands, func(a, b candidate) int { return len(b.text) - len(a.text) })
	seen := map[string]bool{}
	for _, c := range cands {
		key := strings.ToLower(c.text)
		if seen[key] {
			continue
		}
		seen[key] = true
		s.terms = append(s.terms, term{re: regexp.MustCompile(`(?i)` + spaced(c.text)), label: c.label})
	}
	return s
}

// spaced quotes text for a pattern in which any run of spaces matches any
// run of white space.
func spaced(text string) string {
	parts := strings.Fields(text)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, `\s+`)
}

func notNamePart(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// phoneRE finds candidates; isUKPhone decides.
	phoneRE    = regexp.MustCompile(`(?:\+\s?44|\(?0)[0-9()\s\-]{8,16}[0-9]`)
	postcodeRE = regexp.MustCompile(`(?i)\b(?:GIR\s?0AA|[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][A-Z]{2})\b`)
)

func isUKPhone(s string) bool {
	d := digits(s)
	if strings.HasPrefix(strings.TrimLeft(s, "( "), "+") {
		d = strings.TrimPrefix(d, "44")
		d = strings.TrimPrefix(d, "0")
		return len(d) == 9 || len(d) == 10
	}
	return strings.HasPrefix(d, "0") && (len(d) == 10 || len(d) == 11)
}

// span is one stretch of text to replace.
type span struct {
	start, end int
	label      string
}

// Text returns s with every identity and, if enabled, contact detail replaced.
func (s *Scrubber) Text(in string) string {
	out, _ := s.scrub(in)
	return out
}

// Changed returns s redacted and whether anything was replaced.
func (s *Scrubber) Changed(in string) (string, bool) { return s.scrub(in) }

func (s *Scrubber) scrub(in string) (string, bool) {
	if s == nil || in == "" || (len(s.terms) == 0 && !s.contacts && len(s.phones) == 0) {
		return in, false
	}
	var spans []span
	for _, t := range s.terms {
		spans = appendMatches(spans, in, t.re, t.label, true)
	}
	for _, m := range phoneRE.FindAllStringIndex(in, -1) {
		text := in[m[0]:m[1]]
		if label, ok := s.phones[digits(text)]; ok && bounded(in, m[0], m[1]) {
			spans = append(spans, span{m[0], m[1], label})
		} else if s.contacts && isUKPhone(text) && bounded(in, m[0], m[1]) {
			spans = append(spans, span{m[0], m[1], ContactDetails})
		}
	}
	if s.contacts {
		spans = appendMatches(spans, in, emailRE, ContactDetails, false)
		spans = appendMatches(spans, in, postcodeRE, ContactDetails, false)
	}
	if len(spans) == 0 {
		return in, false
	}
	// Earliest first; of two starting together, the longer.
	slices.SortFunc(spans, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	var b strings.Builder
	pos, last := 0, ""
	for _, sp := range spans {
		if sp.start < pos {
			continue // overlaps a longer or earlier match already replaced
		}
		gap := in[pos:sp.start]
		// "Eleanor Whitcombe" matched word by word is one redaction, not two.
		if sp.label != last || strings.TrimSpace(gap) != "" {
			b.WriteString(gap)
			b.WriteString(sp.label)
		}
		pos, last = sp.end, sp.label
	}
	b.WriteString(in[pos:])
	return b.String(), true
}

// appendMatches adds every match of re in s; whole-word matches only when
// words is set (a name inside a longer word is not that name).
func appendMatches(spans []span, s string, re *regexp.Regexp, label string, words bool) []span {
	for pos := 0; pos < len(s); {
		m := re.FindStringIndex(s[pos:])
		if m == nil {
			break
		}
		start, end := pos+m[0], pos+m[1]
		if end == start {
			pos = end + 1
			continue
		}
		if !words || bounded(s, start, end) {
			spans = append(spans, span{start, end, label})
			pos = end
			continue
		}
		_, size := utf8.DecodeRuneInString(s[start:])
		pos = start + size
	}
	return spans
}

// bounded reports whether s[start:end] is not part of a longer word or number.
func bounded(s string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:start])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if end < len(s) {
		r, _ := utf8.DecodeRuneInString(s[end:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// JSON redacts every string value (not the keys) of a JSON document; a
// document that does not parse is returned as it is.
func (s *Scrubber) JSON(raw string) string {
	if s == nil || (len(s.terms) == 0 && !s.contacts && len(s.phones) == 0) {
		return raw
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return raw
	}
	changed := false
	v = s.walk(v, &changed)
	if !changed {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return raw
	}
	return string(b)
}

func (s *Scrubber) walk(v any, changed *bool) any {
	switch x := v.(type) {
	case string:
		out, ok := s.scrub(x)
		*changed = *changed || ok
		return out
	case []any:
		for i := range x {
			x[i] = s.walk(x[i], changed)
		}
	case map[string]any:
		for k := range x {
			x[k] = s.walk(x[k], changed)
		}
	}
	return v
}
