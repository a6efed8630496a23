package detect

import (
	"bytes"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// supportedList names what we read, for refusals.
const supportedList = "send nmap XML (-oX), Nessus .nessus or CSV, Greenbone/OpenVAS XML or CSV, CycloneDX JSON or XML, " +
	"testssl.sh JSON or CSV, sslyze JSON, ssh-audit JSON, Nuclei JSONL, Ncrack XML or Hydra JSON, gzip-compressed or not"

// signature recognises one tool's output that no parser reads, and says
// what to export instead.
type signature struct {
	looks string
	hint  string
	match func(head, lower []byte) bool
}

func has(s string) func(head, lower []byte) bool {
	return func(_, lower []byte) bool { return bytes.Contains(lower, []byte(s)) }
}

func all(ms ...func(head, lower []byte) bool) func(head, lower []byte) bool {
	return func(head, lower []byte) bool {
		for _, m := range ms {
			if !m(head, lower) {
				return false
			}
		}
		return true
	}
}

func prefix(s string) func(head, lower []byte) bool {
	return func(_, lower []byte) bool {
		return bytes.HasPrefix(bytes.TrimLeft(lower, " \t\r\n"), []byte(s))
	}
}

// signatures are checked in order; more specific ones come first. Each is
// matched on the lower-cased head, so a match is a strong hint rather than
// proof, which is why the refusal says "looks like".
var signatures = []signature{
	{"nmap grepable output (-oG)", "run nmap with -oX FILE (or -oA, and upload the .xml)",
		all(has("# nmap "), has("\nhost: "))},
	{"nmap normal output (-oN)", "run nmap with -oX FILE (or -oA, and upload the .xml)",
		func(_, l []byte) bool {
			return bytes.Contains(l, []byte("nmap scan report for")) || bytes.Contains(l, []byte("# nmap ")) && bytes.Contains(l, []byte("scan initiated"))
		}},
	{"an nmap HTML or XSL-rendered report", "upload the nmap XML (-oX) the page was rendered from",
		all(prefix("<!doctype html"), has("nmap"))},
	{"a Nessus HTML report", "export the scan as Nessus (.nessus) from the Nessus or Tenable console",
		all(has("<html"), has("nessus"))},
	{"a Nessus v1 XML report", "export the scan as Nessus (.nessus, version 2)",
		has("<nessusclientdata>")},
	{"a Greenbone/OpenVAS HTML or text report", "download the report with the XML report format",
		func(_, l []byte) bool {
			gb := bytes.Contains(l, []byte("greenbone")) || bytes.Contains(l, []byte("openvas"))
			return gb && (bytes.Contains(l, []byte("<html")) || bytes.Contains(l, []byte("results of an automatic security scan")))
		}},
	{"testssl.sh text or HTML output", "run testssl.sh with --jsonfile FILE (or --jsonfile-pretty)",
		all(has("testssl.sh"), has("https://testssl.sh"))},
	{"Nuclei text output", "run nuclei with -jsonl -o FILE",
		func(_, l []byte) bool {
			return bytes.Contains(l, []byte("] [http] [")) || bytes.Contains(l, []byte("] [network] [")) || bytes.Contains(l, []byte("] [tcp] ["))
		}},
	{"sslyze text output", "run sslyze with --json_out FILE",
		all(has("sslyze"), has("scan results for"))},
	{"Ncrack normal output", "run ncrack with -oX FILE",
		has("discovered credentials for")},
	{"Hydra text output", "run hydra with -b json -o FILE",
		func(_, l []byte) bool {
			return bytes.Contains(l, []byte("] host: ")) && bytes.Contains(l, []byte("login: ")) && bytes.Contains(l, []byte("password: "))
		}},
	{"ssh-audit text output", "run ssh-audit with -j (JSON) and upload its output",
		all(has("# general"), has("(gen) banner"))},
	{"Nikto output", "Nikto reports are not read; upload them as plain exhibits (as_plain=true)",
		func(_, l []byte) bool {
			return bytes.Contains(l, []byte("<niktoscan")) || bytes.Contains(l, []byte("- nikto v"))
		}},
}

// unsupported returns an ErrUnsupported error when head is recognisably a
// tool's output we do not read, and nil otherwise.
func unsupported(head []byte) error {
	lower := bytes.ToLower(head)
	for _, s := range signatures {
		if s.match(head, lower) {
			return scan.Unsupportedf("looks like %s, which TradeWarden does not read: %s", s.looks, s.hint)
		}
	}
	return nil
}

// describeContent says in a few words what unrecognised content is.
func describeContent(head []byte) string {
	b := bytes.TrimLeft(head, " \t\r\n")
	switch {
	case len(b) == 0:
		return "the file is blank"
	case b[0] == '<':
		return "an XML or HTML document not from a scanner we read"
	case b[0] == '{' || b[0] == '[':
		return "a JSON document not from a scanner we read"
	case bytes.HasPrefix(b, []byte("%PDF")):
		return "a PDF document"
	case bytes.IndexByte(b, 0) >= 0:
		return "binary content"
	}
	return "text not from a scanner we read"
}
