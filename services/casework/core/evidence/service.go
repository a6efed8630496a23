package evidence

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/pkg/safetext"
	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/detect"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// CaseAccess is what evidence needs of the case service: it decides who may
// see and change a case.
type CaseAccess interface {
	Get(ctx context.Context, id string) (cases.Case, error)
	// Access returns the case with the caller's authority's access to it.
	Access(ctx context.Context, id string) (cases.Case, cases.Access, error)
	ForWork(ctx context.Context, id string) (cases.Case, error)
	// ForEvidence returns a case the caller may add evidence to: work rights
	// on it, or a collaborator with edit_evidence_and_notes access.
	ForEvidence(ctx context.Context, id string) (cases.Case, cases.Access, error)
}

// Service keeps exhibits, custody and findings.
type Service struct {
	store   Store
	blobs   Blobs
	cases   CaseAccess
	tx      txn.Runner
	log     audit.Log
	now     func() time.Time
	sniff   Sniffer
	rules   Rules
	maxSize int64
	// retention says how long an authority's exhibits are kept under WORM
	// retention (nil or 0: the store's default).
	retention func(ctx context.Context, authorityID string) (time.Duration, error)
}

// UseRetention sets where each authority's evidence retention comes from
// (its profile); wiring sets it once the authorities service exists.
func (s *Service) UseRetention(f func(ctx context.Context, authorityID string) (time.Duration, error)) {
	s.retention = f
}

// retain is the retention for exhibits of the authority.
func (s *Service) retain(ctx context.Context, authorityID string) (time.Duration, error) {
	if s.retention == nil {
		return 0, nil
	}
	d, err := s.retention(ctx, authorityID)
	if err != nil {
		return 0, fmt.Errorf("evidence retention of the authority: %w", err)
	}
	return d, nil
}

// Config tunes the evidence service.
type Config struct {
	MaxSize int64 // largest upload in bytes; default 512 MiB
	Rules   Rules // requirement mapping; default DefaultRules()
}

// NewService wires the evidence service.
func NewService(store Store, blobs Blobs, cs CaseAccess, tx txn.Runner, log audit.Log, now func() time.Time, sniff Sniffer, cfg Config) *Service {
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 512 << 20
	}
	if cfg.Rules == nil {
		cfg.Rules = DefaultRules()
	}
	return &Service{store: store, blobs: blobs, cases: cs, tx: tx, log: log, now: now, sniff: sniff, rules: cfg.Rules, maxSize: cfg.MaxSize}
}

// MaxSize is the largest upload accepted.
func (s *Service) MaxSize() int64 { return s.maxSize }

// Upload describes an uploaded file.
type Upload struct {
	Filename     string
	DeclaredType string
	Description  string
	Kind         string
	PowerUsed    string
	CollectedBy  string
	CollectedAt  time.Time
	SupersedesID string
	// AsPlain keeps the file as a plain exhibit without parsing it, even
	// when it looks like a scanner report: the officer's choice for a
	// truncated or unsupported report that is still evidence as it is.
	AsPlain bool
}

// ImportSummary says what parsing the exhibit did to the case's findings.
type ImportSummary struct {
	Parsed    int
	New       int
	Unchanged int
	Reopened  int
	Resolved  int
	// VEXApplied counts findings whose status a VEX statement changed,
	// VEXRecorded those where it was noted but an officer's decision (or
	// the statement's own status) kept the status, and VEXUnmatched the
	// statements that matched no finding on the case.
	VEXApplied   int
	VEXRecorded  int
	VEXUnmatched int
}

// CanUpload checks, before any bytes are read, that the caller may add
// evidence to the case.
func (s *Service) CanUpload(ctx context.Context, caseID string) error {
	c, _, err := s.cases.ForEvidence(ctx, caseID)
	if err != nil {
		return err
	}
	if c.Status == cases.Closed {
		return apperr.New(apperr.Conflict, "case %s is closed; a supervisor must reopen it before evidence is added", c.Reference)
	}
	return nil
}

// Stage streams an upload into the blob store's temporary area.
func (s *Service) Stage(ctx context.Context, r io.Reader) (Staged, error) {
	return s.blobs.Stage(ctx, r, s.maxSize)
}

// CheckFilename rejects names that try to be paths or to display as
// something else (control, format and bidirectional-override characters).
func CheckFilename(name string) error {
	switch {
	case name == "":
		return apperr.InvalidField("file", "the file part needs a filename")
	case len(name) > 255 || !utf8.ValidString(name):
		return apperr.InvalidField("file", "the filename must be valid UTF-8 of at most 255 bytes")
	case strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.Contains(name, ".."):
		return apperr.InvalidField("file", "the filename %q contains a path; send the bare file name", name)
	case safetext.NameProblem(name) != "":
		// Bidi overrides make "invoice\u202Efdp.exe" display as "invoiceexe.pdf".
		return apperr.InvalidField("file", "the filename %s", safetext.NameProblem(name))
	}
	return nil
}

