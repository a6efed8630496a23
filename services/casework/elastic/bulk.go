package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// bulkOp is one action of a _bulk request: index with a source, or delete.
type bulkOp struct {
	id     string
	source []byte // nil for a delete
}

func indexOps(docs []search.Doc) ([]bulkOp, error) {
	ops := make([]bulkOp, 0, len(docs))
	for _, d := range docs {
		if err := d.Validate(); err != nil {
			return nil, err
		}
		src, err := json.Marshal(toESDoc(d))
		if err != nil {
			return nil, fmt.Errorf("elastic: encode listing %s: %w", d.ListingID, err)
		}
		ops = append(ops, bulkOp{id: d.ListingID, source: src})
	}
	return ops, nil
}

func deleteOps(ids []string) []bulkOp {
	ops := make([]bulkOp, len(ids))
	for i, id := range ids {
		ops[i] = bulkOp{id: id}
	}
	return ops
}

type actionMeta struct {
	Index string `json:"_index"`
	ID    string `json:"_id"`
}

// ndjson encodes ops as a _bulk body: an action line, then the source line
// for index actions.
func ndjson(index string, ops []bulkOp) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b) // terminates each value with a newline
	for _, op := range ops {
		meta := actionMeta{Index: index, ID: op.id}
		if op.source == nil {
			_ = enc.Encode(map[string]actionMeta{"delete": meta})
			continue
		}
		_ = enc.Encode(map[string]actionMeta{"index": meta})
		b.Write(op.source)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

type bulkItemResult struct {
	ID     string `json:"_id"`
	Status int    `json:"status"`
	Result string `json:"result"`
	Error  struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

type bulkResponse struct {
	Errors bool                        `json:"errors"`
	Items  []map[string]bulkItemResult `json:"items"`
}

// itemFailure is a bulk item Elasticsearch rejected.
type itemFailure struct {
	id     string
	status int
	reason string
}

func summarise(failures []itemFailure, total int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d bulk items failed", len(failures), total)
	for i, f := range failures {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(failures)-i)
			break
		}
		fmt.Fprintf(&b, "; %s: %d %s", f.id, f.status, f.reason)
	}
	return fmt.Errorf("elastic: %s", b.String())
}

// bulk sends ops to index. Items rejected with 429 (the cluster is busy)
// are sent again after a backoff, up to MaxRetries times; any other item
// failure (a mapping error, say) fails the call. Deleting a listing that
// is not there is not a failure. A 429 on the whole request is retried by
// the client's transport.
func (e *Engine) bulk(ctx context.Context, index string, ops []bulkOp, refresh string) error {
	total := len(ops)
	for attempt := 0; ; attempt++ {
		body := ndjson(index, ops)
		raw, _, err := do(ctx, "bulk", esapi.BulkRequest{Body: bytes.NewReader(body), Refresh: refresh}, e.es)
		if err != nil {
			return err
		}
		var resp bulkResponse
		if err := json.Unmarshal(raw, &resp); err != nil {
			return fmt.Errorf("elastic: decode bulk response: %w", err)
		}
		if !resp.Errors {
			return nil
		}
		if len(resp.Items) != len(ops) {
			return fmt.Errorf("elastic: bulk response has %d items for %d actions", len(resp.Items), len(ops))
		}
		var retry []bulkOp
		var failed []itemFailure
		for i, item := range resp.Items {
			for action, r := range item {
				switch {
				case r.Status >= 200 && r.Status < 300:
				case action == "delete" && r.Status == http.StatusNotFound:
				case r.Status == http.StatusTooManyRequests:
					retry = append(retry, ops[i])
				default:
					failed = append(failed, itemFailure{id: ops[i].id, status: r.Status, reason: r.Error.Type + ": " + r.Error.Reason})
				}
			}
		}
		if len(failed) > 0 {
			return summarise(failed, total)
		}
		if len(retry) == 0 {
			return nil
		}
		if attempt >= e.cfg.MaxRetries {
			failed = make([]itemFailure, len(retry))
			for i, op := range retry {
				failed[i] = itemFailure{id: op.id, status: http.StatusTooManyRequests, reason: "still rejected after retries"}
			}
			return summarise(failed, total)
		}
		if err := sleep(ctx, e.cfg.Backoff(attempt+1)); err != nil {
			return err
		}
		ops = retry
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
