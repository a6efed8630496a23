package fuzz_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/pkg/safetext"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// FuzzRoutes walks every operation of the OpenAPI document and sends text
// that no database column may hold (NUL, invalid UTF-8) through one of its
// inputs at a time: a path parameter, a query parameter, a JSON string
// field (at any depth) or a multipart form field. Every other input is a
// plausible value, so the bad one is what the server must notice. The
// answer is never a 5xx; when the text really is unstorable it is a 400 or
// 422 problem+json naming that input. The seed corpus covers every input of
// every route with NUL and with invalid UTF-8, so a plain `go test` (and so
// `make test`, on SQLite and PostgreSQL) runs all of them deterministically.
func FuzzRoutes(f *testing.F) {
	rw := newRouteWorld(f)
	for i, op := range rw.ops {
		for j := range op.inputs {
			for _, p := range routePayloads {
				f.Add(uint16(i), uint16(j), []byte(p))
			}
		}
	}
	f.Fuzz(func(t *testing.T, opIdx, inputIdx uint16, payload []byte) {
		op := rw.ops[int(opIdx)%len(rw.ops)]
		if len(op.inputs) == 0 {
			return
		}
		in := op.inputs[int(inputIdx)%len(op.inputs)]
		req := rw.request(t, op, in, string(payload))
		resp, err := rw.env.App.API.App().Test(req, -1)
		if err != nil {
			t.Fatalf("%s %s: %v", op.method, op.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		what := fmt.Sprintf("%s %s with %q in %s %s", op.method, op.path, payload, in.where, in.name)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s → %d: %s", what, resp.StatusCode, body)
		}
		// A rate limiter (login, public verify) answers before any input is
		// read; a long fuzzing run exhausts it, and 429 is a safe answer.
		if safetext.Storable(string(payload)) || resp.StatusCode == http.StatusTooManyRequests {
			return
		}
		if resp.StatusCode != 400 && resp.StatusCode != 422 {
			t.Fatalf("%s → %d, want 400 or 422: %s", what, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Fatalf("%s → %s, want problem+json", what, ct)
		}
		var p struct{ Errors []struct{ Field string } }
		_ = json.Unmarshal(body, &p)
		for _, e := range p.Errors {
			if e.Field == in.name {
				return
			}
		}
		t.Fatalf("%s → %d does not name %s: %s", what, resp.StatusCode, in.name, body)
	})
}

// routePayloads are the seed values: NUL inside text, and bytes that are
// not UTF-8 (a lone continuation byte; an encoded surrogate).
var routePayloads = []string{"a\x00b", "a\xffb", "\xed\xa0\x80"}

// routeInput is one place a request carries text.
type routeInput struct {
	where string // path, query, json, form
	name  string // as the API names it in a problem: id, q, steps[0], penalty.revenue_period
}

type routeOp struct {
	method, path string // OpenAPI path, e.g. /api/v1/cases/{id}
	perm         string
	public       bool
	inputs       []routeInput
	jsonBody     any // sample body (nil: none)
	form         map[string]string
}

type routeWorld struct {
	env      *wiringtest.Env
	ops      []routeOp
	ids      map[string]string // path prefix → fixture id
	sup, adm string            // tokens
}

func newRouteWorld(f *testing.F) *routeWorld {
	env := wiringtest.New(f)
	off, sup := env.As(principal.Officer, "KENT-TS"), env.As(principal.Supervisor, "KENT-TS")
	adm := env.As(principal.Admin, "KENT-TS")
	var product, operator, cs, exhibit, notice, listing struct{ ID string }
	off.Post("/api/v1/products", map[string]any{"brand": "Fuzzwave", "model": "FW-1", "category": "smart_plug"}).Expect(201).JSON(&product)
	off.Post("/api/v1/operators", map[string]any{"name": "Fuzzwave Ltd", "country": "GB"}).Expect(201).JSON(&operator)
	off.Post("/api/v1/cases", map[string]any{"title": "route fuzz", "origin": "complaint", "product_ids": []string{product.ID}}).Expect(201).JSON(&cs)
	off.Post("/api/v1/cases/"+cs.ID+"/parties", map[string]any{"operator_id": operator.ID, "role": "manufacturer"}).Expect(201)
	scan, err := os.ReadFile(filepath.Join("..", "..", "pkg", "scan", "nmap", "testdata", "camera.xml"))
	if err != nil {
		f.Fatal(err)
	}
	off.Upload("/api/v1/cases/"+cs.ID+"/evidence", map[string]string{"description": "scan", "collected_by": "lab",
		"collected_at": "2026-01-01T00:00:00Z"}, "camera.xml", "application/xml", scan).Expect(201).JSON(&exhibit)
	var fs struct{ Items []struct{ ID string } }
	off.Get("/api/v1/cases/" + cs.ID + "/findings").Expect(200).JSON(&fs)
	if len(fs.Items) == 0 {
		f.Fatal("the scan produced no findings")
	}
	off.Post("/api/v1/cases/"+cs.ID+"/notices", map[string]any{"type": "information", "operator_id": operator.ID,
		"steps": []string{"Send the test reports."}, "reasons": "fuzz", "comply_by": "2099-01-01"}).Expect(201).JSON(&notice)
	off.Post("/api/v1/listings", map[string]any{"retailer": "Argos", "market_type": "retailer",
		"url": "https://www.argos.co.uk/product/fuzz-1", "title": "Fuzz plug"}).Expect(201).JSON(&listing)
	var target, pending struct{ ID string }
	env.Onboard(adm, "fuzz.target@kent-ts.test", "Fuzz Target", "officer", "analyst").Get("/api/v1/me").Expect(200).JSON(&target)
	adm.Post("/api/v1/admin/users", map[string]any{"email": "fuzz.invitee@kent-ts.test", "name": "Fuzz Invitee",
		"password": wiringtest.OnboardPassword, "roles": []string{"officer"}}).Expect(201).JSON(&pending)
	rw := &routeWorld{env: env, sup: sup.Token(), adm: adm.Token(), ids: map[string]string{
		"/api/v1/cases/": cs.ID, "/api/v1/evidence/": exhibit.ID, "/api/v1/findings/": fs.Items[0].ID,
		"/api/v1/notices/": notice.ID, "/api/v1/products/": product.ID, "/api/v1/operators/": operator.ID,
		"/api/v1/listings/": listing.ID, "/api/v1/admin/users/": target.ID,
		"/api/v1/admin/invitations/": pending.ID, "/api/v1/me/invitations/": pending.ID,
	}}
	var doc openAPIDoc
	if err := json.Unmarshal(env.Anonymous().Get("/openapi.json").Expect(200).Body, &doc); err != nil {
		f.Fatal(err)
	}
	rw.ops = doc.operations()
	if len(rw.ops) < 50 {
		f.Fatalf("the OpenAPI document lists only %d operations", len(rw.ops))
	}
	return rw
}

var pathParam = regexp.MustCompile(`\{([A-Za-z_]+)\}`)

// request builds op's request with payload in input in and plausible values
// everywhere else.
func (rw *routeWorld) request(t *testing.T, op routeOp, in routeInput, payload string) *http.Request {
	path := pathParam.ReplaceAllStringFunc(op.path, func(m string) string {
		name := m[1 : len(m)-1]
		if in.where == "path" && in.name == name {
			return url.PathEscape(payload)
		}
		switch name {
		case "requirement_id":
			return "PSTI-2"
		case "role":
			return "analyst"
		case "code":
			return "KENT-TS"
		}
		for prefix, id := range rw.ids {
			if strings.HasPrefix(op.path, prefix+"{") {
				return id
			}
		}
		t.Fatalf("no fixture for {%s} in %s", name, op.path)
		return ""
	})
	if in.where == "query" {
		path += "?" + url.Values{in.name: {payload}}.Encode()
	}
	var body io.Reader
	ctype := ""
	switch {
	case op.jsonBody != nil:
		body, ctype = bytes.NewReader(jsonWithPayload(op.jsonBody, in, payload)), "application/json"
	case op.form != nil:
		var b []byte
		b, ctype = formWithPayload(t, op.form, in, payload)
		body = bytes.NewReader(b)
	}
	req := httptest.NewRequest(op.method, path, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("If-Match", `"1"`)
	switch {
	case op.public:
	case strings.HasPrefix(op.perm, "user:"), op.perm == "authority:update":
		req.Header.Set("Authorization", "Bearer "+rw.adm)
	default:
		req.Header.Set("Authorization", "Bearer "+rw.sup)
	}
	return req
}

const payloadMarker = "\u2063fuzz-payload\u2063"

// jsonWithPayload marshals the sample body with the payload's raw bytes in
// the input's field: encoding/json would replace invalid UTF-8, so the
// string is written by hand (NUL as \u0000, other bytes as they are).
func jsonWithPayload(sample any, in routeInput, payload string) []byte {
	v := sample
	if in.where == "json" {
		v = setAt(deepCopy(sample), in.name, payloadMarker)
	}
	b, _ := json.Marshal(v)
	quoted, _ := json.Marshal(payloadMarker)
	return bytes.Replace(b, quoted, rawJSONString(payload), 1)
}

func rawJSONString(s string) []byte {
	var b bytes.Buffer
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.Bytes()
}

func formWithPayload(t *testing.T, fields map[string]string, in routeInput, payload string) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := fields[k]
		if in.where == "form" && in.name == k {
			v = payload
		}
		if k == "file" {
			h := textproto.MIMEHeader{}
			// RFC 7578 §4.2 / RFC 2231: how a client sends a filename that is
			// not plain ASCII.
			h.Set("Content-Disposition", `form-data; name="file"; filename*=utf-8''`+url.PathEscape(v))
			h.Set("Content-Type", "text/plain")
			w, err := mw.CreatePart(h)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = w.Write([]byte("route fuzz exhibit"))
			continue
		}
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// setAt replaces the string at a path such as "penalty.revenue_period" or
// "steps[0]" in a sample built by sampleOf.
func setAt(v any, path, value string) any {
	if path == "" {
		return value
	}
	head, rest := path, ""
	if i := strings.IndexAny(path[1:], ".["); i >= 0 {
		head, rest = path[:i+1], path[i+1:]
	}
	rest = strings.TrimPrefix(rest, ".")
	if strings.HasPrefix(head, "[") {
		arr := v.([]any)
		arr[0] = setAt(arr[0], rest, value)
		return arr
	}
	obj := v.(map[string]any)
	obj[head] = setAt(obj[head], rest, value)
	return obj
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// openAPIDoc is the part of the OpenAPI 3.1 document the walk needs.
type openAPIDoc struct {
	Paths      map[string]map[string]openAPIOp `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

type openAPIOp struct {
	Parameters []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Security   []map[string]any `json:"security"`
	Permission string           `json:"x-permission"`
}

func (d openAPIDoc) operations() []routeOp {
	var out []routeOp
	for path, ops := range d.Paths {
		for method, o := range ops {
			op := routeOp{method: strings.ToUpper(method), path: path, perm: o.Permission, public: len(o.Security) == 0}
			for _, p := range o.Parameters {
				if p.In == "path" || p.In == "query" {
					op.inputs = append(op.inputs, routeInput{where: p.In, name: p.Name})
				}
			}
			if o.RequestBody != nil {
				if c, ok := o.RequestBody.Content["application/json"]; ok {
					op.jsonBody = d.sampleOf(c.Schema, 0)
					for _, leaf := range stringLeaves(op.jsonBody, "") {
						op.inputs = append(op.inputs, routeInput{where: "json", name: leaf})
					}
				}
				if c, ok := o.RequestBody.Content["multipart/form-data"]; ok {
					op.form = map[string]string{}
					for name, v := range d.sampleOf(c.Schema, 0).(map[string]any) {
						s, _ := v.(string)
						if name == "file" {
							s = "exhibit.txt"
						}
						op.form[name] = s
						op.inputs = append(op.inputs, routeInput{where: "form", name: name})
					}
				}
			}
			sort.Slice(op.inputs, func(i, j int) bool {
				return op.inputs[i].where+op.inputs[i].name < op.inputs[j].where+op.inputs[j].name
			})
			out = append(out, op)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+" "+out[i].method < out[j].path+" "+out[j].method })
	return out
}

// sampleOf builds a plausible value for a schema: the first enum value, a
// well-formed date or time, one item per array, every object property.
func (d openAPIDoc) sampleOf(s map[string]any, depth int) any {
	if ref, ok := s["$ref"].(string); ok {
		if depth > 8 {
			return nil
		}
		return d.sampleOf(d.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")], depth+1)
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	switch schemaType(s) {
	case "object":
		obj := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			if ps, ok := p.(map[string]any); ok {
				obj[name] = d.sampleOf(ps, depth+1)
			}
		}
		return obj
	case "array":
		items, _ := s["items"].(map[string]any)
		return []any{d.sampleOf(items, depth+1)}
	case "integer", "number":
		return 1
	case "boolean":
		return false
	case "string":
		switch s["format"] {
		case "date-time":
			return "2026-01-01T00:00:00Z"
		case "date":
			return "2026-01-01"
		case "email":
			return "someone@example.test"
		case "uri":
			return "https://example.test/x"
		}
		return "x"
	}
	return nil
}

func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, v := range t {
			if v != "null" {
				return fmt.Sprint(v)
			}
		}
	}
	if _, ok := s["properties"]; ok {
		return "object"
	}
	return ""
}

// stringLeaves lists the paths of the string values in a sample, named as
// the API names fields in problems.
func stringLeaves(v any, path string) []string {
	switch t := v.(type) {
	case string:
		if utf8.ValidString(t) {
			return []string{path}
		}
	case []any:
		if len(t) > 0 {
			return stringLeaves(t[0], path+"[0]")
		}
	case map[string]any:
		var out []string
		for k, e := range t {
			p := k
			if path != "" {
				p = path + "." + k
			}
			out = append(out, stringLeaves(e, p)...)
		}
		return out
	}
	return nil
}