func (s *Service) checkUpload(up *Upload) error {
	var fe apperr.Fields
	up.Description, up.CollectedBy, up.Kind = strings.TrimSpace(up.Description), strings.TrimSpace(up.CollectedBy), strings.TrimSpace(up.Kind)
	if err := CheckFilename(up.Filename); err != nil {
		return err
	}
	fe.Check(up.Description == "" || len(up.Description) > 5000, "description", "is required (max 5000 characters)")
	fe.Check(up.CollectedBy == "" || len(up.CollectedBy) > 200, "collected_by", "is required: who acquired the item (max 200 characters)")
	fe.Check(up.CollectedAt.IsZero(), "collected_at", "is required (RFC 3339 time)")
	// Strictly: the acquisition opens the chain of custody, and the upload
	// entry (dated now) must not precede it.
	fe.Check(up.CollectedAt.After(s.now()), "collected_at", "must not be in the future")
	fe.Check(len(up.Kind) > 100, "kind", "must be at most 100 characters")
	fe.Check(up.PowerUsed != "" && !slices.Contains(Powers, up.PowerUsed), "power_used", "must be one of %s", strings.Join(Powers, ", "))
	fe.Check(up.SupersedesID != "" && !ids.Valid(up.SupersedesID), "supersedes", "is not an exhibit id")
	return fe.Err()
}

// parsed is an upload's content analysis.
type parsed struct {
	mediaType string
	format    scan.Format
	report    scan.Report
	items     []scan.Item
	warning   string
}

// analyse sniffs and, for scanner reports, parses the staged bytes. A file
// that looks like a scanner report but cannot be read (unsupported format,
// parse error, hostile content) is refused, so nothing is stored, unless
// asPlain says to keep it unparsed. Anything else that is not a report
// (photos, PDFs, captures) is a plain exhibit.
func (s *Service) analyse(st Staged, declared string, asPlain bool) (parsed, error) {
	f, err := st.Open()
	if err != nil {
		return parsed{}, fmt.Errorf("open staged upload: %w", err)
	}
	defer f.Close()
	head := make([]byte, detect.HeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return parsed{}, fmt.Errorf("read staged upload: %w", err)
	}
	head = head[:n]
	p := parsed{format: FormatOther}
	detected, ok := s.sniff(head, declared)
	p.mediaType = detected
	if !ok {
		return parsed{}, apperr.InvalidField("file", "the file was declared as %s but its content is %s", declared, detected)
	}
	if asPlain {
		// Said on the exhibit, so that a reader knows why a report-like
		// file has no findings.
		if in, err := detect.Open(bytes.NewReader(head), detect.Options{}); err == nil && (in.Format != scan.FormatOther || in.Unsupported != nil) {
			p.warning = "not parsed: kept as a plain exhibit at the uploader's request (as_plain)"
			if in.Format != scan.FormatOther {
				p.warning += fmt.Sprintf("; it looks like a %s report", in.Format)
			}
		}
		return p, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return parsed{}, fmt.Errorf("rewind staged upload: %w", err)
	}
	in, err := detect.Open(f, detect.Options{MaxDecompressed: s.maxSize})
	if err != nil {
		return parsed{}, refusal(err, "")
	}
	if in.Format == scan.FormatOther {
		if in.Unsupported != nil {
			return parsed{}, refusal(in.Unsupported, "")
		}
		return p, nil
	}
	p.format = in.Format
	p.report, err = detect.StreamAs(p.format, in.R, func(it scan.Item) error {
		p.items = append(p.items, it)
		return nil
	})
	if err != nil {
		return parsed{}, refusal(err, p.format)
	}
	// A CSV export reads into its tool's own format (nessus-csv → nessus),
	// so that the tool's rules apply and re-imports match the native export.
	p.format = detect.ReportFormat(p.format)
	if where := safetext.FindUnstorable([]any{p.report, p.items}); where != "" {
		// No database column can hold NUL or invalid UTF-8; the bytes are
		// still evidence, so they are kept whole, as a plain exhibit.
		p.warning = fmt.Sprintf("looked like a %s report but its text cannot be stored as findings (NUL or invalid UTF-8 at %s)",
			p.format, strings.TrimPrefix(where, "[0]"))
		p.format, p.items, p.report = FormatOther, nil, scan.Report{}
	}
	return p, nil
}

