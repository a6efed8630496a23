package console_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// browser is a cookie-keeping client of the console, driven in-process
// through the same listener handler the server uses.
type browser struct {
	t       *testing.T
	env     *wiringtest.Env
	cookies map[string]string
	csrf    string
	ip      string
}

type page struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func newBrowser(t *testing.T, env *wiringtest.Env) *browser {
	return &browser{t: t, env: env, cookies: map[string]string{}}
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([0-9a-f]+)"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if b.ip != "" {
		req.Header.Set("X-Forwarded-For", b.ip)
	}
	res, err := b.env.App.API.App().Test(req, -1)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	p := page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(body), Header: res.Header}
	if m := csrfPattern.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	if p.Status >= 500 {
		b.t.Fatalf("%s %s: %d\n%s", req.Method, req.URL, p.Status, p.Body)
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	return b.do(req)
}

// follow GETs a page and any redirects after it.
func (b *browser) follow(p page) page {
	b.t.Helper()
	for i := 0; i < 5 && p.Status >= 300 && p.Status < 400; i++ {
		u, _ := url.Parse(p.Location)
		p = b.get(u.RequestURI())
	}
	return p
}

// post submits a form with the page's CSRF token (unless the fields name one).
func (b *browser) post(path string, fields url.Values) page {
	b.t.Helper()
	if fields == nil {
		fields = url.Values{}
	}
	if _, ok := fields["csrf_token"]; !ok {
		fields.Set("csrf_token", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) upload(path string, fields map[string]string, filename string, content []byte) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", b.csrf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func (b *browser) signIn(email string) page {
	b.t.Helper()
	b.get("/sign-in")
	p := b.post("/sign-in", url.Values{"email": {email}, "password": {wiringtest.Password}, "next": {"/"}})
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("sign in %s: %d %s", email, p.Status, p.Body)
	}
	return b.follow(p)
}

func mustContain(t *testing.T, p page, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(p.Body, w) {
			t.Fatalf("page (status %d) lacks %q:\n%s", p.Status, w, p.Body)
		}
	}
}

func mustNotContain(t *testing.T, p page, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(p.Body, w) {
			t.Fatalf("page (status %d) shows %q", p.Status, w)
		}
	}
}

var idAfter = regexp.MustCompile(`/(?:cases|notices)/([0-9a-f-]{36})`)

// idIn is the first case or notice id in a redirect target.
func idIn(t *testing.T, location string) string {
	t.Helper()
	m := idAfter.FindStringSubmatch(location)
	if m == nil {
		t.Fatalf("no id in %q", location)
	}
	return m[1]
}
