package crash_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/demodata"
	"github.com/tradewarden/tradewarden/tests/binarytest"
)

// dbInt runs a query returning one integer straight against the instance's
// database (beside a running server, as an operator's psql/sqlite3 would).
// It reports -1 if the query fails (e.g. the table does not exist yet).
func dbInt(t *testing.T, in *binarytest.Instance, query string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := database.Open(ctx, in.DBURL, in.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return -1
	}
	return n
}

// writeListings writes demo listings [from, to) as NDJSON to a temp file.
func writeListings(t *testing.T, from, to int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("listings-%d-%d.ndjson", from, to))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := demodata.WriteNDJSON(w, from, to); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

type readiness struct {
	Status string `json:"status"`
	Checks struct {
		SearchDocuments int64 `json:"search_documents"`
		Lag             struct {
			Pending int64 `json:"pending"`
		} `json:"search_index_lag"`
	} `json:"checks"`
}

func ready(t *testing.T, base string) readiness {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r readiness
	if err := json.Unmarshal(raw, &r); err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %d %s", resp.StatusCode, raw)
	}
	return r
}

// raw sends body as is and decodes the answer into out, failing on an
// unexpected status.
func (a *api) raw(method, path, ctype string, body []byte, out any, want int) {
	a.t.Helper()
	resp, err := a.do(method, path, ctype, bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, tail(string(b), 2000))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("decode %s: %v", tail(string(b), 2000), err)
		}
	}
}

// searchTotal is the number of listings an unfiltered search finds.
func searchTotal(a *api, query string) int64 {
	a.t.Helper()
	var res struct {
		Total int64 `json:"total"`
	}
	a.json(http.MethodGet, "/api/v1/search/listings?limit=1"+query, nil, &res, 200)
	return res.Total
}

// waitIndexCaughtUp waits until the server reports no index work pending and
// as many documents in the index as listings in the database, and an
// unfiltered search finds them all.
func waitIndexCaughtUp(t *testing.T, in *binarytest.Instance, srv *binarytest.Server, a *api, timeout time.Duration) int64 {
	t.Helper()
	want := dbInt(t, in, "SELECT COUNT(*) FROM listings")
	deadline := time.Now().Add(timeout)
	for {
		r := ready(t, srv.Base)
		if r.Checks.Lag.Pending == 0 && r.Checks.SearchDocuments == want {
			if got := searchTotal(a, ""); got == want {
				return want
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search index did not catch up with the database within %s: readyz %+v, search total %d, "+
				"%d listings; logs:\n%s", timeout, r.Checks, searchTotal(a, ""), want, tail(srv.Logs.String(), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// generations lists the Bleve index generations on disk.
func generations(t *testing.T, data string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(data, "search"))
	if err != nil {
		t.Fatal(err)
	}
	var gens []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "gen-") {
			gens = append(gens, e.Name())
		}
	}
	return gens
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