// refusal turns a detection or parse failure into the upload's answer:
// a field error on "file" saying why, with the reason in Extra, or the
// error itself when it is not about the content.
func refusal(err error, f scan.Format) error {
	const plain = "Nothing was stored. To keep the file as a plain exhibit without findings, upload it again with as_plain=true (--as-plain with tradewarden evidence add)."
	var reason, what string
	switch {
	case errors.Is(err, scan.ErrUnsafe):
		reason, what = "unsafe_report", "rejected as unsafe content"
	case errors.Is(err, scan.ErrUnsupported):
		reason, what = "unsupported_format", "not a report format TradeWarden reads"
	case errors.Is(err, scan.ErrMalformed):
		reason, what = "malformed_report", "could not be parsed"
	default:
		return fmt.Errorf("parse %s report: %w", f, err)
	}
	if f != "" {
		what = fmt.Sprintf("looks like a %s report but %s", f, what)
	}
	msg := fmt.Sprintf("%s: %v.", what, unwrapParse(err))
	if reason != "unsafe_report" {
		msg += " " + plain
	}
	e := apperr.InvalidField("file", "%s", msg)
	e.Message = "the uploaded file was refused: " + what
	e.Extra = map[string]any{"reason": reason}
	if f != "" {
		e.Extra["format"] = string(f)
	}
	return e
}

// unwrapParse drops the package prefixes ("detect: nmap: ") from a parse
// error, keeping its position and message.
func unwrapParse(err error) error {
	var pe *scan.ParseError
	if errors.As(err, &pe) {
		return pe
	}
	return err
}

// Add keeps a staged upload as an exhibit on the case, with its custody
// entries and parsed findings, in one transaction. The staged bytes are
// discarded on any failure.
func (s *Service) Add(ctx context.Context, caseID string, up Upload, st Staged) (ex Exhibit, sum ImportSummary, err error) {
	defer func() {
		if err != nil {
			_ = st.Discard()
		}
	}()
	if err := s.checkUpload(&up); err != nil {
		return Exhibit{}, sum, err
	}
	if st.Size() == 0 {
		return Exhibit{}, sum, apperr.InvalidField("file", "the file is empty (0 bytes)")
	}
	p, err := s.analyse(st, up.DeclaredType, up.AsPlain)
	if err != nil {
		return Exhibit{}, sum, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		c, _, err := s.cases.ForEvidence(ctx, caseID)
		if err != nil {
			return err
		}
		if c.Status == cases.Closed {
			return apperr.New(apperr.Conflict, "case %s is closed", c.Reference)
		}
		ex, err = s.create(ctx, c, up, st.SHA256(), st.Size(), p, false)
		if err != nil {
			return err
		}
		switch {
		case p.format == scan.FormatOpenVEX:
			if sum, err = s.applyVEX(ctx, c.ID, ex, p); err != nil {
				return err
			}
		case len(p.items) > 0:
			if sum, err = s.importFindings(ctx, c.ID, ex, p); err != nil {
				return err
			}
		}
		retain, err := s.retain(ctx, c.AuthorityID)
		if err != nil {
			return err
		}
		if err := st.Commit(retain); err != nil {
			return fmt.Errorf("keep uploaded bytes: %w", err)
		}
		return s.log.Record(ctx, audit.Event{Action: "evidence.add", ObjectType: "exhibit", ObjectID: ex.ID, CaseID: c.ID,
			Detail: map[string]any{"exhibit_ref": ex.Ref, "sha256": ex.SHA256, "size": ex.Size, "format": ex.Format,
				"filename": ex.Filename, "findings": sum, "parse_warning": ex.ParseWarning, "supersedes": ex.SupersedesID,
				"as_plain": up.AsPlain}})
	})
	if err != nil {
		return Exhibit{}, ImportSummary{}, fmt.Errorf("add evidence to %s: %w", caseID, err)
	}
	return ex, sum, nil
}

