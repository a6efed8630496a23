package evidence_test

import (
	"slices"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
)

// TestDefaultRulesCiteWhatTheEvidenceShows holds the rule table to the cases
// a tribunal would look at first: what must be cited, what must never be.
func TestDefaultRulesCiteWhatTheEvidenceShows(t *testing.T) {
	rs := evidence.DefaultRules()
	vuln := func(title, sev string) scan.Item {
		return scan.Item{Kind: scan.KindVulnerability, Title: title, Severity: scan.Severity(sev), Port: 5900, Protocol: "tcp"}
	}
	cases := []struct {
		name    string
		format  scan.Format
		it      scan.Item
		want    []string // each must be cited
		never   []string // none may be cited
		minSev  scan.Severity
		nothing bool // cites nothing, with a reason
	}{
		{name: "open telnet port", format: scan.FormatNmap, it: scan.Item{Kind: scan.KindOpenPort, State: "open",
			Service: "telnet", Port: 23, Protocol: "tcp", Severity: scan.SeverityInfo},
			want: []string{"5.5-1", "5.6-1"}, never: []string{"PSTI-1", "5.1-1"}},
		{name: "open FTP port", format: scan.FormatNessus, it: scan.Item{Kind: scan.KindOpenPort, State: "open",
			Service: "ftp", Port: 21, Protocol: "tcp", Severity: scan.SeverityInfo},
			want: []string{"5.5-1", "5.6-1"}, never: []string{"PSTI-1"}},
		{name: "nmap shell? on 1524", format: scan.FormatNmap, it: scan.Item{Kind: scan.KindOpenPort, State: "open",
			Service: "shell?", Port: 1524, Protocol: "tcp"}, want: []string{"5.4-3", "5.6-1"}, never: []string{"PSTI-1"}},
		{name: "SSL-only web server is not cleartext", format: scan.FormatNmap, it: scan.Item{Kind: scan.KindOpenPort,
			State: "open", Service: "http", Product: "Apache httpd", ExtraInfo: "SSL-only mode", Port: 8443, Protocol: "tcp"},
			want: []string{"5.6-1"}, never: []string{"5.5-1"}},
		{name: "open|filtered is not open", format: scan.FormatNmap, it: scan.Item{Kind: scan.KindOpenPort,
			State: "open|filtered", Service: "snmp", Port: 161, Protocol: "udp"}, nothing: true},
		{name: "nmap default account", format: scan.FormatNmap, it: scan.Item{Kind: scan.KindCredential,
			ToolID: "http-default-accounts", Severity: scan.SeverityHigh, Credentials: []scan.Credential{{Username: "admin", Password: "12345"}}},
			want: []string{"PSTI-1", "5.1-1", "5.1-2"}, minSev: scan.SeverityHigh},
		{name: "VNC 'password' password", format: scan.FormatNessus, it: vuln("VNC Server 'password' Password", "critical"),
			want: []string{"PSTI-1", "5.1-1"}},
		{name: "Tomcat common credentials", format: scan.FormatNessus,
			it: vuln("Apache Tomcat Manager Common Administrative Credentials", "high"), want: []string{"PSTI-1", "5.1-1"}},
		{name: "MySQL unpassworded", format: scan.FormatNessus, it: vuln("MySQL Unpassworded Account Check", "medium"),
			want: []string{"PSTI-1", "5.1-1"}, minSev: scan.SeverityHigh},
		{name: "Default Unix accounts family", format: scan.FormatNessus, it: scan.Item{Kind: scan.KindVulnerability,
			Title: "Unix Operating System Default 'user' Account", Family: "Default Unix Accounts", Severity: scan.SeverityHigh},
			want: []string{"PSTI-1"}},
		{name: "vsftpd smiley backdoor without a CVE", format: scan.FormatNessus, it: vuln("vsftpd Smiley Face Backdoor", "critical"),
			want: []string{"5.4-3", "5.6-1"}, never: []string{"PSTI-1"}},
		{name: "rogue shell backdoor", format: scan.FormatNessus, it: vuln("Rogue Shell Backdoor Detection", "critical"),
			want: []string{"5.4-3", "5.6-1"}},
		{name: "unsupported Unix", format: scan.FormatNessus, it: vuln("Unsupported Unix Operating System", "critical"),
			want: []string{"PSTI-3", "5.3-8"}},
		{name: "unsupported web server", format: scan.FormatNessus, it: vuln("Unsupported Web Server Detection", "critical"),
			want: []string{"PSTI-3", "5.3-8"}},
		{name: "CVE on a network service", format: scan.FormatNessus, it: scan.Item{Kind: scan.KindVulnerability,
			Title: "OpenSSH < 9.3p2", Severity: scan.SeverityHigh, CVEs: []string{"CVE-2023-38408"}, Port: 22, Protocol: "tcp",
			CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, want: []string{"5.3-8", "5.6-1"}, never: []string{"PSTI-1"}},
		{name: "GHSA on a component", format: scan.FormatOSV, it: scan.Item{Kind: scan.KindComponentVulnerability,
			ToolID: "GHSA-xxxx-yyyy-zzzz", Aliases: []string{"GHSA-xxxx-yyyy-zzzz"}, Severity: scan.SeverityLow,
			Component: &scan.ComponentRef{Name: "lib"}}, want: []string{"5.3-8"}, never: []string{"5.6-1"}},
		{name: "ICMP timestamp is informational", format: scan.FormatNessus, it: scan.Item{Kind: scan.KindVulnerability,
			Title: "ICMP Timestamp Request Remote Date Disclosure", Severity: scan.SeverityInfo, CVEs: []string{"CVE-1999-0524"}},
			nothing: true},
		{name: "VEX not affected", format: scan.FormatCycloneDX, it: scan.Item{Kind: scan.KindComponentVulnerability,
			Severity: scan.SeverityHigh, CVEs: []string{"CVE-2018-19052"}, State: "not_affected"}, nothing: true},
		{name: "testssl 3.x 3DES", format: scan.FormatTestSSL, it: scan.Item{Kind: scan.KindTLSCheck, ToolID: "cipherlist_3DES_IDEA",
			Severity: scan.SeverityMedium}, want: []string{"5.5-1"}},
		{name: "testssl 2.9 BEAST", format: scan.FormatTestSSL, it: scan.Item{Kind: scan.KindTLSCheck, ToolID: "BEAST_CBC_TLS1",
			Severity: scan.SeverityLow}, want: []string{"5.5-1"}},
		{name: "testssl client renegotiation", format: scan.FormatTestSSL, it: scan.Item{Kind: scan.KindTLSCheck,
			ToolID: "sec_client_renego", Severity: scan.SeverityMedium}, want: []string{"5.5-1"}},
		{name: "testssl LOGJAM common primes", format: scan.FormatTestSSL, it: scan.Item{Kind: scan.KindTLSCheck,
			ToolID: "LOGJAM-common_primes", Severity: scan.SeverityLow}, want: []string{"5.5-1"}},
		{name: "testssl HSTS not offered", format: scan.FormatTestSSL, it: scan.Item{Kind: scan.KindTLSCheck, ToolID: "HSTS",
			Severity: scan.SeverityLow}, want: []string{"5.5-1"}},
		{name: "nmap SMBv1", format: scan.FormatNmap, it: scan.Item{Kind: scan.KindScript, ToolID: "smb-protocols",
			Output: "\n  dialects: \n    NT LM 0.12 (SMBv1) [dangerous, but default]\n    2.02"}, want: []string{"5.6-1"}},
		{name: "nmap zone transfer", format: scan.FormatNmap, it: scan.Item{Kind: scan.KindScript, ToolID: "dns-zone-transfer",
			Title: "dns-zone-transfer: lab.test SOA ns.lab.test", Output: "\n| lab.test SOA ns.lab.test\n| lab.test A 10.0.0.1"},
			want: []string{"5.6-1", "5.6-2"}},
		{name: "nmap recursion", format: scan.FormatNmap, it: scan.Item{Kind: scan.KindScript, ToolID: "dns-recursion",
			Output: "Recursion appears to be enabled"}, want: []string{"5.6-1"}},
		{name: "ZAP reflected XSS", format: scan.FormatZAP, it: vuln("Cross Site Scripting (Reflected)", "high"),
			want: []string{"5.13-1a"}},
		{name: "Burp cleartext password", format: scan.FormatBurp, it: vuln("Cleartext submission of password", "high"),
			want: []string{"5.5-1"}, never: []string{"PSTI-1"}},
		{name: "Trivy secret", format: scan.FormatTrivy, it: scan.Item{Kind: scan.KindVulnerability, ToolID: "secret:aws-access-key-id",
			Title: "Secret: AWS Access Key ID in deploy.sh", Severity: scan.SeverityCritical}, want: []string{"5.4-3"}},
	}
	for _, c := range cases {
		m := rs.Apply(c.format, c.it)
		for _, id := range c.want {
			if !slices.Contains(m.Requirements, id) {
				t.Errorf("%s: cites %v (rules %v), missing %s", c.name, m.Requirements, m.RuleIDs, id)
			}
		}
		for _, id := range c.never {
			if slices.Contains(m.Requirements, id) {
				t.Errorf("%s: cites %s (rules %v) without the evidence for it", c.name, id, m.RuleIDs)
			}
		}
		if c.nothing && (len(m.Requirements) > 0 || m.NoRequirement == "") {
			t.Errorf("%s: want no citation with a reason, got %v %q (rules %v)", c.name, m.Requirements, m.NoRequirement, m.RuleIDs)
		}
		if c.minSev != "" && m.Severity.Rank() < c.minSev.Rank() {
			t.Errorf("%s: severity %s, want at least %s", c.name, m.Severity, c.minSev)
		}
	}
}
