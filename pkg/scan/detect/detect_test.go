package detect_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
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

var fixtures = []struct {
	path   string
	format scan.Format
	parse  func(r *bytes.Reader) (scan.Report, error)
}{
	{"../nmap/testdata/camera.xml", scan.FormatNmap, func(r *bytes.Reader) (scan.Report, error) { return nmap.Parse(r) }},
	{"../nessus/testdata/camera-lab.nessus", scan.FormatNessus, func(r *bytes.Reader) (scan.Report, error) { return nessus.Parse(r) }},
	{"../gvm/testdata/gvm22-camera.xml", scan.FormatGVM, func(r *bytes.Reader) (scan.Report, error) { return gvm.Parse(r) }},
	{"../gvm/testdata/openvas9-report.xml", scan.FormatGVM, func(r *bytes.Reader) (scan.Report, error) { return gvm.Parse(r) }},
	{"../cyclonedx/testdata/ipc-firmware-1.4.json", scan.FormatCycloneDX, func(r *bytes.Reader) (scan.Report, error) { return cyclonedx.Parse(r) }},
	{"../cyclonedx/testdata/nvr-1.5.xml", scan.FormatCycloneDX, func(r *bytes.Reader) (scan.Report, error) { return cyclonedx.Parse(r) }},
	{"../cyclonedx/testdata/doorbell-1.6.json", scan.FormatCycloneDX, func(r *bytes.Reader) (scan.Report, error) { return cyclonedx.Parse(r) }},
	{"../testssl/testdata/camera-flat.json", scan.FormatTestSSL, func(r *bytes.Reader) (scan.Report, error) { return testssl.Parse(r) }},
	{"../testssl/testdata/nvr-pretty.json", scan.FormatTestSSL, func(r *bytes.Reader) (scan.Report, error) { return testssl.Parse(r) }},
	{"../ncrack/testdata/lab-ssh-http.xml", scan.FormatNcrack, func(r *bytes.Reader) (scan.Report, error) { return ncrack.Parse(r) }},
	{"../hydra/testdata/lab-ssh.json", scan.FormatHydra, func(r *bytes.Reader) (scan.Report, error) { return hydra.Parse(r) }},
	{"../sshaudit/testdata/dropbear_2019.78_test1.json", scan.FormatSSHAudit, func(r *bytes.Reader) (scan.Report, error) { return sshaudit.Parse(r) }},
	{"../sshaudit/testdata/lab-ssh-audit-2.5.json", scan.FormatSSHAudit, func(r *bytes.Reader) (scan.Report, error) { return sshaudit.Parse(r) }},
	{"../nessuscsv/testdata/nessus_many_vuln2-all.csv", scan.FormatNessusCSV, func(r *bytes.Reader) (scan.Report, error) { return nessuscsv.Parse(r) }},
	{"../nessuscsv/testdata/nessus_many_vuln.csv", scan.FormatNessusCSV, func(r *bytes.Reader) (scan.Report, error) { return nessuscsv.Parse(r) }},
	{"../nessuscsv/testdata/nessus_new.csv", scan.FormatNessusCSV, func(r *bytes.Reader) (scan.Report, error) { return nessuscsv.Parse(r) }},
	{"../testsslcsv/testdata/lab-openssl-s_server.csv", scan.FormatTestSSLCSV, func(r *bytes.Reader) (scan.Report, error) { return testsslcsv.Parse(r) }},
	{"../testsslcsv/testdata/dd-demo.csv", scan.FormatTestSSLCSV, func(r *bytes.Reader) (scan.Report, error) { return testsslcsv.Parse(r) }},
	{"../gvmcsv/testdata/report_detail_v2.csv", scan.FormatGVMCSV, func(r *bytes.Reader) (scan.Report, error) { return gvmcsv.Parse(r) }},
	{"../gvmcsv/testdata/many_vuln.csv", scan.FormatGVMCSV, func(r *bytes.Reader) (scan.Report, error) { return gvmcsv.Parse(r) }},
	{"../nuclei/testdata/dd-many_findings_new.jsonl", scan.FormatNuclei, func(r *bytes.Reader) (scan.Report, error) { return nuclei.Parse(r) }},
	{"../nuclei/testdata/dd-many_findings.jsonl", scan.FormatNuclei, func(r *bytes.Reader) (scan.Report, error) { return nuclei.Parse(r) }},
	{"../nuclei/testdata/dd-multiple_v3.json", scan.FormatNuclei, func(r *bytes.Reader) (scan.Report, error) { return nuclei.Parse(r) }},
	{"../sslyze/testdata/dd-one_target_many_vuln_new.json", scan.FormatSSLyze, func(r *bytes.Reader) (scan.Report, error) { return sslyze.Parse(r) }},
	{"../sslyze/testdata/dd-one_target_many_vuln_old.json", scan.FormatSSLyze, func(r *bytes.Reader) (scan.Report, error) { return sslyze.Parse(r) }},
}

