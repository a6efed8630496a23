//go:build unix

package wiring

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFile guards a search index directory: Bleve keeps its files open and
// cannot be shared between processes, so the first process to lock the
// directory owns the index and the others leave index work to it.
const lockFile = "tradewarden.lock"

// lockDir takes the directory's lock without waiting; errIndexBusy means
// another process holds it. The lock dies with the process.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open search index lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errIndexBusy
		}
		return nil, fmt.Errorf("lock search index: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
