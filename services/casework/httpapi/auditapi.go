package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
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
}

type auditPage struct {
	Items      []auditEntryDTO `json:"items"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

type verifyResp struct {
	OK         bool   `json:"ok"`
	Entries    int64  `json:"entries"`
	FirstBadID *int64 `json:"first_bad_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

func (s *Server) mountAudit() {
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/audit", Summary: "Audit entries of your authority, newest first",
		Tag: "audit", Access: Scoped, Perm: Perm{"audit", "read"}, Query: auditQuery{}, Resp: auditPage{}, Handler: s.listAudit})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/audit/verify", Summary: "Verify the whole hash chain",
		Tag: "audit", Access: Scoped, Perm: Perm{"audit", "verify"}, Resp: verifyResp{}, Handler: s.verifyAudit})
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
		Detail: json.RawMessage(e.Detail), PrevHash: e.PrevHash, Hash: e.Hash}
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
	res, err := audit.Verify(c.UserContext(), s.deps.Audit)
	if err != nil {
		return err
	}
	return c.JSON(verifyResp{OK: res.OK, Entries: res.Entries, FirstBadID: res.FirstBad, Reason: res.Reason})
}
