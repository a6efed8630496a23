package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/redact"
)

// exhibit loads an exhibit the caller may see (through its case), with the
// caller's access to the case.
func (s *Service) exhibit(ctx context.Context, id string) (Exhibit, cases.Access, error) {
	nf := apperr.New(apperr.NotFound, "no exhibit %q", id)
	if !ids.Valid(id) {
		return Exhibit{}, cases.Access{}, nf
	}
	ex, err := s.store.GetExhibit(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Exhibit{}, cases.Access{}, nf
	}
	if err != nil {
		return Exhibit{}, cases.Access{}, err
	}
	_, acc, err := s.cases.Access(ctx, ex.CaseID)
	if err != nil {
		return Exhibit{}, cases.Access{}, nf
	}
	return ex, acc, nil
}

// content loads an exhibit whose content (bytes, custody, findings) the
// caller may read: not while its case is a referral awaiting decision.
func (s *Service) content(ctx context.Context, id string) (Exhibit, cases.Access, error) {
	ex, acc, err := s.exhibit(ctx, id)
	if err != nil {
		return Exhibit{}, cases.Access{}, err
	}
	if !acc.SeesContent() {
		return Exhibit{}, cases.Access{}, noContent(ex.Ref)
	}
	return ex, acc, nil
}

func noContent(what string) error {
	return apperr.New(apperr.Forbidden, "%s is on a case referred to your authority: accept the referral to read exhibit content", what)
}

// exhibitFor is an exhibit's metadata as the caller's authority reads it:
// descriptions without the complainant (R1); while referred, as a referral
// package lists it, without who uploaded it (R2) or who collected it (R6).
func exhibitFor(acc cases.Access, ex Exhibit) Exhibit {
	if acc.Standing == cases.Owner {
		return ex
	}
	ex.Description, ex.Filename = acc.Text(ex.Description), acc.Text(ex.Filename)
	if acc.Standing == cases.Referred {
		ex.UploadedBy = ""
		if strings.TrimSpace(ex.CollectedBy) != "" {
			ex.CollectedBy = redact.Individual
		}
	}
	return ex
}

// Get returns an exhibit's metadata.
func (s *Service) Get(ctx context.Context, id string) (Exhibit, error) {
	ex, acc, err := s.exhibit(ctx, id)
	if err != nil {
		return Exhibit{}, err
	}
	return exhibitFor(acc, ex), nil
}

