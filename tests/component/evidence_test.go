package component_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

func fixture(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "pkg", "scan", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type exhibitView struct {
	ID            string `json:"id"`
	ExhibitRef    string `json:"exhibit_ref"`
	SHA256        string `json:"sha256"`
	Size          int64  `json:"size"`
	MediaType     string `json:"media_type"`
	Format        string `json:"format"`
	FindingsCount int    `json:"findings_count"`
	ParseWarning  string `json:"parse_warning"`
	SupersededBy  string `json:"superseded_by"`
	Import        struct {
		Parsed, New, Unchanged, Reopened, Resolved int
	} `json:"import"`
}

type findingView struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	Status         string   `json:"status"`
	Port           int      `json:"port"`
	Service        string   `json:"service"`
	Kind           string   `json:"kind"`
	RequirementIDs []string `json:"requirement_ids"`
	EvidenceID     string   `json:"evidence_id"`
	ResolvedBy     string   `json:"resolved_by_evidence_id"`
	Severity       string   `json:"severity"`
	ToolID         string   `json:"tool_id"`
	Credentials    []struct {
		Username, Password string
	} `json:"credentials"`
}

func uploadFields() map[string]string {
	return map[string]string{"description": "nmap -sV -sC of the camera on the lab bench", "collected_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
		"collected_by": "Lab technician A. Patel", "power_used": "test_purchase", "kind": "network_scan"}
}

func upload(t *testing.T, c *wiringtest.Client, caseID, name, ctype string, content []byte, want int) exhibitView {
	t.Helper()
	var ev exhibitView
	r := c.Upload("/api/v1/cases/"+caseID+"/evidence", uploadFields(), name, ctype, content).Expect(want)
	if want == 201 {
		r.JSON(&ev)
	} else {
		r.Problem()
	}
	return ev
}

func findings(t *testing.T, c *wiringtest.Client, caseID, query string) []findingView {
	t.Helper()
	var pg struct{ Items []findingView }
	c.Get("/api/v1/cases/" + caseID + "/findings?limit=200&" + query).Expect(200).JSON(&pg)
	return pg.Items
}

