package console

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVendoredAssetsMatchTheirChecksums: the committed GOV.UK Frontend and
// axe-core files are the pinned npm releases, byte for byte.
func TestVendoredAssetsMatchTheirChecksums(t *testing.T) {
	f, err := os.Open("assets/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("bad line %q", sc.Text())
		}
		b, err := os.ReadFile(filepath.FromSlash(name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s does not match SHA256SUMS: run `make assets`", name)
		}
		n++
	}
	if n < 5 {
		t.Fatalf("SHA256SUMS lists %d files", n)
	}
}
