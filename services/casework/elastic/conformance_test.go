package elastic_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/elastic"
	"github.com/tradewarden/tradewarden/services/casework/searchtest"
)

var prefixSeq atomic.Int64

// TestConformance runs the search contract against a real cluster, e.g.
// TW_TEST_ELASTICSEARCH_URL=http://elastic:secret@127.0.0.1:9200. Each
// index gets its own alias prefix and is deleted afterwards.
func TestConformance(t *testing.T) {
	raw := os.Getenv("TW_TEST_ELASTICSEARCH_URL")
	if raw == "" {
		t.Skip("Elasticsearch conformance skipped: set TW_TEST_ELASTICSEARCH_URL (e.g. http://elastic:password@127.0.0.1:9200) to run the search contract against a cluster")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("TW_TEST_ELASTICSEARCH_URL: %v", err)
	}
	cfg := elastic.Config{Addresses: []string{(&url.URL{Scheme: u.Scheme, Host: u.Host}).String()}}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	searchtest.Run(t, func(t *testing.T) search.Index {
		c := cfg
		c.Prefix = fmt.Sprintf("tw-conformance-%d-%d", time.Now().Unix(), prefixSeq.Add(1))
		e, err := elastic.New(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = e.Close()
			dropIndices(t, cfg, c.Prefix)
		})
		return e
	})
}

// dropIndices deletes every index named prefix-*, one by one because
// clusters refuse wildcard deletes by default.
func dropIndices(t *testing.T, cfg elastic.Config, prefix string) {
	base := cfg.Addresses[0]
	req, _ := http.NewRequest(http.MethodGet, base+"/_cat/indices/"+prefix+"-*?format=json&h=index", nil)
	req.SetBasicAuth(cfg.Username, cfg.Password)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Logf("list test indices: %v", err)
		return
	}
	defer res.Body.Close()
	var rows []struct {
		Index string `json:"index"`
	}
	_ = json.NewDecoder(res.Body).Decode(&rows)
	for _, r := range rows {
		del, _ := http.NewRequest(http.MethodDelete, base+"/"+r.Index, nil)
		del.SetBasicAuth(cfg.Username, cfg.Password)
		if res, err := http.DefaultClient.Do(del); err == nil {
			res.Body.Close()
		}
	}
}
