package component_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// What a referral must never show the receiving authority before it
// accepts (and, for the complainant, ever).
const (
	refComplainant = "Eleanor Whitcombe"
	refEmail       = "eleanor.w@example.org"
	refPhone       = "01227 555019"
	refAddress     = "14 Orchard Lane, Canterbury CT1 2AB"
	refPrivate     = "Private: she is vulnerable, call her daughter first"
	refScopeNote   = "Triage call with Mrs Whitcombe on Monday"
	refServedOn    = "Company secretary, Mr Robert Bellamy"
	refCollector   = "Lab technician Anil Patel"
)

// referralWorld is a Kent complaint case, fully worked, ready to refer.
type referralWorld struct {
	env                 *wiringtest.Env
	s                   noticeSetup
	path                string
	issued, draft       noticeView
	officerID, officerE string
	findingID           string
	soleTrader          string
}

func issueNotice(t *testing.T, env *wiringtest.Env, caseID string, body map[string]any) noticeView {
	t.Helper()
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	var n noticeView
	off.Post("/api/v1/cases/"+caseID+"/notices", body).Expect(201).JSON(&n)
	off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/issue", nil).Expect(200).JSON(&n)
	return n
}

func newReferralWorld(t *testing.T) *referralWorld {
	t.Helper()
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	w := &referralWorld{env: env, officerID: userID(t, off), officerE: wiringtest.Email(officer, "KENT-TS")}
	w.s = setupNoticeCase(t, env)
	w.path = "/api/v1/cases/" + w.s.caseID
	var cv caseView
	off.Get(w.path).Expect(200).JSON(&cv)
	off.Header("If-Match", fmt.Sprintf(`"%d"`, cv.Version)).Patch(w.path, map[string]any{
		"summary": "Complaint from " + refComplainant + " (" + refEmail + ", tel " + refPhone + ") of " + refAddress +
			": the camera accepted admin/12345 after a reset.",
		"complainant": map[string]any{"name": refComplainant, "email": refEmail, "phone": refPhone, "address": refAddress},
		"scope":       map[string]any{"connectable": true, "notes": refScopeNote}}).Expect(200)
	w.soleTrader = newSoleTrader(t, off)
	off.Post(w.path+"/parties", map[string]string{"operator_id": w.soleTrader, "role": "retailer"}).Expect(201)
	off.Post(w.path+"/notes", map[string]any{"body": refPrivate}).Expect(201)
	off.Post(w.path+"/notes", map[string]any{"body": "Shareable: Mrs Whitcombe bought it on Amazon", "shareable": true}).Expect(201)
	off.Put(w.path+"/assessment/PSTI-2", map[string]any{"verdict": "inconclusive", "rationale": "Eleanor Whitcombe found no VDP"}).Expect(200)
	up := uploadFields()
	up["collected_by"] = refCollector
	off.Upload(w.path+"/evidence", up, "receipt.txt", "text/plain", []byte("Receipt for Eleanor Whitcombe")).Expect(201)
	w.issued = issueNotice(t, env, w.s.caseID, draftBody(w.s, "compliance"))
	env.As(supervisor, "KENT-TS").Post("/api/v1/notices/"+w.issued.ID+"/serve", map[string]any{"method": "hand",
		"served_at": time.Now().UTC(), "served_to": refServedOn}).Expect(200)
	off.Post(w.path+"/notices", draftBody(w.s, "stop")).Expect(201).JSON(&w.draft)
	w.findingID = findings(t, off, w.s.caseID, "")[0].ID
	return w
}

func (w *referralWorld) refer(t *testing.T, level string) {
	t.Helper()
	body := map[string]any{"to_authority": "OPSS", "reason": "The importer is national: PSTI enforcement sits with OPSS"}
	if level != "" {
		body["access_level"] = level
	}
	w.env.As(supervisor, "KENT-TS").Post(w.path+"/referrals", body).Expect(201)
}

// secrets are what the receiving authority must not read while a referral
// is pending.
func (w *referralWorld) secrets() []string {
	return []string{refComplainant, "Whitcombe", "Eleanor", refEmail, "555019", "Orchard Lane", "CT1 2AB", refPrivate,
		refScopeNote, "Bellamy", "Anil Patel", w.officerID, w.officerE, w.soleTrader}
}

