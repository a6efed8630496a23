package pdfdoc_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc"
)

// issuedAt is the fixed issue time of the sample notice.
var issuedAt = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)

const (
	noticeRef  = "KENT-TS-CN-2026-0001"
	verifyCode = "3fa9c1d2e4b5a6f7"
	authority  = "Kent County Council Trading Standards"
)

func noticeOptions() pdfdoc.Options {
	return pdfdoc.Options{
		Title:      "Compliance notice " + noticeRef,
		Author:     authority,
		Subject:    "Compliance notice under section 28 of the PSTI Act 2022",
		Creator:    "TradeWarden",
		CreatedAt:  issuedAt,
		FooterLeft: "Ref " + noticeRef + " · Verification code " + verifyCode,
		HeaderText: "Compliance notice " + noticeRef + " · Brightwave Devices Ltd",
	}
}

// scheduleColumns and scheduleRows are the evidence schedule of the notice.
var scheduleColumns = []pdfdoc.Column{
	{Header: "Exhibit", Width: 1.0},
	{Header: "Description", Width: 4.2},
	{Header: "Obtained", Width: 1.4},
	{Header: "Provision", Width: 1.4},
	{Header: "SHA-256 (first 16)", Width: 2.1, Mono: true},
}

var exhibitKinds = []string{
	"Test purchase of SmartCam Pro 2 unit %d (£49.99, Maison Connectée)",
	"Default login “admin” / “admin” accepted on unit %d after reset",
	"nmap scan of unit %d: telnet 23/tcp and RTSP 554/tcp open",
	"Listing %d screenshot: no support period stated (Ł. Wójcik)",
	"Statement of compliance in box of unit %d, signed J. Müller",
}

func scheduleRows(n int) [][]string {
	rows := make([][]string, n)
	for i := range n {
		rows[i] = []string{
			fmt.Sprintf("JW/%02d", i+1),
			fmt.Sprintf(exhibitKinds[i%len(exhibitKinds)], i/len(exhibitKinds)+1),
			issuedAt.AddDate(0, 0, -40+i).Format("2 Jan 2006"),
			[]string{"Sch 1 para 1", "Sch 1 para 2", "Sch 1 para 3"}[i%3],
			fmt.Sprintf("%016x", uint64(i+1)*0x9e3779b97f4a7c15),
		}
	}
	return rows
}

// buildNotice lays out a realistic three-page compliance notice.
func buildNotice(opts pdfdoc.Options) *pdfdoc.Doc {
	doc := pdfdoc.New(opts)
	doc.Letterhead(pdfdoc.Letterhead{
		Authority: authority,
		Address:   []string{"Invicta House, County Hall", "Maidstone, Kent ME14 1XX"},
		Contact:   []string{"Tel 03000 41 22 22", "trading.standards@kent.gov.uk"},
		Right: []pdfdoc.Field{
			{Label: "Our ref", Value: noticeRef},
			{Label: "Date of issue", Value: "2 March 2026"},
			{Label: "Officer", Value: "Paweł Wójcik"},
		},
	})
	doc.Title("Compliance notice",
		"Product Security and Telecommunications Infrastructure Act 2022, section 28")
	doc.Particulars(
		pdfdoc.Field{Label: "Served on", Value: "Brightwave Devices Ltd (company no. 11223344)"},
		pdfdoc.Field{Label: "Registered office", Value: "Unit 7, Café Quarter, 12 Müller Road, Ashford TN23 1AA"},
		pdfdoc.Field{Label: "Capacity", Value: "Importer (sections 14–20)"},
		pdfdoc.Field{Label: "Product", Value: "SmartCam Pro 2 indoor security camera, model SC-P2-UK, batch 2025-11"},
		pdfdoc.Field{Label: "Compliance period", Value: "28 days from the date of service"},
		pdfdoc.Field{Label: "Verification code", Value: verifyCode, Mono: true},
	)
	doc.Heading("Why this notice is given")
	doc.Paragraph("The enforcement authority has reasonable grounds to believe that you have failed " +
		"to comply with duties under Part 1, Chapter 2 of the Product Security and Telecommunications " +
		"Infrastructure Act 2022 in respect of the product described above, which you made available " +
		"to consumers in the United Kingdom through your own website and through the online shop " +
		"of Maison Connectée SARL.")
	doc.RichParagraph(
		pdfdoc.Run{Text: "In particular, "},
		pdfdoc.Run{Text: "units of the product share the universal default password “admin”", Bold: true},
		pdfdoc.Run{Text: ", contrary to paragraph 1 of Schedule 1 to the Product Security (Security " +
			"Requirements for Relevant Connectable Products) Regulations 2023, and "},
		pdfdoc.Run{Text: "no defined support period is published", Bold: true},
		pdfdoc.Run{Text: ", contrary to paragraph 3 of that Schedule."},
	)
	doc.Subheading("Breaches identified")
	doc.Bullets(
		"Paragraph 1 (passwords): every unit tested accepted the same default credentials after a factory reset.",
		"Paragraph 2 (reporting security issues): no contact point for security reports was published.",
		"Paragraph 3 (security update period): the sales page and packaging state no support end date.",
	)
	doc.Heading("What you must do")
	doc.Paragraph("Within the compliance period you must take the following steps and send evidence " +
		"that you have done so to the officer named above:")
	doc.Bullets(
		"Stop supplying units of the product that use a universal default password.",
		"Publish a defined support period, with its end date, on every sales page for the product.",
		"Publish a point of contact for reporting security issues, with timescales for acknowledgement.",
		"Tell each distributor you supplied, including Maison Connectée SARL and Kühn Elektronik GmbH, of these steps.",
	)
	doc.BoldParagraph("Failure to comply with this notice is an offence under section 32 of the Act. " +
		"A monetary penalty of up to £10 million or 4% of qualifying worldwide revenue (for example " +
		"€11.6 million), plus up to £20,000 for each day the failure continues, may also be imposed.")
	doc.Heading("Schedule of evidence")
	doc.Paragraph("The exhibits listed below were obtained by officers of the authority and are " +
		"retained in accordance with the Criminal Procedure and Investigations Act 1996 Code of Practice.")
	doc.Table(pdfdoc.Table{Columns: scheduleColumns, Rows: scheduleRows(25)})
	doc.Heading("Your right of appeal")
	doc.Paragraph("You may appeal against this notice to the First-tier Tribunal (General Regulatory " +
		"Chamber) within 28 days beginning with the day on which the notice was given. An appeal does " +
		"not suspend the notice unless the Tribunal so orders. If you do not appeal, the authority’s " +
		"decision becomes final.")
	doc.Signature(pdfdoc.Signature{
		Label:     "Signed on behalf of the enforcement authority",
		Name:      "Paweł Wójcik",
		Role:      "Senior Trading Standards Officer",
		Authority: authority,
		Date:      "2 March 2026",
	})
	return doc
}

func renderNotice(tb testing.TB, opts pdfdoc.Options) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := buildNotice(opts).Write(&buf); err != nil {
		tb.Fatalf("render notice: %v", err)
	}
	return buf.Bytes()
}
