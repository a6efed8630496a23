// Package detect recognises a scan report's format from its first bytes
// (never its file name, which uploads do not make trustworthy) and hands
// the whole stream to the matching parser.
package detect

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/burp"
	"github.com/tradewarden/tradewarden/pkg/scan/cyclonedx"
	"github.com/tradewarden/tradewarden/pkg/scan/depcheck"
	"github.com/tradewarden/tradewarden/pkg/scan/grype"
	"github.com/tradewarden/tradewarden/pkg/scan/gvm"
	"github.com/tradewarden/tradewarden/pkg/scan/gvmcsv"
	"github.com/tradewarden/tradewarden/pkg/scan/hydra"
	"github.com/tradewarden/tradewarden/pkg/scan/ncrack"
	"github.com/tradewarden/tradewarden/pkg/scan/nessus"
	"github.com/tradewarden/tradewarden/pkg/scan/nessuscsv"
	"github.com/tradewarden/tradewarden/pkg/scan/nmap"
	"github.com/tradewarden/tradewarden/pkg/scan/nuclei"
	"github.com/tradewarden/tradewarden/pkg/scan/openvex"
	"github.com/tradewarden/tradewarden/pkg/scan/osv"
	"github.com/tradewarden/tradewarden/pkg/scan/spdx"
	"github.com/tradewarden/tradewarden/pkg/scan/sshaudit"
	"github.com/tradewarden/tradewarden/pkg/scan/sslyze"
	"github.com/tradewarden/tradewarden/pkg/scan/testssl"
	"github.com/tradewarden/tradewarden/pkg/scan/testsslcsv"
	"github.com/tradewarden/tradewarden/pkg/scan/trivy"
	"github.com/tradewarden/tradewarden/pkg/scan/xmlstream"
	"github.com/tradewarden/tradewarden/pkg/scan/zap"
)

// HeadSize is how many leading bytes (after decompression and decoding)
// Parse and Stream read to detect the format.
const HeadSize = 8 << 10

// Detect names the format of a report from its first bytes (HeadSize is
// enough; a gzip-compressed or UTF-16 head is decoded first), or returns
// scan.FormatOther.
func Detect(head []byte) scan.Format {
	in, err := Open(bytes.NewReader(head), Options{})
	if err != nil {
		return scan.FormatOther
	}
	return in.Format
}

// Parse detects the format of r and parses it whole.
func Parse(r io.Reader) (scan.Report, error) { return scan.Collect(Stream, r) }

// Stream detects the format of r and streams it through the matching
// parser, with the default Options. Only the first HeadSize bytes are
// buffered for detection. Content that is recognisably some tool's output
// in a format we do not read, or that is not a report at all, is
// scan.ErrUnsupported; content whose prolog already shows an entity
// declaration is scan.ErrUnsafe.
func Stream(r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	return StreamOptions(r, Options{}, emit)
}

// StreamOptions is Stream with explicit limits.
func StreamOptions(r io.Reader, o Options, emit func(scan.Item) error) (scan.Report, error) {
	in, err := Open(r, o)
	if err != nil {
		return scan.Report{}, fmt.Errorf("detect: %w", err)
	}
	if err := in.Refusal(); err != nil {
		return scan.Report{}, fmt.Errorf("detect: %w", err)
	}
	return StreamAs(in.Format, in.R, emit)
}

// Refusal is the error for an Input no parser reads: empty, unsafe,
// recognisably unsupported or unrecognised. It is nil when Format names a
// parser.
func (in Input) Refusal() error {
	switch {
	case in.Format != scan.FormatOther:
		return nil
	case len(in.Head) == 0:
		return scan.Malformedf(scan.Position{}, "empty input")
	case in.Unsafe:
		return scan.Unsafef(scan.Position{}, "DTD internal subset with entity declarations not allowed")
	case in.Unsupported != nil:
		return in.Unsupported
	case in.Archive != "":
		return scan.Unsupportedf("looks like a %s archive: extract the report and upload it on its own (gzip-compressed reports are read)", in.Archive)
	}
	return scan.Unsupportedf("%s: not a report format TradeWarden reads (%s)", describeContent(in.Head), supportedList)
}

