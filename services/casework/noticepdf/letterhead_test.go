package noticepdf_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/pdfdoc/pdftext"
	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/noticepdf"
)

const officerEmail = "amelie.laurent@opss.example.gov.uk"

// opssProfile is the national authority's letterhead, acting for the
// Secretary of State, with penalty payment details.
func opssProfile() authorities.Profile {
	return authorities.Profile{AuthorityID: "auth-opss", AuthorityCode: authorityCode, Name: authorityName, National: true,
		FullName: authorityName, Address: []string{"4th Floor, Cannon House", "18 The Priory Queensway", "Birmingham B4 6BS"},
		Phone: "0121 345 1200", Email: "enquiries@opss.example.gov.uk", Website: "https://www.gov.uk/opss",
		OnBehalfOfSecretaryOfState: true,
		Payment: &authorities.Payment{Bank: "Government Banking Service", AccountName: "DBT OPSS Penalties",
			SortCode: "08-33-00", AccountNumber: "12345678"}}
}

func TestLetterheadAndSignatureCarryTheAuthorityProfile(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	pages := pdftext.Pages(t, render(t, complianceDoc()))
	first := flat(pages[0])
	for _, want := range []string{authorityName, "on behalf of the Secretary of State", "4th Floor, Cannon House",
		"Birmingham B4 6BS", "Telephone 0121 345 1200", "Email enquiries@opss.example.gov.uk", "Web https://www.gov.uk/opss"} {
		if !strings.Contains(first, want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	last := flat(pages[len(pages)-1])
	all := flat(strings.Join(pages, " "))
	for _, want := range []string{"Email: " + officerEmail, "Telephone: 0121 345 1200", issuerName,
		"Signed for and on behalf of " + authorityName, "Questions about this notice should be sent to " + issuerName +
			" at the contact details below"} {
		if !strings.Contains(all, want) {
			t.Errorf("notice lacks %q in the signature block", want)
		}
	}
	if n := strings.Count(all, "on behalf of the Secretary of State"); n < 2 {
		t.Errorf("the Secretary of State is named %d times, want the letterhead and the signature", n)
	}
	if !strings.Contains(last, noticepdf.DefaultBaseURL+"/verify") {
		t.Error("last page lacks the absolute verification URL")
	}
}

func TestPenaltyNoticePrintsPaymentDetailsWithTheNoticeReference(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	d := penaltyDoc()
	text := flat(pdftext.Extract(t, render(t, d)))
	for _, want := range []string{"Government Banking Service", "DBT OPSS Penalties", "08-33-00", "12345678",
		"Payment reference " + d.Notice.Reference, "giving " + d.Notice.Reference + " as the payment reference"} {
		if !strings.Contains(text, want) {
			t.Errorf("penalty notice lacks %q", want)
		}
	}
	d.Authority.Payment = nil
	if text := flat(pdftext.Extract(t, render(t, d))); strings.Contains(text, "Sort code") ||
		!strings.Contains(text, "for payment details") {
		t.Error("without payment details the notice must send the recipient to the officer, not print an account")
	}
	// Other notices carry no bank details.
	if text := flat(pdftext.Extract(t, render(t, complianceDoc()))); strings.Contains(text, "Sort code") {
		t.Error("a compliance notice prints bank details")
	}
}

func TestVerificationURLIsAbsoluteFromTheBaseURL(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	d := complianceDoc()
	var buf bytes.Buffer
	if err := noticepdf.New(noticepdf.WithBaseURL("https://tradewarden.example.gov.uk/")).Render(&buf, d); err != nil {
		t.Fatal(err)
	}
	pages := pdftext.Pages(t, buf.Bytes())
	for i, p := range pages {
		if !strings.Contains(p, "https://tradewarden.example.gov.uk/verify") || strings.Contains(p, "verify…") {
			t.Errorf("page %d footer lacks the absolute verification URL", i+1)
		}
	}
	if !strings.Contains(flat(pages[len(pages)-1]), "genuine at https://tradewarden.example.gov.uk/verify with the reference") {
		t.Error("the checking paragraph lacks the absolute URL")
	}
}

func TestDeemedServiceDaysArePrintedPerAuthority(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	text := flat(pdftext.Extract(t, render(t, complianceDoc())))
	for _, want := range []string{"Service of this notice", "if given by hand, on the day it is given",
		"if given by email, on the next business day",
		"if given by first class post, by recorded delivery or at your registered office, on the 2nd business day after it is sent",
		"The 28 days for an appeal run from that day"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q", want)
		}
	}
	d := complianceDoc()
	d.Authority.DeemedService = map[string]int{authorities.ByPost: 3, authorities.ByEmail: 0}
	text = flat(pdftext.Extract(t, render(t, d)))
	for _, want := range []string{"if given by hand or by email, on the day it is given",
		"if given by recorded delivery or at your registered office, on the 2nd business day",
		"if given by first class post, on the 3rd business day after it is sent"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice with the authority's own days lacks %q", want)
		}
	}
	// Information notices cannot be appealed: no appeal period is mentioned.
	if text := flat(pdftext.Extract(t, render(t, informationDoc()))); strings.Contains(text, "28 days for an appeal") {
		t.Error("an information notice speaks of an appeal period")
	}
}

