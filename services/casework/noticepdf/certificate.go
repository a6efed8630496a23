package noticepdf

import (
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc"
	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// ErrIncompleteCertificate is returned for a certificate missing a fact it
// must state.
var ErrIncompleteCertificate = errors.New("certificate of service is incomplete")

// serviceMethods says how each method of service was carried out.
var serviceMethods = map[string]string{
	authorities.ByHand:             "by handing it to the person named above",
	authorities.ByPost:             "by sending it by first class post to the address above",
	authorities.ByRecordedDelivery: "by sending it by recorded delivery to the address above",
	authorities.ByEmail:            "by sending it by email to the person named above",
	authorities.AtRegisteredOffice: "by leaving it at, or posting it to, the registered office at the address above",
}

// RenderCertificate writes the certificate of service of c.Notice as a PDF:
// the authority's letterhead, the notice served (with its SHA-256, so the
// certificate names exactly one document), how, when and on whom it was
// served, the day it is treated as served, and the serving officer's
// signature.
func (r *Renderer) RenderCertificate(w io.Writer, c notices.Certificate) error {
	n := c.Notice
	var missing []string
	for _, f := range []struct{ name, v string }{{"reference", n.Reference}, {"method", c.Method}, {"person served", c.ServedTo},
		{"serving officer", c.ServerName}, {"recipient", c.Recipient.Name}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if c.ServedAt.IsZero() || c.DeemedServedOn.IsZero() {
		missing = append(missing, "time of service")
	}
	how, known := serviceMethods[c.Method]
	if !known && c.Method != "" {
		missing = append(missing, "known method of service")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: no %s", ErrIncompleteCertificate, joinAnd(missing))
	}
	name := c.Authority.DisplayName()
	doc := pdfdoc.New(pdfdoc.Options{Title: "Certificate of service of " + n.Reference, Author: name,
		Subject: "Certificate of service of " + c.Title + " " + n.Reference, Creator: "TradeWarden", CreatedAt: c.RecordedAt,
		FooterLeft: "Certificate of service · " + n.Reference,
		HeaderText: "Certificate of service · " + c.Title + " " + n.Reference})
	l := pdfdoc.Letterhead{Authority: name, Logo: c.Authority.Logo, Address: c.Authority.Address, Contact: c.Authority.Contact(),
		Right: []pdfdoc.Field{{Label: "Notice ref", Value: n.Reference}, {Label: "Case ref", Value: c.CaseReference}}}
	if c.Authority.OnBehalfOfSecretaryOfState {
		l.Byline = authorities.SecretaryOfState
	}
	doc.Letterhead(l)
	doc.Title("Certificate of service", c.Title+" "+n.Reference)
	issued := ""
	if n.IssuedAt != nil {
		issued = issueDate(*n.IssuedAt)
	}
	doc.Particulars(
		pdfdoc.Field{Label: "Notice", Value: c.Title + " " + n.Reference},
		pdfdoc.Field{Label: "Date of issue", Value: issued},
		pdfdoc.Field{Label: "SHA-256 of the notice", Value: splitHash(n.SHA256), Mono: true},
		pdfdoc.Field{Label: "Given to", Value: c.Recipient.Name},
		pdfdoc.Field{Label: "Address", Value: c.Recipient.Address},
		pdfdoc.Field{Label: "Served on", Value: c.ServedTo},
		pdfdoc.Field{Label: "Method of service", Value: humanise(c.Method)},
		pdfdoc.Field{Label: "Date and time of service", Value: c.ServedAt.In(london).Format("2 January 2006 at 15:04") + " (UK time)"},
		pdfdoc.Field{Label: "Treated as served on", Value: calendarDate(c.DeemedServedOn)},
	)
	doc.Paragraph("I certify that on " + c.ServedAt.In(london).Format("2 January 2006") + " I served the " + lowerInitial(c.Title) +
		" identified above, " + how + ". Under the authority’s rules for service it is treated as served on " +
		calendarDate(c.DeemedServedOn) + ", " + afterDays(c.Authority.DeemedDays(c.Method)) + " for this method.")
	contact := []string{}
	if c.ServerEmail != "" {
		contact = append(contact, "Email: "+c.ServerEmail)
	}
	doc.Signature(pdfdoc.Signature{Label: "Signed by the officer who served the notice", Name: c.ServerName,
		Role: "Serving officer", Authority: name, Date: issueDate(c.RecordedAt), Contact: contact,
		Note: "Recorded in TradeWarden on " + c.RecordedAt.In(london).Format("2 January 2006 at 15:04") + " (UK time)."})
	if err := doc.Write(w); err != nil {
		return fmt.Errorf("render certificate of service of %s: %w", n.Reference, err)
	}
	return nil
}

// lowerInitial lower-cases the first letter: "Compliance notice" → "compliance notice".
func lowerInitial(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
