package bunstore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// Audit is the audit log on bun.
type Audit struct{ *Store }

var (
	_ audit.Log    = Audit{}
	_ audit.Reader = Audit{}
)

type auditRow struct {
	bun.BaseModel `bun:"table:audit_log"`

	Seq        int64     `bun:"seq,pk"`
	At         time.Time `bun:"at"`
	ActorID    string    `bun:"actor_id"`
	Actor      string    `bun:"actor"`
	Authority  string    `bun:"authority"`
	Action     string    `bun:"action"`
	ObjectType string    `bun:"object_type"`
	ObjectID   string    `bun:"object_id"`
	CaseID     string    `bun:"case_id"`
	RequestID  string    `bun:"request_id"`
	Detail     string    `bun:"detail"`
	PrevHash   string    `bun:"prev_hash"`
	Hash       string    `bun:"hash"`
	Chain      int       `bun:"chain"`
}

func (r auditRow) toCore() audit.Entry {
	return audit.Entry{Seq: r.Seq, At: r.At.UTC(), ActorID: r.ActorID, Actor: r.Actor, Authority: r.Authority,
		Action: r.Action, ObjectType: r.ObjectType, ObjectID: r.ObjectID, CaseID: r.CaseID, RequestID: r.RequestID,
		Detail: r.Detail, PrevHash: r.PrevHash, Hash: r.Hash, Chain: r.Chain}
}

func toAuditRow(e audit.Entry) auditRow {
	return auditRow{Seq: e.Seq, At: e.At, ActorID: e.ActorID, Actor: e.Actor, Authority: e.Authority,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, CaseID: e.CaseID, RequestID: e.RequestID,
		Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash, Chain: e.Chain}
}

// Errors binding the audit key to the database.
var (
	// ErrAuditKey wraps every refusal to write because of the audit key.
	ErrAuditKey = errors.New("audit key")
	// ErrAuditKeyMismatch: the database's chain is sealed with another key.
	ErrAuditKeyMismatch = fmt.Errorf("%w: the audit log is sealed with another key", ErrAuditKey)
	// ErrAuditUnkeyedLog: binding would key an existing unkeyed log without being asked to.
	ErrAuditUnkeyedLog = fmt.Errorf("%w: the audit log holds unkeyed entries and is not bound to this key", ErrAuditKey)
)

type auditHead struct {
	Seq   int64  `bun:"seq"`
	Hash  string `bun:"hash"`
	KeyID string `bun:"key_id"`
}

// lockHead reads the head row, locking it on PostgreSQL (SQLite's single
// writer already serialises appends).
func (s *Store) lockHead(ctx context.Context, tx bun.IDB) (auditHead, error) {
	var head auditHead
	q := tx.NewSelect().Table("audit_head").Column("seq", "hash", "key_id").Where("id = 1")
	if s.db.Engine == database.Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx, &head); err != nil {
		return head, fmt.Errorf("lock audit head: %w", err)
	}
	return head, nil
}

// sealer picks how to seal entries appended after head: the keyed chain
// once the database is bound to this process's key (or with the entry that
// binds it), the unkeyed chain only while it is bound to none and this
// process has no key.
func (s *Store) sealer(head auditHead, first audit.Entry) (func(string, *audit.Entry), error) {
	k := s.auditKey
	switch {
	case k == nil && head.KeyID == "":
		return audit.Seal, nil
	case k == nil:
		return nil, fmt.Errorf("%w: the audit log is sealed with key %s but no audit key was loaded (TW_AUDIT_KEY_FILE)", ErrAuditKey, head.KeyID)
	case head.KeyID == k.ID() || (head.KeyID == "" && first.Action == audit.ActionChainKeyed):
		return k.Seal, nil
	case head.KeyID == "":
		return nil, fmt.Errorf("%w: the database is not bound to audit key %s yet", ErrAuditKey, k.ID())
	}
	return nil, fmt.Errorf("%w (%s, while this process holds %s): every node sharing a database needs the same TW_AUDIT_KEY_FILE",
		ErrAuditKeyMismatch, head.KeyID, k.ID())
}

// BindAuditKey makes the store's key the one the audit chain is sealed with,
// beginning the keyed chain with an audit.chain.keyed entry unless the
// database is already bound to it (started reports that it began now). A
// log that already holds unkeyed entries is bound only when allowUnkeyed is
// set — the key was generated just now for it, or an operator asked —
// because otherwise someone who rewrote a keyed chain as an unkeyed one
// could have it re-keyed, and so laundered, at the next start.
func (s *Store) BindAuditKey(ctx context.Context, allowUnkeyed bool) (started bool, err error) {
	k := s.auditKey
	if k == nil {
		return false, fmt.Errorf("%w: no audit key loaded", ErrAuditKey)
	}
	// Bound already (every start but the first): no write lock needed.
	if bound, err := (Audit{Store: s}).KeyID(ctx); err == nil && bound == k.ID() {
		return false, nil
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		st, _ := inTx(ctx)
		head, err := s.lockHead(ctx, st.tx)
		if err != nil {
			return err
		}
		switch {
		case head.KeyID == k.ID():
			return nil
		case head.KeyID != "":
			return fmt.Errorf("%w (%s; TW_AUDIT_KEY_FILE holds %s): use the key file this database was keyed with",
				ErrAuditKeyMismatch, head.KeyID, k.ID())
		case head.Seq > 0 && !allowUnkeyed:
			return fmt.Errorf("%w (%d unkeyed entries, key %s): if this database comes from a release before the keyed chain "+
				"and has not been tampered with, run `tradewarden audit bind-key`", ErrAuditUnkeyedLog, head.Seq, k.ID())
		}
		started = true
		return Audit{Store: s}.Record(ctx, audit.Event{Action: audit.ActionChainKeyed, ObjectType: "audit_log", ObjectID: k.ID(),
			Detail: audit.ChainStart{KeyID: k.ID(), PublicKey: base64.StdEncoding.EncodeToString(k.PublicKey()),
				UnkeyedEntries: head.Seq, UnkeyedHead: head.Hash}})
	})
	return started, err
}

