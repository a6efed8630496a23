package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	timeType        = reflect.TypeFor[time.Time]()
)

// valueError names the body field a custom decoder (Date, time.Time…)
// rejected. encoding/json reports those errors without the field, so the
// body is walked again alongside T's type to find the first value that
// does not decode; nil when none is found.
func valueError(t reflect.Type, body []byte) error {
	path, err := locateBadValue(t, body, "")
	if err == nil {
		return nil
	}
	msg := err.Error()
	var pe *time.ParseError
	if errors.As(err, &pe) {
		msg = "must be an RFC 3339 time such as 2026-11-20T14:30:00Z"
	}
	// Malformed (400) like a JSON value of the wrong type: the body could
	// not be read as the request, and the field says where.
	e := apperr.InvalidField(path, "%s", msg)
	e.Code = apperr.Malformed
	return e
}

// locateBadValue returns the path ("support_period.end_date", "steps[2]")
// of the first value in raw that a type with its own JSON decoding under t
// refuses, with that decoder's error.
func locateBadValue(t reflect.Type, raw []byte, path string) (string, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "", nil
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
			return path, err
		}
		return "", nil
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", nil
		}
		fields := jsonFields(t)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, ok := fieldType(fields, k)
			if !ok {
				continue
			}
			if p, err := locateBadValue(ft, obj[k], joinPath(path, k)); err != nil {
				return p, err
			}
		}
	case reflect.Slice, reflect.Array:
		var arr []json.RawMessage
		if t.Elem().Kind() == reflect.Uint8 || json.Unmarshal(raw, &arr) != nil {
			return "", nil
		}
		for i, v := range arr {
			if p, err := locateBadValue(t.Elem(), v, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return p, err
			}
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", nil
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if p, err := locateBadValue(t.Elem(), obj[k], joinPath(path, k)); err != nil {
				return p, err
			}
		}
	}
	return "", nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonFields maps the JSON names of t's fields (embedded structs
// flattened, as encoding/json does) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != timeType {
				for k, v := range jsonFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// fieldType finds a key's field the way encoding/json does: exact name
// first, then case-insensitively.
func fieldType(fields map[string]reflect.Type, key string) (reflect.Type, bool) {
	if t, ok := fields[key]; ok {
		return t, true
	}
	for name, t := range fields {
		if strings.EqualFold(name, key) {
			return t, true
		}
	}
	return nil, false
}
