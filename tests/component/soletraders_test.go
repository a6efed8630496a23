package component_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

const (
	stName    = "Jane Smithson"
	stTrading = "SmartHomeDirect"
	stAddress = "7 Willow Close, Ashford TN23 4QP"
)

func newSoleTrader(t *testing.T, c *wiringtest.Client) string {
	t.Helper()
	var o struct {
		ID                 string `json:"id"`
		CreatedByAuthority string `json:"created_by_authority"`
	}
	c.Post("/api/v1/operators", map[string]any{"name": stName, "trading_names": []string{stTrading}, "address": stAddress,
		"country": "GB", "website": "https://smarthomedirect.example", "sole_trader": true}).Expect(201).JSON(&o)
	if o.CreatedByAuthority != "KENT-TS" {
		t.Fatalf("created_by_authority %q", o.CreatedByAuthority)
	}
	return o.ID
}

type operatorView struct {
	Name         string   `json:"name"`
	TradingNames []string `json:"trading_names"`
	Address      string   `json:"address"`
	SoleTrader   bool     `json:"sole_trader"`
	Version      int      `json:"version"`
}

type auditView struct {
	Items []struct {
		Action    string          `json:"action"`
		Authority string          `json:"authority"`
		Actor     string          `json:"actor"`
		ObjectID  string          `json:"object_id"`
		Detail    json.RawMessage `json:"detail"`
	} `json:"items"`
}

func operatorAudit(t *testing.T, c *wiringtest.Client, id string) auditView {
	t.Helper()
	var a auditView
	c.Get("/api/v1/audit?object_type=operator&object_id=" + id).Expect(200).JSON(&a)
	return a
}

// TestSoleTraderRecordsBelongToTheirRecorder: the shared register cannot be
// used to undo redaction, and every change reaches every authority whose
// cases name the operator.
func TestSoleTraderRecordsBelongToTheirRecorder(t *testing.T) {
	env := wiringtest.New(t)
	kent, opss := env.As(officer, "KENT-TS"), env.As(officer, "OPSS")
	op := newSoleTrader(t, kent)
	path := "/api/v1/operators/" + op
	kentCase, opssCase := newCase(t, kent), newCase(t, opss)
	kent.Post("/api/v1/cases/"+kentCase.ID+"/parties", map[string]string{"operator_id": op, "role": "retailer"}).Expect(201)
	opss.Post("/api/v1/cases/"+opssCase.ID+"/parties", map[string]string{"operator_id": op, "role": "distributor"}).Expect(201)

	// Another authority cannot flip the flag to unredact, nor rewrite the person.
	others := []*wiringtest.Client{opss, env.As(supervisor, "OPSS"), env.As(admin, "KENT-TS")}
	for _, c := range others {
		c.Get("/api/v1/me").Expect(200) // log in first: logins are audited
	}
	before := auditCount(t, env)
	for _, body := range []map[string]any{{"sole_trader": false}, {"name": "Someone Else"}, {"address": "1 New Road"},
		{"trading_names": []string{}}} {
		for _, c := range others {
			c.Patch(path, body).Expect(403).Problem()
		}
	}
	if auditCount(t, env) != before {
		t.Error("refused changes wrote to the audit log")
	}
	var o operatorView
	kent.Get(path).Expect(200).JSON(&o)
	if !o.SoleTrader || o.Name != stName || o.Address != stAddress || o.Version != 1 {
		t.Fatalf("refused changes changed the record: %+v", o)
	}

	// The recorder may; so may a national admin. Each change is audited in
	// the acting authority and in every authority with a case naming it.
	kent.Patch(path, map[string]any{"address": "8 Willow Close, Ashford TN23 4QP"}).Expect(200)
	env.As(admin, "OPSS").Patch(path, map[string]any{"trading_names": []string{"SHD"}}).Expect(200)
	kentLog := operatorAudit(t, env.As(supervisor, "KENT-TS"), op)
	opssLog := operatorAudit(t, env.As(admin, "OPSS"), op)
	if n := len(kentLog.Items); n != 3 { // create, the recorder's change, the national admin's change
		t.Fatalf("KENT-TS audit of the operator: %d entries: %+v", n, kentLog.Items)
	}
	if n := len(opssLog.Items); n != 2 {
		t.Fatalf("OPSS audit of the operator: %d entries: %+v", n, opssLog.Items)
	}
	// Newest first: Kent learns of the OPSS admin's change, OPSS of Kent's.
	fromOPSS, fromKent := string(kentLog.Items[0].Detail), string(opssLog.Items[1].Detail)
	if kentLog.Items[0].Actor != wiringtest.Email(admin, "OPSS") || !strings.Contains(fromOPSS, kentCase.Reference) ||
		!strings.Contains(fromOPSS, `"trading_names"`) || !strings.Contains(fromOPSS, `"by_authority":"OPSS"`) {
		t.Errorf("Kent's entry for the OPSS change: %s", fromOPSS)
	}
	if opssLog.Items[1].Actor != wiringtest.Email(officer, "KENT-TS") || !strings.Contains(fromKent, opssCase.Reference) ||
		!strings.Contains(fromKent, `"address"`) {
		t.Errorf("OPSS's entry for Kent's change: %s", fromKent)
	}
	for _, d := range []string{fromOPSS, fromKent} {
		for _, leak := range []string{stName, "Willow", "SHD", stTrading} {
			if strings.Contains(d, leak) {
				t.Errorf("another authority's audit entry carries %q: %s", leak, d)
			}
		}
	}

	// Companies stay editable by anyone working cases; the flag does not.
	co := newOperator(t, kent, "Brightwave Devices Ltd")
	opss.Patch("/api/v1/operators/"+co, map[string]any{"website": "https://brightwave.example"}).Expect(200)
	opss.Patch("/api/v1/operators/"+co, map[string]any{"sole_trader": true}).Expect(403)
	opss.Patch("/api/v1/operators/"+co, map[string]any{"sole_trader": false, "country": "GB"}).Expect(200)
	// The recorder clears the flag (they incorporated): now it is a company.
	kent.Patch(path, map[string]any{"sole_trader": false}).Expect(200)
	opss.Patch(path, map[string]any{"website": "https://shd.example"}).Expect(200)
}

