package component_test

import (
	"bytes"
	"context"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/pkg/safetext"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// issuedNotice drafts, approves and issues a compliance notice on the
// setup case and returns it (its PDF is a generated exhibit of the case).
func issuedNotice(t *testing.T, env *wiringtest.Env, s noticeSetup) noticeView {
	t.Helper()
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	var n noticeView
	off.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "compliance")).Expect(201).JSON(&n)
	off.Post("/api/v1/notices/"+n.ID+"/submit", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/approve", nil).Expect(200)
	sup.Post("/api/v1/notices/"+n.ID+"/issue", nil).Expect(200).JSON(&n)
	return n
}

// Issue #13 item 9: what TradeWarden generated (an issued notice's PDF)
// cannot be superseded by an upload.
func TestGeneratedExhibitCannotBeSuperseded(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	s := setupNoticeCase(t, env)
	n := issuedNotice(t, env, s)
	fields := uploadFields()
	fields["supersedes"] = n.ExhibitID
	p := off.Upload("/api/v1/cases/"+s.caseID+"/evidence", fields, "notice-corrected.pdf", "text/plain", []byte("a forged notice")).
		Expect(422).Problem()
	if !p.HasField("supersedes") {
		t.Fatalf("problem does not name supersedes: %+v", p)
	}
	var ex exhibitView
	off.Get("/api/v1/evidence/" + n.ExhibitID).Expect(200).JSON(&ex)
	var list struct{ Items []exhibitView }
	off.Get("/api/v1/cases/" + s.caseID + "/evidence").Expect(200).JSON(&list)
	// Each notice of intent given left its PDF and its certificate of service.
	if want := len(s.exhibits) + 2*len(s.intents) + 1; len(list.Items) != want {
		t.Fatalf("%d exhibits after a refused supersession, want %d", len(list.Items), want)
	}
	// An uploaded exhibit can still be corrected.
	fields["supersedes"] = s.exhibits[1].ID
	off.Upload("/api/v1/cases/"+s.caseID+"/evidence", fields, "login-photos-v2.txt", "text/plain", []byte("corrected transcript")).Expect(201)
}

