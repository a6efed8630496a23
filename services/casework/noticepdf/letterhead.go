package noticepdf

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/skip2/go-qrcode"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc"
	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/categories"
)

// letterhead prints the authority's profile: logo, full name (and, for OPSS,
// that it acts for the Secretary of State), postal address and contact
// details, with the notice's references on the right.
func (n *notice) letterhead() {
	d := n.d
	a := d.Authority
	l := pdfdoc.Letterhead{Authority: d.AuthorityName, Logo: a.Logo, Address: a.Address, Contact: a.Contact()}
	if a.OnBehalfOfSecretaryOfState {
		l.Byline = authorities.SecretaryOfState
	}
	if len(l.Address) == 0 && d.AuthorityCode != "" {
		l.Address = []string{"Issuing authority code " + d.AuthorityCode}
	}
	if d.Draft {
		l.Right = []pdfdoc.Field{
			{Label: "Notice ref", Value: "DRAFT — not issued"},
			{Label: "Draft printed", Value: issueDate(d.Date)},
		}
	} else {
		l.Right = []pdfdoc.Field{
			{Label: "Notice ref", Value: d.Notice.Reference},
			{Label: "Date of issue", Value: issueDate(d.Date)},
		}
	}
	if d.CaseReference != "" {
		l.Right = append(l.Right, pdfdoc.Field{Label: "Case ref", Value: d.CaseReference})
	}
	if !d.Draft {
		l.Right = append(l.Right, pdfdoc.Field{Label: "Verification code", Value: d.Notice.Verification, Mono: true})
	}
	n.doc.Letterhead(l)
}

// officerContact is how the recipient reaches the officer: their email and
// the authority's telephone (the postal address heads the letter).
func (n *notice) officerContact() []string {
	var out []string
	if e := n.d.OfficerEmail; e != "" {
		out = append(out, "Email: "+e)
	}
	if p := n.d.Authority.Phone; p != "" {
		out = append(out, "Telephone: "+p)
	}
	return out
}

// signature signs the notice off with the officer's contact details. The
// sentence before it stays on its page, so no page holds a signature alone.
func (n *notice) signature() {
	d := n.d
	contact := n.officerContact()
	lead := "Questions about this notice should be sent to " + n.officer() + ", quoting reference " + n.quoteRef() + "."
	if len(contact) > 0 {
		lead = "Questions about this notice should be sent to " + n.officer() + " at the contact details below, quoting " +
			n.quoteRef() + "."
	}
	s := pdfdoc.Signature{
		Label:     "Signed for and on behalf of " + d.AuthorityName,
		Name:      d.IssuerName,
		Role:      "Issuing officer",
		Authority: d.AuthorityName,
		Date:      issueDate(d.Date),
		Contact:   contact,
		Lead:      []string{lead + n.checking()},
		QR:        n.signatureQR(),
	}
	if d.Authority.OnBehalfOfSecretaryOfState {
		s.Label += ", " + authorities.SecretaryOfState
	}
	if d.Draft {
		s.Label = "Draft prepared by (not signed)"
		s.Name, s.Role = d.AuthorName, "Drafting officer"
	}
	if d.ApproverName != "" {
		s.Note = "Approved by " + d.ApproverName + ", a second officer of the authority who did not draft this notice."
	}
	n.doc.Signature(s)
}

// checking tells the reader how anyone can check the notice (nothing for a draft).
func (n *notice) checking() string {
	if n.d.Draft {
		return ""
	}
	return " Anyone can check that this notice is genuine at " + n.verifyURL + " with the reference and verification " +
		"code at the foot of each page, or by scanning the code below; upload the PDF there to check an electronic copy."
}

// checkURL is the verification page prefilled with this notice's reference
// and code: what the QR code opens.
func (n *notice) checkURL() string {
	q := url.Values{"reference": {n.d.Notice.Reference}, "code": {n.d.Notice.Verification}}
	return n.verifyURL + "?" + q.Encode()
}

// verification tells a draft's reader it cannot be checked; an issued
// notice's check is beside its signature (signatureQR).
func (n *notice) verification() {
	if n.d.Draft {
		n.doc.Paragraph("This is a draft. It has not been issued and cannot be verified.")
	}
}

