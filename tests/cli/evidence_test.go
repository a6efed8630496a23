package cli_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

const nmapFixture = "../../pkg/scan/nmap/testdata/camera.xml"

func TestScanParsePrintsFindingsWithRequirements(t *testing.T) {
	in := newInstance(t)
	out := in.mustRun("", "scan", "parse", nmapFixture)
	var rep struct {
		Format   string `json:"format"`
		Findings []struct {
			Kind           string   `json:"kind"`
			Service        string   `json:"service"`
			RequirementIDs []string `json:"requirement_ids"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("scan parse output is not JSON: %v\n%.500s", err, out)
	}
	// The camera's proven default login cites PSTI-1; an open telnet port alone never does.
	login, telnetPSTI := false, false
	for _, f := range rep.Findings {
		psti := strings.Contains(strings.Join(f.RequirementIDs, ","), "PSTI-1")
		login = login || f.Kind == "credential" && psti
		telnetPSTI = telnetPSTI || f.Kind == "open_port" && f.Service == "telnet" && psti
	}
	if rep.Format != "nmap" || !login || telnetPSTI {
		t.Fatalf("parsed %s with %d findings; default login→PSTI-1: %v, open telnet→PSTI-1: %v", rep.Format,
			len(rep.Findings), login, telnetPSTI)
	}
	if r := in.run("", "scan", "parse", "../../pkg/scan/testdata/hostile/billion-laughs.xml"); r.Code != 1 {
		t.Fatalf("hostile report: exit %d", r.Code)
	}
}

// A truncated report is refused with its parse error unless --as-plain
// keeps it unparsed; scan parse says what to export for unsupported output.
func TestEvidenceAddAsPlainAndUnsupported(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "demo")
	ref := openCase(t, in)
	truncated := "../../pkg/scan/testdata/hostile/truncated-nmap.xml"
	args := []string{"evidence", "add", "--case", ref, "--as", "officer@kent-ts.example", "--quiet",
		"--description", "partial scan", "--collected-by", "A. Patel", "--power-used", "test_purchase"}
	r := in.run("", append(args, truncated)...)
	if r.Code == 0 || !strings.Contains(r.Stderr+r.Stdout, "could not be parsed") || !strings.Contains(r.Stderr+r.Stdout, "--as-plain") {
		t.Fatalf("truncated report: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	out := in.mustRun("", append(args, "--as-plain", truncated)...)
	if !strings.Contains(out, ref+"/EX-001") || !strings.Contains(out, "format other") {
		t.Fatalf("--as-plain: %q", out)
	}
	r = in.run("", "scan", "parse", "../../pkg/scan/testdata/hostile/wrong-format-grepable.gnmap")
	if r.Code != 1 || !strings.Contains(r.Stderr+r.Stdout, "-oX") || !strings.Contains(r.Stderr+r.Stdout, "unsupported") {
		t.Fatalf("scan parse -oG: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
}

func TestEvidenceAddAndVerify(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "demo")
	ref := openCase(t, in)
	out := in.mustRun("", "evidence", "add", "--case", ref, "--as", "officer@kent-ts.example", "--quiet",
		"--description", "lab scan", "--collected-by", "A. Patel", "--power-used", "test_purchase", nmapFixture)
	if !strings.Contains(out, ref+"/EX-001") || !strings.Contains(out, "format nmap") {
		t.Fatalf("evidence add: %q", out)
	}
	if r := in.run("", "evidence", "add", "--case", ref, "--as", "officer@opss.example", "--quiet",
		"--description", "x", "--collected-by", "x", nmapFixture); r.Code == 0 {
		t.Fatal("an officer of another authority added evidence")
	}
	if out := in.mustRun("", "evidence", "verify", "--all"); !strings.Contains(out, "1 exhibits verified") {
		t.Fatalf("verify --all: %q", out)
	}
	// Flip a byte of the stored blob: verification must fail, and say so.
	var blob string
	_ = filepath.WalkDir(filepath.Join(in.Data, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && len(d.Name()) == 64 {
			blob = p
		}
		return nil
	})
	b, _ := os.ReadFile(blob)
	b[0] ^= 1
	_ = os.Chmod(blob, 0o600)
	if err := os.WriteFile(blob, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := in.run("", "evidence", "verify", "--all")
	if r.Code != 1 || !strings.Contains(r.Stdout, "CHANGED") {
		t.Fatalf("tampered blob: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
}

// openCase opens a case as the demo Kent officer through the services, as an
// officer would through the API, and returns its reference.
func openCase(t *testing.T, in *instance) string {
	t.Helper()
	app, err := wiring.Open(context.Background(), wiring.Config{DataDir: in.Data, DatabaseURL: in.DBURL})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	ctx := context.Background()
	p, err := app.Identity.ActAs(ctx, "officer@kent-ts.example", "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Cases.Create(principal.With(ctx, p), cases.NewCase{Title: "Camera", Origin: cases.Complaint})
	if err != nil {
		t.Fatal(err)
	}
	return c.Reference
}
