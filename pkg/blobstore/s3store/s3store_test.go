package s3store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
	"github.com/tradewarden/tradewarden/pkg/blobstore/blobtest"
	"github.com/tradewarden/tradewarden/pkg/blobstore/s3store"
	"github.com/tradewarden/tradewarden/pkg/testkit"
)

func open(t testing.TB, srv testkit.S3Server, retention time.Duration) *s3store.Store {
	t.Helper()
	scratch, err := blobstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := s3store.Open(context.Background(), s3store.Config{Endpoint: srv.Endpoint, Bucket: srv.Bucket,
		Region: srv.Region, Retention: retention, Scratch: scratch, Credentials: srv.Credentials()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Each subtest gets a fresh bucket on one server, so the suite's
// "empty store" precondition holds without restarting versitygw.
func TestConformanceS3(t *testing.T) {
	srv := testkit.S3(t, false)
	var n atomic.Int32
	blobtest.Run(t, func(t *testing.T) blobstore.Backend {
		b := srv
		b.Bucket = fmt.Sprintf("tw-conf-%d", n.Add(1))
		if _, err := srv.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b.Bucket)}); err != nil {
			t.Fatal(err)
		}
		return open(t, b, 0)
	})
}

func TestObjectLockCompliance(t *testing.T) {
	srv := testkit.S3(t, true)
	s := open(t, srv, 24*time.Hour)
	if !s.ObjectLock() || !strings.Contains(s.Describe(), "COMPLIANCE") {
		t.Fatalf("object lock not detected: %s", s.Describe())
	}
	ctx := context.Background()
	b, err := s.Put(ctx, strings.NewReader("worm exhibit"), 100)
	if err != nil {
		t.Fatal(err)
	}
	head, err := s.Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("sha256/" + b.SHA256)})
	if err != nil {
		t.Fatal(err)
	}
	if head.ObjectLockMode != "COMPLIANCE" || head.ObjectLockRetainUntilDate == nil ||
		head.ObjectLockRetainUntilDate.Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("lock mode %q until %v", head.ObjectLockMode, head.ObjectLockRetainUntilDate)
	}
	// Deleting the retained version itself must be refused.
	if _, err := s.Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(srv.Bucket),
		Key: aws.String("sha256/" + b.SHA256), VersionId: head.VersionId}); err == nil {
		t.Fatal("deleting a retained version succeeded")
	}
	// Put's temporary object is gone, every version of it.
	vers, err := s.Client().ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(srv.Bucket), Prefix: aws.String("tmp/")})
	if err != nil || len(vers.Versions)+len(vers.DeleteMarkers) != 0 {
		t.Fatalf("temporary objects left: %d versions, %d markers, %v", len(vers.Versions), len(vers.DeleteMarkers), err)
	}
	st, err := s.Stage(ctx, strings.NewReader("staged worm exhibit"), 100)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := s.Verify(ctx, st.SHA256()); !ok || err != nil {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
}

func TestNoLockWithoutBucketSupport(t *testing.T) {
	srv := testkit.S3(t, false)
	s := open(t, srv, 24*time.Hour)
	if s.ObjectLock() || !strings.Contains(s.Describe(), "not enabled") {
		t.Fatalf("Describe = %s", s.Describe())
	}
}

func TestUnavailable(t *testing.T) {
	srv := testkit.S3(t, false) // for its credentials and bucket name
	ctx := context.Background()
	// A store whose endpoint does not answer cannot be opened, as unavailable.
	scratch, _ := blobstore.Open(t.TempDir())
	dead, err := s3store.Open(ctx, s3store.Config{Endpoint: "http://127.0.0.1:1", Bucket: srv.Bucket, Region: srv.Region,
		Scratch: scratch, Credentials: srv.Credentials(), Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), blobstore.ErrUnavailable.Error()) {
		t.Fatalf("Open of a dead endpoint: %v %v", dead, err)
	}
	if !errors.Is(err, blobstore.ErrUnavailable) {
		t.Fatalf("Open of a dead endpoint: %v, want ErrUnavailable", err)
	}
}