// TestAnalystsNeverSeeSoleTraders: register reads and searches give
// analysts a sole trader's record without name or address.
func TestAnalystsNeverSeeSoleTraders(t *testing.T) {
	env := wiringtest.New(t)
	kent := env.As(officer, "KENT-TS")
	op := newSoleTrader(t, kent)
	newOperator(t, kent, "Smithson Electronics Ltd")
	secrets := []string{stName, stTrading, "Willow", "TN23", "smarthomedirect"}
	for _, authority := range []string{"KENT-TS", "OPSS"} {
		an := env.As(analyst, authority)
		r := an.Get("/api/v1/operators/" + op).Expect(200)
		noLeak(t, "analyst GET operator", r.Body, secrets)
		var o operatorView
		r.JSON(&o)
		if !o.SoleTrader || o.Name != "Sole trader (name withheld)" || o.Address != "" || len(o.TradingNames) != 0 {
			t.Errorf("%s analyst reads %+v", authority, o)
		}
		noLeak(t, "analyst list", an.Get("/api/v1/operators?limit=200").Expect(200).Body, secrets)
		// A search must not confirm a guessed name, address or trading name.
		for _, q := range []string{"smithson", "SmartHome", "jane"} {
			var list struct{ Items []operatorView }
			an.Get("/api/v1/operators?q=" + q).Expect(200).JSON(&list)
			for _, it := range list.Items {
				if it.SoleTrader {
					t.Errorf("%s analyst search %q finds the sole trader", authority, q)
				}
			}
		}
		// Officers of any authority still see the record they work with.
		var o2 operatorView
		env.As(officer, authority).Get("/api/v1/operators/" + op).Expect(200).JSON(&o2)
		if o2.Name != stName {
			t.Errorf("%s officer reads %q", authority, o2.Name)
		}
	}
	// A national admin may correct the record, so reads it; a local admin may not.
	var o operatorView
	env.As(admin, "OPSS").Get("/api/v1/operators/" + op).Expect(200).JSON(&o)
	if o.Name != stName {
		t.Errorf("national admin reads %q", o.Name)
	}
	noLeak(t, "local admin GET operator", env.As(admin, "KENT-TS").Get("/api/v1/operators/"+op).Expect(200).Body, secrets)
}

