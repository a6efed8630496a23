package jsonguard

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

func read(t *testing.T, r *Reader) error {
	t.Helper()
	_, err := io.ReadAll(r)
	return err
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		ok   bool
	}{
		{"plain", `{"a":[1,2,{"b":"c"}]}`, true},
		{"brackets in strings", `{"a":"[[[[[[[[[[[[\"{{{{{{{{"}`, true},
		{"escaped backslash", `{"a":"\\","b":[[]]}`, true},
		{"too deep", strings.Repeat("[", 11) + strings.Repeat("]", 11), false},
		{"long string", `{"a":"` + strings.Repeat("x", 65) + `"}`, false},
		{"long number", `[` + strings.Repeat("9", 65) + `]`, false},
		{"long string with escapes", `"` + strings.Repeat(`\"`, 40) + `"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, src := range []io.Reader{strings.NewReader(tt.doc), iotest.OneByteReader(strings.NewReader(tt.doc))} {
				g := NewReader(src)
				g.MaxDepth, g.MaxString = 10, 64
				err := read(t, g)
				if tt.ok && err != nil {
					t.Fatalf("unexpected %v", err)
				}
				if !tt.ok && !errors.Is(err, scan.ErrUnsafe) {
					t.Fatalf("got %v, want ErrUnsafe", err)
				}
			}
		})
	}
}

func TestBOMStripped(t *testing.T) {
	var v map[string]int
	d := NewDecoder(strings.NewReader("\uFEFF{\"a\":1}"))
	if err := d.Value(&v); err != nil || v["a"] != 1 {
		t.Fatalf("got %v %v", v, err)
	}
	// Short inputs are not lost while looking for a BOM.
	d = NewDecoder(strings.NewReader("7"))
	var n int
	if err := d.Value(&n); err != nil || n != 7 {
		t.Fatalf("short input: %v %v", n, err)
	}
}

func TestClassify(t *testing.T) {
	var v struct{ A int }
	syn := json.Unmarshal([]byte(`{"A":}`), &v)
	typ := json.Unmarshal([]byte(`{"A":"x"}`), &v)
	for _, err := range []error{syn, typ, io.ErrUnexpectedEOF, io.EOF} {
		if !errors.Is(Classify(err), scan.ErrMalformed) {
			t.Errorf("Classify(%v) not malformed", err)
		}
	}
	boom := errors.New("boom")
	if Classify(boom) != boom || Classify(nil) != nil {
		t.Error("other errors must pass through")
	}
}

func TestDecoderHelpers(t *testing.T) {
	d := NewDecoder(strings.NewReader(`{"skip":{"x":[1,{"y":2}]},"list":[1,2,3]} `))
	if delim, err := d.Begin(); err != nil || delim != '{' {
		t.Fatal(delim, err)
	}
	var sum int
	err := d.Fields(func(k string) error {
		if k == "list" {
			return d.Array(func() error {
				var n int
				err := d.Value(&n)
				sum += n
				return err
			})
		}
		return d.Skip()
	})
	if err != nil || sum != 6 {
		t.Fatalf("sum %d err %v", sum, err)
	}
	if err := d.End(); err != nil {
		t.Fatal(err)
	}
	d = NewDecoder(strings.NewReader(`{} []`))
	d.Begin()
	d.Expect('}')
	if err := d.End(); !errors.Is(err, scan.ErrMalformed) {
		t.Fatalf("trailing data: %v", err)
	}
	if _, err := NewDecoder(strings.NewReader(``)).Begin(); !errors.Is(err, scan.ErrMalformed) {
		t.Fatalf("empty: %v", err)
	}
	if _, err := NewDecoder(strings.NewReader(`"s"`)).Begin(); !errors.Is(err, scan.ErrMalformed) {
		t.Fatalf("scalar document: %v", err)
	}
}

func TestArrayNull(t *testing.T) {
	d := NewDecoder(strings.NewReader(`{"a":null,"b":[1],"c":"x"}`))
	d.Begin()
	n := 0
	err := d.Fields(func(k string) error {
		if k == "c" {
			return d.Array(func() error { return d.Skip() })
		}
		return d.Array(func() error { n++; return d.Skip() })
	})
	if !errors.Is(err, scan.ErrMalformed) || n != 1 {
		t.Fatalf("null is empty, a string is not an array: %v, %d", err, n)
	}
}