func TestEnumsArePrintedAsWords(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	d := complianceDoc()
	d.Products[0].Category = "smart_camera"
	d.Products[0].Category = "video_doorbell"
	text := flat(pdftext.Extract(t, render(t, d)))
	if !strings.Contains(text, "Video doorbell") || strings.Contains(text, "video_doorbell") {
		t.Error("the product category is printed as its code")
	}
	d.Products[0].Category = "smart_camera"
	if text := flat(pdftext.Extract(t, render(t, d))); !strings.Contains(text, "Smart camera") {
		t.Error("an unknown category code is not printed as words")
	}
}

func TestLogoIsDrawn(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 120, 60))
	for x := range 120 {
		for y := range 60 {
			img.Set(x, y, color.NRGBA{R: uint8(x), G: 55, B: 94, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	d := complianceDoc()
	without := render(t, d)
	d.Authority.Logo = b.Bytes()
	with := render(t, d)
	if !bytes.Contains(with, []byte("/Subtype /Image")) || bytes.Contains(without, []byte("/Subtype /Image")) {
		t.Error("the logo is not embedded as an image")
	}
	d.Authority.Logo = []byte("not a png")
	var buf bytes.Buffer
	if err := noticepdf.New().Render(&buf, d); err == nil {
		t.Error("a broken logo rendered silently")
	}
}

// However long the schedule, the signature never stands alone on a page:
// the sentence before it moves with it.
func TestSignatureKeepsTheTextBeforeIt(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	for rows := 1; rows <= 24; rows++ {
		d := longSchedule(rows)
		for _, p := range pdftext.Pages(t, render(t, d)) {
			p = flat(p)
			if strings.Contains(p, "Signed for and on behalf of") && !strings.Contains(p, "Questions about this notice") {
				t.Fatalf("with %d schedule rows the signature starts a page without the text before it", rows)
			}
		}
	}
}

func certificateOf(d notices.Document) notices.Certificate {
	n := d.Notice
	n.SHA256 = "3fa9c1d2e4b5a6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f"
	return notices.Certificate{Notice: n, Title: d.Info.Title, CaseReference: caseRef, Authority: opssProfile(),
		Recipient: notices.Recipient{Name: d.Recipient.Name, Address: d.Recipient.Address}, Method: authorities.ByRecordedDelivery,
		ServedAt: issuedAt.Add(26 * time.Hour), ServedTo: "Ms J. Patel, company secretary",
		DeemedServedOn: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), ServerName: issuerName, ServerEmail: officerEmail,
		RecordedAt: issuedAt.Add(27 * time.Hour)}
}

func TestCertificateOfServiceStatesWhoHowWhenAndToWhom(t *testing.T) {
	pdftext.Available(t, "pdftotext")
	c := certificateOf(complianceDoc())
	var buf bytes.Buffer
	if err := noticepdf.New().RenderCertificate(&buf, c); err != nil {
		t.Fatal(err)
	}
	text := flat(pdftext.Extract(t, buf.Bytes()))
	for _, want := range []string{"Certificate of service", "Compliance notice " + c.Notice.Reference, "Date of issue 26 November 2026",
		"3fa9c1d2e4b5a6f708192a3b4c5d6e7f", "Given to Brightwave Devices Ltd", "Served on Ms J. Patel, company secretary",
		"Method of service Recorded delivery", "27 November 2026 at 12:15 (UK time)", "Treated as served on 1 December 2026",
		"I certify that on 27 November 2026 I served the compliance notice identified above, by sending it by recorded delivery",
		issuerName, "Serving officer", "Email: " + officerEmail, "on behalf of the Secretary of State", "Birmingham B4 6BS"} {
		if !strings.Contains(text, want) {
			t.Errorf("certificate lacks %q", want)
		}
	}
	c.ServedTo, c.Method = "", "pigeon"
	if err := noticepdf.New().RenderCertificate(&buf, c); !errors.Is(err, noticepdf.ErrIncompleteCertificate) {
		t.Errorf("incomplete certificate: %v", err)
	}
}
