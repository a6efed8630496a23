package blevesearch_test

import (
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/blevesearch"
	"github.com/tradewarden/tradewarden/services/casework/core/search"
	"github.com/tradewarden/tradewarden/services/casework/searchtest"
)

func TestConformanceMemory(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index {
		e, err := blevesearch.NewMem(blevesearch.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		return e
	})
}

func TestConformanceDisk(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index {
		e, err := blevesearch.Open(t.TempDir(), blevesearch.Options{Shards: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		return e
	})
}
