// Package blobstore keeps immutable files on disk, addressed by the SHA-256
// of their bytes, for evidence that must be produced in court byte for byte.
//
// Layout under the store's directory:
//
//	sha256/ab/cd/abcd…(64 hex digits)   stored blobs, read-only
//	tmp/put-*                           uploads in progress or staged
//
// Put streams a reader to a temporary file while hashing it, fsyncs it and
// moves it into place; identical content is stored once. Stage and Commit
// split that in two for callers that must inspect the bytes, or wait for a
// database transaction, before the blob becomes part of the store. Stored
// blobs are never modified or repaired: Verify reports damage, Remove is for
// callers that know no record refers to a blob.
package blobstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Errors reported by the store. Match them with errors.Is.
var (
	// ErrTooLarge means the content exceeded the caller's size limit; see
	// TooLargeError for the limit.
	ErrTooLarge = errors.New("blobstore: blob too large")
	// ErrNotFound means no blob is stored under the hash.
	ErrNotFound = errors.New("blobstore: blob not found")
	// ErrInvalidHash means a hash is not 64 lowercase hexadecimal digits.
	ErrInvalidHash = errors.New("blobstore: invalid SHA-256 hash")
	// ErrCorrupt means a stored blob no longer matches its hash (or size).
	ErrCorrupt = errors.New("blobstore: stored blob does not match its hash")
	// ErrFinished means a Staged blob was already committed or discarded.
	ErrFinished = errors.New("blobstore: staged blob already committed or discarded")
)

// TooLargeError reports content that exceeded the size limit of a Put or
// Stage. It matches ErrTooLarge.
type TooLargeError struct {
	Limit int64 // the maxSize the caller passed
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("blobstore: blob exceeds the limit of %d bytes", e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

const (
	blobDir    = "sha256"
	tempDir    = "tmp"
	tempPrefix = "put-"
	blobMode   = 0o440 // stored blobs are never written again
	dirMode    = 0o750
	copyBuffer = 1 << 20
)

// Blob is the outcome of storing content.
type Blob struct {
	SHA256  string // lowercase hex
	Size    int64
	Existed bool // identical content was already stored
}

// Info describes a stored blob.
type Info struct {
	SHA256   string
	Size     int64
	StoredAt time.Time // when the blob was first stored
}

// Store is a content-addressed blob store rooted at a directory. It is safe
// for concurrent use, including by several processes sharing the directory.
type Store struct {
	dir string
}

// Open opens the store in dir, creating its directories if needed.
func Open(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open blob store %s: %w", dir, err)
	}
	for _, d := range []string{filepath.Join(abs, blobDir), filepath.Join(abs, tempDir)} {
		if err := os.MkdirAll(d, dirMode); err != nil {
			return nil, fmt.Errorf("open blob store: %w", err)
		}
	}
	return &Store{dir: abs}, nil
}

// Dir returns the store's root directory.
func (s *Store) Dir() string { return s.dir }

// ValidHash reports whether h is a well-formed hash: exactly 64 lowercase
// hexadecimal digits. Only such strings ever become paths.
func ValidHash(h string) bool {
	if len(h) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !isHexDigit(h[i]) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

func checkHash(h string) error {
	if !ValidHash(h) {
		return fmt.Errorf("%w: %q", ErrInvalidHash, truncate(h, 80))
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// path returns where the blob with hash h lives; h must be valid.
func (s *Store) path(h string) string {
	return filepath.Join(s.dir, blobDir, h[0:2], h[2:4], h)
}

// Put stores the content of r, which may be at most maxSize bytes, and
// returns its hash and size. The content is streamed to disk, never held in
// memory. If it exceeds maxSize, Put returns a *TooLargeError (matching
// ErrTooLarge). On any error, including cancellation of ctx, nothing is left
// behind. Cancellation is noticed between reads, so r should itself honour
// ctx if it can block (HTTP request bodies do).
func (s *Store) Put(ctx context.Context, r io.Reader, maxSize int64) (Blob, error) {
	st, err := s.Stage(ctx, r, maxSize)
	if err != nil {
		return Blob{}, err
	}
	return st.Commit()
}

// Staged is content written to the store's temporary area and hashed, but
// not yet part of the store. Exactly one of Commit or Discard should follow;
// a Staged that is abandoned (say, by a crash) is removed by CleanTemp.
type Staged struct {
	s    *Store
	path string
	sha  string
	size int64

	mu   sync.Mutex
	done bool
}

// Stage streams r into a temporary file, hashing it and enforcing maxSize as
// Put does, and fsyncs it. The caller can read the bytes back with Open
// before deciding to Commit or Discard.
func (s *Store) Stage(ctx context.Context, r io.Reader, maxSize int64) (st *Staged, err error) {
	if maxSize <= 0 {
		return nil, fmt.Errorf("stage blob: maxSize must be positive, got %d", maxSize)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("stage blob: %w", err)
	}
	f, err := os.CreateTemp(filepath.Join(s.dir, tempDir), tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("stage blob: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	size, err := copyHashed(ctx, f, h, r, maxSize)
	if err != nil {
		return nil, fmt.Errorf("stage blob: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("stage blob: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("stage blob: close: %w", err)
	}
	return &Staged{s: s, path: f.Name(), sha: hex.EncodeToString(h.Sum(nil)), size: size}, nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, copyBuffer); return &b }}

// copyHashed copies at most limit bytes of r to w and h, checking ctx between
// reads. Reading one byte past the limit tells "exactly limit" from "more".
//
// Hashing runs on its own goroutine, one buffer behind the reads and
// writes, since SHA-256 and the file write take comparable time.
func copyHashed(ctx context.Context, w io.Writer, h hash.Hash, r io.Reader, limit int64) (n int64, err error) {
	var bufs [2]*[]byte
	for i := range bufs {
		bufs[i] = bufPool.Get().(*[]byte)
		defer bufPool.Put(bufs[i])
	}
	toHash := make(chan []byte)
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		for b := range toHash {
			h.Write(b) // hash.Hash never returns an error
		}
	}()
	// inFlight is true while the hasher may still be reading a buffer.
	inFlight := false
	wait := func() {
		if inFlight {
			toHash <- nil // a no-op write that waits for the previous one
			inFlight = false
		}
	}
	defer func() {
		close(toHash)
		<-hashed
	}()
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		buf := *bufs[i%2]
		want := int64(len(buf))
		if rest := limit - n + 1; rest < want {
			want = rest
		}
		k, rerr := r.Read(buf[:want])
		if k > 0 {
			if n+int64(k) > limit {
				return n, &TooLargeError{Limit: limit}
			}
			wait()
			toHash <- buf[:k]
			inFlight = true
			if _, err := w.Write(buf[:k]); err != nil {
				return n, fmt.Errorf("write: %w", err)
			}
			n += int64(k)
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, fmt.Errorf("read: %w", rerr)
		}
	}
}

// SHA256 returns the hash of the staged content.
func (st *Staged) SHA256() string { return st.sha }

// Size returns the size of the staged content in bytes.
func (st *Staged) Size() int64 { return st.size }

// Open reopens the staged content for reading.
func (st *Staged) Open() (io.ReadSeekCloser, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return nil, ErrFinished
	}
	f, err := os.Open(st.path)
	if err != nil {
		return nil, fmt.Errorf("open staged blob: %w", err)
	}
	return f, nil
}

// Discard removes the staged content.
func (st *Staged) Discard() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return ErrFinished
	}
	st.done = true
	if err := os.Remove(st.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("discard staged blob: %w", err)
	}
	return nil
}

