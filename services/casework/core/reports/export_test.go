package reports_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

// A small world of fakes around one complaint case.
type exportWorld struct {
	c        cases.Case
	parties  []cases.Party
	notes    []cases.Note
	rows     []cases.Row
	notices  []notices.Notice
	exhibits []evidence.Exhibit
	blobs    map[string][]byte
	ops      map[string]operators.Operator
	users    map[string]string
	exported []string
	events   []audit.Event
}

func (w *exportWorld) Get(_ context.Context, id string) (cases.Case, error) {
	if id != w.c.ID {
		return cases.Case{}, apperr.New(apperr.NotFound, "no case %q", id)
	}
	return w.c, nil
}
func (w *exportWorld) Parties(context.Context, string) ([]cases.Party, error) { return w.parties, nil }
func (w *exportWorld) Notes(context.Context, string) ([]cases.Note, error)    { return w.notes, nil }
func (w *exportWorld) Assessment(context.Context, string) (cases.Matrix, error) {
	return cases.Matrix{Rows: w.rows}, nil
}
func (w *exportWorld) List(_ context.Context, f notices.ListFilter) ([]notices.Notice, error) {
	return w.notices, nil
}
func (w *exportWorld) Payments(context.Context, string) ([]notices.Payment, error) {
	return []notices.Payment{{AmountPence: 1500}, {AmountPence: 500}}, nil
}

type exportEvidence struct{ *exportWorld }

func (e exportEvidence) List(context.Context, string) ([]evidence.Exhibit, error) {
	return e.exhibits, nil
}
func (e exportEvidence) Open(_ context.Context, id string) (io.ReadCloser, int64, error) {
	b := e.blobs[id]
	return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
}
func (e exportEvidence) RecordExport(_ context.Context, id, recipient, note string) error {
	e.exported = append(e.exported, id)
	return nil
}

type exportRegisters struct{ *exportWorld }

func (r exportRegisters) Operator(_ context.Context, id string) (operators.Operator, error) {
	return r.ops[id], nil
}
func (r exportRegisters) Product(_ context.Context, id string) (products.Product, error) {
	return products.Product{ID: id, Brand: "Brightwave", Model: "BW-Cam 2", SoC: products.SoC{Present: true, Signatory: "Dr Hannah Okafor"}}, nil
}
func (r exportRegisters) UserName(_ context.Context, id string) (string, error) {
	return r.users[id], nil
}
func (r exportRegisters) AuthorityName(context.Context, string) (string, error) {
	return "Kent Trading Standards", nil
}

// textRenderer "renders" the case file as text, so the test can read what
// the PDF would print.
type textRenderer struct{}

func (textRenderer) SummaryPDF(w io.Writer, s reports.Summary) error { return nil }
func (textRenderer) CasePDF(w io.Writer, f reports.CaseFile) error {
	_, err := fmt.Fprintf(w, "%+v", f)
	return err
}

type runTx struct{}

