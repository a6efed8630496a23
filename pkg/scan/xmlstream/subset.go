package xmlstream

import (
	"bytes"
	"errors"
)

// Errors ScanSubset returns besides success.
var (
	// ErrSubsetShort means b ends before the subset does.
	ErrSubsetShort = errors.New("DOCTYPE internal subset incomplete")
	// ErrSubsetEntities means the subset declares entities or notations,
	// references parameter entities or has conditional sections: what
	// entity expansion attacks are built from.
	ErrSubsetEntities = errors.New("DOCTYPE internal subset declares or references entities")
	// ErrSubsetSyntax means the subset is not well-formed.
	ErrSubsetSyntax = errors.New("DOCTYPE internal subset malformed")
)

var (
	elementDecl = []byte("<!ELEMENT")
	attlistDecl = []byte("<!ATTLIST")
)

// ScanSubset reads a DOCTYPE internal subset starting just after its '['
// and returns the length up to and including the closing ']'. Only element
// and attribute-list declarations, comments, processing instructions and
// white space are accepted: Burp Suite's XML export carries such a DTD, and
// none of it changes what a non-validating reader sees. Entity and notation
// declarations, parameter-entity references and conditional sections are
// ErrSubsetEntities, so refusing entities never means refusing DTDs.
func ScanSubset(b []byte) (int, error) {
	i := 0
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return 0, ErrSubsetShort
		}
		rest := b[i:]
		switch {
		case rest[0] == ']':
			return i + 1, nil
		case rest[0] == '%':
			return 0, ErrSubsetEntities
		case hasPrefixOrShort(rest, commentOpen):
			if len(rest) < len(commentOpen) {
				return 0, ErrSubsetShort
			}
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return 0, ErrSubsetShort
			}
			i += 4 + end + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest[2:], []byte("?>"))
			if end < 0 {
				return 0, ErrSubsetShort
			}
			i += 2 + end + 2
		case hasPrefixOrShort(rest, elementDecl) || hasPrefixOrShort(rest, attlistDecl):
			if len(rest) < len(elementDecl) {
				return 0, ErrSubsetShort
			}
			n, err := declEnd(rest)
			if err != nil {
				return 0, err
			}
			i += n
		case bytes.HasPrefix(rest, []byte("<!")) || len(rest) < 2:
			if len(rest) < len("<!ENTITY") && bytes.HasPrefix([]byte("<!ENTITY"), rest) {
				return 0, ErrSubsetShort
			}
			// <!ENTITY, <!NOTATION, <![INCLUDE[ and anything else.
			return 0, ErrSubsetEntities
		default:
			return 0, ErrSubsetSyntax
		}
	}
}

// declEnd returns the length of a markup declaration up to its '>',
// skipping quoted literals; a parameter-entity reference inside it is
// ErrSubsetEntities.
func declEnd(b []byte) (int, error) {
	var q byte
	for i := 2; i < len(b); i++ {
		c := b[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '%':
			return 0, ErrSubsetEntities
		case c == '<':
			return 0, ErrSubsetSyntax
		case c == '>':
			return i + 1, nil
		}
	}
	return 0, ErrSubsetShort
}