// Commit moves the staged content into the store. If identical content is
// already stored, the staged copy is dropped and Existed is set. After
// Commit returns (even with an error) the Staged is finished.
func (st *Staged) Commit() (Blob, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return Blob{}, ErrFinished
	}
	st.done = true
	b, err := st.s.commit(st.path, st.sha, st.size)
	// The temporary name is gone after a successful commit; after a failed
	// one nothing may be left behind either.
	if rmErr := os.Remove(st.path); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) && err == nil {
		err = fmt.Errorf("commit blob %s: remove temporary file: %w", st.sha, rmErr)
	}
	return b, err
}

func (s *Store) commit(tmp, sha string, size int64) (Blob, error) {
	target := s.path(sha)
	if err := s.makeFanout(filepath.Dir(target)); err != nil {
		return Blob{}, fmt.Errorf("commit blob %s: %w", sha, err)
	}
	if err := os.Chmod(tmp, blobMode); err != nil {
		return Blob{}, fmt.Errorf("commit blob %s: %w", sha, err)
	}
	// A hard link never replaces an existing file, so of several concurrent
	// commits of the same content exactly one reports Existed=false.
	err := os.Link(tmp, target)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrExist):
		fi, statErr := os.Stat(target)
		if statErr != nil {
			return Blob{}, fmt.Errorf("commit blob %s: %w", sha, statErr)
		}
		if fi.Size() != size {
			return Blob{}, fmt.Errorf("commit blob %s: stored copy has %d bytes, want %d: %w", sha, fi.Size(), size, ErrCorrupt)
		}
		return Blob{SHA256: sha, Size: size, Existed: true}, nil
	default:
		// File systems without hard links: rename, after checking for an
		// existing copy (a racing duplicate then writes identical bytes).
		if _, statErr := os.Stat(target); statErr == nil {
			return Blob{SHA256: sha, Size: size, Existed: true}, nil
		}
		if err := os.Rename(tmp, target); err != nil {
			return Blob{}, fmt.Errorf("commit blob %s: %w", sha, err)
		}
	}
	if err := syncDir(filepath.Dir(target)); err != nil {
		return Blob{}, fmt.Errorf("commit blob %s: %w", sha, err)
	}
	return Blob{SHA256: sha, Size: size}, nil
}

