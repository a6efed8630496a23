package blobstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
)

func open(t *testing.T) (*blobstore.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := blobstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// evidence returns n bytes of reproducible pseudo-random content.
func evidence(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(b)
	return b
}

// tempFiles lists what is left in the store's temporary directory.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// storedFiles lists every blob file under the store's fan-out tree.
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, "sha256"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func assertEmptyTemp(t *testing.T, dir string) {
	t.Helper()
	if left := tempFiles(t, dir); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestPutStoresIdenticalBytesOnce(t *testing.T) {
	s, dir := open(t)
	ctx := context.Background()
	data := []byte("Exhibit JW/01: photograph of SmartCam Pro 2 label, serial SC2-0042\n")
	want := sum(data)

	b1, err := s.Put(ctx, bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if b1.SHA256 != want || b1.Size != int64(len(data)) || b1.Existed {
		t.Fatalf("first Put = %+v, want new blob %s of %d bytes", b1, want, len(data))
	}
	b2, err := s.Put(ctx, bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if b2.SHA256 != want || !b2.Existed {
		t.Fatalf("second Put = %+v, want Existed", b2)
	}
	wantPath := "sha256/" + want[0:2] + "/" + want[2:4] + "/" + want
	if got := storedFiles(t, dir); !slices.Equal(got, []string{wantPath}) {
		t.Errorf("stored files %v, want [%s]", got, wantPath)
	}
	assertEmptyTemp(t, dir)

	rc, size, err := s.Open(want)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) || size != int64(len(data)) {
		t.Errorf("read back %q (size %d)", got, size)
	}
	if _, err := rc.Seek(10, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(rc)
	if !bytes.Equal(rest, data[10:]) {
		t.Error("Seek then read gave the wrong bytes")
	}
	info, err := s.Stat(want)
	if err != nil || info.Size != int64(len(data)) || info.StoredAt.IsZero() {
		t.Errorf("Stat = %+v, %v", info, err)
	}
}

func TestPutEmptyContent(t *testing.T) {
	s, _ := open(t)
	b, err := s.Put(context.Background(), strings.NewReader(""), 1)
	if err != nil {
		t.Fatal(err)
	}
	if b.SHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" || b.Size != 0 {
		t.Errorf("empty blob = %+v", b)
	}
}

func TestConcurrentPutsOfSameContent(t *testing.T) {
	s, dir := open(t)
	data := evidence(1, 3<<20+17)
	const n = 12
	results := make([]blobstore.Blob, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = s.Put(context.Background(), bytes.NewReader(data), 8<<20)
		})
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Put %d: %v", i, errs[i])
		}
		if results[i].SHA256 != sum(data) || results[i].Size != int64(len(data)) {
			t.Errorf("Put %d = %+v", i, results[i])
		}
		if !results[i].Existed {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d Puts reported a new blob, want exactly 1", created)
	}
	if files := storedFiles(t, dir); len(files) != 1 {
		t.Errorf("stored files %v, want one", files)
	}
	assertEmptyTemp(t, dir)
	if ok, _, err := s.Verify(context.Background(), sum(data)); !ok || err != nil {
		t.Errorf("Verify after concurrent Puts: %v %v", ok, err)
	}
}

func TestMaxSize(t *testing.T) {
	s, dir := open(t)
	ctx := context.Background()
	data := evidence(2, 5000)

	if _, err := s.Put(ctx, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("content of exactly maxSize: %v", err)
	}
	_, err := s.Put(ctx, bytes.NewReader(evidence(3, 5001)), 5000)
	if !errors.Is(err, blobstore.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	var tl *blobstore.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 5000 {
		t.Errorf("got %#v, want a *TooLargeError with limit 5000", err)
	}
	// A source that never ends is cut off at the limit, not read to the end.
	_, err = s.Put(ctx, endless{}, 3<<20)
	if !errors.Is(err, blobstore.ErrTooLarge) {
		t.Fatalf("endless reader: got %v, want ErrTooLarge", err)
	}
	if _, err := s.Put(ctx, bytes.NewReader(data), 0); err == nil {
		t.Error("maxSize 0 accepted")
	}
	if files := storedFiles(t, dir); len(files) != 1 {
		t.Errorf("stored files %v, want only the first blob", files)
	}
	assertEmptyTemp(t, dir)
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// cancelAfter cancels its context once n bytes have been read.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	if c.n -= k; c.n <= 0 {
		c.cancel()
	}
	return k, err
}

func TestCancellationLeavesNothing(t *testing.T) {
	s, dir := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, bytes.NewReader([]byte("x")), 10); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before start: got %v", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	src := &cancelAfter{r: bytes.NewReader(evidence(4, 4<<20)), n: 1 << 20, cancel: cancel}
	if _, err := s.Put(ctx, src, 8<<20); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled midway: got %v", err)
	}
	if files := storedFiles(t, dir); len(files) != 0 {
		t.Errorf("stored files %v after cancelled Puts", files)
	}
	assertEmptyTemp(t, dir)
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset by peer")
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

