// Package blobtest is the conformance suite every blobstore.Backend passes:
// the disk store and the S3 store run the same tests.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
)

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func list(t *testing.T, s blobstore.Backend) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	if err := s.Walk(context.Background(), func(i blobstore.Info) error { got[i.SHA256] = i.Size; return nil }); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return got
}

func read(t *testing.T, s blobstore.Backend, sha string) []byte {
	t.Helper()
	rc, n, err := s.Open(context.Background(), sha)
	if err != nil {
		t.Fatalf("Open(%s): %v", sha, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", sha, err)
	}
	if int64(len(b)) != n {
		t.Fatalf("Open size %d, read %d bytes", n, len(b))
	}
	return b
}

// failingReader yields some bytes, then an error: an upload cut off.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	k := min(len(p), f.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

// Run runs the suite; newStore returns an empty store for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) blobstore.Backend) {
	ctx := context.Background()
	t.Run("PutOpenStatDedup", func(t *testing.T) {
		s := newStore(t)
		content := []byte("exhibit 1: a test report")
		b, err := s.Put(ctx, bytes.NewReader(content), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if b.SHA256 != sum(content) || b.Size != int64(len(content)) || b.Existed {
			t.Fatalf("Put = %+v", b)
		}
		if got := read(t, s, b.SHA256); !bytes.Equal(got, content) {
			t.Fatalf("read back %q", got)
		}
		info, err := s.Stat(ctx, b.SHA256)
		if err != nil || info.Size != int64(len(content)) || info.StoredAt.IsZero() {
			t.Fatalf("Stat = %+v, %v", info, err)
		}
		again, err := s.Put(ctx, bytes.NewReader(content), 1<<20)
		if err != nil || !again.Existed || again.SHA256 != b.SHA256 {
			t.Fatalf("second Put = %+v, %v; want Existed", again, err)
		}
		if got := list(t, s); len(got) != 1 || got[b.SHA256] != int64(len(content)) {
			t.Fatalf("Walk = %v, want the one blob", got)
		}
	})
	t.Run("Large multipart", func(t *testing.T) {
		s := newStore(t)
		content := bytes.Repeat([]byte("0123456789abcdef"), 40<<20/16) // 40 MiB: several parts
		st, err := s.Stage(ctx, bytes.NewReader(content), int64(len(content)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := st.Commit(ctx)
		if err != nil || b.SHA256 != sum(content) {
			t.Fatalf("Commit = %+v, %v", b, err)
		}
		rc, _, err := s.Open(ctx, b.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if _, err := rc.Seek(int64(len(content))-16, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		tail, _ := io.ReadAll(rc)
		if string(tail) != "0123456789abcdef" {
			t.Fatalf("tail after seek = %q", tail)
		}
		ok, actual, err := s.Verify(ctx, b.SHA256)
		if !ok || actual != b.SHA256 || err != nil {
			t.Fatalf("Verify = %v %s %v", ok, actual, err)
		}
	})
	t.Run("TooLargeLeavesNothing", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Put(ctx, strings.NewReader("0123456789"), 9)
		var tl *blobstore.TooLargeError
		if !errors.As(err, &tl) || !errors.Is(err, blobstore.ErrTooLarge) || tl.Limit != 9 {
			t.Fatalf("Put over the limit: %v", err)
		}
		if _, err := s.Stage(ctx, strings.NewReader("0123456789"), 9); !errors.Is(err, blobstore.ErrTooLarge) {
			t.Fatalf("Stage over the limit: %v", err)
		}
		if b, err := s.Put(ctx, strings.NewReader("0123456789"), 10); err != nil || b.Size != 10 {
			t.Fatalf("Put of exactly the limit: %+v %v", b, err)
		}
		if got := list(t, s); len(got) != 1 {
			t.Fatalf("Walk = %v, want only the blob within the limit", got)
		}
	})
	t.Run("FailedUploadLeavesNothing", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Put(ctx, &failingReader{n: 3 << 20}, 1<<30); err == nil {
			t.Fatal("Put of a failing reader succeeded")
		}
		if _, err := s.Stage(ctx, &failingReader{n: 3 << 20}, 1<<30); err == nil {
			t.Fatal("Stage of a failing reader succeeded")
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Put(cctx, strings.NewReader("cancelled"), 100); err == nil {
			t.Fatal("Put with a cancelled context succeeded")
		}
		if got := list(t, s); len(got) != 0 {
			t.Fatalf("Walk after failures = %v, want nothing", got)
		}
	})
	t.Run("StageCommitDiscard", func(t *testing.T) {
		s := newStore(t)
		st, err := s.Stage(ctx, strings.NewReader("staged"), 100)
		if err != nil {
			t.Fatal(err)
		}
		if st.SHA256() != sum([]byte("staged")) || st.Size() != 6 {
			t.Fatalf("staged %s %d", st.SHA256(), st.Size())
		}
		rc, err := st.Open()
		if err != nil {
			t.Fatal(err)
		}
		head, _ := io.ReadAll(rc)
		rc.Close()
		if string(head) != "staged" {
			t.Fatalf("staged bytes %q", head)
		}
		if _, err := s.Stat(ctx, st.SHA256()); !errors.Is(err, blobstore.ErrNotFound) {
			t.Fatalf("Stat before Commit: %v, want ErrNotFound", err)
		}
		if _, err := st.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, st.SHA256()); err != nil {
			t.Fatalf("Stat after Commit: %v", err)
		}
		d, err := s.Stage(ctx, strings.NewReader("discarded"), 100)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Discard(); err != nil {
			t.Fatal(err)
		}
		if got := list(t, s); len(got) != 1 {
			t.Fatalf("Walk = %v, want only the committed blob", got)
		}
	})
	t.Run("MissingAndInvalid", func(t *testing.T) {
		s := newStore(t)
		absent := sum([]byte("never stored"))
		if _, _, err := s.Open(ctx, absent); !errors.Is(err, blobstore.ErrNotFound) {
			t.Errorf("Open absent: %v", err)
		}
		if _, err := s.Stat(ctx, absent); !errors.Is(err, blobstore.ErrNotFound) {
			t.Errorf("Stat absent: %v", err)
		}
		if _, _, err := s.Verify(ctx, absent); !errors.Is(err, blobstore.ErrNotFound) {
			t.Errorf("Verify absent: %v", err)
		}
		if err := s.Remove(ctx, absent); !errors.Is(err, blobstore.ErrNotFound) {
			t.Errorf("Remove absent: %v", err)
		}
		for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("A", 64)} {
			if _, err := s.Stat(ctx, bad); !errors.Is(err, blobstore.ErrInvalidHash) {
				t.Errorf("Stat(%q): %v, want ErrInvalidHash", bad, err)
			}
		}
	})
	t.Run("Remove", func(t *testing.T) {
		s := newStore(t)
		b, err := s.Put(ctx, strings.NewReader("orphan"), 100)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Remove(ctx, b.SHA256); err != nil && !errors.Is(err, blobstore.ErrLocked) {
			t.Fatalf("Remove: %v", err)
		} else if err == nil {
			if _, err := s.Stat(ctx, b.SHA256); !errors.Is(err, blobstore.ErrNotFound) {
				t.Fatalf("Stat after Remove: %v", err)
			}
		}
	})
	t.Run("PingDescribe", func(t *testing.T) {
		s := newStore(t)
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		if s.Describe() == "" {
			t.Fatal("empty Describe")
		}
	})
}
