package safetext_test

import (
	"testing"

	"github.com/tradewarden/tradewarden/pkg/safetext"
)

func TestStorable(t *testing.T) {
	for s, ok := range map[string]bool{"": true, "plain": true, "Łódź café": true, "tab\tand\nnewline": true,
		"a\x00b": false, "\xff": false, "\xc0\x80": false, "\xed\xa0\x80": false} {
		if safetext.Storable(s) != ok {
			t.Errorf("Storable(%q) = %v, want %v", s, !ok, ok)
		}
	}
}

func TestNames(t *testing.T) {
	bad := []string{"invoice\u202Efdp.exe", "a\u202Ab", "a\u202Bb", "a\u202Cb", "a\u202Db", "a\u2066b", "a\u2067b",
		"a\u2068b", "a\u2069b", "a\u200Fb", "a\u061Cb", "a\x01b", "a\x7fb", "a\u0085b", "a\u2028b", "a\tb", "a\x00b", "\xff"}
	for _, s := range bad {
		if safetext.NameProblem(s) == "" {
			t.Errorf("NameProblem(%q) accepted a deceptive name", s)
		}
		clean := safetext.SanitizeName(s)
		if safetext.NameProblem(clean) != "" {
			t.Errorf("SanitizeName(%q) = %q is still deceptive", s, clean)
		}
	}
	for _, s := range []string{"camera.xml", "Łódź — photos (2).jpg", "日本語.pdf", "report\uFFFD.txt"} {
		if p := safetext.NameProblem(s); p != "" || safetext.SanitizeName(s) != s {
			t.Errorf("NameProblem(%q) = %q: a plain name was refused or changed", s, p)
		}
	}
	if got := safetext.SanitizeName("invoice\u202Efdp.exe"); got != "invoice_fdp.exe" {
		t.Errorf("SanitizeName = %q", got)
	}
}

func TestFindUnstorable(t *testing.T) {
	type inner struct{ Name string }
	type outer struct {
		Title string
		Hosts []inner
		Tags  map[string]string
		Ptr   *inner
	}
	ok := outer{Title: "t", Hosts: []inner{{"a"}}, Tags: map[string]string{"k": "v"}, Ptr: &inner{"p"}}
	if p := safetext.FindUnstorable(ok); p != "" {
		t.Fatalf("clean value reported at %s", p)
	}
	for want, v := range map[string]any{
		".Hosts[1].Name": outer{Hosts: []inner{{"a"}, {"b\x00"}}},
		".Tags[k]":       outer{Tags: map[string]string{"k": "\xff"}},
		".Ptr.Name":      outer{Ptr: &inner{"\x00"}},
		"[0].Title":      []outer{{Title: "\x00"}},
	} {
		if got := safetext.FindUnstorable(v); got != want {
			t.Errorf("FindUnstorable = %q, want %q", got, want)
		}
	}
}
