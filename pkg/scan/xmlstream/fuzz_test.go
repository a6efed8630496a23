package xmlstream

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// FuzzParse checks that the tokenizer never panics, classifies every
// failure as ErrMalformed or ErrUnsafe, gives the same answer however the
// input is split across reads, and agrees with encoding/xml on documents
// both accept.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0"?><!DOCTYPE nmaprun><nmaprun a="1"><host>t&amp;x&#10;</host></nmaprun>`,
		`<a><![CDATA[x]]><!--c--><?p?></a>`,
		`<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`,
		"\uFEFF<a x='1'\ty=\"2\"/>",
		"<a>\r\n\xff&#x1F600;</a>",
		`<a:b xmlns:a="u"><a:c/></a:b>`,
	} {
		f.Add([]byte(s))
	}
	r := render{qnames: true, normSpace: true}
	f.Fuzz(func(t *testing.T, doc []byte) {
		d := NewDecoder(bytes.NewReader(doc), Options{MaxDepth: 64})
		got, err := r.events(d)
		if err != nil && !errors.Is(err, scan.ErrMalformed) && !errors.Is(err, scan.ErrUnsafe) {
			t.Fatalf("unclassified error %v", err)
		}
		small := smallDecoder(iotest.OneByteReader(bytes.NewReader(doc)))
		small.maxDepth = 64
		got2, err2 := r.events(small)
		if (err == nil) != (err2 == nil) || got != got2 {
			t.Fatalf("split reads disagree:\n%v\n%q\nvs\n%v\n%q", err, got, err2, got2)
		}
		if err != nil || d.Replaced() > 0 {
			return
		}
		want, stdErr := r.std(doc)
		if stdErr == nil && got != want {
			t.Fatalf("differs from encoding/xml:\ngot  %q\nwant %q", got, want)
		}
	})
}
