package reports

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

// AllAuthorities is the authority parameter that asks for every authority.
const AllAuthorities = "ALL"

// TopRequirements is how many requirements of each family the summary ranks.
const TopRequirements = 10

// TopManufacturers is how many manufacturers the summary ranks.
const TopManufacturers = 10

// Market types of the sites listings are seen on.
var MarketTypes = []string{"retailer", "marketplace", "secondary"}

// Query is what a store aggregates over: one authority's records (or every
// authority's when AuthorityID is empty) in the half-open period [From, To).
type Query struct {
	AuthorityID string
	From, To    time.Time
}

// CaseTotals count the cases opened in the period, by origin and by
// current status, and the cases closed in it (and still closed), by origin
// and by closure reason.
type CaseTotals struct {
	Opened         int64
	Closed         int64
	OpenedByOrigin map[string]int64
	ClosedByOrigin map[string]int64
	OpenedByStatus map[string]int64
	ClosedByReason map[string]int64
}

// MonthCount is a count for one calendar month (YYYY-MM, UTC) and key.
type MonthCount struct {
	Month string
	Key   string
	Count int64
}

// RequirementCount is, for one requirement, the fail verdicts recorded in
// the period (one per case) and the confirmed findings citing it.
type RequirementCount struct {
	RequirementID string
	Cases         int64
	Findings      int64
}

// ManufacturerCount is the fail verdicts recorded in the period on the
// cases naming an operator manufacturer (or own-brander), and how many of
// those cases had one.
type ManufacturerCount struct {
	OperatorID string
	Name       string
	Country    string
	SoleTrader bool
	Cases      int64
	Failed     int64
}

// NoticeCount is the notices of one type issued in the period, by outcome.
type NoticeCount struct {
	Type      string
	Issued    int64
	Served    int64
	Complied  int64
	Breached  int64
	Appealed  int64
	Withdrawn int64
}

// PenaltyTotals are the penalty notices issued in the period and the money.
type PenaltyTotals struct {
	Imposed       int64 // penalty notices issued and in force (not withdrawn, revoked or cancelled)
	ImposedPence  int64 // their penalty amounts
	PaidPence     int64 // payments recorded against them, whenever paid
	ReceivedPence int64 // payments against any penalty notice, paid in the period
}

// ListingCount is the listings of one market type attributed to the scope.
type ListingCount struct {
	MarketType         string
	Found              int64
	Removed            int64
	RemovedAfterAction int64
}

// Percentiles summarise a distribution of durations in seconds.
type Percentiles struct {
	N   int64
	P50 float64
	P90 float64
}

// Milestone names the end point of a duration measured from a case's opening.
type Milestone string

// Milestones.
const (
	FirstNotice Milestone = "first_notice"
	Closure     Milestone = "closure"
)

// Metric is a time series the dashboards chart.
type Metric string

// Metrics.
const (
	CasesOpened     Metric = "cases_opened"
	NoticesIssued   Metric = "notices_issued"
	ListingsRemoved Metric = "listings_removed"
)

// Metrics lists every metric.
var Metrics = []Metric{CasesOpened, NoticesIssued, ListingsRemoved}

// Store runs the aggregate queries. Every figure is computed by the
// database; see the package documentation for what each one counts.
type Store interface {
	CaseTotals(ctx context.Context, q Query) (CaseTotals, error)
	// CasesPerMonth counts the cases opened per month, keyed by current status.
	CasesPerMonth(ctx context.Context, q Query) ([]MonthCount, error)
	// FailedRequirements counts, per requirement, the fail verdicts and the
	// confirmed findings recorded in the period on the scope's cases.
	FailedRequirements(ctx context.Context, q Query) ([]RequirementCount, error)
	// TopManufacturers ranks manufacturers by those fail verdicts.
	TopManufacturers(ctx context.Context, q Query, limit int) ([]ManufacturerCount, error)
	NoticeCounts(ctx context.Context, q Query) ([]NoticeCount, error)
	PenaltyTotals(ctx context.Context, q Query) (PenaltyTotals, error)
	ListingCounts(ctx context.Context, q Query) ([]ListingCount, error)
	// Durations returns the median and 90th percentile of the seconds from
	// opening to the milestone, over the cases reaching it in the period.
	Durations(ctx context.Context, q Query, m Milestone) (Percentiles, error)
	// Series counts the metric per month (Key empty).
	Series(ctx context.Context, q Query, m Metric) ([]MonthCount, error)
}