type custodyEntryView struct {
	Seq    int       `json:"seq"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

func chainOf(t *testing.T, c *wiringtest.Client, exhibitID string) []custodyEntryView {
	t.Helper()
	var out struct{ Items []custodyEntryView }
	c.Get("/api/v1/evidence/" + exhibitID + "/custody").Expect(200).JSON(&out)
	return out.Items
}

// Issue #13 item 9: a chain of custody reads as a history — nothing dated
// in the future, before the acquisition or before the latest entry, and
// nothing after a disposal (downloads and exports included); verification
// still runs after disposal and is audited instead.
func TestCustodyIsChronological(t *testing.T) {
	env := wiringtest.New(t)
	off, sup := env.As(officer, "KENT-TS"), env.As(supervisor, "KENT-TS")
	cv := newCase(t, off)
	at := func(r *wiringtest.Response, field string) {
		t.Helper()
		if p := r.Expect(422).Problem(); !p.HasField(field) {
			t.Fatalf("problem does not name %s: %+v", field, p)
		}
	}
	// Acquired in the future: refused before anything is stored.
	fields := uploadFields()
	fields["collected_at"] = time.Now().Add(2 * time.Minute).UTC().Format(time.RFC3339)
	at(off.Upload("/api/v1/cases/"+cv.ID+"/evidence", fields, "later.txt", "text/plain", []byte("x")), "collected_at")

	acquired := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	fields["collected_at"] = acquired.Format(time.RFC3339)
	var ex exhibitView
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", fields, "photo.txt", "text/plain", []byte("photo of the label")).Expect(201).JSON(&ex)
	path := "/api/v1/evidence/" + ex.ID + "/custody"
	transfer := func(when time.Time) map[string]any {
		return map[string]any{"from": "Lab bench 3", "to": "Store B", "at": when.UTC().Format(time.RFC3339)}
	}
	at(off.Post(path, transfer(time.Now().Add(time.Minute))), "at")
	at(off.Post(path, transfer(acquired.Add(-time.Hour))), "at")
	// Back-dating before the upload entry (which is dated now) is refused too.
	at(off.Post(path, transfer(time.Now().Add(-time.Hour))), "at")
	off.Post(path, map[string]any{"from": "Lab bench 3", "to": "Store B"}).Expect(201)
	off.Get("/api/v1/evidence/" + ex.ID + "/content").Expect(200)
	off.Post(path, map[string]any{"action": "disposed", "note": "destroyed after the retention period"}).Expect(201)

	before := chainOf(t, off, ex.ID)
	// After disposal nothing extends the chain: no transfer, no download, no export.
	off.Post(path, map[string]any{"action": "viewed"}).Expect(409)
	off.Get("/api/v1/evidence/" + ex.ID + "/content").Expect(409).Problem()
	sup.Post("/api/v1/cases/"+cv.ID+"/exports", map[string]any{"recipient": "OPSS", "purpose": "referral",
		"include_evidence": true}).Expect(409)
	// Verification still re-hashes the bytes; the result is audited, not chained.
	var v struct{ OK bool }
	off.Post("/api/v1/evidence/"+ex.ID+"/verify", nil).Expect(200).JSON(&v)
	if !v.OK {
		t.Fatal("verification after disposal failed")
	}
	after := chainOf(t, off, ex.ID)
	if len(after) != len(before) {
		t.Fatalf("the chain grew after disposal: %+v", after[len(before):])
	}
	var actions []string
	for i, e := range after {
		actions = append(actions, e.Action)
		if i > 0 && e.At.Before(after[i-1].At) {
			t.Fatalf("entry %d is dated before entry %d: %+v", e.Seq, after[i-1].Seq, after)
		}
	}
	if strings.Join(actions, ",") != "acquired,uploaded,transferred,downloaded,disposed" {
		t.Fatalf("chain %v", actions)
	}
	if timelineCount(t, off, cv.ID, "evidence.verified_after_disposal") != 1 {
		t.Fatal("the verification after disposal is not in the audit log")
	}
}

// Issue #13 item 9: filenames with bidi or other control characters are
// refused at upload (422 naming file); a name stored before the rule is
// served with them replaced, in JSON and in Content-Disposition.
func TestDeceptiveFilenames(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	for _, r := range []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200F, 0x01, 0x85} {
		name := "invoice" + string(r) + "fdp.txt"
		// As browsers send it (raw UTF-8 in the quoted filename) and as
		// RFC 7578 / RFC 2231 clients do (filename*=utf-8''…).
		// (A raw C0 control is not even a valid MIME header: that is a 400.)
		disps := []string{`filename*=utf-8''` + url.PathEscape(name)}
		if r >= 0x20 {
			disps = append(disps, `filename="`+name+`"`)
		}
		for _, disp := range disps {
			p := uploadAs(t, off, cv.ID, disp).Expect(422).Problem()
			if !p.HasField("file") || strings.Contains(p.Errors[0].Message, "path") {
				t.Fatalf("U+%04X (%s): %+v", r, disp, p)
			}
		}
	}
	var list struct{ Items []exhibitView }
	off.Get("/api/v1/cases/" + cv.ID + "/evidence").Expect(200).JSON(&list)
	if len(list.Items) != 0 {
		t.Fatalf("%d exhibits stored from refused uploads", len(list.Items))
	}
	// A legitimate non-ASCII name is kept exactly.
	var ex exhibitView
	uploadAs(t, off, cv.ID, `filename="Łódź — label (2).txt"`).Expect(201).JSON(&ex)
	if got := servedName(t, off, ex.ID); got != "Łódź — label (2).txt" {
		t.Fatalf("served name %q", got)
	}
	// A name stored before the rule (written straight to the database).
	db, err := database.Open(context.Background(), env.DBURL, env.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), "UPDATE exhibits SET filename = ? WHERE id = ?", "invoice\u202Efdp.exe", ex.ID); err != nil {
		t.Fatal(err)
	}
	if got := servedName(t, off, ex.ID); got != "invoice_fdp.exe" {
		t.Fatalf("a stored bidi name was served as %q", got)
	}
}

// servedName returns an exhibit's filename as the JSON shows it, checking
// that the download's Content-Disposition carries the same, harmless name.
func servedName(t *testing.T, c *wiringtest.Client, id string) string {
	t.Helper()
	var ex struct {
		Filename string `json:"filename"`
	}
	c.Get("/api/v1/evidence/" + id).Expect(200).JSON(&ex)
	r := c.Get("/api/v1/evidence/" + id + "/content").Expect(200)
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if err != nil {
		t.Fatalf("Content-Disposition %q: %v", r.Header.Get("Content-Disposition"), err)
	}
	if params["filename"] != ex.Filename || safetext.NameProblem(ex.Filename) != "" {
		t.Fatalf("served %q in JSON and %q in Content-Disposition", ex.Filename, params["filename"])
	}
	return ex.Filename
}

// uploadAs uploads a small text exhibit whose file part's Content-Disposition
// carries the given filename parameter exactly as written.
func uploadAs(t *testing.T, c *wiringtest.Client, caseID, filenameParam string) *wiringtest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range uploadFields() {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; `+filenameParam)
	h.Set("Content-Type", "text/plain")
	w, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("label text"))
	_ = mw.Close()
	return c.Header("Content-Type", mw.FormDataContentType()).Do(http.MethodPost, "/api/v1/cases/"+caseID+"/evidence", &buf)
}
