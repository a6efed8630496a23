package identity

import (
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

func TestPasswordPolicy(t *testing.T) {
	var p PasswordPolicy
	refused := map[string]string{
		"":                            "empty",
		"            ":                "whitespace only",
		"\t\n \u00a0\u2003\t\n  \t\n": "whitespace only (Unicode spaces)",
		"Xk9#mQ2":                     "too short",
		"1qaz2wsx3edc":                "on the common list",
		"  QAZWSXEDCRFV  ":            "on the common list, any case, padded",
		"password1234":                "guessable",
		"Password12345":               "guessable",
		"aaaaaaaaaaaaaaaa":            "repeat",
		"letmeinletmein":              "repeated common word",
		"qwertyuiop123":               "keyboard run",
		"iloveyou2024!":               "common word and a year",
		strings.Repeat("ab", 600):     "too long",
		"jo.bloggs@kent.example":      "the account's email",
		"Joanna Bloggs 1":             "the account's name",
		"\xff\xfe invalid utf-8 text": "invalid UTF-8",
	}
	for pw, why := range refused {
		err := p.Check("password", pw, "jo.bloggs@kent.example", "Joanna Bloggs")
		ae, ok := apperr.As(err)
		if !ok || ae.Code != apperr.Invalid || len(ae.Fields) != 1 || ae.Fields[0].Field != "password" {
			t.Errorf("%q (%s) → %v, want an invalid-field error on password", pw, why, err)
		}
	}
	for _, pw := range []string{"correct horse battery staple", "tradewarden-demo-2026", "test-password-123",
		"a long enough password", "Tr0ub4dor&3-extended", "løvstikke på taget 7", strings.Repeat("zq8#Lm", 100)[:600]} {
		if err := p.Check("password", pw, "jo.bloggs@kent.example", "Joanna Bloggs"); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
}

func TestCommonListShipsWithTheBinary(t *testing.T) {
	if n := len(commonPasswords()); n < 25000 {
		t.Fatalf("the common-password list has %d entries", n)
	}
	for _, pw := range []string{"123456", "password", "qwerty", "iloveyou", "trustno1"} {
		if !IsCommonPassword(pw) {
			t.Errorf("%q is not on the list", pw)
		}
	}
	if IsCommonPassword("tradewarden-demo-2026") {
		t.Error("the demo password is on the list")
	}
}

func TestPasswordPolicyThresholdsAreAdjustable(t *testing.T) {
	strict := PasswordPolicy{MinLength: 20}
	if err := strict.Check("p", "correct horse battery"); err != nil {
		t.Fatalf("21 characters refused: %v", err)
	}
	if err := strict.Check("p", "correct horse batt"); err == nil {
		t.Fatal("18 characters accepted with MinLength 20")
	}
}