// Authority is an enforcement authority as reports name it.
type Authority struct {
	ID       string
	Code     string
	Name     string
	National bool
}

// Authorities resolves authority codes.
type Authorities interface {
	// AuthorityByCode returns the authority; ok is false when none has the code.
	AuthorityByCode(ctx context.Context, code string) (a Authority, ok bool, err error)
}

// Requester is who asks for a report.
type Requester struct {
	// Authority is the authority the request acts in.
	Authority principal.Authority
	// National is true when the requester holds a reporting role (analyst
	// or supervisor) in a national authority: they may report on any
	// authority, or on all of them.
	National bool
}

// Scope is the authority, or all authorities, a report covers.
type Scope struct {
	All           bool
	AuthorityID   string
	AuthorityCode string
	AuthorityName string
}

// Label is how the report names its scope.
func (s Scope) Label() string {
	if s.All {
		return "All authorities"
	}
	return s.AuthorityName + " (" + s.AuthorityCode + ")"
}

// Code is the authority code, or AllAuthorities.
func (s Scope) Code() string {
	if s.All {
		return AllAuthorities
	}
	return s.AuthorityCode
}

// Params are a report request as received.
type Params struct {
	From      string
	To        string
	Authority string // code, AllAuthorities, or empty for the acting authority
}

// Service produces reports and referral packages.
type Service struct {
	store   Store
	auths   Authorities
	now     func() time.Time
	workers int
	exports *exporter
}

// Config tunes the report service.
type Config struct {
	// Parallelism is how many of a summary's queries run at once; default
	// the number of CPUs, between 2 and 4. Summaries must therefore not be
	// asked for inside a transaction.
	Parallelism int
}

// NewService wires the report service. Referral packages need UseExports.
func NewService(store Store, auths Authorities, now func() time.Time, cfg Config) *Service {
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = min(max(runtime.GOMAXPROCS(0), 2), 4)
	}
	return &Service{store: store, auths: auths, now: now, workers: cfg.Parallelism}
}

// Now returns the service clock's time.
func (s *Service) Now() time.Time { return s.now() }

// resolveScope applies who may report on what: your own authority always;
// another authority, or all of them, only with a reporting role in a
// national authority.
func (s *Service) resolveScope(ctx context.Context, r Requester, code string) (Scope, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	own := Scope{AuthorityID: r.Authority.ID, AuthorityCode: r.Authority.Code, AuthorityName: r.Authority.Name}
	switch {
	case r.Authority.ID == "":
		return Scope{}, apperr.New(apperr.Forbidden, "reports need an acting authority")
	case code == "" || code == r.Authority.Code:
		return own, nil
	case !r.National && code == AllAuthorities:
		return Scope{}, apperr.New(apperr.Forbidden,
			"only analysts and supervisors of the national regulator may report on all authorities; you may report on %s", r.Authority.Code)
	case !r.National:
		return Scope{}, apperr.New(apperr.Forbidden,
			"you may report only on your own authority, %s; reports on another authority need a role in the national regulator", r.Authority.Code)
	case code == AllAuthorities:
		return Scope{All: true}, nil
	}
	a, ok, err := s.auths.AuthorityByCode(ctx, code)
	if err != nil {
		return Scope{}, fmt.Errorf("resolve authority %s: %w", code, err)
	}
	if !ok {
		return Scope{}, apperr.InvalidField("authority", "no authority has the code %q; use an authority code or %s", code, AllAuthorities)
	}
	return Scope{AuthorityID: a.ID, AuthorityCode: a.Code, AuthorityName: a.Name}, nil
}

func (s *Service) prepare(ctx context.Context, r Requester, p Params) (Scope, Period, Query, error) {
	var fe apperr.Fields
	period, perr := ParsePeriod(p.From, p.To, s.now())
	scope, serr := s.resolveScope(ctx, r, p.Authority)
	if serr != nil && !apperr.Is(serr, apperr.Invalid) {
		return Scope{}, Period{}, Query{}, serr
	}
	for _, err := range []error{perr, serr} {
		if ae, ok := apperr.As(err); ok {
			for _, f := range ae.Fields {
				fe.Add(f.Field, "%s", f.Message)
			}
		}
	}
	if err := fe.Err(); err != nil {
		return Scope{}, Period{}, Query{}, err
	}
	return scope, period, Query{AuthorityID: scope.AuthorityID, From: period.From, To: period.To}, nil
}

