package bunstore_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
)

// refPercentile is percentile_cont's linear interpolation between closest
// ranks, evaluated in float64 in the order PostgreSQL evaluates it.
func refPercentile(sorted []int64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	lo := math.Floor(pos)
	if pos == lo {
		return float64(sorted[int(lo)])
	}
	a, b := float64(sorted[int(lo)]), float64(sorted[int(lo)+1])
	return a + ((pos - lo) * (b - a))
}

// The percentiles of both engines are bit-for-bit those of the reference:
// SQLite spells out percentile_cont's arithmetic, PostgreSQL runs it.
func TestReportDurationPercentilesAreExact(t *testing.T) {
	st, ctx := open(t)
	db := st.DB()
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	authID, opID := ids.New(), ids.New()
	if _, err := db.ExecContext(ctx, `INSERT INTO authorities (id, code, name, national, created_at) VALUES (?, 'T-TS', 'Test', FALSE, ?)`,
		authID, base); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO operators (id, name, created_at, updated_at, version) VALUES (?, 'Op', ?, ?, 1)`,
		opID, base, base); err != nil {
		t.Fatal(err)
	}
	// Eleven cases, closed one a day, open for awkward durations (with
	// fractions of a second, which both engines truncate the same way), each
	// with a first notice issued some hours after opening.
	var closeSecs, noticeSecs []int64
	for i := range 11 {
		opened := base.Add(-time.Duration(1+i*i*37) * time.Hour).Add(time.Duration(i*123457) * time.Microsecond)
		closed := base.AddDate(0, 0, i).Add(time.Duration(i*7919) * time.Second).Add(999 * time.Millisecond)
		noticed := opened.Add(time.Duration(3+i*i*5)*time.Hour + time.Duration(i*31)*time.Second + 250*time.Millisecond)
		caseID := ids.New()
		if _, err := db.ExecContext(ctx, `INSERT INTO cases (id, authority_id, reference, title, origin, status, risk_level, created_by,
			created_at, updated_at, closed_at, closure_reason, version) VALUES (?, ?, ?, 't', 'complaint', 'closed', 'low', 'u', ?, ?, ?, 'duplicate', 1)`,
			caseID, authID, fmt.Sprintf("T-TS-%02d", i), opened, closed, closed); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO notices (id, case_id, authority_id, type, status, operator_id, author_id, reference,
			issued_at, created_at, updated_at, version) VALUES (?, ?, ?, 'information', 'issued', ?, 'u', ?, ?, ?, ?, 1)`,
			ids.New(), caseID, authID, opID, fmt.Sprintf("T-TS-IN-%02d", i), noticed, noticed, noticed); err != nil {
			t.Fatal(err)
		}
		closeSecs = append(closeSecs, closed.Unix()-opened.Unix())
		noticeSecs = append(noticeSecs, noticed.Unix()-opened.Unix())
	}
	r := bunstore.Reports{Store: st}
	for n := 0; n <= 11; n++ {
		for _, scope := range []string{"", authID} {
			// The first n closures fall in [base, base+n days).
			q := reports.Query{AuthorityID: scope, From: base, To: base.AddDate(0, 0, n)}
			got, err := r.Durations(ctx, q, reports.Closure)
			if err != nil {
				t.Fatal(err)
			}
			want := reports.Percentiles{N: int64(n)}
			if n > 0 {
				s := slices.Clone(closeSecs[:n])
				slices.Sort(s)
				want.P50, want.P90 = refPercentile(s, 0.5), refPercentile(s, 0.9)
			}
			if got != want {
				t.Errorf("closure, %d cases, scope %q: got %+v, want %+v", n, scope, got, want)
			}
		}
	}
	// First notices: a wide period takes all eleven, a narrow one none.
	got, err := r.Durations(ctx, reports.Query{From: base.AddDate(0, -6, 0), To: base.AddDate(0, 1, 0)}, reports.FirstNotice)
	if err != nil {
		t.Fatal(err)
	}
	s := slices.Clone(noticeSecs)
	slices.Sort(s)
	if want := (reports.Percentiles{N: 11, P50: refPercentile(s, 0.5), P90: refPercentile(s, 0.9)}); got != want {
		t.Errorf("first notice: got %+v, want %+v", got, want)
	}
	got, err = r.Durations(ctx, reports.Query{From: base.AddDate(1, 0, 0), To: base.AddDate(2, 0, 0)}, reports.FirstNotice)
	if err != nil || got != (reports.Percentiles{}) {
		t.Errorf("first notice, empty period: %+v %v", got, err)
	}
}
