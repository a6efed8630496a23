package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

// issueNotice drives the services (as the API would) to an issued stop
// notice and returns its reference and bytes. (A stop notice with an
// approved urgency: a compliance notice needs a notice of intent served ten
// days before, and these tests run on the real clock.)
func issueNotice(t *testing.T, in *instance) (string, []byte) {
	t.Helper()
	ctx := context.Background()
	app, err := wiring.Open(ctx, wiring.Config{DataDir: in.Data, DatabaseURL: in.DBURL})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	return issueNoticeIn(t, app)
}

// issueNoticeIn is issueNotice on an open application.
func issueNoticeIn(t *testing.T, app *wiring.App) (string, []byte) {
	t.Helper()
	ctx := context.Background()
	as := func(email string) context.Context {
		p, err := app.Identity.ActAs(ctx, email, "")
		if err != nil {
			t.Fatal(err)
		}
		return principal.With(ctx, p)
	}
	off, sup := as("officer@kent-ts.example"), as("supervisor@kent-ts.example")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	name := "Acme Cameras Ltd"
	op, err := app.Operators.Create(off, operators.Input{Name: &name})
	must(err)
	c, err := app.Cases.Create(off, cases.NewCase{Title: "Camera", Origin: cases.Complaint})
	must(err)
	_, err = app.Cases.AddParty(off, c.ID, cases.Party{OperatorID: op.ID, Role: "manufacturer"})
	must(err)
	st, err := app.Evidence.Stage(off, strings.NewReader("photo of admin/admin login"))
	must(err)
	ex, _, err := app.Evidence.Add(off, c.ID, evidence.Upload{Filename: "photo.txt", Description: "login", CollectedBy: "A",
		CollectedAt: time.Now().Add(-time.Hour)}, st)
	must(err)
	_, err = app.Cases.SetAssessment(off, c.ID, cases.Assessment{RequirementID: "PSTI-1", Verdict: cases.Fail,
		Rationale: "default password", EvidenceIDs: []string{ex.ID}})
	must(err)
	due := time.Now().AddDate(0, 0, 30)
	n, err := app.Notices.Create(off, c.ID, notices.Content{Type: notices.Stop, OperatorID: op.ID,
		RequirementIDs: []string{"PSTI-1"}, Steps: []string{"Set unique passwords."}, Deadline: &due,
		Urgency: "Units with a published default password are on sale now."})
	must(err)
	_, err = app.Notices.Submit(off, n.ID)
	must(err)
	_, err = app.Notices.Approve(sup, n.ID)
	must(err)
	n, err = app.Notices.Issue(sup, n.ID)
	must(err)
	_, pdf, err := app.Notices.PDF(sup, n.ID)
	must(err)
	return n.Reference, pdf
}

func TestNoticeRenderWritesIssuedBytes(t *testing.T) {
	in := newInstance(t)
	in.mustRun("", "demo")
	ref, pdf := issueNotice(t, in)
	out := filepath.Join(t.TempDir(), "notice.pdf")
	if msg := in.mustRun("", "notice", "render", "--id", ref, "--out", out); !strings.Contains(msg, ref) {
		t.Fatalf("notice render: %q", msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, pdf) {
		t.Fatal("rendered file differs from the issued PDF")
	}
	if r := in.run("", "notice", "render", "--id", "KENT-TS-CN-1999-9999", "--out", out); r.Code == 0 {
		t.Fatal("an unknown notice rendered")
	}
}
