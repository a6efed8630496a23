package s3store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tradewarden/tradewarden/pkg/testkit"
)

const benchSize = 32 << 20

func benchData() []byte {
	data := make([]byte, benchSize)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i+8 <= len(data); i += 8 {
		binary.LittleEndian.PutUint64(data[i:], r.Uint64())
	}
	return data
}

// BenchmarkS3Upload32MiB compares, on one versitygw in one run, what an
// evidence upload does with TW_BLOB_STORE=s3 ("evidence": stage, hashing
// while streaming to the scratch disk, then commit: HEAD, multipart upload
// to the content key, HEAD) with a plain SDK PutObject of the same bytes
// ("raw-putobject"). Fresh content every operation.
func BenchmarkS3Upload32MiB(b *testing.B) {
	srv := testkit.S3(b, false)
	data := benchData()
	ctx := context.Background()
	b.Run("evidence", func(b *testing.B) {
		s := open(b, srv, 0)
		b.SetBytes(benchSize)
		i := uint64(0)
		for b.Loop() {
			i++
			binary.LittleEndian.PutUint64(data, i)
			st, err := s.Stage(ctx, bytes.NewReader(data), benchSize)
			if err != nil {
				b.Fatal(err)
			}
			blob, err := st.Commit(ctx)
			if err != nil || blob.Existed {
				b.Fatalf("commit %+v %v", blob, err)
			}
			b.StopTimer()
			if err := s.Remove(ctx, blob.SHA256); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
	b.Run("raw-putobject", func(b *testing.B) {
		client := srv.Client()
		b.SetBytes(benchSize)
		i := uint64(1 << 40)
		for b.Loop() {
			i++
			binary.LittleEndian.PutUint64(data, i)
			if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("raw"),
				Body: bytes.NewReader(data)}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("raw")}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}
