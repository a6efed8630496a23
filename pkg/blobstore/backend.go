package blobstore

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrUnavailable means the store could not be reached or answered too
// slowly; nothing was stored and the caller may retry later.
var ErrUnavailable = errors.New("blobstore: store unavailable")

// ErrLocked means the store refused to delete a blob that is under
// retention (S3 Object Lock).
var ErrLocked = errors.New("blobstore: blob is under retention")

// Backend is what evidence needs from a content-addressed store: the local
// disk (Disk) or an S3 bucket (S3Store). Every method is safe for
// concurrent use.
type Backend interface {
	// Put streams r (at most maxSize bytes) into the store, hashing while
	// streaming, and returns the hash; identical content is stored once.
	Put(ctx context.Context, r io.Reader, maxSize int64) (Blob, error)
	// Stage hashes r into a temporary place for the caller to inspect
	// before Commit makes it part of the store.
	Stage(ctx context.Context, r io.Reader, maxSize int64) (Pending, error)
	// Open reads a stored blob and returns its size.
	Open(ctx context.Context, sha string) (io.ReadSeekCloser, int64, error)
	// Stat describes a stored blob; ErrNotFound when it is absent.
	Stat(ctx context.Context, sha string) (Info, error)
	// Verify re-reads and re-hashes the stored bytes.
	Verify(ctx context.Context, sha string) (ok bool, actualSHA string, err error)
	// Remove deletes a blob no record refers to; ErrLocked when retention
	// forbids it.
	Remove(ctx context.Context, sha string) error
	// Walk lists every stored blob (orphan checks, backups).
	Walk(ctx context.Context, fn func(Info) error) error
	// Ping checks the store is usable (readiness).
	Ping(ctx context.Context) error
	// Describe names the store and its WORM capability for logs and readiness.
	Describe() string
}

// Pending is staged content, hashed but not yet part of the store.
type Pending interface {
	SHA256() string
	Size() int64
	Open() (io.ReadSeekCloser, error)
	Commit(ctx context.Context) (Blob, error)
	Discard() error
}

type retentionKey struct{}

// WithRetention asks a store with WORM support to keep what is committed
// with ctx for d instead of its default (the owning authority's setting).
func WithRetention(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, retentionKey{}, d)
}

// RetentionFrom returns the retention WithRetention put in ctx, if any.
func RetentionFrom(ctx context.Context) (time.Duration, bool) {
	d, ok := ctx.Value(retentionKey{}).(time.Duration)
	return d, ok && d > 0
}

// Disk returns s as a Backend.
func Disk(s *Store) Backend { return disk{s} }

type disk struct{ s *Store }

func (d disk) Put(ctx context.Context, r io.Reader, maxSize int64) (Blob, error) {
	return d.s.Put(ctx, r, maxSize)
}

func (d disk) Stage(ctx context.Context, r io.Reader, maxSize int64) (Pending, error) {
	st, err := d.s.Stage(ctx, r, maxSize)
	if err != nil {
		return nil, err
	}
	return diskPending{st}, nil
}

func (d disk) Open(_ context.Context, sha string) (io.ReadSeekCloser, int64, error) {
	return d.s.Open(sha)
}
func (d disk) Stat(_ context.Context, sha string) (Info, error) { return d.s.Stat(sha) }
func (d disk) Verify(ctx context.Context, sha string) (bool, string, error) {
	return d.s.Verify(ctx, sha)
}
func (d disk) Remove(_ context.Context, sha string) error { return d.s.Remove(sha) }
func (d disk) Walk(ctx context.Context, fn func(Info) error) error {
	return d.s.Walk(ctx, fn)
}

func (d disk) Ping(context.Context) error { _, err := readDirNames(d.s.dir); return err }
func (d disk) Describe() string           { return "disk " + d.s.dir + " (no WORM lock: file mode 0440 only)" }

type diskPending struct{ *Staged }

func (p diskPending) Commit(context.Context) (Blob, error) { return p.Staged.Commit() }