// create inserts the exhibit and its first custody entries.
func (s *Service) create(ctx context.Context, c cases.Case, up Upload, sha string, size int64, p parsed, generated bool) (Exhibit, error) {
	pr, _ := principal.From(ctx)
	seq, err := s.store.NextExhibitSeq(ctx, c.ID)
	if err != nil {
		return Exhibit{}, err
	}
	now := s.now().UTC()
	ex := Exhibit{ID: ids.New(), CaseID: c.ID, Seq: seq, Ref: fmt.Sprintf("%s/EX-%03d", c.Reference, seq), SHA256: sha,
		Size: size, MediaType: p.mediaType, DeclaredType: up.DeclaredType, Format: string(p.format), Filename: up.Filename,
		Description: up.Description, Kind: up.Kind, PowerUsed: up.PowerUsed, CollectedAt: up.CollectedAt.UTC(),
		CollectedBy: up.CollectedBy, SupersedesID: up.SupersedesID, UploadedBy: pr.UserID, UploadedAt: now,
		ParseWarning: p.warning, FindingsCount: len(p.items), Generated: generated}
	if p.format == scan.FormatOpenVEX {
		// Statements change other findings; the VEX makes none itself.
		ex.FindingsCount = 0
	}
	if ex.Format == "" {
		ex.Format = FormatOther
	}
	if up.SupersedesID != "" {
		old, err := s.store.GetExhibit(ctx, up.SupersedesID)
		if errors.Is(err, ErrNotFound) || (err == nil && old.CaseID != c.ID) {
			return Exhibit{}, apperr.InvalidField("supersedes", "no exhibit %q on case %s", up.SupersedesID, c.Reference)
		}
		if err != nil {
			return Exhibit{}, err
		}
		if old.Generated {
			// An issued notice or an export is what TradeWarden produced:
			// an upload cannot stand in for it.
			return Exhibit{}, apperr.InvalidField("supersedes", "exhibit %s was generated by TradeWarden (%s): it cannot be superseded by an upload",
				old.Ref, old.Filename)
		}
		if old.SupersededBy != "" {
			return Exhibit{}, apperr.New(apperr.Conflict, "exhibit %s is already superseded", old.Ref)
		}
		old.SupersededBy = ex.ID
		if err := s.store.UpdateExhibit(ctx, old); err != nil {
			return Exhibit{}, err
		}
	}
	if err := s.store.CreateExhibit(ctx, ex); err != nil {
		return Exhibit{}, err
	}
	first := []CustodyEntry{{Action: Acquired, At: ex.CollectedAt, Actor: ex.CollectedBy, SHA256: sha,
		Note: "power used: " + orDash(ex.PowerUsed)}, {Action: Uploaded, At: now, ActorID: pr.UserID, Actor: pr.Actor(), SHA256: sha,
		Note: "received as " + ex.Filename}}
	if generated {
		first = []CustodyEntry{{Action: Generated, At: now, ActorID: pr.UserID, Actor: pr.Actor(), SHA256: sha,
			Note: "produced by TradeWarden as " + ex.Filename}}
	}
	var chain []CustodyEntry
	for _, ce := range first {
		if err := CheckNext(chain, ce, now); err != nil {
			return Exhibit{}, err
		}
		seq, err := s.store.NextCustodySeq(ctx, ex.ID)
		if err != nil {
			return Exhibit{}, err
		}
		ce.ID, ce.ExhibitID, ce.Seq = ids.New(), ex.ID, seq
		if err := s.store.AppendCustody(ctx, ce); err != nil {
			return Exhibit{}, err
		}
		chain = append(chain, ce)
	}
	return ex, nil
}

func orDash(s string) string {
	if s == "" {
		return "not recorded"
	}
	return s
}

// StoreGenerated keeps a document TradeWarden produced (an issued notice) as
// an exhibit of the case, inside the caller's transaction.
func (s *Service) StoreGenerated(ctx context.Context, caseID, filename string, content []byte, description string) (Exhibit, error) {
	c, err := s.cases.Get(ctx, caseID)
	if err != nil {
		return Exhibit{}, err
	}
	st, err := s.blobs.Stage(ctx, bytes.NewReader(content), int64(len(content))+1)
	if err != nil {
		return Exhibit{}, err
	}
	mt, _ := s.sniff(content[:min(len(content), detect.HeadSize)], "")
	up := Upload{Filename: filename, DeclaredType: mt, Description: description, Kind: "generated_document", CollectedAt: s.now()}
	ex, err := s.create(ctx, c, up, st.SHA256(), st.Size(), parsed{mediaType: mt, format: FormatOther}, true)
	if err != nil {
		_ = st.Discard()
		return Exhibit{}, err
	}
	retain, err := s.retain(ctx, c.AuthorityID)
	if err != nil {
		_ = st.Discard()
		return Exhibit{}, err
	}
	if err := st.Commit(retain); err != nil {
		return Exhibit{}, fmt.Errorf("keep generated document: %w", err)
	}
	return ex, s.log.Record(ctx, audit.Event{Action: "evidence.generated", ObjectType: "exhibit", ObjectID: ex.ID, CaseID: c.ID,
		Detail: map[string]any{"exhibit_ref": ex.Ref, "sha256": ex.SHA256, "size": ex.Size, "filename": filename}})
}
