package component_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// Report routes in the authorization sweep: analysts and supervisors read
// reports of their own authority; supervisors export their cases.
func init() {
	sweepTable["GET /api/v1/reports/summary"] = rule{roles: "SA"}
	sweepTable["GET /api/v1/reports/timeseries"] = rule{roles: "SA"}
	sweepTable["POST /api/v1/cases/:id/exports"] = rule{roles: "S", owned: true}
}

// setClock is a clock the test sets: the dataset is built at chosen
// instants, so every date in the reports is known exactly.
type setClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *setClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *setClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// The test's own record of what it created, from which it computes every
// expected figure independently of the report code.
type rCase struct {
	id, ref, authority, origin, status, reason string
	opened                                     time.Time
	closed                                     *time.Time
	products                                   []string
	fails                                      []rVerdict
	makers                                     []string // operator ids named manufacturer or own-brander (with repeats)
	confirmed                                  []rFinding
	scanAt                                     time.Time // when the case's scan was uploaded (its findings' created_at)
}

type rVerdict struct {
	req string
	at  time.Time
}

type rFinding struct {
	reqs []string
	at   time.Time
}

type rNotice struct {
	id, caseID, authority, typ, status string
	issued                             time.Time
	served                             bool
	penalty                            int64
	exhibitID                          string
	verification                       string
}

type rPayment struct {
	noticeID string
	amount   int64
	paid     time.Time
}

type rListing struct {
	id, product, market string
	observed            time.Time
	removed             *time.Time
}

type rOperator struct {
	id, name   string
	soleTrader bool
	country    string
}

// reportWorld is the fixed dataset, built through the API.
type reportWorld struct {
	env       *wiringtest.Env
	clock     *setClock
	cases     []*rCase
	notices   []*rNotice
	payments  []rPayment
	listings  []*rListing
	operators map[string]rOperator
	authIDs   map[string]string // code → id

	// The referral-package case (C1) and what it must and must not carry.
	c1                   *rCase
	c1Exhibits           []exhibitView
	c1Scan               []byte
	c1Receipt            []byte
	officerID, officerNm string
	p1, p2, p3           string
	op1, op2, op3        string
}

const (
	complainantName  = "Eleanor Whitcombe"
	complainantLine  = "14 Orchard Lane, Canterbury CT1 2AB"
	complainantPhone = "01227 555019"
	soleTraderName   = "Jane Smithson"
	soleTraderTrade  = "SmartHomeDirect"
	soleTraderAddr   = "7 Willow Close, Ashford TN23 4QP"
	soleTraderSite   = "https://smarthomedirect.example"
	privateNote      = "Private: the complainant is a vulnerable adult, contact via her daughter only"
	shareableNote    = "Shareable: the importer confirmed 1,200 units sold through marketplaces since March"
	closureNote      = "Closed after Mr Bellamy agreed the payment plan by phone"
	scopeNote        = "Triage call with Mrs Whitcombe's daughter on 10 January"
	collector        = "Lab technician Anil Patel"
	signatory        = "Dr Hannah Okafor"
	servedOn         = "Company secretary, Mr Robert Bellamy"
	outcomeNote      = "Mr Bellamy confirmed the firmware update by phone"
)

func (w *reportWorld) set(s string) { w.clock.Set(at(s)) }

func (w *reportWorld) as(role, authority string) *wiringtest.Client {
	return w.env.As(roleOf(role), authority)
}

func (w *reportWorld) upload(c *wiringtest.Client, caseID, name, ctype string, content []byte, collected time.Time) exhibitView {
	w.env.T.Helper()
	var ev exhibitView
	c.Upload("/api/v1/cases/"+caseID+"/evidence", map[string]string{"description": "Exhibit " + name,
		"collected_at": collected.Format(time.RFC3339), "collected_by": collector, "power_used": "test_purchase", "kind": "network_scan"},
		name, ctype, content).Expect(201).JSON(&ev)
	return ev
}

// openCase opens a case as the authority's officer and records its parties and verdicts.
func (w *reportWorld) openCase(t *testing.T, authority, origin, summary string, product string, fails []string, parties map[string]string) *rCase {
	t.Helper()
	off := w.as("officer", authority)
	var cv caseView
	off.Post("/api/v1/cases", map[string]any{"title": "Connectable product case (" + origin + ")", "summary": summary,
		"origin": origin, "product_ids": []string{product}, "risk_level": "high"}).Expect(201).JSON(&cv)
	rc := &rCase{id: cv.ID, ref: cv.Reference, authority: authority, origin: origin, status: "intake", opened: w.clock.Now(),
		products: []string{product}}
	for _, spec := range sortedKeys(parties) {
		op, role, _ := strings.Cut(spec, "|")
		off.Post("/api/v1/cases/"+cv.ID+"/parties", map[string]string{"operator_id": op, "role": role, "product_id": product}).Expect(201)
		if role == "manufacturer" || role == "own_brander" {
			rc.makers = append(rc.makers, op)
		}
	}
	for _, rid := range fails {
		w.fail(t, rc, rid)
	}
	w.cases = append(w.cases, rc)
	return rc
}

// fail records a fail verdict on the case now.
func (w *reportWorld) fail(t *testing.T, rc *rCase, rid string) {
	t.Helper()
	w.as("officer", rc.authority).Put("/api/v1/cases/"+rc.id+"/assessment/"+rid, map[string]any{"verdict": "fail",
		"rationale": "Observed on two test-purchased units"}).Expect(200)
	rc.fails = append(rc.fails, rVerdict{req: rid, at: w.clock.Now()})
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"|"+v)
	}
	sort.Strings(out)
	return out
}

func (w *reportWorld) transition(t *testing.T, c *wiringtest.Client, rc *rCase, to string, body map[string]any) {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	body["to"] = to
	c.Post("/api/v1/cases/"+rc.id+"/transitions", body).Expect(200)
	rc.status = to
}

// closeCase closes as a supervisor; an unpaid penalty balance is passed
// to debt recovery (the override is only recorded when work is outstanding).
func (w *reportWorld) closeCase(t *testing.T, rc *rCase, reason, note string) {
	t.Helper()
	w.transition(t, w.as("supervisor", rc.authority), rc, "closed", map[string]any{"reason": reason, "note": note,
		"override_reason": "unpaid penalty balance passed to debt recovery"})
	now := w.clock.Now()
	rc.closed, rc.reason = &now, reason
}

// confirm confirms the first open finding of the case with the given requirements.
func (w *reportWorld) confirm(t *testing.T, rc *rCase, status string, reqs []string) {
	t.Helper()
	off := w.as("officer", rc.authority)
	open := findings(t, off, rc.id, "status=open")
	if len(open) == 0 {
		t.Fatalf("no open finding left on %s", rc.ref)
	}
	off.Patch("/api/v1/findings/"+open[0].ID, map[string]any{"status": status, "requirement_ids": reqs}).Expect(200)
	if status == "confirmed" {
		rc.confirmed = append(rc.confirmed, rFinding{reqs: reqs, at: rc.scanAt})
	}
}

// issue drafts, approves, issues and optionally serves a notice.
func (w *reportWorld) issue(t *testing.T, rc *rCase, body map[string]any, serve bool) *rNotice {
	t.Helper()
	off, sup := w.as("officer", rc.authority), w.as("supervisor", rc.authority)
	var n noticeView
	off.Post("/api/v1/cases/"+rc.id+"/notices", body).Expect(201).JSON(&n)
	off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/issue", nil).Expect(200).JSON(&n)
	rn := &rNotice{id: n.ID, caseID: rc.id, authority: rc.authority, typ: body["type"].(string), status: "issued",
		issued: w.clock.Now(), exhibitID: n.ExhibitID, verification: n.VerificationCode}
	if p, ok := body["penalty"].(map[string]any); ok {
		rn.penalty = p["amount_pence"].(int64)
	}
	if serve {
		off.Post("/api/v1/notices/"+n.ID+"/serve", map[string]any{"method": "recorded_delivery", "served_at": w.clock.Now(),
			"served_to": servedOn}).Expect(200)
		rn.served, rn.status = true, "served"
	}
	w.notices = append(w.notices, rn)
	return rn
}

func (w *reportWorld) outcome(t *testing.T, n *rNotice, outcome string) {
	t.Helper()
	w.as("supervisor", n.authority).Post("/api/v1/notices/"+n.id+"/outcome", map[string]string{"outcome": outcome, "note": outcomeNote}).Expect(200)
	n.status = outcome
}

func (w *reportWorld) listing(t *testing.T, product, retailer, market string, observed time.Time) *rListing {
	t.Helper()
	l := newListing(t, w.as("officer", "KENT-TS"), map[string]any{"retailer": retailer, "market_type": market,
		"url": fmt.Sprintf("https://%s.example/item/%d", strings.ToLower(retailer), len(w.listings)+1), "title": "Smart camera listing",
		"observed_at": observed.Format(time.RFC3339), "product_id": product, "condition": map[bool]string{true: "used", false: "new"}[market == "secondary"]})
	rl := &rListing{id: l.ID, product: product, market: market, observed: observed}
	w.listings = append(w.listings, rl)
	return rl
}

