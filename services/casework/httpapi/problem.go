package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

// problemTypeBase prefixes every problem type URI (RFC 9457 §3.1.1).
const problemTypeBase = "urn:tradewarden:problem:"

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	Extra     map[string]any `json:"extra,omitempty"`
}

// FieldProblem names one input field at fault.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

var statusOf = map[apperr.Code]int{
	apperr.Invalid:              http.StatusUnprocessableEntity,
	apperr.Malformed:            http.StatusBadRequest,
	apperr.NotFound:             http.StatusNotFound,
	apperr.Conflict:             http.StatusConflict,
	apperr.PreconditionFailed:   http.StatusPreconditionFailed,
	apperr.PreconditionRequired: http.StatusPreconditionRequired,
	apperr.Forbidden:            http.StatusForbidden,
	apperr.Unauthenticated:      http.StatusUnauthorized,
	apperr.TooLarge:             http.StatusRequestEntityTooLarge,
	apperr.TooMany:              http.StatusTooManyRequests,
	apperr.Unavailable:          http.StatusServiceUnavailable,
	apperr.Internal:             http.StatusInternalServerError,
}

var codeOfStatus = func() map[int]apperr.Code {
	m := map[int]apperr.Code{}
	for c, s := range statusOf {
		m[s] = c
	}
	m[http.StatusMethodNotAllowed] = "method_not_allowed"
	m[http.StatusUnsupportedMediaType] = "unsupported_media_type"
	m[http.StatusNotAcceptable] = "not_acceptable"
	return m
}()

// wireFields maps the names the domain gives a field (core's own terms) to
// the request's JSON names where the two differ, so a client can find the
// field it sent: `penalty.amount` is sent as `penalty.amount_pence`.
var wireFields = map[string]string{
	"penalty.amount":                       "penalty.amount_pence",
	"penalty.daily_amount":                 "penalty.daily_amount_pence",
	"penalty.qualifying_worldwide_revenue": "penalty.qualifying_worldwide_revenue_pence",
	"vdp_url":                              "vulnerability_disclosure_url",
	"soc.present":                          "statement_of_compliance.present",
	"soc.date":                             "statement_of_compliance.date",
}

// wireField is the JSON name of a field an error names.
func wireField(name string) string {
	if w, ok := wireFields[name]; ok {
		return w
	}
	return name
}

// errorHandler is fiber's ErrorHandler: the one place errors become HTTP
// statuses. Internal errors are logged with their cause and shown to the
// client only as a request id.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	p := Problem{Instance: c.Path(), RequestID: requestID(c)}
	var fe *fiber.Error
	switch ae, ok := apperr.As(err); {
	case ok:
		p.Status = statusOf[ae.Code]
		if p.Status == 0 {
			p.Status = http.StatusInternalServerError
		}
		p.Type = problemTypeBase + string(ae.Code)
		p.Detail = ae.Message
		for _, f := range ae.Fields {
			p.Errors = append(p.Errors, FieldProblem{Field: wireField(f.Field), Message: f.Message})
		}
		p.Extra = ae.Extra
		if ae.Code == apperr.Internal {
			p.Detail = "an internal error occurred; quote the request id when reporting it"
		}
	case errors.As(err, &fe):
		p.Status = fe.Code
		code, known := codeOfStatus[fe.Code]
		if !known {
			code = "http_error"
		}
		p.Type = problemTypeBase + string(code)
		p.Detail = fe.Message
		if fe.Code == http.StatusRequestEntityTooLarge {
			p.Detail = "the request body is too large"
		}
	default:
		p.Status = http.StatusInternalServerError
		p.Type = problemTypeBase + string(apperr.Internal)
		p.Detail = "an internal error occurred; quote the request id when reporting it"
	}
	p.Title = http.StatusText(p.Status)
	level := slog.LevelInfo
	if p.Status >= 500 {
		level = slog.LevelError
	}
	s.log.Log(c.UserContext(), level, "request failed", "request_id", p.RequestID, "method", c.Method(),
		"path", c.Path(), "status", p.Status, "err", err.Error())
	if p.Status == http.StatusRequestEntityTooLarge {
		// The rest of the body is still on the wire; don't parse it as the
		// next request on this connection.
		c.Context().SetConnectionClose()
	}
	if ra, ok := p.Extra["retry_after_seconds"]; ok {
		c.Set(fiber.HeaderRetryAfter, toString(ra))
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.Status(p.Status).JSON(p, "application/problem+json")
}
