package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

// MaxSpanYears is the longest period a report covers; a longer request
// first has an end after today moved to the end of today, and is then
// clamped to the most recent MaxSpanYears ending at that end.
const MaxSpanYears = 10

// DefaultMonths is the span of the default period: the current calendar
// month and the eleven before it.
const DefaultMonths = 12

// Period is the half-open interval [From, To) of instants a report covers,
// in UTC.
type Period struct {
	From time.Time
	To   time.Time
	// Defaulted is true when a bound was missing and filled in.
	Defaulted bool
	// Clamped is true when the requested span exceeded MaxSpanYears.
	Clamped bool
	// Notes say, in words, what was defaulted or clamped.
	Notes []string
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// bound is a parsed from/to value: the instant it starts at and the instant
// just after it ends (a date covers its whole day, a month its whole month).
type bound struct {
	start, end time.Time
}

// Report bounds must fall in [minBound, maxBound): every engine, the JSON
// encoder and the PDF can represent those instants (year 10000, which
// to=9999-12 ends at, cannot be encoded at all).
var (
	minBound = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxBound = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// parseBound accepts a month (2026-03), a date (2026-03-31) or an RFC 3339
// instant (2026-03-31T12:00:00Z).
func parseBound(s string) (bound, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01", s); err == nil {
		return bound{t, t.AddDate(0, 1, 0)}, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return bound{t, t.AddDate(0, 0, 1)}, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t = t.UTC()
		return bound{t, t}, true
	}
	return bound{}, false
}

func outOfRange(b bound) bool { return b.start.Before(minBound) || b.end.After(maxBound) }

// ParsePeriod turns the from and to parameters into a Period. Each may be a
// month (YYYY-MM, the whole month), a date (YYYY-MM-DD, the whole day) or an
// RFC 3339 instant; from is inclusive and to is inclusive of the month or
// day it names (an instant is exclusive). Missing bounds are defaulted: no
// bounds means the current calendar month and the eleven before it; only
// from runs to the end of today; only to starts twelve months earlier. A
// reversed or empty range is rejected with a field error; a span longer
// than MaxSpanYears ends at the end of today at the latest, and is then
// clamped to the MaxSpanYears before its end.
func ParsePeriod(from, to string, now time.Time) (Period, error) {
	now = now.UTC()
	var fe apperr.Fields
	var fb, tb bound
	var okFrom, okTo bool
	if strings.TrimSpace(from) != "" {
		if fb, okFrom = parseBound(from); !okFrom {
			fe.Add("from", "must be a month (2026-03), a date (2026-03-31) or an RFC 3339 time, not %q", from)
		} else {
			okFrom = !fe.Check(outOfRange(fb), "from", "must be between 1900 and 2999")
		}
	}
	if strings.TrimSpace(to) != "" {
		if tb, okTo = parseBound(to); !okTo {
			fe.Add("to", "must be a month (2026-03), a date (2026-03-31) or an RFC 3339 time, not %q", to)
		} else {
			okTo = !fe.Check(outOfRange(tb), "to", "must be between 1900 and 2999")
		}
	}
	if err := fe.Err(); err != nil {
		return Period{}, err
	}
	endOfToday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	var p Period
	switch {
	case okFrom && okTo:
		p.From, p.To = fb.start, tb.end
	case okFrom:
		p.From, p.To, p.Defaulted = fb.start, endOfToday, true
		p.Notes = append(p.Notes, "to was not given: the period runs to the end of today ("+day(endOfToday.AddDate(0, 0, -1))+")")
	case okTo:
		p.To, p.Defaulted = tb.end, true
		p.From = p.To.AddDate(0, -DefaultMonths, 0)
		p.Notes = append(p.Notes, fmt.Sprintf("from was not given: the period starts %d months before to (%s)", DefaultMonths, day(p.From)))
	default:
		monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		p.From, p.To, p.Defaulted = monthStart.AddDate(0, 1-DefaultMonths, 0), endOfToday, true
		p.Notes = append(p.Notes, fmt.Sprintf("no period was given: the last %d calendar months (%s to %s)", DefaultMonths,
			day(p.From), day(endOfToday.AddDate(0, 0, -1))))
	}
	if !p.From.Before(p.To) {
		return Period{}, apperr.InvalidField("from", "must be before to: the period %s to %s is reversed or empty",
			p.From.Format(time.RFC3339), p.To.Format(time.RFC3339))
	}
	// Too long a period is cut to the data first: nothing is recorded after
	// today, so an end in the future is moved to the end of today; only a
	// span still too long loses its start.
	if p.From.Before(p.To.AddDate(-MaxSpanYears, 0, 0)) && p.To.After(endOfToday) && p.From.Before(endOfToday) {
		p.Notes = append(p.Notes, fmt.Sprintf("the period was longer than %d years: it was cut to end today (%s) instead of %s",
			MaxSpanYears, day(endOfToday.AddDate(0, 0, -1)), p.To.Format(time.RFC3339)))
		p.To, p.Clamped = endOfToday, true
	}
	if earliest := p.To.AddDate(-MaxSpanYears, 0, 0); p.From.Before(earliest) {
		p.Notes = append(p.Notes, fmt.Sprintf("the period was longer than %d years: it was clamped to start %s instead of %s",
			MaxSpanYears, earliest.Format(time.RFC3339), p.From.Format(time.RFC3339)))
		p.From, p.Clamped = earliest, true
	}
	return p, nil
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// Months lists the calendar months (YYYY-MM, UTC) the period touches, in order.
func (p Period) Months() []string {
	var out []string
	m := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m.Before(p.To) {
		out = append(out, m.Format("2006-01"))
		m = m.AddDate(0, 1, 0)
	}
	return out
}
