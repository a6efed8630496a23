package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The global flags are accepted after the subcommand as well as before it,
// a value on the command line beats the environment variable, and every
// subcommand's --help lists them.
func TestGlobalFlagsAfterTheSubcommand(t *testing.T) {
	in := newInstance(t) // TW_DATA_DIR names in.Data for every command
	after, before := t.TempDir(), t.TempDir()
	in.mustRun("", "migrate", "--data", after)
	in.mustRun("", "--data", before, "migrate", "--log-level", "warn")
	for _, dir := range []string{after, before} {
		if _, err := os.Stat(filepath.Join(dir, "blobs")); err != nil {
			t.Fatalf("--data %s was not used: %v", dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(in.Data, "blobs")); err == nil {
		t.Fatal("the environment's data dir was used although --data was given")
	}
	// restore parses --data after --from (it then fails: there is no archive).
	r := in.run("", "restore", "--from", filepath.Join(after, "missing.tar"), "--data", t.TempDir())
	if r.Code == 0 || strings.Contains(r.Stderr, "flag provided but not defined") {
		t.Fatalf("restore --from X --data DIR: exit %d %s", r.Code, r.Stderr)
	}
	for _, cmd := range [][]string{{"serve"}, {"migrate"}, {"authority"}, {"user"}, {"user", "add"}, {"demo"},
		{"audit"}, {"evidence"}, {"scan"}, {"backup"}, {"restore"}, {"notice"}, {"import", "listings"}, {"reindex"}} {
		out := in.mustRun("", append(cmd, "--help")...)
		for _, flag := range []string{"--data value", "--database-url value", "--log-level value", "--audit-key-file value"} {
			if !strings.Contains(out, flag) {
				t.Errorf("tradewarden %s --help does not list %s", strings.Join(cmd, " "), flag)
			}
		}
	}
}