// makeFanout creates the two fan-out levels, fsyncing each parent whose
// entries changed so that the new directories survive a crash.
func (s *Store) makeFanout(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	for _, d := range []string{parent, dir} {
		err := os.Mkdir(d, dirMode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// Open opens the blob with hash sha for reading and returns its size.
func (s *Store) Open(sha string) (io.ReadSeekCloser, int64, error) {
	if err := checkHash(sha); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(s.path(sha))
	if err != nil {
		return nil, 0, notFound(sha, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, fmt.Errorf("open blob %s: %w", sha, err)
	}
	return f, fi.Size(), nil
}

func notFound(sha string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob %s: %w", sha, ErrNotFound)
	}
	return fmt.Errorf("blob %s: %w", sha, err)
}

// Stat describes the blob with hash sha.
func (s *Store) Stat(sha string) (Info, error) {
	if err := checkHash(sha); err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(s.path(sha))
	if err != nil {
		return Info{}, notFound(sha, err)
	}
	return Info{SHA256: sha, Size: fi.Size(), StoredAt: fi.ModTime()}, nil
}

// Verify re-hashes the stored bytes of sha. ok is false, with the hash
// actually found, if the blob was altered; a missing blob gives ErrNotFound.
// Nothing is repaired.
func (s *Store) Verify(ctx context.Context, sha string) (ok bool, actualSHA string, err error) {
	f, _, err := s.Open(sha)
	if err != nil {
		return false, "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := copyHashed(ctx, io.Discard, h, f, 1<<62); err != nil {
		return false, "", fmt.Errorf("verify blob %s: %w", sha, err)
	}
	actual := hex.EncodeToString(h.Sum(nil))
	return actual == sha, actual, nil
}

// Remove deletes the blob with hash sha. Only callers that know no record
// refers to it (orphan clean-up) should call it. Fan-out directories are
// kept, so a concurrent Commit never finds its directory gone.
func (s *Store) Remove(sha string) error {
	if err := checkHash(sha); err != nil {
		return err
	}
	p := s.path(sha)
	if err := os.Remove(p); err != nil {
		return notFound(sha, err)
	}
	if err := syncDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("remove blob %s: %w", sha, err)
	}
	return nil
}

// Walk calls fn for every stored blob in hash order. Files that do not
// belong to the layout are ignored. If fn returns fs.SkipAll, Walk stops
// and returns nil; any other error stops it and is returned.
func (s *Store) Walk(ctx context.Context, fn func(Info) error) error {
	root := filepath.Join(s.dir, blobDir)
	level1, err := readDirNames(root)
	if err != nil {
		return fmt.Errorf("walk blobs: %w", err)
	}
	for _, a := range level1 {
		if !isHexPair(a) {
			continue
		}
		level2, err := readDirNames(filepath.Join(root, a))
		if err != nil {
			return fmt.Errorf("walk blobs: %w", err)
		}
		for _, b := range level2 {
			if !isHexPair(b) {
				continue
			}
			dir := filepath.Join(root, a, b)
			names, err := readDirNames(dir)
			if err != nil {
				return fmt.Errorf("walk blobs: %w", err)
			}
			for _, name := range names {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("walk blobs: %w", err)
				}
				if !ValidHash(name) || name[0:2] != a || name[2:4] != b {
					continue
				}
				fi, err := os.Lstat(filepath.Join(dir, name))
				if errors.Is(err, fs.ErrNotExist) {
					continue // removed while walking
				}
				if err != nil {
					return fmt.Errorf("walk blobs: %w", err)
				}
				if !fi.Mode().IsRegular() {
					continue
				}
				if err := fn(Info{SHA256: name, Size: fi.Size(), StoredAt: fi.ModTime()}); err != nil {
					if errors.Is(err, fs.SkipAll) {
						return nil
					}
					return err
				}
			}
		}
	}
	return nil
}

func isHexPair(s string) bool {
	return len(s) == 2 && isHexDigit(s[0]) && isHexDigit(s[1])
}

// readDirNames lists a directory's entries in name order.
func readDirNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// CleanTemp removes temporary files last written more than olderThan ago:
// the remains of uploads interrupted by a crash, and Staged blobs that were
// never committed or discarded. olderThan must exceed the longest time a
// caller may hold a Staged blob. It returns how many files were removed.
func (s *Store) CleanTemp(olderThan time.Duration) (int, error) {
	dir := filepath.Join(s.dir, tempDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("clean temp: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	removed := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("clean temp: %w", err)
		}
		if !fi.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("clean temp: %w", err)
		}
		removed++
	}
	return removed, nil
}