func (runTx) InTx(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

type logTo struct{ *exportWorld }

func (l logTo) Record(_ context.Context, ev audit.Event) error {
	l.events = append(l.events, ev)
	return nil
}

func newExportWorld() *exportWorld {
	issued := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	w := &exportWorld{
		c: cases.Case{ID: "c1", AuthorityID: kent.ID, AuthorityCode: kent.Code, Reference: "KENT-TS-2026-000001", Title: "Camera",
			Summary:     "Complaint from Eleanor Whitcombe, 01227 555019: the camera accepts admin/admin",
			Complainant: cases.Complainant{Name: "Eleanor Whitcombe", Phone: "01227 555019"}, Origin: cases.Complaint, Status: cases.Closed,
			AssigneeID: "u-officer", ClosureNote: "closed after a call with Mr Bellamy", ProductIDs: []string{"p1"}},
		parties: []cases.Party{{OperatorID: "op-co", Role: "manufacturer", ProductID: "p1", AddedBy: "u-officer"},
			{OperatorID: "op-st", Role: "retailer", AddedBy: "u-other"}},
		notes: []cases.Note{{AuthorID: "u-officer", Body: "private: vulnerable complainant"},
			{AuthorID: "u-other", Body: "shareable: 1,200 units sold", Shareable: true}},
		notices: []notices.Notice{{ID: "n1", Type: notices.Penalty, Status: notices.Served, OperatorID: "op-co", Reference: "KENT-TS-PN-2026-0001",
			IssuerID: "u-issuer", AuthorID: "u-officer", IssuedAt: &issued, ServedTo: "Mr Bellamy", ExhibitID: "ex-gen",
			Penalty: &notices.PenaltyTerms{AmountPence: 5000}, Verification: "abc123",
			Recipient: &notices.Recipient{Name: "Brightwave Devices Ltd", Country: "GB"}},
			{ID: "n2", Type: notices.Stop, Status: notices.Draft, OperatorID: "op-st"},
			// Issued to Jane Smithson while the register had her as a sole
			// trader; someone has since flipped the flag.
			{ID: "n3", Type: notices.Compliance, Status: notices.Issued, OperatorID: "op-st", Reference: "KENT-TS-CN-2026-0001",
				IssuerID: "u-issuer", IssuedAt: &issued, ExhibitID: "ex-gen2", Verification: "def456",
				Steps:     []string{"Jane Smithson must stop selling the camera from 7 Willow Close"},
				Reasons:   "Ms Smithson (SmartHomeDirect) sold 40 units; Eleanor Whitcombe bought one.",
				Recipient: &notices.Recipient{Name: "Jane Smithson", TradingNames: []string{"SmartHomeDirect"}, Address: "7 Willow Close", SoleTrader: true}}},
		exhibits: []evidence.Exhibit{
			{ID: "ex-scan", CaseID: "c1", Ref: "KENT-TS-2026-000001/EX-001", Filename: "scan (1).xml", CollectedBy: "Anil Patel"},
			{ID: "ex-gen", CaseID: "c1", Ref: "KENT-TS-2026-000001/EX-002", Filename: "notice.pdf", Generated: true},
			{ID: "ex-photo", CaseID: "c1", Ref: "KENT-TS-2026-000001/EX-003", Filename: "photo.jpg", Description: "Eleanor's receipt"},
			{ID: "ex-gen2", CaseID: "c1", Ref: "KENT-TS-2026-000001/EX-004", Filename: "notice2.pdf", Generated: true}},
		blobs: map[string][]byte{"ex-scan": []byte("<nmaprun/>"), "ex-gen": []byte("%PDF-notice"), "ex-photo": {0xff, 0xd8, 0xff},
			"ex-gen2": []byte("%PDF-Jane Smithson")},
		ops: map[string]operators.Operator{"op-co": {ID: "op-co", Name: "Brightwave Devices Ltd", Country: "GB", Address: "Unit 4, Crawley"},
			"op-st": {ID: "op-st", Name: "Jane Smithson", TradingNames: []string{"SmartHomeDirect"}, Address: "7 Willow Close", SoleTrader: false, Country: "GB"}},
		users: map[string]string{"u-issuer": "Priya Natarajan"},
	}
	psti1, _ := requirements.Lookup("PSTI-1")
	w.rows = []cases.Row{{Assessment: cases.Assessment{RequirementID: "PSTI-1", Verdict: cases.Fail, Rationale: "admin/admin accepted",
		EvidenceIDs: []string{"ex-scan"}, UpdatedBy: "u-officer"}, Requirement: psti1}}
	for id, b := range w.blobs {
		for i := range w.exhibits {
			if w.exhibits[i].ID == id {
				sum := sha256.Sum256(b)
				w.exhibits[i].SHA256, w.exhibits[i].Size = hex.EncodeToString(sum[:]), int64(len(b))
			}
		}
	}
	return w
}

func exportService(w *exportWorld) *reports.Service {
	s := service(&fakeStore{})
	s.UseExports(reports.ExportDeps{Cases: w, Notices: w, Evidence: exportEvidence{w}, Registers: exportRegisters{w},
		Renderer: textRenderer{}, Tx: runTx{}, Log: logTo{w}})
	return s
}

func supervisorCtx(a principal.Authority) context.Context {
	return principal.With(context.Background(), principal.Principal{UserID: "u-sup", Name: "Sam Supervisor", Email: "sam@kent.test",
		Authority: a, Roles: []principal.Role{principal.Supervisor}})
}

func TestExportRedactsByRule(t *testing.T) {
	w := newExportWorld()
	pkg, err := exportService(w).Export(supervisorCtx(kent), "c1", reports.ExportRequest{Recipient: "OPSS", Purpose: "national penalty",
		IncludeEvidence: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pkg.WriteZip(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = string(b)
	}
	want := []string{"case.pdf", "case.json", "exhibits/EX-001_scan_1_.xml", "exhibits/EX-002_notice.pdf", "exhibits/EX-003_photo.jpg",
		"manifest.json"}
	for i, f := range zr.File {
		if i >= len(want) || f.Name != want[i] {
			t.Fatalf("archive holds %v, want %v", zr.File, want)
		}
	}
	if files["exhibits/EX-001_scan_1_.xml"] != "<nmaprun/>" || files["exhibits/EX-002_notice.pdf"] != "%PDF-notice" {
		t.Error("exhibit bytes changed")
	}
	for name, text := range files {
		for _, secret := range []string{"Eleanor", "555019", "Bellamy", "Jane Smithson", "SmartHomeDirect", "Willow", "vulnerable",
			"Anil Patel", "Okafor", "u-officer", "u-other"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s carries %q", name, secret)
			}
		}
	}
	for _, s := range []string{"Officer 1", "Officer 2", "Sole trader 1", "Priya Natarajan", "Sam Supervisor", "Brightwave Devices Ltd",
		"shareable: 1,200 units sold", "[redacted: individual (R6)]",
		"Complaint from [redacted: complainant (R1)], [redacted: complainant (R1)]: the camera accepts admin/admin",
		"Sole trader 1 must stop selling the camera from Sole trader 1", "Ms Sole trader 1 (Sole trader 1) sold 40 units; [redacted: complainant (R1)] bought one.",
		"[redacted: complainant (R1)]'s receipt", `"recipient_sole_trader": true`, "section 28 of the Product Security"} {
		if !strings.Contains(files["case.json"], s) {
			t.Errorf("case.json lacks %q", s)
		}
	}
	var m struct {
		Files []struct {
			Path, SHA256 string
		}
		Exhibits []struct{ ID, Status string }
	}
	if err := json.Unmarshal([]byte(files["manifest.json"]), &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		sum := sha256.Sum256([]byte(files[f.Path]))
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: manifest hash does not match", f.Path)
		}
	}
	if fmt.Sprint(m.Exhibits) != "[{ex-scan included} {ex-gen included} {ex-photo included} {ex-gen2 withheld}]" {
		t.Errorf("manifest exhibits %v", m.Exhibits)
	}
	if fmt.Sprint(w.exported) != "[ex-scan ex-gen ex-photo]" || len(w.events) != 1 || w.events[0].Action != "case.export" {
		t.Errorf("exported %v, events %+v", w.exported, w.events)
	}
	if !strings.Contains(files["case.json"], `"penalty_pence": 5000`) || !strings.Contains(files["case.json"], `"paid_pence": 2000`) ||
		strings.Contains(files["case.json"], "STOP") {
		t.Error("case.json notices: want the issued penalty with its payments and no draft")
	}
}

func TestExportRefuses(t *testing.T) {
	w := newExportWorld()
	svc := exportService(w)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		id   string
		req  reports.ExportRequest
		code apperr.Code
	}{
		{"no recipient", supervisorCtx(kent), "c1", reports.ExportRequest{Purpose: "x"}, apperr.Invalid},
		{"exhibits without evidence", supervisorCtx(kent), "c1", reports.ExportRequest{Recipient: "x", Purpose: "x", ExhibitIDs: []string{"ex-scan"}}, apperr.Invalid},
		{"a sole trader's notice", supervisorCtx(kent), "c1", reports.ExportRequest{Recipient: "x", Purpose: "x", IncludeEvidence: true,
			ExhibitIDs: []string{"ex-gen2"}}, apperr.Invalid},
		{"unknown exhibit", supervisorCtx(kent), "c1", reports.ExportRequest{Recipient: "x", Purpose: "x", IncludeEvidence: true,
			ExhibitIDs: []string{"nope"}}, apperr.Invalid},
		{"another authority's case", supervisorCtx(opss), "c1", reports.ExportRequest{Recipient: "x", Purpose: "x"}, apperr.Forbidden},
		{"no such case", supervisorCtx(kent), "c9", reports.ExportRequest{Recipient: "x", Purpose: "x"}, apperr.NotFound},
	} {
		_, err := svc.Export(tc.ctx, tc.id, tc.req)
		if apperr.CodeOf(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if len(w.exported) != 0 || len(w.events) != 0 {
		t.Errorf("refused exports recorded %v %v", w.exported, w.events)
	}
	// A collaborating authority does not pass the owner's case on.
	w.c.Shares = []cases.Share{{AuthorityID: opss.ID, AuthorityCode: opss.Code, Status: cases.ShareAccepted, Level: cases.EditEvidenceAndNotes}}
	if _, err := svc.Export(supervisorCtx(opss), "c1", reports.ExportRequest{Recipient: "x", Purpose: "x"}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("collaborator export: %v", err)
	}
	w.c.Shares = nil
	// Only the chosen exhibits leave.
	pkg, err := svc.Export(supervisorCtx(kent), "c1", reports.ExportRequest{Recipient: "x", Purpose: "x", IncludeEvidence: true,
		ExhibitIDs: []string{"ex-photo", "ex-photo"}})
	if err != nil || len(pkg.Files) != 4 || pkg.Files[2].ExhibitID != "ex-photo" {
		t.Fatalf("selected export: %v %+v", err, pkg.Files)
	}
}

func TestWriteZipAbandonsChangedEvidence(t *testing.T) {
	w := newExportWorld()
	pkg, err := exportService(w).Export(supervisorCtx(kent), "c1", reports.ExportRequest{Recipient: "x", Purpose: "x", IncludeEvidence: true,
		ExhibitIDs: []string{"ex-scan"}})
	if err != nil {
		t.Fatal(err)
	}
	w.blobs["ex-scan"] = []byte("<NMAPRUN/>") // same length, other bytes
	var buf bytes.Buffer
	if err := pkg.WriteZip(context.Background(), &buf); err == nil || !strings.Contains(err.Error(), "abandoned") {
		t.Fatalf("got %v", err)
	}
	if _, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil {
		t.Fatal("an abandoned archive still reads as a ZIP")
	}
	w.blobs["ex-scan"] = []byte("<nmaprun/> plus")
	if err := pkg.WriteZip(context.Background(), io.Discard); err == nil {
		t.Fatal("a blob of another size was streamed")
	}
}

func TestRulesTable(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range reports.Rules {
		if want := fmt.Sprintf("R%d", i+1); r.ID != want || seen[r.ID] || r.Data == "" || r.Action == "" || r.Why == "" {
			t.Errorf("rule %d: %+v", i, r)
		}
		seen[r.ID] = true
		if got, ok := reports.RuleByID(r.ID); !ok || got != r {
			t.Errorf("RuleByID(%s)", r.ID)
		}
	}
}
