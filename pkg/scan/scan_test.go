package scan_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

func TestSeverityFromCVSS(t *testing.T) {
	tests := []struct {
		score float64
		want  scan.Severity
	}{
		{0, scan.SeverityInfo}, {0.1, scan.SeverityLow}, {3.9, scan.SeverityLow}, {4.0, scan.SeverityMedium},
		{6.9, scan.SeverityMedium}, {7.0, scan.SeverityHigh}, {8.9, scan.SeverityHigh}, {9.0, scan.SeverityCritical},
		{10, scan.SeverityCritical}, {-1, scan.SeverityUnknown}, {10.1, scan.SeverityUnknown}, {math.NaN(), scan.SeverityUnknown},
	}
	for _, tt := range tests {
		if got := scan.SeverityFromCVSS(tt.score); got != tt.want {
			t.Errorf("SeverityFromCVSS(%v) = %q, want %q", tt.score, got, tt.want)
		}
	}
}

func TestSeverityFromLevel(t *testing.T) {
	tests := []struct {
		level string
		want  scan.Severity
		ok    bool
	}{
		{"0", scan.SeverityInfo, true}, {"4", scan.SeverityCritical, true}, // Nessus
		{"None", scan.SeverityInfo, true}, {"Medium", scan.SeverityMedium, true}, // risk_factor
		{"Log", scan.SeverityInfo, true}, {"High", scan.SeverityHigh, true}, // GVM threat
		{"none", scan.SeverityInfo, true}, {"critical", scan.SeverityCritical, true}, // CycloneDX
		{"OK", scan.SeverityInfo, true}, {"LOW", scan.SeverityLow, true}, {"CRITICAL", scan.SeverityCritical, true}, // testssl
		{"unknown", scan.SeverityUnknown, true}, {"catastrophic", scan.SeverityUnknown, false},
	}
	for _, tt := range tests {
		got, ok := scan.SeverityFromLevel(tt.level)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SeverityFromLevel(%q) = %q, %v; want %q, %v", tt.level, got, ok, tt.want, tt.ok)
		}
	}
	if scan.SeverityLow.Max(scan.SeverityHigh) != scan.SeverityHigh || scan.SeverityCritical.Max(scan.SeverityInfo) != scan.SeverityCritical {
		t.Error("Max")
	}
	if scan.Severity("bogus").Rank() != -1 || scan.SeverityUnknown.Rank() >= scan.SeverityInfo.Rank() {
		t.Error("Rank")
	}
}

func TestClipKeepsRunes(t *testing.T) {
	s := strings.Repeat("é", 10) // 20 bytes
	got, cut := scan.Clip(s, 5)
	if !cut || got != "éé" || !utf8.ValidString(got) {
		t.Fatalf("Clip = %q, %v", got, cut)
	}
	if got, cut := scan.Clip("short", 10); got != "short" || cut {
		t.Fatalf("Clip short = %q, %v", got, cut)
	}
	long := []byte(" " + strings.Repeat("日", scan.MaxField) + " ")
	if f := scan.Field(long); len(f) > scan.MaxField || !utf8.ValidString(f) {
		t.Fatalf("Field: %d bytes", len(f))
	}
	out, trunc := scan.OutputBytes([]byte(strings.Repeat("x", scan.MaxOutput+1)))
	if !trunc || len(out) != scan.MaxOutput {
		t.Fatalf("OutputBytes: %d %v", len(out), trunc)
	}
}

func TestTextBuffer(t *testing.T) {
	tb := scan.TextBuffer{Max: 7}
	tb.Write([]byte("abc"))
	tb.WriteString("dé")
	tb.Write([]byte("éxyz")) // the limit falls inside the second é
	got, trunc := tb.String()
	if got != "abcdé" || !trunc {
		t.Fatalf("got %q, %v", got, trunc)
	}
	tb.Reset()
	tb.WriteString("ok")
	if got, trunc := tb.String(); got != "ok" || trunc {
		t.Fatalf("after reset %q %v", got, trunc)
	}
}

func TestFindCVEs(t *testing.T) {
	text := "IDs: CVE:CVE-2014-3566 cve-2016-2183, CVE-2014-3566 again; CVE-123-4 CVE-2021-44228x CVE-2017-01445678901234567890123"
	got := scan.FindCVEs([]string{"CVE-2016-2183"}, text)
	want := []string{"CVE-2016-2183", "CVE-2014-3566", "CVE-2021-44228"}
	if !slices.Equal(got, want) {
		t.Fatalf("FindCVEs = %v, want %v", got, want)
	}
	if got := scan.FindCVEs(nil, []byte("x CVE-2020-1234")); !slices.Equal(got, []string{"CVE-2020-1234"}) {
		t.Fatalf("bytes: %v", got)
	}
	if id, ok := scan.NormalizeCVE(" cve-2020-0601 "); !ok || id != "CVE-2020-0601" {
		t.Fatalf("NormalizeCVE = %q %v", id, ok)
	}
	if _, ok := scan.NormalizeCVE("GHSA-xxxx"); ok {
		t.Fatal("GHSA accepted as CVE")
	}
}

func TestKey(t *testing.T) {
	a := scan.Key(scan.FormatNmap, "10.0.0.1", "tcp", "23", "port")
	if a != scan.Key(scan.FormatNmap, "10.0.0.1", "tcp", "23", "port") || !strings.HasPrefix(a, "nmap:") || len(a) != len("nmap:")+32 {
		t.Fatalf("key %q", a)
	}
	// Part boundaries matter: ("ab","c") and ("a","bc") differ.
	if scan.Key(scan.FormatNmap, "ab", "c") == scan.Key(scan.FormatNmap, "a", "bc") {
		t.Fatal("part boundaries ignored")
	}
	if scan.Key(scan.FormatNmap, "x") == scan.Key(scan.FormatNessus, "x") {
		t.Fatal("format ignored")
	}
}

func TestReportCaps(t *testing.T) {
	var r scan.Report
	for i := range scan.MaxWarnings + 5 {
		r.Warn("w%d", i)
	}
	for range scan.MaxHosts + 2 {
		r.AddHost(scan.Host{Address: "10.0.0.1"})
	}
	r.Finish()
	if len(r.Hosts) != scan.MaxHosts || len(r.Warnings) != scan.MaxWarnings+1 ||
		r.Warnings[len(r.Warnings)-1] != "6 further warnings not kept" {
		t.Fatalf("hosts %d warnings %d last %q", len(r.Hosts), len(r.Warnings), r.Warnings[len(r.Warnings)-1])
	}
}

func TestParseError(t *testing.T) {
	err := fmt.Errorf("nmap: %w", scan.Malformedf(scan.Position{Offset: 10, Line: 2}, "bad %s", "tag"))
	if !errors.Is(err, scan.ErrMalformed) || errors.Is(err, scan.ErrUnsafe) {
		t.Fatal("classification")
	}
	var pe *scan.ParseError
	if !errors.As(err, &pe) || pe.Pos.Line != 2 || !strings.Contains(err.Error(), "line 2 (byte 10): bad tag") {
		t.Fatalf("message %q", err)
	}
	if u := scan.Unsafef(scan.Position{Offset: 3}, "x"); !errors.Is(u, scan.ErrUnsafe) || !strings.Contains(u.Error(), "byte 3") {
		t.Fatalf("unsafe %q", u)
	}
}