// StreamAs streams r through the parser for format f, for callers that
// already know the format.
func StreamAs(f scan.Format, r io.Reader, emit func(scan.Item) error) (scan.Report, error) {
	switch f {
	case scan.FormatNmap:
		return nmap.Stream(r, emit)
	case scan.FormatNessus:
		return nessus.Stream(r, emit)
	case scan.FormatGVM:
		return gvm.Stream(r, emit)
	case scan.FormatCycloneDX:
		return cyclonedx.Stream(r, emit)
	case scan.FormatTestSSL:
		return testssl.Stream(r, emit)
	case scan.FormatNcrack:
		return ncrack.Stream(r, emit)
	case scan.FormatHydra:
		return hydra.Stream(r, emit)
	case scan.FormatSSHAudit:
		return sshaudit.Stream(r, emit)
	case scan.FormatNessusCSV:
		return nessuscsv.Stream(r, emit)
	case scan.FormatTestSSLCSV:
		return testsslcsv.Stream(r, emit)
	case scan.FormatGVMCSV:
		return gvmcsv.Stream(r, emit)
	case scan.FormatNuclei:
		return nuclei.Stream(r, emit)
	case scan.FormatSSLyze:
		return sslyze.Stream(r, emit)
	case scan.FormatTrivy:
		return trivy.Stream(r, emit)
	case scan.FormatGrype:
		return grype.Stream(r, emit)
	case scan.FormatOSV:
		return osv.Stream(r, emit)
	case scan.FormatSPDX:
		return spdx.Stream(r, emit)
	case scan.FormatOpenVEX:
		return openvex.Stream(r, emit)
	case scan.FormatDependencyCheck:
		return depcheck.Stream(r, emit)
	case scan.FormatZAP:
		return zap.Stream(r, emit)
	case scan.FormatBurp:
		return burp.Stream(r, emit)
	}
	return scan.Report{}, fmt.Errorf("detect: %w", scan.Malformedf(scan.Position{}, "no parser for format %q", f))
}

// sniff returns the format and whether an XML prolog declares entities in a
// DTD internal subset (which every parser refuses).
func sniff(head []byte) (scan.Format, bool) {
	b := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(b) == 0 {
		return scan.FormatOther, false
	}
	switch b[0] {
	case '<':
		return sniffXML(b)
	case '{':
		switch {
		case jsonPair(b, "bomFormat", "CycloneDX"):
			return scan.FormatCycloneDX, false
		case jsonPair(b, "software", "Hydra") && bytes.Contains(b, []byte(`"generator"`)):
			return scan.FormatHydra, false
		case bytes.Contains(b, []byte(`"banner"`)) && bytes.Contains(b, []byte(`"SSH-`)) &&
			(bytes.Contains(b, []byte(`"kex"`)) || bytes.Contains(b, []byte(`"compression"`))):
			// ssh-audit -j: the server's banner and its algorithm lists.
			return scan.FormatSSHAudit, false
		case isNuclei(b):
			return scan.FormatNuclei, false
		case bytes.Contains(b, []byte(`"server_scan_results"`)) && (bytes.Contains(b, []byte(`"connectivity_status"`)) ||
			bytes.Contains(b, []byte(`"scan_commands"`)) || bytes.Contains(b, []byte(`"sslyze_version"`))):
			return scan.FormatSSLyze, false
		case isTrivy(b):
			return scan.FormatTrivy, false
		case isGrype(b):
			return scan.FormatGrype, false
		case jsonKeyNear(b, "@context") && bytes.Contains(b, []byte(`"https://openvex.dev/ns`)):
			return scan.FormatOpenVEX, false
		case jsonKeyNear(b, "reportSchema") && (jsonKeyNear(b, "scanInfo") || jsonKeyNear(b, "dependencies")):
			return scan.FormatDependencyCheck, false
		case jsonPair(b, "@programName", "ZAP"), jsonKeyNear(b, "@version") && jsonKeyNear(b, "@generated") && jsonKeyNear(b, "site"):
			return scan.FormatZAP, false
		case isOSV(b):
			return scan.FormatOSV, false
		case jsonKeyNear(b, "spdxVersion") && (bytes.Contains(b, []byte(`"SPDX-2.`)) || bytes.Contains(b, []byte(`"SPDXRef-DOCUMENT"`))):
			return scan.FormatSPDX, false
		case bytes.Contains(b, []byte(`"scanResult"`)),
			bytes.Contains(b, []byte(`"Invocation"`)) && bytes.Contains(b, []byte("testssl")):
			return scan.FormatTestSSL, false
		}
	case '[':
		if isNuclei(b) {
			return scan.FormatNuclei, false
		}
		// Trivy before 0.20: an array of {"Target", ..., "Vulnerabilities"}.
		if bytes.HasPrefix(bytes.TrimLeft(b[1:], " \t\r\n"), []byte(`{`)) && jsonKeyNear(b, "Target") &&
			(jsonKeyNear(b, "Vulnerabilities") || jsonKeyNear(b, "Type")) {
			return scan.FormatTrivy, false
		}
		// testssl.sh --json: an array of {"id", ..., "severity", "finding"}.
		obj := b[1:]
		if end := bytes.IndexByte(obj, '}'); end >= 0 {
			obj = obj[:end]
		}
		if bytes.Contains(obj, []byte(`"id"`)) && bytes.Contains(obj, []byte(`"severity"`)) && bytes.Contains(obj, []byte(`"finding"`)) {
			return scan.FormatTestSSL, false
		}
	default:
		if f := sniffCSV(b); f != scan.FormatOther {
			return f, false
		}
	}
	return scan.FormatOther, false
}

