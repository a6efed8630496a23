package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Cookie names. The session cookie holds the API's opaque bearer token, so a
// node keeps no session state: logout on any node revokes it everywhere.
const (
	cookieSession   = "tw_session"
	cookieAuthority = "tw_authority"
	cookiePre       = "tw_pre"   // anonymous forms' CSRF secret
	cookieFlash     = "tw_flash" // one success message after a redirect
	csrfField       = "csrf_token"
)

// grant is one role a person holds in an authority.
type grant struct {
	Authority string `json:"authority"`
	Role      string `json:"role"`
}

// me is the signed-in person as GET /me reports them.
type me struct {
	ID                 string  `json:"id"`
	Email              string  `json:"email"`
	Name               string  `json:"name"`
	Grants             []grant `json:"grants"`
	MustChangePassword bool    `json:"must_change_password"`
}

// authorities lists the codes the person holds grants in, in order.
func (m me) Authorities() []string {
	var out []string
	for _, g := range m.Grants {
		if !slices.Contains(out, g.Authority) {
			out = append(out, g.Authority)
		}
	}
	return out
}

// roles lists the person's roles in one authority.
func (m me) roles(authority string) []string {
	var out []string
	for _, g := range m.Grants {
		if g.Authority == authority {
			out = append(out, g.Role)
		}
	}
	return out
}

// session is what one request knows of who is asking.
type session struct {
	token     string
	Me        me
	Authority string
	Roles     []string
	csrf      string
	api       client
}

func (s *session) has(role ...string) bool {
	for _, r := range role {
		if slices.Contains(s.Roles, r) {
			return true
		}
	}
	return false
}

// csrfToken binds a form to the secret behind the browser's cookie: an
// attacker's page can make the browser send the cookie but cannot read it,
// so it cannot compute the token.
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("tradewarden console form"))
	return hex.EncodeToString(m.Sum(nil))[:40]
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (con *Console) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: con.secure(c)}
	if maxAge > 0 {
		ck.Expires = con.now().Add(maxAge)
	}
	if value == "" {
		ck.Expires = time.Unix(1, 0)
		ck.MaxAge = -1
	}
	c.Cookie(ck)
}

// secure says whether the browser reached us over TLS (directly or through
// a proxy that says so), when cookies must be Secure.
func (con *Console) secure(c *fiber.Ctx) bool {
	return con.cfg.SecureCookies || c.Protocol() == "https"
}

// preSecret returns (creating) the anonymous CSRF secret for sign-in forms.
func (con *Console) preSecret(c *fiber.Ctx) string {
	if v := c.Cookies(cookiePre); len(v) == 48 {
		return v
	}
	v := randomToken()
	con.setCookie(c, cookiePre, v, 2*time.Hour)
	return v
}

// checkForm refuses a POST whose CSRF token does not match the secret or
// whose Origin names another site.
func checkForm(c *fiber.Ctx, secret string) bool {
	if o := c.Get(fiber.HeaderOrigin); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, c.Hostname()) {
			return false
		}
	}
	got := c.FormValue(csrfField)
	return secret != "" && subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(secret))) == 1
}
