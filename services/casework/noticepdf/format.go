package noticepdf

import (
	"strings"
	"time"
	_ "time/tzdata" // the issue date is a UK date on any server, with or without zoneinfo
	"unicode"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// london is where a notice is issued: an issue at 23:30 UTC in summer is
// dated the next day.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		// Unreachable with time/tzdata linked in; UTC is the nearest safe answer.
		return time.UTC
	}
	return loc
}()

// issueDate formats an instant as a UK date: "26 November 2026".
func issueDate(t time.Time) string { return t.In(london).Format("2 January 2006") }

// calendarDate formats a deadline. Deadlines are stored as UTC calendar
// dates (midnight), and the notice service compares them in UTC, so they
// are printed without a zone shift.
func calendarDate(t time.Time) string { return t.UTC().Format("2 January 2006") }

// money formats pence as pounds: "£16,000,000.00".
func money(pence int64) string {
	if pence < 0 {
		return "-£" + notices.Pounds(-pence)
	}
	return "£" + notices.Pounds(pence)
}

// countries names the ISO 3166-1 codes operators are usually registered in;
// other codes are printed as they are.
var countries = map[string]string{
	"AE": "United Arab Emirates", "AT": "Austria", "AU": "Australia", "BE": "Belgium", "CA": "Canada",
	"CH": "Switzerland", "CN": "China", "CZ": "Czechia", "DE": "Germany", "DK": "Denmark", "ES": "Spain",
	"FI": "Finland", "FR": "France", "GB": "United Kingdom", "HK": "Hong Kong", "IE": "Ireland", "IL": "Israel",
	"IN": "India", "IT": "Italy", "JP": "Japan", "KR": "South Korea", "LU": "Luxembourg", "MY": "Malaysia",
	"NL": "Netherlands", "NO": "Norway", "PL": "Poland", "PT": "Portugal", "SE": "Sweden", "SG": "Singapore",
	"TH": "Thailand", "TR": "Türkiye", "TW": "Taiwan", "US": "United States", "VN": "Vietnam",
}

// countryName prints a country code as "China (CN)".
func countryName(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if name, ok := countries[code]; ok {
		return name + " (" + code + ")"
	}
	return code
}

// upperFirst capitalises the first letter: roles are stored in lower case.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// lowerFirst lower-cases the first letter of a title used mid-sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// joinAnd lists items in prose: "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// paragraphs splits free text at blank lines; single newlines stay as line
// breaks inside a paragraph.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// shortHash is the first 16 hex digits of a SHA-256, as cited in the
// schedule; the full value is in the evidence table.
func shortHash(sum string) string {
	sum = strings.ToLower(strings.TrimSpace(sum))
	if len(sum) <= 16 {
		return sum
	}
	return sum[:16] + "…"
}

// splitHash breaks a 64-digit SHA-256 into two lines of 32 so the whole
// value fits a column without an arbitrary break.
func splitHash(sum string) string {
	sum = strings.ToLower(strings.TrimSpace(sum))
	if len(sum) != 64 {
		return sum
	}
	return sum[:32] + "\n" + sum[32:]
}
