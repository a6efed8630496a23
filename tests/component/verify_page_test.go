package component_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// serveHTTP puts the API on a real loopback listener and returns its base URL.
func serveHTTP(t *testing.T, env *wiringtest.Env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := env.App.API.App()
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

type page struct {
	status int
	header http.Header
	body   string
}

func fetch(t *testing.T, req *http.Request) page {
	t.Helper()
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/html,application/xhtml+xml") // as a browser sends
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{res.StatusCode, res.Header, string(b)}
}

func getPage(t *testing.T, u string) page {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return fetch(t, req)
}

func uploadPage(t *testing.T, u, reference string, pdf []byte) page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("reference", reference)
	if pdf != nil {
		fw, _ := mw.CreateFormFile("file", "notice.pdf")
		_, _ = fw.Write(pdf)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return fetch(t, req)
}

// The public verification page, over real HTTP: no login, no script, the
// QR code's prefilled address answers at once, an upload checks the exact
// bytes, and only what the JSON endpoint reveals is shown.
func TestVerifyPage(t *testing.T) {
	env := wiringtest.New(t)
	s := setupNoticeCase(t, env)
	n := issueNotice(t, env, s.caseID, draftBody(s, "compliance"))
	pdf := env.As(officer, "KENT-TS").Get("/api/v1/notices/" + n.ID + "/pdf").Expect(200).Body
	base := serveHTTP(t, env) + "/verify"

	blank := getPage(t, base)
	if blank.status != 200 || !strings.Contains(blank.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(blank.body, `<form method="get" action="/verify"`) || !strings.Contains(blank.body, `enctype="multipart/form-data"`) {
		t.Fatalf("blank page: %d %s", blank.status, blank.body)
	}
	csp := blank.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "style-src 'sha256-") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP = %q", csp)
	}
	if strings.Contains(strings.ToLower(blank.body), "<script") {
		t.Error("the page carries a script")
	}

	// What the QR code opens: the page prefilled, answered at once.
	q := url.Values{"reference": {n.Reference}, "code": {n.VerificationCode}}
	ok := getPage(t, base+"?"+q.Encode())
	for _, want := range []string{"This is a genuine notice", n.Reference, "Compliance notice", "Kent County Council Trading Standards",
		"Brightwave Devices Ltd", "Issued"} {
		if ok.status != 200 || !strings.Contains(ok.body, want) {
			t.Errorf("genuine check lacks %q (%d)", want, ok.status)
		}
	}
	// Nothing beyond the JSON answer: no case, exhibit or hash.
	for _, secret := range []string{s.caseRef, s.caseID, n.SHA256, n.ID, s.exhibits[0].SHA256} {
		if strings.Contains(ok.body, secret) {
			t.Errorf("the page reveals %q", secret)
		}
	}
	q.Set("code", "0000000000000000")
	if bad := getPage(t, base+"?"+q.Encode()); bad.status != 200 || !strings.Contains(bad.body, "We could not confirm this notice") ||
		strings.Contains(bad.body, "Brightwave") {
		t.Errorf("wrong code: %d", bad.status)
	}

	// Hostile input is escaped and answered, never a 500.
	q = url.Values{"reference": {`<script>alert("x")</script>`}, "code": {`"><img src=x onerror=alert(1)>`}}
	hostile := getPage(t, base+"?"+q.Encode())
	if hostile.status != 200 || strings.Contains(hostile.body, "<script>alert") || strings.Contains(hostile.body, "<img src=x") {
		t.Errorf("hostile input: %d", hostile.status)
	}
	// A missing field is named.
	missing := getPage(t, base+"?reference="+n.Reference+"&code=")
	if missing.status != 422 || !strings.Contains(missing.body, `href="#code"`) || !strings.Contains(missing.body, "Enter the verification code") {
		t.Errorf("missing code: %d", missing.status)
	}

	// The PDF itself: exact bytes verify, one changed byte does not.
	if up := uploadPage(t, base, n.Reference, pdf); up.status != 200 || !strings.Contains(up.body, "This is a genuine notice") ||
		!strings.Contains(up.body, "has not been altered") {
		t.Errorf("upload of the issued PDF: %d", up.status)
	}
	changed := append([]byte{}, pdf...)
	changed[len(changed)/2] ^= 1
	if up := uploadPage(t, base, n.Reference, changed); up.status != 200 || !strings.Contains(up.body, "We could not confirm this notice") {
		t.Errorf("upload of an altered PDF: %d", up.status)
	}
	if up := uploadPage(t, base, n.Reference, nil); up.status != 422 || !strings.Contains(up.body, `href="#file"`) {
		t.Errorf("upload without a file: %d", up.status)
	}
	if up := uploadPage(t, base, "", pdf); up.status != 422 || !strings.Contains(up.body, `href="#file_reference"`) {
		t.Errorf("upload without a reference: %d", up.status)
	}
	req, _ := http.NewRequest(http.MethodPost, base, strings.NewReader("reference=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := fetch(t, req); r.status != 415 || !strings.Contains(r.body, "There is a problem") {
		t.Errorf("form without a file: %d", r.status)
	}
	// A client that does not read HTML gets bad input as problem+json, naming the field.
	req, _ = http.NewRequest(http.MethodGet, base+"?reference="+n.Reference+"&code=", nil)
	req.Header.Set("Accept", "application/json")
	if r := fetch(t, req); r.status != 422 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") ||
		!strings.Contains(r.body, `"field":"code"`) {
		t.Errorf("problem for a JSON client: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
}

// The page and the JSON endpoint share one budget per address.
func TestVerifyPageSharesTheRateLimit(t *testing.T) {
	env := wiringtest.New(t, func(c *wiring.Config) { c.VerifyPerMin = 3 })
	base := serveHTTP(t, env)
	for i := range 3 {
		u := base + "/verify?reference=X&code=Y"
		if i == 1 {
			u = base + "/api/v1/notices/verify?reference=X&code=Y"
		}
		if p := getPage(t, u); p.status != 200 {
			t.Fatalf("check %d: %d", i+1, p.status)
		}
	}
	if p := getPage(t, base+"/verify?reference=X&code=Y"); p.status != 429 {
		t.Fatalf("fourth check: %d, want 429", p.status)
	}
}
