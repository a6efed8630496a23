package elastic_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/elastic"
)

// call is one request the adapter sent.
type call struct {
	Method string
	Path   string
	Query  string
	Body   []byte
}

// JSON decodes the body as one JSON object.
func (c call) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		t.Fatalf("%s %s body is not JSON: %v\n%s", c.Method, c.Path, err, c.Body)
	}
	return m
}

// NDJSON decodes the body line by line.
func (c call) NDJSON(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(c.Body))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("bulk line is not JSON: %v: %s", err, sc.Bytes())
		}
		out = append(out, m)
	}
	if len(c.Body) > 0 && c.Body[len(c.Body)-1] != '\n' {
		t.Errorf("bulk body does not end with a newline")
	}
	return out
}

// reply is what the fake cluster answers.
type reply struct {
	status int
	body   string
}

// fakeES is an httptest server standing in for Elasticsearch 8: it records
// every request and answers through handle, always with the product header
// the v8 client checks.
type fakeES struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []call
	handle func(c call) reply
}

func newFakeES(t *testing.T, handle func(c call) reply) *fakeES {
	f := &fakeES{t: t, handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		rep := f.handle(c)
		if rep.status == 0 {
			rep.status = http.StatusOK
		}
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeES) recorded() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// find returns the recorded calls matching method and a path predicate.
func (f *fakeES) find(method string, path func(string) bool) []call {
	var out []call
	for _, c := range f.recorded() {
		if c.Method == method && path(c.Path) {
			out = append(out, c)
		}
	}
	return out
}

func is(p string) func(string) bool { return func(s string) bool { return s == p } }

const alias = "tw-test"

var fixedNow = time.Date(2026, 11, 26, 10, 30, 0, 123, time.UTC)

// newEngine connects an engine to f with an existing alias unless the
// handler says otherwise.
func newEngine(t *testing.T, f *fakeES) *elastic.Engine {
	t.Helper()
	e, err := elastic.New(context.Background(), elastic.Config{
		Addresses:   []string{f.srv.URL},
		Prefix:      alias,
		Backoff:     func(int) time.Duration { return time.Millisecond },
		DeleteGrace: time.Millisecond,
		Now:         func() time.Time { return fixedNow },
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// aliasExists answers GET /_alias/tw-test with one index behind it.
func aliasExists(c call) (reply, bool) {
	if c.Method == http.MethodGet && c.Path == "/_alias/"+alias {
		return reply{body: `{"tw-test-20260101t000000.000000000z":{"aliases":{"tw-test":{"is_write_index":true}}}}`}, true
	}
	return reply{}, false
}

// bulkOK answers a _bulk request with success for every action in it.
func bulkOK(t *testing.T, c call) reply {
	return bulkReply(t, c, nil)
}

// bulkReply answers a _bulk request; statuses overrides the status of the
// action with that _id.
func bulkReply(t *testing.T, c call, statuses map[string]int) reply {
	lines := c.NDJSON(t)
	var items []string
	anyErr := false
	for i := 0; i < len(lines); i++ {
		for action, v := range lines[i] {
			meta := v.(map[string]any)
			id, _ := meta["_id"].(string)
			index, _ := meta["_index"].(string)
			status := 201
			if action == "delete" {
				status = 200
			} else {
				i++ // skip the source line
			}
			if s, ok := statuses[id]; ok {
				status = s
			}
			item := map[string]any{"_index": index, "_id": id, "status": status, "_version": 1,
				"result": "created", "_shards": map[string]int{"total": 1, "successful": 1, "failed": 0}}
			switch status {
			case 400:
				anyErr = true
				item["error"] = map[string]any{"type": "document_parsing_exception",
					"reason": "[1:57] failed to parse field [observed_at] of type [date_nanos]"}
			case 429:
				anyErr = true
				item["error"] = map[string]any{"type": "es_rejected_execution_exception",
					"reason": "rejected execution of coordinating operation"}
			case 404:
				item["result"] = "not_found"
			}
			b, _ := json.Marshal(map[string]any{action: item})
			items = append(items, string(b))
		}
	}
	return reply{body: `{"took":3,"errors":` + boolJSON(anyErr) + `,"items":[` + strings.Join(items, ",") + `]}`}
}

func boolJSON(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

const tooMany = `{"error":{"root_cause":[{"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"}],"type":"es_rejected_execution_exception","reason":"rejected execution of coordinating operation"},"status":429}`