func (w *reportWorld) remove(t *testing.T, l *rListing) {
	t.Helper()
	w.as("officer", "KENT-TS").Patch("/api/v1/listings/"+l.id, map[string]any{"status": "removed"}).Expect(200)
	now := w.clock.Now()
	l.removed = &now
}

func comply(w *reportWorld, days int) string {
	return w.clock.Now().AddDate(0, 0, days).Format(time.DateOnly)
}

// buildReportWorld creates the fixed dataset of the report tests: six cases
// over two authorities from December 2024 to January 2026, with parties
// (one a sole trader), verdicts, confirmed findings, notices of five types
// with every outcome, a penalty with payments inside and outside 2025, and
// listings removed before and after action.
func buildReportWorld(t *testing.T) *reportWorld {
	clock := &setClock{t: at("2024-11-30 10:00")}
	env := wiringtest.New(t, func(c *wiring.Config) {
		c.Now = clock.Now
		c.TokenTTL = 20 * 365 * 24 * time.Hour
	})
	w := &reportWorld{env: env, clock: clock, operators: map[string]rOperator{}, authIDs: map[string]string{}}
	for _, a := range wiringtest.Authorities {
		auth, err := env.App.Identity.Authority(env.Ctx(), a.Code)
		if err != nil {
			t.Fatal(err)
		}
		w.authIDs[a.Code] = auth.ID
	}
	off := w.as("officer", "KENT-TS")
	w.officerID, w.officerNm = userID(t, off), "KENT-TS officer"

	// Registers.
	var p struct{ ID string }
	off.Post("/api/v1/products", map[string]any{"brand": "Brightwave", "model": "BW-Cam 2", "gtin": "5012345678900", "category": "camera",
		"statement_of_compliance": map[string]any{"present": true, "standard": "ETSI EN 303 645", "version": "V2.1.1", "signatory": signatory}}).
		Expect(201).JSON(&p)
	w.p1 = p.ID
	w.p2 = newProduct(t, off, "Lumina", "Smart Plug LP-10", "")
	w.p3 = newProduct(t, w.as("officer", "OPSS"), "Nordlys", "Hub N1", "")
	addOp := func(c *wiringtest.Client, body map[string]any) string {
		var o struct{ ID string }
		c.Post("/api/v1/operators", body).Expect(201).JSON(&o)
		st, _ := body["sole_trader"].(bool)
		w.operators[o.ID] = rOperator{id: o.ID, name: body["name"].(string), soleTrader: st, country: body["country"].(string)}
		return o.ID
	}
	w.op1 = addOp(off, map[string]any{"name": "Brightwave Devices Ltd", "company_number": "09876543", "country": "GB",
		"address": "Unit 4, Crawley Business Park, Crawley RH10 9AA"})
	w.op2 = addOp(off, map[string]any{"name": soleTraderName, "trading_names": []string{soleTraderTrade}, "country": "GB",
		"address": soleTraderAddr, "website": soleTraderSite, "sole_trader": true})
	w.op3 = addOp(w.as("officer", "OPSS"), map[string]any{"name": "Nordlys Electronics AS", "country": "NO"})
	l5 := w.listing(t, w.p1, "Amazon", "marketplace", at("2024-11-30 09:00"))
	_ = l5

	// C4: opened in December 2024 (outside 2025), closed as a duplicate in 2025.
	w.set("2024-12-15 09:00")
	c4 := w.openCase(t, "KENT-TS", "complaint", "Duplicate report of the BW-Cam 2", w.p1, []string{"PSTI-2"},
		map[string]string{w.op1: "manufacturer"})
	w.upload(off, c4.id, "camera.xml", "application/xml", fixture(t, "nmap/testdata/camera.xml"), w.clock.Now().Add(-time.Hour))
	c4.scanAt = w.clock.Now()
	w.confirm(t, c4, "confirmed", []string{"5.6-1"})
	w.transition(t, off, c4, "triage", nil)

	// C1: the complaint that goes all the way, and the referral-package case.
	w.set("2025-01-10 09:00")
	w.c1 = w.openCase(t, "KENT-TS", "complaint", "Complaint from "+complainantName+", "+complainantLine+", tel "+complainantPhone+
		": the camera accepted admin/admin after a reset.", w.p1, []string{"PSTI-1", "5.1-1"},
		map[string]string{w.op1: "manufacturer", w.op2: "retailer"})
	c1 := w.c1
	off.Post("/api/v1/cases/"+c1.id+"/parties", map[string]string{"operator_id": w.op1, "role": "own_brander", "product_id": w.p1}).Expect(201)
	c1.makers = append(c1.makers, w.op1)
	off.Put("/api/v1/cases/"+c1.id+"/assessment/PSTI-3", map[string]any{"verdict": "pass", "rationale": "Support period published"}).Expect(200)
	w.c1Scan = fixture(t, "nmap/testdata/camera.xml")
	w.c1Receipt = []byte("Test purchase receipt: BW-Cam 2, order 204-5551234, £89.99, delivered to the Kent TS lab\n")
	w.c1Exhibits = append(w.c1Exhibits, w.upload(off, c1.id, "camera scan.xml", "application/xml", w.c1Scan, w.clock.Now().Add(-2*time.Hour)),
		w.upload(off, c1.id, "receipt.txt", "text/plain", w.c1Receipt, w.clock.Now().Add(-3*time.Hour)))
	c1.scanAt = w.clock.Now()
	w.confirm(t, c1, "confirmed", []string{"5.6-1"})
	w.confirm(t, c1, "confirmed", []string{"5.6-1", "PSTI-1"})
	w.confirm(t, c1, "false_positive", []string{"5.5-1"})
	off.Post("/api/v1/cases/"+c1.id+"/notes", map[string]any{"body": privateNote}).Expect(201)
	off.Post("/api/v1/cases/"+c1.id+"/notes", map[string]any{"body": shareableNote, "shareable": true}).Expect(201)
	w.transition(t, off, c1, "triage", nil)
	var cv caseView
	off.Get("/api/v1/cases/" + c1.id).Expect(200).JSON(&cv)
	yes, no := true, false
	// The complainant is recorded apart from the summary, so the package can
	// keep the summary with their identity taken out (R1).
	off.Header("If-Match", fmt.Sprintf(`"%d"`, cv.Version)).Patch("/api/v1/cases/"+c1.id, map[string]any{"scope": map[string]any{
		"connectable": yes, "uk_consumer_product": yes, "used_or_second_hand": no, "excepted": no, "notes": scopeNote},
		"complainant": map[string]any{"name": complainantName, "address": complainantLine, "phone": complainantPhone}}).Expect(200)
	for _, to := range []string{"investigating", "decision", "enforcement"} {
		w.transition(t, off, c1, to, nil)
	}

	w.set("2025-01-20 12:00")
	l1 := w.listing(t, w.p1, "Amazon", "marketplace", at("2025-01-20 11:00"))
	// A verdict recorded in 2025 on the case opened in 2024 counts in 2025.
	w.set("2025-02-01 07:30")
	w.fail(t, c4, "5.2-1")
	w.set("2025-02-01 08:00")
	w.closeCase(t, c4, "duplicate", "")
	l2 := w.listing(t, w.p1, "eBay", "marketplace", at("2025-02-01 07:00"))
	w.set("2025-02-05 10:00")
	w.remove(t, l2) // before any action on the product

	// The notices of intent the compliance and penalty notices follow (s.28(5)-(6); s.37), given after the
	// listing removed before any action.
	w.set("2025-02-05 11:00")
	w.issue(t, c1, map[string]any{"type": "penalty_intent", "operator_id": w.op1, "requirement_ids": []string{"PSTI-1", "5.1-1"},
		"comply_by": comply(w, 28), "penalty": map[string]any{"qualifying_worldwide_revenue_pence": int64(0), "revenue_period": "FY2024",
			"amount_pence": int64(5_000_000), "daily_amount_pence": int64(0)}}, true)
	w.issue(t, c1, map[string]any{"type": "intent", "operator_id": w.op1, "product_ids": []string{w.p1},
		"requirement_ids": []string{"PSTI-1"}, "steps": []string{"Ship unique passwords."}, "comply_by": comply(w, 10)}, true)
	w.set("2025-02-17 10:00")
	cn := w.issue(t, c1, map[string]any{"type": "compliance", "operator_id": w.op1, "product_ids": []string{w.p1},
		"requirement_ids": []string{"PSTI-1"}, "steps": []string{"Ship unique passwords."}, "comply_by": comply(w, 30)}, true)

	w.set("2025-03-05 09:00")
	c2 := w.openCase(t, "KENT-TS", "proactive_surveillance", "Plug found on a marketplace sweep", w.p2,
		[]string{"PSTI-1", "PSTI-2", "5.2-1"}, map[string]string{w.op2: "manufacturer"})
	w.set("2025-03-08 10:00")
	pn := w.issue(t, c1, map[string]any{"type": "penalty", "operator_id": w.op1, "requirement_ids": []string{"PSTI-1", "5.1-1"},
		"comply_by": comply(w, 30), "penalty": map[string]any{"qualifying_worldwide_revenue_pence": int64(0), "revenue_period": "FY2024",
			"amount_pence": int64(5_000_000), "daily_amount_pence": int64(0)}}, true)
	w.set("2025-03-10 10:00")
	w.remove(t, l1) // after the compliance notice of 17 February
	w.listing(t, w.p2, "Argos", "retailer", at("2025-03-10 09:00"))
	w.set("2025-03-20 10:00")
	w.outcome(t, cn, "complied")

	w.set("2025-04-01 10:00")
	sn := w.issue(t, c2, map[string]any{"type": "stop", "operator_id": w.op2, "requirement_ids": []string{"PSTI-1"},
		"urgency": "Units are being sold daily with a password published online."}, true)
	w.set("2025-04-02 09:00")
	sup := w.as("supervisor", "KENT-TS")
	sup.Post("/api/v1/notices/"+pn.id+"/payments", map[string]any{"amount_pence": 2_000_000, "paid_at": at("2025-04-01 12:00"),
		"method": "bank_transfer", "reference": "BACS 1"}).Expect(201)
	w.payments = append(w.payments, rPayment{noticeID: pn.id, amount: 2_000_000, paid: at("2025-04-01 12:00")})
	w.set("2025-04-15 10:00")
	w.outcome(t, sn, "breached")
	w.set("2025-05-01 10:00")
	rn := w.issue(t, c2, map[string]any{"type": "recall", "operator_id": w.op2, "requirement_ids": []string{"PSTI-2"},
		"steps": []string{"Recall every unit sold."}, "comply_by": comply(w, 30),
		"urgency": "Compromised units are in consumers' homes now."}, true)
	w.set("2025-05-10 10:00")
	w.outcome(t, rn, "appealed")
	w.set("2025-05-20 08:00")
	w.outcome(t, rn, "upheld")

	w.set("2025-05-20 09:00")
	c3 := w.openCase(t, "KENT-TS", "online_monitoring", "Listing monitoring hit", w.p1, []string{"PSTI-3"},
		map[string]string{w.op1: "manufacturer"})
	w.upload(off, c3.id, "camera.xml", "application/xml", fixture(t, "nmap/testdata/camera.xml"), w.clock.Now().Add(-time.Hour))
	c3.scanAt = w.clock.Now()
	w.confirm(t, c3, "confirmed", []string{"5.5-1"})
	w.confirm(t, c3, "disputed", []string{"5.6-1"})

	w.set("2025-06-30 17:00")
	w.closeCase(t, c1, "enforcement_complete", closureNote)

	// OPSS: its own case, an information notice withdrawn before service, a second-hand listing.
	w.set("2025-07-01 09:00")
	c6 := w.openCase(t, "OPSS", "border_check", "Border Force seizure", w.p3, []string{"5.1-1"}, map[string]string{w.op3: "manufacturer"})
	w.set("2025-07-15 10:00")
	l4 := w.listing(t, w.p3, "Gumtree", "secondary", at("2025-07-15 09:00"))
	w.set("2025-08-01 10:00")
	in := w.issue(t, c6, map[string]any{"type": "information", "operator_id": w.op3, "comply_by": comply(w, 14)}, false)
	w.set("2025-08-05 10:00")
	w.as("supervisor", "OPSS").Post("/api/v1/notices/"+in.id+"/withdraw", map[string]string{"reason": "Sent to the wrong address"}).Expect(200)
	in.status = "withdrawn"
	w.set("2025-09-01 10:00")
	w.remove(t, l4)

	// C5: opened in November 2025, closed in January 2026 (outside 2025).
	w.set("2025-11-20 09:00")
	c5 := w.openCase(t, "KENT-TS", "referral", "Referred by Surrey Trading Standards", w.p2, nil, nil)
	w.transition(t, off, c5, "triage", nil)
	w.set("2026-01-05 09:00")
	w.closeCase(t, c5, "duplicate", "")
	w.set("2026-01-10 12:00")
	sup.Post("/api/v1/notices/"+pn.id+"/payments", map[string]any{"amount_pence": 500_000, "paid_at": at("2026-01-10 11:00"),
		"method": "card"}).Expect(201)
	w.payments = append(w.payments, rPayment{noticeID: pn.id, amount: 500_000, paid: at("2026-01-10 11:00")})
	w.set("2026-01-12 09:00")
	return w
}

