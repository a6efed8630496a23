package identity

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/frequency"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

// PasswordPolicy says which passwords may be set. The common-password list
// and the strength estimate come from zxcvbn (github.com/trustelem/zxcvbn,
// a port of Dropbox's estimator); its lists ship inside the binary.
type PasswordPolicy struct {
	// MinLength is the least number of characters (runes); default 12.
	MinLength int
	// MinScore is the least zxcvbn score, 0–4; default 3 ("safely
	// unguessable": about 10^8 guesses or more).
	MinScore int
}

// MaxPasswordBytes bounds what is hashed, so nobody feeds argon2 megabytes.
const MaxPasswordBytes = 1024

// strengthPrefix bounds the text the estimator reads: its cost grows
// quickly with length (seconds at 1,000 characters), and 64 characters that
// are weak on their own do not become strong by being padded.
const strengthPrefix = 64

func (p PasswordPolicy) withDefaults() PasswordPolicy {
	if p.MinLength <= 0 {
		p.MinLength = 12
	}
	if p.MinScore <= 0 {
		p.MinScore = 3
	}
	return p
}

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

// commonPasswords is zxcvbn's list of the 30,000 most used passwords
// (lower-case), as a set.
func commonPasswords() map[string]struct{} {
	commonOnce.Do(func() {
		list := frequency.FrequencyLists["passwords"]
		common = make(map[string]struct{}, len(list))
		for _, pw := range list {
			common[strings.ToLower(pw)] = struct{}{}
		}
	})
	return common
}

// IsCommonPassword reports whether pw (ignoring case and surrounding
// spaces) is on the shipped common-password list.
func IsCommonPassword(pw string) bool {
	_, ok := commonPasswords()[strings.ToLower(strings.TrimSpace(pw))]
	return ok
}

// Check returns an Invalid error naming field when pw may not be set. The
// account's own email and name count as guessable words.
func (p PasswordPolicy) Check(field, pw string, userInputs ...string) error {
	p = p.withDefaults()
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return apperr.InvalidField(field, "must be valid UTF-8 text")
	case strings.TrimFunc(pw, unicode.IsSpace) == "":
		return apperr.InvalidField(field, "must not be empty or only whitespace")
	case n < p.MinLength || len(pw) > MaxPasswordBytes:
		return apperr.InvalidField(field, "must be %d characters or more (at most %d bytes)", p.MinLength, MaxPasswordBytes)
	case IsCommonPassword(pw):
		return apperr.InvalidField(field, "is on the list of commonly used passwords; choose another")
	}
	if score := strength(pw, userInputs); score < p.MinScore {
		return apperr.InvalidField(field, "is too easy to guess (strength %d of 4, %d needed): avoid names, "+
			"your email, dictionary words, keyboard runs, repeats and dates; a few unrelated words make a strong password",
			score, p.MinScore)
	}
	return nil
}

// strength is zxcvbn's 0–4 score of the first strengthPrefix characters.
func strength(pw string, userInputs []string) int {
	if utf8.RuneCountInString(pw) > strengthPrefix {
		pw = string([]rune(pw)[:strengthPrefix])
	}
	var inputs []string
	for _, in := range userInputs {
		in = strings.ToLower(strings.TrimSpace(in))
		if in == "" {
			continue
		}
		inputs = append(inputs, in)
		// An email's local part and domain labels, a name's words.
		inputs = append(inputs, strings.FieldsFunc(in, func(r rune) bool {
			return r == '@' || r == '.' || r == '-' || r == '_' || r == '+' || unicode.IsSpace(r)
		})...)
	}
	return zxcvbn.PasswordStrength(pw, inputs).Score
}
