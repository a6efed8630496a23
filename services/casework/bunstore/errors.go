package bunstore

import "github.com/tradewarden/tradewarden/pkg/apperr"

func conflict(format string, args ...any) error {
	return apperr.New(apperr.Conflict, format, args...)
}
