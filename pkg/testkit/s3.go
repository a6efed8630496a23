package testkit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// VersityGWVersion is the S3 server the tests run against.
const VersityGWVersion = "v1.8.0"

// S3Server is a running S3-compatible server with one bucket.
type S3Server struct {
	Endpoint  string // http://127.0.0.1:port
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	// ObjectLock says the bucket was created with Object Lock enabled.
	ObjectLock bool
	// Dir holds the server's data (posix backend).
	Dir string
}

// Credentials returns static credentials for the server's root user.
func (s S3Server) Credentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")
}

// Env returns the TW_* and AWS_* variables that point the app at the server.
func (s S3Server) Env() []string {
	return []string{"TW_BLOB_STORE=s3", "TW_S3_ENDPOINT=" + s.Endpoint, "TW_S3_BUCKET=" + s.Bucket,
		"TW_S3_REGION=" + s.Region, "AWS_ACCESS_KEY_ID=" + s.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s.SecretKey}
}

// Client returns an SDK client for the server (path-style).
func (s S3Server) Client() *s3.Client {
	return s3.New(s3.Options{Region: s.Region, Credentials: s.Credentials(),
		BaseEndpoint: aws.String(s.Endpoint), UsePathStyle: true})
}

// FindVersityGW looks for the versitygw binary: $TW_VERSITYGW, $TW_TOOLS_DIR,
// the repository's .tools directory, the user cache (tradewarden/tools) and
// PATH. With TW_TEST_S3=auto and nothing found it installs the pinned
// version into the user cache with `go install`.
func FindVersityGW() (string, error) {
	if p := os.Getenv("TW_VERSITYGW"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TW_VERSITYGW: %w", err)
		}
		return p, nil
	}
	var dirs []string
	if d := os.Getenv("TW_TOOLS_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	if root := repoRoot(); root != "" {
		dirs = append(dirs, filepath.Join(root, ".tools"))
	}
	cache := ""
	if c, err := os.UserCacheDir(); err == nil {
		cache = filepath.Join(c, "tradewarden", "tools")
		dirs = append(dirs, cache)
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	if os.Getenv("TW_TEST_S3") == "auto" && cache != "" {
		cmd := exec.Command("go", "install", "github.com/versity/versitygw/cmd/versitygw@"+VersityGWVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+cache)
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go install versitygw: %w\n%s", err, out)
		}
		return filepath.Join(cache, "versitygw"), nil
	}
	return "", errors.New("versitygw not found (set TW_TEST_S3=auto to install it, or run .ci/run)")
}

func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// StartVersityGW starts versitygw (posix backend, versioning on) on a free
// 127.0.0.1 port with its data under dir, creates a bucket (with Object Lock
// when objectLock is set) and returns the server and a function that stops
// it. It is usable outside tests (cluster harnesses).
func StartVersityGW(ctx context.Context, bin, dir string, objectLock bool) (S3Server, func(), error) {
	srv := S3Server{Bucket: "tw-evidence", Region: "us-east-1", AccessKey: "twtestaccess",
		SecretKey: "twtestsecret-" + randomHex(8), ObjectLock: objectLock, Dir: dir}
	root, vers := filepath.Join(dir, "root"), filepath.Join(dir, "versions")
	for _, d := range []string{root, vers} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return srv, nil, fmt.Errorf("versitygw dirs: %w", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return srv, nil, fmt.Errorf("free port: %w", err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	srv.Endpoint = "http://" + addr
	logf, err := os.Create(filepath.Join(dir, "versitygw.log"))
	if err != nil {
		return srv, nil, fmt.Errorf("versitygw log: %w", err)
	}
	cmd := exec.Command(bin, "--port", addr, "--access", srv.AccessKey, "--secret", srv.SecretKey,
		"--region", srv.Region, "--quiet", "posix", "--versioning-dir", vers, root)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return srv, nil, fmt.Errorf("start versitygw: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = logf.Close()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			log, _ := os.ReadFile(filepath.Join(dir, "versitygw.log"))
			return srv, nil, fmt.Errorf("versitygw did not listen on %s: %s", addr, strings.TrimSpace(string(log)))
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err = srv.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(srv.Bucket),
		ObjectLockEnabledForBucket: aws.Bool(objectLock)})
	if err != nil {
		stop()
		return srv, nil, fmt.Errorf("create bucket: %w", err)
	}
	return srv, stop, nil
}

// S3 starts a versitygw server for the test, stopped at cleanup. It skips
// the test when the binary is missing and TW_TEST_S3 is unset; with
// TW_TEST_S3 set (CI) a missing binary fails the test.
func S3(t testing.TB, objectLock bool) S3Server {
	t.Helper()
	bin, err := FindVersityGW()
	if err != nil {
		if os.Getenv("TW_TEST_S3") == "" {
			t.Skipf("no S3 server: %v", err)
		} else {
			t.Fatalf("TW_TEST_S3=%s but: %v", os.Getenv("TW_TEST_S3"), err)
		}
		return S3Server{}
	}
	srv, stop, err := StartVersityGW(context.Background(), bin, t.TempDir(), objectLock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return srv
}