func TestReadErrorLeavesNothing(t *testing.T) {
	s, dir := open(t)
	_, err := s.Put(context.Background(), &failingReader{n: 3 << 20}, 8<<20)
	if err == nil || !strings.Contains(err.Error(), "connection reset by peer") {
		t.Fatalf("got %v, want the reader's error", err)
	}
	if files := storedFiles(t, dir); len(files) != 0 {
		t.Errorf("stored files %v", files)
	}
	assertEmptyTemp(t, dir)
}

func TestVerifyDetectsDamageWithoutRepair(t *testing.T) {
	s, dir := open(t)
	ctx := context.Background()
	data := evidence(5, 200_000)
	b, err := s.Put(ctx, bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	ok, actual, err := s.Verify(ctx, b.SHA256)
	if !ok || actual != b.SHA256 || err != nil {
		t.Fatalf("intact blob: ok=%v actual=%s err=%v", ok, actual, err)
	}

	// Flip one byte behind the store's back.
	p := filepath.Join(dir, "sha256", b.SHA256[0:2], b.SHA256[2:4], b.SHA256)
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	damaged := slices.Clone(data)
	damaged[123_456] ^= 0x01
	if err := os.WriteFile(p, damaged, 0o600); err != nil {
		t.Fatal(err)
	}
	ok, actual, err = s.Verify(ctx, b.SHA256)
	if err != nil || ok || actual != sum(damaged) {
		t.Errorf("flipped byte: ok=%v actual=%s err=%v, want a mismatch reporting %s", ok, actual, err, sum(damaged))
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, damaged) {
		t.Error("Verify modified the stored file")
	}

	// Storing the original again must not silently repair or hide the damage
	// by reporting success for a different copy: the size matches, so the
	// blob counts as existing and Verify keeps reporting the mismatch.
	if _, err := s.Put(ctx, bytes.NewReader(data), 1<<20); err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := s.Verify(ctx, b.SHA256); ok {
		t.Error("damage was repaired by a second Put")
	}

	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Verify(ctx, b.SHA256); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("missing blob: got %v, want ErrNotFound", err)
	}
}

func TestPutReportsTruncatedStoredCopy(t *testing.T) {
	s, dir := open(t)
	ctx := context.Background()
	data := evidence(6, 10_000)
	b, err := s.Put(ctx, bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "sha256", b.SHA256[0:2], b.SHA256[2:4], b.SHA256)
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, 5000); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, bytes.NewReader(data), 1<<20); !errors.Is(err, blobstore.ErrCorrupt) {
		t.Errorf("got %v, want ErrCorrupt", err)
	}
	if fi, _ := os.Stat(p); fi.Size() != 5000 {
		t.Error("the damaged copy was replaced")
	}
	assertEmptyTemp(t, dir)
}

func TestStageThenCommitOrDiscard(t *testing.T) {
	s, dir := open(t)
	ctx := context.Background()
	scan := []byte(`<?xml version="1.0"?><nmaprun scanner="nmap"><host><ports/></host></nmaprun>`)

	st, err := s.Stage(ctx, bytes.NewReader(scan), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if st.SHA256() != sum(scan) || st.Size() != int64(len(scan)) {
		t.Errorf("staged %s/%d", st.SHA256(), st.Size())
	}
	r, err := st.Open()
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 5)
	if _, err := io.ReadFull(r, head); err != nil || string(head) != "<?xml" {
		t.Errorf("sniffing staged bytes: %q %v", head, err)
	}
	r.Close()
	if _, err := s.Stat(st.SHA256()); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("staged blob visible before Commit: %v", err)
	}
	if err := st.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Commit(); !errors.Is(err, blobstore.ErrFinished) {
		t.Errorf("Commit after Discard: %v", err)
	}
	if err := st.Discard(); !errors.Is(err, blobstore.ErrFinished) {
		t.Errorf("second Discard: %v", err)
	}
	if _, err := st.Open(); !errors.Is(err, blobstore.ErrFinished) {
		t.Errorf("Open after Discard: %v", err)
	}
	if files := storedFiles(t, dir); len(files) != 0 {
		t.Errorf("stored files after Discard: %v", files)
	}
	assertEmptyTemp(t, dir)

	st, err = s.Stage(ctx, bytes.NewReader(scan), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Commit()
	if err != nil || b.SHA256 != sum(scan) || b.Existed {
		t.Fatalf("Commit = %+v, %v", b, err)
	}
	if _, err := st.Commit(); !errors.Is(err, blobstore.ErrFinished) {
		t.Errorf("second Commit: %v", err)
	}
	if _, err := s.Stat(b.SHA256); err != nil {
		t.Errorf("committed blob: %v", err)
	}
	assertEmptyTemp(t, dir)
}

