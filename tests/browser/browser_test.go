// Package browser_test drives the console in headless Chromium: the journeys
// with JavaScript on and off, axe-core on every page, a screenshot of each.
package browser_test

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// chromium finds Debian's Chromium; without it the tests skip, unless
// TW_REQUIRE_TOOLS=1 (CI), when they fail.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TW_REQUIRE_TOOLS") == "1" {
		t.Fatal("chromium is not installed (apt-get install chromium)")
	}
	t.Skip("chromium is not installed; .ci/run installs it")
	return ""
}

// server serves env's application on a loopback port for the browser.
func server(t *testing.T, env *wiringtest.Env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = env.App.API.App().Listener(ln) }()
	t.Cleanup(func() { _ = env.App.API.App().Shutdown() })
	return "http://" + ln.Addr().String()
}

// tab is one headless Chromium tab on a fresh profile.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	js   bool
}

func newTab(t *testing.T, base string, javascript bool) *tab {
	t.Helper()
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts, chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	// The first run starts the browser for the life of ctx; later actions
	// get timeouts of their own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	if !javascript {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		if err != nil {
			t.Fatal(err)
		}
	}
	return &tab{t: t, ctx: ctx, base: base, js: javascript}
}

func (tb *tab) run(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.fail(err)
	}
}

// value runs one action that returns a value.
func value[T any](tb *tab, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fail(err)
	}
	return v
}

// fail saves what the tab shows, then fails the test.
func (tb *tab) fail(err error) {
	tb.t.Helper()
	loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
	body, _ := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS("main")))
	if png, perr := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot()); perr == nil {
		_ = os.MkdirAll(shotDir, 0o755)
		_ = os.WriteFile(filepath.Join(shotDir, "failure.png"), png, 0o644)
	}
	tb.t.Fatalf("%v at %s; the page says:\n%s", err, loc, body)
}

var shotDir = filepath.Join("..", "..", "var", "screenshots")

func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.run(chromedp.Navigate(tb.base+path), chromedp.WaitReady(chromedp.CSS("footer")))
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return value(tb, chromedp.Text(chromedp.CSS(sel)))
}

func (tb *tab) see(sel string, want ...string) {
	tb.t.Helper()
	got := tb.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			tb.t.Fatalf("%s shows %q, want %q", sel, got, w)
		}
	}
}

// submit clicks a form's button and waits until the page it leads to has
// loaded (after redirects), so the next step never reads the old page.
func (tb *tab) submit(sel string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		tb.fail(err)
	}
	tb.run(chromedp.WaitReady(chromedp.CSS("footer")))
}

// axeViolation is one axe-core result.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

var axeSource = func() string {
	b, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		return ""
	}
	return string(b)
}()

// check runs axe-core (WCAG 2.x A and AA rules) on the page and fails on any
// serious or critical violation; then it saves a screenshot named name.
func (tb *tab) check(name string) {
	tb.t.Helper()
	if !tb.js { // axe needs scripts; the same pages are checked in the run with them
		tb.screenshot(name)
		return
	}
	if axeSource == "" {
		tb.t.Fatal("tests/browser/testdata/axe.min.js is missing (make assets)")
	}
	script := axeSource + `;axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}}).then(r => JSON.stringify(r.violations))`
	s := value(tb, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(s), &vs); err != nil {
		tb.t.Fatalf("axe violations: %v", err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			tb.t.Errorf("%s: axe %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	tb.screenshot(name)
}

func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	png := value(tb, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shotDir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

func signIn(tb *tab, email string) {
	tb.t.Helper()
	tb.open("/sign-in")
	tb.run(chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), wiringtest.Password))
	tb.submit(`button[type=submit].govuk-button`)
	tb.see("h1", "My work")
}

func signOut(tb *tab) {
	tb.t.Helper()
	tb.submit(`[data-test=sign-out]`)
	tb.see("h1", "Sign in")
}

func fixture(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../pkg/scan/nmap/testdata/camera.xml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func must(t *testing.T, cond bool, format string, args ...any) {
	t.Helper()
	if !cond {
		t.Fatalf(format, args...)
	}
}
