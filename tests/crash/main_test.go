// Package crash_test kills the real server with SIGKILL in the middle of
// writes, restarts it, and checks that nothing committed is lost, nothing
// half-written is visible, no orphan blob remains and the audit chain
// verifies — on the engine under test.
package crash_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/tests/binarytest"
)

var binary string

func TestMain(m *testing.M) {
	bin, dir, err := binarytest.Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = bin
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// api is a logged-in HTTP client of a running server.
type api struct {
	t     *testing.T
	base  string
	token string
}

func login(t *testing.T, base, email string) *api {
	t.Helper()
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"`+email+`","password":"tradewarden-demo-2026"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
		t.Fatalf("login %s: %d %v", email, resp.StatusCode, err)
	}
	return &api{t: t, base: base, token: tok.Token}
}

func (a *api) do(method, path, ctype string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(method, a.base+path, body)
	if err != nil {
		return nil, err
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return http.DefaultClient.Do(req)
}

// json sends a JSON request and decodes the answer into out, failing on an
// unexpected status.
func (a *api) json(method, path string, in, out any, want int) {
	a.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	resp, err := a.do(method, path, "application/json", body)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatalf("decode %s: %v", raw, err)
		}
	}
}

// blobFiles lists the stored blobs and the staged (temporary) files.
func blobFiles(t *testing.T, data string) (blobs map[string]bool, temps []string) {
	t.Helper()
	blobs = map[string]bool{}
	root := filepath.Join(data, "blobs")
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if strings.HasPrefix(rel, "sha256"+string(filepath.Separator)) {
			blobs[d.Name()] = true
		} else {
			temps = append(temps, rel)
		}
		return nil
	})
	return blobs, temps
}
