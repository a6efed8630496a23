package bunstore

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/integrity"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// What the stored-state integrity checks read: every issued notice and
// every exhibit, across authorities, a page at a time.

var (
	_ integrity.Notices  = Notices{}
	_ integrity.Exhibits = Evidence{}
)

const integrityPage = 1000

// IssuedNotices streams every notice that looks issued (a reference, an
// issue time or a PDF), oldest id first.
func (s Notices) IssuedNotices(ctx context.Context, fn func(notices.Notice) error) error {
	after := ""
	for {
		var rows []noticeRow
		if err := s.selectNotices(ctx, &rows).Where("n.id > ?", after).
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("n.reference IS NOT NULL").WhereOr("n.issued_at IS NOT NULL").WhereOr("n.exhibit_id <> ''")
			}).OrderExpr("n.id").Limit(integrityPage).Scan(ctx); err != nil {
			return fmt.Errorf("scan issued notices: %w", err)
		}
		for _, r := range rows {
			if err := fn(r.toCore()); err != nil {
				return err
			}
		}
		if len(rows) < integrityPage {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// NoticeByID loads any notice (no authority scoping).
func (s Notices) NoticeByID(ctx context.Context, id string) (notices.Notice, error) {
	return s.one(ctx, "n.id = ?", id)
}

type exhibitAuthorityRow struct {
	exhibitRow    `bun:",extend"`
	AuthorityCode string `bun:"authority_code,scanonly"`
}

// ExhibitsWithAuthority streams every exhibit with the code of the
// authority that owns its case, oldest id first.
func (s Evidence) ExhibitsWithAuthority(ctx context.Context, fn func(evidence.Exhibit, string) error) error {
	after := ""
	for {
		var rows []exhibitAuthorityRow
		if err := s.idb(ctx).NewSelect().Model(&rows).ColumnExpr("e.*").ColumnExpr("COALESCE(a.code, '') AS authority_code").
			ModelTableExpr("exhibits AS e").Join("LEFT JOIN cases AS c ON c.id = e.case_id").
			Join("LEFT JOIN authorities AS a ON a.id = c.authority_id").
			Where("e.id > ?", after).OrderExpr("e.id").Limit(integrityPage).Scan(ctx); err != nil {
			return fmt.Errorf("scan exhibits: %w", err)
		}
		for _, r := range rows {
			if err := fn(r.toCore(), r.AuthorityCode); err != nil {
				return err
			}
		}
		if len(rows) < integrityPage {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}