// List returns a case's exhibits in order.
func (s *Service) List(ctx context.Context, caseID string) ([]Exhibit, error) {
	_, acc, err := s.cases.Access(ctx, caseID)
	if err != nil {
		return nil, err
	}
	exs, err := s.store.ListExhibits(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for i := range exs {
		exs[i] = exhibitFor(acc, exs[i])
	}
	return exs, nil
}

// Lookup returns the named exhibits of a case, naming any that is not one.
func (s *Service) Lookup(ctx context.Context, caseID string, exhibitIDs []string) ([]Exhibit, error) {
	out := make([]Exhibit, 0, len(exhibitIDs))
	var fe apperr.Fields
	for i, id := range exhibitIDs {
		ex, err := s.store.GetExhibit(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if err != nil || ex.CaseID != caseID {
			fe.Add(fmt.Sprintf("evidence_ids[%d]", i), "no exhibit %q on this case", id)
			continue
		}
		out = append(out, ex)
	}
	return out, fe.Err()
}

// custody appends one chain-of-custody entry with the next sequence number,
// after checking it keeps the chain chronological and open (CheckNext).
// An entry without a time is dated now (never before the latest entry).
func (s *Service) custody(ctx context.Context, ex Exhibit, ce CustodyEntry) (CustodyEntry, error) {
	// Allocating the number first serialises appends to this exhibit, so
	// the chain read next is the one the entry extends.
	seq, err := s.store.NextCustodySeq(ctx, ex.ID)
	if err != nil {
		return CustodyEntry{}, err
	}
	chain, err := s.store.Custody(ctx, ex.ID)
	if err != nil {
		return CustodyEntry{}, err
	}
	now := s.now().UTC()
	if ce.At.IsZero() {
		ce.At = clampToChain(chain, now)
		now = ce.At
	}
	if err := CheckNext(chain, ce, now); err != nil {
		return CustodyEntry{}, fmt.Errorf("%s %s: %w", ex.Ref, ce.Action, err)
	}
	pr, _ := principal.From(ctx)
	ce.ID, ce.ExhibitID, ce.Seq = ids.New(), ex.ID, seq
	if ce.ActorID == "" && ce.Actor == "" {
		ce.ActorID, ce.Actor = pr.UserID, pr.Actor()
	}
	if err := s.store.AppendCustody(ctx, ce); err != nil {
		return CustodyEntry{}, err
	}
	return ce, s.log.Record(ctx, audit.Event{Action: "evidence.custody." + string(ce.Action), ObjectType: "exhibit",
		ObjectID: ex.ID, CaseID: ex.CaseID, Detail: map[string]any{"exhibit_ref": ex.Ref, "seq": ce.Seq, "sha256": ce.SHA256,
			"from": ce.From, "to": ce.To, "location": ce.Location, "note": ce.Note}})
}

// Download opens an exhibit's exact bytes and records the download in its
// chain of custody (committed before any byte is served).
func (s *Service) Download(ctx context.Context, id string) (Exhibit, io.ReadSeekCloser, int64, error) {
	ex, acc, err := s.content(ctx, id)
	if err != nil {
		return Exhibit{}, nil, 0, err
	}
	rc, size, err := s.blobs.Open(ex.SHA256)
	if errors.Is(err, ErrBlobMissing) {
		return Exhibit{}, nil, 0, apperr.New(apperr.Conflict, "the stored bytes of %s are missing: run verify, and report it", ex.Ref)
	}
	if err != nil {
		return Exhibit{}, nil, 0, err
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		_, err := s.custody(ctx, ex, CustodyEntry{Action: Downloaded, SHA256: ex.SHA256})
		return err
	})
	if err != nil {
		rc.Close()
		return Exhibit{}, nil, 0, fmt.Errorf("record download of %s: %w", ex.Ref, err)
	}
	return exhibitFor(acc, ex), rc, size, nil
}

// Open returns an exhibit's bytes without a custody entry or an access
// check, for TradeWarden's own reads of documents it generated (the issued
// PDF a notice re-serves); the caller has already checked access.
func (s *Service) Open(ctx context.Context, id string) (io.ReadCloser, int64, error) {
	ex, err := s.store.GetExhibit(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, apperr.New(apperr.NotFound, "no exhibit %q", id)
	}
	if err != nil {
		return nil, 0, err
	}
	rc, n, err := s.blobs.Open(ex.SHA256)
	return rc, n, err
}

// Custody lists an exhibit's chain of custody, oldest first.
func (s *Service) Custody(ctx context.Context, id string) (Exhibit, []CustodyEntry, error) {
	ex, _, err := s.content(ctx, id)
	if err != nil {
		return Exhibit{}, nil, err
	}
	cs, err := s.store.Custody(ctx, id)
	return ex, cs, err
}

// Transfer is a physical movement (or viewing, or disposal) an officer records.
type Transfer struct {
	Action   CustodyAction
	At       time.Time
	From     string
	To       string
	Location string
	Note     string
}

// RecordCustody appends a manual chain-of-custody entry.
func (s *Service) RecordCustody(ctx context.Context, id string, t Transfer) (CustodyEntry, error) {
	if t.Action == "" {
		t.Action = Transferred
	}
	var fe apperr.Fields
	fe.Check(!slices.Contains(ManualActions, t.Action), "action", "must be one of transferred, viewed, disposed")
	t.From, t.To, t.Location, t.Note = strings.TrimSpace(t.From), strings.TrimSpace(t.To), strings.TrimSpace(t.Location), strings.TrimSpace(t.Note)
	fe.Check(t.Action == Transferred && (t.From == "" || t.To == ""), "to", "a transfer needs from and to")
	fe.Check(len(t.From) > 200 || len(t.To) > 200 || len(t.Location) > 500 || len(t.Note) > 5000, "note", "a field is too long")
	if err := fe.Err(); err != nil {
		return CustodyEntry{}, err
	}
	var out CustodyEntry
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		ex, _, err := s.exhibit(ctx, id)
		if err != nil {
			return err
		}
		if _, _, err := s.cases.ForEvidence(ctx, ex.CaseID); err != nil {
			return err
		}
		out, err = s.custody(ctx, ex, CustodyEntry{Action: t.Action, At: t.At.UTC(), SHA256: ex.SHA256, From: t.From,
			To: t.To, Location: t.Location, Note: t.Note})
		return err
	})
	return out, err
}

// VerifyResult is the outcome of re-hashing an exhibit.
type VerifyResult struct {
	Exhibit  Exhibit
	OK       bool
	Expected string
	Actual   string
	Missing  bool
}

