package browser_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// downloadStart fetches url with the tab's cookies (what a click on the link
// sends) and returns the first bytes of the answer.
func downloadStart(t *testing.T, tb *tab, url string) string {
	t.Helper()
	res0, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	cookies := res0.Cookies
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b := make([]byte, 8)
	n, _ := io.ReadFull(res.Body, b)
	return string(b[:n])
}
