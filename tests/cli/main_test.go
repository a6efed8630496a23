// Package cli_test drives the built tradewarden binary the way an operator
// would: subcommands, exit codes, stdin passwords, and a real server process.
package cli_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/testkit"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tw-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "tradewarden")
	build := exec.Command("go", "build", "-o", binary, "github.com/tradewarden/tradewarden/services/casework/cmd/tradewarden")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build tradewarden:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// instance is one data dir + database the binary runs against.
type instance struct {
	t     *testing.T
	data  string
	dbURL string
}

func newInstance(t *testing.T) *instance {
	return &instance{t: t, data: t.TempDir(), dbURL: testkit.DatabaseURL(t)}
}

type result struct {
	code           int
	stdout, stderr string
}

func (in *instance) run(stdin string, args ...string) result {
	in.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "TW_DATA_DIR="+in.data, "TW_DATABASE_URL="+in.dbURL)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		in.t.Fatalf("run %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (in *instance) mustRun(stdin string, args ...string) string {
	in.t.Helper()
	r := in.run(stdin, args...)
	if r.code != 0 {
		in.t.Fatalf("tradewarden %v exited %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// serve starts `tradewarden serve` on a free port and returns its base URL
// and the running command.
func (in *instance) serve(extra ...string) (string, *exec.Cmd, *bytes.Buffer) {
	in.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		in.t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr}, extra...)...)
	cmd.Env = append(os.Environ(), "TW_DATA_DIR="+in.data, "TW_DATABASE_URL="+in.dbURL)
	logs := &bytes.Buffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	in.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return base, cmd, logs
		}
		time.Sleep(50 * time.Millisecond)
	}
	in.t.Fatalf("server did not come up; logs:\n%s", logs)
	return "", nil, nil
}
