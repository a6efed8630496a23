package cli_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/testkit"
	"github.com/tradewarden/tradewarden/tests/binarytest"
)

// A backup restored into an empty data dir and database verifies: the audit
// chain and every exhibit's hash.
func TestBackupRestore(t *testing.T) {
	src := newInstance(t)
	src.mustRun("", "demo")
	ref := openCase(t, src)
	src.mustRun("", "evidence", "add", "--case", ref, "--as", "officer@kent-ts.example", "--quiet",
		"--description", "lab scan", "--collected-by", "A. Patel", nmapFixture, "../../pkg/scan/testssl/testdata/camera-flat.json")
	archive := filepath.Join(t.TempDir(), "tw-backup.tar.gz")
	src.mustRun("", "backup", "--out", archive)
	if r := src.run("", "backup", "--out", archive); r.Code == 0 {
		t.Fatal("backup overwrote an existing archive")
	}
	srcAudit := src.mustRun("", "audit", "verify")

	dst := &instance{&binarytest.Instance{T: t, Binary: binary, Data: t.TempDir(), DBURL: testkit.EmptyDatabaseLike(t, src.DBURL)}}
	// The audit key is never in a backup: without it the restore stops before writing anything.
	if r := dst.run("", "restore", "--from", archive); r.Code == 0 || !strings.Contains(r.Stderr, "backups never hold the key") {
		t.Fatalf("restore without the audit key: exit %d %s", r.Code, r.Stderr)
	}
	if path, ok := strings.CutPrefix(dst.DBURL, "sqlite:"); ok {
		if st, err := os.Stat(path); err == nil && st.Size() > 0 {
			t.Fatal("a refused restore wrote the database")
		}
	}
	if blobs, _ := os.ReadDir(filepath.Join(dst.Data, "blobs", "sha256")); len(blobs) > 0 {
		t.Fatal("a refused restore wrote blobs")
	}
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(gz); bytes.Contains(b, []byte("tradewarden-audit-key")) || len(b) == 0 {
		t.Fatal("the backup archive holds the audit key")
	}
	// With the key file where the restored instance looks for it (kept apart from backups).
	dst.Env = []string{"TW_AUDIT_KEY_FILE=" + filepath.Join(src.Data, "audit.key")}
	out := dst.mustRun("", "restore", "--from", archive)
	if !strings.Contains(out, "2 blobs") || !strings.Contains(out, "audit chain intact") || !strings.Contains(out, "2 exhibits match it") {
		t.Fatalf("restore: %q", out)
	}
	if got := dst.mustRun("", "audit", "verify"); got != srcAudit {
		t.Fatalf("restored audit chain differs:\n%s\n%s", srcAudit, got)
	}
	if out := dst.mustRun("", "evidence", "verify", "--all"); !strings.Contains(out, "2 exhibits verified: all intact") {
		t.Fatalf("evidence verify after restore: %q", out)
	}
	// Restoring over existing data is refused.
	if r := dst.run("", "restore", "--from", archive); r.Code == 0 || !strings.Contains(r.Stderr, "empty") {
		t.Fatalf("restore over data: exit %d %s", r.Code, r.Stderr)
	}
}
