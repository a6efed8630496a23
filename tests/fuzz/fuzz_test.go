// Package fuzz throws arbitrary request bodies at the API's JSON and
// multipart endpoints: whatever arrives, the answer is a 2xx or a 4xx
// problem+json, never a 5xx, and a rejected request writes nothing.
package fuzz_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// world is one application shared by every input of a fuzz target (building
// one per input would make fuzzing far too slow).
type world struct {
	env     *wiringtest.Env
	caseID  string
	off     *wiringtest.Client
	sup     *wiringtest.Client
	analyst *wiringtest.Client
}

var (
	once   sync.Once
	shared *world
)

func setup(t *testing.T) *world {
	once.Do(func() {
		env := wiringtest.New(&keepAlive{T: t})
		off := env.As(principal.Officer, "KENT-TS")
		var cv struct{ ID string }
		off.Post("/api/v1/cases", map[string]any{"title": "fuzz target", "origin": "complaint"}).Expect(201).JSON(&cv)
		shared = &world{env: env, caseID: cv.ID, off: off,
			sup: env.As(principal.Supervisor, "KENT-TS"), analyst: env.As(principal.Analyst, "KENT-TS")}
	})
	return shared
}

// keepAlive lets the shared application outlive the first test that built
// it: cleanups registered on it never run (the process exit tidies up).
type keepAlive struct{ *testing.T }

func (k *keepAlive) Cleanup(func()) {}

// TempDir returns a directory that is not removed when the first test ends.
func (k *keepAlive) TempDir() string {
	dir, err := osMkdirTemp()
	if err != nil {
		k.T.Fatal(err)
	}
	return dir
}

// check sends the request and fails on a 5xx or a non-problem error body.
func check(t *testing.T, w *world, req *http.Request) {
	t.Helper()
	r := w.env.Send(req)
	if r.Status >= 500 {
		t.Fatalf("%s %s → %d: %s", req.Method, req.URL.Path, r.Status, r.Body)
	}
	if r.Status >= 400 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("%s %s → %d without problem+json: %s", req.Method, req.URL.Path, r.Status, r.Body)
	}
}

func jsonRequest(w *world, method, path string, body []byte) *http.Request {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.off.Token())
	return req
}

func seeds(f *testing.F, extra ...string) {
	for _, s := range append([]string{``, `{}`, `[]`, `null`, `{"a":`, `"x"`, `{"title":1}`, "\xff\xfe{", `{"title":"` + strings.Repeat("é", 400) + `"}`}, extra...) {
		f.Add([]byte(s))
	}
}

func FuzzCreateCase(f *testing.F) {
	seeds(f, `{"title":"t","origin":"complaint","product_ids":["x"],"risk_level":"high"}`, `{"title":"t","origin":"gossip"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		check(t, w, jsonRequest(w, http.MethodPost, "/api/v1/cases", body))
	})
}

func FuzzPatchCase(f *testing.F) {
	seeds(f, `{"scope":{"connectable":true,"excepted":true}}`, `{"product_ids":[1,2]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		req := jsonRequest(w, http.MethodPatch, "/api/v1/cases/"+w.caseID, body)
		req.Header.Set("If-Match", `"999999"`)
		check(t, w, req)
	})
}

func FuzzAssessment(f *testing.F) {
	seeds(f, `{"verdict":"fail","rationale":"x","evidence_ids":["a"]}`, `{"verdict":"not_applicable"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		check(t, w, jsonRequest(w, http.MethodPut, "/api/v1/cases/"+w.caseID+"/assessment/PSTI-1", body))
	})
}

func FuzzProduct(f *testing.F) {
	seeds(f, `{"brand":"A","model":"B","gtin":"5012345678900","support_period":{"end_date":"2027-01-01","url":"http://x"}}`,
		`{"brand":"A","model":"B","statement_of_compliance":{"present":true,"date":"not a date"}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		check(t, w, jsonRequest(w, http.MethodPost, "/api/v1/products", body))
	})
}

