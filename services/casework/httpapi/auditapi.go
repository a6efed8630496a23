package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/integrity"
)

type auditQuery struct {
	ObjectType string `query:"object_type" validate:"max=64"`
	ObjectID   string `query:"object_id" validate:"max=128"`
	Limit      int    `query:"limit" validate:"gte=0"`
	Cursor     string `query:"cursor" validate:"max=32"`
}

type auditEntryDTO struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id,omitempty"`
	Actor      string          `json:"actor"`
	Authority  string          `json:"authority"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	RequestID  string          `json:"request_id,omitempty"`
	Detail     json.RawMessage `json:"detail"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
	// Chain says how hash was computed: sha256 (unkeyed, older entries) or hmac-sha256 (the audit key).
	Chain string `json:"chain" enum:"sha256,hmac-sha256"`
}

type auditPage struct {
	Items      []auditEntryDTO `json:"items"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// IntegrityChecker verifies the audit chain and the stored state against it.
type IntegrityChecker interface {
	Check(ctx context.Context, o integrity.Options) (integrity.Report, error)
}

type verifyQuery struct {
	// Rehash re-reads and hashes every evidence blob (slow on a large store); otherwise presence and size are checked.
	Rehash bool `query:"rehash"`
}

type verifyReq struct {
	// Checkpoints are escrowed checkpoints (from POST /audit/checkpoints or `tradewarden audit checkpoint`) the log must still extend.
	Checkpoints []audit.Checkpoint `json:"checkpoints" validate:"max=50"`
	Rehash      bool               `json:"rehash"`
}

type verifyResp struct {
	OK      bool  `json:"ok"`
	Entries int64 `json:"entries"`
	// FirstBadID is the first audit entry whose integrity cannot be established.
	FirstBadID *int64          `json:"first_bad_id,omitempty"`
	Reason     string          `json:"reason,omitempty"`
	Head       verifyHead      `json:"head"`
	Chain      verifyChain     `json:"chain"`
	Checked    verifyChecked   `json:"checked"`
	Problems   []verifyProblem `json:"problems"`
}

type verifyHead struct {
	ID   int64  `json:"id"`
	Hash string `json:"hash"`
}

type verifyChain struct {
	// KeyedFrom is the first entry sealed with the audit key (0: none).
	KeyedFrom   int64                    `json:"keyed_from"`
	KeyID       string                   `json:"key_id,omitempty"`
	Checkpoints []audit.CheckpointResult `json:"checkpoints"`
}

type verifyChecked struct {
	IssuedNotices int  `json:"issued_notices"`
	Exhibits      int  `json:"exhibits"`
	BlobsRehashed bool `json:"blobs_rehashed"`
}

type verifyProblem struct {
	Check      string `json:"check" enum:"chain,checkpoint,notice,exhibit"`
	EntryID    *int64 `json:"entry_id,omitempty"`
	ObjectType string `json:"object_type,omitempty"`
	ObjectID   string `json:"object_id,omitempty"`
	Reference  string `json:"reference,omitempty"`
	Field      string `json:"field,omitempty"`
	Reason     string `json:"reason"`
}

func (s *Server) mountAudit() {
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/audit", Summary: "Audit entries of your authority, newest first",
		Tag: "audit", Access: Scoped, Perm: Perm{"audit", "read"}, Query: auditQuery{}, Resp: auditPage{}, Handler: s.listAudit})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/audit/verify", Summary: "Verify the whole hash chain and that issued notices and exhibits still match what it recorded",
		Tag: "audit", Access: Scoped, Perm: Perm{"audit", "verify"}, Query: verifyQuery{}, Resp: verifyResp{}, Handler: s.verifyAudit})
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/audit/verify", Summary: "Verify as GET does, and that the log still extends escrowed checkpoints",
		Tag: "audit", Access: Scoped, Perm: Perm{"audit", "verify"}, Body: verifyReq{}, Resp: verifyResp{}, Handler: s.verifyAuditWith})
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/audit/checkpoints", Summary: "Verify the chain and sign a checkpoint of its head, to keep outside TradeWarden",
		Tag: "audit", Access: Scoped, Perm: Perm{"audit", "verify"}, Resp: audit.Checkpoint{}, Status: http.StatusCreated, Handler: s.takeCheckpoint})
}

// Page limits shared by list endpoints.
const (
	defaultLimit = 50
	maxLimit     = 200
)

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

// toAuditDTO converts an entry for the API.
func toAuditDTO(e audit.Entry) auditEntryDTO {
	return auditEntryDTO{ID: e.Seq, At: e.At, ActorID: e.ActorID, Actor: e.Actor, Authority: e.Authority,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, RequestID: e.RequestID,
		Detail: json.RawMessage(e.Detail), PrevHash: e.PrevHash, Hash: e.Hash, Chain: chainName(e.Chain)}
}

func chainName(v int) string {
	if v == audit.ChainHMAC {
		return "hmac-sha256"
	}
	return "sha256"
}

func (s *Server) listAudit(c *fiber.Ctx) error {
	q, err := parseQuery[auditQuery](c)
	if err != nil {
		return err
	}
	f := audit.Filter{ObjectType: q.ObjectType, ObjectID: q.ObjectID, Authority: caller(c).Authority.Code,
		Limit: clampLimit(q.Limit)}
	if q.Cursor != "" {
		f.Before, err = strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || f.Before <= 0 {
			return apperr.InvalidField("cursor", "is not a cursor this endpoint returned")
		}
	}
	entries, err := s.deps.Audit.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := auditPage{Items: make([]auditEntryDTO, 0, len(entries))}
	for _, e := range entries {
		out.Items = append(out.Items, toAuditDTO(e))
	}
	if len(entries) == f.Limit {
		out.NextCursor = strconv.FormatInt(entries[len(entries)-1].Seq, 10)
	}
	return c.JSON(out)
}

func (s *Server) verifyAudit(c *fiber.Ctx) error {
	q, err := parseQuery[verifyQuery](c)
	if err != nil {
		return err
	}
	return s.verify(c, integrity.Options{Rehash: q.Rehash})
}

func (s *Server) verifyAuditWith(c *fiber.Ctx) error {
	in, err := decodeJSON[verifyReq](s, c)
	if err != nil {
		return err
	}
	return s.verify(c, integrity.Options{Checkpoints: in.Checkpoints, Rehash: in.Rehash})
}

func (s *Server) takeCheckpoint(c *fiber.Ctx) error {
	cp, err := s.deps.Checkpoint(c.UserContext())
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(cp)
}

// verify checks the whole log and the stored state; problems with another
// authority's records are reported without naming them.
func (s *Server) verify(c *fiber.Ctx, o integrity.Options) error {
	rep, err := s.deps.Integrity.Check(c.UserContext(), o)
	if err != nil {
		return err
	}
	ch := rep.Chain
	out := verifyResp{OK: rep.OK, Entries: ch.Entries, FirstBadID: ch.FirstBad, Head: verifyHead{ID: ch.HeadSeq, Hash: ch.HeadHash},
		Chain: verifyChain{KeyedFrom: ch.KeyedFrom, KeyID: ch.KeyID, Checkpoints: orEmptyResults(ch.Checkpoints)}, Problems: []verifyProblem{},
		Checked: verifyChecked{IssuedNotices: rep.IssuedNotices, Exhibits: rep.Exhibits, BlobsRehashed: rep.Rehashed}}
	own := caller(c).Authority.Code
	for _, p := range rep.Problems {
		vp := verifyProblem{Check: p.Check, EntryID: p.EntryID, ObjectType: p.ObjectType, ObjectID: p.ObjectID,
			Reference: p.Reference, Field: p.Field, Reason: p.Reason}
		if p.Authority != "" && p.Authority != own {
			vp = verifyProblem{Check: p.Check, EntryID: p.EntryID, ObjectType: p.ObjectType,
				Reason: fmt.Sprintf("a %s of another authority does not match the audit log", p.ObjectType)}
		}
		out.Problems = append(out.Problems, vp)
	}
	if len(out.Problems) > 0 {
		out.Reason = out.Problems[0].Reason
	}
	return c.JSON(out)
}

func orEmptyResults(v []audit.CheckpointResult) []audit.CheckpointResult {
	if v == nil {
		return []audit.CheckpointResult{}
	}
	return v
}