// TestRedactionFollowsTheOperatorAtIssue: once a notice is issued to a sole
// trader, the public verification and referral packages withhold the name
// even after the register changes; a company is verified under the name
// the notice was issued to.
func TestRedactionFollowsTheOperatorAtIssue(t *testing.T) {
	env := wiringtest.New(t)
	kent, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	s := setupNoticeCase(t, env)
	op := newSoleTrader(t, kent)
	kent.Post("/api/v1/cases/"+s.caseID+"/parties", map[string]string{"operator_id": op, "role": "retailer"}).Expect(201)
	body := draftBody(s, "compliance")
	body["operator_id"] = op
	body["reasons"] = "Jane Smithson, trading as SmartHomeDirect, sold 40 units from 7 Willow Close."
	giveIntent(t, env, s.caseID, body)
	toTrader := issueNotice(t, env, s.caseID, body)
	toCompany := issueNotice(t, env, s.caseID, draftBody(s, "compliance"))

	verify := func(n noticeView) string {
		var v struct {
			Genuine   bool
			Recipient string
		}
		env.Anonymous().Get("/api/v1/notices/verify?reference=" + n.Reference + "&code=" + n.VerificationCode).Expect(200).JSON(&v)
		if !v.Genuine {
			t.Fatalf("%s does not verify", n.Reference)
		}
		return v.Recipient
	}
	if got := verify(toTrader); got != "a sole trader (name withheld)" {
		t.Fatalf("verify names the sole trader: %q", got)
	}
	// The register changes after issue: the trader incorporates, the company is renamed.
	kent.Patch("/api/v1/operators/"+op, map[string]any{"sole_trader": false}).Expect(200)
	kent.Patch("/api/v1/operators/"+s.operatorID, map[string]any{"name": "Brightwave Holdings plc"}).Expect(200)
	if got := verify(toTrader); got != "a sole trader (name withheld)" {
		t.Errorf("after the flag changed, verify shows %q", got)
	}
	if got := verify(toCompany); got != "Brightwave Devices Ltd" {
		t.Errorf("the company notice verifies as %q, not the name it was issued to", got)
	}
	var n struct {
		RecipientAtIssue struct {
			Name       string `json:"name"`
			SoleTrader bool   `json:"sole_trader"`
		} `json:"recipient_at_issue"`
	}
	kent.Get("/api/v1/notices/" + toTrader.ID).Expect(200).JSON(&n)
	if n.RecipientAtIssue.Name != stName || !n.RecipientAtIssue.SoleTrader {
		t.Errorf("recipient at issue: %+v", n.RecipientAtIssue)
	}

	// The referral package: the trader is still a sole trader throughout,
	// their notice's PDF stays home, its particulars travel without the name.
	r := sup.Post("/api/v1/cases/"+s.caseID+"/exports", map[string]any{"recipient": "OPSS", "purpose": "national penalty",
		"include_evidence": true}).Expect(200)
	files := unzip(t, r.Body)
	texts := map[string]string{"case.json": string(files["case.json"]), "manifest.json": string(files["manifest.json"]),
		"case.pdf": pdftext.Extract(t, files["case.pdf"])}
	for name, text := range texts {
		for _, leak := range []string{stName, "Smithson", stTrading, "Willow", "TN23", "smarthomedirect"} {
			if strings.Contains(text, leak) {
				t.Errorf("%s carries %q", name, leak)
			}
		}
	}
	var doc struct {
		Parties []struct {
			Operator   string `json:"operator"`
			SoleTrader bool   `json:"sole_trader"`
		} `json:"parties"`
		Notices []struct {
			Reference           string `json:"reference"`
			Recipient           string `json:"recipient"`
			RecipientSoleTrader bool   `json:"recipient_sole_trader"`
			Reasons             string `json:"reasons"`
		} `json:"notices"`
		Withheld []struct {
			Ref string `json:"ref"`
		} `json:"withheld_exhibits"`
	}
	if err := json.Unmarshal(files["case.json"], &doc); err != nil {
		t.Fatal(err)
	}
	for _, nt := range doc.Notices {
		switch nt.Reference {
		case toTrader.Reference:
			if nt.Recipient != "Sole trader 1" || !nt.RecipientSoleTrader ||
				nt.Reasons != "Sole trader 1, trading as Sole trader 1, sold 40 units from Sole trader 1." {
				t.Errorf("sole trader's notice in the package: %+v", nt)
			}
		case toCompany.Reference:
			if nt.Recipient != "Brightwave Devices Ltd" || nt.RecipientSoleTrader {
				t.Errorf("company notice in the package: %+v", nt)
			}
		}
	}
	// EX-004 to EX-007: the notice of intent to the sole trader and the
	// notice itself, each with its certificate of service (they name who was
	// served, so a package withholds every certificate).
	if len(doc.Withheld) != 4 || !strings.HasSuffix(doc.Withheld[0].Ref, "EX-004") || !strings.HasSuffix(doc.Withheld[3].Ref, "EX-007") {
		t.Errorf("withheld: %+v (want the sole trader's notice of intent and notice PDFs)", doc.Withheld)
	}
	var included int
	for name := range files {
		if strings.HasPrefix(name, "exhibits/") {
			included++
		}
	}
	if included != 4 { // two uploads, and the company's notice of intent and notice
		t.Errorf("%d exhibits in the package, want 4", included)
	}
}
