// Package binarytest runs the built tradewarden binary the way an operator
// would — subcommands with their exit codes, stdin passwords, and a real
// server process that can be stopped gracefully or killed — against a data
// directory and a database of the engine under test.
package binarytest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/testkit"
)

// Build compiles the binary into a temp dir; call it from TestMain and
// remove the returned directory when done.
func Build() (binary, dir string, err error) {
	dir, err = os.MkdirTemp("", "tw-bin-")
	if err != nil {
		return "", "", err
	}
	binary = filepath.Join(dir, "tradewarden")
	cmd := exec.Command("go", "build", "-o", binary, "github.com/tradewarden/tradewarden/services/casework/cmd/tradewarden")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		_ = os.RemoveAll(dir)
		return "", "", fmt.Errorf("build tradewarden: %w", err)
	}
	return binary, dir, nil
}

// Instance is one data directory and database the binary runs against.
type Instance struct {
	T      *testing.T
	Binary string
	Data   string
	DBURL  string
	// Env holds extra environment variables for every command.
	Env []string
}

// New returns an instance with a fresh data dir and database.
func New(t *testing.T, binary string) *Instance {
	return &Instance{T: t, Binary: binary, Data: t.TempDir(), DBURL: testkit.DatabaseURL(t)}
}

// Result is a finished command.
type Result struct {
	Code           int
	Stdout, Stderr string
}

func (in *Instance) env() []string {
	// The metrics listener takes a free port, so parallel servers never collide.
	return append(append(os.Environ(), "TW_DATA_DIR="+in.Data, "TW_DATABASE_URL="+in.DBURL, "TW_METRICS_ADDR=127.0.0.1:0"), in.Env...)
}

// Run runs a subcommand with stdin.
func (in *Instance) Run(stdin string, args ...string) Result {
	in.T.Helper()
	cmd := exec.Command(in.Binary, args...)
	cmd.Env = in.env()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		in.T.Fatalf("run %v: %v", args, err)
	}
	return Result{Code: code, Stdout: out.String(), Stderr: errb.String()}
}

// MustRun runs a subcommand and fails the test unless it exits 0.
func (in *Instance) MustRun(stdin string, args ...string) string {
	in.T.Helper()
	r := in.Run(stdin, args...)
	if r.Code != 0 {
		in.T.Fatalf("tradewarden %v exited %d\nstdout: %s\nstderr: %s", args, r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// Process is a subcommand running in the background (see Start).
type Process struct {
	Cmd    *exec.Cmd
	Stdout *LockedBuffer
	Stderr *LockedBuffer
	done   chan struct{}
	err    error
}

// Start runs a subcommand in the background, to be killed or waited for; it
// is killed at cleanup if still running.
func (in *Instance) Start(args ...string) *Process {
	in.T.Helper()
	cmd := exec.Command(in.Binary, args...)
	cmd.Env = in.env()
	p := &Process{Cmd: cmd, Stdout: &LockedBuffer{}, Stderr: &LockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Stdout, p.Stderr
	if err := cmd.Start(); err != nil {
		in.T.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	in.T.Cleanup(p.Kill)
	return p
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait waits for the exit and returns the exit code (-1 if killed by a signal).
func (p *Process) Wait() int {
	<-p.done
	return p.Cmd.ProcessState.ExitCode()
}

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL unless the process already exited, and reaps it.
func (p *Process) Kill() {
	if !p.Exited() {
		_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// Server is a running `tradewarden serve`.
type Server struct {
	Base string
	Cmd  *exec.Cmd
	Logs *LockedBuffer
}

// Serve starts the server on a free loopback port and waits until it answers.
func (in *Instance) Serve(extra ...string) *Server {
	in.T.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		in.T.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.Command(in.Binary, append([]string{"serve", "--addr", addr}, extra...)...)
	cmd.Env = in.env()
	logs := &LockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		in.T.Fatal(err)
	}
	s := &Server{Base: "http://" + addr, Cmd: cmd, Logs: logs}
	in.T.Cleanup(func() { s.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.Base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return s
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	in.T.Fatalf("server did not come up; logs:\n%s", logs)
	return nil
}

// Kill sends SIGKILL (no cleanup at all, as in a power cut) and reaps the process.
func (s *Server) Kill() {
	if s.Cmd.ProcessState != nil {
		return
	}
	_ = s.Cmd.Process.Signal(syscall.SIGKILL)
	_ = s.Cmd.Wait()
}

// Stop sends SIGTERM and waits up to timeout for a graceful exit.
func (s *Server) Stop(timeout time.Duration) error {
	if err := s.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- s.Cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		s.Kill()
		return fmt.Errorf("server did not stop within %s", timeout)
	}
}

// LockedBuffer collects a child's stderr; safe to read while it writes.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