func TestCleanTempRemovesOnlyOldLeftovers(t *testing.T) {
	s, dir := open(t)
	tmp := filepath.Join(dir, "tmp")
	// What a crash in the middle of an upload leaves behind.
	crashed := filepath.Join(tmp, "put-1234567")
	if err := os.WriteFile(crashed, evidence(7, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-3 * time.Hour)
	if err := os.Chtimes(crashed, old, old); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(tmp, "README")
	if err := os.WriteFile(foreign, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(foreign, old, old); err != nil {
		t.Fatal(err)
	}
	// A staged upload still waiting for its transaction is recent.
	st, err := s.Stage(context.Background(), bytes.NewReader([]byte("in flight")), 100)
	if err != nil {
		t.Fatal(err)
	}

	n, err := s.CleanTemp(time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("CleanTemp = %d, %v; want 1 file removed", n, err)
	}
	if _, err := os.Stat(crashed); !errors.Is(err, fs.ErrNotExist) {
		t.Error("crashed upload still present")
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Error("CleanTemp removed a file it did not create")
	}
	if _, err := st.Commit(); err != nil {
		t.Errorf("recent staged blob was cleaned: %v", err)
	}
}

func TestMalformedHashesAreRejected(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	good := sum([]byte("x"))
	for _, h := range []string{
		"",
		"../../../../etc/passwd",
		strings.ToUpper(good),
		good[:63],
		good + "0",
		good[:62] + "/a",
		good[:60] + "\x00abc",
		"zz" + good[2:],
	} {
		if _, _, err := s.Open(h); !errors.Is(err, blobstore.ErrInvalidHash) {
			t.Errorf("Open(%q): %v", h, err)
		}
		if _, err := s.Stat(h); !errors.Is(err, blobstore.ErrInvalidHash) {
			t.Errorf("Stat(%q): %v", h, err)
		}
		if _, _, err := s.Verify(ctx, h); !errors.Is(err, blobstore.ErrInvalidHash) {
			t.Errorf("Verify(%q): %v", h, err)
		}
		if err := s.Remove(h); !errors.Is(err, blobstore.ErrInvalidHash) {
			t.Errorf("Remove(%q): %v", h, err)
		}
	}
	if _, _, err := s.Open(good); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("Open of a valid, absent hash: %v", err)
	}
}

func TestRemove(t *testing.T) {
	s, _ := open(t)
	b, err := s.Put(context.Background(), strings.NewReader("orphaned upload"), 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(b.SHA256); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(b.SHA256); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("Open after Remove: %v", err)
	}
	if err := s.Remove(b.SHA256); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
	// The same content can be stored again afterwards.
	if b2, err := s.Put(context.Background(), strings.NewReader("orphaned upload"), 100); err != nil || b2.Existed {
		t.Errorf("Put after Remove = %+v, %v", b2, err)
	}
}

func TestWalk(t *testing.T) {
	s, dir := open(t)
	ctx := context.Background()
	var want []string
	sizes := map[string]int64{}
	for i := range 6 {
		b, err := s.Put(ctx, bytes.NewReader(evidence(uint64(100+i), 100+i)), 1000)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, b.SHA256)
		sizes[b.SHA256] = b.Size
	}
	slices.Sort(want)
	// Strays that do not belong to the layout are ignored.
	fan := filepath.Join(dir, "sha256", want[0][0:2], want[0][2:4])
	os.WriteFile(filepath.Join(fan, "notes.txt"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(fan, want[1]), []byte("misfiled"), 0o600)
	os.MkdirAll(filepath.Join(dir, "sha256", "zz"), 0o750)

	var got []string
	err := s.Walk(ctx, func(i blobstore.Info) error {
		if i.Size != sizes[i.SHA256] {
			return fmt.Errorf("blob %s: size %d, want %d", i.SHA256, i.Size, sizes[i.SHA256])
		}
		got = append(got, i.SHA256)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Walk listed %v\nwant %v", got, want)
	}

	seen := 0
	err = s.Walk(ctx, func(blobstore.Info) error {
		if seen++; seen == 2 {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil || seen != 2 {
		t.Errorf("SkipAll: err=%v after %d", err, seen)
	}
	stop := errors.New("stop")
	if err := s.Walk(ctx, func(blobstore.Info) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("callback error: got %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Walk(cctx, func(blobstore.Info) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Walk: got %v", err)
	}
}

func TestStoredBlobsAreReadOnly(t *testing.T) {
	s, dir := open(t)
	b, err := s.Put(context.Background(), strings.NewReader("sealed"), 100)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "sha256", b.SHA256[0:2], b.SHA256[2:4], b.SHA256))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("stored blob mode %v is writable", fi.Mode())
	}
}
