package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"

	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi31"

	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
)

// apiDocs builds the OpenAPI 3.1 document from the registered routes, so the
// document cannot drift from what the server actually serves.
type apiDocs struct {
	version string
	json    []byte
}

func newAPIDocs(version string) *apiDocs { return &apiDocs{version: version} }

var fiberParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)[?]?`)

// OpenAPIPath converts a fiber path (/cases/:id) to OpenAPI form (/cases/{id}).
func OpenAPIPath(p string) string { return fiberParam.ReplaceAllString(p, "{$1}") }

func (d *apiDocs) build(routes []Route) error {
	r := openapi31.NewReflector()
	r.JSONSchemaReflector().DefaultOptions = append(r.JSONSchemaReflector().DefaultOptions,
		jsonschema.InterceptProp(validateTagsToSchema))
	spec := r.SpecEns()
	spec.Info.WithTitle("TradeWarden API").WithVersion(d.version).WithDescription(
		"Enforcement case management for UK consumer connectable-product security (PSTI Act 2022, ETSI EN 303 645). " +
			"Authenticate with POST /api/v1/auth/login and send `Authorization: Bearer <token>`; users with roles in " +
			"several authorities name the acting one in `X-Authority`. Errors are RFC 9457 problem+json.")
	spec.SetHTTPBearerTokenSecurity("bearer", "opaque", "Token from POST /api/v1/auth/login")
	for _, rt := range routes {
		if err := d.addRoute(r, rt); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return fmt.Errorf("marshal openapi: %w", err)
	}
	d.json = b
	return nil
}

func (d *apiDocs) addRoute(r *openapi31.Reflector, rt Route) error {
	path := OpenAPIPath(rt.Path)
	oc, err := r.NewOperationContext(rt.Method, path)
	if err != nil {
		return fmt.Errorf("operation %s %s: %w", rt.Method, path, err)
	}
	oc.SetSummary(rt.Summary)
	if rt.Description != "" {
		oc.SetDescription(rt.Description)
	}
	oc.SetTags(rt.Tag)
	oc.SetID(operationID(rt.Method, rt.Path))
	op := oc.(interface{ Operation() *openapi31.Operation }).Operation()
	for _, m := range fiberParam.FindAllStringSubmatch(rt.Path, -1) {
		op.Parameters = append(op.Parameters, openapi31.ParameterOrReference{Parameter: &openapi31.Parameter{
			Name: m[1], In: openapi31.ParameterInPath, Required: ptr(true),
			Schema: map[string]any{"type": "string"},
		}})
	}
	switch rt.Access {
	case Scoped:
		oc.AddSecurity("bearer")
		op.WithMapOfAnything(map[string]any{"x-permission": rt.Perm.String()})
		op.Parameters = append(op.Parameters, openapi31.ParameterOrReference{Parameter: &openapi31.Parameter{
			Name: "X-Authority", In: openapi31.ParameterInHeader,
			Description: ptr("Authority code to act in; required when you hold roles in several."),
			Schema:      map[string]any{"type": "string"},
		}})
	case Authenticated:
		oc.AddSecurity("bearer")
	}
	if rt.Query != nil {
		oc.AddReqStructure(rt.Query)
	}
	switch {
	case rt.BodyType != "":
		oc.AddReqStructure(nil, openapi.WithContentType(rt.BodyType))
		if rt.Body != nil {
			oc.AddReqStructure(rt.Body, openapi.WithContentType(rt.BodyType))
		}
	case rt.Body != nil:
		oc.AddReqStructure(rt.Body)
	}
	if rt.RespType != "" {
		oc.AddRespStructure(nil, openapi.WithHTTPStatus(rt.Status), openapi.WithContentType(rt.RespType))
	} else {
		oc.AddRespStructure(rt.Resp, openapi.WithHTTPStatus(rt.Status))
	}
	for _, st := range errorStatuses(rt) {
		oc.AddRespStructure(new(Problem), openapi.WithHTTPStatus(st), openapi.WithContentType("application/problem+json"))
	}
	if err := r.AddOperation(oc); err != nil {
		return fmt.Errorf("add operation %s %s: %w", rt.Method, path, err)
	}
	return nil
}

func errorStatuses(rt Route) []int {
	out := []int{http.StatusBadRequest}
	if rt.Body != nil || rt.Query != nil || rt.BodyType != "" {
		out = append(out, http.StatusUnprocessableEntity)
	}
	switch rt.Access {
	case Scoped:
		out = append(out, http.StatusUnauthorized, http.StatusForbidden)
	case Authenticated:
		out = append(out, http.StatusUnauthorized)
	}
	if strings.Contains(rt.Path, ":") {
		out = append(out, http.StatusNotFound)
	}
	if rt.Method != http.MethodGet {
		out = append(out, http.StatusConflict)
	}
	return out
}

func operationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for _, seg := range strings.Split(strings.TrimPrefix(path, Prefix), "/") {
		if seg == "" {
			continue
		}
		if strings.HasPrefix(seg, ":") {
			seg = "by_" + seg[1:]
		}
		parts = append(parts, strings.NewReplacer("-", "_", ".", "_").Replace(seg))
	}
	return strings.Join(parts, "_")
}

func ptr[T any](v T) *T { return &v }

// validateTagsToSchema mirrors the validator tags the API enforces into the
// JSON schema, so the document states the same rules (required, enums,
// lengths) without a second set of tags.
func validateTagsToSchema(p jsonschema.InterceptPropParams) error {
	if !p.Processed || p.PropertySchema == nil {
		return nil
	}
	if src := p.Field.Tag.Get("enumof"); src != "" {
		values, ok := enumSources[src]
		if !ok {
			return fmt.Errorf("field %s: no enum source %q", p.Field.Name, src)
		}
		target := p.PropertySchema
		if items := itemsSchema(target); items != nil {
			target = items
		}
		target.Enum = values()
	}
	tag := p.Field.Tag.Get("validate")
	if tag == "" {
		return nil
	}
	s := p.PropertySchema
	for _, rule := range strings.Split(tag, ",") {
		name, arg, _ := strings.Cut(rule, "=")
		if name == "dive" {
			// The rules after dive are the items' rules.
			if s = itemsSchema(p.PropertySchema); s == nil {
				return nil
			}
			continue
		}
		switch name {
		case "required":
			if p.ParentSchema != nil && !contains(p.ParentSchema.Required, p.Name) {
				p.ParentSchema.Required = append(p.ParentSchema.Required, p.Name)
			}
		case "oneof":
			var enum []any
			for _, v := range strings.Fields(arg) {
				enum = append(enum, v)
			}
			s.Enum = enum
		case "max", "min":
			var n int64
			if _, err := fmt.Sscan(arg, &n); err != nil {
				continue
			}
			t := p.Field.Type
			if s != p.PropertySchema {
				t = t.Elem()
			}
			setBound(s, t, name, n)
		case "email":
			s.WithFormat("email")
		case "url", "http_url":
			s.WithFormat("uri")
		}
	}
	return nil
}

// itemsSchema is the inline schema of an array's items, or nil.
func itemsSchema(s *jsonschema.Schema) *jsonschema.Schema {
	if s.Items == nil || s.Items.SchemaOrBool == nil || s.Items.SchemaOrBool.TypeObject == nil {
		return nil
	}
	return s.Items.SchemaOrBool.TypeObject
}

// enumSources are the value lists an `enumof:"name"` field tag puts in the
// document, read from the core constants so the two cannot drift.
var enumSources = map[string]func() []any{
	"case_statuses":    func() []any { return anys(cases.Statuses) },
	"closure_reasons":  func() []any { return anys(cases.ClosureReasons) },
	"access_levels":    func() []any { return anys(cases.AccessLevels) },
	"party_roles":      func() []any { return anys(cases.PartyRoles) },
	"report_metrics":   func() []any { return anys(reports.Metrics) },
	"roles":            func() []any { return anys(principal.Roles) },
	"report_intervals": func() []any { return []any{reports.Interval} },
}

func anys[T ~string](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func setBound(s *jsonschema.Schema, t reflect.Type, name string, n int64) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		if name == "max" {
			s.WithMaxLength(n)
		} else {
			s.WithMinLength(n)
		}
	case reflect.Slice:
		if name == "max" {
			s.WithMaxItems(n)
		} else {
			s.WithMinItems(n)
		}
	default:
		if name == "max" {
			s.WithMaximum(float64(n))
		} else {
			s.WithMinimum(float64(n))
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
