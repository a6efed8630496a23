package fuzz_test

import (
	"os"
	"sync"
	"testing"
)

var (
	tempMu   sync.Mutex
	tempDirs []string
)

func osMkdirTemp() (string, error) {
	dir, err := os.MkdirTemp("", "tw-fuzz-")
	if err == nil {
		tempMu.Lock()
		tempDirs = append(tempDirs, dir)
		tempMu.Unlock()
	}
	return dir, err
}

// TestMain removes the shared application's directories once the process is done.
func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		_ = shared.env.App.Close()
	}
	for _, d := range tempDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}