// Summary is the aggregate report for one scope and period.
type Summary struct {
	Scope         Scope
	Period        Period
	GeneratedAt   time.Time
	Cases         CaseSection
	Requirements  RequirementSection
	Notices       []NoticeCount
	NoticeTotals  NoticeCount
	Penalties     PenaltyTotals
	Listings      []ListingRow
	ListingTotals ListingRow
	Timings       Timings
	Manufacturers []Manufacturer
}

// CaseSection counts cases opened and closed in the period.
type CaseSection struct {
	Opened          int64
	Closed          int64
	ByOrigin        []OriginRow
	ByStatus        []StatusRow
	ByClosureReason []ReasonRow
	PerMonth        []MonthRow
}

// OriginRow counts the cases of one origin.
type OriginRow struct {
	Origin string
	Opened int64
	Closed int64
}

// StatusRow counts the cases opened in the period by their current status.
type StatusRow struct {
	Status string
	Cases  int64
}

// ReasonRow counts the cases closed in the period for one reason.
type ReasonRow struct {
	Reason string
	Closed int64
}

// MonthRow counts the cases opened in one month, by current status.
type MonthRow struct {
	Month    string
	Opened   int64
	ByStatus map[string]int64
}

// RequirementSection ranks the requirements most often failed.
type RequirementSection struct {
	PSTI     []RequirementRow
	EN303645 []RequirementRow
}

// RequirementRow is one ranked requirement: the cases where it was found
// failing in the period and the confirmed findings citing it.
type RequirementRow struct {
	Rank          int
	RequirementID string
	Title         string
	Cases         int64
	Findings      int64
}

// ListingRow counts listings of one market type, with the share removed
// after enforcement action.
type ListingRow struct {
	ListingCount
	// RemovedAfterActionPct is RemovedAfterAction as a percentage of Found,
	// rounded to one decimal place; 0 when nothing was found.
	RemovedAfterActionPct float64
}

// Timings are the durations from opening a case to its milestones.
type Timings struct {
	ToFirstNotice Timing
	ToClosure     Timing
}

// Timing is a duration distribution in days; nil when no case reached the
// milestone in the period.
type Timing struct {
	Cases      int64
	MedianDays *float64
	P90Days    *float64
}

// Manufacturer is one ranked manufacturer; sole traders are anonymised.
type Manufacturer struct {
	Rank       int
	OperatorID string // empty for a sole trader
	Name       string // "Sole trader 1"… for sole traders
	Country    string
	SoleTrader bool
	Cases      int64 // its cases with a fail verdict recorded in the period
	Failed     int64 // those verdicts
}

// Summary builds the aggregate report. Its queries are independent, so
// they run concurrently (up to Config.Parallelism at once) on separate
// database connections.
func (s *Service) Summary(ctx context.Context, r Requester, p Params) (Summary, error) {
	scope, period, q, err := s.prepare(ctx, r, p)
	if err != nil {
		return Summary{}, err
	}
	out := Summary{Scope: scope, Period: period, GeneratedAt: s.now().UTC()}
	var (
		totals   CaseTotals
		perMonth []MonthCount
		failed   []RequirementCount
		makers   []ManufacturerCount
		ns       []NoticeCount
		ls       []ListingCount
		toNotice Percentiles
		toClose  Percentiles
	)
	// Longest first, so the slow ones start at once.
	err = s.parallel(ctx,
		func(ctx context.Context) (err error) {
			ls, err = s.store.ListingCounts(ctx, q)
			return wrap(err, "count listings")
		},
		func(ctx context.Context) (err error) {
			makers, err = s.store.TopManufacturers(ctx, q, TopManufacturers)
			return wrap(err, "rank manufacturers")
		},
		func(ctx context.Context) (err error) {
			failed, err = s.store.FailedRequirements(ctx, q)
			return wrap(err, "count failed requirements")
		},
		func(ctx context.Context) (err error) {
			toNotice, err = s.store.Durations(ctx, q, FirstNotice)
			return wrap(err, "durations to first notice")
		},
		func(ctx context.Context) (err error) {
			totals, err = s.store.CaseTotals(ctx, q)
			return wrap(err, "count cases")
		},
		func(ctx context.Context) (err error) {
			perMonth, err = s.store.CasesPerMonth(ctx, q)
			return wrap(err, "count cases per month")
		},
		func(ctx context.Context) (err error) {
			ns, err = s.store.NoticeCounts(ctx, q)
			return wrap(err, "count notices")
		},
		func(ctx context.Context) (err error) {
			out.Penalties, err = s.store.PenaltyTotals(ctx, q)
			return wrap(err, "total penalties")
		},
		func(ctx context.Context) (err error) {
			toClose, err = s.store.Durations(ctx, q, Closure)
			return wrap(err, "durations to closure")
		},
	)
	if err != nil {
		return Summary{}, err
	}
	out.Cases = caseSection(totals)
	out.Cases.PerMonth = monthRows(period, perMonth)
	out.Requirements = requirementSection(failed)
	out.Manufacturers = anonymise(makers)
	out.Notices, out.NoticeTotals = noticeRows(ns)
	out.Listings, out.ListingTotals = listingRows(ls)
	out.Timings = Timings{ToFirstNotice: timing(toNotice), ToClosure: timing(toClose)}
	return out, nil
}