func FuzzNotice(f *testing.F) {
	seeds(f, `{"type":"penalty","operator_id":"x","penalty":{"amount_pence":-1}}`, `{"type":"compliance","comply_by":"2020-13-45"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		check(t, w, jsonRequest(w, http.MethodPost, "/api/v1/cases/"+w.caseID+"/notices", body))
	})
}

func FuzzLogin(f *testing.F) {
	seeds(f, `{"email":"officer@kent-ts.test","password":"x"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		check(t, w, req)
	})
}

// FuzzEvidenceUpload sends arbitrary multipart bodies (and arbitrary file
// bytes inside a well-formed one).
func FuzzEvidenceUpload(f *testing.F) {
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xml\"\r\n\r\n<nmaprun><host>\r\n--B--\r\n"), true)
	f.Add([]byte("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><nmaprun>&a;</nmaprun>"), false)
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"x"}]}`), false)
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		w := setup(t)
		var body bytes.Buffer
		if raw {
			body.Write(data)
		} else {
			body.WriteString("--B\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nfuzz\r\n" +
				"--B\r\nContent-Disposition: form-data; name=\"collected_by\"\r\n\r\nfuzzer\r\n" +
				"--B\r\nContent-Disposition: form-data; name=\"collected_at\"\r\n\r\n2026-01-01T00:00:00Z\r\n" +
				"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.bin\"\r\n\r\n")
			body.Write(data)
			body.WriteString("\r\n--B--\r\n")
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/cases/"+w.caseID+"/evidence", &body)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		req.Header.Set("Authorization", "Bearer "+w.off.Token())
		check(t, w, req)
	})
}

func FuzzListing(f *testing.F) {
	seeds(f, `{"retailer":"Argos","market_type":"retailer","url":"https://argos.example/p/1","title":"Plug","gtin":"5012345678900","price_pence":999,"currency":"GBP"}`,
		`{"retailer":"x","market_type":"flea","url":"javascript:alert(1)"}`, `{"url":"ftp://x","condition":"broken","observed_at":"yesterday"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		check(t, w, jsonRequest(w, http.MethodPost, "/api/v1/listings", body))
	})
}

// FuzzListingImport streams arbitrary bytes as an NDJSON or a CSV import.
func FuzzListingImport(f *testing.F) {
	f.Add([]byte(`{"retailer":"eBay","market_type":"secondary","url":"https://ebay.example/1","title":"HS100"}`+"\n{\n\xff\n"), false)
	f.Add([]byte("retailer,market_type,url,title\nArgos,retailer,https://a.example/1,\"unbalanced\n"), true)
	f.Add([]byte("\"\"\"\n,,,,,,,,,,,,,,,,,\n"), true)
	f.Fuzz(func(t *testing.T, body []byte, csv bool) {
		w := setup(t)
		req := jsonRequest(w, http.MethodPost, "/api/v1/listings/import", body)
		req.Header.Set("Content-Type", "application/x-ndjson")
		if csv {
			req.Header.Set("Content-Type", "text/csv")
		}
		check(t, w, req)
	})
}

// FuzzSearchQuery sends arbitrary text and filter values: query-language
// syntax must be taken as plain text, never a 5xx.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"hs100", `"unbalanced`, "*:*", "model:~1", "a AND (b", `\`, "+-&&||!(){}[]^\"~*?:/", "\xff\xfe"} {
		f.Add(s, "marketplace", "50")
	}
	f.Fuzz(func(t *testing.T, q, marketType, limit string) {
		w := setup(t)
		v := url.Values{"q": {q}, "market_type": {marketType}, "limit": {limit}, "observed_from": {limit}}
		for _, path := range []string{"/api/v1/search/listings?", "/api/v1/search/products?"} {
			check(t, w, jsonRequest(w, http.MethodGet, path+v.Encode(), nil))
		}
	})
}

