package blobstore_test

import (
	"testing"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
	"github.com/tradewarden/tradewarden/pkg/blobstore/blobtest"
)

func TestConformanceDisk(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blobstore.Backend {
		s, err := blobstore.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return blobstore.Disk(s)
	})
}
