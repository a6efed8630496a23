package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/demodata"
)

func writeSampleListings(t *testing.T, name string, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := demodata.WriteNDJSON(w, 0, n); err != nil {
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

func listingsDBCount(t *testing.T, in *instance, query string) int64 {
	t.Helper()
	db, err := database.Open(context.Background(), in.DBURL, in.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var importSummary = regexp.MustCompile(`imported (\d+), updated (\d+), unchanged (\d+), rejected (\d+)`)

func importCounts(t *testing.T, out string) [4]int {
	t.Helper()
	m := importSummary.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no import importSummary in %q", out)
	}
	var c [4]int
	for i := range c {
		c[i], _ = strconv.Atoi(m[i+1])
	}
	return c
}

func TestImportListingsCommand(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "migrate")
	dir := t.TempDir()
	nd := filepath.Join(dir, "crawl.ndjson")
	lines := `{"listing_id":"gt-1","retailer":"Gumtree","market_type":"secondary","url":"https://www.gumtree.com/p/1","title":"Ring doorbell, used"}
{"listing_id":"gt-2","retailer":"Gumtree","market_type":"flea_market","url":"https://www.gumtree.com/p/2","title":"x"}
{"listing_id":"gt-3","retailer":"Gumtree","market_type":"secondary","url":"gopher://www.gumtree.com/p/3","title":"x"}
not json at all
{"listing_id":"gt-4","retailer":"Gumtree","market_type":"secondary","url":"https://www.gumtree.com/p/4","title":"Baby monitor VM75","gtin":"5012145087537"}
`
	if err := os.WriteFile(nd, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	r := in.run("", "import", "listings", "--quiet", nd)
	if r.Code != 0 || importCounts(t, r.Stdout) != [4]int{2, 0, 0, 3} || !strings.Contains(r.Stdout, "search index up to date") {
		t.Fatalf("import: %+v", r)
	}
	for _, want := range []string{"line 2: market_type", "line 3: url", "line 4: malformed JSON"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, r.Stderr)
		}
	}
	if c := importCounts(t, in.mustRun("", "import", "listings", "--quiet", nd)); c != [4]int{0, 0, 2, 3} {
		t.Fatalf("re-import: %v", c)
	}
	csvPath := filepath.Join(dir, "cex.csv")
	csv := "listing_id,retailer,market_type,url,title,price\ncex-1,CeX,secondary,https://uk.webuy.com/product-detail?id=1,\"Tapo C200, boxed\",15.00\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := importCounts(t, in.mustRun("", "import", "listings", csvPath)); c != [4]int{1, 0, 0, 0} {
		t.Fatalf("csv import: %v", c)
	}
	if r := in.run("", "import", "listings", filepath.Join(dir, "listings.xml")); r.Code == 0 {
		t.Fatal("an unknown format was accepted")
	}
	if out := in.mustRun("", "reindex", "--quiet"); !strings.Contains(out, "reindexed 3 listings") {
		t.Fatalf("reindex: %q", out)
	}
}

