package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/blobstore"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
)

// blobs adapts the content-addressed blob store to the evidence service.
type blobs struct{ s *blobstore.Store }

var _ evidence.Blobs = blobs{}

func missing(err error) error {
	if errors.Is(err, blobstore.ErrNotFound) {
		return fmt.Errorf("%w: %v", evidence.ErrBlobMissing, err)
	}
	return err
}

func (b blobs) Stage(ctx context.Context, r io.Reader, maxSize int64) (evidence.Staged, error) {
	st, err := b.s.Stage(ctx, r, maxSize)
	if errors.Is(err, blobstore.ErrTooLarge) {
		return nil, tooLarge(maxSize)
	}
	if err != nil {
		return nil, err
	}
	return staged{st}, nil
}

func (b blobs) Open(sha string) (io.ReadSeekCloser, int64, error) {
	rc, n, err := b.s.Open(sha)
	return rc, n, missing(err)
}

func (b blobs) Verify(ctx context.Context, sha string) (bool, string, error) {
	ok, actual, err := b.s.Verify(ctx, sha)
	return ok, actual, missing(err)
}

// Size returns the stored size of a blob (integrity checks).
func (b blobs) Size(sha string) (int64, error) {
	info, err := b.s.Stat(sha)
	return info.Size, missing(err)
}

func (b blobs) Remove(sha string) error { return b.s.Remove(sha) }

func (b blobs) Walk(ctx context.Context, fn func(sha string, modified time.Time) error) error {
	return b.s.Walk(ctx, func(i blobstore.Info) error { return fn(i.SHA256, i.StoredAt) })
}

// staged adapts a staged blob; the evidence service only needs to know the
// commit succeeded.
type staged struct{ st *blobstore.Staged }

func (s staged) SHA256() string                   { return s.st.SHA256() }
func (s staged) Size() int64                      { return s.st.Size() }
func (s staged) Open() (io.ReadSeekCloser, error) { return s.st.Open() }
func (s staged) Discard() error                   { return s.st.Discard() }
func (s staged) Commit() error {
	_, err := s.st.Commit()
	return err
}

func tooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, "the file is larger than the %d-byte upload limit", limit)
}
