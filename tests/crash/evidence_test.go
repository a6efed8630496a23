package crash_test

import (
	"crypto/rand"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/tests/binarytest"
)

type exhibit struct {
	ID     string `json:"id"`
	SHA256 string `json:"sha256"`
}

// startUpload streams a multipart upload of size random bytes; it returns a
// channel that receives once written bytes pass `signal`.
func startUpload(a *api, caseID string, size, signal int64) (written <-chan struct{}, done <-chan error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	w, d := make(chan struct{}), make(chan error, 1)
	go func() {
		defer pw.Close()
		_ = mw.WriteField("description", "large capture")
		_ = mw.WriteField("collected_by", "crash test")
		_ = mw.WriteField("collected_at", time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
		part, err := mw.CreateFormFile("file", "capture.bin")
		if err != nil {
			return
		}
		var sent int64
		buf := make([]byte, 256<<10)
		for sent < size {
			_, _ = rand.Read(buf)
			n, err := part.Write(buf)
			if err != nil {
				return
			}
			if sent < signal && sent+int64(n) >= signal {
				close(w)
			}
			sent += int64(n)
		}
		_ = mw.Close()
	}()
	go func() {
		resp, err := a.do(http.MethodPost, "/api/v1/cases/"+caseID+"/evidence", mw.FormDataContentType(), pr)
		if err == nil {
			resp.Body.Close()
		}
		d <- err
	}()
	return w, d
}

func newCase(a *api) string {
	var cv struct{ ID string }
	a.json(http.MethodPost, "/api/v1/cases", map[string]any{"title": "crash", "origin": "complaint"}, &cv, 201)
	return cv.ID
}

func exhibits(a *api, caseID string) []exhibit {
	var list struct{ Items []exhibit }
	a.json(http.MethodGet, "/api/v1/cases/"+caseID+"/evidence", nil, &list, 200)
	return list.Items
}

// checkIntact asserts every exhibit's blob exists and verifies, every blob on
// disk belongs to an exhibit, nothing is left staged, and the audit chain
// verifies.
func checkIntact(t *testing.T, in *binarytest.Instance, a *api, caseIDs ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, c := range caseIDs {
		for _, e := range exhibits(a, c) {
			want[e.SHA256] = true
		}
	}
	blobs, temps := blobFiles(t, in.Data)
	if len(temps) > 0 {
		t.Fatalf("staged leftovers after restart: %v", temps)
	}
	for sha := range blobs {
		if !want[sha] {
			t.Fatalf("orphan blob %s after restart", sha)
		}
	}
	for sha := range want {
		if !blobs[sha] {
			t.Fatalf("exhibit blob %s is missing", sha)
		}
	}
	in.MustRun("", "audit", "verify")
	if len(want) > 0 {
		in.MustRun("", "evidence", "verify", "--all")
	}
}

// Killed mid-upload: the half-received file never becomes an exhibit and
// leaves nothing behind once the server restarts.
func TestKillDuringEvidenceUpload(t *testing.T) {
	in := binarytest.New(t, binary)
	in.MustRun("", "demo")
	srv := in.Serve()
	a := login(t, srv.Base, "officer@kent-ts.example")
	caseID := newCase(a)
	written, done := startUpload(a, caseID, 64<<20, 8<<20)
	select {
	case <-written:
	case err := <-done:
		t.Fatalf("upload ended early: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("upload did not start")
	}
	srv.Kill()
	<-done
	if _, temps := blobFiles(t, in.Data); len(temps) == 0 {
		t.Log("no staged file was on disk at the kill (fine, but the test is weaker)")
	}
	srv = in.Serve()
	a = login(t, srv.Base, "officer@kent-ts.example")
	if ex := exhibits(a, caseID); len(ex) != 0 {
		t.Fatalf("a killed upload became %d exhibits", len(ex))
	}
	checkIntact(t, in, a, caseID)
}

// Killed at random moments while many small uploads commit: whatever
// committed is intact, whatever did not left no trace.
func TestKillDuringEvidenceCommits(t *testing.T) {
	in := binarytest.New(t, binary)
	in.MustRun("", "demo")
	var caseID string
	for round := 0; round < 4; round++ {
		srv := in.Serve()
		a := login(t, srv.Base, "officer@kent-ts.example")
		if caseID == "" {
			caseID = newCase(a)
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					body := strings.NewReader(fmt.Sprintf("--B\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nnote\r\n"+
						"--B\r\nContent-Disposition: form-data; name=\"collected_by\"\r\n\r\nx\r\n"+
						"--B\r\nContent-Disposition: form-data; name=\"collected_at\"\r\n\r\n2026-01-01T00:00:00Z\r\n"+
						"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"n.txt\"\r\nContent-Type: text/plain\r\n\r\n"+
						"round %d worker %d upload %d %s\r\n--B--\r\n", round, w, i, time.Now()))
					resp, err := a.do(http.MethodPost, "/api/v1/cases/"+caseID+"/evidence", "multipart/form-data; boundary=B", body)
					if err != nil {
						return
					}
					resp.Body.Close()
				}
			}(w)
		}
		time.Sleep(time.Duration(150+round*120) * time.Millisecond)
		srv.Kill()
		close(stop)
		wg.Wait()
	}
	srv := in.Serve()
	a := login(t, srv.Base, "officer@kent-ts.example")
	if n := len(exhibits(a, caseID)); n == 0 {
		t.Fatal("no upload committed in any round; the test proves nothing")
	}
	checkIntact(t, in, a, caseID)
}