// FuzzExport sends arbitrary referral-package requests as a supervisor.
func FuzzExport(f *testing.F) {
	seeds(f, `{"recipient":"Ofcom","purpose":"referral","include_evidence":true}`, `{"recipient":"","include_evidence":"yes"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		req := jsonRequest(w, http.MethodPost, "/api/v1/cases/"+w.caseID+"/exports", body)
		req.Header.Set("Authorization", "Bearer "+w.sup.Token())
		check(t, w, req)
	})
}

// FuzzReportQuery sends arbitrary periods and metrics as an analyst.
func FuzzReportQuery(f *testing.F) {
	f.Add("2026-01", "2025-01", "cases_opened", "ALL")
	f.Add("", "9999-99", "nonsense", "KENT-TS")
	f.Add("2026-01-01T00:00:00Z", "0001-01", "listings_removed", "\x00")
	f.Fuzz(func(t *testing.T, from, to, metric, authority string) {
		w := setup(t)
		v := url.Values{"from": {from}, "to": {to}, "metric": {metric}, "interval": {"month"}, "authority": {authority}}
		for _, path := range []string{"/api/v1/reports/summary?", "/api/v1/reports/timeseries?"} {
			req := jsonRequest(w, http.MethodGet, path+v.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+w.analyst.Token())
			check(t, w, req)
		}
	})
}

// FuzzReferral throws bodies at the referral routes: referring, changing the
// level, revoking and declining (as the owner, who may not decline).
func FuzzReferral(f *testing.F) {
	seeds(f, `{"to_authority":"OPSS","reason":"x","access_level":"owner"}`, `{"to_authority":"OPSS","reason":"x","access_level":"read_only"}`,
		`{"access_level":"edit_evidence_and_notes"}`, `{"reason":"`+strings.Repeat("x", 6000)+`"}`, `{"complainant":{"email":"no-at"}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		base := "/api/v1/cases/" + w.caseID + "/referrals"
		for _, r := range []struct{ method, path string }{{http.MethodPost, base}, {http.MethodPatch, base + "/OPSS"},
			{http.MethodPost, base + "/OPSS/revoke"}, {http.MethodPost, base + "/decline"}} {
			req := jsonRequest(w, r.method, r.path, body)
			req.Header.Set("Authorization", "Bearer "+w.sup.Token())
			check(t, w, req)
		}
		check(t, w, jsonRequest(w, http.MethodPost, "/api/v1/cases", body))
	})
}

var (
	findingOnce sync.Once
	findingID   string
)

// aFinding returns a finding on the shared case (a scan uploaded once).
func aFinding(t *testing.T, w *world) string {
	findingOnce.Do(func() {
		scan, err := os.ReadFile(filepath.Join("..", "..", "pkg", "scan", "nmap", "testdata", "camera.xml"))
		if err != nil {
			t.Fatal(err)
		}
		w.off.Upload("/api/v1/cases/"+w.caseID+"/evidence", map[string]string{"description": "fuzz scan", "collected_by": "fuzzer",
			"collected_at": "2026-01-01T00:00:00Z"}, "camera.xml", "application/xml", scan).Expect(201)
		var pg struct{ Items []struct{ ID string } }
		w.off.Get("/api/v1/cases/" + w.caseID + "/findings?limit=1").Expect(200).JSON(&pg)
		findingID = pg.Items[0].ID
	})
	return findingID
}

// FuzzFindingDecision sends arbitrary attach bodies, and arbitrary
// requirement ids and bodies to detach.
func FuzzFindingDecision(f *testing.F) {
	seeds(f, `{"requirement":"PSTI-1","reason":"x"}`, `{"requirement":"","reason":""}`, `{"requirement":["PSTI-1"]}`,
		`{"requirement":"5.1-1","reason":"`+strings.Repeat("r", 6000)+`"}`)
	f.Add([]byte(`{"reason":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		w := setup(t)
		base := "/api/v1/cases/" + w.caseID + "/findings/" + aFinding(t, w) + "/requirements"
		check(t, w, jsonRequest(w, http.MethodPost, base, body))
		check(t, w, jsonRequest(w, http.MethodDelete, base+"/"+url.PathEscape(string(body)), []byte(`{"reason":"fuzz"}`)))
		check(t, w, jsonRequest(w, http.MethodDelete, base+"/PSTI-2", body))
	})
}