// signatureQR is the QR code of the prefilled verification page with how to
// check the notice, set beside the signature; nil for a draft.
func (n *notice) signatureQR() *pdfdoc.QR {
	if n.d.Draft {
		return nil
	}
	lines := []pdfdoc.Run{
		{Text: "Scan to check this notice", Bold: true},
		{Text: "\nThe code opens the verification page with this notice’s reference and verification code filled in."},
	}
	code, err := qrcode.New(n.checkURL(), qrcode.Medium)
	if err != nil {
		// Only a base URL too long for any QR code gets here; the URL still
		// prints in the text and the footer.
		return &pdfdoc.QR{Lines: lines}
	}
	return &pdfdoc.QR{Modules: code.Bitmap(), Size: 26, Lines: lines}
}

// paymentDetails tells the recipient of a penalty notice how to pay: the
// authority's bank account, with the notice reference as the payment
// reference.
func (n *notice) paymentDetails() {
	ref := n.quoteRef()
	pay := n.d.Authority.Payment
	if pay == nil {
		n.doc.Paragraph("Pay the penalty to " + n.d.AuthorityName + ", quoting reference " + ref +
			". Contact " + n.officer() + " at the authority for payment details. A daily penalty, if any, is payable for each " +
			"day on which the failure continues, and the authority will tell you the amount due.")
		return
	}
	n.doc.Paragraph("Pay the penalty by bank transfer to the account below, giving " + ref + " as the payment reference " +
		"so that the payment is matched to this notice:")
	n.doc.Particulars(
		pdfdoc.Field{Label: "Bank", Value: pay.Bank},
		pdfdoc.Field{Label: "Account name", Value: pay.AccountName},
		pdfdoc.Field{Label: "Sort code", Value: pay.SortCode, Mono: true},
		pdfdoc.Field{Label: "Account number", Value: pay.AccountNumber, Mono: true},
		pdfdoc.Field{Label: "Payment reference", Value: ref, Mono: true},
	)
	n.doc.Paragraph("A daily penalty, if any, is payable for each day on which the failure continues, and the authority " +
		"will tell you the amount due. For any other way of paying, contact " + n.officer() + ".")
}

// service says when the notice is treated as served, by each method (methods
// with the same days grouped), and that the appeal period runs from then.
func (n *notice) service() {
	a := n.d.Authority
	methods := []struct{ method, how string }{
		{authorities.ByHand, "by hand"},
		{authorities.ByEmail, "by email"},
		{authorities.ByPost, "by first class post"},
		{authorities.ByRecordedDelivery, "by recorded delivery"},
		{authorities.AtRegisteredOffice, "at your registered office"},
	}
	var order []int
	byDays := map[int][]string{}
	for _, m := range methods {
		d := a.DeemedDays(m.method)
		if _, ok := byDays[d]; !ok {
			order = append(order, d)
		}
		byDays[d] = append(byDays[d], m.how)
	}
	slices.Sort(order)
	var parts []string
	for _, d := range order {
		parts = append(parts, "if given "+joinOr(byDays[d])+", "+afterDays(d))
	}
	s := "This notice is treated as served: " + strings.Join(parts, "; ") + " (business days exclude Saturdays and Sundays)."
	if n.info.Appealable {
		s += " The 28 days for an appeal run from that day."
	}
	n.doc.Heading("Service of this notice")
	n.doc.Paragraph(s)
}

// afterDays says when service is deemed: "on that day", "on the next
// business day", "on the 2nd business day after it is sent".
func afterDays(days int) string {
	switch days {
	case 0:
		return "on the day it is given"
	case 1:
		return "on the next business day"
	}
	return "on the " + ordinal(days) + " business day after it is sent"
}

// joinOr lists alternatives: "a", "a or b", "a, b or c".
func joinOr(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// categoryLabel prints a product category as people name it:
// smart_camera → "Smart camera".
func categoryLabel(code string) string {
	if l := categories.Label(code); l != "" {
		return l
	}
	return humanise(code)
}

// humanise turns an enum value into words: "recorded_delivery" → "Recorded delivery".
func humanise(v string) string {
	return upperFirst(strings.ReplaceAll(strings.TrimSpace(v), "_", " "))
}
