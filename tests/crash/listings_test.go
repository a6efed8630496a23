package crash_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/tests/binarytest"
)

const (
	countListings   = "SELECT COUNT(*) FROM listings"
	checkpointLines = "SELECT COALESCE(MAX(lines), 0) FROM listing_imports"
	checkpointRows  = "SELECT COUNT(*) FROM listing_imports"
)

type importResult struct {
	Imported         int64 `json:"imported"`
	Updated          int64 `json:"updated"`
	Unchanged        int64 `json:"unchanged"`
	RejectedTotal    int64 `json:"rejected_total"`
	Lines            int64 `json:"lines"`
	ResumedAfterLine int64 `json:"resumed_after_line"`
}

// postImport streams body to POST /api/v1/listings/import in the background.
func postImport(a *api, key string, body []byte) <-chan error {
	done := make(chan error, 1)
	go func() {
		resp, err := a.do(http.MethodPost, "/api/v1/listings/import?batch_size=200&resume_key="+key,
			"application/x-ndjson", bytes.NewReader(body))
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = fmt.Errorf("import: status %d", resp.StatusCode)
			}
		}
		done <- err
	}()
	return done
}

// waitCheckpoint polls the import checkpoint until it passes target lines;
// it fails if the import ends first.
func waitCheckpoint(t *testing.T, in *binarytest.Instance, target int64, ended <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for dbInt(t, in, checkpointLines) < target {
		select {
		case <-ended:
			t.Fatalf("the import ended before its checkpoint passed line %d: nothing to interrupt", target)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import checkpoint did not pass line %d within 60s", target)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// assertCommittedPrefix checks, with no process running, that exactly the
// checkpointed batches are in the database: nothing committed was lost and
// no batch is half-written.
func assertCommittedPrefix(t *testing.T, in *binarytest.Instance, before int64) int64 {
	t.Helper()
	cp := dbInt(t, in, checkpointLines)
	if got := dbInt(t, in, countListings) - before; got != cp {
		t.Fatalf("%d listings committed but the checkpoint says %d lines: a batch is half-written or lost", got, cp)
	}
	return cp
}

// Killed (twice) in the middle of a streamed HTTP import: each time exactly
// the checkpointed batches survive; re-sending the same body with the same
// resume key skips them and imports the rest once; the search index and the
// audit chain are whole.
func TestKillDuringListingImport(t *testing.T) {
	in := binarytest.New(t, binary)
	in.MustRun("", "demo")
	before := dbInt(t, in, countListings)
	const n = 15000
	body, err := os.ReadFile(writeListings(t, 100000, 100000+n))
	if err != nil {
		t.Fatal(err)
	}
	const key = "crash-import"
	var committed int64
	for round := 0; round < 2; round++ {
		srv := in.Serve()
		a := login(t, srv.Base, "officer@kent-ts.example")
		done := postImport(a, key, body)
		ended := make(chan struct{})
		var importErr error
		go func() { importErr = <-done; close(ended) }()
		target := committed + 1000 + rand.Int64N(4000)
		waitCheckpoint(t, in, target, ended)
		srv.Kill()
		<-ended
		if importErr == nil {
			t.Fatal("the killed import answered success")
		}
		cp := assertCommittedPrefix(t, in, before)
		if cp < target || cp >= n {
			t.Fatalf("round %d: checkpoint at line %d after a kill past line %d", round, cp, target)
		}
		t.Logf("round %d: killed with %d of %d lines committed", round, cp, n)
		committed = cp
	}
	srv := in.Serve()
	a := login(t, srv.Base, "officer@kent-ts.example")
	if got := assertCommittedPrefix(t, in, before); got != committed {
		t.Fatalf("the restart changed the committed prefix from %d to %d lines", committed, got)
	}
	var res importResult
	a.raw(http.MethodPost, "/api/v1/listings/import?batch_size=200&resume_key="+key, "application/x-ndjson", body, &res, 200)
	if res.ResumedAfterLine != committed || res.Imported != n-committed || res.Updated != 0 || res.Unchanged != 0 ||
		res.RejectedTotal != 0 {
		t.Fatalf("resumed import after %d committed lines: %+v", committed, res)
	}
	if got := dbInt(t, in, countListings); got != before+n {
		t.Fatalf("%d listings after resuming, want %d: lost or duplicated", got, before+n)
	}
	if got := dbInt(t, in, checkpointRows); got != 0 {
		t.Fatalf("the finished import left %d checkpoints", got)
	}
	// Sent once more, the import changes nothing.
	a.raw(http.MethodPost, "/api/v1/listings/import?batch_size=1000", "application/x-ndjson", body, &res, 200)
	if res.Unchanged != n || res.Imported != 0 || res.Updated != 0 {
		t.Fatalf("re-import of the whole file: %+v", res)
	}
	waitIndexCaughtUp(t, in, srv, a, 30*time.Second)
	in.MustRun("", "audit", "verify")
}

// The operator's CLI import runs beside the server when the power fails:
// both are killed at once. After the restart the same command resumes, the
// listings are all there once, and the server indexes what was queued.
func TestKillDuringCLIImportBesideServer(t *testing.T) {
	in := binarytest.New(t, binary)
	in.MustRun("", "demo")
	before := dbInt(t, in, countListings)
	const n = 15000
	path := writeListings(t, 200000, 200000+n)
	srv := in.Serve()
	imp := in.Start("import", "listings", "--quiet", "--batch-size", "200", path)
	target := 1000 + rand.Int64N(6000)
	ended := make(chan struct{})
	go func() { <-imp.Done(); close(ended) }()
	waitCheckpoint(t, in, target, ended)
	imp.Kill()
	srv.Kill()
	committed := assertCommittedPrefix(t, in, before)
	t.Logf("killed with %d of %d lines committed", committed, n)

	srv = in.Serve()
	a := login(t, srv.Base, "officer@kent-ts.example")
	out := in.MustRun("", "import", "listings", "--quiet", "--batch-size", "200", path)
	m := regexp.MustCompile(`resumed after line (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the re-run did not resume: %q", out)
	}
	if after, _ := strconv.ParseInt(m[1], 10, 64); after != committed {
		t.Fatalf("resumed after line %d, but %d lines were committed", after, committed)
	}
	if want := fmt.Sprintf("imported %d, updated 0, unchanged 0, rejected 0", n-committed); !bytes.Contains([]byte(out), []byte(want)) {
		t.Fatalf("resumed import: %q, want %q", out, want)
	}
	if got := dbInt(t, in, countListings); got != before+n {
		t.Fatalf("%d listings after resuming, want %d: lost or duplicated", got, before+n)
	}
	waitIndexCaughtUp(t, in, srv, a, 30*time.Second)
	in.MustRun("", "audit", "verify")
}