func noLeak(t *testing.T, where string, body []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(string(body), s) {
			t.Errorf("%s shows %q: %s", where, s, truncateBody(body))
		}
	}
}

func truncateBody(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// TestPendingReferralShowsOnlyThePackage: every read path the receiving
// authority has, while it decides, shows what a referral package would.
func TestPendingReferralShowsOnlyThePackage(t *testing.T) {
	w := newReferralWorld(t)
	w.refer(t, "edit_evidence_and_notes")
	sup := w.env.As(supervisor, "OPSS")
	secrets := w.secrets()
	var exs struct {
		Items []struct {
			ID          string `json:"id"`
			CollectedBy string `json:"collected_by"`
			UploadedBy  string `json:"uploaded_by"`
		}
	}

	// The case: the complaint stays, the complainant goes.
	r := sup.Get(w.path).Expect(200)
	noLeak(t, "GET case", r.Body, secrets)
	var cv struct {
		caseView
		Summary     string          `json:"summary"`
		Complainant json.RawMessage `json:"complainant"`
		AccessLevel string          `json:"access_level"`
		Referrals   []struct{ Authority, Status string }
	}
	r.JSON(&cv)
	if cv.Access != "referred" || cv.AccessLevel != "edit_evidence_and_notes" || cv.Complainant != nil || len(cv.Referrals) != 1 ||
		!strings.Contains(cv.Summary, "the camera accepted admin/12345 after a reset") || !strings.Contains(cv.Summary, "[redacted: complainant (R1)]") ||
		len(cv.AllowedTransitions) != 0 || cv.AssigneeID != "" {
		t.Errorf("referred case: %+v", cv)
	}
	// Lists, and text filters that would confirm a guessed name.
	var list struct{ Items []caseView }
	for q, want := range map[string]int{"": 1, "?q=whitcombe": 0, "?q=orchard": 0, "?q=" + w.s.caseRef: 1, "?q=default": 0} {
		r := sup.Get("/api/v1/cases" + q).Expect(200)
		noLeak(t, "GET cases"+q, r.Body, secrets)
		r.JSON(&list)
		if len(list.Items) != want {
			t.Errorf("GET /cases%s lists %d, want %d", q, len(list.Items), want)
		}
	}
	for _, p := range []string{"/notes", "/parties", "/assessment", "/notices", "/evidence"} {
		noLeak(t, "GET case"+p, sup.Get(w.path+p).Expect(200).Body, secrets)
	}
	// Parties: which sole trader is on the case is not said, nor confirmed by a filter (R4).
	var parties struct {
		Items []struct {
			OperatorID    string `json:"operator_id"`
			OperatorName  string `json:"operator_name"`
			OperatorLabel string `json:"operator_label"`
		}
	}
	sup.Get(w.path + "/parties").Expect(200).JSON(&parties)
	if len(parties.Items) != 2 || parties.Items[0].OperatorID != w.s.operatorID || parties.Items[1].OperatorID != "" ||
		parties.Items[0].OperatorName != "Brightwave Devices Ltd" || parties.Items[1].OperatorName != "" ||
		parties.Items[1].OperatorLabel != "Sole trader 1" {
		t.Errorf("referred parties: %+v", parties.Items)
	}
	for op, want := range map[string]int{w.soleTrader: 0, w.s.operatorID: 1} {
		sup.Get("/api/v1/cases?operator_id=" + op).Expect(200).JSON(&list)
		if len(list.Items) != want {
			t.Errorf("operator_id filter lists %d, want %d", len(list.Items), want)
		}
	}
	w.env.As(officer, "KENT-TS").Get("/api/v1/cases?operator_id=" + w.soleTrader).Expect(200).JSON(&list)
	if len(list.Items) != 1 {
		t.Errorf("the owner's operator filter lists %d", len(list.Items))
	}
	var notes struct {
		Items []struct{ Body, Author string }
	}
	sup.Get(w.path + "/notes").Expect(200).JSON(&notes)
	if len(notes.Items) != 1 || notes.Items[0].Body != "Shareable: Mrs [redacted: complainant (R1)] bought it on Amazon" || notes.Items[0].Author != "" {
		t.Errorf("referred notes: %+v", notes.Items)
	}
	var m struct {
		Items []struct {
			RequirementID string `json:"requirement_id"`
			Findings      []any  `json:"findings"`
			FindingsCount int    `json:"findings_count"`
			UpdatedBy     string `json:"updated_by"`
		}
	}
	sup.Get(w.path + "/assessment").Expect(200).JSON(&m)
	counted := 0
	for _, row := range m.Items {
		counted += row.FindingsCount
		if len(row.Findings) != 0 || row.UpdatedBy != "" {
			t.Errorf("referred assessment row shows findings or assessor: %+v", row)
		}
	}
	if counted == 0 {
		t.Error("referred assessment lost the finding counts")
	}
	sup.Get(w.path + "/evidence").Expect(200).JSON(&exs)
	for _, ex := range exs.Items {
		if ex.UploadedBy != "" || (ex.CollectedBy != "[redacted: individual (R6)]" && ex.CollectedBy != "") {
			t.Errorf("referred exhibit: %+v", ex)
		}
		noLeak(t, "GET exhibit", sup.Get("/api/v1/evidence/"+ex.ID).Expect(200).Body, secrets)
		// No exhibit content until accepted.
		sup.Get("/api/v1/evidence/" + ex.ID + "/content").Expect(403).Problem()
		sup.Get("/api/v1/evidence/" + ex.ID + "/custody").Expect(403).Problem()
		sup.Post("/api/v1/evidence/"+ex.ID+"/verify", nil).Expect(403).Problem()
	}
	sup.Get(w.path + "/findings").Expect(403).Problem()
	sup.Get("/api/v1/findings/" + w.findingID).Expect(403).Problem()
	sup.Get(w.path + "/timeline").Expect(403).Problem()

	// Notices: issued ones, as a package lists them; drafts not at all.
	var ns struct {
		Items []struct {
			ID, Status, ServedTo, AuthorID, IssuerID string
			RecipientAtIssue                         *struct{ Name string } `json:"recipient_at_issue"`
		}
	}
	sup.Get(w.path + "/notices").Expect(200).JSON(&ns)
	// The issued notice and the notice of intent given before it.
	if len(ns.Items) != 1+len(w.s.intents) || ns.Items[0].ID != w.issued.ID {
		t.Errorf("referred notices: %+v", ns.Items)
	}
	for _, it := range ns.Items {
		if it.ServedTo != "" || it.RecipientAtIssue == nil || it.RecipientAtIssue.Name != "Brightwave Devices Ltd" {
			t.Errorf("referred notice: %+v", it)
		}
	}
	noLeak(t, "GET notice", sup.Get("/api/v1/notices/"+w.issued.ID).Expect(200).Body, secrets)
	noLeak(t, "GET payments", sup.Get("/api/v1/notices/"+w.issued.ID+"/payments").Expect(200).Body, secrets)
	sup.Get("/api/v1/notices/" + w.issued.ID + "/pdf").Expect(403).Problem()
	sup.Get("/api/v1/notices/" + w.draft.ID).Expect(404).Problem()
	sup.Get("/api/v1/notices/" + w.draft.ID + "/preview.pdf").Expect(404).Problem()
	var own struct{ Items []any }
	sup.Get("/api/v1/notices").Expect(200).JSON(&own)
	if len(own.Items) != 0 {
		t.Errorf("OPSS's own notice list holds Kent's: %d", len(own.Items))
	}

	// Nothing changes before acceptance, whatever the level offered.
	sup.Header("If-Match", `"99"`).Patch(w.path, map[string]any{"title": "x"}).Expect(403)
	sup.Post(w.path+"/notes", map[string]any{"body": "x"}).Expect(403)
	sup.Upload(w.path+"/evidence", uploadFields(), "x.txt", "text/plain", []byte("x")).Expect(403)
	sup.Post(w.path+"/transitions", map[string]string{"to": "triage"}).Expect(403)
	sup.Post(w.path+"/notices", draftBody(w.s, "stop")).Expect(403)
	// Officers of the receiving authority do not see a pending referral at all.
	opssOff := w.env.As(officer, "OPSS")
	opssOff.Get(w.path).Expect(404)
	opssOff.Get("/api/v1/notices/" + w.issued.ID).Expect(404)
	opssOff.Get("/api/v1/evidence/" + exs.Items[0].ID).Expect(404)
}

// TestCollaborationAccessLevels: after acceptance the receiving authority
// collaborates at the owner's level; only the owner runs the case; the
// owner may change the level or revoke at any time; the receiver may decline.
func TestCollaborationAccessLevels(t *testing.T) {
	w := newReferralWorld(t)
	kentSup := w.env.As(supervisor, "KENT-TS")
	opssSup, opssOff := w.env.As(supervisor, "OPSS"), w.env.As(officer, "OPSS")
	w.refer(t, "") // read_only by default
	opssOff.Post(w.path+"/referrals/accept", nil).Expect(403)
	kentSup.Post(w.path+"/referrals/accept", nil).Expect(409) // the owner does not answer its own referral
	var cv struct {
		caseView
		AccessLevel string `json:"access_level"`
	}
	opssSup.Post(w.path+"/referrals/accept", nil).Expect(200).JSON(&cv)
	if cv.Access != "collaborator" || cv.AccessLevel != "read_only" {
		t.Fatalf("accepted: %+v", cv)
	}

	// Read-only: reads everything but the complainant, changes nothing.
	var byOp struct{ Items []caseView }
	opssOff.Get("/api/v1/cases?operator_id=" + w.soleTrader).Expect(200).JSON(&byOp)
	if len(byOp.Items) != 1 {
		t.Errorf("a collaborator's operator filter lists %d cases", len(byOp.Items))
	}
	r := opssOff.Get(w.path).Expect(200)
	noLeak(t, "collaborator case", r.Body, []string{refComplainant, refEmail, "555019", "Orchard Lane"})
	var exs struct{ Items []exhibitView }
	opssOff.Get(w.path + "/evidence").Expect(200).JSON(&exs)
	opssOff.Get("/api/v1/evidence/" + exs.Items[0].ID + "/content").Expect(200)
	opssOff.Get(w.path + "/findings").Expect(200)
	opssOff.Get("/api/v1/notices/" + w.issued.ID + "/pdf").Expect(200)
	tl := opssOff.Get(w.path + "/timeline").Expect(200)
	noLeak(t, "collaborator timeline", tl.Body, []string{refComplainant, refEmail, "555019"})
	opssOff.Upload(w.path+"/evidence", uploadFields(), "opss.txt", "text/plain", []byte("OPSS lab notes")).Expect(403).Problem()
	opssOff.Post(w.path+"/notes", map[string]any{"body": "OPSS note"}).Expect(403)
	opssOff.Post("/api/v1/evidence/"+exs.Items[0].ID+"/custody", map[string]any{"from": "a", "to": "b"}).Expect(403)

	// Edit evidence and notes: those, and still none of the owner's decisions.
	kentSup.Patch(w.path+"/referrals/opss", map[string]any{"access_level": "edit_evidence_and_notes"}).Expect(200)
	kentSup.Patch(w.path+"/referrals/OPSS", map[string]any{"access_level": "edit_evidence_and_notes"}).Expect(409)
	kentSup.Patch(w.path+"/referrals/OPSS", map[string]any{"access_level": "owner"}).Expect(422)
	opssSup.Patch(w.path+"/referrals/OPSS", map[string]any{"access_level": "read_only"}).Expect(403)
	opssOff.Upload(w.path+"/evidence", uploadFields(), "opss.txt", "text/plain", []byte("OPSS lab notes")).Expect(201)
	opssOff.Post(w.path+"/notes", map[string]any{"body": "OPSS: importer has 3 other brands"}).Expect(201)
	opssOff.Post("/api/v1/evidence/"+exs.Items[0].ID+"/custody", map[string]any{"from": "Kent lab", "to": "OPSS lab"}).Expect(201)
	var now caseView
	kentSup.Get(w.path).Expect(200).JSON(&now)
	ifm := fmt.Sprintf(`"%d"`, now.Version)
	for _, c := range []*wiringtest.Client{opssOff, opssSup} {
		c.Header("If-Match", ifm).Patch(w.path, map[string]any{"title": "Renamed by OPSS"}).Expect(403).Problem()
		c.Post(w.path+"/transitions", map[string]string{"to": "triage"}).Expect(403).Problem()
		c.Post(w.path+"/transitions", map[string]string{"to": "closed", "reason": "no_breach_found"}).Expect(403).Problem()
		c.Put(w.path+"/assessment/PSTI-3", map[string]any{"verdict": "pass", "rationale": "x"}).Expect(403)
		c.Post(w.path+"/parties", map[string]string{"operator_id": w.s.operatorID, "role": "importer"}).Expect(403)
		c.Post(w.path+"/notices", draftBody(w.s, "stop")).Expect(403)
		c.Patch("/api/v1/findings/"+w.findingID, map[string]any{"status": "disputed"}).Expect(403)
	}
	opssSup.Post(w.path+"/assignment", map[string]string{"officer_id": userID(t, opssOff)}).Expect(403).Problem()
	opssSup.Post(w.path+"/referrals", map[string]string{"to_authority": "KENT-TS", "reason": "back"}).Expect(403)
	opssSup.Post(w.path+"/exports", map[string]any{"recipient": "Border Force", "purpose": "x"}).Expect(403)
	opssSup.Post(w.path+"/referrals/OPSS/revoke", map[string]string{"reason": "x"}).Expect(403)
	opssSup.Post("/api/v1/notices/"+w.issued.ID+"/outcome", map[string]string{"outcome": "complied"}).Expect(404)

	// Notes: the owner reads all; the collaborator its own and the shareable ones.
	var notes struct{ Items []struct{ Body string } }
	kentSup.Get(w.path + "/notes").Expect(200).JSON(&notes)
	if len(notes.Items) != 3 {
		t.Errorf("owner reads %d notes, want 3", len(notes.Items))
	}
	opssOff.Get(w.path + "/notes").Expect(200).JSON(&notes)
	if len(notes.Items) != 2 || strings.Contains(fmt.Sprint(notes.Items), "Private") {
		t.Errorf("collaborator notes: %+v", notes.Items)
	}

	// Revocation: at once, everywhere.
	kentSup.Post(w.path+"/referrals/OPSS/revoke", map[string]string{}).Expect(422)
	kentSup.Post(w.path+"/referrals/OPSS/revoke", map[string]string{"reason": "OPSS opened its own case"}).Expect(200)
	for _, c := range []*wiringtest.Client{opssOff, opssSup} {
		c.Get(w.path).Expect(404)
		c.Get(w.path + "/notes").Expect(404)
		c.Get("/api/v1/evidence/" + exs.Items[0].ID).Expect(404)
		c.Get("/api/v1/evidence/" + exs.Items[0].ID + "/content").Expect(404)
		c.Get("/api/v1/findings/" + w.findingID).Expect(404)
		c.Get("/api/v1/notices/" + w.issued.ID).Expect(404)
		c.Upload(w.path+"/evidence", uploadFields(), "late.txt", "text/plain", []byte("late")).Expect(404)
		var list struct{ Items []caseView }
		c.Get("/api/v1/cases").Expect(200).JSON(&list)
		if len(list.Items) != 0 {
			t.Errorf("a revoked collaborator lists %d cases", len(list.Items))
		}
	}
	opssSup.Post(w.path+"/referrals/accept", nil).Expect(404)
	kentSup.Post(w.path+"/referrals/OPSS/revoke", map[string]string{"reason": "again"}).Expect(404)

	// Referred again, then declined by the receiver.
	w.refer(t, "read_only")
	opssSup.Post(w.path+"/referrals/decline", map[string]string{}).Expect(422)
	var sh struct{ Status, EndReason string }
	opssSup.Post(w.path+"/referrals/decline", map[string]string{"reason": "Not a national matter"}).Expect(200).JSON(&sh)
	if sh.Status != "declined" {
		t.Errorf("declined: %+v", sh)
	}
	opssSup.Get(w.path).Expect(404)
	var owner struct {
		Referrals []struct {
			Authority, Status string
			EndReason         string `json:"end_reason"`
		}
	}
	kentSup.Get(w.path).Expect(200).JSON(&owner)
	if len(owner.Referrals) != 1 || owner.Referrals[0].Status != "declined" || owner.Referrals[0].EndReason != "Not a national matter" {
		t.Errorf("owner's view of the declined referral: %+v", owner.Referrals)
	}
	// The owner sees every step on its timeline.
	var tlv struct {
		Items []struct{ Action, Authority string }
	}
	kentSup.Get(w.path + "/timeline?limit=200").Expect(200).JSON(&tlv)
	var steps []string
	for _, it := range tlv.Items {
		if strings.HasPrefix(it.Action, "case.referral") || it.Action == "case.referred" {
			steps = append(steps, it.Action+"@"+it.Authority)
		}
	}
	want := "case.referred@KENT-TS,case.referral_accepted@OPSS,case.referral_level_changed@KENT-TS,case.referral_revoked@KENT-TS," +
		"case.referred@KENT-TS,case.referral_declined@OPSS"
	if strings.Join(steps, ",") != want {
		t.Errorf("referral steps:\n got %v\nwant %s", steps, want)
	}
}

// TestReferralAndHasOpenCase: a pending referral gives the receiver no open
// case on the product; a collaboration does until it is revoked.
func TestReferralAndHasOpenCase(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	opss := env.As(officer, "OPSS")
	pid := newProduct(t, off, "TP-Link", "HS100", "")
	newListing(t, off, map[string]any{"retailer": "Argos", "market_type": "retailer", "seller": "Argos",
		"url": "https://www.argos.co.uk/product/8734211", "title": "TP-Link Kasa HS100 Smart Wi-Fi Plug",
		"brand": "TP-LINK", "model": "HS100", "price": 14.99, "observed_at": "2026-11-20T10:15:00Z"})
	cv := newCase(t, off, pid)
	open := func(c *wiringtest.Client) int64 {
		waitIndexed(t, env)
		return searchListings(t, c, urlParams("has_open_case", "true")).Total
	}
	if open(off) != 1 || open(opss) != 0 {
		t.Fatal("has_open_case before the referral")
	}
	sup.Post("/api/v1/cases/"+cv.ID+"/referrals", map[string]string{"to_authority": "OPSS", "reason": "national importer"}).Expect(201)
	if open(opss) != 0 {
		t.Error("a pending referral counts as an open case of the receiver")
	}
	env.As(supervisor, "OPSS").Post("/api/v1/cases/"+cv.ID+"/referrals/accept", nil).Expect(200)
	if open(opss) != 1 {
		t.Error("a collaboration is not an open case of the collaborator")
	}
	sup.Post("/api/v1/cases/"+cv.ID+"/referrals/OPSS/revoke", map[string]string{"reason": "done"}).Expect(200)
	if open(opss) != 0 || open(off) != 1 {
		t.Error("has_open_case survives the revocation")
	}
}

// TestReferralRoutesAreDocumented: the referral routes and their enums are
// in the OpenAPI document.
func TestReferralRoutesAreDocumented(t *testing.T) {
	env := wiringtest.New(t)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	env.Anonymous().Get("/openapi.json").Expect(200).JSON(&doc)
	for path, method := range map[string]string{"/api/v1/cases/{id}/referrals": "post", "/api/v1/cases/{id}/referrals/accept": "post",
		"/api/v1/cases/{id}/referrals/decline": "post", "/api/v1/cases/{id}/referrals/{authority}": "patch",
		"/api/v1/cases/{id}/referrals/{authority}/revoke": "post"} {
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("%s %s is not documented", method, path)
		}
	}
	enums := map[string]string{}
	for _, s := range doc.Components.Schemas {
		for name, p := range s.Properties {
			if len(p.Enum) > 0 && (name == "access" || name == "access_level" || name == "status") {
				enums[name] += strings.Join(p.Enum, ",") + ";"
			}
		}
	}
	for name, want := range map[string]string{"access": "owner,referred,collaborator", "access_level": "read_only,edit_evidence_and_notes",
		"status": "pending,accepted,declined,revoked"} {
		if !strings.Contains(enums[name], want) {
			t.Errorf("no %s enum %s in the document (found %q)", name, want, enums[name])
		}
	}
}