func wrap(err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// parallel runs the tasks, at most s.workers at a time, and returns the
// first error; the others are cancelled through their context.
func (s *Service) parallel(ctx context.Context, tasks ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		slots = make(chan struct{}, max(1, s.workers))
	)
	for _, task := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			if ctx.Err() != nil {
				return
			}
			if err := task(ctx); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	return first
}

// ordered returns the known values in order, then any others the data
// holds, sorted, so every table lists every category even when zero.
func ordered(known []string, seen map[string]bool) []string {
	out := slices.Clone(known)
	var extra []string
	for k := range seen {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func keys(ms ...map[string]int64) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k, v := range m {
			if v != 0 {
				out[k] = true
			}
		}
	}
	return out
}

func caseSection(t CaseTotals) CaseSection {
	sec := CaseSection{Opened: t.Opened, Closed: t.Closed}
	for _, o := range ordered(strs(cases.Origins), keys(t.OpenedByOrigin, t.ClosedByOrigin)) {
		sec.ByOrigin = append(sec.ByOrigin, OriginRow{Origin: o, Opened: t.OpenedByOrigin[o], Closed: t.ClosedByOrigin[o]})
	}
	for _, st := range ordered(strs(cases.Statuses), keys(t.OpenedByStatus)) {
		sec.ByStatus = append(sec.ByStatus, StatusRow{Status: st, Cases: t.OpenedByStatus[st]})
	}
	for _, r := range ordered(strs(cases.ClosureReasons), keys(t.ClosedByReason)) {
		sec.ByClosureReason = append(sec.ByClosureReason, ReasonRow{Reason: r, Closed: t.ClosedByReason[r]})
	}
	return sec
}

// monthRows lays the per-month counts out over every month of the period.
func monthRows(p Period, counts []MonthCount) []MonthRow {
	idx := map[string]int{}
	var out []MonthRow
	for _, m := range p.Months() {
		idx[m] = len(out)
		out = append(out, MonthRow{Month: m, ByStatus: map[string]int64{}})
	}
	for _, c := range counts {
		i, ok := idx[c.Month]
		if !ok {
			continue
		}
		out[i].Opened += c.Count
		out[i].ByStatus[c.Key] += c.Count
	}
	return out
}

func requirementSection(counts []RequirementCount) RequirementSection {
	var sec RequirementSection
	sorted := slices.Clone(counts)
	slices.SortStableFunc(sorted, func(a, b RequirementCount) int {
		if c := cmp.Compare(b.Cases, a.Cases); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Findings, a.Findings); c != 0 {
			return c
		}
		return requirements.CompareIDs(a.RequirementID, b.RequirementID)
	})
	for _, c := range sorted {
		req, ok := requirements.Lookup(c.RequirementID)
		if !ok || (c.Cases == 0 && c.Findings == 0) {
			continue
		}
		row := RequirementRow{RequirementID: req.ID, Title: req.Title, Cases: c.Cases, Findings: c.Findings}
		switch req.Kind {
		case requirements.KindPSTI, requirements.KindPSTISoC:
			if len(sec.PSTI) < TopRequirements {
				row.Rank = len(sec.PSTI) + 1
				sec.PSTI = append(sec.PSTI, row)
			}
		case requirements.KindEN303645:
			if len(sec.EN303645) < TopRequirements {
				row.Rank = len(sec.EN303645) + 1
				sec.EN303645 = append(sec.EN303645, row)
			}
		}
	}
	return sec
}

