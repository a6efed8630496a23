package scan_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/cyclonedx"
	"github.com/tradewarden/tradewarden/pkg/scan/detect"
	"github.com/tradewarden/tradewarden/pkg/scan/gvm"
	"github.com/tradewarden/tradewarden/pkg/scan/gvmcsv"
	"github.com/tradewarden/tradewarden/pkg/scan/hydra"
	"github.com/tradewarden/tradewarden/pkg/scan/ncrack"
	"github.com/tradewarden/tradewarden/pkg/scan/nessus"
	"github.com/tradewarden/tradewarden/pkg/scan/nessuscsv"
	"github.com/tradewarden/tradewarden/pkg/scan/nmap"
	"github.com/tradewarden/tradewarden/pkg/scan/nuclei"
	"github.com/tradewarden/tradewarden/pkg/scan/sshaudit"
	"github.com/tradewarden/tradewarden/pkg/scan/sslyze"
	"github.com/tradewarden/tradewarden/pkg/scan/testssl"
	"github.com/tradewarden/tradewarden/pkg/scan/testsslcsv"
)

var parsers = map[string]func(io.Reader) (scan.Report, error){
	"detect":      detect.Parse,
	"nmap":        nmap.Parse,
	"nessus":      nessus.Parse,
	"gvm":         gvm.Parse,
	"cyclonedx":   cyclonedx.Parse,
	"testssl":     testssl.Parse,
	"ncrack":      ncrack.Parse,
	"hydra":       hydra.Parse,
	"ssh-audit":   sshaudit.Parse,
	"nessuscsv":   nessuscsv.Parse,
	"testssl-csv": testsslcsv.Parse,
	"gvm-csv":     gvmcsv.Parse,
	"nuclei":      nuclei.Parse,
	"sslyze":      sslyze.Parse,
}

// hostile lists what detect.Parse must do with each file of
// testdata/hostile: refuse as unsafe, refuse as malformed, or parse
// (legitimate input that only looks odd). Every parser, not only the
// detected one, must fail cleanly or parse on every file.
var hostile = map[string]error{
	"billion-laughs.xml":            scan.ErrUnsafe,
	"billion-laughs-gvm.xml":        scan.ErrUnsafe,
	"xxe-file-nmap.xml":             scan.ErrUnsafe,
	"xxe-file-nessus.nessus":        scan.ErrUnsafe,
	"xxe-canary-cyclonedx.xml":      scan.ErrUnsafe,
	"external-dtd-canary.xml":       scan.ErrUnsafe, // &canary; is never looked up
	"external-dtd-unused.xml":       nil,            // the DTD is named, never fetched
	"parameter-entity.xml":          scan.ErrUnsafe,
	"undeclared-entity.nessus":      scan.ErrUnsafe,
	"deep-nesting.xml":              scan.ErrUnsafe,
	"deep-nesting.json":             scan.ErrUnsafe,
	"deep-nesting-testssl.json":     scan.ErrUnsafe,
	"truncated-nmap.xml":            scan.ErrMalformed,
	"truncated-nessus.nessus":       scan.ErrMalformed,
	"truncated-cyclonedx.json":      scan.ErrMalformed,
	"empty.bin":                     scan.ErrMalformed,
	"nul-bytes.bin":                 scan.ErrUnsupported,
	"utf16le-bom.xml":               nil, // decoded to UTF-8 first
	"utf8-bom-declared-utf16.xml":   scan.ErrMalformed,
	"invalid-utf8.xml":              nil, // bad bytes replaced with U+FFFD, with a warning
	"invalid-utf8.json":             nil,
	"unterminated-cdata.xml":        scan.ErrMalformed,
	"unterminated-comment.xml":      scan.ErrMalformed,
	"mismatched-tags.xml":           scan.ErrMalformed,
	"two-roots.xml":                 scan.ErrMalformed,
	"json-trailing-garbage.json":    scan.ErrMalformed,
	"json-top-level-string.json":    scan.ErrUnsupported,
	"wrong-format-grepable.gnmap":   scan.ErrUnsupported,
	"wrong-format-html.html":        scan.ErrUnsupported,
	"wrong-format-nmap-normal.nmap": scan.ErrUnsupported,
	"nested-gzip.xml.gz.gz":         scan.ErrUnsafe,
	"zip-in-gzip.zip.gz":            scan.ErrUnsafe,
	"truncated-gzip.xml.gz":         scan.ErrMalformed,
	"utf16be-bom-nmap.xml":          nil, // decoded to UTF-8 first
	"windows-1252-declared.xml":     nil, // transcoded, not replaced with U+FFFD
	"dtd-elements-only.xml":         nil, // a comment before the declaration, a DTD without entities
	"entity-after-elements.xml":     scan.ErrUnsafe,
	"wrong-format-sarif.json":       scan.ErrUnsupported,
}

