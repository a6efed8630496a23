package component_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// Issue #15: notices a tribunal would uphold — the statutory sequence, the
// right duty for each role, and a schedule that cites what the officer chose.

type sequenceView struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Reference string `json:"reference"`
	IntentID  string `json:"intent_id"`
	Version   int    `json:"version"`
	Sequence  *struct {
		Required        bool   `json:"required"`
		Provision       string `json:"provision"`
		ProvisionStatus string `json:"provision_status"`
		Route           string `json:"route"`
		IntentID        string `json:"intent_id"`
		IntentReference string `json:"intent_reference"`
		IntentGivenOn   string `json:"intent_given_on"`
		EarliestIssue   string `json:"earliest_issue"`
		Representations int    `json:"representations"`
		Satisfied       bool   `json:"satisfied"`
		MissingStep     string `json:"missing_step"`
	} `json:"sequence"`
}

// flatText is a PDF's text with line breaks and runs of spaces collapsed.
func flatText(t *testing.T, pdf []byte) string {
	t.Helper()
	return strings.Join(strings.Fields(pdftext.Extract(t, pdf)), " ")
}

// missingStep issues the notice and expects 409 naming the missing step.
func missingStep(t *testing.T, sup *wiringtest.Client, id, want string) {
	t.Helper()
	p := sup.Post("/api/v1/notices/"+id+"/issue", nil).Expect(409).Problem()
	if got := fmt.Sprint(p.Extra["missing_step"]); got != want {
		t.Fatalf("issue refused naming missing step %q, want %q: %+v", got, want, p)
	}
	var n sequenceView
	sup.Get("/api/v1/notices/" + id).Expect(200).JSON(&n)
	if n.Sequence == nil || !n.Sequence.Required || n.Sequence.Satisfied || n.Sequence.MissingStep != want || n.Status != "approved" {
		t.Fatalf("GET after a refused issue: %+v %+v", n, n.Sequence)
	}
}

