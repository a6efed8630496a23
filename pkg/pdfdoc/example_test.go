package pdfdoc_test

import (
	"bytes"
	"fmt"
	"log"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc"
)

func Example() {
	doc := pdfdoc.New(pdfdoc.Options{
		Title:      "Information notice KENT-TS-IN-2026-0007",
		Author:     "Kent County Council Trading Standards",
		Creator:    "TradeWarden",
		CreatedAt:  time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC),
		FooterLeft: "Ref KENT-TS-IN-2026-0007 · Verification code 9b1e44c07d2a5f30",
		HeaderText: "Information notice KENT-TS-IN-2026-0007",
	})
	doc.Letterhead(pdfdoc.Letterhead{
		Authority: "Kent County Council Trading Standards",
		Address:   []string{"Invicta House, County Hall", "Maidstone, Kent ME14 1XX"},
		Right:     []pdfdoc.Field{{Label: "Our ref", Value: "KENT-TS-IN-2026-0007"}},
	})
	doc.Title("Information notice", "Consumer Rights Act 2015, Schedule 5, paragraph 14")
	doc.Particulars(
		pdfdoc.Field{Label: "Served on", Value: "Brightwave Devices Ltd"},
		pdfdoc.Field{Label: "Reply by", Value: "30 March 2026"},
	)
	doc.Heading("Information required")
	doc.Bullets(
		"The statement of compliance supplied with the SmartCam Pro 2.",
		"Sales of the product in the United Kingdom since 29 April 2024, by month.",
	)
	doc.Table(pdfdoc.Table{
		Columns: []pdfdoc.Column{{Header: "Month", Width: 2}, {Header: "Units sold", Align: pdfdoc.AlignRight}},
		Rows:    [][]string{{"January 2026", "1,240"}, {"February 2026", "985"}},
	})
	doc.Signature(pdfdoc.Signature{Name: "Paweł Wójcik", Role: "Trading Standards Officer", Date: "2 March 2026"})

	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		log.Fatal(err)
	}
	fmt.Println("pages:", doc.PageCount())
	fmt.Println("pdf:", bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")))
	// Output:
	// pages: 1
	// pdf: true
}