func TestEvidenceUploadParseDownloadCustody(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	nmapXML := fixture(t, "nmap/testdata/camera.xml")
	ev := upload(t, off, cv.ID, "camera.xml", "application/xml", nmapXML, 201)
	sum := sha256.Sum256(nmapXML)
	if ev.SHA256 != hex.EncodeToString(sum[:]) || ev.Size != int64(len(nmapXML)) || ev.Format != "nmap" {
		t.Fatalf("exhibit: %+v", ev)
	}
	if ev.ExhibitRef != cv.Reference+"/EX-001" || ev.FindingsCount == 0 || ev.Import.New != ev.FindingsCount {
		t.Fatalf("exhibit ref/findings: %+v", ev)
	}

	// Byte-identical download with integrity headers, recorded in custody.
	r := off.Get("/api/v1/evidence/" + ev.ID + "/content").Expect(200)
	if !bytes.Equal(r.Body, nmapXML) {
		t.Fatal("downloaded bytes differ from the upload")
	}
	if !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		r.Header.Get("Repr-Digest") != "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":" {
		t.Fatalf("download headers: %v", r.Header)
	}
	var custody struct {
		Items []struct{ Action, Actor, SHA256 string }
	}
	off.Post("/api/v1/evidence/"+ev.ID+"/custody", map[string]any{"from": "Lab bench 3", "to": "Evidence store B, locker 12",
		"location": "Maidstone", "note": "sealed bag TS-4471"}).Expect(201)
	off.Get("/api/v1/evidence/" + ev.ID + "/custody").Expect(200).JSON(&custody)
	var actions []string
	for _, c := range custody.Items {
		actions = append(actions, c.Action)
		if c.Action != "transferred" && c.SHA256 != ev.SHA256 {
			t.Fatalf("custody entry without the hash at that moment: %+v", c)
		}
	}
	if strings.Join(actions, ",") != "acquired,uploaded,downloaded,transferred" {
		t.Fatalf("custody chain %v", actions)
	}

	// Findings cite requirements through the rule table.
	// An open telnet port is cleartext and exposed, but shows no password:
	// never PSTI-1 on its own. The camera's proven default login is.
	all := findings(t, off, cv.ID, "")
	var telnet, login *findingView
	for i, f := range all {
		switch {
		case f.Kind == "open_port" && f.Service == "telnet" && telnet == nil:
			telnet = &all[i]
		case f.Kind == "credential" && f.ToolID == "http-default-accounts":
			login = &all[i]
		}
	}
	if telnet == nil || login == nil {
		t.Fatalf("no telnet or default-login finding among %d", len(all))
	}
	if !slices.Contains(telnet.RequirementIDs, "5.5-1") || !slices.Contains(telnet.RequirementIDs, "5.6-1") ||
		slices.Contains(telnet.RequirementIDs, "PSTI-1") {
		t.Fatalf("open telnet port cites %v: want 5.5-1 and 5.6-1, never PSTI-1 without credential evidence", telnet.RequirementIDs)
	}
	if !slices.Contains(login.RequirementIDs, "PSTI-1") || !slices.Contains(login.RequirementIDs, "5.1-1") ||
		login.Severity != "high" || len(login.Credentials) != 1 || login.Credentials[0].Username != "admin" ||
		login.Credentials[0].Password != "12345" {
		t.Fatalf("the camera's default login: %+v", login)
	}
	psti1 := findings(t, off, cv.ID, "requirement_id=PSTI-1")
	if len(psti1) == 0 || len(psti1) >= len(all) {
		t.Fatalf("requirement filter returned %d of %d", len(psti1), len(all))
	}
	// They show under the requirement in the assessment matrix; the verdict stays the officer's.
	var m struct {
		Items []struct {
			RequirementID string `json:"requirement_id"`
			Verdict       string `json:"verdict"`
			Findings      []struct{ ID string }
		}
	}
	off.Get("/api/v1/cases/" + cv.ID + "/assessment").Expect(200).JSON(&m)
	for _, row := range m.Items {
		if row.RequirementID == "PSTI-1" && (len(row.Findings) != len(psti1) || row.Verdict != "not_assessed") {
			t.Fatalf("PSTI-1 row: %+v", row)
		}
	}
	off.Put("/api/v1/cases/"+cv.ID+"/assessment/PSTI-1", map[string]any{"verdict": "fail", "rationale": "telnet with admin/admin",
		"evidence_ids": []string{ev.ID}, "finding_ids": []string{login.ID}}).Expect(200)
	off.Put("/api/v1/cases/"+cv.ID+"/assessment/PSTI-2", map[string]any{"verdict": "pass", "evidence_ids": []string{"01a21939-0000-7000-8000-000000000000"}}).Expect(422)

	// Officers confirm, dismiss and re-map findings (audited).
	var patched findingView
	off.Patch("/api/v1/findings/"+telnet.ID, map[string]any{"status": "confirmed", "requirement_ids": []string{"PSTI-1", "5.1-1"}, "note": "manual check"}).Expect(200).JSON(&patched)
	if patched.Status != "confirmed" || len(patched.RequirementIDs) != 2 {
		t.Fatalf("patched finding %+v", patched)
	}
	off.Patch("/api/v1/findings/"+telnet.ID, map[string]any{"requirement_ids": []string{"X-9"}}).Expect(422)
	off.Patch("/api/v1/findings/"+telnet.ID, map[string]any{"status": "bogus"}).Expect(422)

	// Access: other authorities see nothing, analysts nothing case-level.
	env.As(officer, "OPSS").Get("/api/v1/evidence/" + ev.ID).Expect(404)
	env.As(officer, "OPSS").Get("/api/v1/evidence/" + ev.ID + "/content").Expect(404)
	env.As(analyst, "KENT-TS").Get("/api/v1/evidence/" + ev.ID).Expect(403)
	env.As(supervisor, "OPSS").Get("/api/v1/cases/" + cv.ID + "/findings").Expect(404)

	// Verification: intact, then a flipped byte, then a missing blob.
	var v struct {
		OK      bool `json:"ok"`
		Missing bool `json:"missing"`
	}
	off.Post("/api/v1/evidence/"+ev.ID+"/verify", nil).Expect(200).JSON(&v)
	if !v.OK {
		t.Fatal("fresh exhibit does not verify")
	}
	blob := findBlob(t, env.DataDir, ev.SHA256)
	tampered := append([]byte{}, nmapXML...)
	tampered[10] ^= 0x01
	if err := os.Chmod(blob, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blob, tampered, 0o600); err != nil {
		t.Fatal(err)
	}
	off.Post("/api/v1/evidence/"+ev.ID+"/verify", nil).Expect(200).JSON(&v)
	if v.OK {
		t.Fatal("a changed byte was not detected")
	}
	if err := os.Remove(blob); err != nil {
		t.Fatal(err)
	}
	off.Post("/api/v1/evidence/"+ev.ID+"/verify", nil).Expect(200).JSON(&v)
	if v.OK || !v.Missing {
		t.Fatalf("missing blob: %+v", v)
	}
	off.Get("/api/v1/evidence/" + ev.ID + "/custody").Expect(200).JSON(&custody)
	if last := custody.Items[len(custody.Items)-1]; last.Action != "verify_failed" {
		t.Fatalf("last custody action %s", last.Action)
	}
}

func findBlob(t *testing.T, dir, sha string) string {
	t.Helper()
	var found string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == sha {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("blob %s not found under %s", sha, dir)
	}
	return found
}

