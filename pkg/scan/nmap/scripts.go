package nmap

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// What a script's output shows, beyond its text: the logins it proved and
// the vulnerabilities it confirmed. Scripts write free text, so each family
// is read by the shape nmap's own libraries print (brute, creds, vulns).

var (
	// brute.lua: "root:toor - Valid credentials", "public - Valid credentials" (SNMP).
	bruteLine = regexp.MustCompile(`(?m)^\s*(\S*?)(?::(\S*))? - Valid credentials`)
	// http-default-accounts: "[Hikvision DVR] at /" then indented "admin:12345".
	accountsHeader = regexp.MustCompile(`^\s*\[(.+)\] at (\S+)\s*$`)
	accountsCred   = regexp.MustCompile(`^\s+(\S*?):(\S*)\s*$`)
	// mysql-empty-password: "root account has empty password".
	emptyAccount = regexp.MustCompile(`(?m)^\s*(\S+) account has empty password`)
	// ms-sql-empty-password: "sa:<empty> => Login Success".
	mssqlEmpty = regexp.MustCompile(`(?m)^\s*(\S+):<empty> => Login Success`)
	// ftp-anon: "Anonymous FTP login allowed (FTP code 230)"; older scripts
	// wrote "Anonymous FTP: ... allowed".
	ftpAnon = regexp.MustCompile(`(?i)anonymous ftp(?: login)?[^\n]*\ballowed`)
	// vulners: "CVE-2023-38408	9.8	https://vulners.com/cve/CVE-2023-38408".
	vulnersLine = regexp.MustCompile(`(?m)^\s*(CVE-\d{4}-\d{4,})\s+(\d{1,2}(?:\.\d)?)\b`)
)

// credentialScripts maps a script id to the service its logins are for.
var credentialScripts = map[string]string{
	"http-default-accounts": "http", "ftp-anon": "ftp", "ftp-brute": "ftp", "ssh-brute": "ssh",
	"telnet-brute": "telnet", "http-brute": "http", "http-form-brute": "http", "mysql-brute": "mysql",
	"mysql-empty-password": "mysql", "ms-sql-brute": "ms-sql", "ms-sql-empty-password": "ms-sql",
	"snmp-brute": "snmp", "vnc-brute": "vnc", "rtsp-url-brute": "rtsp", "pop3-brute": "pop3", "imap-brute": "imap",
	"smb-brute": "smb", "mongodb-brute": "mongodb", "redis-brute": "redis", "pgsql-brute": "postgresql",
	"rlogin-brute": "rlogin", "rexec-brute": "rexec", "sip-brute": "sip", "xmpp-brute": "xmpp",
}

// credentials reads the logins a script proved; none when it proved none.
func credentials(id string, out string) []scan.Credential {
	svc, ok := credentialScripts[id]
	if !ok {
		return nil
	}
	var creds []scan.Credential
	add := func(user, pass, where string) {
		if pass == "<empty>" {
			pass = ""
		}
		creds = append(creds, scan.Credential{Service: svc, Username: scan.FieldString(user),
			Password: scan.FieldString(pass), Blank: pass == "", Where: scan.FieldString(where)})
	}
	switch id {
	case "http-default-accounts":
		where := ""
		for _, line := range strings.Split(out, "\n") {
			if m := accountsHeader.FindStringSubmatch(line); m != nil {
				where = m[1] + " at " + m[2]
			} else if m := accountsCred.FindStringSubmatch(line); m != nil && where != "" {
				add(m[1], m[2], where)
			}
		}
	case "ftp-anon":
		if ftpAnon.MatchString(out) {
			add("anonymous", "", "")
		}
	case "mysql-empty-password":
		for _, m := range emptyAccount.FindAllStringSubmatch(out, 64) {
			add(m[1], "", "")
		}
	case "ms-sql-empty-password":
		for _, m := range mssqlEmpty.FindAllStringSubmatch(out, 64) {
			add(m[1], "", "")
		}
	default:
		for _, m := range bruteLine.FindAllStringSubmatch(out, 1000) {
			if m[2] == "" && svc == "snmp" { // a community string is the secret
				add("", m[1], "community")
				continue
			}
			add(m[1], m[2], "")
		}
	}
	return creds
}

// vulnersItems splits a vulners result into one finding per CVE, rated by
// the CVSS score vulners gives; exploit-database lines without a CVE add
// nothing a regulator can cite.
func vulnersItems(base scan.Item, out string) []scan.Item {
	var items []scan.Item
	seen := map[string]bool{}
	for _, m := range vulnersLine.FindAllStringSubmatch(out, 5000) {
		cve, ok := scan.NormalizeCVE(m[1])
		if !ok || seen[cve] {
			continue
		}
		seen[cve] = true
		score, _ := strconv.ParseFloat(m[2], 64)
		it := base
		it.Kind, it.CVEs, it.CVSS = scan.KindVulnerability, []string{cve}, score
		it.Severity = scan.SeverityFromCVSS(score)
		it.Title = scan.FieldString("vulners: " + cve + " (CVSS " + m[2] + ")")
		it.Output, it.OutputTruncated = scan.Output(strings.TrimSpace(m[0]))
		items = append(items, it)
	}
	return items
}

// perCVE splits a confirmed vulnerability into one finding per CVE it
// names (the same severity each), so each can be cited and resolved alone.
func perCVE(it scan.Item) []scan.Item {
	if len(it.CVEs) <= 1 {
		return []scan.Item{it}
	}
	out := make([]scan.Item, 0, len(it.CVEs))
	for _, cve := range it.CVEs {
		c := it
		c.CVEs = []string{cve}
		c.Title = scan.FieldString(it.Title + " (" + cve + ")")
		out = append(out, c)
	}
	return out
}

// interpret turns a script result into what it evidences: logins, a
// confirmed vulnerability (one item per CVE) or plain information.
func interpret(it scan.Item, out []byte) []scan.Item {
	text := string(out)
	if it.ToolID == "vulners" {
		if items := vulnersItems(it, text); len(items) > 0 {
			return items
		}
		return []scan.Item{it}
	}
	if creds := credentials(it.ToolID, text); len(creds) > 0 {
		it.Kind, it.Credentials = scan.KindCredential, creds
		it.Severity = it.Severity.Max(scan.SeverityHigh)
		it.Title = scan.FieldString(it.ToolID + ": " + credentialTitle(creds))
		return []scan.Item{it}
	}
	if sev, vulnerable := vulnSeverity(out); vulnerable {
		it.Kind, it.Severity, it.State = scan.KindVulnerability, sev, vulnState(out)
		return perCVE(it)
	}
	return []scan.Item{it}
}

func credentialTitle(creds []scan.Credential) string {
	c := creds[0]
	what := "login accepted"
	switch {
	case c.Where == "community":
		what = "SNMP community string accepted"
	case c.Blank:
		what = "login with no password accepted for " + strconv.Quote(c.Username)
	case c.Username != "":
		what = "login accepted for " + strconv.Quote(c.Username)
	}
	if c.Where != "" && c.Where != "community" {
		what += " (" + c.Where + ")"
	}
	if len(creds) > 1 {
		what += " and " + strconv.Itoa(len(creds)-1) + " more"
	}
	return what
}

// vulnState is the vulns library's state line: VULNERABLE or LIKELY VULNERABLE.
func vulnState(out []byte) string {
	if bytes.Contains(out, []byte("State: LIKELY VULNERABLE")) {
		return "likely_vulnerable"
	}
	return "vulnerable"
}