// The summary as the tests read it (and compute it).

type originView struct {
	Origin string `json:"origin"`
	Opened int64  `json:"opened"`
	Closed int64  `json:"closed"`
}

type statusView struct {
	Status string `json:"status"`
	Cases  int64  `json:"cases"`
}

type reasonView struct {
	Reason string `json:"closure_reason"`
	Cases  int64  `json:"cases"`
}

type monthView struct {
	Month    string           `json:"month"`
	Opened   int64            `json:"opened"`
	ByStatus map[string]int64 `json:"by_status"`
}

type reqView struct {
	Rank     int    `json:"rank"`
	ID       string `json:"requirement_id"`
	Title    string `json:"title"`
	Cases    int64  `json:"cases_failed"`
	Findings int64  `json:"confirmed_findings"`
}

type noticeRowView struct {
	Type      string `json:"type"`
	Issued    int64  `json:"issued"`
	Served    int64  `json:"served"`
	Complied  int64  `json:"complied"`
	Breached  int64  `json:"breached"`
	Appealed  int64  `json:"appealed"`
	Withdrawn int64  `json:"withdrawn_or_revoked"`
}

type penaltyView struct {
	Imposed  int64 `json:"imposed"`
	Imposed_ int64 `json:"imposed_pence"`
	Paid     int64 `json:"paid_pence"`
	Received int64 `json:"received_in_period_pence"`
}

type listingRowView struct {
	Market  string  `json:"market_type"`
	Found   int64   `json:"found"`
	Removed int64   `json:"removed"`
	After   int64   `json:"removed_after_action"`
	Pct     float64 `json:"removed_after_action_pct"`
}

type timingView struct {
	Cases  int64    `json:"cases"`
	Median *float64 `json:"median_days"`
	P90    *float64 `json:"p90_days"`
}

type makerView struct {
	Rank       int    `json:"rank"`
	OperatorID string `json:"operator_id"`
	Name       string `json:"name"`
	SoleTrader bool   `json:"sole_trader"`
	Country    string `json:"country"`
	Cases      int64  `json:"cases"`
	Failed     int64  `json:"failed_requirements"`
}