func TestComplianceNoticeFollowsTheStatutorySequence(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	s := setupBareNoticeCase(t, env)
	base := "/api/v1/cases/" + s.caseID + "/notices"

	// s.28 has no urgency exception.
	b := draftBody(s, "compliance")
	b["urgency"] = "It cannot wait."
	if p := off.Post(base, b).Expect(422).Problem(); !p.HasField("urgency") {
		t.Fatalf("urgency on a compliance notice: %+v", p)
	}
	var cn sequenceView
	off.Post(base, draftBody(s, "compliance")).Expect(201).JSON(&cn)
	off.Post("/api/v1/notices/"+cn.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+cn.ID+"/approve", nil).Expect(200)
	// No notice of intent at all.
	missingStep(t, sup, cn.ID, "notice_of_intent")
	var got sequenceView
	sup.Get("/api/v1/notices/" + cn.ID).Expect(200).JSON(&got)
	if got.Sequence.Provision != "section 28(5) and (6) of the Act" || got.Sequence.ProvisionStatus != "verified" {
		t.Fatalf("sequence provision: %+v", got.Sequence)
	}

	// An intent for other breaches cannot be linked; one for these can.
	narrow := draftBody(s, "intent")
	narrow["requirement_ids"] = []string{"PSTI-1"}
	narrow["comply_by"] = env.Clock.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	var in sequenceView
	off.Post(base, narrow).Expect(201).JSON(&in)
	linked := draftBody(s, "compliance")
	linked["intent_id"] = in.ID
	if p := off.Post(base, linked).Expect(422).Problem(); !p.HasField("intent_id") || !strings.Contains(p.Detail+fmt.Sprint(p.Errors), "5.1-1") {
		t.Fatalf("linking an intent that does not cite 5.1-1: %+v", p)
	}
	ib := draftBody(s, "intent")
	ib["comply_by"] = env.Clock.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	off.Post(base, ib).Expect(201).JSON(&in)
	off.Post("/api/v1/notices/"+in.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+in.ID+"/approve", nil).Expect(200)
	sup.Post("/api/v1/notices/"+in.ID+"/issue", nil).Expect(200).JSON(&in)
	// Issued but not yet given.
	missingStep(t, sup, cn.ID, "notice_of_intent_given")
	sup.Post("/api/v1/notices/"+in.ID+"/serve", map[string]any{"method": "hand", "served_at": env.Clock.Now().UTC(),
		"served_to": "Company secretary"}).Expect(200)
	// Given today: the period has not ended.
	missingStep(t, sup, cn.ID, "representations_period")
	sup.Get("/api/v1/notices/" + cn.ID).Expect(200).JSON(&got)
	if got.Sequence.IntentID != in.ID || got.Sequence.EarliestIssue != env.Clock.Now().AddDate(0, 0, 15).Format(time.DateOnly) {
		t.Fatalf("sequence with the intent given today: %+v", got.Sequence)
	}

	// Representations arrive, with an attachment kept as an exhibit.
	att := upload(t, off, s.caseID, "representations.txt", "text/plain", []byte("We will ship firmware 2.0 in 2027."), 201)
	rep := map[string]any{"from": "Brightwave Devices Ltd (company secretary)", "text": "We dispute the finding: firmware 2.0 fixes it.",
		"received_at": env.Clock.Now().UTC(), "exhibit_ids": []string{att.ID}}
	bad := map[string]any{"from": "x", "text": "x", "received_at": env.Clock.Now().UTC(), "exhibit_ids": []string{"01a21939-0000-7000-8000-000000000000"}}
	off.Post("/api/v1/notices/"+in.ID+"/representations", bad).Expect(422)
	off.Post("/api/v1/notices/"+cn.ID+"/representations", rep).Expect(409) // not an intent
	off.Post("/api/v1/notices/"+in.ID+"/representations", rep).Expect(201)
	var reps struct {
		Items []struct {
			From       string   `json:"from"`
			ExhibitIDs []string `json:"exhibit_ids"`
		}
	}
	off.Get("/api/v1/notices/" + in.ID + "/representations").Expect(200).JSON(&reps)
	if len(reps.Items) != 1 || len(reps.Items[0].ExhibitIDs) != 1 || reps.Items[0].ExhibitIDs[0] != att.ID {
		t.Fatalf("representations: %+v", reps.Items)
	}

	// After the period: the notice must answer the representations first.
	env.Clock.Advance(16 * 24 * time.Hour)
	off, sup = env.Relogin(officer, "KENT-TS"), env.Relogin(supervisor, "KENT-TS")
	missingStep(t, sup, cn.ID, "representations_response")
	// An approved notice is not edited: it is withdrawn and drafted again with the response.
	sup.Post("/api/v1/notices/"+cn.ID+"/withdraw", map[string]string{"reason": "redrafted to answer the representations"}).Expect(200)
	body := draftBody(s, "compliance")
	body["intent_id"] = in.ID
	body["representations_response"] = "Firmware 2.0 is not due until 2027; units sold now still share one password."
	off.Post(base, body).Expect(201).JSON(&cn)
	off.Post("/api/v1/notices/"+cn.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+cn.ID+"/approve", nil).Expect(200)
	sup.Post("/api/v1/notices/"+cn.ID+"/issue", nil).Expect(200).JSON(&got)
	if got.IntentID != in.ID || got.Status != "issued" {
		t.Fatalf("issued compliance notice: %+v", got)
	}
	sup.Get("/api/v1/notices/" + cn.ID).Expect(200).JSON(&got)
	if !got.Sequence.Satisfied || got.Sequence.Representations != 1 || got.Sequence.IntentReference != in.Reference {
		t.Fatalf("sequence once issued: %+v", got.Sequence)
	}
	text := flatText(t, off.Get("/api/v1/notices/"+cn.ID+"/pdf").Expect(200).Body)
	for _, want := range []string{"Notice of intent and representations",
		"the authority gave you a notice of intent to issue a compliance notice (reference " + in.Reference + ")",
		"as section 28(5) and (6) of the Act requires.",
		"The authority received representations on", "from Brightwave Devices Ltd (company secretary) (attachments held as " + att.ExhibitRef + ")",
		"It has considered them before deciding to give this notice.",
		"Firmware 2.0 is not due until 2027; units sold now still share one password."} {
		if !strings.Contains(text, want) {
			t.Errorf("compliance notice lacks %q", want)
		}
	}
}

