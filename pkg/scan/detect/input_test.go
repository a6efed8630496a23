package detect_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/detect"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

func gz(t testing.TB, b []byte) []byte {
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

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A compressed report parses to exactly what the plain one does.
func TestGzipTransparent(t *testing.T) {
	for _, fx := range fixtures {
		raw := read(t, fx.path)
		want, err := detect.Parse(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		z := gz(t, raw)
		if got := detect.Detect(z[:min(len(z), detect.HeadSize)]); got != fx.format {
			t.Errorf("%s: Detect(gzip) = %q, want %q", fx.path, got, fx.format)
		}
		got, err := detect.Parse(bytes.NewReader(z))
		if err != nil {
			t.Fatalf("%s: %v", fx.path, err)
		}
		if len(got.Items) != len(want.Items) || !equalKeys(scantest.Keys(got), scantest.Keys(want)) {
			t.Errorf("%s: gzip parse gave %d items, plain %d", fx.path, len(got.Items), len(want.Items))
		}
	}
}

func equalKeys(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// zeroMembers is a gzip stream of n concatenated members, each expanding to
// 1 MiB of zeros: a decompression bomb that is cheap to build.
func zeroMembers(t testing.TB, n int) []byte {
	t.Helper()
	member := gz(t, make([]byte, 1<<20))
	return bytes.Repeat(member, n)
}

func TestGzipBombRefused(t *testing.T) {
	doc := append([]byte(`<?xml version="1.0"?><nmaprun><!--`), make([]byte, 0)...)
	head := gz(t, doc)
	bomb := append(head, zeroMembers(t, 8)...)
	_, err := detect.StreamOptions(bytes.NewReader(bomb), detect.Options{MaxDecompressed: 4 << 20}, func(scan.Item) error { return nil })
	if !errors.Is(err, scan.ErrUnsafe) || !strings.Contains(err.Error(), "decompression bomb") {
		t.Fatalf("got %v, want an unsafe decompression bomb", err)
	}
}

// The brief's case: a 10 MB file that expands past the default limit is
// refused without being held in memory.
func TestGzipBombDefaultLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("decompresses 512 MiB")
	}
	bomb := append(gz(t, []byte(`<nmaprun><!--`)), zeroMembers(t, 10<<20/1100)...)
	if len(bomb) < 9<<20 {
		t.Fatalf("bomb is only %d bytes", len(bomb))
	}
	_, err := detect.Parse(bytes.NewReader(bomb))
	if !errors.Is(err, scan.ErrUnsafe) {
		t.Fatalf("got %v, want ErrUnsafe", err)
	}
}

func TestArchivesRefused(t *testing.T) {
	nmapXML := read(t, "../nmap/testdata/camera.xml")
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	f, _ := zw.Create("camera.xml")
	_, _ = f.Write(nmapXML)
	_ = zw.Close()
	tests := map[string]struct {
		doc  []byte
		want error
		text string
	}{
		"gzip in gzip":  {gz(t, gz(t, nmapXML)), scan.ErrUnsafe, "nested"},
		"zip in gzip":   {gz(t, zbuf.Bytes()), scan.ErrUnsafe, "nested"},
		"zip":           {zbuf.Bytes(), scan.ErrUnsupported, "zip archive"},
		"truncated gz":  {gz(t, nmapXML)[:200], scan.ErrMalformed, "gzip"},
		"corrupt gz":    {append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, bytes.Repeat([]byte{0xff}, 64)...), scan.ErrMalformed, "gzip"},
		"bad gz header": {[]byte{0x1f, 0x8b, 1}, scan.ErrMalformed, "gzip"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := detect.Parse(bytes.NewReader(tt.doc))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("got %v, want %v mentioning %q", err, tt.want, tt.text)
			}
		})
	}
}

func TestEncodings(t *testing.T) {
	nmapXML := string(read(t, "../nmap/testdata/camera.xml"))
	want, err := detect.Parse(strings.NewReader(nmapXML))
	if err != nil {
		t.Fatal(err)
	}
	utf16 := func(e unicode.Endianness, s string) []byte {
		b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	declared := strings.Replace(nmapXML, `<?xml version="1.0"`, `<?xml version="1.0" encoding="UTF-16"`, 1)
	for name, doc := range map[string][]byte{
		"utf-16le bom":          utf16(unicode.LittleEndian, nmapXML),
		"utf-16be bom":          utf16(unicode.BigEndian, nmapXML),
		"utf-16le declared":     utf16(unicode.LittleEndian, declared),
		"gzip utf-16le":         gz(t, utf16(unicode.LittleEndian, nmapXML)),
		"comment before decl":   []byte("\n<!-- saved by lab -->\n" + nmapXML),
		"utf-8 bom and comment": []byte("\uFEFF<!-- x -->" + nmapXML),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := detect.Parse(bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if !equalKeys(scantest.Keys(got), scantest.Keys(want)) {
				t.Fatalf("%d items, want %d", len(got.Items), len(want.Items))
			}
		})
	}
}

// Latin-1 and Windows-1252 bytes are decoded, not replaced with U+FFFD.
func TestSingleByteEncodings(t *testing.T) {
	for _, tc := range []struct {
		label string
		enc   *charmap.Charmap
		text  string
	}{
		{"ISO-8859-1", charmap.ISO8859_1, "Caméra d’entrée"[:6] + " Müller"},
		{"windows-1252", charmap.Windows1252, "Caméra “Müller” – €"},
	} {
		t.Run(tc.label, func(t *testing.T) {
			doc := `<?xml version="1.0" encoding="` + tc.label + `"?><nmaprun scanner="nmap" args="nmap"><host><status state="up"/>` +
				`<address addr="10.0.0.9" addrtype="ipv4"/><ports><port protocol="tcp" portid="80"><state state="open"/>` +
				`<service name="http" product="` + tc.text + `"/></port></ports></host></nmaprun>`
			raw, err := tc.enc.NewEncoder().Bytes([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := detect.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Items) == 0 || rep.Items[0].Product != tc.text {
				t.Fatalf("items %+v, want product %q", rep.Items, tc.text)
			}
		})
	}
}

func TestUnsupportedSaysWhatToExport(t *testing.T) {
	tests := map[string]struct{ doc, text string }{
		"nmap -oN":     {"# Nmap 7.94 scan initiated Tue Nov 26 10:35:02 2024 as: nmap -sV 10.0.0.1\nNmap scan report for 10.0.0.1\nPORT   STATE SERVICE\n22/tcp open  ssh\n", "-oX"},
		"nmap -oG":     {"# Nmap 7.94 scan initiated Tue\nHost: 10.0.0.1 ()\tStatus: Up\n", "-oX"},
		"nessus html":  {"<html><head><title>Nessus Scan Report</title></head><body>", ".nessus"},
		"unknown json": {`{"hello":"world"}`, "not a report format"},
		"pdf":          {"%PDF-1.7\n", "PDF"},
		"hydra text":   {"Hydra v9.4 (c) 2022 by van Hauser\n[22][ssh] host: 127.0.0.1   login: root   password: toor\n", "-b json"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := detect.Parse(io.MultiReader(strings.NewReader(tt.doc)))
			if !errors.Is(err, scan.ErrUnsupported) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("got %v, want unsupported mentioning %q", err, tt.text)
			}
			if errors.Is(err, scan.ErrMalformed) {
				t.Fatal("unsupported is also malformed")
			}
		})
	}
}
