package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

// validatorInstance reports fields by their JSON (or query) names.
func validatorInstance() *validator.Validate {
	validateOnce.Do(func() {
		validate = validator.New(validator.WithRequiredStructEnabled())
		validate.RegisterTagNameFunc(func(f reflect.StructField) string {
			for _, tag := range []string{"json", "query", "form"} {
				name, _, _ := strings.Cut(f.Tag.Get(tag), ",")
				if name == "-" {
					return ""
				}
				if name != "" {
					return name
				}
			}
			return f.Name
		})
	})
	return validate
}

// readBody returns the request body, enforcing the JSON body limit even for
// chunked requests whose length is not declared up front.
func (s *Server) readBody(c *fiber.Ctx) ([]byte, error) {
	limit := s.cfg.JSONBodyLimit
	if n := c.Request().Header.ContentLength(); n > limit {
		return nil, apperr.New(apperr.TooLarge, "the request body is larger than %d bytes", limit)
	}
	if stream := c.Context().RequestBodyStream(); stream != nil && c.Request().Header.ContentLength() < 0 {
		b, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Malformed, "could not read the request body")
		}
		if len(b) > limit {
			return nil, apperr.New(apperr.TooLarge, "the request body is larger than %d bytes", limit)
		}
		return b, nil
	}
	return c.Body(), nil
}

// jsonBody returns a non-empty body sent as JSON.
func (s *Server) jsonBody(c *fiber.Ctx) ([]byte, error) {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if ct != "" && !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) && !strings.Contains(ct, "+json") {
		return nil, fiber.NewError(fiber.StatusUnsupportedMediaType, "send the body as application/json")
	}
	body, err := s.readBody(c)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, apperr.New(apperr.Malformed, "the request body is empty; send a JSON object")
	}
	if err := checkJSONText(body); err != nil {
		return nil, err
	}
	return body, nil
}

// decodeJSON strictly decodes the body into T (unknown fields, trailing data
// and wrong types are errors) and validates it.
func decodeJSON[T any](s *Server, c *fiber.Ctx) (T, error) {
	body, err := s.jsonBody(c)
	if err != nil {
		var v T
		return v, err
	}
	return decodeJSONBytes[T](body)
}

// decodeJSONBytes is decodeJSON for a body already read.
func decodeJSONBytes[T any](body []byte) (T, error) {
	var v T
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		if ferr := valueError(reflect.TypeFor[T](), body); ferr != nil {
			return v, ferr
		}
		return v, jsonError(err)
	}
	if dec.More() {
		return v, apperr.New(apperr.Malformed, "the request body has data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return v, apperr.New(apperr.Malformed, "the request body has data after the JSON value")
	}
	return v, validateStruct(v)
}

// jsonError turns encoding/json's errors into a client-facing problem that
// names the field where possible.
func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return apperr.New(apperr.Malformed, "malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.New(apperr.Malformed, "the body must be a JSON object, not %s", typ.Value)
		}
		e := apperr.InvalidField(field, "must be %s, not %s", jsonKind(typ.Type), typ.Value)
		e.Code = apperr.Malformed
		return e
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return apperr.New(apperr.Malformed, "the JSON body ends unexpectedly")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		e := apperr.InvalidField(name, "is not a known field")
		e.Code = apperr.Malformed
		return e
	default:
		return apperr.Wrap(err, apperr.Malformed, "the JSON body could not be decoded")
	}
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// validateStruct runs the validator tags and reports every failing field.
func validateStruct(v any) error {
	err := validatorInstance().Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		var inv *validator.InvalidValidationError
		if errors.As(err, &inv) {
			return nil // not a struct: nothing to validate
		}
		return fmt.Errorf("validate: %w", err)
	}
	var fe apperr.Fields
	for _, e := range verrs {
		fe.Add(fieldPath(e.Namespace()), "%s", describe(e))
	}
	return fe.Err()
}

// fieldPath drops the root struct name from a validator namespace.
func fieldPath(ns string) string {
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return ns
}

func describe(e validator.FieldError) string {
	switch e.Tag() {
	case "required":
		return "is required"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(e.Param(), " ", ", ")
	case "max":
		if e.Kind() == reflect.String {
			return "must be at most " + e.Param() + " characters"
		}
		if e.Kind() == reflect.Slice {
			return "must have at most " + e.Param() + " items"
		}
		return "must be at most " + e.Param()
	case "min":
		if e.Kind() == reflect.String {
			return "must be at least " + e.Param() + " characters"
		}
		if e.Kind() == reflect.Slice {
			return "must have at least " + e.Param() + " items"
		}
		return "must be at least " + e.Param()
	case "email":
		return "must be an email address"
	case "url", "http_url":
		return "must be an http(s) URL"
	case "uuid":
		return "must be an identifier (UUID)"
	case "gte":
		return "must be at least " + e.Param()
	case "lte":
		return "must be at most " + e.Param()
	case "dive":
		return "has an invalid item"
	}
	return "fails the " + e.Tag() + " rule"
}

// parseQuery decodes query parameters into T and validates them.
func parseQuery[T any](c *fiber.Ctx) (T, error) {
	var v T
	if err := c.QueryParser(&v); err != nil {
		return v, apperr.Wrap(err, apperr.Invalid, "the query string has invalid parameters: %v", err)
	}
	return v, validateStruct(v)
}

func toString(v any) string { return fmt.Sprint(v) }
