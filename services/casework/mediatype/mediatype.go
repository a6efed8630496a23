// Package mediatype checks a file's declared media type against its magic
// bytes, using gabriel-vasile/mimetype.
package mediatype

import (
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
)

// textual are declared types whose detection needs the whole document (a
// cut-off JSON or XML head looks like plain text), so plain text is
// accepted for them.
var textual = []string{"application/json", "application/xml", "text/xml", "text/csv", "application/x-ndjson",
	"application/ld+json", "text/plain", "application/vnd.cyclonedx+json", "application/vnd.cyclonedx+xml",
	"text/tab-separated-values", "text/html", "application/x-nessus", "text/markdown"}

// Sniff returns the media type detected from head and whether the declared
// type is compatible with it: the same type, one of its ancestors (JSON is
// text), or a type the detector does not know. Parameters such as charset
// are ignored.
func Sniff(head []byte, declared string) (string, bool) {
	detected := mimetype.Detect(head)
	name, _, _ := strings.Cut(detected.String(), ";")
	if declared == "" {
		return name, true
	}
	want, _, err := mime.ParseMediaType(declared)
	if err != nil {
		return name, false
	}
	switch {
	case want == "application/octet-stream":
		return name, true
	case strings.HasSuffix(want, "+json") || strings.HasSuffix(want, "+xml"):
		// Vendor structured-syntax types fall back to their base.
		base := "application/json"
		if strings.HasSuffix(want, "+xml") {
			base = "application/xml"
		}
		if within(detected, base) || within(detected, "text/xml") || plainText(detected, head) {
			return name, true
		}
	}
	if within(detected, want) {
		return name, true
	}
	for _, t := range textual {
		if t == want && plainText(detected, head) {
			return name, true
		}
	}
	// A type the detector cannot recognise at all cannot be contradicted,
	// unless the bytes are recognisably something else.
	if mimetype.Lookup(want) == nil && detected.Is("application/octet-stream") {
		return name, true
	}
	return name, false
}

// within reports whether want is detected or one of its ancestors.
func within(detected *mimetype.MIME, want string) bool {
	for m := detected; m != nil; m = m.Parent() {
		if m.Is(want) {
			return true
		}
	}
	return false
}

func plainText(detected *mimetype.MIME, head []byte) bool {
	return within(detected, "text/plain") && utf8.Valid(trimPartialRune(head))
}

// trimPartialRune drops a UTF-8 sequence cut off at the end of the head.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size != 1 {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}
