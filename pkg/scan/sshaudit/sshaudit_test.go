package sshaudit_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/sshaudit"
)

func parseFile(t *testing.T, path string) scan.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := sshaudit.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestGolden(t *testing.T) {
	for _, f := range scantest.Fixtures(t, "testdata", ".json") {
		t.Run(f, func(t *testing.T) {
			rep := parseFile(t, f)
			scantest.CheckReport(t, rep, scan.FormatSSHAudit)
			scantest.Golden(t, scantest.GoldenPath(f), rep)
		})
	}
}

// ssh-audit's own expected result for Dropbear 2019.78 (testdata/README.md).
func TestDropbearFacts(t *testing.T) {
	rep := parseFile(t, "testdata/dropbear_2019.78_test1.json")
	byID := map[string]scan.Item{}
	for _, it := range rep.Items {
		byID[it.ToolID] = it
		if it.Host.Address != "localhost" || it.Port != 2222 || it.Service != "ssh" || it.Protocol != "tcp" ||
			it.Product != "dropbear" || it.Version != "2019.78" {
			t.Errorf("item %s: %+v", it.ToolID, it)
		}
	}
	svc := byID[sshaudit.ToolIDService]
	if svc.Kind != scan.KindInfo || !strings.Contains(svc.Output, "SSH-2.0-dropbear_2019.78") {
		t.Errorf("service item %+v", svc)
	}
	for id, want := range map[string]scan.Severity{
		"ssh-audit:enc:3des-cbc":                    scan.SeverityMedium,
		"ssh-audit:enc:aes128-cbc":                  scan.SeverityLow,
		"ssh-audit:kex:diffie-hellman-group14-sha1": scan.SeverityMedium,
		"ssh-audit:key:ssh-rsa":                     scan.SeverityMedium,
		"ssh-audit:mac:hmac-sha1":                   scan.SeverityMedium,
		"ssh-audit:mac:hmac-sha2-256":               scan.SeverityLow,
	} {
		it, ok := byID[id]
		if !ok || it.Severity != want || it.Kind != scan.KindVulnerability {
			t.Errorf("%s: %+v, want severity %s", id, it, want)
		}
	}
	if rsa := byID["ssh-audit:key:ssh-rsa"]; !strings.Contains(rsa.Output, "1024-bit modulus") || !strings.Contains(rsa.Output, "key size 1024") {
		t.Errorf("ssh-rsa output %q", rsa.Output)
	}
	if _, ok := byID["ssh-audit:enc:aes128-ctr"]; ok {
		t.Error("an algorithm with only info notes became an item")
	}
	if rep.Skipped == 0 || len(rep.Warnings) != 0 {
		t.Errorf("skipped %d warnings %v", rep.Skipped, rep.Warnings)
	}
}

// ssh-audit 2.5 (Debian bookworm), run here against the lab server: bare
// algorithm names, no verdicts, no port in the target.
func TestOldReleaseWithoutVerdicts(t *testing.T) {
	rep := parseFile(t, "testdata/lab-ssh-audit-2.5.json")
	if len(rep.Items) != 1 || rep.Items[0].ToolID != sshaudit.ToolIDService || rep.Items[0].Product != "dropbear" {
		t.Fatalf("items %+v", rep.Items)
	}
	if w := strings.Join(rep.Warnings, "\n"); !strings.Contains(w, "without verdicts") || !strings.Contains(w, "no port") {
		t.Fatalf("warnings %v", rep.Warnings)
	}
}

func TestLegacyCVEsAndBadInput(t *testing.T) {
	doc := `{"banner":{"raw":"SSH-2.0-OpenSSH_7.4","software":"OpenSSH_7.4"},"target":"10.0.0.7:22",` +
		`"cves":[{"name":"CVE-2018-15473","cvssv2":5.3,"description":"enumerate usernames"},{"name":"bogus","cvssv2":1}],"kex":[]}`
	rep, err := sshaudit.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 2 || rep.Items[1].ToolID != "CVE-2018-15473" || rep.Items[1].CVSS != 5.3 || rep.Items[1].Severity != scan.SeverityMedium ||
		rep.Items[1].Port != 22 || len(rep.Warnings) == 0 {
		t.Fatalf("items %+v warnings %v", rep.Items, rep.Warnings)
	}
	for name, bad := range map[string]string{
		"truncated": doc[:len(doc)-10],
		"no banner": `{"target":"x:22","kex":[]}`,
		"array":     `[]`,
		"bad alg":   `{"banner":{"raw":"x"},"kex":[7]}`,
		"empty":     ``,
	} {
		_, err := sshaudit.Parse(strings.NewReader(bad))
		if !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A CVE named in ssh-audit's note is carried on the item (Terrapin).
func TestCVEFromNotes(t *testing.T) {
	rep := parseFile(t, "testdata/openssh_8.0p1_test1.json")
	for _, it := range rep.Items {
		if it.ToolID == "ssh-audit:enc:chacha20-poly1305@openssh.com" {
			if len(it.CVEs) != 1 || it.CVEs[0] != "CVE-2023-48795" || it.Severity != scan.SeverityLow {
				t.Fatalf("chacha20: %+v", it)
			}
			return
		}
	}
	t.Fatal("no chacha20-poly1305 item")
}