func TestStopNoticeWithApprovedUrgency(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	s := setupBareNoticeCase(t, env)
	var n sequenceView
	off.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "stop")).Expect(201).JSON(&n)
	off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	missingStep(t, sup, n.ID, "notice_of_intent")

	b := draftBody(s, "stop")
	b["urgency"] = "The default password is published on a forum and the camera is on sale in 300 shops today."
	off.Post("/api/v1/cases/"+s.caseID+"/notices", b).Expect(201).JSON(&n)
	sup.Get("/api/v1/notices/" + n.ID).Expect(200).JSON(&n)
	if n.Sequence.Route != "urgency" || n.Sequence.MissingStep != "urgency_approval" || n.Sequence.ProvisionStatus != "unverified" {
		t.Fatalf("urgent draft: %+v", n.Sequence)
	}
	off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/issue", nil).Expect(200)
	text := flatText(t, off.Get("/api/v1/notices/"+n.ID+"/pdf").Expect(200).Body)
	for _, want := range []string{"Why this notice is given without a notice of intent",
		"The default password is published on a forum and the camera is on sale in 300 shops today.",
		"by KENT-TS supervisor, a supervising officer of the authority who did not draft this notice"} {
		if !strings.Contains(text, want) {
			t.Errorf("stop notice lacks %q", want)
		}
	}
}

type hostFinding struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Host       string `json:"host"`
	Port       int    `json:"port"`
	EvidenceID string `json:"evidence_id"`
	Status     string `json:"status"`
}

