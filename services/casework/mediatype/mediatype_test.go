package mediatype_test

import (
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/mediatype"
)

func TestSniff(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
	pdf := "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
	cases := []struct {
		name, head, declared string
		ok                   bool
	}{
		{"png as png", png, "image/png", true},
		{"png as jpeg", png, "image/jpeg", false},
		{"pdf as pdf", pdf, "application/pdf", true},
		{"pdf declared as png", pdf, "image/png", false},
		{"text declared as pdf", "hello world", "application/pdf", false},
		{"xml as xml", `<?xml version="1.0"?><nmaprun scanner="nmap">`, "application/xml", true},
		{"xml as text/xml", `<?xml version="1.0"?><nmaprun scanner="nmap">`, "text/xml", true},
		{"cut-off json as json", `{"bomFormat":"CycloneDX","components":[{"name":"openssl","ver`, "application/json", true},
		{"cyclonedx vendor type", `{"bomFormat":"CycloneDX"}`, "application/vnd.cyclonedx+json", true},
		{"json as text", `{"a":1}`, "text/plain", true},
		{"anything as octet-stream", png, "application/octet-stream", true},
		{"nothing declared", png, "", true},
		{"garbage declared type", png, "not a media type;;", false},
		{"charset ignored", "plain text", "text/plain; charset=utf-8", true},
		{"png declared as json", png, "application/json", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := mediatype.Sniff([]byte(tc.head), tc.declared)
			if ok != tc.ok {
				t.Fatalf("Sniff(%q) detected %s, compatible=%v, want %v", tc.declared, got, ok, tc.ok)
			}
			if strings.Contains(got, ";") {
				t.Fatalf("detected type %q should have no parameters", got)
			}
		})
	}
}
