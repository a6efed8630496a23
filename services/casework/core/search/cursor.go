package search

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
)

// Cursor is the sort key of the last hit of a page: results continue with
// hits ordered strictly after it (score desc, then listing id asc).
type Cursor struct {
	Score     float64
	ListingID string
}

type cursorWire struct {
	V  int     `json:"v"`
	S  float64 `json:"s"`
	ID string  `json:"id"`
}

const cursorVersion = 1

// EncodeCursor returns the opaque form of c.
func EncodeCursor(c Cursor) string {
	b, _ := json.Marshal(cursorWire{V: cursorVersion, S: c.Score, ID: c.ListingID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor made by EncodeCursor; anything else is ErrBadCursor.
func DecodeCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, fmt.Errorf("%w: not base64", ErrBadCursor)
	}
	var w cursorWire
	if err := json.Unmarshal(b, &w); err != nil {
		return Cursor{}, fmt.Errorf("%w: malformed", ErrBadCursor)
	}
	if w.V != cursorVersion || w.ID == "" || math.IsNaN(w.S) || math.IsInf(w.S, 0) {
		return Cursor{}, fmt.Errorf("%w: unknown version or empty key", ErrBadCursor)
	}
	return Cursor{Score: w.S, ListingID: w.ID}, nil
}

// After reports whether the hit (score, id) sorts strictly after c.
func (c Cursor) After(score float64, id string) bool {
	if score != c.Score {
		return score < c.Score
	}
	return id > c.ListingID
}

// Prepared is q normalised with its cursor decoded (nil on the first page):
// what every engine needs before it can run a query.
func (q Query) Prepared() (Query, *Cursor, error) {
	q, err := q.Normalized()
	if err != nil || q.Cursor == "" {
		return q, nil, err
	}
	c, err := DecodeCursor(q.Cursor)
	if err != nil {
		return q, nil, err
	}
	return q, &c, nil
}
