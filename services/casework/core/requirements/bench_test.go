package requirements_test

import (
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

func BenchmarkAll(b *testing.B) {
	for b.Loop() {
		if len(requirements.All()) == 0 {
			b.Fatal("empty catalogue")
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	for _, id := range []string{"5.3-13", "cop-13"} {
		b.Run(id, func(b *testing.B) {
			for b.Loop() {
				if _, ok := requirements.Lookup(id); !ok {
					b.Fatal(id)
				}
			}
		})
	}
}

func BenchmarkValidate(b *testing.B) {
	ids := []string{"PSTI-1", "PSTI-2", "PSTI-3", "PSTI-SOC", "5.1-1", "5.1-2", "5.3-13", "5.5-1", "5.6-1", "COP-1"}
	for b.Loop() {
		if err := requirements.Validate(ids); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompareIDs(b *testing.B) {
	for b.Loop() {
		if requirements.CompareIDs("5.13-1a", "5.3-10") <= 0 {
			b.Fatal("order")
		}
	}
}
