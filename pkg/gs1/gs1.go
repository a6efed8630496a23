// Package gs1 validates and normalises GS1 Global Trade Item Numbers
// (GTIN-8, -12, -13 and -14), the barcodes printed on products.
package gs1

import "strings"

// Normalize strips spaces and hyphens and reports whether what remains is a
// GTIN of a valid length with a correct check digit.
func Normalize(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	return s, Valid(s)
}

// Valid reports whether s is all digits, 8, 12, 13 or 14 long, with a
// correct GS1 mod-10 check digit.
func Valid(s string) bool {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	sum := 0
	// Weights alternate 3,1,3,… from the digit left of the check digit.
	for i := len(s) - 2; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if (len(s)-2-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	last := s[len(s)-1]
	if last < '0' || last > '9' {
		return false
	}
	return (10-sum%10)%10 == int(last-'0')
}
