package scan

import (
	"regexp"
	"strings"
)

// How vulnerability scanners print a login they proved, in their plugin
// output or result description. Each pattern captures user and password
// (or only one of them); the wording differs by plugin and version.
var credentialPatterns = []struct {
	re          *regexp.Regexp
	user, pass  int // capture group, 0 when the pattern has none
	blank, whom bool
}{
	// "User : root\n  Password : toor" (Nessus), "Username: admin Password: admin".
	{re: regexp.MustCompile(`(?im)^\s*(?:user(?:name)?|login)\s*:\s*'?([^'\s]+)'?\s*(?:\n\s*|\s+)password\s*:\s*'?([^'\s]*)'?\s*$`), user: 1, pass: 2},
	// "login as 'root' with the password 'root'", "log into ... as 'sa' using the password 'x'".
	{re: regexp.MustCompile(`(?i)\bas\s+'([^']*)'\s+(?:with|using)\s+(?:the\s+)?password\s+'([^']*)'`), user: 1, pass: 2},
	// "as 'root' with an empty password", "with a blank password", "with no password".
	{re: regexp.MustCompile(`(?i)\bas\s+'([^']*)'\s+(?:with|using)\s+(?:an?\s+)?(?:empty|blank|no)\s+password`), user: 1, blank: true},
	// "The VNC server uses the password 'password'" / "is protected with the password 'x'".
	{re: regexp.MustCompile(`(?i)\b(?:uses|protected (?:with|by)) the password\s+'([^']*)'`), pass: 1},
	// Greenbone: "It was possible to login with the following credentials <User>:<Password>" then "admin:admin".
	{re: regexp.MustCompile(`(?im)^\s*([A-Za-z0-9_.@-]{1,64}):([^\s:]{0,64})\s*$`), user: 1, pass: 2, whom: true},
}

// greenboneLead is the sentence Greenbone puts before its "user:password" lines.
var greenboneLead = regexp.MustCompile(`(?i)(following credentials|login with the following|default credentials)`)

// CredentialsFromText reads the logins a scanner's text says worked. The
// caller decides the text is about logins (its check is a default- or
// weak-credential check); service names what they were for.
func CredentialsFromText(service, text string) []Credential {
	var out []Credential
	seen := map[Credential]bool{}
	for _, p := range credentialPatterns {
		src := text
		if p.whom {
			loc := greenboneLead.FindStringIndex(text)
			if loc == nil {
				continue
			}
			src = text[loc[1]:]
		}
		for _, m := range p.re.FindAllStringSubmatch(src, 100) {
			c := Credential{Service: service}
			if p.user > 0 {
				c.Username = FieldString(m[p.user])
			}
			if p.pass > 0 {
				c.Password = FieldString(m[p.pass])
			}
			if strings.EqualFold(c.Password, "<empty>") || strings.EqualFold(c.Password, "<blank>") {
				c.Password = ""
			}
			c.Blank = p.blank || (p.pass > 0 && c.Password == "")
			if c.Username == "" && c.Password == "" && !c.Blank || seen[c] {
				continue
			}
			seen[c] = true
			out = append(out, c)
		}
		if len(out) > 0 {
			return out
		}
	}
	return out
}

// credentialCheck matches the titles vulnerability scanners give checks
// that log in with default, blank or guessed credentials.
var credentialCheck = regexp.MustCompile(`(?i)(default (credential|password|account|login|administrator|admin)s?|` +
	`unpassworded|(blank|empty|null|no) (root |admin |administrator )?password|passwordless|` +
	`common (administrative )?credentials|guessable|weak (password|credential)s?|brute.?force (login|credential)|` +
	`'[^']+' password|default unix accounts|anonymous (ftp|login)|(credentials?|password) (found|accepted|discovered)|` +
	`login (with|using) (default|known)|known (default )?(credential|password)s?)`)

// IsCredentialCheck reports whether a check's title says it tries logins
// with default, blank or guessable credentials.
func IsCredentialCheck(title string) bool { return credentialCheck.MatchString(title) }
