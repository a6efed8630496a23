package gs1_test

import (
	"testing"

	"github.com/tradewarden/tradewarden/pkg/gs1"
)

func TestNormalize(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"5012345678900", "5012345678900", true},   // GTIN-13
		{"5 012345 678900", "5012345678900", true}, // printed with spaces
		{"5012345678901", "5012345678901", false},  // wrong check digit
		{"96385074", "96385074", true},             // GTIN-8
		{"036000291452", "036000291452", true},     // GTIN-12 (UPC-A)
		{"10012345678902", "10012345678902", true}, // GTIN-14
		{"12345", "12345", false},
		{"501234567890X", "501234567890X", false},
		{"", "", false},
		{"4-006381-333931", "4006381333931", true},
	}
	for _, tc := range cases {
		got, ok := gs1.Normalize(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzValid(f *testing.F) {
	f.Add("5012345678900")
	f.Fuzz(func(t *testing.T, s string) {
		if gs1.Valid(s) {
			// Changing the check digit must invalidate it.
			last := s[len(s)-1]
			alt := byte('0' + (last-'0'+1)%10)
			if gs1.Valid(s[:len(s)-1] + string(alt)) {
				t.Fatalf("%q and its altered check digit are both valid", s)
			}
		}
	})
}
