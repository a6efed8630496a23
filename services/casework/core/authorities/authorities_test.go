package authorities

import (
	"bytes"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

func TestDeemedServedCountsBusinessDaysFromTheUKDay(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	fri := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC) // Friday
	cases := []struct {
		p      Profile
		method string
		at     time.Time
		want   string
	}{
		{Profile{}, ByHand, fri, "2026-11-27"},
		{Profile{}, ByEmail, fri, "2026-11-30"},            // Monday
		{Profile{}, ByPost, fri, "2026-12-01"},             // Tuesday
		{Profile{}, ByRecordedDelivery, fri, "2026-12-01"}, // Tuesday
		{Profile{}, AtRegisteredOffice, fri, "2026-12-01"}, // Tuesday
		{Profile{DeemedService: map[string]int{ByPost: 5}}, ByPost, fri, "2026-12-04"},
		{Profile{DeemedService: map[string]int{ByEmail: 0}}, ByEmail, fri, "2026-11-27"},
		// 23:30 UTC on 30 June is 1 July in London.
		{Profile{}, ByHand, time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC), "2026-07-01"},
		// Saturday by hand is served that Saturday; by post, Tuesday.
		{Profile{}, ByHand, day("2026-11-28").Add(12 * time.Hour), "2026-11-28"},
		{Profile{}, ByPost, day("2026-11-28").Add(12 * time.Hour), "2026-12-01"},
	}
	for _, c := range cases {
		if got := c.p.DeemedServed(c.method, c.at).Format(time.DateOnly); got != c.want {
			t.Errorf("%s at %s with %v: %s, want %s", c.method, c.at, c.p.DeemedService, got, c.want)
		}
	}
}

func validInput() Input {
	return Input{FullName: "Kent County Council Trading Standards", Address: []string{"Invicta House", "Maidstone ME14 1XX"},
		Phone: "+44 3000 41 22 33", Email: "ts@kent.example.gov.uk", Website: "https://kent.example.gov.uk",
		Payment: &Payment{Bank: "Lloyds", AccountName: "KCC", SortCode: "30 96 34", AccountNumber: "1234 5678"}}
}

func TestCleanNamesEveryBadField(t *testing.T) {
	a := Authority{ID: "a", Code: "KENT-TS", Name: "Kent"}
	p, err := clean(validInput(), a)
	if err == nil {
		t.Fatal("a sort code with spaces was accepted")
	}
	in := validInput()
	in.Payment.SortCode = "309634"
	if p, err = clean(in, a); err != nil || p.Payment.SortCode != "30-96-34" || p.Payment.AccountNumber != "12345678" {
		t.Fatalf("clean: %+v %v", p.Payment, err)
	}
	bad := validInput()
	bad.FullName, bad.Phone, bad.Email, bad.Website = "", "call us", "a@b@c", "ftp://x"
	bad.OnBehalfOfSecretaryOfState = true
	bad.Payment = &Payment{SortCode: "1", AccountNumber: "x"}
	bad.DeemedService = map[string]int{"carrier_pigeon": 1, ByPost: -1}
	bad.Logo = []byte("\x89PNG\r\n\x1a\n truncated")
	bad.EvidenceRetentionDays = MaxRetentionDays + 1
	_, err = clean(bad, a)
	for _, f := range []string{"full_name", "phone", "email", "website", "on_behalf_of_secretary_of_state", "payment.bank",
		"payment.account_name", "payment.sort_code", "payment.account_number", "deemed_service_days.carrier_pigeon",
		"deemed_service_days.post", "logo_png", "evidence_retention_days"} {
		if !hasField(err, f) {
			t.Errorf("no error for %s: %v", f, err)
		}
	}
	in.EvidenceRetentionDays = 3650
	if p, err := clean(in, a); err != nil || p.EvidenceRetentionDays != 3650 {
		t.Errorf("ten years' retention: %d %v", p.EvidenceRetentionDays, err)
	}
	in.OnBehalfOfSecretaryOfState = true
	in.Payment.SortCode = "30-96-34"
	if _, err := clean(in, Authority{ID: "o", Code: "OPSS", National: true}); err != nil {
		t.Errorf("a national authority may act for the Secretary of State: %v", err)
	}
}

func TestLogoIsReencodedAsPlainPNG(t *testing.T) {
	img := image.NewGray16(image.Rect(0, 0, 10, 5)) // 16-bit depth, which PDF writers reject
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	out, err := normaliseLogo(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(out))
	if err != nil || cfg.Width != 10 || cfg.Height != 5 {
		t.Fatalf("re-encoded logo: %+v %v", cfg, err)
	}
	// IHDR: bit depth at byte 24, interlace method at byte 28.
	if out[24] != 8 || out[28] != 0 {
		t.Errorf("the logo is stored with bit depth %d, interlace %d; want 8, 0", out[24], out[28])
	}
	mustDecode(t, out)
	if _, err := normaliseLogo(make([]byte, MaxLogoBytes+1)); err == nil {
		t.Error("an oversized logo was accepted")
	}
	huge := image.NewNRGBA(image.Rect(0, 0, MaxLogoSide+1, 1))
	b.Reset()
	_ = png.Encode(&b, huge)
	if _, err := normaliseLogo(b.Bytes()); err == nil {
		t.Error("a logo wider than the limit was accepted")
	}
}

func mustDecode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func hasField(err error, field string) bool {
	e, ok := apperr.As(err)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
