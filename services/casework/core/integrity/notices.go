package integrity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// checkNotices compares every issued notice with the entry that issued it.
func (r *run) checkNotices(ctx context.Context) error {
	seen := map[string]bool{}
	err := r.c.notices.IssuedNotices(ctx, func(n notices.Notice) error {
		rec, ok := r.rec.issues[n.ID]
		if !ok {
			later, err := r.createdAfterHead(ctx, "notice", n.ID, actionIssue)
			if err != nil || later {
				return err
			}
			r.problem(Problem{Check: CheckNotice, Authority: n.AuthorityCode, ObjectType: "notice", ObjectID: n.ID, Reference: n.Reference,
				Reason: fmt.Sprintf("notice %s is stored as issued but no audit entry records its issue", orID(n))})
			return nil
		}
		seen[n.ID] = true
		r.rep.IssuedNotices++
		r.compareNotice(n, rec)
		return nil
	})
	if err != nil {
		return fmt.Errorf("check issued notices: %w", err)
	}
	for _, id := range sortedKeys(r.rec.issues) {
		if seen[id] {
			continue
		}
		rec := r.rec.issues[id]
		// Still there, but no longer looks issued: compare what is left.
		n, err := r.c.notices.NoticeByID(ctx, id)
		switch {
		case errors.Is(err, notices.ErrNotFound):
			r.problem(Problem{Check: CheckNotice, EntryID: seqPtr(rec.seq), Authority: rec.authority, ObjectType: "notice", ObjectID: id,
				Reference: rec.detail.Reference, Reason: fmt.Sprintf("notice %s, issued by audit entry %d, is no longer in the database",
					rec.detail.Reference, rec.seq)})
		case err != nil:
			return fmt.Errorf("load notice %s: %w", id, err)
		default:
			r.rep.IssuedNotices++
			r.compareNotice(n, rec)
		}
	}
	return nil
}

// compareNotice reports the particulars that differ from the issue entry.
func (r *run) compareNotice(n notices.Notice, rec *issueRecord) {
	d := rec.detail
	parts := notices.ParticularsOf(n)
	var fields []string
	add := func(differs bool, name string) {
		if differs && !slices.Contains(fields, name) {
			fields = append(fields, name)
		}
	}
	add(n.Reference != d.Reference, "reference")
	add(n.SHA256 != d.SHA256, "sha256")
	add(n.ExhibitID != d.ExhibitID, "exhibit_id")
	add(n.Verification != d.Verification, "verification")
	// Entries from before particulars were recorded still pin the
	// verification code, which covers most of them.
	add(notices.VerificationCode(n) != d.Verification, "particulars")
	if d.ParticularsSHA256 != "" && parts.Hash() != d.ParticularsSHA256 {
		named, hashes := false, parts.FieldHashes()
		for _, name := range sortedKeys(hashes) {
			if d.Particulars[name] != hashes[name] {
				add(true, name)
				named = true
			}
		}
		add(!named, "particulars")
	}
	if pdf, ok := r.pdfs[n.ExhibitID]; ok && n.ExhibitID != "" && pdf != n.SHA256 {
		add(true, "pdf")
	}
	add(!n.Status.Frozen(), "status")
	if len(fields) == 0 {
		return
	}
	if len(fields) > 1 {
		// Named fields say more than "particulars".
		fields = slices.DeleteFunc(fields, func(f string) bool { return f == "particulars" })
	}
	r.problem(Problem{Check: CheckNotice, EntryID: seqPtr(rec.seq), Authority: n.AuthorityCode, ObjectType: "notice", ObjectID: n.ID,
		Reference: d.Reference, Field: join(fields), Reason: fmt.Sprintf("notice %s was changed after issue (%s): the stored notice no longer matches what audit entry %d recorded",
			d.Reference, join(fields), rec.seq)})
}

func orID(n notices.Notice) string {
	if n.Reference != "" {
		return n.Reference
	}
	return n.ID
}

func join(fields []string) string { return strings.Join(fields, ", ") }
