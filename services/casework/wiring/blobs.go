package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/blobstore"
	"github.com/tradewarden/tradewarden/pkg/blobstore/s3store"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
)

// Blob stores selectable with TW_BLOB_STORE.
const (
	BlobStoreDisk = "disk"
	BlobStoreS3   = "s3"
)

// DefaultRetentionDays is the Object Lock retention of evidence when none
// is configured: ten years, the longest period domain.md names for case
// material (CPIA and referral retention).
const DefaultRetentionDays = 3650

// BlobConfig selects where evidence bytes live.
type BlobConfig struct {
	// Store is "disk" (default: <data>/blobs) or "s3" (TW_BLOB_STORE).
	Store string
	// S3 settings (TW_S3_ENDPOINT, TW_S3_BUCKET, TW_S3_REGION); credentials
	// come from the standard AWS environment or profile unless Credentials
	// is set.
	Endpoint, Bucket, Region string
	// RetentionDays is the Object Lock compliance retention of each
	// exhibit (TW_EVIDENCE_RETENTION_DAYS); 0 means DefaultRetentionDays.
	RetentionDays int
	// Timeout bounds each S3 request's wait for an answer (default 30s).
	Timeout time.Duration
	// Credentials overrides the AWS default chain (tests).
	Credentials aws.CredentialsProvider
}

// openBlobs opens the configured store. The local disk store is always
// opened too: it is the embedded store, and the S3 store's scratch area for
// staged uploads.
func openBlobs(ctx context.Context, cfg Config) (blobstore.Backend, *blobstore.Store, error) {
	local, err := blobstore.Open(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return nil, nil, fmt.Errorf("open blob store: %w", err)
	}
	switch cfg.Blob.Store {
	case "", BlobStoreDisk:
		return blobstore.Disk(local), local, nil
	case BlobStoreS3:
		days := cfg.Blob.RetentionDays
		if days == 0 {
			days = DefaultRetentionDays
		}
		if days < 0 {
			return nil, nil, errors.New("TW_EVIDENCE_RETENTION_DAYS must be a positive number of days")
		}
		s, err := s3store.Open(ctx, s3store.Config{Endpoint: cfg.Blob.Endpoint, Bucket: cfg.Blob.Bucket, Region: cfg.Blob.Region,
			Retention: time.Duration(days) * 24 * time.Hour, Timeout: cfg.Blob.Timeout, Scratch: local, Credentials: cfg.Blob.Credentials})
		if err != nil {
			return nil, nil, fmt.Errorf("open blob store (TW_BLOB_STORE=s3): %w", err)
		}
		return s, local, nil
	default:
		return nil, nil, fmt.Errorf("blob store %q (TW_BLOB_STORE): choose %s or %s", cfg.Blob.Store, BlobStoreDisk, BlobStoreS3)
	}
}

// cleanTemp removes staged leftovers locally and, for S3, interrupted Puts.
func cleanTemp(ctx context.Context, b blobstore.Backend, local *blobstore.Store, olderThan time.Duration) error {
	if s, ok := b.(*s3store.Store); ok {
		_, err := s.CleanTemp(ctx, olderThan)
		return err
	}
	_, err := local.CleanTemp(olderThan)
	return err
}

// blobs adapts the blob store to the evidence service. The evidence
// interfaces predate remote stores and pass no context to Open and Remove;
// reads are bounded by the store's request timeout instead.
type blobs struct{ s blobstore.Backend }

var _ evidence.Blobs = blobs{}

// storeErr maps store failures to what the API reports: missing bytes, and
// an unreachable or slow store as 503 (nothing was kept).
func storeErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, blobstore.ErrNotFound):
		return fmt.Errorf("%w: %v", evidence.ErrBlobMissing, err)
	case errors.Is(err, blobstore.ErrUnavailable):
		return apperr.Wrap(err, apperr.Unavailable, "the evidence store is unavailable; nothing was stored, try again later")
	}
	return err
}

func (b blobs) Stage(ctx context.Context, r io.Reader, maxSize int64) (evidence.Staged, error) {
	st, err := b.s.Stage(ctx, r, maxSize)
	if errors.Is(err, blobstore.ErrTooLarge) {
		return nil, tooLarge(maxSize)
	}
	if err != nil {
		return nil, storeErr(err)
	}
	return staged{ctx: ctx, st: st}, nil
}

func (b blobs) Open(sha string) (io.ReadSeekCloser, int64, error) {
	rc, n, err := b.s.Open(context.Background(), sha)
	return rc, n, storeErr(err)
}

func (b blobs) Verify(ctx context.Context, sha string) (bool, string, error) {
	ok, actual, err := b.s.Verify(ctx, sha)
	return ok, actual, storeErr(err)
}

// Size returns the stored size of a blob (integrity checks).
func (b blobs) Size(sha string) (int64, error) {
	info, err := b.s.Stat(context.Background(), sha)
	return info.Size, storeErr(err)
}

// Remove deletes an orphan. One already gone (another node's sweep got
// there first) is what the caller wanted.
func (b blobs) Remove(sha string) error {
	err := b.s.Remove(context.Background(), sha)
	if errors.Is(err, blobstore.ErrNotFound) {
		return nil
	}
	return err
}

func (b blobs) Walk(ctx context.Context, fn func(sha string, modified time.Time) error) error {
	return b.s.Walk(ctx, func(i blobstore.Info) error { return fn(i.SHA256, i.StoredAt) })
}

// staged adapts a staged blob; the evidence service only needs to know the
// commit succeeded. It keeps the upload's context so a remote commit ends
// with the request.
type staged struct {
	ctx context.Context
	st  blobstore.Pending
}

func (s staged) SHA256() string                   { return s.st.SHA256() }
func (s staged) Size() int64                      { return s.st.Size() }
func (s staged) Open() (io.ReadSeekCloser, error) { return s.st.Open() }
func (s staged) Discard() error                   { return s.st.Discard() }
func (s staged) Commit(retain time.Duration) error {
	ctx := s.ctx
	if retain > 0 {
		ctx = blobstore.WithRetention(ctx, retain)
	}
	_, err := s.st.Commit(ctx)
	return storeErr(err)
}

func tooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, "the file is larger than the %d-byte upload limit", limit)
}
