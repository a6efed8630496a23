package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

// Issue #13 item 9 on the CLI: `evidence add` refuses an acquisition in the
// future and a deceptive filename, and `evidence verify --all` re-hashes a
// disposed exhibit without writing after the disposal in its chain.
func TestCLICustodyRules(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "demo")
	ref := openCase(t, in)
	add := func(collectedAt, file string) result {
		return in.run("", "evidence", "add", "--case", ref, "--as", "officer@kent-ts.example", "--quiet",
			"--description", "lab scan", "--collected-by", "A. Patel", "--collected-at", collectedAt, file)
	}
	if r := add(time.Now().Add(time.Hour).UTC().Format(time.RFC3339), nmapFixture); r.Code == 0 || !strings.Contains(r.Stderr, "collected_at") {
		t.Fatalf("an acquisition in the future was accepted or not explained: %+v", r)
	}
	bidi := filepath.Join(t.TempDir(), "scan\u202Elmx.txt")
	if err := os.WriteFile(bidi, []byte("label"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := add(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), bidi); r.Code == 0 || !strings.Contains(r.Stderr, "file") {
		t.Fatalf("a bidi filename was accepted or not explained: %+v", r)
	}
	add(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), nmapFixture)

	ctx := context.Background()
	app, err := wiring.Open(ctx, wiring.Config{DataDir: in.Data, DatabaseURL: in.DBURL})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	p, err := app.Identity.ActAs(ctx, "officer@kent-ts.example", "")
	if err != nil {
		t.Fatal(err)
	}
	off := principal.With(ctx, p)
	c, err := app.Cases.ByReference(off, ref)
	if err != nil {
		t.Fatal(err)
	}
	exs, err := app.Evidence.List(off, c.ID)
	if err != nil || len(exs) != 1 {
		t.Fatalf("exhibits %v: %v", exs, err)
	}
	if _, err := app.Evidence.RecordCustody(off, exs[0].ID, evidence.Transfer{Action: evidence.Disposed, Note: "destroyed"}); err != nil {
		t.Fatal(err)
	}
	_, before, err := app.Evidence.Custody(off, exs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if out := in.mustRun("", "evidence", "verify", "--all"); !strings.Contains(out, "1 exhibits verified") {
		t.Fatalf("verify --all: %q", out)
	}
	_, after, err := app.Evidence.Custody(off, exs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || after[len(after)-1].Action != evidence.Disposed {
		t.Fatalf("the chain changed after disposal: %+v", after)
	}
	if err := evidence.CheckChain(after, time.Now()); err != nil {
		t.Fatal(err)
	}
}
