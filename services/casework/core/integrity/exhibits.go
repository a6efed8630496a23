package integrity

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
)

// checkExhibits compares every stored exhibit with its upload entry and its
// blob: DB ↔ audit ↔ blob.
func (r *run) checkExhibits(ctx context.Context) error {
	r.pdfs = map[string]string{}
	seen := map[string]bool{}
	// Identical bytes are stored once; hash each blob once.
	blobOK := map[string]string{}
	err := r.c.exhibits.ExhibitsWithAuthority(ctx, func(ex evidence.Exhibit, authority string) error {
		r.pdfs[ex.ID] = ex.SHA256
		rec, ok := r.rec.uploads[ex.ID]
		if !ok {
			later, err := r.createdAfterHead(ctx, "exhibit", ex.ID, actionEvidenceAdd, actionGenerated)
			if err != nil || later {
				return err
			}
			r.problem(Problem{Check: CheckExhibit, Authority: authority, ObjectType: "exhibit", ObjectID: ex.ID, Reference: ex.Ref,
				Reason: fmt.Sprintf("no audit entry records the upload of exhibit %s: it was inserted outside TradeWarden, "+
					"or the entries recording it were removed", ex.Ref)})
			return nil
		}
		seen[ex.ID] = true
		r.rep.Exhibits++
		r.compareExhibit(ex, authority, rec)
		if reason, ok := blobOK[ex.SHA256]; ok {
			if reason != "" {
				r.blobProblem(ex, authority, rec, reason)
			}
			return nil
		}
		reason, err := r.checkBlob(ctx, ex)
		if err != nil {
			return err
		}
		blobOK[ex.SHA256] = reason
		if reason != "" {
			r.blobProblem(ex, authority, rec, reason)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check exhibits: %w", err)
	}
	for _, id := range sortedKeys(r.rec.uploads) {
		if seen[id] {
			continue
		}
		rec := r.rec.uploads[id]
		r.problem(Problem{Check: CheckExhibit, EntryID: seqPtr(rec.seq), Authority: rec.authority, ObjectType: "exhibit",
			ObjectID: id, Reference: rec.ref, Reason: fmt.Sprintf("exhibit %s, recorded by audit entry %d, is no longer in the database", rec.ref, rec.seq)})
	}
	return nil
}

// compareExhibit checks the stored hash and size against the upload entry.
func (r *run) compareExhibit(ex evidence.Exhibit, authority string, rec *uploadRecord) {
	var fields []string
	if ex.SHA256 != rec.sha256 {
		fields = append(fields, "sha256")
	}
	if ex.Size != rec.size {
		fields = append(fields, "size")
	}
	if len(fields) == 0 {
		return
	}
	r.problem(Problem{Check: CheckExhibit, EntryID: seqPtr(rec.seq), Authority: authority, ObjectType: "exhibit", ObjectID: ex.ID,
		Reference: ex.Ref, Field: join(fields), Reason: fmt.Sprintf("exhibit %s is stored with sha256 %s (%d bytes) but audit entry %d "+
			"recorded sha256 %s (%d bytes) at upload", ex.Ref, ex.SHA256, ex.Size, rec.seq, rec.sha256, rec.size)})
}

// checkBlob returns why the stored bytes do not match the exhibit ("" when they do).
func (r *run) checkBlob(ctx context.Context, ex evidence.Exhibit) (string, error) {
	if r.o.Rehash {
		ok, actual, err := r.c.blobs.Verify(ctx, ex.SHA256)
		switch {
		case errors.Is(err, evidence.ErrBlobMissing):
			return "its stored bytes are missing", nil
		case err != nil:
			return "", fmt.Errorf("re-hash %s: %w", ex.Ref, err)
		case !ok:
			return fmt.Sprintf("its stored bytes hash to %s", actual), nil
		}
		return "", nil
	}
	size, err := r.c.blobs.Size(ex.SHA256)
	switch {
	case errors.Is(err, evidence.ErrBlobMissing):
		return "its stored bytes are missing", nil
	case err != nil:
		return "", fmt.Errorf("stat %s: %w", ex.Ref, err)
	case size != ex.Size:
		return fmt.Sprintf("its stored bytes are %d bytes long", size), nil
	}
	return "", nil
}

func (r *run) blobProblem(ex evidence.Exhibit, authority string, rec *uploadRecord, reason string) {
	r.problem(Problem{Check: CheckExhibit, EntryID: seqPtr(rec.seq), Authority: authority, ObjectType: "exhibit", ObjectID: ex.ID,
		Reference: ex.Ref, Field: "blob", Reason: fmt.Sprintf("exhibit %s records sha256 %s but %s", ex.Ref, ex.SHA256, reason)})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