// isTrivy recognises a Trivy schema-2 report: SchemaVersion with
// ArtifactName, or Trivy's own version block.
func isTrivy(b []byte) bool {
	return jsonKeyNear(b, "SchemaVersion") && (jsonKeyNear(b, "ArtifactName") || jsonKeyNear(b, "Trivy") || jsonKeyNear(b, "Results"))
}

// isGrype recognises a Grype report: it opens with its matches, each a
// vulnerability with an artifact, or (when empty) names grype as its tool.
func isGrype(b []byte) bool {
	if !jsonKeyNear(b, "matches") {
		return false
	}
	return (jsonKeyNear(b, "vulnerability") && (jsonKeyNear(b, "matchDetails") || jsonKeyNear(b, "artifact") || jsonKeyNear(b, "relatedVulnerabilities"))) ||
		jsonPair(b, "name", "grype")
}

// isOSV recognises an OSV-Scanner report: results holding sources and
// packages, or an empty results list with OSV-Scanner's experimental_config.
func isOSV(b []byte) bool {
	return jsonKeyNear(b, "results") && !jsonKeyNear(b, "runs") &&
		((jsonKeyNear(b, "source") && jsonKeyNear(b, "packages")) || jsonKeyNear(b, "experimental_config"))
}

// jsonKeyNear reports whether "key" followed by a colon appears in b.
func jsonKeyNear(b []byte, key string) bool {
	k := []byte(`"` + key + `"`)
	for {
		i := bytes.Index(b, k)
		if i < 0 {
			return false
		}
		rest := bytes.TrimLeft(b[i+len(k):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			return true
		}
		b = b[i+len(k):]
	}
}

// jsonPair looks for "key" : "value" with any white space around the colon.
func jsonPair(b []byte, key, value string) bool {
	k := []byte(`"` + key + `"`)
	for {
		i := bytes.Index(b, k)
		if i < 0 {
			return false
		}
		rest := bytes.TrimLeft(b[i+len(k):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			rest = bytes.TrimLeft(rest[1:], " \t\r\n")
			if bytes.HasPrefix(rest, []byte(`"`+value+`"`)) {
				return true
			}
		}
		b = b[i+len(k):]
	}
}

// sniffXML skips the prolog (declaration, processing instructions,
// comments, DOCTYPE) and names the format by its root element.
func sniffXML(b []byte) (scan.Format, bool) {
	unsafe := false
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return scan.FormatOther, unsafe
			}
			b = b[i+2:]
			continue
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b[4:], []byte("-->"))
			if i < 0 {
				return scan.FormatOther, unsafe
			}
			b = b[4+i+3:]
			continue
		case bytes.HasPrefix(b, []byte("<!DOCTYPE")):
			end, entities := doctypeEnd(b)
			unsafe = unsafe || entities
			if end < 0 {
				return scan.FormatOther, unsafe
			}
			b = b[end:]
			continue
		case bytes.HasPrefix(b, []byte("<")):
		default:
			return scan.FormatOther, unsafe
		}
		break
	}
	name := b[1:]
	for i, c := range name {
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/' {
			name = name[:i]
			break
		}
	}
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	switch string(name) {
	case "nmaprun":
		return scan.FormatNmap, unsafe
	case "ncrackrun":
		return scan.FormatNcrack, unsafe
	case "NessusClientData_v2":
		return scan.FormatNessus, unsafe
	case "get_reports_response":
		return scan.FormatGVM, unsafe
	case "OWASPZAPReport":
		return scan.FormatZAP, unsafe
	case "issues":
		if bytes.Contains(b, []byte("burpVersion=")) {
			return scan.FormatBurp, unsafe
		}
	case "report":
		if bytes.Contains(b, []byte("<alertitem>")) && bytes.Contains(b, []byte("<pluginid>")) {
			// ZAP 1.x: a bare <report> of alert items.
			return scan.FormatZAP, unsafe
		}
		for _, hint := range []string{"format_id=", "<gmp>", "<omp>", "<scan_run_status>", "<results", "<nvt oid="} {
			if bytes.Contains(b, []byte(hint)) {
				return scan.FormatGVM, unsafe
			}
		}
	case "bom":
		if bytes.Contains(b, []byte("cyclonedx.org/schema/bom")) {
			return scan.FormatCycloneDX, unsafe
		}
	case "analysis":
		if bytes.Contains(b, []byte("jeremylong.github.io/DependencyCheck/dependency-check.")) {
			return scan.FormatDependencyCheck, unsafe
		}
	}
	return scan.FormatOther, unsafe
}

