package reportpdf_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
	"github.com/tradewarden/tradewarden/services/casework/reportpdf"
)

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{reportpdf.Count(0), "0"}, {reportpdf.Count(999), "999"}, {reportpdf.Count(1000), "1,000"},
		{reportpdf.Count(1234567), "1,234,567"}, {reportpdf.Count(-4200), "-4,200"},
		{reportpdf.Money(5), "£0.05"}, {reportpdf.Money(123456789), "£1,234,567.89"}, {reportpdf.Money(-250), "-£2.50"},
		{reportpdf.Days(nil), "–"}, {reportpdf.Pct(33.3), "33.3%"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func summary(from, to string) reports.Summary {
	p, err := reports.ParsePeriod(from, to, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	s := reports.Summary{Scope: reports.Scope{All: true}, Period: p, GeneratedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	for _, m := range p.Months() {
		s.Cases.PerMonth = append(s.Cases.PerMonth, reports.MonthRow{Month: m, ByStatus: map[string]int64{}})
	}
	return s
}

// Empty reports, and reports over ten years of months, still render: the
// chart has labels and a series even with no cases.
func TestSummaryPDFEdges(t *testing.T) {
	for _, s := range []reports.Summary{summary("2026-01", "2026-01"), summary("2016-12", "2026-11")} {
		var buf bytes.Buffer
		if err := reportpdf.New().SummaryPDF(&buf, s); err != nil {
			t.Fatalf("%d months: %v", len(s.Cases.PerMonth), err)
		}
		text := pdftext.Extract(t, buf.Bytes())
		for _, want := range []string{"Enforcement summary", "All authorities", "No failures recorded.", "£0.00"} {
			if !strings.Contains(text, want) {
				t.Errorf("%d months: the PDF lacks %q", len(s.Cases.PerMonth), want)
			}
		}
	}
}

func TestCasePDF(t *testing.T) {
	yes := true
	f := reports.CaseFile{PackageID: "pkg-1", GeneratedAt: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC),
		GeneratedBy: reports.Issuer{Name: "Sam Supervisor", Email: "sam@kent.test", AuthorityName: "Kent Trading Standards"},
		Recipient:   "OPSS", Purpose: "Referral",
		Case: reports.CaseInfo{Reference: "KENT-TS-2026-000001", AuthorityName: "Kent Trading Standards", Title: "Camera",
			Origin: "complaint", Status: "closed", Risk: "high", Summary: "[redacted: complaint details (R1)]",
			Scope: reports.ScopeInfo{Connectable: &yes}},
		Parties:    []reports.PartyInfo{{Operator: "Sole trader 1", SoleTrader: true, Role: "retailer", Country: "GB"}},
		Redactions: []reports.Rule{reports.Rules[0]}}
	var a, b bytes.Buffer
	if err := reportpdf.New().CasePDF(&a, f); err != nil {
		t.Fatal(err)
	}
	if err := reportpdf.New().CasePDF(&b, f); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same case file rendered twice differs")
	}
	text := pdftext.Extract(t, a.Bytes())
	for _, want := range []string{"Referral package", "KENT-TS-2026-000001", "Sole trader 1 (sole trader)", "No products linked.",
		"No notices issued.", "No shareable notes.", "No exhibits included.", "R1", "Sam Supervisor"} {
		if !strings.Contains(text, want) {
			t.Errorf("the case PDF lacks %q", want)
		}
	}
}
