// Package ids mints record identifiers: UUIDv7, so they sort by creation time
// and keyset pagination on the id alone is stable.
package ids

import (
	"regexp"

	"github.com/google/uuid"
)

// New returns a new time-ordered identifier.
func New() string {
	return uuid.Must(uuid.NewV7()).String()
}

var pattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Valid reports whether s has the shape of an identifier New returns.
func Valid(s string) bool { return pattern.MatchString(s) }
