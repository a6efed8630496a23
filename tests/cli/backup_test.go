package cli_test

import (
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
	out := dst.mustRun("", "restore", "--from", archive)
	if !strings.Contains(out, "2 blobs") || !strings.Contains(out, "audit chain intact") {
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