// Verify re-hashes an exhibit's stored bytes and records the result in its
// chain of custody. A changed or missing blob is reported, never repaired.
func (s *Service) Verify(ctx context.Context, id string) (VerifyResult, error) {
	ex, _, err := s.content(ctx, id)
	if err != nil {
		return VerifyResult{}, err
	}
	return s.verify(ctx, ex)
}

func (s *Service) verify(ctx context.Context, ex Exhibit) (VerifyResult, error) {
	res := VerifyResult{Exhibit: ex, Expected: ex.SHA256}
	chain, err := s.store.Custody(ctx, ex.ID)
	if err != nil {
		return VerifyResult{}, err
	}
	ok, actual, err := s.blobs.Verify(ctx, ex.SHA256)
	switch {
	case errors.Is(err, ErrBlobMissing):
		res.Missing = true
	case err != nil:
		return VerifyResult{}, fmt.Errorf("verify %s: %w", ex.Ref, err)
	default:
		res.OK, res.Actual = ok, actual
	}
	err = s.tx.InTx(ctx, func(ctx context.Context) error {
		action, note := ReVerified, "stored bytes match the recorded SHA-256"
		if !res.OK {
			action = VerifyFailed
			note = "stored bytes do not match the recorded SHA-256"
			if res.Missing {
				note = "stored bytes are missing"
			}
		}
		if ChainClosed(chain) {
			// Nothing may follow a disposal in the chain; the stored bytes
			// are still checked, and the result goes to the audit log.
			if err := s.log.Record(ctx, audit.Event{Action: "evidence.verified_after_disposal", ObjectType: "exhibit",
				ObjectID: ex.ID, CaseID: ex.CaseID, Detail: map[string]any{"exhibit_ref": ex.Ref, "ok": res.OK,
					"missing": res.Missing, "actual_sha256": res.Actual, "note": note}}); err != nil {
				return err
			}
		} else if _, err := s.custody(ctx, ex, CustodyEntry{Action: action, SHA256: res.Actual, Note: note}); err != nil {
			return err
		}
		now := s.now().UTC()
		ex.LastVerifiedAt, ex.LastVerifyOK = &now, &res.OK
		res.Exhibit = ex
		return s.store.UpdateExhibit(ctx, ex)
	})
	return res, err
}

// VerifySystem re-hashes one exhibit for an operator command (no case scoping).
func (s *Service) VerifySystem(ctx context.Context, id string) (VerifyResult, error) {
	ex, err := s.store.GetExhibit(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return VerifyResult{}, apperr.New(apperr.NotFound, "no exhibit %q", id)
	}
	if err != nil {
		return VerifyResult{}, err
	}
	return s.verify(ctx, ex)
}

// VerifyAll re-hashes every exhibit (an operator command: no case scoping).
func (s *Service) VerifyAll(ctx context.Context, each func(VerifyResult)) (checked, failed int, err error) {
	var all []Exhibit
	if err := s.store.AllExhibits(ctx, func(ex Exhibit) error { all = append(all, ex); return nil }); err != nil {
		return 0, 0, err
	}
	for _, ex := range all {
		res, err := s.verify(ctx, ex)
		if err != nil {
			return checked, failed, err
		}
		checked++
		if !res.OK {
			failed++
		}
		if each != nil {
			each(res)
		}
	}
	return checked, failed, nil
}

// SweepOrphans removes stored blobs that no exhibit references and that are
// older than grace (so an upload committing right now is never touched). A
// crash between writing a blob and committing its row leaves such orphans.
func (s *Service) SweepOrphans(ctx context.Context, grace time.Duration) (int, error) {
	cutoff := s.now().Add(-grace)
	var orphans []string
	err := s.blobs.Walk(ctx, func(sha string, modified time.Time) error {
		if modified.After(cutoff) {
			return nil
		}
		used, err := s.store.BlobReferenced(ctx, sha)
		if err != nil {
			return err
		}
		if !used {
			orphans = append(orphans, sha)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("walk blobs: %w", err)
	}
	for _, sha := range orphans {
		if err := s.blobs.Remove(sha); err != nil {
			return 0, fmt.Errorf("remove orphan blob %s: %w", sha, err)
		}
	}
	return len(orphans), nil
}

// RecordExport notes in an exhibit's custody that it left in a referral package.
func (s *Service) RecordExport(ctx context.Context, id, recipient, note string) error {
	ex, _, err := s.exhibit(ctx, id)
	if err != nil {
		return err
	}
	_, err = s.custody(ctx, ex, CustodyEntry{Action: Exported, SHA256: ex.SHA256, To: recipient, Note: note})
	return err
}
