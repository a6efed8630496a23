package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

// Date is a calendar date in JSON ("2027-12-31"); a full RFC 3339 time is
// accepted and truncated to its UTC date.
type Date struct{ time.Time }

// UnmarshalJSON parses a date or timestamp string.
func (d *Date) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string like 2027-12-31")
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			y, m, dd := t.UTC().Date()
			d.Time = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
			return nil
		}
	}
	return fmt.Errorf("%q is not a date like 2027-12-31", s)
}

// MarshalJSON writes the date as YYYY-MM-DD.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.Format(time.DateOnly))
}

func datePtr(t *time.Time) *Date {
	if t == nil {
		return nil
	}
	return &Date{*t}
}

// etag renders a version as a strong entity tag.
func etag(version int) string { return strconv.Quote(strconv.Itoa(version)) }

// ifMatch returns the version named by If-Match: 428 when absent, 412 when
// it is not a version this API issued.
func ifMatch(c *fiber.Ctx) (int, error) {
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" {
		return 0, apperr.New(apperr.PreconditionRequired, "send If-Match with the ETag from GET (the version you edited) to avoid overwriting someone else's change")
	}
	h = strings.TrimPrefix(h, "W/")
	v, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || v <= 0 {
		return 0, apperr.New(apperr.PreconditionFailed, "If-Match %q is not an ETag this API issued", h)
	}
	return v, nil
}

// optionalIfMatch returns the If-Match version, or 0 when none was sent.
func optionalIfMatch(c *fiber.Ctx) (int, error) {
	if strings.TrimSpace(c.Get(fiber.HeaderIfMatch)) == "" {
		return 0, nil
	}
	return ifMatch(c)
}

// page is a keyset-paginated list.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// listOf converts core values for a paginated response; the cursor is the
// key of the last item when the page is full.
func listOf[C, D any](items []C, limit int, conv func(C) D, key func(C) string) page[D] {
	out := page[D]{Items: make([]D, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, conv(it))
	}
	if len(items) == limit && limit > 0 {
		out.NextCursor = key(items[len(items)-1])
	}
	return out
}
