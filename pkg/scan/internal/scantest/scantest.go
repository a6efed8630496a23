// Package scantest holds helpers shared by the parsers' tests: golden files
// with an -update flag and checks every parsed report must pass.
package scantest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// Golden compares v, as indented JSON, with the file at path, or rewrites
// the file when the test runs with -update.
func Golden(t testing.TB, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the parse result (run with -update after checking):\n%s", path, firstDiff(string(got), string(want)))
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

// Fixtures lists the files in dir with the given extension.
func Fixtures(t testing.TB, dir, ext string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"+ext))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".golden.json") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s fixtures in %s", ext, dir)
	}
	return out
}

// GoldenPath is the golden file beside a fixture.
func GoldenPath(fixture string) string {
	return strings.TrimSuffix(fixture, filepath.Ext(fixture)) + ".golden.json"
}

// CheckReport verifies invariants every parsed report keeps: the format is
// set, each item has a key of that format, unique within the report, a
// kind, a tool id and a valid severity, and text is valid UTF-8 within the
// limits.
func CheckReport(t testing.TB, rep scan.Report, f scan.Format) {
	t.Helper()
	if rep.Format != f {
		t.Errorf("format = %q, want %q", rep.Format, f)
	}
	seen := map[string]int{}
	for i, it := range rep.Items {
		if !strings.HasPrefix(it.Key, string(f)+":") {
			t.Errorf("item %d: key %q lacks the %s prefix", i, it.Key, f)
		}
		if j, dup := seen[it.Key]; dup {
			t.Errorf("items %d and %d share key %s", j, i, it.Key)
		}
		seen[it.Key] = i
		if it.Kind == "" || it.ToolID == "" || it.Title == "" {
			t.Errorf("item %d lacks kind, tool id or title: %+v", i, it)
		}
		if it.Severity.Rank() < 0 {
			t.Errorf("item %d: invalid severity %q", i, it.Severity)
		}
		if len(it.Output) > scan.MaxOutput || !utf8.ValidString(it.Output) || !utf8.ValidString(it.Title) {
			t.Errorf("item %d: output over the limit or invalid UTF-8", i)
		}
	}
}

// CheckFuzzed verifies the invariants that hold for any input a parser
// accepts, including fuzzed ones where duplicate findings are possible:
// format, key prefix, kind, tool id, title, valid severity, text within
// limits and valid UTF-8.
func CheckFuzzed(t testing.TB, rep scan.Report, f scan.Format) {
	t.Helper()
	if rep.Format != f {
		t.Fatalf("format = %q, want %q", rep.Format, f)
	}
	for i, it := range rep.Items {
		if !strings.HasPrefix(it.Key, string(f)+":") || it.Kind == "" || it.ToolID == "" || it.Title == "" {
			t.Fatalf("item %d incomplete: %+v", i, it)
		}
		if it.Severity.Rank() < 0 {
			t.Fatalf("item %d: invalid severity %q", i, it.Severity)
		}
		if len(it.Output) > scan.MaxOutput || len(it.Title) > scan.MaxField || len(it.Summary) > scan.MaxField {
			t.Fatalf("item %d: text over the limits", i)
		}
		for _, s := range []string{it.Title, it.Output, it.Summary, it.Host.Address, it.Host.Hostname, it.Product, it.Service} {
			if !utf8.ValidString(s) {
				t.Fatalf("item %d: invalid UTF-8 %q", i, s)
			}
		}
	}
	if len(rep.Warnings) > scan.MaxWarnings+1 || len(rep.Hosts) > scan.MaxHosts {
		t.Fatalf("warnings %d hosts %d over the caps", len(rep.Warnings), len(rep.Hosts))
	}
}

// FuzzSeeds adds every fixture in dir with the given extension to f.
func FuzzSeeds(f *testing.F, dir, ext string) {
	f.Helper()
	for _, path := range Fixtures(f, dir, ext) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// Keys returns the sorted item keys of a report.
func Keys(rep scan.Report) []string {
	keys := make([]string, len(rep.Items))
	for i, it := range rep.Items {
		keys[i] = it.Key
	}
	slices.Sort(keys)
	return keys
}

// ByKey indexes a report's items by key.
func ByKey(rep scan.Report) map[string]scan.Item {
	m := make(map[string]scan.Item, len(rep.Items))
	for _, it := range rep.Items {
		m[it.Key] = it
	}
	return m
}

// CheckBadInput asserts err is a report error (ErrMalformed or ErrUnsafe),
// not a panic or I/O error.
func CheckBadInput(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if !errors.Is(err, scan.ErrMalformed) && !errors.Is(err, scan.ErrUnsafe) && !errors.Is(err, scan.ErrUnsupported) {
		t.Fatalf("error is neither ErrMalformed nor ErrUnsafe: %v", err)
	}
}
