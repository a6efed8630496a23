package component_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
	"github.com/tradewarden/tradewarden/tests/tamper"
)

type verifyView struct {
	OK         bool   `json:"ok"`
	Entries    int64  `json:"entries"`
	FirstBadID *int64 `json:"first_bad_id"`
	Reason     string `json:"reason"`
	Head       struct {
		ID   int64  `json:"id"`
		Hash string `json:"hash"`
	} `json:"head"`
	Chain struct {
		KeyedFrom   int64                    `json:"keyed_from"`
		KeyID       string                   `json:"key_id"`
		Checkpoints []audit.CheckpointResult `json:"checkpoints"`
	} `json:"chain"`
	Checked struct {
		IssuedNotices int  `json:"issued_notices"`
		Exhibits      int  `json:"exhibits"`
		BlobsRehashed bool `json:"blobs_rehashed"`
	} `json:"checked"`
	Problems []problemView `json:"problems"`
}

type problemView struct {
	Check      string `json:"check"`
	EntryID    *int64 `json:"entry_id"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Reference  string `json:"reference"`
	Field      string `json:"field"`
	Reason     string `json:"reason"`
}

func verifyAudit(t *testing.T, c *wiringtest.Client, query string) verifyView {
	t.Helper()
	var v verifyView
	c.Get("/api/v1/audit/verify" + query).Expect(200).JSON(&v)
	return v
}

// noticeIssued issues a compliance notice over HTTP on a case with two
// uploaded exhibits.
func noticeIssued(t *testing.T, env *wiringtest.Env) (noticeSetup, noticeView) {
	t.Helper()
	s := setupNoticeCase(t, env)
	return s, issuedNotice(t, env, s)
}

// wantIntact checks a clean verification of the issued notice and the
// notice of intent before it, and their four exhibits (two uploads and the
// two PDFs).
func wantIntact(t *testing.T, v verifyView) {
	t.Helper()
	if !v.OK || len(v.Problems) != 0 || v.FirstBadID != nil || v.Checked.IssuedNotices != 2 || v.Checked.Exhibits != 5 { // 2 uploads, 2 PDFs, the intent's certificate of service
		t.Fatalf("untampered database does not verify: %+v", v)
	}
}

// wantFirst checks that verification fails and names want first.
func wantFirst(t *testing.T, v verifyView, want problemView) {
	t.Helper()
	if v.OK || len(v.Problems) == 0 {
		t.Fatalf("tampering not reported: %+v", v)
	}
	got := v.Problems[0]
	if got.Check != want.Check || got.ObjectID != want.ObjectID || got.Reference != want.Reference ||
		!strings.Contains(got.Field, want.Field) || deref(got.EntryID) != deref(want.EntryID) || v.Reason != got.Reason {
		t.Fatalf("first problem %+v (entry %d), want %+v (entry %d); all: %+v", got, deref(got.EntryID), want, deref(want.EntryID), v.Problems)
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func ptr(v int64) *int64 { return &v }

func TestIntegrityUntamperedDatabaseVerifies(t *testing.T) {
	env := wiringtest.New(t)
	noticeIssued(t, env)
	v := verifyAudit(t, env.As(admin, "KENT-TS"), "?rehash=true")
	wantIntact(t, v)
	if v.Chain.KeyedFrom != 1 || v.Chain.KeyID == "" || !v.Checked.BlobsRehashed || v.Head.ID != v.Entries || len(v.Head.Hash) != 64 {
		t.Fatalf("a new database is keyed from its first entry: %+v", v)
	}
	// The key file was generated beside the data, readable by its owner only.
	st, err := os.Stat(filepath.Join(env.DataDir, "audit.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("audit key file: %v %v", st, err)
	}
	// Entries say which chain sealed them.
	var page struct{ Items []struct{ Chain string } }
	env.As(supervisor, "KENT-TS").Get("/api/v1/audit?limit=5").Expect(200).JSON(&page)
	if len(page.Items) == 0 || page.Items[0].Chain != "hmac-sha256" {
		t.Fatalf("audit entries: %+v", page)
	}
}

func TestIntegrityDetectsEditedIssuedNotice(t *testing.T) {
	env := wiringtest.New(t)
	_, n := noticeIssued(t, env)
	sup := env.As(supervisor, "KENT-TS")
	db := env.App.DB
	issue := tamper.EntryOf(t, db, "notice.issue", n.ID)
	other := newOperator(t, env.As(officer, "KENT-TS"), "Someone Else Ltd")
	for _, tc := range []struct{ column, value, field string }{
		{"steps", `["Nothing further is required."]`, "steps"},
		{"reasons", "No breach was found.", "reasons"},
		{"sha256", strings.Repeat("0", 64), "sha256"},
		{"operator_id", other, "operator_id"},
		{"status", "approved", "status"},
		{"contributors", "[]", "contributors"},
	} {
		t.Run(tc.column, func(t *testing.T) {
			undo := tamper.SetNoticeColumn(t, db, n.ID, tc.column, tc.value)
			v := verifyAudit(t, sup, "")
			wantFirst(t, v, problemView{Check: "notice", ObjectID: n.ID, Reference: n.Reference, Field: tc.field, EntryID: ptr(issue)})
			if v.FirstBadID != nil {
				t.Fatalf("the chain itself is intact, yet first_bad_id is %d", *v.FirstBadID)
			}
			undo()
			wantIntact(t, verifyAudit(t, sup, ""))
		})
	}
	// Another authority learns that something is wrong, not what.
	undo := tamper.SetNoticeColumn(t, db, n.ID, "steps", `["x"]`)
	defer undo()
	v := verifyAudit(t, env.As(admin, "OPSS"), "")
	if v.OK || len(v.Problems) != 1 || v.Problems[0].ObjectID != "" || v.Problems[0].Reference != "" ||
		strings.Contains(v.Reason, n.Reference) || strings.Contains(v.Reason, "steps") {
		t.Fatalf("another authority's view of the problem: %+v", v)
	}
}

func TestIntegrityDetectsExhibitRewrittenWithItsBlob(t *testing.T) {
	env := wiringtest.New(t)
	s, _ := noticeIssued(t, env)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	ex := s.exhibits[1]
	upload := tamper.EntryOf(t, env.App.DB, "evidence.add", ex.ID)
	_, undo := tamper.ReplaceExhibit(t, env.App.DB, filepath.Join(env.DataDir, "blobs"), ex.ID, []byte("Photos: every unit asked for a new password"))
	// Re-hashing the blob alone is fooled: bytes and stored hash agree.
	var res struct {
		OK bool `json:"ok"`
	}
	off.Post("/api/v1/evidence/"+ex.ID+"/verify", nil).Expect(200).JSON(&res)
	if !res.OK {
		t.Fatal("the rewritten exhibit should fool a plain re-hash")
	}
	for _, q := range []string{"", "?rehash=true"} {
		wantFirst(t, verifyAudit(t, sup, q), problemView{Check: "exhibit", ObjectID: ex.ID, Reference: ex.ExhibitRef, Field: "sha256, size", EntryID: ptr(upload)})
	}
	undo()
	wantIntact(t, verifyAudit(t, sup, "?rehash=true"))
}

func TestIntegrityDetectsTruncationAndRecomputedChains(t *testing.T) {
	env := wiringtest.New(t)
	_, n := noticeIssued(t, env)
	adm := env.As(admin, "KENT-TS")
	db := env.App.DB
	off := env.As(officer, "KENT-TS")
	for i := 0; i < 3; i++ {
		newOperator(t, off, "Earlier Ltd")
	}
	// A checkpoint for escrow, then more writes: the log still extends it.
	var cp audit.Checkpoint
	adm.Post("/api/v1/audit/checkpoints", nil).Expect(201).JSON(&cp)
	if err := cp.CheckSignature(); err != nil || cp.KeyID == "" || cp.KeyedFrom != 1 {
		t.Fatalf("checkpoint: %+v %v", cp, err)
	}
	for i := 0; i < 3; i++ {
		newOperator(t, off, "Later Ltd")
	}
	withCP := map[string]any{"checkpoints": []audit.Checkpoint{cp}}
	var v verifyView
	adm.Post("/api/v1/audit/verify", withCP).Expect(200).JSON(&v)
	wantIntact(t, v)
	if len(v.Chain.Checkpoints) != 1 || !v.Chain.Checkpoints[0].OK {
		t.Fatalf("checkpoint result: %+v", v.Chain)
	}
	// Deleting the newest rows (and moving the head back) leaves a chain
	// consistent in itself: only the checkpoint shows the loss.
	tamper.Truncate(t, db, cp.Seq-2)
	wantIntact(t, verifyAudit(t, adm, ""))
	adm.Post("/api/v1/audit/verify", withCP).Expect(200).JSON(&v)
	wantFirst(t, v, problemView{Check: "chain", EntryID: ptr(cp.Seq - 1)})
	if !strings.Contains(v.Reason, "were removed") || v.Chain.Checkpoints[0].OK {
		t.Fatalf("truncation below the checkpoint: %+v", v)
	}
	// Truncating back past the notice's issue leaves the notice and its PDF
	// with no record of them, which the stored-state checks see even
	// without a checkpoint.
	tamper.Truncate(t, db, tamper.EntryOf(t, db, "evidence.generated", n.ExhibitID)-1)
	v = verifyAudit(t, adm, "")
	if v.OK || v.FirstBadID != nil || !hasProblem(v, "notice", n.ID, "no audit entry records its issue") ||
		!hasProblem(v, "exhibit", n.ExhibitID, "no audit entry records the upload") {
		t.Fatalf("truncation past the issue: %+v", v)
	}

	// Someone with database access recomputes the whole chain, without the key.
	for name, seal := range map[string]func(string, *audit.Entry){
		"plain SHA-256":             tamper.SealUnkeyed,
		"plain SHA-256, relabelled": audit.Seal,
		"a wrong key":               tamper.WrongKey(t).Seal,
	} {
		t.Run(name, func(t *testing.T) {
			env := wiringtest.New(t)
			noticeIssued(t, env)
			adm := env.As(admin, "KENT-TS")
			wantIntact(t, verifyAudit(t, adm, ""))
			tamper.Recompute(t, env.App.DB, seal, nil)
			v := verifyAudit(t, adm, "")
			wantFirst(t, v, problemView{Check: "chain", EntryID: ptr(1)})
			if v.FirstBadID == nil || *v.FirstBadID != 1 {
				t.Fatalf("first_bad_id: %+v", v)
			}
		})
	}
}

func hasProblem(v verifyView, check, objectID, reason string) bool {
	for _, p := range v.Problems {
		if p.Check == check && p.ObjectID == objectID && strings.Contains(p.Reason, reason) {
			return true
		}
	}
	return false
}