// doctypeEnd returns the offset just past a DOCTYPE declaration, or -1 if
// it does not end within b, and whether it has an unsafe internal subset
// (one declaring or referencing entities, or not complete within b).
func doctypeEnd(b []byte) (int, bool) {
	var q byte
	unsafe := false
	for i := len("<!DOCTYPE"); i < len(b); i++ {
		c := b[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '[':
			// Element and attribute-list declarations (Burp's DTD) are
			// safe; entity declarations and references are not.
			n, err := xmlstream.ScanSubset(b[i+1:])
			if err == nil {
				i += n
				continue
			}
			// Still find the root behind it, so the refusal names the
			// format; declarations may contain '>', the subset ends at "]".
			unsafe = true
			j := bytes.IndexByte(b[i:], ']')
			if j < 0 {
				return -1, true
			}
			i += j
		case c == '>':
			return i + 1, unsafe
		}
	}
	return -1, unsafe
}

// sniffCSV names a CSV export by its header line.
func sniffCSV(b []byte) scan.Format {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	h := string(bytes.ToLower(line))
	has := func(cols ...string) bool {
		for _, c := range cols {
			if !strings.Contains(h, c) {
				return false
			}
		}
		return true
	}
	switch {
	case has("plugin id", "host", "risk"), has("plugin", "plugin name", "ip address", "severity"),
		has("definition.id", "asset.", "severity"):
		return scan.FormatNessusCSV
	case has(`"id"`, `"fqdn/ip"`, `"severity"`, `"finding"`), has("id,fqdn/ip,port,severity,finding"):
		return scan.FormatTestSSLCSV
	case has("ip", "nvt name", "nvt oid"):
		return scan.FormatGVMCSV
	}
	return scan.FormatOther
}

// ReportFormat is the format of the Report that StreamAs(f) returns: a
// tool's CSV export reads into the tool's own format, so that the same
// rules apply and keys match the tool's native export.
func ReportFormat(f scan.Format) scan.Format {
	switch f {
	case scan.FormatNessusCSV:
		return scan.FormatNessus
	case scan.FormatGVMCSV:
		return scan.FormatGVM
	case scan.FormatTestSSLCSV:
		return scan.FormatTestSSL
	}
	return f
}

// isNuclei recognises a Nuclei result (the first object of -jsonl output
// or of a -json-export array): a template id and an info block.
func isNuclei(b []byte) bool {
	end := bytes.IndexByte(b, '\n')
	if end < 0 || b[0] == '[' {
		end = len(b)
	}
	first := b[:end]
	return (bytes.Contains(first, []byte(`"template-id"`)) || bytes.Contains(first, []byte(`"templateID"`))) &&
		bytes.Contains(first, []byte(`"info"`))
}
