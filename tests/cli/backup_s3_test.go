package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tradewarden/tradewarden/pkg/testkit"
	"github.com/tradewarden/tradewarden/tests/binarytest"
)

// With TW_BLOB_STORE=s3 the backup copies the bucket's objects into the
// archive and the restore puts them into the (other) bucket it is pointed
// at; `evidence verify --all` re-reads and re-hashes them from the bucket
// and catches an object overwritten behind the application's back.
func TestBackupRestoreS3(t *testing.T) {
	srv := testkit.S3(t, false)
	ctx := context.Background()
	src := newInstance(t)
	src.Env = srv.Env()
	src.mustRun("", "demo")
	ref := openCase(t, src)
	src.mustRun("", "evidence", "add", "--case", ref, "--as", "officer@kent-ts.example", "--quiet",
		"--description", "lab scan", "--collected-by", "A. Patel", nmapFixture, "../../pkg/scan/testssl/testdata/camera-flat.json")
	archive := filepath.Join(t.TempDir(), "tw-backup.tar.gz")
	src.mustRun("", "backup", "--out", archive)

	other := srv
	other.Bucket = "tw-restored"
	if _, err := srv.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(other.Bucket)}); err != nil {
		t.Fatal(err)
	}
	dst := &instance{&binarytest.Instance{T: t, Binary: binary, Data: t.TempDir(), DBURL: testkit.EmptyDatabaseLike(t, src.DBURL)}}
	dst.Env = append(other.Env(), "TW_AUDIT_KEY_FILE="+filepath.Join(src.Data, "audit.key"))
	out := dst.mustRun("", "restore", "--from", archive)
	if !strings.Contains(out, "2 blobs") || !strings.Contains(out, "2 exhibits match it") {
		t.Fatalf("restore: %q", out)
	}
	list, err := srv.Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(other.Bucket), Prefix: aws.String("sha256/")})
	if err != nil || len(list.Contents) != 2 {
		t.Fatalf("restored bucket holds %d objects (%v), want 2", len(list.Contents), err)
	}
	if out := dst.mustRun("", "evidence", "verify", "--all"); !strings.Contains(out, "2 exhibits verified: all intact") {
		t.Fatalf("evidence verify after restore: %q", out)
	}

	// Overwrite one object in the bucket: verify --all must re-hash from the store and fail.
	k := list.Contents[0].Key
	if _, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(other.Bucket), Key: k,
		Body: strings.NewReader("tampered")}); err != nil {
		t.Fatal(err)
	}
	if r := dst.run("", "evidence", "verify", "--all"); r.Code != 1 {
		t.Fatalf("verify --all after tampering: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	// The source's own bucket was never touched by the restore.
	if out := src.mustRun("", "evidence", "verify", "--all"); !strings.Contains(out, "all intact") {
		t.Fatalf("source verify: %q", out)
	}
}
