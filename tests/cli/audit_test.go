package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/pkg/keyfile"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/tests/tamper"
)

func openDB(t *testing.T, in *instance) *database.DB {
	t.Helper()
	db, err := database.Open(context.Background(), in.DBURL, in.Data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// verifyFails runs `audit verify` and checks it exits 1 with every want in
// the first line of its message (the first broken item).
func verifyFails(t *testing.T, in *instance, args []string, want ...string) {
	t.Helper()
	r := in.run("", append([]string{"audit", "verify"}, args...)...)
	first, _, _ := strings.Cut(r.Stderr, "\n")
	if r.Code != 1 {
		t.Fatalf("audit verify %v: exit %d, want 1\nstdout: %s\nstderr: %s", args, r.Code, r.Stdout, r.Stderr)
	}
	for _, w := range want {
		if !strings.Contains(first, w) {
			t.Fatalf("audit verify %v: first line lacks %q:\n%s", args, w, r.Stderr)
		}
	}
}

var keyedFrom = regexp.MustCompile(`keyed \(HMAC-SHA-256\) from entry (\d+) with audit key ([0-9a-f]{16})`)

func TestAuditKeyFileIsGeneratedAndRequired(t *testing.T) {
	in := newInstance(t)
	keyPath := filepath.Join(t.TempDir(), "secrets", "tw-audit.key")
	in.Env = []string{"TW_AUDIT_KEY_FILE=" + keyPath}
	in.mustRun("", "demo")
	st, err := os.Stat(keyPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(in.Data, "audit.key")); err == nil {
		t.Fatal("a key was also written into the data dir")
	}
	out := in.mustRun("", "audit", "verify")
	m := keyedFrom.FindStringSubmatch(out)
	if m == nil || m[1] != "1" {
		t.Fatalf("a new database is keyed from its first entry:\n%s", out)
	}
	// Without the key file nothing verifies and nothing writes, and no
	// replacement key is left behind.
	moved := keyPath + ".elsewhere"
	if err := os.Rename(keyPath, moved); err != nil {
		t.Fatal(err)
	}
	verifyFails(t, in, nil, "entry 1", "no key was loaded")
	r := in.run("", "user", "grant", "--email", "officer@kent-ts.example", "--authority", "OPSS", "--role", "analyst")
	if r.Code == 0 || !strings.Contains(r.Stderr, "does not exist") || !strings.Contains(r.Stderr, m[2]) {
		t.Fatalf("a write without the key file: exit %d %s", r.Code, r.Stderr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(keyPath)); len(entries) != 1 {
		t.Fatalf("files left beside the key: %v", entries)
	}
	// Another node with its own key may not write to this database either.
	node := *in.Instance
	other := &instance{&node}
	other.Env = []string{"TW_AUDIT_KEY_FILE=" + filepath.Join(t.TempDir(), "other.key")}
	if r := other.run("", "demo"); r.Code == 0 || !strings.Contains(r.Stderr, "sealed with another key") {
		t.Fatalf("a second key on the same database: exit %d %s", r.Code, r.Stderr)
	}
	if err := os.Rename(moved, keyPath); err != nil {
		t.Fatal(err)
	}
	in.Env = []string{"TW_AUDIT_KEY_FILE=" + keyPath}
	in.mustRun("", "user", "grant", "--email", "officer@kent-ts.example", "--authority", "OPSS", "--role", "analyst")
	in.mustRun("", "audit", "verify")
}

func TestAuditVerifyDetectsStoredStateTampering(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "demo")
	ref, _ := issueNotice(t, in)
	caseRef := strings.SplitN(tamper.Scalar[string](t, openDB(t, in), "SELECT ref FROM exhibits ORDER BY ref LIMIT 1"), "/", 2)[0]
	in.mustRun("", "evidence", "add", "--case", caseRef, "--as", "officer@kent-ts.example", "--quiet",
		"--description", "lab scan", "--collected-by", "A. Patel", nmapFixture)
	out := in.mustRun("", "audit", "verify")
	if !strings.Contains(out, "stored state matches the log: 1 issued notices, 3 exhibits (blobs re-hashed)") {
		t.Fatalf("untampered: %s", out)
	}
	db := openDB(t, in)
	noticeID := tamper.Scalar[string](t, db, "SELECT id FROM notices WHERE reference = ?", ref)
	issue := tamper.EntryOf(t, db, "notice.issue", noticeID)

	// An issued notice's steps edited in the database.
	undo := tamper.SetNoticeColumn(t, db, noticeID, "steps", `["Nothing further is required."]`)
	verifyFails(t, in, nil, "notice", ref, "(steps)", fmt.Sprintf("audit entry %d", issue))
	undo()
	// Its PDF hash.
	undo = tamper.SetNoticeColumn(t, db, noticeID, "sha256", strings.Repeat("f", 64))
	verifyFails(t, in, nil, ref, "sha256", fmt.Sprintf("audit entry %d", issue))
	undo()
	in.mustRun("", "audit", "verify")

	// An exhibit whose blob was replaced and sha256 rewritten to match.
	exID, exRef := tamper.Scalar[string](t, db, "SELECT id FROM exhibits WHERE filename = 'camera.xml'"),
		tamper.Scalar[string](t, db, "SELECT ref FROM exhibits WHERE filename = 'camera.xml'")
	upload := tamper.EntryOf(t, db, "evidence.add", exID)
	_, undo = tamper.ReplaceExhibit(t, db, filepath.Join(in.Data, "blobs"), exID, []byte(`<?xml version="1.0"?><nmaprun></nmaprun>`))
	if out := in.mustRun("", "evidence", "verify", "--all"); !strings.Contains(out, "all intact") {
		t.Fatalf("a plain re-hash should be fooled: %s", out)
	}
	verifyFails(t, in, nil, "exhibit", exRef, fmt.Sprintf("audit entry %d", upload), "at upload")
	verifyFails(t, in, []string{"--rehash=false"}, exRef)
	undo()
	in.mustRun("", "audit", "verify")
}

func TestAuditCheckpointsCatchTruncationAndRewriting(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "demo")
	issueNotice(t, in)
	grant := func() {
		in.mustRun("", "user", "grant", "--email", "analyst@kent-ts.example", "--authority", "OPSS", "--role", "analyst")
		in.mustRun("", "user", "revoke", "--email", "analyst@kent-ts.example", "--authority", "OPSS", "--role", "analyst")
	}
	grant()
	dir := t.TempDir()
	jsonCP, textCP := filepath.Join(dir, "cp.json"), filepath.Join(dir, "cp.txt")
	in.mustRun("", "audit", "checkpoint", "--out", jsonCP)
	grant()
	in.mustRun("", "audit", "checkpoint", "--format", "text", "--out", textCP)
	b, _ := os.ReadFile(jsonCP)
	var cp audit.Checkpoint
	if err := json.Unmarshal(b, &cp); err != nil || cp.CheckSignature() != nil {
		t.Fatalf("checkpoint file: %s %v", b, err)
	}
	if text, _ := os.ReadFile(textCP); !strings.HasPrefix(string(text), audit.CheckpointFormat+" seq=") || strings.Count(string(text), "\n") != 1 {
		t.Fatalf("text checkpoint: %q", text)
	}
	// More writes after both checkpoints: the log still extends them.
	grant()
	out := in.mustRun("", "audit", "verify", "--checkpoint", jsonCP, "--checkpoint", textCP)
	if !strings.Contains(out, fmt.Sprintf("checkpoint of entry %d taken", cp.Seq)) || strings.Count(out, "the log extends it") != 2 {
		t.Fatalf("verify with checkpoints: %s", out)
	}
	// An altered checkpoint file is not trusted.
	forged := filepath.Join(dir, "forged.json")
	_ = os.WriteFile(forged, []byte(strings.Replace(string(b), fmt.Sprintf(`"seq": %d`, cp.Seq), fmt.Sprintf(`"seq": %d`, cp.Seq-1), 1)), 0o600)
	verifyFails(t, in, []string{"--checkpoint", forged}, "signature")

	// Deleting the newest rows, head moved back: the chain alone cannot tell...
	db := openDB(t, in)
	tamper.Truncate(t, db, cp.Seq-1)
	if out := in.mustRun("", "audit", "verify"); !strings.HasPrefix(out, "audit chain intact: ") {
		t.Fatalf("truncated: %s", out)
	}
	// ...the checkpoint can, naming the first missing entry.
	verifyFails(t, in, []string{"--checkpoint", jsonCP}, fmt.Sprintf("BROKEN at entry %d", cp.Seq), "were removed")

	// Someone with database access but not the key recomputes the whole chain.
	for name, seal := range map[string]func(string, *audit.Entry){
		"plain SHA-256": tamper.SealUnkeyed, "plain SHA-256, relabelled": audit.Seal, "a wrong key": tamper.WrongKey(t).Seal,
	} {
		t.Run(name, func(t *testing.T) {
			tamper.Recompute(t, db, seal, nil)
			verifyFails(t, in, nil, "BROKEN at entry 1")
			verifyFails(t, in, []string{"--checkpoint", jsonCP}, "BROKEN at entry 1")
		})
	}
}

// A database written by the release before the keyed chain (unkeyed
// SHA-256 entries, no chain or key columns, issue entries without the
// particulars' hashes) still verifies, has its stored state checked, and is
// keyed from its next entry on.
func TestDatabaseFromPreviousReleaseStillVerifies(t *testing.T) {
	in, ref, unkeyed := previousRelease(t)
	db := openDB(t, in)
	out := in.mustRun("", "audit", "verify")
	if !strings.Contains(out, "not keyed") || !strings.Contains(out, "1 issued notices, 2 exhibits") {
		t.Fatalf("previous release's database: %s", out)
	}
	if _, err := os.Stat(filepath.Join(in.Data, "audit.key")); err == nil {
		t.Fatal("audit verify created a key")
	}
	// Its notices are still checked (through the verification code).
	noticeID := tamper.Scalar[string](t, db, "SELECT id FROM notices WHERE reference = ?", ref)
	undo := tamper.SetNoticeColumn(t, db, noticeID, "steps", `["Nothing further is required."]`)
	verifyFails(t, in, nil, ref, "(particulars)")
	undo()

	// The first start of this release generates the key and keys the chain from the next entry.
	in.mustRun("", "authority", "list")
	out = in.mustRun("", "audit", "verify")
	if m := keyedFrom.FindStringSubmatch(out); m == nil || m[1] != fmt.Sprint(unkeyed+1) {
		t.Fatalf("after upgrade, want keyed from entry %d:\n%s", unkeyed+1, out)
	}
	in.mustRun("", "user", "grant", "--email", "officer@kent-ts.example", "--authority", "OPSS", "--role", "analyst")
	in.mustRun("", "audit", "verify")
	// The unkeyed entries are now sealed by the keyed ones after them:
	// rewriting the unkeyed part consistently breaks the first keyed entry.
	tamper.Exec(t, db, "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3")
	tamper.Recompute(t, db, func(prev string, e *audit.Entry) {
		if e.Seq <= unkeyed {
			audit.Seal(prev, e)
		}
	}, nil)
	verifyFails(t, in, nil, fmt.Sprintf("BROKEN at entry %d", unkeyed+1))
	// And relabelling everything as unkeyed fails from the first entry.
	tamper.Recompute(t, db, audit.Seal, nil)
	verifyFails(t, in, nil, "BROKEN at entry 1")
}

// An unkeyed log met by a key file that already exists is not keyed
// silently (it could be a keyed log someone rewrote without the key): the
// operator binds it after checking.
func TestPreviousReleaseWithProvisionedKeyNeedsBindKey(t *testing.T) {
	in, _, unkeyed := previousRelease(t)
	keyPath := filepath.Join(t.TempDir(), "provisioned.key")
	if _, err := keyfile.Create(keyPath, "tradewarden-audit-key-v1", audit.SecretSize, nil); err != nil {
		t.Fatal(err)
	}
	in.Env = []string{"TW_AUDIT_KEY_FILE=" + keyPath}
	if r := in.run("", "authority", "list"); r.Code == 0 || !strings.Contains(r.Stderr, "audit bind-key") {
		t.Fatalf("start with a provisioned key on an unkeyed log: exit %d %s", r.Code, r.Stderr)
	}
	verifyFails(t, in, nil, "BROKEN at entry 1", "never bound")
	if out := in.mustRun("", "audit", "bind-key"); !strings.Contains(out, "keyed from now on") {
		t.Fatalf("bind-key: %s", out)
	}
	if out := in.mustRun("", "audit", "bind-key"); !strings.Contains(out, "already sealed") {
		t.Fatalf("bind-key again: %s", out)
	}
	out := in.mustRun("", "audit", "verify")
	if m := keyedFrom.FindStringSubmatch(out); m == nil || m[1] != fmt.Sprint(unkeyed+1) {
		t.Fatalf("after bind-key, want keyed from entry %d:\n%s", unkeyed+1, out)
	}
	in.mustRun("", "authority", "list")
}

// previousRelease builds a database as the release before the keyed chain
// left it, returning its issued notice's reference and its entry count.
func previousRelease(t *testing.T) (*instance, string, int64) {
	t.Helper()
	in := newInstance(t)
	ref := seedUnkeyed(t, in)
	db := openDB(t, in)
	// What the previous release wrote: no particulars in the issue entry...
	tamper.Recompute(t, db, audit.Seal, func(e *audit.Entry) {
		if e.Action == "notice.issue" {
			var d map[string]any
			_ = json.Unmarshal([]byte(e.Detail), &d)
			delete(d, "particulars")
			delete(d, "particulars_sha256")
			b, _ := json.Marshal(d)
			e.Detail = string(b)
		}
	})
	// ...and a schema without this release's migration.
	tamper.Exec(t, db, "ALTER TABLE audit_log DROP COLUMN chain")
	tamper.Exec(t, db, "ALTER TABLE audit_head DROP COLUMN key_id")
	tamper.Exec(t, db, "DELETE FROM bun_migrations WHERE name = '20261202000400'")
	return in, ref, tamper.Head(t, db)
}

// seedUnkeyed writes users and an issued notice with no audit key loaded,
// so the chain is unkeyed throughout, as the previous release wrote it.
func seedUnkeyed(t *testing.T, in *instance) string {
	t.Helper()
	ctx := principal.System(context.Background(), "test")
	app, err := wiring.Open(ctx, wiring.Config{DataDir: in.Data, DatabaseURL: in.DBURL, MigrateOnOpen: true, AuditKeyReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for _, a := range []identity.NewAuthority{{Code: "KENT-TS", Name: "Kent"}, {Code: "OPSS", Name: "OPSS", National: true}} {
		if _, err := app.Identity.AddAuthority(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, role := range []principal.Role{principal.Officer, principal.Supervisor} {
		_, err := app.Identity.AddUser(ctx, identity.NewUser{Email: string(role) + "@kent-ts.example", Name: string(role),
			Password: "a long enough password", Authority: "KENT-TS", Roles: []principal.Role{role}})
		if err != nil {
			t.Fatal(err)
		}
	}
	ref, _ := issueNoticeIn(t, app)
	return ref
}