// anonymise numbers sole traders in rank order and drops what identifies them.
func anonymise(ms []ManufacturerCount) []Manufacturer {
	out := make([]Manufacturer, 0, len(ms))
	n := 0
	for i, m := range ms {
		row := Manufacturer{Rank: i + 1, OperatorID: m.OperatorID, Name: m.Name, Country: m.Country,
			SoleTrader: m.SoleTrader, Cases: m.Cases, Failed: m.Failed}
		if m.SoleTrader {
			n++
			row.OperatorID, row.Name = "", fmt.Sprintf("Sole trader %d", n)
		}
		out = append(out, row)
	}
	return out
}

func noticeRows(counts []NoticeCount) ([]NoticeCount, NoticeCount) {
	by := map[string]NoticeCount{}
	seen := map[string]bool{}
	for _, c := range counts {
		by[c.Type] = c
		seen[c.Type] = true
	}
	total := NoticeCount{Type: "total"}
	var out []NoticeCount
	for _, t := range ordered(strs(notices.Types), seen) {
		c := by[t]
		c.Type = t
		out = append(out, c)
		total.Issued += c.Issued
		total.Served += c.Served
		total.Complied += c.Complied
		total.Breached += c.Breached
		total.Appealed += c.Appealed
		total.Withdrawn += c.Withdrawn
	}
	return out, total
}

// Pct returns part as a percentage of whole, rounded to one decimal place.
func Pct(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return math.Round(float64(part)*1000/float64(whole)) / 10
}

func listingRows(counts []ListingCount) ([]ListingRow, ListingRow) {
	by := map[string]ListingCount{}
	seen := map[string]bool{}
	for _, c := range counts {
		by[c.MarketType] = c
		seen[c.MarketType] = true
	}
	var total ListingRow
	total.MarketType = "total"
	var out []ListingRow
	for _, m := range ordered(MarketTypes, seen) {
		c := by[m]
		c.MarketType = m
		out = append(out, ListingRow{ListingCount: c, RemovedAfterActionPct: Pct(c.RemovedAfterAction, c.Found)})
		total.Found += c.Found
		total.Removed += c.Removed
		total.RemovedAfterAction += c.RemovedAfterAction
	}
	total.RemovedAfterActionPct = Pct(total.RemovedAfterAction, total.Found)
	return out, total
}

// Days converts seconds to days rounded to two decimal places.
func Days(seconds float64) float64 { return math.Round(seconds/864) / 100 }

func timing(p Percentiles) Timing {
	t := Timing{Cases: p.N}
	if p.N > 0 {
		med, p90 := Days(p.P50), Days(p.P90)
		t.MedianDays, t.P90Days = &med, &p90
	}
	return t
}

// Series is a time series for a dashboard.
type Series struct {
	Scope    Scope
	Period   Period
	Metric   Metric
	Interval string
	Points   []Point
	Total    int64
}

// Point is one month of a series.
type Point struct {
	Month string // YYYY-MM
	Start time.Time
	Value int64
}

// SeriesParams are a time-series request as received.
type SeriesParams struct {
	Params
	Metric   string
	Interval string
}

// Interval is the only bucket size series support.
const Interval = "month"

// Timeseries counts a metric per month over the period.
func (s *Service) Timeseries(ctx context.Context, r Requester, p SeriesParams) (Series, error) {
	var fe apperr.Fields
	metric := Metric(strings.TrimSpace(p.Metric))
	fe.Check(metric == "", "metric", "is required: one of %s", strings.Join(strs(Metrics), ", "))
	fe.Check(metric != "" && !slices.Contains(Metrics, metric), "metric", "unknown metric %q: use one of %s", p.Metric,
		strings.Join(strs(Metrics), ", "))
	interval := strings.TrimSpace(p.Interval)
	if interval == "" {
		interval = Interval
	}
	fe.Check(interval != Interval, "interval", "must be %s", Interval)
	scope, period, q, err := s.prepare(ctx, r, p.Params)
	if ae, ok := apperr.As(err); ok && ae.Code == apperr.Invalid {
		for _, f := range ae.Fields {
			fe.Add(f.Field, "%s", f.Message)
		}
	} else if err != nil {
		return Series{}, err
	}
	if err := fe.Err(); err != nil {
		return Series{}, err
	}
	counts, err := s.store.Series(ctx, q, metric)
	if err != nil {
		return Series{}, fmt.Errorf("series %s: %w", metric, err)
	}
	out := Series{Scope: scope, Period: period, Metric: metric, Interval: interval}
	for _, row := range monthRows(period, counts) {
		start, _ := time.Parse("2006-01", row.Month)
		out.Points = append(out.Points, Point{Month: row.Month, Start: start, Value: row.Opened})
		out.Total += row.Opened
	}
	return out, nil
}