func TestDetectAndDispatch(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.path, func(t *testing.T) {
			raw, err := os.ReadFile(fx.path)
			if err != nil {
				t.Fatal(err)
			}
			head := raw[:min(len(raw), detect.HeadSize)]
			if got := detect.Detect(head); got != fx.format {
				t.Fatalf("Detect = %q, want %q", got, fx.format)
			}
			got, err := detect.Parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			want, err := fx.parse(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if !bytes.Equal(gj, wj) {
				t.Fatal("detect.Parse differs from the format's own Parse")
			}
		})
	}
}

func TestDetectVariants(t *testing.T) {
	tests := []struct {
		name string
		head string
		want scan.Format
	}{
		{"bom and blank lines", "\uFEFF\n\n<?xml version=\"1.0\"?>\n<nmaprun>", scan.FormatNmap},
		{"comment before root", "<!-- generated --><NessusClientData_v2>", scan.FormatNessus},
		{"doctype with subset", `<!DOCTYPE x [<!ENTITY a "b>">]><nmaprun>`, scan.FormatNmap},
		{"bare gvm report", `<report id="1" format_id="a994b278"><report id="1"><results>`, scan.FormatGVM},
		{"generic report root", `<report><title>Quarterly figures</title></report>`, scan.FormatOther},
		{"cyclonedx xml", `<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">`, scan.FormatCycloneDX},
		{"other bom", `<bom xmlns="urn:example:bill-of-materials">`, scan.FormatOther},
		{"cyclonedx json spaced", "{\n  \"$schema\": \"x\",\n  \"bomFormat\" :  \"CycloneDX\"", scan.FormatCycloneDX},
		{"spdx json", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT"}`, scan.FormatSPDX},
		{"testssl flat", "[\n  {\n    \"id\" : \"service\",\n    \"ip\" : \"a/1.2.3.4\", \"severity\": \"INFO\", \"finding\" : \"HTTP\"}", scan.FormatTestSSL},
		{"testssl pretty", "{\n \"Invocation\" : \"testssl.sh -p x\",\n \"at\" : \"h\"", scan.FormatTestSSL},
		{"json array of numbers", `[1,2,3]`, scan.FormatOther},
		{"grepable nmap", "# Nmap 7.94 scan initiated\nHost: 10.0.0.1 ()\tStatus: Up\n", scan.FormatOther},
		{"html", "<!DOCTYPE html><html><body>nmaprun</body></html>", scan.FormatOther},
		{"empty", "", scan.FormatOther},
		{"truncated prolog", "<?xml version=", scan.FormatOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detect.Detect([]byte(tt.head)); got != tt.want {
				t.Fatalf("Detect = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]struct {
		doc  string
		want error
	}{
		"empty":          {"", scan.ErrMalformed},
		"unknown":        {"Host: 10.0.0.1\tPorts: 22/open/tcp//ssh///", scan.ErrUnsupported},
		"unsafe other":   {`<!DOCTYPE lolz [<!ENTITY lol "lol">]><lolz>&lol;</lolz>`, scan.ErrUnsafe},
		"unsafe nmap":    {`<!DOCTYPE nmaprun [<!ENTITY lol "lol">]><nmaprun>&lol;</nmaprun>`, scan.ErrUnsafe},
		"truncated":      {`<nmaprun><host>`, scan.ErrMalformed},
		"json truncated": {`{"bomFormat":"CycloneDX","components":[`, scan.ErrMalformed},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := detect.Parse(strings.NewReader(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := detect.StreamAs(scan.FormatOther, strings.NewReader("x"), nil); !errors.Is(err, scan.ErrMalformed) {
		t.Fatalf("StreamAs other: %v", err)
	}
}

// Stream must not buffer the report: a reader that fails after the head
// shows the rest is read through the parser, not slurped up front.
func TestStreamReadsIncrementally(t *testing.T) {
	raw, err := os.ReadFile("../nmap/testdata/camera.xml")
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("connection reset")
	r := &failAfter{data: raw, n: len(raw) - 100, err: boom}
	items := 0
	_, err = detect.Stream(r, func(scan.Item) error { items++; return nil })
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the reader's error", err)
	}
	if errors.Is(err, scan.ErrMalformed) {
		t.Fatal("an I/O error was reported as a malformed report")
	}
	if items == 0 {
		t.Fatal("no items were streamed before the failure")
	}
}

type failAfter struct {
	data []byte
	n    int
	off  int
	err  error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.off >= f.n {
		return 0, f.err
	}
	k := copy(p, f.data[f.off:min(f.n, f.off+512)])
	f.off += k
	return k, nil
}