// KeyID returns the key the audit chain is bound to ("" when unkeyed).
func (a Audit) KeyID(ctx context.Context) (string, error) {
	var id string
	if err := a.idb(ctx).NewSelect().Table("audit_head").Column("key_id").Where("id = 1").Scan(ctx, &id); err != nil {
		return "", fmt.Errorf("read audit key id: %w", err)
	}
	return id, nil
}

// Record queues the event in the transaction in ctx (or writes it in its own).
func (a Audit) Record(ctx context.Context, ev audit.Event) error {
	detail, err := audit.MarshalDetail(ev.Detail)
	if err != nil {
		return err
	}
	p, _ := principal.From(ctx)
	e := audit.Entry{
		At: a.now().UTC().Truncate(time.Microsecond), ActorID: p.UserID, Actor: p.Actor(),
		Authority: p.Authority.Code, Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID, CaseID: ev.CaseID,
		RequestID: principal.RequestID(ctx), Detail: detail,
	}
	if ev.Actor != "" {
		e.Actor = ev.Actor
	}
	if ev.Authority != "" {
		e.Authority = ev.Authority
	}
	if st, ok := inTx(ctx); ok {
		st.pending = append(st.pending, e)
		return nil
	}
	return a.InTx(ctx, func(ctx context.Context) error {
		st, _ := inTx(ctx)
		st.pending = append(st.pending, e)
		return nil
	})
}

// flushAudit chains and inserts the pending entries under the head lock.
func (s *Store) flushAudit(ctx context.Context, tx bun.Tx, pending []audit.Entry) error {
	if len(pending) == 0 {
		return nil
	}
	head, err := s.lockHead(ctx, tx)
	if err != nil {
		return err
	}
	seal, err := s.sealer(head, pending[0])
	if err != nil {
		return err
	}
	rows := make([]auditRow, len(pending))
	prev := head.Hash
	for i := range pending {
		e := pending[i]
		e.Seq = head.Seq + int64(i) + 1
		seal(prev, &e)
		prev = e.Hash
		rows[i] = toAuditRow(e)
	}
	if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert audit entries: %w", err)
	}
	last := rows[len(rows)-1]
	keyID := head.KeyID
	if last.Chain == audit.ChainHMAC {
		keyID = s.auditKey.ID()
	}
	if _, err := tx.NewUpdate().Table("audit_head").Set("seq = ?", last.Seq).Set("hash = ?", last.Hash).
		Set("key_id = ?", keyID).Where("id = 1").Exec(ctx); err != nil {
		return fmt.Errorf("advance audit head: %w", err)
	}
	return nil
}

// List returns entries newest first.
func (a Audit) List(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var rows []auditRow
	q := a.idb(ctx).NewSelect().Model(&rows)
	if f.Ascending {
		q = q.OrderExpr("seq ASC")
	} else {
		q = q.OrderExpr("seq DESC")
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if f.CaseID != "" {
		q = q.Where("case_id = ?", f.CaseID)
	}
	if f.Authority != "" {
		q = q.Where("authority = ?", f.Authority)
	}
	if f.Before > 0 {
		if f.Ascending {
			q = q.Where("seq > ?", f.Before)
		} else {
			q = q.Where("seq < ?", f.Before)
		}
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = r.toCore()
	}
	return out, nil
}

// Scan streams the entries up to seq upTo in sequence order, a page at a time.
func (a Audit) Scan(ctx context.Context, upTo int64, fn func(audit.Entry) error) error {
	const page = 5000
	after := int64(0)
	for {
		var rows []auditRow
		if err := a.idb(ctx).NewSelect().Model(&rows).Where("seq > ?", after).Where("seq <= ?", upTo).
			OrderExpr("seq ASC").Limit(page).Scan(ctx); err != nil {
			return fmt.Errorf("scan audit log after %d: %w", after, err)
		}
		for _, r := range rows {
			if err := fn(r.toCore()); err != nil {
				return err
			}
		}
		if len(rows) < page {
			return nil
		}
		after = rows[len(rows)-1].Seq
	}
}

// Head returns the recorded end of the chain.
func (a Audit) Head(ctx context.Context) (int64, string, error) {
	var head struct {
		Seq  int64  `bun:"seq"`
		Hash string `bun:"hash"`
	}
	if err := a.idb(ctx).NewSelect().Table("audit_head").Column("seq", "hash").Where("id = 1").Scan(ctx, &head); err != nil {
		return 0, "", fmt.Errorf("read audit head: %w", err)
	}
	return head.Seq, head.Hash, nil
}