// Files the hostile inputs point at; a parser that read them would leak
// their canary text into the report.
var canaryFiles = map[string]bool{"canary.txt": true, "canary.dtd": true}

func TestHostileCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/hostile/*")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, path := range files {
		name := filepath.Base(path)
		if canaryFiles[name] {
			continue
		}
		want, listed := hostile[name]
		if !listed {
			t.Errorf("%s has no expectation in the hostile table", name)
			continue
		}
		seen++
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			for pname, parse := range parsers {
				rep, err := parse(bytes.NewReader(raw))
				if err != nil && !errors.Is(err, scan.ErrMalformed) && !errors.Is(err, scan.ErrUnsafe) && !errors.Is(err, scan.ErrUnsupported) {
					t.Errorf("%s: unclassified error %v", pname, err)
				}
				if err == nil {
					out, _ := json.Marshal(rep)
					if bytes.Contains(out, []byte("TW-CANARY")) {
						t.Fatalf("%s read a file named in the document", pname)
					}
				}
				if pname != "detect" {
					continue
				}
				switch {
				case want == nil && err != nil:
					t.Errorf("detect: want a clean parse, got %v", err)
				case want != nil && !errors.Is(err, want):
					t.Errorf("detect: got %v, want %v", err, want)
				}
			}
		})
	}
	if seen != len(hostile) {
		t.Errorf("hostile table lists %d files, directory has %d", len(hostile), seen)
	}
}

func TestHostileInvalidUTF8IsReported(t *testing.T) {
	raw, err := os.ReadFile("testdata/hostile/invalid-utf8.xml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := nmap.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "replaced with U+FFFD") {
		t.Fatalf("warnings: %q", rep.Warnings)
	}
	if rep.Items[0].Product != "Caf\uFFFD telnetd \uFFFD(" {
		t.Fatalf("product %q", rep.Items[0].Product)
	}
}

// The large cases are generated rather than committed: 20 MB on one line.
func TestHostileLargeInputs(t *testing.T) {
	const big = 20 << 20
	var hosts strings.Builder
	hostsCount := 0
	for hosts.Len() < big {
		hosts.WriteString(`<host><status state="up"/><address addr="10.1.2.3" addrtype="ipv4"/><ports><port protocol="tcp" portid="`)
		hosts.WriteString(strings.Repeat("1", 1+hostsCount%4))
		hosts.WriteString(`"><state state="open"/><service name="http" product="lighttpd"/><script id="http-title" output="Login &amp; status"/></port></ports></host>`)
		hostsCount++
	}
	tests := []struct {
		name  string
		doc   func() string
		want  error
		items int
	}{
		{"nmap 20 MB attribute", func() string {
			return `<nmaprun args="` + strings.Repeat("A", big) + `"/>`
		}, scan.ErrUnsafe, 0},
		{"nessus 20 MB text node", func() string {
			return `<NessusClientData_v2><Report><ReportHost name="a"><ReportItem pluginID="1"><plugin_output>` +
				strings.Repeat("B", big) + `</plugin_output></ReportItem></ReportHost></Report></NessusClientData_v2>`
		}, scan.ErrUnsafe, 0},
		{"testssl 20 MB JSON string", func() string {
			return `[{"id":"x","severity":"HIGH","finding":"` + strings.Repeat("C", big) + `"}]`
		}, scan.ErrUnsafe, 0},
		{"cyclonedx 20 MB JSON string", func() string {
			return `{"bomFormat":"CycloneDX","components":[{"name":"` + strings.Repeat("D", big) + `"}]}`
		}, scan.ErrUnsafe, 0},
		{"nmap 20 MB on one line, legitimate", func() string {
			return `<nmaprun scanner="nmap">` + hosts.String() + `</nmaprun>`
		}, nil, 2 * hostsCount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := detect.Parse(strings.NewReader(tt.doc()))
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Items) != tt.items {
				t.Fatalf("got %d items, want %d", len(rep.Items), tt.items)
			}
		})
	}
}
