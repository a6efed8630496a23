package component_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tradewarden/tradewarden/pkg/testkit"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// BenchmarkEvidenceUploadS3 is a 16 MiB exhibit uploaded through the HTTP
// API with TW_BLOB_STORE=s3 (multipart form, hashing, sniffing, the exhibit
// row, custody and audit in one transaction, the object in the bucket),
// beside a raw SDK PutObject of the same bytes to the same versitygw.
func BenchmarkEvidenceUploadS3(b *testing.B) {
	srv := testkit.S3(b, false)
	const size = 16 << 20
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i+8 <= size; i += 8 {
		binary.LittleEndian.PutUint64(data[i:], r.Uint64())
	}
	n := uint64(0)
	b.Run("http-upload", func(b *testing.B) {
		env := wiringtest.New(b, withS3(srv))
		off := env.As(officer, "KENT-TS")
		cv := newCaseB(b, off)
		b.SetBytes(size)
		for b.Loop() {
			n++
			binary.LittleEndian.PutUint64(data, n) // fresh content: no dedup
			off.Upload("/api/v1/cases/"+cv+"/evidence", uploadFields(), "firmware.bin", "application/octet-stream", data).Expect(201)
		}
	})
	b.Run("http-upload-disk", func(b *testing.B) {
		env := wiringtest.New(b)
		off := env.As(officer, "KENT-TS")
		cv := newCaseB(b, off)
		b.SetBytes(size)
		for b.Loop() {
			n++
			binary.LittleEndian.PutUint64(data, n)
			off.Upload("/api/v1/cases/"+cv+"/evidence", uploadFields(), "firmware.bin", "application/octet-stream", data).Expect(201)
		}
	})
	b.Run("raw-putobject", func(b *testing.B) {
		client := srv.Client()
		b.SetBytes(size)
		for b.Loop() {
			n++
			binary.LittleEndian.PutUint64(data, n)
			if _, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(srv.Bucket),
				Key: aws.String("raw"), Body: bytes.NewReader(data)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