type summaryView struct {
	Authority string    `json:"authority"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Defaulted bool      `json:"defaulted"`
	Clamped   bool      `json:"clamped"`
	Notes     []string  `json:"notes"`
	Cases     struct {
		Opened          int64        `json:"opened"`
		Closed          int64        `json:"closed"`
		ByOrigin        []originView `json:"by_origin"`
		ByStatus        []statusView `json:"by_status"`
		ByClosureReason []reasonView `json:"by_closure_reason"`
		PerMonth        []monthView  `json:"per_month"`
	} `json:"cases"`
	Failed struct {
		PSTI []reqView `json:"psti"`
		EN   []reqView `json:"en_303_645"`
	} `json:"failed_requirements"`
	Notices struct {
		ByType []noticeRowView `json:"by_type"`
		Total  noticeRowView   `json:"total"`
	} `json:"notices"`
	Penalties penaltyView `json:"penalties"`
	Listings  struct {
		ByMarketType []listingRowView `json:"by_market_type"`
		Total        listingRowView   `json:"total"`
	} `json:"listings"`
	Timings struct {
		ToFirstNotice timingView `json:"to_first_notice"`
		ToClosure     timingView `json:"to_closure"`
	} `json:"timings"`
	Makers []makerView `json:"top_manufacturers"`
}

var (
	allOrigins  = []string{"proactive_surveillance", "complaint", "referral", "self_notification", "border_check", "online_monitoring"}
	allStatuses = []string{"intake", "triage", "investigating", "decision", "enforcement", "monitoring", "closed", "reopened"}
	allReasons  = []string{"out_of_scope", "duplicate", "no_breach_found", "compliance_achieved", "enforcement_complete",
		"referred_elsewhere", "no_further_action"}
	allTypes   = []string{"compliance", "stop", "recall", "penalty", "information", "intent", "penalty_intent"}
	allMarkets = []string{"retailer", "marketplace", "secondary"}
)

// percentile interpolates linearly between closest ranks (what
// PostgreSQL's percentile_cont does), written out independently here.
func percentile(sorted []int64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	lo := math.Floor(pos)
	if pos == lo {
		return float64(sorted[int(lo)])
	}
	a, b := float64(sorted[int(lo)]), float64(sorted[int(lo)+1])
	return a + (pos-lo)*(b-a)
}

func timingOf(secs []int64) timingView {
	tv := timingView{Cases: int64(len(secs))}
	if len(secs) == 0 {
		return tv
	}
	slices.Sort(secs)
	med, p90 := math.Round(percentile(secs, 0.5)/864)/100, math.Round(percentile(secs, 0.9)/864)/100
	tv.Median, tv.P90 = &med, &p90
	return tv
}

// expect computes the summary of scope ("ALL" or a code) over [from, to)
// from the test's own record of the dataset.
func (w *reportWorld) expect(scope string, from, to time.Time, titles map[string]string) summaryView {
	var e summaryView
	e.Authority, e.From, e.To, e.Notes = scope, from, to, []string{}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	mine := func(auth string) bool { return scope == "ALL" || auth == scope }
	opened, closed := map[string][2]int64{}, map[string]int64{}
	statuses, reasons := map[string]int64{}, map[string]int64{}
	months := map[string]map[string]int64{}
	failCases, findingsBy := map[string]int64{}, map[string]int64{}
	type makerAgg struct{ cases, failed int64 }
	makers := map[string]*makerAgg{}
	var toClose []int64
	for _, c := range w.cases {
		if !mine(c.authority) {
			continue
		}
		if c.closed != nil && in(*c.closed) {
			e.Cases.Closed++
			o := opened[c.origin]
			o[1]++
			opened[c.origin] = o
			reasons[c.reason]++
			closed[c.origin]++
			toClose = append(toClose, c.closed.Unix()-c.opened.Unix())
		}
		// Failures count when recorded in the period, whenever the case opened.
		var failsIn int64
		for _, v := range c.fails {
			if in(v.at) {
				failCases[v.req]++
				failsIn++
			}
		}
		for _, f := range c.confirmed {
			if in(f.at) {
				for _, r := range f.reqs {
					findingsBy[r]++
				}
			}
		}
		seen := map[string]bool{}
		for _, op := range c.makers {
			if seen[op] || failsIn == 0 {
				continue
			}
			seen[op] = true
			if makers[op] == nil {
				makers[op] = &makerAgg{}
			}
			makers[op].cases++
			makers[op].failed += failsIn
		}
		if !in(c.opened) {
			continue
		}
		e.Cases.Opened++
		o := opened[c.origin]
		o[0]++
		opened[c.origin] = o
		statuses[c.status]++
		m := c.opened.Format("2006-01")
		if months[m] == nil {
			months[m] = map[string]int64{}
		}
		months[m][c.status]++
	}
	for _, o := range allOrigins {
		e.Cases.ByOrigin = append(e.Cases.ByOrigin, originView{Origin: o, Opened: opened[o][0], Closed: opened[o][1]})
	}
	for _, s := range allStatuses {
		e.Cases.ByStatus = append(e.Cases.ByStatus, statusView{Status: s, Cases: statuses[s]})
	}
	for _, r := range allReasons {
		e.Cases.ByClosureReason = append(e.Cases.ByClosureReason, reasonView{Reason: r, Cases: reasons[r]})
	}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		mv := monthView{Month: key, ByStatus: map[string]int64{}}
		for s, n := range months[key] {
			mv.ByStatus[s] = n
			mv.Opened += n
		}
		e.Cases.PerMonth = append(e.Cases.PerMonth, mv)
	}

	var reqIDs []string
	for r := range failCases {
		reqIDs = append(reqIDs, r)
	}
	for r := range findingsBy {
		if _, ok := failCases[r]; !ok {
			reqIDs = append(reqIDs, r)
		}
	}
	sort.Slice(reqIDs, func(i, j int) bool {
		a, b := reqIDs[i], reqIDs[j]
		if failCases[a] != failCases[b] {
			return failCases[a] > failCases[b]
		}
		if findingsBy[a] != findingsBy[b] {
			return findingsBy[a] > findingsBy[b]
		}
		return a < b
	})
	e.Failed.PSTI, e.Failed.EN = []reqView{}, []reqView{}
	for _, r := range reqIDs {
		row := reqView{ID: r, Title: titles[r], Cases: failCases[r], Findings: findingsBy[r]}
		if strings.HasPrefix(r, "PSTI-") {
			row.Rank = len(e.Failed.PSTI) + 1
			e.Failed.PSTI = append(e.Failed.PSTI, row)
		} else {
			row.Rank = len(e.Failed.EN) + 1
			e.Failed.EN = append(e.Failed.EN, row)
		}
	}

	var ops []string
	for op, m := range makers {
		if m.failed > 0 {
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		a, b := makers[ops[i]], makers[ops[j]]
		switch {
		case a.failed != b.failed:
			return a.failed > b.failed
		case a.cases != b.cases:
			return a.cases > b.cases
		}
		return ops[i] < ops[j]
	})
	e.Makers = []makerView{}
	traders := 0
	for i, op := range ops {
		o, m := w.operators[op], makers[op]
		mv := makerView{Rank: i + 1, OperatorID: op, Name: o.name, SoleTrader: o.soleTrader, Country: o.country, Cases: m.cases,
			Failed: m.failed}
		if o.soleTrader {
			traders++
			mv.OperatorID, mv.Name = "", fmt.Sprintf("Sole trader %d", traders)
		}
		e.Makers = append(e.Makers, mv)
	}

	byType := map[string]*noticeRowView{}
	firstNotice := map[string]time.Time{}
	caseOf := map[string]*rCase{}
	for _, c := range w.cases {
		caseOf[c.id] = c
	}
	var imposed []string
	for _, n := range w.notices {
		if f, ok := firstNotice[n.caseID]; !ok || n.issued.Before(f) {
			firstNotice[n.caseID] = n.issued
		}
		if !mine(n.authority) || !in(n.issued) {
			continue
		}
		r := byType[n.typ]
		if r == nil {
			r = &noticeRowView{Type: n.typ}
			byType[n.typ] = r
		}
		r.Issued++
		if n.served {
			r.Served++
		}
		switch n.status {
		case "complied":
			r.Complied++
		case "breached":
			r.Breached++
		case "appealed", "upheld", "varied", "cancelled":
			r.Appealed++
		case "withdrawn", "revoked":
			r.Withdrawn++
		}
		if n.typ == "penalty" && !slices.Contains([]string{"withdrawn", "revoked", "cancelled"}, n.status) {
			e.Penalties.Imposed++
			e.Penalties.Imposed_ += n.penalty
			imposed = append(imposed, n.id)
		}
	}
	e.Notices.Total = noticeRowView{Type: "total"}
	for _, t := range allTypes {
		r := noticeRowView{Type: t}
		if byType[t] != nil {
			r = *byType[t]
		}
		e.Notices.ByType = append(e.Notices.ByType, r)
		tot := &e.Notices.Total
		tot.Issued += r.Issued
		tot.Served += r.Served
		tot.Complied += r.Complied
		tot.Breached += r.Breached
		tot.Appealed += r.Appealed
		tot.Withdrawn += r.Withdrawn
	}
	noticeByID := map[string]*rNotice{}
	for _, n := range w.notices {
		noticeByID[n.id] = n
	}
	for _, p := range w.payments {
		n := noticeByID[p.noticeID]
		if slices.Contains(imposed, p.noticeID) {
			e.Penalties.Paid += p.amount
		}
		if n.typ == "penalty" && mine(n.authority) && in(p.paid) {
			e.Penalties.Received += p.amount
		}
	}
	var toNotice []int64
	for caseID, first := range firstNotice {
		c := caseOf[caseID]
		if mine(c.authority) && in(first) {
			toNotice = append(toNotice, first.Unix()-c.opened.Unix())
		}
	}
	e.Timings.ToFirstNotice, e.Timings.ToClosure = timingOf(toNotice), timingOf(toClose)

	// Listings: products of the scope's cases, and the first notice about each.
	productFirst := map[string]*time.Time{}
	for _, c := range w.cases {
		if !mine(c.authority) {
			continue
		}
		for _, p := range c.products {
			if _, ok := productFirst[p]; !ok {
				productFirst[p] = nil
			}
			for _, n := range w.notices {
				if n.caseID == c.id && (productFirst[p] == nil || n.issued.Before(*productFirst[p])) {
					t := n.issued
					productFirst[p] = &t
				}
			}
		}
	}
	lrows := map[string]*listingRowView{}
	e.Listings.Total = listingRowView{Market: "total"}
	for _, l := range w.listings {
		first, ok := productFirst[l.product]
		if !ok || !in(l.observed) {
			continue
		}
		r := lrows[l.market]
		if r == nil {
			r = &listingRowView{Market: l.market}
			lrows[l.market] = r
		}
		r.Found++
		if l.removed != nil {
			r.Removed++
			if first != nil && !l.removed.Before(*first) {
				r.After++
			}
		}
	}
	pct := func(a, b int64) float64 {
		if b == 0 {
			return 0
		}
		return math.Round(float64(a)*1000/float64(b)) / 10
	}
	for _, m := range allMarkets {
		r := listingRowView{Market: m}
		if lrows[m] != nil {
			r = *lrows[m]
		}
		r.Pct = pct(r.After, r.Found)
		e.Listings.ByMarketType = append(e.Listings.ByMarketType, r)
		e.Listings.Total.Found += r.Found
		e.Listings.Total.Removed += r.Removed
		e.Listings.Total.After += r.After
	}
	e.Listings.Total.Pct = pct(e.Listings.Total.After, e.Listings.Total.Found)
	return e
}

func requirementTitles(t *testing.T, c *wiringtest.Client) map[string]string {
	t.Helper()
	var list struct {
		Items []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"items"`
	}
	c.Get("/api/v1/requirements").Expect(200).JSON(&list)
	out := map[string]string{}
	for _, r := range list.Items {
		out[r.ID] = r.Title
	}
	return out
}

