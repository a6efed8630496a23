package xmlstream

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

// render controls how token streams are written for comparison.
type render struct {
	qnames    bool // element and attribute names as written, not local
	normSpace bool // tab, CR and LF in attribute values shown as spaces
}

func (r render) attr(v string) string {
	if r.normSpace {
		return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(v)
	}
	return v
}

// events renders the token stream as text, one token per line, merging
// adjacent CharData, so streams from different decoders can be compared.
func events(d *Decoder) (string, error) { return render{}.events(d) }

func (r render) events(d *Decoder) (string, error) {
	var out strings.Builder
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			fmt.Fprintf(&out, "T %q\n", text.String())
			text.Reset()
		}
	}
	for {
		t, err := d.Next()
		if err == io.EOF {
			flush()
			return out.String(), nil
		}
		if err != nil {
			return out.String(), err
		}
		switch t.Kind {
		case StartElement:
			flush()
			name := t.Name
			if r.qnames {
				name = t.QName
			}
			fmt.Fprintf(&out, "S %s", name)
			for _, a := range t.Attrs {
				an := a.Name
				if !r.qnames {
					an = local(an)
				}
				fmt.Fprintf(&out, " %s=%q", an, r.attr(string(a.Value)))
			}
			out.WriteString("\n")
		case EndElement:
			flush()
			name := t.Name
			if r.qnames {
				name = t.QName
			}
			fmt.Fprintf(&out, "E %s\n", name)
		case CharData:
			text.Write(t.Data)
		}
	}
}

// stdEvents renders encoding/xml's view of doc the same way.
func stdEvents(doc []byte) (string, error) { return render{}.std(doc) }

func (r render) std(doc []byte) (string, error) {
	// encoding/xml reports a byte order mark as text; it is not content.
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(doc, []byte("\uFEFF"))))
	d.Strict = true
	var out strings.Builder
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			fmt.Fprintf(&out, "T %q\n", text.String())
			text.Reset()
		}
	}
	name := func(n xml.Name) string {
		if r.qnames && n.Space != "" {
			return n.Space + ":" + n.Local
		}
		return n.Local
	}
	depth := 0
	for {
		var t xml.Token
		var err error
		if r.qnames {
			t, err = d.RawToken()
		} else {
			t, err = d.Token()
		}
		if err == io.EOF {
			flush()
			return out.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.StartElement:
			flush()
			depth++
			fmt.Fprintf(&out, "S %s", name(t.Name))
			for _, a := range t.Attr {
				fmt.Fprintf(&out, " %s=%q", name(a.Name), r.attr(a.Value))
			}
			out.WriteString("\n")
		case xml.EndElement:
			flush()
			depth--
			fmt.Fprintf(&out, "E %s\n", name(t.Name))
		case xml.CharData:
			if depth == 0 {
				continue // white space around the root
			}
			text.Write(t)
		}
	}
}

// smallDecoder forces every refill and restart path with a tiny buffer.
func smallDecoder(r io.Reader) *Decoder {
	d := NewDecoder(r, Options{})
	d.buf = make([]byte, 8)
	return d
}

