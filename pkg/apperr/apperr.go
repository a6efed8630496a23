// Package apperr is the one error vocabulary shared by every layer: core code
// returns these, adapters translate driver errors into them, and only the HTTP
// error handler turns a Code into a status.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error by what the caller can do about it.
type Code string

// The codes an error can carry.
const (
	Invalid              Code = "invalid"               // the input is wrong; fix it and retry
	Malformed            Code = "malformed"             // the request cannot be decoded at all
	NotFound             Code = "not_found"             // no such thing visible to the caller
	Conflict             Code = "conflict"              // the state does not allow this now
	PreconditionFailed   Code = "precondition_failed"   // a stale version was supplied
	PreconditionRequired Code = "precondition_required" // a version must be supplied
	Forbidden            Code = "forbidden"             // authenticated but not allowed
	Unauthenticated      Code = "unauthenticated"       // no valid credentials
	TooLarge             Code = "too_large"             // the payload exceeds a limit
	TooMany              Code = "too_many_requests"     // throttled
	Unavailable          Code = "unavailable"           // a dependency is down; retry later
	Internal             Code = "internal"              // a bug or unexpected failure
)

// FieldError names one input field at fault and why.
type FieldError struct {
	Field   string
	Message string
}

// Error is an error with a Code, a safe human message and optional field errors.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Extra carries machine-readable context safe to show clients (e.g. allowed transitions).
	Extra map[string]any
	Err   error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap exposes the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with the given code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with the given code and message that wraps err.
func Wrap(err error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// With adds a machine-readable detail and returns e.
func (e *Error) With(key string, value any) *Error {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[key] = value
	return e
}

// CodeOf returns the Code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return Internal
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var ae *Error
	ok := errors.As(err, &ae)
	return ae, ok
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// Fields collects field errors; its Err method returns nil when none were added.
type Fields struct {
	list []FieldError
}

// Add records a problem with field.
func (f *Fields) Add(field, format string, args ...any) {
	f.list = append(f.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check records a problem with field only when cond is true, and reports cond.
func (f *Fields) Check(cond bool, field, format string, args ...any) bool {
	if cond {
		f.Add(field, format, args...)
	}
	return cond
}

// Text applies an optional text update: nil leaves dst alone; otherwise the
// trimmed value is stored, or a field error recorded when longer than max.
func (f *Fields) Text(field string, dst *string, v *string, max int) {
	if v == nil {
		return
	}
	t := strings.TrimSpace(*v)
	if len(t) > max {
		f.Add(field, "must be at most %d characters", max)
		return
	}
	*dst = t
}

// Err returns an Invalid error listing every field problem, or nil.
func (f *Fields) Err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "the request has invalid fields", Fields: f.list}
}

// InvalidField returns an Invalid error naming one field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Message: "the request has invalid fields",
		Fields: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}
