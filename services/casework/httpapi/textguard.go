package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/safetext"
)

// Every text a request carries (path and query parameters, JSON strings,
// form fields) must be valid UTF-8 without NUL: PostgreSQL refuses NUL in
// text columns (a 500 if it got that far), SQLite would keep it, and no
// legitimate input needs either. The checks live here, in the decoding
// layer every route shares, so no handler can forget them.

// checkParams refuses a request whose path or query parameters are not
// storable text, naming each parameter, before any handler reads them.
func checkParams(c *fiber.Ctx) error {
	var fe apperr.Fields
	for _, name := range c.Route().Params {
		// fiber hands path parameters over still percent-encoded; what the
		// client meant is the decoded text.
		v := c.Params(name)
		if dec, err := url.PathUnescape(v); err == nil {
			v = dec
		}
		if p := safetext.StorableProblem(v); p != "" {
			fe.Add(name, "%s", p)
		}
	}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		name := string(k)
		if p := safetext.StorableProblem(name); p != "" {
			fe.Add(printableName(name), "the parameter name %s", p)
			return
		}
		if p := safetext.StorableProblem(string(v)); p != "" {
			fe.Add(name, "%s", p)
		}
	})
	if err := fe.Err(); err != nil {
		return err
	}
	return c.Next()
}

// printableName makes a refused parameter name safe to echo in a problem.
func printableName(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", `\u0000`)
}

// formText checks one multipart or form field value.
func formText(fe *apperr.Fields, name, value string) bool {
	return fe.Check(!safetext.Storable(value), name, "%s", safetext.StorableProblem(value))
}

// checkJSONText refuses a JSON body with a string (key or value) that is
// not storable text, naming it by its path (steps[1], penalty.revenue_period).
// encoding/json would silently turn invalid UTF-8 into U+FFFD and keep
// \u0000, so this looks at the raw bytes. Syntax errors are left to the
// decoder, which reports them.
func checkJSONText(body []byte) error {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u0000`)) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var path jsonPath
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		raw := body[start:dec.InputOffset()]
		switch t := tok.(type) {
		case json.Delim:
			path.delim(t)
			continue
		case string:
			problem := ""
			if !utf8.Valid(raw) {
				problem = safetext.StorableProblem(string(raw))
			} else {
				problem = safetext.StorableProblem(t)
			}
			if path.wantsKey() {
				if problem != "" {
					return apperr.InvalidField(path.String()+printableName(t), "the field name %s", problem)
				}
				path.key(t)
				continue
			}
			if problem != "" {
				return apperr.InvalidField(path.String(), "%s", problem)
			}
		}
		path.value()
	}
}

// jsonPath tracks where a token stream is: a stack of objects (with the
// current key) and arrays (with the current index).
type jsonPath struct{ frames []jsonFrame }

type jsonFrame struct {
	array   bool
	name    string
	index   int
	wantKey bool
}

func (p *jsonPath) top() *jsonFrame {
	if len(p.frames) == 0 {
		return nil
	}
	return &p.frames[len(p.frames)-1]
}

func (p *jsonPath) wantsKey() bool { t := p.top(); return t != nil && !t.array && t.wantKey }

func (p *jsonPath) key(k string) { t := p.top(); t.name, t.wantKey = k, false }

func (p *jsonPath) delim(d json.Delim) {
	switch d {
	case '{':
		p.frames = append(p.frames, jsonFrame{wantKey: true})
	case '[':
		p.frames = append(p.frames, jsonFrame{array: true})
	default:
		p.frames = p.frames[:len(p.frames)-1]
		p.value()
	}
}

// value records that the current value is complete.
func (p *jsonPath) value() {
	if t := p.top(); t != nil {
		if t.array {
			t.index++
		} else {
			t.wantKey = true
		}
	}
}

// String renders the path of the current value: "penalty.revenue_period",
// "steps[1]"; "body" for a bare top-level value. While an object waits for
// a key it renders the object's path with a trailing dot.
func (p *jsonPath) String() string {
	var b strings.Builder
	for i, f := range p.frames {
		switch {
		case f.array:
			fmt.Fprintf(&b, "[%d]", f.index)
		case f.wantKey:
			if i > 0 {
				b.WriteByte('.')
			}
			return b.String()
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.name)
		}
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}