// compareSummary reports every section of got that differs from want.
func compareSummary(t *testing.T, label string, got, want summaryView) {
	t.Helper()
	check := func(section string, g, w any) {
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		if !bytes.Equal(gj, wj) {
			t.Errorf("%s: %s\n got %s\nwant %s", label, section, gj, wj)
		}
	}
	check("authority", got.Authority, want.Authority)
	check("period", []time.Time{got.From, got.To}, []time.Time{want.From, want.To})
	check("cases", got.Cases, want.Cases)
	check("failed requirements", got.Failed, want.Failed)
	check("notices", got.Notices, want.Notices)
	check("penalties", got.Penalties, want.Penalties)
	check("listings", got.Listings, want.Listings)
	check("timings", got.Timings, want.Timings)
	check("top manufacturers", got.Makers, want.Makers)
}

func summaryOf(t *testing.T, c *wiringtest.Client, query string) summaryView {
	t.Helper()
	var s summaryView
	c.Get("/api/v1/reports/summary?" + query).Expect(200).JSON(&s)
	return s
}

var year2025From, year2025To = at("2025-01-01 00:00"), at("2026-01-01 00:00")

// TestReports builds the fixed dataset once and checks every figure of the
// summary, in JSON, CSV and PDF, against values computed by the test; the
// time series; who may ask for what; and the referral package.
func TestReports(t *testing.T) {
	w := buildReportWorld(t)
	titles := requirementTitles(t, w.as("analyst", "KENT-TS"))
	kent := w.expect("KENT-TS", year2025From, year2025To, titles)
	all := w.expect("ALL", year2025From, year2025To, titles)
	opss := w.expect("OPSS", year2025From, year2025To, titles)

	t.Run("dataset", func(t *testing.T) {
		// Guard the test's own expectations: the dataset exercises what it is meant to.
		if kent.Cases.Opened != 4 || kent.Cases.Closed != 2 || all.Cases.Opened != 5 || len(kent.Makers) != 2 ||
			!kent.Makers[1].SoleTrader || kent.Penalties.Paid != 2_500_000 || kent.Penalties.Received != 2_000_000 ||
			kent.Listings.Total.After != 1 || kent.Listings.Total.Removed != 2 || kent.Timings.ToFirstNotice.Cases != 2 ||
			all.Timings.ToFirstNotice.Cases != 3 || opss.Notices.Total.Withdrawn != 1 ||
			// 5.2-1 failed on C2 (opened 2025) and on C4 (opened 2024, verdict recorded in 2025).
			len(kent.Failed.EN) == 0 || kent.Failed.EN[0].ID != "5.2-1" || kent.Failed.EN[0].Cases != 2 {
			t.Fatalf("the dataset is not what the test expects: %+v", kent)
		}
	})

	t.Run("summary JSON", func(t *testing.T) {
		analyst, national := w.as("analyst", "KENT-TS"), w.as("analyst", "OPSS")
		compareSummary(t, "KENT-TS analyst", summaryOf(t, analyst, "from=2025-01&to=2025-12"), kent)
		compareSummary(t, "KENT-TS supervisor", summaryOf(t, w.as("supervisor", "KENT-TS"), "from=2025-01-01&to=2025-12-31"), kent)
		compareSummary(t, "national, ALL", summaryOf(t, national, "from=2025-01&to=2025-12&authority=ALL"), all)
		compareSummary(t, "national, own", summaryOf(t, national, "from=2025-01&to=2025-12"), opss)
		compareSummary(t, "national, KENT-TS", summaryOf(t, national, "from=2025-01&to=2025-12&authority=kent-ts"), kent)
		// A narrower period: the first quarter, as RFC 3339 instants.
		q1 := w.expect("KENT-TS", at("2025-01-01 00:00"), at("2025-04-01 00:00"), titles)
		compareSummary(t, "KENT-TS Q1", summaryOf(t, analyst, "from=2025-01-01T00:00:00Z&to=2025-04-01T00:00:00Z"), q1)
		// Sole traders are anonymised: no id, no name.
		s := analyst.Get("/api/v1/reports/summary?from=2025-01&to=2025-12").Expect(200)
		for _, leak := range []string{soleTraderName, soleTraderTrade, w.op2} {
			if strings.Contains(s.String(), leak) {
				t.Errorf("the summary names the sole trader (%q)", leak)
			}
		}
	})

	t.Run("summary CSV", func(t *testing.T) {
		r := w.as("analyst", "KENT-TS").Header("Accept", "text/csv").Get("/api/v1/reports/summary?from=2025-01&to=2025-12").Expect(200)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("content type %q", ct)
		}
		sections := parseSections(t, r.Body)
		n := func(v int64) string { return strconv.FormatInt(v, 10) }
		want := map[string][][]string{}
		for _, o := range kent.Cases.ByOrigin {
			want["cases_by_origin"] = append(want["cases_by_origin"], []string{o.Origin, n(o.Opened), n(o.Closed)})
		}
		want["cases_by_origin"] = append(want["cases_by_origin"], []string{"total", n(kent.Cases.Opened), n(kent.Cases.Closed)})
		for _, s := range kent.Cases.ByStatus {
			want["cases_by_status"] = append(want["cases_by_status"], []string{s.Status, n(s.Cases)})
		}
		want["cases_by_status"] = append(want["cases_by_status"], []string{"total", n(kent.Cases.Opened)})
		for _, r := range kent.Cases.ByClosureReason {
			want["cases_by_closure_reason"] = append(want["cases_by_closure_reason"], []string{r.Reason, n(r.Cases)})
		}
		want["cases_by_closure_reason"] = append(want["cases_by_closure_reason"], []string{"total", n(kent.Cases.Closed)})
		for _, m := range kent.Cases.PerMonth {
			for _, s := range allStatuses {
				if m.ByStatus[s] > 0 {
					want["cases_per_month"] = append(want["cases_per_month"], []string{m.Month, s, n(m.ByStatus[s])})
				}
			}
			want["cases_per_month"] = append(want["cases_per_month"], []string{m.Month, "total", n(m.Opened)})
		}
		for _, r := range kent.Failed.PSTI {
			want["failed_psti_requirements"] = append(want["failed_psti_requirements"], []string{strconv.Itoa(r.Rank), r.ID, r.Title, n(r.Cases), n(r.Findings)})
		}
		for _, r := range kent.Failed.EN {
			want["failed_en303645_provisions"] = append(want["failed_en303645_provisions"], []string{strconv.Itoa(r.Rank), r.ID, r.Title, n(r.Cases), n(r.Findings)})
		}
		for _, r := range append(kent.Notices.ByType, kent.Notices.Total) {
			want["notices"] = append(want["notices"], []string{r.Type, n(r.Issued), n(r.Served), n(r.Complied), n(r.Breached), n(r.Appealed), n(r.Withdrawn)})
		}
		p := kent.Penalties
		want["penalties"] = [][]string{{n(p.Imposed), n(p.Imposed_), n(p.Paid), n(p.Received)}}
		for _, l := range append(kent.Listings.ByMarketType, kent.Listings.Total) {
			want["listings"] = append(want["listings"], []string{l.Market, n(l.Found), n(l.Removed), n(l.After), strconv.FormatFloat(l.Pct, 'f', 1, 64)})
		}
		days := func(d *float64) string {
			if d == nil {
				return ""
			}
			return strconv.FormatFloat(*d, 'f', 2, 64)
		}
		tn, tc := kent.Timings.ToFirstNotice, kent.Timings.ToClosure
		want["timings"] = [][]string{{"first_notice", n(tn.Cases), days(tn.Median), days(tn.P90)}, {"closure", n(tc.Cases), days(tc.Median), days(tc.P90)}}
		for _, m := range kent.Makers {
			want["top_manufacturers"] = append(want["top_manufacturers"], []string{strconv.Itoa(m.Rank), m.OperatorID, m.Name,
				strconv.FormatBool(m.SoleTrader), m.Country, n(m.Cases), n(m.Failed)})
		}
		heads := map[string]string{
			"report": "field,value", "cases_by_origin": "origin,opened,closed", "cases_by_status": "status,cases_opened",
			"cases_by_closure_reason": "closure_reason,cases_closed", "cases_per_month": "month,status,cases_opened",
			"failed_psti_requirements":   "rank,requirement_id,title,cases_failed,confirmed_findings",
			"failed_en303645_provisions": "rank,requirement_id,title,cases_failed,confirmed_findings",
			"notices":                    "type,issued,served,complied,breached,appealed,withdrawn_or_revoked",
			"penalties":                  "penalties_imposed,imposed_pence,paid_pence,received_in_period_pence",
			"listings":                   "market_type,found,removed,removed_after_action,removed_after_action_pct",
			"timings":                    "milestone,cases,median_days,p90_days",
			"top_manufacturers":          "rank,operator_id,name,sole_trader,country,cases,failed_requirements",
		}
		for name, head := range heads {
			sec, ok := sections[name]
			if !ok {
				t.Errorf("CSV lacks section %s", name)
				continue
			}
			if got := strings.Join(sec[0], ","); got != head {
				t.Errorf("CSV %s header %q, want %q", name, got, head)
			}
			if name == "report" {
				continue
			}
			got, _ := json.Marshal(sec[1:])
			exp, _ := json.Marshal(want[name])
			if want[name] == nil {
				exp = []byte("[]")
			}
			if !bytes.Equal(got, exp) {
				t.Errorf("CSV %s:\n got %s\nwant %s", name, got, exp)
			}
		}
		if len(sections) != len(heads) {
			t.Errorf("CSV has %d sections, want %d", len(sections), len(heads))
		}
		// ?format=csv is the same document.
		r2 := w.as("analyst", "KENT-TS").Get("/api/v1/reports/summary?from=2025-01&to=2025-12&format=csv").Expect(200)
		if stripGenerated(r2.String()) != stripGenerated(r.String()) {
			t.Error("?format=csv and Accept: text/csv differ")
		}
	})

	t.Run("summary PDF", func(t *testing.T) {
		r := w.as("analyst", "KENT-TS").Get("/api/v1/reports/summary?from=2025-01&to=2025-12&format=pdf").Expect(200)
		if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Fatalf("not a PDF: %q", ct)
		}
		text := normalize(pdftext.Extract(t, r.Body))
		c := func(v int64) string { return groupThousands(v) }
		money := func(p int64) string { return "£" + groupThousands(p/100) + fmt.Sprintf(".%02d", p%100) }
		days := func(d *float64) string {
			if d == nil {
				return "–"
			}
			return strconv.FormatFloat(*d, 'f', 2, 64)
		}
		want := []string{"Kent County Council Trading Standards (KENT-TS)", "1 January 2025 – 31 December 2025",
			fmt.Sprintf("%s cases opened and %s closed in the period.", c(kent.Cases.Opened), c(kent.Cases.Closed)),
			"Cases opened per month, by current status"}
		for _, o := range kent.Cases.ByOrigin {
			want = append(want, fmt.Sprintf("%s %s %s", pdfLabel(o.Origin), c(o.Opened), c(o.Closed)))
		}
		for _, s := range kent.Cases.ByStatus {
			want = append(want, fmt.Sprintf("%s %s", pdfLabel(s.Status), c(s.Cases)))
		}
		for _, r := range kent.Cases.ByClosureReason {
			want = append(want, fmt.Sprintf("%s %s", pdfLabel(r.Reason), c(r.Cases)))
		}
		for _, r := range append(kent.Failed.PSTI, kent.Failed.EN...) {
			want = append(want, fmt.Sprintf("%d %s %s %s %s", r.Rank, r.ID, r.Title, c(r.Cases), c(r.Findings)))
		}
		for _, r := range append(kent.Notices.ByType, kent.Notices.Total) {
			want = append(want, fmt.Sprintf("%s %s %s %s %s %s %s", pdfLabel(r.Type), c(r.Issued), c(r.Served), c(r.Complied),
				c(r.Breached), c(r.Appealed), c(r.Withdrawn)))
		}
		p := kent.Penalties
		want = append(want, "Penalties imposed "+c(p.Imposed), "Amount imposed "+money(p.Imposed_), "Paid against them "+money(p.Paid),
			"Received in the period "+money(p.Received))
		for _, l := range append(kent.Listings.ByMarketType, kent.Listings.Total) {
			want = append(want, fmt.Sprintf("%s %s %s %s %s%%", pdfLabel(l.Market), c(l.Found), c(l.Removed), c(l.After),
				strconv.FormatFloat(l.Pct, 'f', 1, 64)))
		}
		tn, tc := kent.Timings.ToFirstNotice, kent.Timings.ToClosure
		want = append(want, fmt.Sprintf("Opening to first notice %s %s %s", c(tn.Cases), days(tn.Median), days(tn.P90)),
			fmt.Sprintf("Opening to closure %s %s %s", c(tc.Cases), days(tc.Median), days(tc.P90)))
		for _, m := range kent.Makers {
			name := m.Name
			if m.SoleTrader {
				name += " (sole trader)"
			}
			want = append(want, fmt.Sprintf("%d %s %s %s %s", m.Rank, name, m.Country, c(m.Cases), c(m.Failed)))
		}
		for _, s := range want {
			if !strings.Contains(text, normalize(s)) {
				t.Errorf("the PDF lacks %q", s)
			}
		}
		if strings.Contains(text, soleTraderName) {
			t.Error("the PDF names the sole trader")
		}
	})

	t.Run("time series", func(t *testing.T) {
		type series struct {
			Authority string `json:"authority"`
			Metric    string `json:"metric"`
			Total     int64  `json:"total"`
			Points    []struct {
				Month string `json:"month"`
				Value int64  `json:"value"`
			} `json:"points"`
		}
		expectMonths := func(metric string, months ...string) map[string]int64 {
			m := map[string]int64{}
			for _, k := range months {
				m[k]++
			}
			return m
		}
		var openedMonths, issuedMonths, removedMonths []string
		for _, c := range w.cases {
			if c.authority == "KENT-TS" && c.opened.Year() == 2025 {
				openedMonths = append(openedMonths, c.opened.Format("2006-01"))
			}
		}
		for _, n := range w.notices {
			if n.authority == "KENT-TS" && n.issued.Year() == 2025 {
				issuedMonths = append(issuedMonths, n.issued.Format("2006-01"))
			}
		}
		for _, l := range w.listings {
			if l.removed != nil && l.removed.Year() == 2025 && (l.product == w.p1 || l.product == w.p2) {
				removedMonths = append(removedMonths, l.removed.Format("2006-01"))
			}
		}
		for metric, months := range map[string][]string{"cases_opened": openedMonths, "notices_issued": issuedMonths, "listings_removed": removedMonths} {
			var s series
			w.as("analyst", "KENT-TS").Get("/api/v1/reports/timeseries?metric=" + metric + "&interval=month&from=2025-01&to=2025-12").Expect(200).JSON(&s)
			want := expectMonths(metric, months...)
			if len(s.Points) != 12 || s.Total != int64(len(months)) || s.Metric != metric || s.Authority != "KENT-TS" {
				t.Errorf("%s: %d points, total %d, want 12 and %d", metric, len(s.Points), s.Total, len(months))
			}
			for i, p := range s.Points {
				if wantMonth := fmt.Sprintf("2025-%02d", i+1); p.Month != wantMonth || p.Value != want[p.Month] {
					t.Errorf("%s point %d: %s=%d, want %s=%d", metric, i, p.Month, p.Value, wantMonth, want[wantMonth])
				}
			}
		}
		var s series
		w.as("analyst", "OPSS").Get("/api/v1/reports/timeseries?metric=listings_removed&from=2025-01&to=2025-12&authority=ALL").Expect(200).JSON(&s)
		if s.Total != 3 || s.Authority != "ALL" {
			t.Errorf("national listings removed: %+v", s)
		}
	})

	t.Run("access and bad input", func(t *testing.T) {
		analyst := w.as("analyst", "KENT-TS")
		problem := func(r *wiringtest.Response, status int, field string) {
			t.Helper()
			p := r.Expect(status).Problem()
			if field != "" && !p.HasField(field) {
				t.Errorf("problem %+v does not name %s", p, field)
			}
		}
		problem(analyst.Get("/api/v1/reports/summary?authority=OPSS"), 403, "")
		problem(analyst.Get("/api/v1/reports/summary?authority=ALL"), 403, "")
		problem(analyst.Get("/api/v1/reports/timeseries?metric=cases_opened&authority=OPSS"), 403, "")
		problem(w.as("officer", "KENT-TS").Get("/api/v1/reports/summary"), 403, "")
		problem(w.as("admin", "KENT-TS").Get("/api/v1/reports/timeseries?metric=cases_opened"), 403, "")
		problem(w.as("analyst", "OPSS").Get("/api/v1/reports/summary?authority=NOWHERE-TS"), 422, "authority")
		problem(analyst.Get("/api/v1/reports/summary?from=2025-12&to=2025-01"), 422, "from")
		problem(analyst.Get("/api/v1/reports/summary?from=2025-06-01T00:00:00Z&to=2025-06-01T00:00:00Z"), 422, "from")
		problem(analyst.Get("/api/v1/reports/summary?from=last+year"), 422, "from")
		problem(analyst.Get("/api/v1/reports/summary?to=31/12/2025"), 422, "to")
		problem(analyst.Get("/api/v1/reports/summary?format=xlsx"), 422, "format")
		problem(analyst.Get("/api/v1/reports/timeseries?metric=cases_closed"), 422, "metric")
		problem(analyst.Get("/api/v1/reports/timeseries"), 422, "metric")
		problem(analyst.Get("/api/v1/reports/timeseries?metric=cases_opened&interval=week"), 422, "interval")
		problem(analyst.Get("/api/v1/reports/timeseries?metric=nope&interval=day&from=2026&to=2025-01"), 422, "metric")

		// Unbounded ranges: clamped to ten years, and said so.
		var s summaryView
		analyst.Get("/api/v1/reports/summary?from=1900-01-01&to=2025-12").Expect(200).JSON(&s)
		if !s.Clamped || !s.From.Equal(at("2016-01-01 00:00")) || !s.To.Equal(year2025To) || len(s.Notes) != 1 {
			t.Errorf("clamped period: %+v %v %v %v", s.Clamped, s.From, s.To, s.Notes)
		}
		compareSummary(t, "clamped", s, w.expect("KENT-TS", at("2016-01-01 00:00"), year2025To, titles))
		// Too long because it ends in the future: the end is cut to today
		// first, so the period still covers the data (it used to become the
		// last ten years before 2100, where every figure is 0).
		s = summaryView{}
		analyst.Get("/api/v1/reports/summary?from=2020-01-01&to=2100-01-01").Expect(200).JSON(&s)
		if endOfToday := at("2026-01-13 00:00"); !s.Clamped || !s.From.Equal(at("2020-01-01 00:00")) || !s.To.Equal(endOfToday) ||
			len(s.Notes) != 1 {
			t.Errorf("period cut to today: %+v %v %v %v", s.Clamped, s.From, s.To, s.Notes)
		}
		compareSummary(t, "cut to today", s, w.expect("KENT-TS", at("2020-01-01 00:00"), at("2026-01-13 00:00"), titles))
		if s.Cases.Opened == 0 {
			t.Errorf("the period cut to today counts no case: %+v", s)
		}
		// A missing bound is defaulted: to the end of today, or twelve months back.
		s = summaryView{}
		analyst.Get("/api/v1/reports/summary?from=2025-06").Expect(200).JSON(&s)
		if !s.Defaulted || !s.To.Equal(at("2026-01-13 00:00")) || len(s.Notes) != 1 {
			t.Errorf("defaulted to: %+v %v %v", s.Defaulted, s.To, s.Notes)
		}
		s = summaryView{}
		analyst.Get("/api/v1/reports/summary?to=2025-06").Expect(200).JSON(&s)
		if !s.Defaulted || !s.From.Equal(at("2024-07-01 00:00")) || !s.To.Equal(at("2025-07-01 00:00")) {
			t.Errorf("defaulted from: %v %v", s.From, s.To)
		}
		s = summaryView{}
		analyst.Get("/api/v1/reports/summary").Expect(200).JSON(&s)
		if !s.Defaulted || !s.From.Equal(at("2025-02-01 00:00")) || !s.To.Equal(at("2026-01-13 00:00")) {
			t.Errorf("default period: %v %v", s.From, s.To)
		}
		compareSummary(t, "default period", s, w.expect("KENT-TS", at("2025-02-01 00:00"), at("2026-01-13 00:00"), titles))
	})

	t.Run("referral package", func(t *testing.T) { testReferralPackage(t, w) })
}