func countBlobs(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(d.Name()) == 64 && strings.Contains(p, "blobs") {
			n++
		}
		return nil
	})
	return n
}

func TestEvidenceReimportDedupes(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	scan1 := fixture(t, "nmap/testdata/camera.xml")
	ev1 := upload(t, off, cv.ID, "scan1.xml", "application/xml", scan1, 201)
	before := findings(t, off, cv.ID, "")
	var fp findingView
	for _, f := range before {
		if f.Kind == "open_port" && f.Service != "telnet" {
			fp = f
			break
		}
	}
	off.Patch("/api/v1/findings/"+fp.ID, map[string]any{"status": "false_positive"}).Expect(200)

	// The same scan again: nothing new, nothing resolved.
	ev2 := upload(t, off, cv.ID, "scan1-again.xml", "application/xml", scan1, 201)
	if ev2.Import.New != 0 || ev2.Import.Resolved != 0 || ev2.Import.Unchanged != ev1.Import.New || ev2.SHA256 != ev1.SHA256 {
		t.Fatalf("re-import of the same scan: %+v", ev2.Import)
	}
	if n := countBlobs(t, env.DataDir); n != 1 {
		t.Fatalf("identical bytes stored %d times", n)
	}

	// A later scan where telnet is closed: the telnet finding is resolved by it.
	scan2 := removePort(t, scan1, "23")
	ev3 := upload(t, off, cv.ID, "scan2.xml", "application/xml", scan2, 201)
	if ev3.Import.Resolved == 0 {
		t.Fatalf("closing telnet resolved nothing: %+v", ev3.Import)
	}
	after := findings(t, off, cv.ID, "")
	if len(after) != len(before) {
		t.Fatalf("re-import changed the number of findings: %d → %d", len(before), len(after))
	}
	resolved := 0
	for _, f := range after {
		if f.Status == "resolved" {
			resolved++
			if f.Port != 23 || f.ResolvedBy != ev3.ID {
				t.Fatalf("only the closed telnet port should be resolved, by the new exhibit: %+v", f)
			}
		}
		if f.ID == fp.ID && f.Status != "false_positive" {
			t.Fatalf("false positive became %s", f.Status)
		}
	}
	if resolved != 1 || ev3.Import.Resolved != 1 {
		t.Fatalf("resolved %d findings (import said %d), want 1", resolved, ev3.Import.Resolved)
	}
}

// removePort drops the open <port portid="N"> element from an nmap report.
func removePort(t *testing.T, xml []byte, port string) []byte {
	t.Helper()
	s := string(xml)
	start := strings.Index(s, `<port protocol="tcp" portid="`+port+`"><state state="open"`)
	if start < 0 {
		t.Fatalf("port %s not in fixture", port)
	}
	end := strings.Index(s[start:], "</port>")
	return []byte(s[:start] + s[start+end+len("</port>"):])
}

func TestEvidenceFormats(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	cases := []struct {
		file, ctype, format string
	}{
		{"nessus/testdata/camera-lab.nessus", "application/xml", "nessus"},
		{"gvm/testdata/gvm22-camera.xml", "application/xml", "gvm"},
		{"gvm/testdata/openvas9-report.xml", "", "gvm"},
		{"cyclonedx/testdata/ipc-firmware-1.4.json", "application/vnd.cyclonedx+json", "cyclonedx"},
		{"cyclonedx/testdata/nvr-1.5.xml", "application/xml", "cyclonedx"},
		{"cyclonedx/testdata/doorbell-1.6.json", "application/json", "cyclonedx"},
		{"testssl/testdata/camera-flat.json", "application/json", "testssl"},
		{"testssl/testdata/nvr-pretty.json", "application/json", "testssl"},
	}
	for _, tc := range cases {
		ev := upload(t, off, cv.ID, filepath.Base(tc.file), tc.ctype, fixture(t, tc.file), 201)
		if ev.Format != tc.format || ev.FindingsCount == 0 {
			t.Errorf("%s: format %q with %d findings", tc.file, ev.Format, ev.FindingsCount)
		}
	}
	var cve, tls bool
	for _, f := range findings(t, off, cv.ID, "") {
		cve = cve || slices.Contains(f.RequirementIDs, "5.3-8")
		tls = tls || slices.Contains(f.RequirementIDs, "5.5-1")
	}
	if !cve || !tls {
		t.Fatalf("vulnerable components (5.3-8: %v) and weak TLS (5.5-1: %v) should be cited", cve, tls)
	}
	// Other evidence is kept as a plain exhibit.
	ev := upload(t, off, cv.ID, "receipt.txt", "text/plain", []byte("Argos receipt 2026-11-20, £24.99, HS100"), 201)
	if ev.Format != "other" || ev.FindingsCount != 0 {
		t.Fatalf("plain exhibit: %+v", ev)
	}
}

