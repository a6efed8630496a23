package listings

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

func newTracker(s string) *tracker {
	return &tracker{src: strings.NewReader(s), h: sha256.New(), limit: 1 << 20}
}

func drain(t *testing.T, d decoder) []record {
	t.Helper()
	var out []record
	for {
		r, err := d.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

func TestNDJSONDecoderLinesAndErrors(t *testing.T) {
	input := `{"retailer":"Argos","market_type":"retailer","url":"https://a.example/1","title":"one","price":12.5,"gtin":5012345678900}` + "\r\n" +
		"\n" +
		`{"retailer":"Argos"` + "\n" +
		`[1,2]` + "\n" +
		`{"title":"caf` + "\xe9" + `"}` + "\n" +
		`{"title":"two"} {"title":"three"}` + "\n" +
		`{"listing_id":"a","external_id":"b"}` + "\n" +
		`{"title":"x","price":{"value":1}}` + "\n" +
		`{"title":"` + strings.Repeat("y", 300) + `"}` + "\n" +
		`{"title":"last, no newline","listing_id":"ext-9"}`
	tr := newTracker(input)
	recs := drain(t, newNDJSONDecoder(tr, 1, 0, 200))
	wantErr := map[int64]string{3: "incomplete", 4: "JSON object", 5: "UTF-8", 6: "more than one value", 7: "differ", 8: "price", 9: "longer than 200"}
	if len(recs) != 9 {
		t.Fatalf("%d records: %+v", len(recs), recs)
	}
	for _, r := range recs {
		if w, bad := wantErr[r.line]; bad {
			if !strings.Contains(r.err, w) {
				t.Errorf("line %d: error %q, want %q", r.line, r.err, w)
			}
		} else if r.err != "" {
			t.Errorf("line %d: unexpected error %q", r.line, r.err)
		}
	}
	if recs[0].line != 1 || recs[0].in.Price != "12.5" || recs[0].in.GTIN != "5012345678900" {
		t.Errorf("first record: %+v", recs[0])
	}
	last := recs[len(recs)-1]
	if last.line != 10 || last.in.ExternalID != "ext-9" {
		t.Errorf("last record: %+v", last)
	}
	sum := sha256.Sum256([]byte(input))
	if tr.consumed != int64(len(input)) || hex.EncodeToString(tr.h.Sum(nil)) != hex.EncodeToString(sum[:]) || tr.lines != 9 {
		t.Errorf("tracker consumed %d of %d bytes, %d newlines", tr.consumed, len(input), tr.lines)
	}
}

func TestTrackerBoundsBufferedInput(t *testing.T) {
	// A CSV quoted field that never ends must not be buffered without limit.
	tr := &tracker{src: strings.NewReader("retailer,title\nArgos,\"" + strings.Repeat("x", 4<<20)), h: sha256.New(), limit: 1 << 20}
	d, err := readCSVHeader(tr)
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := d.next()
		if errors.Is(err, io.EOF) {
			t.Fatal("an unterminated 4 MiB field was read to the end")
		}
		if err != nil {
			if !strings.Contains(err.Error(), "longer than") {
				t.Fatalf("error %v", err)
			}
			return
		}
	}
}

func TestCSVDecoder(t *testing.T) {
	input := "\ufeffretailer,Market_Type,url,title,price_pence,external_id\n" +
		"Argos,retailer,https://a.example/1,\"Plug, white\",1299,a-1\n" +
		"Argos,retailer,https://a.example/2,\"Two\nline title\",x,a-2\n" +
		"Argos,retailer,https://a.example/3\n" +
		"Argos,retailer,https://a.example/4,bad \"quote,1,a-4\n" +
		"   \n" +
		"Argos,retailer,https://a.example/5,caf\xe9,1,a-5\n" +
		"Argos,retailer,https://a.example/6,six,600,a-6\n"
	tr := newTracker(input)
	d, err := readCSVHeader(tr)
	if err != nil {
		t.Fatal(err)
	}
	if d.header[1] != "market_type" {
		t.Fatalf("header not folded: %q", d.header)
	}
	recs := drain(t, d)
	want := []struct {
		line int64
		err  string
	}{{2, ""}, {3, "price_pence"}, {5, "fields"}, {6, "malformed CSV"}, {8, "UTF-8"}, {9, ""}}
	if len(recs) != len(want) {
		t.Fatalf("%d records: %+v", len(recs), recs)
	}
	for i, w := range want {
		if recs[i].line != w.line || (w.err == "") != (recs[i].err == "") || !strings.Contains(recs[i].err, w.err) {
			t.Errorf("record %d: line %d err %q, want line %d err %q", i, recs[i].line, recs[i].err, w.line, w.err)
		}
	}
	if recs[0].in.Title != "Plug, white" || *recs[0].in.PricePence != 1299 || recs[0].in.ExternalID != "a-1" {
		t.Errorf("first record: %+v", recs[0].in)
	}
	if tr.consumed != int64(len(input)) || tr.lines != 9 {
		t.Errorf("consumed %d of %d, %d newlines", tr.consumed, len(input), tr.lines)
	}
}

func TestCSVHeaderErrors(t *testing.T) {
	for _, h := range []string{"", "url,url\n", "URL,url\n", "\"unterminated\n", "caf\xe9\n"} {
		if _, err := readCSVHeader(newTracker(h)); err == nil {
			t.Errorf("header %q accepted", h)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"application/x-ndjson": FormatNDJSON, "text/csv; charset=utf-8": FormatCSV,
		".jsonl": FormatNDJSON, "CSV": FormatCSV} {
		if got, ok := ParseFormat(in); !ok || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseFormat("application/json"); ok {
		t.Error("a single JSON document is not an import format")
	}
}

// FuzzDecoders feeds arbitrary bytes to both import decoders: they must
// never panic, never loop, and report increasing line numbers.
func FuzzDecoders(f *testing.F) {
	f.Add([]byte(`{"retailer":"Argos","market_type":"retailer","url":"https://a.example/1","title":"x"}` + "\n{\n"))
	f.Add([]byte("retailer,url,title\nArgos,https://a.example/1,\"x\ny\"\n\"bad\n"))
	f.Add([]byte("\xff\xfe\x00\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(d decoder, tr *tracker) {
			last := int64(0)
			for i := 0; i < 100000; i++ {
				r, err := d.next()
				if err != nil {
					return
				}
				if r.line <= last {
					t.Fatalf("line %d after line %d", r.line, last)
				}
				last = r.line
				if r.err == "" {
					_, _ = parse(r.in, testNow)
				}
			}
			t.Fatal("decoder did not finish")
		}
		tr := &tracker{src: strings.NewReader(string(data)), h: sha256.New(), limit: 1 << 16}
		check(newNDJSONDecoder(tr, 1, 0, 1<<12), tr)
		tr = &tracker{src: strings.NewReader(string(data)), h: sha256.New(), limit: 1 << 16}
		if d, err := readCSVHeader(tr); err == nil {
			check(d, tr)
		}
	})
}