func TestMatchesEncodingXML(t *testing.T) {
	docs := []string{
		`<a/>`,
		`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<!DOCTYPE nmaprun>` + "\n" +
			`<?xml-stylesheet href="file:///usr/share/nmap/nmap.xsl" type="text/xsl"?>` + "\n" +
			`<!-- Nmap 7.94 scan -->` + "\n" +
			`<nmaprun scanner="nmap" args="nmap -sV"><host><port portid="23" protocol="tcp"/>` +
			`<script id="x" output="&#xa;  a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;&#9;"/></host></nmaprun>` + "\n",
		"<r>line1\r\nline2\rline3</r>",
		`<r a="x&#10;y" b='single "q"'>text<![CDATA[<raw> & stuff]]>more</r>`,
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><x:c xmlns:x="urn:x" x:k="v">é ü 日本 😀</x:c></bom>`,
		"\uFEFF<r>bom</r>",
		"<r>\n  <a>1</a>\n  <b>2</b>\n</r>\n\n",
		`<r><!-- c - c --><?pi data?><a/></r>`,
	}
	for i, doc := range docs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			want, err := stdEvents([]byte(doc))
			if err != nil {
				t.Fatalf("encoding/xml: %v", err)
			}
			for name, d := range map[string]*Decoder{
				"normal":  NewDecoder(strings.NewReader(doc), Options{}),
				"onebyte": NewDecoder(iotest.OneByteReader(strings.NewReader(doc)), Options{}),
				"small":   smallDecoder(iotest.HalfReader(strings.NewReader(doc))),
			} {
				got, err := events(d)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if got != want {
					t.Errorf("%s:\ngot:\n%s\nwant:\n%s", name, got, want)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		want      error
	}{
		{"empty", ``, scan.ErrMalformed},
		{"whitespace only", "  \n", scan.ErrMalformed},
		{"truncated", `<a><b>`, scan.ErrMalformed},
		{"truncated in tag", `<a><b x="1`, scan.ErrMalformed},
		{"mismatched", `<a></b>`, scan.ErrMalformed},
		{"two roots", `<a/><b/>`, scan.ErrMalformed},
		{"text after root", `<a/>junk`, scan.ErrMalformed},
		{"text before root", `junk<a/>`, scan.ErrMalformed},
		{"bare ampersand", `<a>fish & chips</a>`, scan.ErrMalformed},
		{"lt in attribute", `<a x="<"/>`, scan.ErrMalformed},
		{"duplicate attribute", `<a x="1" x="2"/>`, scan.ErrMalformed},
		{"bad char ref", `<a>&#0;</a>`, scan.ErrMalformed},
		{"surrogate char ref", `<a>&#xD800;</a>`, scan.ErrMalformed},
		{"late xml decl", `<a><?xml version="1.0"?></a>`, scan.ErrMalformed},
		{"utf16 bom", "\xFF\xFE<\x00a\x00/\x00>\x00", scan.ErrMalformed},
		{"utf16 declared", `<?xml version="1.0" encoding="UTF-16"?><a/>`, scan.ErrMalformed},
		{"latin1 declared", `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, scan.ErrMalformed},
		{"unknown entity", `<a>&nbsp;</a>`, scan.ErrUnsafe},
		{"internal subset", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, scan.ErrUnsafe},
		{"xxe", `<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>`, scan.ErrUnsafe},
		{"parameter entity", `<!DOCTYPE a [<!ENTITY % p SYSTEM "http://example.invalid/x.dtd"> %p;]><a/>`, scan.ErrUnsafe},
		{"deep", strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300), scan.ErrUnsafe},
		{"second doctype", `<!DOCTYPE a><!DOCTYPE a><a/>`, scan.ErrMalformed},
		{"unknown bang", `<a><!ELEMENT a ANY></a>`, scan.ErrMalformed},
		{"entity after element decls", `<!DOCTYPE a [<!ELEMENT a ANY><!ENTITY x "y">]><a/>`, scan.ErrUnsafe},
		{"parameter entity in attlist", `<!DOCTYPE a [<!ATTLIST a x %t; #IMPLIED>]><a/>`, scan.ErrUnsafe},
		{"junk in subset", `<!DOCTYPE a [<a/>]><a/>`, scan.ErrMalformed},
		{"xml decl after root start", `<!-- c --><a/><?xml version="1.0"?>`, scan.ErrMalformed},
		{"two xml decls", `<?xml version="1.0"?><!-- c --><?xml version="1.0"?><a/>`, scan.ErrMalformed},
		{"late latin1 decl", `<!-- c --><?xml version="1.0" encoding="ISO-8859-1"?><a/>`, scan.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := events(NewDecoder(strings.NewReader(tt.doc), Options{}))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var pe *scan.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *scan.ParseError", err)
			}
			// The same through the restart paths.
			_, err2 := events(smallDecoder(iotest.OneByteReader(strings.NewReader(tt.doc))))
			if !errors.Is(err2, tt.want) {
				t.Fatalf("small buffer: got %v, want %v", err2, tt.want)
			}
		})
	}
}

func TestErrorPosition(t *testing.T) {
	doc := "<a>\n<b>\n</c>\n</a>"
	_, err := events(NewDecoder(strings.NewReader(doc), Options{}))
	var pe *scan.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v", err)
	}
	if pe.Pos.Line != 3 || pe.Pos.Offset != 8 {
		t.Fatalf("position = %+v, want line 3 offset 8", pe.Pos)
	}
}

func TestReaderErrorIsNotMalformed(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("<a><b>"), iotest.ErrReader(boom))
	_, err := events(NewDecoder(r, Options{}))
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the reader's error", err)
	}
	if errors.Is(err, scan.ErrMalformed) || errors.Is(err, scan.ErrUnsafe) {
		t.Fatalf("reader error classified as report error: %v", err)
	}
}

