package reports_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
)

// fakeStore returns canned aggregates and records the queries it got.
type fakeStore struct {
	mu      sync.Mutex
	queries []reports.Query
	fail    error

	totals   reports.CaseTotals
	perMonth []reports.MonthCount
	failed   []reports.RequirementCount
	makers   []reports.ManufacturerCount
	notices  []reports.NoticeCount
	pens     reports.PenaltyTotals
	listings []reports.ListingCount
	closure  reports.Percentiles
	series   []reports.MonthCount
}

func (f *fakeStore) seen(q reports.Query) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	return f.fail
}

func (f *fakeStore) CaseTotals(_ context.Context, q reports.Query) (reports.CaseTotals, error) {
	return f.totals, f.seen(q)
}

func (f *fakeStore) CasesPerMonth(_ context.Context, q reports.Query) ([]reports.MonthCount, error) {
	return f.perMonth, f.seen(q)
}

func (f *fakeStore) FailedRequirements(_ context.Context, q reports.Query) ([]reports.RequirementCount, error) {
	return f.failed, f.seen(q)
}

func (f *fakeStore) TopManufacturers(_ context.Context, q reports.Query, limit int) ([]reports.ManufacturerCount, error) {
	if limit != reports.TopManufacturers {
		return nil, errors.New("unexpected limit")
	}
	return f.makers, f.seen(q)
}

func (f *fakeStore) NoticeCounts(_ context.Context, q reports.Query) ([]reports.NoticeCount, error) {
	return f.notices, f.seen(q)
}

func (f *fakeStore) PenaltyTotals(_ context.Context, q reports.Query) (reports.PenaltyTotals, error) {
	return f.pens, f.seen(q)
}

func (f *fakeStore) ListingCounts(_ context.Context, q reports.Query) ([]reports.ListingCount, error) {
	return f.listings, f.seen(q)
}

func (f *fakeStore) Durations(_ context.Context, q reports.Query, m reports.Milestone) (reports.Percentiles, error) {
	if m == reports.Closure {
		return f.closure, f.seen(q)
	}
	return reports.Percentiles{}, f.seen(q)
}

func (f *fakeStore) Series(_ context.Context, q reports.Query, _ reports.Metric) ([]reports.MonthCount, error) {
	return f.series, f.seen(q)
}

type fakeAuthorities map[string]reports.Authority

func (f fakeAuthorities) AuthorityByCode(_ context.Context, code string) (reports.Authority, bool, error) {
	a, ok := f[code]
	return a, ok, nil
}

var (
	kent = principal.Authority{ID: "a-kent", Code: "KENT-TS", Name: "Kent Trading Standards"}
	opss = principal.Authority{ID: "a-opss", Code: "OPSS", Name: "Office for Product Safety and Standards", National: true}
	dirs = fakeAuthorities{"KENT-TS": {ID: kent.ID, Code: kent.Code, Name: kent.Name}, "OPSS": {ID: opss.ID, Code: opss.Code, Name: opss.Name}}
)

func service(st reports.Store) *reports.Service {
	return reports.NewService(st, dirs, func() time.Time { return now }, reports.Config{})
}

func TestWhoMayReportOnWhat(t *testing.T) {
	local, national := reports.Requester{Authority: kent}, reports.Requester{Authority: opss, National: true}
	// A local analyst who also holds a reporting role in OPSS.
	dual := reports.Requester{Authority: kent, National: true}
	for _, tc := range []struct {
		name      string
		r         reports.Requester
		authority string
		want      string // authority id queried, "*" for all, or an apperr code
	}{
		{"own by default", local, "", kent.ID},
		{"own by name, any case", local, "kent-ts", kent.ID},
		{"another authority", local, "OPSS", string(apperr.Forbidden)},
		{"all authorities", local, "ALL", string(apperr.Forbidden)},
		{"unknown authority, local", local, "NOWHERE", string(apperr.Forbidden)},
		{"national, own", national, "", opss.ID},
		{"national, all", national, "all", "*"},
		{"national, another", national, "KENT-TS", kent.ID},
		{"national, unknown", national, "NOWHERE", string(apperr.Invalid)},
		{"national role held elsewhere", dual, "ALL", "*"},
		{"no authority", reports.Requester{}, "", string(apperr.Forbidden)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &fakeStore{}
			s, err := service(st).Summary(context.Background(), tc.r, reports.Params{Authority: tc.authority})
			if err != nil {
				if got := string(apperr.CodeOf(err)); got != tc.want {
					t.Fatalf("error %v (%s), want %s", err, got, tc.want)
				}
				if len(st.queries) != 0 {
					t.Fatal("a refused report still queried the store")
				}
				return
			}
			got := st.queries[0].AuthorityID
			if got == "" {
				got = "*"
			}
			if got != tc.want || (got == "*") != s.Scope.All {
				t.Fatalf("queried %q (all=%v), want %s", got, s.Scope.All, tc.want)
			}
		})
	}
}

