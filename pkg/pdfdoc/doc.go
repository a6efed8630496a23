// Package pdfdoc lays out formal A4 documents (enforcement notices, analyst
// reports) on top of gofpdf, so that callers only describe content.
//
// A document is built top to bottom from blocks and then written once:
//
//	doc := pdfdoc.New(pdfdoc.Options{
//		Title:      "Compliance notice",
//		Author:     "Kent County Council Trading Standards",
//		CreatedAt:  issuedAt, // fixes the PDF dates: same input, same bytes
//		FooterLeft: "Ref KENT-TS-CN-2026-0001 · Verification code 3fa9c1d2e4b5a6f7",
//		HeaderText: "Compliance notice KENT-TS-CN-2026-0001",
//	})
//	doc.Letterhead(pdfdoc.Letterhead{Authority: "Kent County Council Trading Standards"})
//	doc.Title("Compliance notice", "Product Security and Telecommunications Infrastructure Act 2022, s.28")
//	doc.Particulars(pdfdoc.Field{Label: "Recipient", Value: "Brightwave Devices Ltd"})
//	doc.Heading("Grounds")
//	doc.Paragraph("…")
//	doc.Table(pdfdoc.Table{Columns: cols, Rows: rows})
//	doc.Signature(pdfdoc.Signature{Name: "A. Officer", Role: "Senior Trading Standards Officer"})
//	err := doc.Write(w)
//
// Blocks: Letterhead, Title, Particulars, Heading and Subheading (numbered),
// Paragraph, BoldParagraph and RichParagraph (bold/italic runs), Bullets,
// Table (header repeated on each page, rows never split), Signature,
// BarChart (optionally stacked, with legend), Space and PageBreak. Every page
// carries a footer with the caller's text and "Page x of y"; pages 2 onwards
// may carry a running header, and every page may carry a diagonal watermark.
//
// Text is set in the embedded Go fonts (UTF-8, so £ € é ł ü – ’ work) and
// stays extractable. Errors are sticky, as in gofpdf: block methods record
// the first error and Write returns it. Output is deterministic: the dates
// come from Options.CreatedAt and gofpdf's catalog sorting is on.
//
// Costs: the fonts' metrics are parsed once per process; gofpdf still parses
// each face it embeds once per document (its parsed fonts cannot be shared),
// so faces are registered only when a document first uses them.
package pdfdoc
