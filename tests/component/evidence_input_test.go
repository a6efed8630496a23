package component_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Reports arrive compressed and in the encodings Windows tools write; they
// parse to the same findings as the plain UTF-8 file.
func TestEvidenceReadsCompressedAndEncodedReports(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	nessus := fixture(t, "nessus/testdata/camera-lab.nessus")
	plain := upload(t, off, cv.ID, "camera-lab.nessus", "application/xml", nessus, 201)
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(nessus)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		ctype string
		body  []byte
	}{
		"camera-lab.nessus.gz":       {"application/gzip", gzipped(t, nessus)},
		"camera-lab-utf16.nessus":    {"", utf16},
		"camera-lab-utf16.nessus.gz": {"application/gzip", gzipped(t, utf16)},
		"camera-lab-comment.nessus":  {"application/xml", append([]byte("<!-- exported 2026-11-20 -->\n"), nessus...)},
	} {
		ev := upload(t, off, cv.ID, name, tc.ctype, tc.body, 201)
		if ev.Format != "nessus" || ev.FindingsCount != plain.FindingsCount {
			t.Errorf("%s: format %q, %d findings; plain file gave %d", name, ev.Format, ev.FindingsCount, plain.FindingsCount)
		}
	}
	latin1 := `<?xml version="1.0" encoding="ISO-8859-1"?><nmaprun scanner="nmap" args="nmap -sV 10.0.0.9"><host><status state="up"/>` +
		`<address addr="10.0.0.9" addrtype="ipv4"/><ports><port protocol="tcp" portid="80"><state state="open"/>` +
		`<service name="http" product="Caméra Müller httpd"/></port></ports></host></nmaprun>`
	raw, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(latin1))
	if err != nil {
		t.Fatal(err)
	}
	ev := upload(t, off, cv.ID, "latin1.xml", "application/xml", raw, 201)
	if ev.Format != "nmap" || ev.FindingsCount == 0 {
		t.Fatalf("latin-1 nmap: %+v", ev)
	}
	if body := off.Get("/api/v1/cases/" + cv.ID + "/findings?limit=500").Expect(200).String(); !strings.Contains(body, "Caméra Müller") {
		t.Error("the Latin-1 product name did not come through as UTF-8")
	}
}

// Hostile archives and unsupported exports are refused with a reason naming
// the file field, and leave nothing behind; as_plain keeps an unsupported
// export unparsed.
func TestEvidenceRefusesBombsNestingAndUnsupported(t *testing.T) {
	env := wiringtest.New(t, func(c *wiring.Config) { c.UploadLimit = 16 << 20 })
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	member := gzipped(t, make([]byte, 1<<20))
	bomb := append(gzipped(t, []byte(`<?xml version="1.0"?><nmaprun><!--`)), bytes.Repeat(member, 10<<20/len(member))...)
	nmapXML := fixture(t, "nmap/testdata/camera.xml")
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	zf, _ := zw.Create("camera.xml")
	_, _ = zf.Write(nmapXML)
	_ = zw.Close()
	oN := []byte("# Nmap 7.94 scan initiated Tue Nov 26 10:35:02 2024 as: nmap -sV 192.168.50.7\nNmap scan report for 192.168.50.7\nPORT   STATE SERVICE VERSION\n23/tcp open  telnet  BusyBox telnetd\n")
	for _, tc := range []struct {
		name, ctype string
		body        []byte
		reason      string
		says        string
	}{
		{"bomb.xml.gz", "application/gzip", bomb, "unsafe_report", "decompression bomb"},
		{"double.xml.gz.gz", "application/gzip", gzipped(t, gzipped(t, nmapXML)), "unsafe_report", "nested"},
		{"zipped.xml.gz", "application/gzip", gzipped(t, zbuf.Bytes()), "unsafe_report", "nested"},
		{"truncated.xml.gz", "application/gzip", gzipped(t, nmapXML)[:300], "malformed_report", "gzip"},
		{"camera.nmap", "text/plain", oN, "unsupported_format", "-oX"},
		{"camera.gnmap", "text/plain", fixture(t, "testdata/hostile/wrong-format-grepable.gnmap"), "unsupported_format", "-oX"},
	} {
		p := off.Upload("/api/v1/cases/"+cv.ID+"/evidence", uploadFields(), tc.name, tc.ctype, tc.body).Expect(422).Problem()
		msg := ""
		for _, e := range p.Errors {
			msg += e.Message
		}
		if !p.HasField("file") || p.Extra["reason"] != tc.reason || !strings.Contains(msg, tc.says) {
			t.Errorf("%s: got %+v, want reason %s saying %q", tc.name, p, tc.reason, tc.says)
		}
	}
	if n := len(findings(t, off, cv.ID, "")); n != 0 || countBlobs(t, env.DataDir) != 0 {
		t.Fatalf("refused uploads left %d findings and %d blobs", n, countBlobs(t, env.DataDir))
	}
	f := uploadFields()
	f["as_plain"] = "true"
	var ev exhibitView
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", f, "camera.nmap", "text/plain", oN).Expect(201).JSON(&ev)
	if ev.Format != "other" || ev.FindingsCount != 0 || ev.ParseWarning == "" {
		t.Fatalf("-oN as plain: %+v", ev)
	}
	// A zip archive is not a report and not nested compression: a plain
	// exhibit, as before.
	ev = upload(t, off, cv.ID, "photos.zip", "application/zip", zbuf.Bytes(), 201)
	if ev.Format != "other" || ev.FindingsCount != 0 {
		t.Fatalf("zip: %+v", ev)
	}
}

// Every format the lab sends is recognised from its content on upload and
// stored under its format with its findings; CSV exports are stored under
// their tool's own format.
func TestEvidenceReadsLabFormats(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	for _, tc := range []struct{ file, ctype, format string }{
		{"ncrack/testdata/lab-ssh-http.xml", "application/xml", "ncrack"},
		{"hydra/testdata/lab-ssh.json", "application/json", "hydra"},
		{"sshaudit/testdata/dropbear_2019.78_test1.json", "application/json", "ssh-audit"},
		{"sslyze/testdata/dd-one_target_many_vuln_old.json", "application/json", "sslyze"},
		{"nuclei/testdata/dd-many_findings_new.jsonl", "", "nuclei"},
		{"nessuscsv/testdata/nessus_many_vuln2-all.csv", "text/csv", "nessus"},
		{"gvmcsv/testdata/report_detail_v2.csv", "text/csv", "gvm"},
		{"testsslcsv/testdata/lab-openssl-s_server.csv", "text/csv", "testssl"},
	} {
		ev := upload(t, off, cv.ID, filepath.Base(tc.file), tc.ctype, fixture(t, tc.file), 201)
		if ev.Format != tc.format || ev.FindingsCount == 0 {
			t.Errorf("%s: format %q with %d findings, want %s", tc.file, ev.Format, ev.FindingsCount, tc.format)
		}
	}
	// The cracked logins are findings of kind credential, carrying the
	// login that worked in their evidence text.
	body := off.Get("/api/v1/cases/" + cv.ID + "/findings?limit=500").Expect(200).String()
	if !strings.Contains(body, `"kind":"credential"`) || !strings.Contains(body, "'admin' '12345'") {
		t.Error("Ncrack's admin:12345 is not among the findings")
	}
}
