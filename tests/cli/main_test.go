// Package cli_test drives the built tradewarden binary the way an operator
// would: subcommands, exit codes, stdin passwords, and a real server process.
package cli_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/tradewarden/tradewarden/tests/binarytest"
)

var binary string

func TestMain(m *testing.M) {
	bin, dir, err := binarytest.Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = bin
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// instance wraps binarytest.Instance with the short names these tests use.
type instance struct{ *binarytest.Instance }

func newInstance(t *testing.T) *instance { return &instance{binarytest.New(t, binary)} }

type result = binarytest.Result

func (in *instance) run(stdin string, args ...string) result { return in.Run(stdin, args...) }

func (in *instance) mustRun(stdin string, args ...string) string { return in.MustRun(stdin, args...) }