// parseSections splits the summary CSV into its tables.
func parseSections(t *testing.T, body []byte) map[string][][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	out := map[string][][]string{}
	current := ""
	for _, rec := range recs {
		if len(rec) == 1 && strings.HasPrefix(rec[0], "# ") {
			current = strings.TrimPrefix(rec[0], "# ")
			out[current] = [][]string{}
			continue
		}
		if current == "" {
			t.Fatalf("CSV row outside a section: %v", rec)
		}
		out[current] = append(out[current], rec)
	}
	return out
}

var generatedLine = regexp.MustCompile(`(?m)^generated_at,.*$`)

func stripGenerated(s string) string { return generatedLine.ReplaceAllString(s, "") }

var spaces = regexp.MustCompile(`\s+`)

func normalize(s string) string { return spaces.ReplaceAllString(s, " ") }

func groupThousands(v int64) string {
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pdfLabel is how the PDF prints a category: "proactive_surveillance" → "Proactive surveillance".
func pdfLabel(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

type manifestView struct {
	Format      string `json:"format"`
	PackageID   string `json:"package_id"`
	CaseRef     string `json:"case_reference"`
	GeneratedAt string `json:"generated_at"`
	GeneratedBy struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"generated_by"`
	Recipient string `json:"recipient"`
	Purpose   string `json:"purpose"`
	Files     []struct {
		Path       string `json:"path"`
		Size       int64  `json:"size"`
		SHA256     string `json:"sha256"`
		ExhibitRef string `json:"exhibit_ref"`
	} `json:"files"`
	Exhibits []struct {
		Ref    string `json:"ref"`
		ID     string `json:"id"`
		SHA256 string `json:"sha256"`
		Status string `json:"status"`
		Path   string `json:"path"`
	} `json:"exhibits"`
	Redactions []struct {
		Rule string `json:"rule"`
	} `json:"redactions"`
}

func unzip(t *testing.T, body []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the package is not a ZIP archive: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}

type custodyView struct {
	Items []struct {
		Action string `json:"action"`
		To     string `json:"to"`
		Note   string `json:"note"`
	} `json:"items"`
}

func custodyOf(t *testing.T, c *wiringtest.Client, exhibitID string) custodyView {
	t.Helper()
	var cv custodyView
	c.Get("/api/v1/evidence/" + exhibitID + "/custody").Expect(200).JSON(&cv)
	return cv
}

func testReferralPackage(t *testing.T, w *reportWorld) {
	c1 := w.c1
	path := "/api/v1/cases/" + c1.id + "/exports"
	sup := w.as("supervisor", "KENT-TS")
	body := map[string]any{"recipient": "Office for Product Safety and Standards, Enforcement Team",
		"purpose": "Referral for a national penalty under PSTI s.36", "include_evidence": true}

	// Who may export: the owning authority's supervisors only.
	w.as("officer", "KENT-TS").Post(path, body).Expect(403).Problem()
	w.as("analyst", "KENT-TS").Post(path, body).Expect(403).Problem()
	w.as("supervisor", "OPSS").Post(path, body).Expect(404).Problem()

	// Bad requests record nothing.
	var generatedID string
	var exs struct{ Items []exhibitView }
	sup.Get("/api/v1/cases/" + c1.id + "/evidence").Expect(200).JSON(&exs)
	for _, n := range w.notices {
		if n.caseID == c1.id {
			generatedID = n.exhibitID
		}
	}
	before := auditCount(t, w.env)
	sup.Post(path, map[string]any{"purpose": "x"}).Expect(422).Problem()
	p := sup.Post(path, map[string]any{"recipient": "OPSS", "purpose": "x", "include_evidence": true,
		"exhibit_ids": []string{w.c1Exhibits[0].ID, generatedID, "01a2199b-0000-7000-8000-000000000000"}}).Expect(422).Problem()
	// An issued notice's PDF may be chosen (R8); an exhibit of nothing may not.
	if p.HasField("exhibit_ids[1]") || !p.HasField("exhibit_ids[2]") {
		t.Errorf("bad exhibit ids: %+v", p)
	}
	sup.Post(path, map[string]any{"recipient": "OPSS", "purpose": "x", "exhibit_ids": []string{w.c1Exhibits[0].ID}}).Expect(422).Problem()
	if after := auditCount(t, w.env); after != before {
		t.Errorf("refused exports wrote %d audit entries", after-before)
	}
	for _, ex := range w.c1Exhibits {
		for _, e := range custodyOf(t, sup, ex.ID).Items {
			if e.Action == "exported" {
				t.Fatalf("a refused export reached the chain of custody of %s", ex.ExhibitRef)
			}
		}
	}

	// The package.
	r := sup.Post(path, body).Expect(200)
	if ct := r.Header.Get("Content-Type"); ct != "application/zip" {
		t.Fatalf("content type %q", ct)
	}
	files := unzip(t, r.Body)
	var m manifestView
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if m.PackageID == "" || m.PackageID != r.Header.Get("X-Package-ID") || m.CaseRef != c1.ref || m.Recipient != body["recipient"] ||
		m.Purpose != body["purpose"] || m.GeneratedBy.Name != "KENT-TS supervisor" || m.GeneratedBy.Email != "supervisor@kent-ts.test" ||
		m.GeneratedAt != "2026-01-12T09:00:00Z" {
		t.Errorf("manifest header: %+v", m)
	}
	// Every file but the manifest is listed with its hash; nothing else is in the archive.
	listed := map[string]bool{"manifest.json": true}
	for _, f := range m.Files {
		listed[f.Path] = true
		b, ok := files[f.Path]
		sum := sha256.Sum256(b)
		if !ok || hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(b)) != f.Size {
			t.Errorf("%s: in archive %v, hash or size does not match the manifest", f.Path, ok)
		}
	}
	for name := range files {
		if !listed[name] {
			t.Errorf("%s is in the archive but not in the manifest", name)
		}
	}
	for _, want := range []string{"case.pdf", "case.json"} {
		if !listed[want] {
			t.Errorf("the package lacks %s", want)
		}
	}
	// The exhibits officers added are byte-identical, and so are the issued
	// notices (R8: the recipient is a company, not a sole trader).
	originals := map[string][]byte{w.c1Exhibits[0].ID: w.c1Scan, w.c1Exhibits[1].ID: w.c1Receipt}
	for _, n := range w.notices {
		if n.caseID == c1.id {
			originals[n.exhibitID] = sup.Get("/api/v1/notices/" + n.id + "/pdf").Expect(200).Body
		}
	}
	included, withheld := 0, 0
	for _, e := range m.Exhibits {
		switch e.Status {
		case "included":
			included++
			if !bytes.Equal(files[e.Path], originals[e.ID]) || originals[e.ID] == nil {
				t.Errorf("exhibit %s is not byte-identical at %s", e.Ref, e.Path)
			}
		case "withheld":
			withheld++
			if e.ID == w.c1Exhibits[0].ID || e.ID == w.c1Exhibits[1].ID {
				t.Errorf("uploaded exhibit %s withheld", e.Ref)
			}
		}
	}
	// Two uploads and four issued notices (two of them notices of intent);
	// their four certificates of service, which name who was served, are
	// withheld like the rest of the personal data.
	if included != 6 || withheld != 4 || len(m.Exhibits) != 10 {
		t.Errorf("exhibits: %d included, %d withheld of %d; want 6, 4 of 10", included, withheld, len(m.Exhibits))
	}
	var rules []string
	for _, rd := range m.Redactions {
		rules = append(rules, rd.Rule)
	}
	if strings.Join(rules, ",") != "R1,R2,R3,R4,R5,R6,R7,R8" {
		t.Errorf("redaction rules applied: %v", rules)
	}

	// No redacted field anywhere in the archive (the PDF read as text).
	texts := map[string]string{}
	for name, b := range files {
		texts[name] = string(b)
	}
	texts["case.pdf"] = pdftext.Extract(t, files["case.pdf"])
	redacted := []string{complainantName, complainantLine, complainantPhone, soleTraderName, soleTraderTrade, soleTraderAddr,
		soleTraderSite, privateNote, closureNote, scopeNote, "Anil Patel", signatory, "Bellamy", w.officerNm, "officer@kent-ts.test",
		w.officerID, w.op2}
	for name, text := range texts {
		flat := normalize(text)
		for _, s := range redacted {
			if strings.Contains(text, s) || strings.Contains(flat, normalize(s)) {
				t.Errorf("%s carries redacted data %q", name, s)
			}
		}
	}
	// …while what may be shared is there.
	for _, name := range []string{"case.json", "case.pdf"} {
		flat := normalize(texts[name])
		for _, s := range []string{shareableNote, "Brightwave Devices Ltd", "Sole trader 1", "Officer 1", "KENT-TS supervisor",
			"Complaint from [redacted: complainant (R1)], [redacted: complainant (R1)], tel [redacted: complainant (R1)]: the camera accepted admin/admin after a reset.",
			c1.ref, "PSTI-1", "5.1-1", w.c1Exhibits[0].SHA256[:16], "BW-Cam 2", "Ship unique passwords."} {
			if !strings.Contains(flat, normalize(s)) {
				t.Errorf("%s lacks %q", name, s)
			}
		}
	}
	var doc struct {
		Format  string `json:"format"`
		Notices []struct {
			Reference    string `json:"reference"`
			Verification string `json:"verification_code"`
			IssuedBy     string `json:"issued_by"`
			PenaltyPence *int64 `json:"penalty_pence"`
			PaidPence    *int64 `json:"paid_pence"`
		} `json:"notices"`
		NotesWithheld int `json:"notes_withheld"`
		Assessment    []struct {
			RequirementID string `json:"requirement_id"`
			Verdict       string `json:"verdict"`
		} `json:"assessment"`
	}
	if err := json.Unmarshal(files["case.json"], &doc); err != nil {
		t.Fatalf("case.json: %v", err)
	}
	if len(doc.Notices) != 4 || doc.NotesWithheld != 1 || doc.Format != "tradewarden-referral-package/1" {
		t.Errorf("case.json: %d notices, %d notes withheld", len(doc.Notices), doc.NotesWithheld)
	}
	for _, n := range doc.Notices {
		if n.IssuedBy != "KENT-TS supervisor" || n.Verification == "" {
			t.Errorf("notice %s: issued by %q, code %q", n.Reference, n.IssuedBy, n.Verification)
		}
		if n.PenaltyPence != nil && strings.Contains(n.Reference, "-PN-") && (*n.PenaltyPence != 5_000_000 || n.PaidPence == nil || *n.PaidPence != 2_500_000) {
			t.Errorf("penalty %s: %v paid %v", n.Reference, *n.PenaltyPence, n.PaidPence)
		}
	}
	verdicts := map[string]string{}
	for _, a := range doc.Assessment {
		verdicts[a.RequirementID] = a.Verdict
	}
	if verdicts["PSTI-1"] != "fail" || verdicts["5.1-1"] != "fail" || verdicts["PSTI-3"] != "pass" {
		t.Errorf("assessment matrix: %v", verdicts)
	}

	// The export is in each exported exhibit's custody and in the audit log.
	for _, ex := range w.c1Exhibits {
		items := custodyOf(t, sup, ex.ID).Items
		last := items[len(items)-1]
		if last.Action != "exported" || last.To != body["recipient"] || !strings.Contains(last.Note, m.PackageID) {
			t.Errorf("custody of %s ends with %+v", ex.ExhibitRef, last)
		}
	}
	if items := custodyOf(t, sup, generatedID).Items; items[len(items)-1].Action != "exported" {
		t.Error("an issued notice PDF that left in the package is not recorded as exported")
	}
	var tl struct {
		Items []struct {
			Action string          `json:"action"`
			Actor  string          `json:"actor"`
			Detail json.RawMessage `json:"detail"`
		} `json:"items"`
	}
	sup.Get("/api/v1/cases/" + c1.id + "/timeline?limit=200").Expect(200).JSON(&tl)
	exports := 0
	for _, it := range tl.Items {
		if it.Action == "case.export" {
			exports++
			if it.Actor != "supervisor@kent-ts.test" || !strings.Contains(string(it.Detail), m.PackageID) {
				t.Errorf("audit entry: %+v", it)
			}
		}
	}
	if exports != 1 {
		t.Errorf("%d case.export audit entries, want 1", exports)
	}

	// Without evidence: documents only, and no custody entries.
	r = sup.Post(path, map[string]any{"recipient": "Border Force", "purpose": "Stop imports at Dover"}).Expect(200)
	files = unzip(t, r.Body)
	if len(files) != 3 || files["case.pdf"] == nil || files["case.json"] == nil || files["manifest.json"] == nil {
		var names []string
		for n := range files {
			names = append(names, n)
		}
		t.Errorf("documents-only package holds %v", names)
	}
	for _, ex := range w.c1Exhibits {
		exported := 0
		for _, e := range custodyOf(t, sup, ex.ID).Items {
			if e.Action == "exported" {
				exported++
			}
		}
		if exported != 1 {
			t.Errorf("%s has %d export entries, want 1", ex.ExhibitRef, exported)
		}
	}
}
