package requirements

import (
	"cmp"
	"strings"
)

// CompareIDs orders ids naturally: runs of digits compare as numbers and
// everything else byte by byte, so 5.3-2 < 5.3-10, 5.12-3 < 5.13-1a < 6-1
// and COP-2 < COP-10. It returns -1, 0 or +1, for use with slices.SortFunc.
// Only identical strings compare equal.
func CompareIDs(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if isDigit(a[i]) && isDigit(b[j]) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na := strings.TrimLeft(a[si:i], "0")
			nb := strings.TrimLeft(b[sj:j], "0")
			// Without leading zeros, a longer run is a larger number.
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			continue
		}
		if a[i] != b[j] {
			return cmp.Compare(a[i], b[j])
		}
		i++
		j++
	}
	// A prefix sorts first (5.13-1 before 5.13-1a); the final byte-wise
	// comparison keeps the order total when only leading zeros differ.
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
