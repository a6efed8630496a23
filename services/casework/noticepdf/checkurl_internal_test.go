package noticepdf

import (
	"net/url"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// The QR code opens the public page with the reference and code filled in,
// at the configured absolute address.
func TestCheckURLIsThePrefilledVerifyPage(t *testing.T) {
	r := New(WithBaseURL("https://tw.example.gov.uk/base/"))
	n := &notice{verifyURL: r.VerifyURL(), d: notices.Document{Notice: notices.Notice{Reference: "KENT-TS-CN-2026-0001", Verification: "0123456789abcdef"}}}
	u, err := url.Parse(n.checkURL())
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "https" || u.Host != "tw.example.gov.uk" || u.Path != "/base/verify" ||
		u.Query().Get("reference") != "KENT-TS-CN-2026-0001" || u.Query().Get("code") != "0123456789abcdef" {
		t.Errorf("check URL = %s", u)
	}
	if New().VerifyURL() != "http://127.0.0.1:8080/verify" {
		t.Errorf("default verify URL = %s", New().VerifyURL())
	}
}
