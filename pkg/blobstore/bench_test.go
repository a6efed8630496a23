package blobstore_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
)

// BenchmarkPut64MiB stores 64 MiB of fresh content per operation: read,
// hash, write, fsync, link into place, fsync the directory. Each blob is
// removed again outside the timer so the disk does not fill up.
func BenchmarkPut64MiB(b *testing.B) {
	s, err := blobstore.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	data := evidence(42, 64<<20)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		i++
		binary.LittleEndian.PutUint64(data, i) // new content every time
		blob, err := s.Put(ctx, bytes.NewReader(data), 512<<20)
		if err != nil {
			b.Fatal(err)
		}
		if blob.Existed {
			b.Fatal("content was not fresh")
		}
		b.StopTimer()
		if err := s.Remove(blob.SHA256); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