// TestNoticesForEachRoleCiteTheirDutyAndChosenEvidence renders every
// enforcement notice type for a manufacturer, an importer and a
// distributor: each cites its own duty, the Schedule 1 requirement, only
// the evidence chosen and only findings on the host the notice names, and
// states the step before it.
func TestNoticesForEachRoleCiteTheirDutyAndChosenEvidence(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	s := setupBareNoticeCase(t, env)
	base := "/api/v1/cases/" + s.caseID + "/notices"
	// An exhibit linked in the assessment that the notices do not rely on.
	unrelated := upload(t, off, s.caseID, "label.txt", "text/plain", []byte("photo of the box label"), 201)
	var pg struct{ Items []hostFinding }
	off.Get("/api/v1/cases/" + s.caseID + "/findings?limit=200").Expect(200).JSON(&pg)
	byHost := map[string][]hostFinding{}
	for _, f := range pg.Items {
		if f.Host != "" && f.Status != "false_positive" {
			byHost[f.Host] = append(byHost[f.Host], f)
		}
	}
	var hostA, hostB string
	for h := range byHost {
		switch {
		case hostA == "" || h < hostA:
			hostA, hostB = h, hostA
		case hostB == "" || h < hostB:
			hostB = h
		}
	}
	if hostA == "" || hostB == "" {
		t.Fatalf("the scan has findings on fewer than two hosts: %v", byHost)
	}
	fa, fb := byHost[hostA][0], byHost[hostB][0]
	off.Put("/api/v1/cases/"+s.caseID+"/assessment/PSTI-1", map[string]any{"verdict": "fail",
		"rationale":    "Universal default password admin/12345 accepted on two units after factory reset",
		"evidence_ids": []string{s.exhibits[0].ID, s.exhibits[1].ID, unrelated.ID}, "finding_ids": []string{fa.ID, fb.ID}}).Expect(200)

	type party struct{ role, id, section string }
	parties := []party{{role: "manufacturer", id: s.operatorID, section: "section 8 of the Act (Duty to comply with security requirements)"}}
	for _, p := range []party{{role: "importer", section: "section 19 of the Act"}, {role: "distributor", section: "section 25 of the Act"}} {
		var op struct{ ID string }
		off.Post("/api/v1/operators", map[string]any{"name": "Camera " + p.role + " Ltd", "country": "GB"}).Expect(201).JSON(&op)
		off.Post("/api/v1/cases/"+s.caseID+"/parties", map[string]string{"operator_id": op.ID, "role": p.role, "product_id": s.productID}).Expect(201)
		p.id = op.ID
		parties = append(parties, p)
	}
	chosen := func(b map[string]any) map[string]any {
		b["hosts"] = []string{hostA}
		b["evidence_ids"] = []string{}
		b["relied_on"] = []map[string]any{{"requirement_id": "PSTI-1", "finding_ids": []string{fa.ID}, "exhibit_ids": []string{s.exhibits[1].ID}}}
		return b
	}
	penalty := map[string]any{"qualifying_worldwide_revenue_pence": int64(100_000_000) * 100, "revenue_period": "FY2025",
		"amount_pence": int64(250_000) * 100}

	// A finding on a host the notice does not name cannot be chosen.
	b := chosen(draftBody(s, "compliance"))
	b["relied_on"] = []map[string]any{{"requirement_id": "PSTI-1", "finding_ids": []string{fb.ID}}}
	if p := off.Post(base, b).Expect(422).Problem(); !p.HasField("relied_on[0].finding_ids[0]") {
		t.Fatalf("a finding on another host: %+v", p)
	}
	// EN 303 645 provisions alone are not a breach of a duty.
	b = chosen(draftBody(s, "compliance"))
	b["requirement_ids"], b["relied_on"] = []string{"5.1-1"}, nil
	if p := off.Post(base, b).Expect(422).Problem(); !p.HasField("requirement_ids") {
		t.Fatalf("a notice citing only EN 303 645: %+v", p)
	}

	for _, p := range parties {
		for _, typ := range []string{"intent", "penalty_intent"} {
			ib := chosen(draftBody(s, typ))
			ib["operator_id"] = p.id
			if typ == "penalty_intent" {
				ib["penalty"] = penalty
			}
			giveIntent(t, env, s.caseID, ib)
		}
		for _, typ := range []string{"compliance", "stop", "recall", "penalty"} {
			t.Run(p.role+"/"+typ, func(t *testing.T) {
				nb := chosen(draftBody(s, typ))
				nb["operator_id"] = p.id
				switch typ {
				case "stop", "recall":
					nb["urgency"] = "Units are on sale now with a published password."
				case "penalty":
					nb["penalty"] = penalty
				}
				n := issueNotice(t, env, s.caseID, nb)
				text := flatText(t, sup.Get("/api/v1/notices/"+n.ID+"/pdf").Expect(200).Body)
				want := []string{"namely as " + p.role + ", " + p.section, "Schedule 1, paragraph", "Passwords",
					fa.Title, "on " + hostA, s.exhibits[1].ExhibitRef, s.exhibits[0].ExhibitRef}
				if typ == "compliance" || typ == "penalty" {
					want = append(want, "Notice of intent and representations", "The authority received no representations from you.")
				} else {
					want = append(want, "Why this notice is given without a notice of intent", "Units are on sale now with a published password.")
				}
				for _, w := range want {
					if !strings.Contains(text, w) {
						t.Errorf("%s to the %s lacks %q", typ, p.role, w)
					}
				}
				for _, no := range []string{unrelated.ExhibitRef, hostB, "PSTI Act 2022 s.8"} {
					if strings.Contains(text, no) {
						t.Errorf("%s to the %s cites %q, which was not chosen", typ, p.role, no)
					}
				}
				if p.role != "manufacturer" && strings.Contains(text, "section 8 of the Act") {
					t.Errorf("%s to the %s cites the manufacturer's section 8", typ, p.role)
				}
			})
		}
	}
}
