//go:build !unix

package wiring

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// lockFile guards a search index directory: Bleve keeps its files open and
// cannot be shared between processes, so the first process to lock the
// directory owns the index and the others leave index work to it.
const lockFile = "tradewarden.lock"

// lockDir creates the lock file exclusively (without flock, a crash leaves
// it behind; remove it by hand once no tradewarden runs).
func lockDir(dir string) (func(), error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o640)
	if errors.Is(err, os.ErrExist) {
		return nil, errIndexBusy
	}
	if err != nil {
		return nil, fmt.Errorf("lock search index: %w", err)
	}
	return func() {
		_ = f.Close()
		_ = os.Remove(path)
	}, nil
}
