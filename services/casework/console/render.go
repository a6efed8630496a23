package console

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// view is what every page template receives.
type view struct {
	Title       string
	ServiceName string
	Session     *session
	Nav         string
	Crumbs      []crumb
	Flash       string
	Errors      []formError
	CSRF        string
	Data        any
	Path        string
}

type crumb struct{ Text, Href string }

// formError is one field error in GOV.UK form: a message and the id of the
// field it links to.
type formError struct{ Field, Message string }

// HasError reports whether field has an error.
func (v view) HasError(field string) bool {
	for _, e := range v.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

// ErrorFor is field's message.
func (v view) ErrorFor(field string) string {
	for _, e := range v.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Can reports whether the acting person holds any of the roles.
func (v view) Can(role ...string) bool { return v.Session != nil && v.Session.has(role...) }

var london = func() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}()

var funcs = template.FuncMap{
	"label":    label,
	"tag":      tagClass,
	"date":     func(t any) string { return formatTime(t, "2 January 2006") },
	"datetime": func(t any) string { return formatTime(t, "2 January 2006 at 3:04pm") },
	"pounds":   pounds,
	"join":     strings.Join,
	"short":    func(s string, n int) string { return shorten(s, n) },
	"query":    func(kv ...string) template.URL { return template.URL(query(kv...)) },
	"add":      func(a, b int) int { return a + b },
	"pathesc":  url.PathEscape,
	"has":      func(list []string, v string) bool { return contains(list, v) },
	"svg":      func(s string) template.HTML { return template.HTML(s) }, // charts built from numbers only
	"dict":     dict,
	"lower":    strings.ToLower,
	"list":     func(a ...string) []string { return a },
	"action":   actionTitle,
	"yesno":    yesNo,
}

func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

func formatTime(t any, layout string) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return strings.Replace(strings.Replace(v.In(london).Format(layout), "AM", "am", 1), "PM", "pm", 1)
	case *time.Time:
		if v == nil {
			return ""
		}
		return formatTime(*v, layout)
	case string:
		if d, err := time.Parse("2006-01-02", v); err == nil {
			return d.Format("2 January 2006")
		}
		if d, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return formatTime(d, layout)
		}
		return v
	}
	return fmt.Sprint(t)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func pounds(pence int64) string {
	whole := fmt.Sprintf("%d", pence/100)
	var b strings.Builder
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if p := pence % 100; p != 0 {
		return fmt.Sprintf("£%s.%02d", b.String(), p)
	}
	return "£" + b.String()
}

// parseTemplates parses the layout and partials once per page, so each page
// defines its own "content".
func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list console templates: %w", err)
	}
	var shared, pagesList []string
	for _, n := range names {
		base := path.Base(n)
		if strings.HasPrefix(base, "_") {
			shared = append(shared, n)
		} else {
			pagesList = append(pagesList, n)
		}
	}
	out := map[string]*template.Template{}
	for _, p := range pagesList {
		files := append(append([]string{}, shared...), p)
		t, err := template.New(path.Base(p)).Funcs(funcs).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("parse console template %s: %w", p, err)
		}
		out[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return out, nil
}

// render writes one page in the layout.
func (con *Console) render(c *fiber.Ctx, status int, name, title string, data any, opts ...func(*view)) error {
	t, ok := con.pages[name]
	if !ok {
		return pageErr(name)
	}
	v := view{Title: title, ServiceName: con.cfg.ServiceName, Session: sess(c), Data: data, Path: c.Path()}
	if v.Session != nil {
		v.CSRF = v.Session.csrf
	} else {
		v.CSRF = csrfToken(con.preSecret(c))
	}
	if f := c.Cookies(cookieFlash); f != "" {
		v.Flash, _ = url.QueryUnescape(f)
		con.setCookie(c, cookieFlash, "", 0)
	}
	for _, o := range opts {
		o(&v)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Status(status)
	c.Type("html", "utf-8")
	return c.Send(buf.Bytes())
}

func withNav(n string) func(*view)          { return func(v *view) { v.Nav = n } }
func withCrumbs(cs ...crumb) func(*view)    { return func(v *view) { v.Crumbs = cs } }
func withErrors(es []formError) func(*view) { return func(v *view) { v.Errors = es } }

// done redirects after a successful POST with a banner message.
func (con *Console) done(c *fiber.Ctx, to, message string) error {
	con.setCookie(c, cookieFlash, url.QueryEscape(message), time.Minute)
	return c.Redirect(to, fiber.StatusSeeOther)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "Not answered"
	case *b:
		return "Yes"
	}
	return "No"
}