func TestImportListingsResumesAfterKill(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "migrate")
	const n = 20000
	path := writeSampleListings(t, "sample.ndjson", n)
	cmd := exec.Command(in.Binary, "import", "listings", "--quiet", "--batch-size", "200", path)
	cmd.Env = append(append(os.Environ(), "TW_DATA_DIR="+in.Data, "TW_DATABASE_URL="+in.DBURL), in.Env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("no checkpoint was committed within 60s")
		}
		select {
		case err := <-done:
			t.Fatalf("the import finished (%v) before it could be interrupted", err)
		default:
		}
		if listingsDBCountSafe(in, "SELECT COALESCE(MAX(lines), 0) FROM listing_imports") >= 1000 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
	committed := listingsDBCount(t, in, "SELECT COUNT(*) FROM listings")
	if committed == 0 || committed >= n {
		t.Fatalf("%d listings committed before the kill", committed)
	}
	out := in.mustRun("", "import", "listings", "--quiet", "--batch-size", "200", path)
	m := regexp.MustCompile(`resumed after line (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the re-run did not resume: %q", out)
	}
	after, _ := strconv.Atoi(m[1])
	c := importCounts(t, out)
	if c[3] != 0 || c[0]+c[1]+c[2] != n-after || after < 1000 {
		t.Fatalf("resumed after %d: %v", after, c)
	}
	if got := listingsDBCount(t, in, "SELECT COUNT(*) FROM listings"); got != n {
		t.Fatalf("%d listings after resuming, want %d (no duplicates, none lost)", got, n)
	}
	if got := listingsDBCount(t, in, "SELECT COUNT(*) FROM search_outbox"); got != 0 {
		t.Fatalf("%d index changes still queued", got)
	}
	if got := listingsDBCount(t, in, "SELECT COUNT(*) FROM listing_imports"); got != 0 {
		t.Fatalf("the finished import left its checkpoint")
	}
}

// listingsDBCountSafe is listingsDBCount that reports -1 while the table does not exist yet.
func listingsDBCountSafe(in *instance, query string) int64 {
	db, err := database.Open(context.Background(), in.DBURL, in.Data)
	if err != nil {
		return -1
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(context.Background(), query).Scan(&n); err != nil {
		return -1
	}
	return n
}

func TestImportWhileServerRunsAndDemoSearch(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "demo")
	srv := in.Serve()
	token := cliLogin(t, srv.Base, "officer@kent-ts.example", "tradewarden-demo-2026")
	// The newcomer's first search.
	var res struct {
		Total int64 `json:"total"`
		Items []struct {
			MarketType string `json:"market_type"`
		} `json:"items"`
		Facets map[string]map[string]int64 `json:"facets"`
	}
	cliGetJSON(t, srv.Base+"/api/v1/search/listings?q=hs100", token, &res)
	mt := res.Facets["market_type"]
	if res.Total < 100 || mt["retailer"] == 0 || mt["marketplace"] == 0 || mt["secondary"] == 0 || len(res.Facets["retailer"]) < 8 {
		t.Fatalf("demo search for hs100: total %d, facets %v", res.Total, res.Facets)
	}
	// The server owns the index: the CLI imports and leaves indexing to it.
	path := filepath.Join(t.TempDir(), "new.ndjson")
	line := `{"retailer":"John Lewis","market_type":"retailer","url":"https://www.johnlewis.com/p/zz1","title":"Motorola VM75 Connect baby monitor zebra edition"}` + "\n"
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	out := in.mustRun("", "import", "listings", "--quiet", path)
	if !strings.Contains(out, "queued for the running tradewarden server") {
		t.Fatalf("import beside a server: %q", out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cliGetJSON(t, srv.Base+"/api/v1/search/listings?"+url.Values{"q": {"zebra edition"}}.Encode(), token, &res)
		if res.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never indexed the CLI's import; logs:\n%s", srv.Logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// reindex asks the server to rebuild, and follows its progress.
	r := in.run("", "reindex", "--quiet")
	if r.Code != 0 || !strings.Contains(r.Stdout, fmt.Sprintf("reindexed %d listings", demodata.DemoListings+1)) {
		t.Fatalf("reindex beside a server: %+v", r)
	}
	// A second server on the same data directory is refused.
	second := in.run("", "serve", "--addr", "127.0.0.1:0")
	if second.Code == 0 || !strings.Contains(second.Stderr, "another running tradewarden") {
		t.Fatalf("second server: %+v", second)
	}
}

func cliLogin(t *testing.T, base, email, password string) string {
	t.Helper()
	body := strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, password))
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var tok struct{ Token string }
	if err := json.Unmarshal(raw, &tok); err != nil || tok.Token == "" {
		t.Fatalf("login %s: %d %v: %s", email, resp.StatusCode, err, raw)
	}
	return tok.Token
}

func cliGetJSON(t *testing.T, u, token string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestImportMarketplaceFeedCommand(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "migrate")
	dir := t.TempDir()
	nd := filepath.Join(dir, "marketplace.ndjson")
	feed := `{"listing_id":125000000001,"retailer":"eBay","market_type":"marketplace","url":"https://www.ebay.co.uk/itm/1","title":"TP-Link HS100 smart plug","brand":"TP-Link","model":"HS-100","gtin":"Does not apply","category":"Electronics > Smart Home > Smart Plugs & Sockets","vdp_url":"https://www.tp-link.com/uk/security","colour":"white"}
{"listing_id":125000000002,"retailer":"eBay","market_type":"marketplace","url":"https://www.ebay.co.uk/itm/2","title":"Mini spy camera","brand":"Acme","model":"SC-9","gtin":"5012345678901","category":"CCTV","colour":"black","item_specifics":{"Resolution":"1080p"}}
{"listing_id":125000000003,"retailer":"eBay","market_type":"marketplace","url":"https://www.ebay.co.uk/itm/3","title":"Baby monitor VM75","brand":"Motorola","model":"VM75","gtin":"N/A","category":"Home & Garden"}
{not json
`
	if err := os.WriteFile(nd, []byte(feed), 0o600); err != nil {
		t.Fatal(err)
	}
	r := in.run("", "import", "listings", "--quiet", nd)
	if r.Code != 0 || importCounts(t, r.Stdout) != [4]int{3, 0, 0, 1} || !strings.Contains(r.Stderr, "line 4: malformed JSON") {
		t.Fatalf("import: %+v", r)
	}
	for _, want := range []string{"ignored fields (lines): colour (2), item_specifics (1)",
		"vdp_url as vulnerability_disclosure_url (1)", "category_unmapped (1)", "gtin_invalid (1)", "gtin_placeholder (2)",
		"seller categories with no category code (listings): Home & Garden (1)"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.Stdout)
		}
	}
	if n := listingsDBCount(t, in, "SELECT COUNT(*) FROM listings WHERE gtin_raw = '5012345678901' AND gtin IS NULL "+
		"AND quality_flags = 'gtin_invalid' AND category = 'camera'"); n != 1 {
		t.Errorf("the invalid GTIN was not kept raw: %d", n)
	}
	if n := listingsDBCount(t, in, "SELECT COUNT(*) FROM listings WHERE category = 'smart_plug' AND "+
		"vdp_url = 'https://www.tp-link.com/uk/security' AND external_id = '125000000001'"); n != 1 {
		t.Errorf("category, disclosure URL or numeric listing id lost: %d", n)
	}
	csvPath := filepath.Join(dir, "feed.csv")
	csv := "Item ID,Site,Market Type,Product URL,Name,EAN,Price,Colour\n" +
		"g-1,Gumtree,secondary,https://www.gumtree.com/p/1,Ring doorbell used,0,40,black\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out := in.mustRun("", "import", "listings", "--quiet", csvPath)
	if c := importCounts(t, out); c != [4]int{1, 0, 0, 0} || !strings.Contains(out, "colour (1)") {
		t.Fatalf("csv import: %q", out)
	}

	// A product recorded afterwards, on the server, links its listings in the background.
	in.mustRun("", "demo")
	srv := in.Serve()
	token := cliLogin(t, srv.Base, "officer@kent-ts.example", "tradewarden-demo-2026")
	req, _ := http.NewRequest(http.MethodPost, srv.Base+"/api/v1/products",
		strings.NewReader(`{"brand":"ACME","model":"SC9 (UK)","category":"CCTV"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var prod struct{ ID string }
	_ = json.NewDecoder(resp.Body).Decode(&prod)
	resp.Body.Close()
	if resp.StatusCode != 201 || prod.ID == "" {
		t.Fatalf("create product: %d", resp.StatusCode)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var page struct {
			Items []struct {
				ExternalID string `json:"external_id"`
			} `json:"items"`
		}
		cliGetJSON(t, srv.Base+"/api/v1/products/"+prod.ID+"/listings?limit=100", token, &page)
		if slices.ContainsFunc(page.Items, func(l struct {
			ExternalID string `json:"external_id"`
		}) bool {
			return l.ExternalID == "125000000002"
		}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never linked the imported listing to the new product; logs:\n%s", srv.Logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
