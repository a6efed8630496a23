package scan

import (
	"errors"
	"fmt"
)

// ErrMalformed marks input that is not a valid report of the expected
// format: syntax errors, truncation, empty input, wrong shape.
var ErrMalformed = errors.New("malformed report")

// ErrUnsafe marks input refused for safety: DTD internal subsets and entity
// declarations, entity references other than the XML predefined ones,
// nesting, token or text sizes beyond the limits.
var ErrUnsafe = errors.New("unsafe report")

// ErrUnsupported marks input that is recognisably some tool's output, or an
// archive, but not in a format the parsers read (nmap -oN, a Nessus HTML
// export). Its ParseError message says what the input looks like and what
// to export instead.
var ErrUnsupported = errors.New("unsupported report format")

// Position locates an error in the input. Line is 1-based; 0 means unknown.
type Position struct {
	Offset int64
	Line   int
}

// ParseError is an ErrMalformed or ErrUnsafe with its position. Errors from
// the underlying reader are never wrapped in a ParseError, so callers can
// tell a bad report from a failed read with errors.Is.
type ParseError struct {
	Pos Position
	Msg string
	Err error // ErrMalformed, ErrUnsafe or ErrUnsupported
}

// Error implements error.
func (e *ParseError) Error() string {
	if e.Pos.Line > 0 {
		return fmt.Sprintf("%v at line %d (byte %d): %s", e.Err, e.Pos.Line, e.Pos.Offset, e.Msg)
	}
	return fmt.Sprintf("%v at byte %d: %s", e.Err, e.Pos.Offset, e.Msg)
}

// Unwrap exposes ErrMalformed, ErrUnsafe or ErrUnsupported.
func (e *ParseError) Unwrap() error { return e.Err }

// Malformedf returns an ErrMalformed ParseError at pos.
func Malformedf(pos Position, format string, args ...any) error {
	return &ParseError{Pos: pos, Msg: fmt.Sprintf(format, args...), Err: ErrMalformed}
}

// Unsafef returns an ErrUnsafe ParseError at pos.
func Unsafef(pos Position, format string, args ...any) error {
	return &ParseError{Pos: pos, Msg: fmt.Sprintf(format, args...), Err: ErrUnsafe}
}

// Unsupportedf returns an ErrUnsupported ParseError at the start of the
// input.
func Unsupportedf(format string, args ...any) error {
	return &ParseError{Msg: fmt.Sprintf(format, args...), Err: ErrUnsupported}
}