func TestAttributeWhitespaceNormalised(t *testing.T) {
	// Literal white space in attribute values becomes a space (XML 1.0 §3.3.3);
	// character references keep their character.
	got, err := events(NewDecoder(strings.NewReader("<a x=\"1\t2\n3\r\n4&#10;5\"/>"), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if want := "S a x=\"1 2 3 4\\n5\"\nE a\n"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestInvalidCharactersReplaced(t *testing.T) {
	doc := "<a x=\"\xff\">b\xc3\x28c\x01d</a>"
	d := NewDecoder(strings.NewReader(doc), Options{})
	got, err := events(d)
	if err != nil {
		t.Fatal(err)
	}
	want := "S a x=\"\uFFFD\"\nT \"b\uFFFD(c\uFFFDd\"\nE a\n"
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	if d.Replaced() != 3 {
		t.Fatalf("Replaced = %d, want 3", d.Replaced())
	}
}

func TestLongTextIsChunkedAndBounded(t *testing.T) {
	// A text run several buffers long, with references and multi-byte runes
	// placed to straddle chunk boundaries.
	unit := strings.Repeat("x", 1000) + "&amp;é\r\n"
	body := strings.Repeat(unit, 300)
	doc := "<a>" + body + "</a>"
	d := NewDecoder(strings.NewReader(doc), Options{})
	var got strings.Builder
	chunks := 0
	for {
		tok, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if tok.Kind == CharData {
			chunks++
			got.Write(tok.Data)
		}
	}
	want := strings.ReplaceAll(strings.ReplaceAll(body, "&amp;", "&"), "\r\n", "\n")
	if got.String() != want {
		t.Fatalf("text mismatch (len %d vs %d)", got.Len(), len(want))
	}
	if chunks < 2 {
		t.Fatalf("expected the text in several chunks, got %d", chunks)
	}
	if len(d.buf) > initialBuffer {
		t.Fatalf("buffer grew to %d for plain text", len(d.buf))
	}

	d = NewDecoder(strings.NewReader(doc), Options{MaxText: 100_000})
	if _, err := events(d); !errors.Is(err, scan.ErrUnsafe) {
		t.Fatalf("text over MaxText: got %v", err)
	}
}

func TestTokenSizeLimit(t *testing.T) {
	doc := `<a x="` + strings.Repeat("y", 300_000) + `"/>`
	if _, err := events(NewDecoder(strings.NewReader(doc), Options{MaxToken: 100_000})); !errors.Is(err, scan.ErrUnsafe) {
		t.Fatalf("got %v, want ErrUnsafe", err)
	}
	got, err := events(NewDecoder(strings.NewReader(doc), Options{}))
	if err != nil || len(got) < 300_000 {
		t.Fatalf("large attribute within limits: %v", err)
	}
}

func TestSkipAndText(t *testing.T) {
	doc := `<r><skip><deep><er/></deep>x</skip><t>he<i>ignored</i>llo</t><after/></r>`
	d := NewDecoder(strings.NewReader(doc), Options{})
	var seen []string
	for {
		tok, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tok.Is("skip"):
			if err := d.Skip(); err != nil {
				t.Fatal(err)
			}
		case tok.Is("t"):
			s, err := d.FieldText()
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, "t="+s)
		case tok.Kind == StartElement:
			seen = append(seen, string(tok.Name))
		}
	}
	if got := strings.Join(seen, ","); got != "r,t=hello,after" {
		t.Fatalf("got %s", got)
	}
}

// Burp writes an internal subset of ELEMENT and ATTLIST declarations; they
// are skipped (defaults never applied), and the document reads as usual.
func TestInternalSubsetWithoutEntities(t *testing.T) {
	doc := `<?xml version="1.0"?>
<!DOCTYPE issues [
<!ELEMENT issues (issue*)>
<!ATTLIST issues burpVersion CDATA "">
<!-- a comment, with a > inside -->
<?pi x?>
<!ATTLIST issue kind CDATA "a>b" extra CDATA 'q"uote'>
]>
<issues burpVersion="2023.1"><issue>t</issue></issues>`
	for name, d := range map[string]*Decoder{
		"default": NewDecoder(strings.NewReader(doc), Options{}),
		"small":   smallDecoder(iotest.OneByteReader(strings.NewReader(doc))),
	} {
		got, err := events(d)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(got, `burpVersion="2023.1"`) || strings.Contains(got, "kind") {
			t.Fatalf("%s: events\n%s", name, got)
		}
	}
}

// Some exporters put comments or blank lines before the XML declaration.
func TestDeclarationAfterComments(t *testing.T) {
	doc := "\n<!-- exported by a lab tool -->\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a>x</a>"
	got, err := events(NewDecoder(strings.NewReader(doc), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `T "x"`) {
		t.Fatalf("events\n%s", got)
	}
}