func TestEvidenceHostileInput(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	hostile := []string{"billion-laughs.xml", "xxe-file-nmap.xml", "parameter-entity.xml", "xxe-file-nessus.nessus"}
	for _, name := range hostile {
		upload(t, off, cv.ID, name, "application/xml", fixture(t, "testdata/hostile/"+name), 422)
	}
	upload(t, off, cv.ID, "empty.xml", "application/xml", nil, 422)
	upload(t, off, cv.ID, "fake.pdf", "application/pdf", []byte("MZ\x90\x00 this is an executable"), 422)
	upload(t, off, cv.ID, "../../etc/passwd", "text/plain", []byte("root:x:0:0"), 422)
	upload(t, off, cv.ID, `evil\name.txt`, "text/plain", []byte("x"), 422)
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", uploadFields(), "", "", nil).Expect(422).Problem()
	f := uploadFields()
	f["power_used"] = "burglary"
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", f, "a.txt", "text/plain", []byte("x")).Expect(422)
	var list struct{ Items []exhibitView }
	off.Get("/api/v1/cases/" + cv.ID + "/evidence").Expect(200).JSON(&list)
	if len(list.Items) != 0 || countBlobs(t, env.DataDir) != 0 {
		t.Fatalf("rejected uploads left %d exhibits and %d blobs", len(list.Items), countBlobs(t, env.DataDir))
	}
	// A truncated report is refused with its parse error; nothing is stored.
	p := off.Upload("/api/v1/cases/"+cv.ID+"/evidence", uploadFields(), "truncated.xml", "application/xml",
		fixture(t, "testdata/hostile/truncated-nmap.xml")).Expect(422).Problem()
	if !p.HasField("file") || p.Extra["reason"] != "malformed_report" || p.Extra["format"] != "nmap" || !strings.Contains(fmt.Sprint(p.Errors), "as_plain=true") {
		t.Fatalf("truncated report: %+v", p)
	}
	off.Get("/api/v1/cases/" + cv.ID + "/evidence").Expect(200).JSON(&list)
	if len(list.Items) != 0 || countBlobs(t, env.DataDir) != 0 {
		t.Fatalf("a refused report left %d exhibits and %d blobs", len(list.Items), countBlobs(t, env.DataDir))
	}
	// Unless the officer marks it as a plain exhibit: stored, no findings.
	f = uploadFields()
	f["as_plain"] = "true"
	var ev exhibitView
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", f, "truncated.xml", "application/xml",
		fixture(t, "testdata/hostile/truncated-nmap.xml")).Expect(201).JSON(&ev)
	if ev.Format != "other" || ev.FindingsCount != 0 || !strings.Contains(ev.ParseWarning, "as_plain") {
		t.Fatalf("truncated report as plain: %+v", ev)
	}
	f["as_plain"] = "perhaps"
	if p := off.Upload("/api/v1/cases/"+cv.ID+"/evidence", f, "a.txt", "text/plain", []byte("x")).Expect(422).Problem(); !p.HasField("as_plain") {
		t.Fatalf("as_plain=perhaps: %+v", p)
	}
	// Uploads on other authorities' cases, and by analysts, are refused before any byte is kept.
	env.As(officer, "OPSS").Upload("/api/v1/cases/"+cv.ID+"/evidence", uploadFields(), "a.txt", "text/plain", []byte("x")).Expect(404)
	env.As(analyst, "KENT-TS").Upload("/api/v1/cases/"+cv.ID+"/evidence", uploadFields(), "a.txt", "text/plain", []byte("x")).Expect(403)
}

func TestEvidenceSupersedesAndTimeline(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	ev1 := upload(t, off, cv.ID, "photo-label.txt", "text/plain", []byte("label photo v1"), 201)
	f := uploadFields()
	f["supersedes"] = ev1.ID
	var ev2 exhibitView
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", f, "photo-label-corrected.txt", "text/plain", []byte("label photo v2")).Expect(201).JSON(&ev2)
	var old exhibitView
	off.Get("/api/v1/evidence/" + ev1.ID).Expect(200).JSON(&old)
	if old.SupersededBy != ev2.ID || ev2.ExhibitRef != cv.Reference+"/EX-002" {
		t.Fatalf("supersede: old %+v new %+v", old, ev2)
	}
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", f, "again.txt", "text/plain", []byte("v3")).Expect(409)
	var tl struct{ Items []struct{ Action string } }
	off.Get("/api/v1/cases/" + cv.ID + "/timeline").Expect(200).JSON(&tl)
	n := 0
	for _, it := range tl.Items {
		if it.Action == "evidence.add" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("timeline shows %d evidence additions, want 2", n)
	}
}
