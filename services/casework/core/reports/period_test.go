package reports_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
)

var now = time.Date(2026, 11, 26, 15, 30, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		name, from, to   string
		wantFrom, wantTo string
		defaulted        bool
		clamped          bool
	}{
		{"months are whole", "2026-01", "2026-03", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z", false, false},
		{"dates are whole days", "2026-01-15", "2026-01-31", "2026-01-15T00:00:00Z", "2026-02-01T00:00:00Z", false, false},
		{"instants are exact, to exclusive", "2026-01-15T10:00:00+01:00", "2026-01-16T00:00:00Z", "2026-01-15T09:00:00Z",
			"2026-01-16T00:00:00Z", false, false},
		{"one day", "2026-02-28", "2026-02-28", "2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z", false, false},
		{"no bounds: this month and the eleven before", "", "", "2025-12-01T00:00:00Z", "2026-11-27T00:00:00Z", true, false},
		{"only from: to the end of today", "2026-06", "", "2026-06-01T00:00:00Z", "2026-11-27T00:00:00Z", true, false},
		{"only to: twelve months before", "", "2026-06", "2025-07-01T00:00:00Z", "2026-07-01T00:00:00Z", true, false},
		{"longer than ten years is clamped", "1900-01-01", "2025-12", "2016-01-01T00:00:00Z", "2026-01-01T00:00:00Z", false, true},
		{"exactly ten years is not", "2016-01-01", "2025-12-31", "2016-01-01T00:00:00Z", "2026-01-01T00:00:00Z", false, false},
		{"too long with a future end: cut to today first", "2020-01-01", "2100-01-01", "2020-01-01T00:00:00Z",
			"2026-11-27T00:00:00Z", false, true},
		{"cut to today and still too long: then the start", "1900-01-01", "2100-01-01", "2016-11-27T00:00:00Z",
			"2026-11-27T00:00:00Z", false, true},
		{"a future ten years is left alone", "2090-01-01", "2099-12-31", "2090-01-01T00:00:00Z", "2100-01-01T00:00:00Z", false, false},
		{"a future too-long period keeps its end", "2050-01-01", "2070-12-31", "2061-01-01T00:00:00Z",
			"2071-01-01T00:00:00Z", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := reports.ParsePeriod(tc.from, tc.to, now)
			if err != nil {
				t.Fatal(err)
			}
			if !p.From.Equal(day(tc.wantFrom)) || !p.To.Equal(day(tc.wantTo)) || p.Defaulted != tc.defaulted || p.Clamped != tc.clamped {
				t.Fatalf("got %v – %v defaulted=%v clamped=%v", p.From, p.To, p.Defaulted, p.Clamped)
			}
			if (tc.defaulted || tc.clamped) != (len(p.Notes) > 0) {
				t.Fatalf("notes %q", p.Notes)
			}
		})
	}
}

func TestParsePeriodRejects(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		fields   []string
	}{
		{"2026-03", "2026-01", []string{"from"}},                               // reversed
		{"2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", []string{"from"}},     // empty
		{"2027-01", "", []string{"from"}},                                      // from after today, to defaulted
		{"last year", "", []string{"from"}},                                    // not a date
		{"2026-13", "31/12/2026", []string{"from", "to"}},                      // both wrong
		{"2026-01-01", "2026-02-30", []string{"to"}},                           // no such day
		{"2026-01-01T10:00:00", "2026-02-01T10:00:00", []string{"from", "to"}}, // no zone
		{"2026-01", "9999-12", []string{"to"}},                                 // ends in year 10000
		{"1899-12", "2026-01", []string{"from"}},                               // before 1900
		{"", "0001-01", []string{"to"}},                                        // its default from would be year 0
		{"2026-01", "9999-12-31T23:59:59-23:59", []string{"to"}},               // year 10000 in UTC
	} {
		_, err := reports.ParsePeriod(tc.from, tc.to, now)
		ae, ok := apperr.As(err)
		if !ok || ae.Code != apperr.Invalid {
			t.Errorf("%q–%q: %v, want a field error", tc.from, tc.to, err)
			continue
		}
		var got []string
		for _, f := range ae.Fields {
			got = append(got, f.Field)
		}
		if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
			t.Errorf("%q–%q: fields %v, want %v", tc.from, tc.to, got, tc.fields)
		}
	}
}

func TestPeriodMonths(t *testing.T) {
	p, err := reports.ParsePeriod("2025-11-15", "2026-02-01T00:00:00Z", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Months(), ","); got != "2025-11,2025-12,2026-01" {
		t.Fatalf("months %s", got)
	}
	if !p.Contains(day("2025-11-15T00:00:00Z")) || p.Contains(day("2026-02-01T00:00:00Z")) {
		t.Fatal("Contains is not [from, to)")
	}
}
