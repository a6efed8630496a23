package testkit_test

import (
	"testing"

	"github.com/tradewarden/tradewarden/pkg/testkit"
)

// recorder stands in for a test so that skips and failures can be observed.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

// A missing server skips the S3 tests only when nobody asked for them.
func TestS3MissingSkipsUnlessRequired(t *testing.T) {
	t.Setenv("TW_VERSITYGW", "/nonexistent/versitygw")
	t.Setenv("TW_TEST_S3", "")
	r := &recorder{TB: t}
	testkit.S3(r, false)
	if !r.skipped || r.failed {
		t.Errorf("TW_TEST_S3 unset: skipped=%v failed=%v, want a skip", r.skipped, r.failed)
	}
	t.Setenv("TW_TEST_S3", "1")
	r = &recorder{TB: t}
	testkit.S3(r, false)
	if r.skipped || !r.failed {
		t.Errorf("TW_TEST_S3=1: skipped=%v failed=%v, want a failure", r.skipped, r.failed)
	}
}

// The harness starts a working server that a second client can use
// (the cluster test builds on this).
func TestStartVersityGW(t *testing.T) {
	srv := testkit.S3(t, true)
	if srv.Endpoint == "" || srv.Bucket == "" || srv.AccessKey == "" || !srv.ObjectLock {
		t.Fatalf("server %+v", srv)
	}
	if _, err := srv.Client().ListBuckets(t.Context(), nil); err != nil {
		t.Fatalf("list buckets: %v", err)
	}
}
