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

// pages calls fn for every row fetch returns, a page at a time in key order.
func pages[R any](fetch func(after string, rows *[]R) error, key func(R) string, fn func(R) error) error {
	after := ""
	for {
		var rows []R
		if err := fetch(after, &rows); err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < integrityPage {
			return nil
		}
		after = key(rows[len(rows)-1])
	}
}

// IssuedNotices streams every notice that looks issued (a reference, an
// issue time or a PDF), oldest id first.
func (s Notices) IssuedNotices(ctx context.Context, fn func(notices.Notice) error) error {
	return pages(func(after string, rows *[]noticeRow) error {
		err := s.selectNotices(ctx, rows).Where("n.id > ?", after).
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("n.reference IS NOT NULL").WhereOr("n.issued_at IS NOT NULL").WhereOr("n.exhibit_id <> ''")
			}).OrderExpr("n.id").Limit(integrityPage).Scan(ctx)
		if err != nil {
			return fmt.Errorf("scan issued notices: %w", err)
		}
		return nil
	}, func(r noticeRow) string { return r.ID }, func(r noticeRow) error { return fn(r.toCore()) })
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
	return pages(func(after string, rows *[]exhibitAuthorityRow) error {
		err := s.idb(ctx).NewSelect().Model(rows).ColumnExpr("e.*").ColumnExpr("COALESCE(a.code, '') AS authority_code").
			ModelTableExpr("exhibits AS e").Join("LEFT JOIN cases AS c ON c.id = e.case_id").
			Join("LEFT JOIN authorities AS a ON a.id = c.authority_id").
			Where("e.id > ?", after).OrderExpr("e.id").Limit(integrityPage).Scan(ctx)
		if err != nil {
			return fmt.Errorf("scan exhibits: %w", err)
		}
		return nil
	}, func(r exhibitAuthorityRow) string { return r.ID }, func(r exhibitAuthorityRow) error { return fn(r.toCore(), r.AuthorityCode) })
}