func TestSummaryLaysOutEveryCategory(t *testing.T) {
	st := &fakeStore{
		totals: reports.CaseTotals{Opened: 5, Closed: 2,
			OpenedByOrigin: map[string]int64{"complaint": 3, "referral": 1, "carrier_pigeon": 1},
			ClosedByOrigin: map[string]int64{"complaint": 2},
			OpenedByStatus: map[string]int64{"intake": 4, "closed": 1},
			ClosedByReason: map[string]int64{"duplicate": 2}},
		perMonth: []reports.MonthCount{{Month: "2026-02", Key: "intake", Count: 2}, {Month: "2026-03", Key: "closed", Count: 1},
			{Month: "2026-03", Key: "intake", Count: 2}, {Month: "2031-01", Key: "intake", Count: 9}},
		failed: []reports.RequirementCount{{RequirementID: "5.1-1", Cases: 1, Findings: 9}, {RequirementID: "PSTI-2", Cases: 3},
			{RequirementID: "PSTI-1", Cases: 3, Findings: 2}, {RequirementID: "5.6-1", Cases: 1, Findings: 10},
			{RequirementID: "NO-SUCH", Cases: 50}, {RequirementID: "COP-1", Cases: 7}, {RequirementID: "5.3-13"}},
		makers: []reports.ManufacturerCount{{OperatorID: "op-a", Name: "Acme Ltd", Country: "GB", Cases: 3, Failed: 7},
			{OperatorID: "op-b", Name: "Jane Smithson", Country: "GB", SoleTrader: true, Cases: 2, Failed: 5},
			{OperatorID: "op-c", Name: "Bob Jones", Country: "IE", SoleTrader: true, Cases: 1, Failed: 1}},
		notices:  []reports.NoticeCount{{Type: "stop", Issued: 2, Served: 2, Breached: 1}, {Type: "compliance", Issued: 3, Served: 2, Complied: 1}},
		pens:     reports.PenaltyTotals{Imposed: 1, ImposedPence: 500000, PaidPence: 1, ReceivedPence: 2},
		listings: []reports.ListingCount{{MarketType: "marketplace", Found: 3, Removed: 2, RemovedAfterAction: 1}, {MarketType: "retailer", Found: 7}},
		closure:  reports.Percentiles{N: 3, P50: 86400 * 1.234, P90: 86400*10 + 431},
	}
	s, err := service(st).Summary(context.Background(), reports.Requester{Authority: kent}, reports.Params{From: "2026-02", To: "2026-04"})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.queries) != 9 {
		t.Fatalf("%d store calls, want 9", len(st.queries))
	}
	for _, q := range st.queries {
		if q.AuthorityID != kent.ID || !q.From.Equal(day("2026-02-01T00:00:00Z")) || !q.To.Equal(day("2026-05-01T00:00:00Z")) {
			t.Fatalf("query %+v", q)
		}
	}
	c := s.Cases
	if len(c.ByOrigin) != 7 || c.ByOrigin[0].Origin != "proactive_surveillance" || c.ByOrigin[1] != (reports.OriginRow{Origin: "complaint", Opened: 3, Closed: 2}) ||
		c.ByOrigin[6] != (reports.OriginRow{Origin: "carrier_pigeon", Opened: 1}) {
		t.Errorf("by origin: %+v", c.ByOrigin)
	}
	if len(c.ByStatus) != 8 || c.ByStatus[0] != (reports.StatusRow{Status: "intake", Cases: 4}) || c.ByStatus[6] != (reports.StatusRow{Status: "closed", Cases: 1}) {
		t.Errorf("by status: %+v", c.ByStatus)
	}
	if len(c.ByClosureReason) != 7 || c.ByClosureReason[1] != (reports.ReasonRow{Reason: "duplicate", Closed: 2}) {
		t.Errorf("by reason: %+v", c.ByClosureReason)
	}
	if len(c.PerMonth) != 3 || c.PerMonth[0].Opened != 2 || c.PerMonth[1].Opened != 3 || c.PerMonth[1].ByStatus["intake"] != 2 ||
		c.PerMonth[2].Month != "2026-04" || c.PerMonth[2].Opened != 0 {
		t.Errorf("per month (months outside the period dropped, empty ones kept): %+v", c.PerMonth)
	}
	// Ranked by cases, then findings, then id; unknown ids and the Code of
	// Practice left out; rows with nothing dropped.
	psti, en := s.Requirements.PSTI, s.Requirements.EN303645
	if len(psti) != 2 || psti[0].RequirementID != "PSTI-1" || psti[0].Rank != 1 || psti[1].RequirementID != "PSTI-2" || psti[0].Title == "" {
		t.Errorf("PSTI: %+v", psti)
	}
	if len(en) != 2 || en[0].RequirementID != "5.6-1" || en[1].RequirementID != "5.1-1" || en[1].Rank != 2 {
		t.Errorf("EN 303 645: %+v", en)
	}
	m := s.Manufacturers
	if len(m) != 3 || m[0].Name != "Acme Ltd" || m[0].OperatorID != "op-a" || m[1].Name != "Sole trader 1" || m[1].OperatorID != "" ||
		m[2].Name != "Sole trader 2" || !m[2].SoleTrader || m[2].Rank != 3 {
		t.Errorf("manufacturers: %+v", m)
	}
	if len(s.Notices) != 7 || s.Notices[0].Type != "compliance" || s.Notices[1].Type != "stop" ||
		s.NoticeTotals != (reports.NoticeCount{Type: "total", Issued: 5, Served: 4, Complied: 1, Breached: 1}) {
		t.Errorf("notices: %+v %+v", s.Notices, s.NoticeTotals)
	}
	if s.Listings[1].RemovedAfterActionPct != 33.3 || s.ListingTotals.Found != 10 || s.ListingTotals.RemovedAfterActionPct != 10 ||
		s.Listings[2].MarketType != "secondary" {
		t.Errorf("listings: %+v %+v", s.Listings, s.ListingTotals)
	}
	tc := s.Timings.ToClosure
	if tc.Cases != 3 || *tc.MedianDays != 1.23 || *tc.P90Days != 10.0 || s.Timings.ToFirstNotice.MedianDays != nil {
		t.Errorf("timings: %+v %+v", tc, s.Timings.ToFirstNotice)
	}
}

