// Package safetext decides whether user-supplied text can be stored and
// shown safely: text a database can hold (valid UTF-8 without NUL, which
// PostgreSQL refuses in text columns), and names that display as what they
// are (no control, format or bidirectional-override characters that make
// "invoice‮fdp.exe" look like "invoiceexe.pdf").
package safetext

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// StorableProblem describes why s cannot be stored as text, or returns "".
func StorableProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "must be valid UTF-8 text"
	case strings.IndexByte(s, 0) >= 0:
		return "must not contain a NUL character (U+0000)"
	}
	return ""
}

// Storable reports whether s is valid UTF-8 without NUL.
func Storable(s string) bool { return StorableProblem(s) == "" }

// Deceptive reports whether r is a control character (C0, DEL, C1), a
// format character (Unicode category Cf: the bidi embeddings and overrides
// U+202A–U+202E, the isolates U+2066–U+2069, marks such as U+200E/U+200F,
// zero-width characters) or a line/paragraph separator: characters that
// change how a name is displayed without being visible in it.
func Deceptive(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// NameProblem describes why s is not a safe display name (a filename), or
// returns "".
func NameProblem(s string) string {
	if p := StorableProblem(s); p != "" {
		return p
	}
	if i := strings.IndexFunc(s, Deceptive); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Sprintf("must not contain control, format or bidirectional-override characters (found U+%04X)", r)
	}
	return ""
}

// SanitizeName replaces every deceptive character (and invalid byte) in s
// with "_", so a name stored before the rule applied is served harmlessly.
func SanitizeName(s string) string {
	if NameProblem(s) == "" {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "_") {
		if Deceptive(r) {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FindUnstorable walks v (structs, pointers, slices, arrays, maps) and
// returns the Go path of the first string that is not storable, such as
// "[3].Host.Name", or "" when every string is.
func FindUnstorable(v any) string {
	path, _ := findUnstorable(reflect.ValueOf(v), "", 0)
	return path
}

func findUnstorable(v reflect.Value, path string, depth int) (string, bool) {
	if depth > 32 || !v.IsValid() {
		return "", false
	}
	switch v.Kind() {
	case reflect.String:
		if !Storable(v.String()) {
			return path, true
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return findUnstorable(v.Elem(), path, depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			if p, ok := findUnstorable(v.Field(i), path+"."+v.Type().Field(i).Name, depth+1); ok {
				return p, true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if p, ok := findUnstorable(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1); ok {
				return p, true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			key := fmt.Sprint(iter.Key().Interface())
			if p, ok := findUnstorable(iter.Key(), path+"[key]", depth+1); ok {
				return p, true
			}
			if p, ok := findUnstorable(iter.Value(), path+"["+key+"]", depth+1); ok {
				return p, true
			}
		}
	}
	return "", false
}