func TestSummaryReportsStoreErrors(t *testing.T) {
	st := &fakeStore{fail: errors.New("disk on fire")}
	_, err := service(st).Summary(context.Background(), reports.Requester{Authority: kent}, reports.Params{})
	if err == nil || apperr.CodeOf(err) != apperr.Internal {
		t.Fatalf("got %v", err)
	}
}

func TestTimeseries(t *testing.T) {
	st := &fakeStore{series: []reports.MonthCount{{Month: "2026-01", Count: 4}, {Month: "2026-03", Count: 1}}}
	svc := service(st)
	s, err := svc.Timeseries(context.Background(), reports.Requester{Authority: kent},
		reports.SeriesParams{Metric: "notices_issued", Params: reports.Params{From: "2025-12", To: "2026-03"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Interval != "month" || s.Total != 5 || len(s.Points) != 4 || s.Points[0].Value != 0 || s.Points[1].Value != 4 ||
		s.Points[3].Month != "2026-03" || !s.Points[3].Start.Equal(day("2026-03-01T00:00:00Z")) {
		t.Fatalf("series: %+v", s)
	}
	for _, tc := range []struct {
		p      reports.SeriesParams
		fields []string
	}{
		{reports.SeriesParams{Metric: "cases_closed"}, []string{"metric"}},
		{reports.SeriesParams{}, []string{"metric"}},
		{reports.SeriesParams{Metric: "cases_opened", Interval: "week"}, []string{"interval"}},
		{reports.SeriesParams{Metric: "x", Interval: "day", Params: reports.Params{From: "2026-05", To: "2026-01"}}, []string{"metric", "interval", "from"}},
	} {
		_, err := svc.Timeseries(context.Background(), reports.Requester{Authority: kent}, tc.p)
		ae, ok := apperr.As(err)
		if !ok || len(ae.Fields) != len(tc.fields) {
			t.Errorf("%+v: %v, want fields %v", tc.p, err, tc.fields)
			continue
		}
		for i, f := range ae.Fields {
			if f.Field != tc.fields[i] {
				t.Errorf("%+v: field %d is %s, want %s", tc.p, i, f.Field, tc.fields[i])
			}
		}
	}
}

func TestRounding(t *testing.T) {
	for _, tc := range []struct {
		part, whole int64
		want        float64
	}{{1, 3, 33.3}, {2, 3, 66.7}, {1, 8, 12.5}, {0, 0, 0}, {7, 7, 100}} {
		if got := reports.Pct(tc.part, tc.whole); got != tc.want {
			t.Errorf("Pct(%d, %d) = %v, want %v", tc.part, tc.whole, got, tc.want)
		}
	}
	if got := reports.Days(86400*2 + 864*3); got != 2.03 {
		t.Errorf("Days = %v", got)
	}
}
