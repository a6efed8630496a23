package xmlstream

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
)

func readAll(doc string) error {
	d := NewDecoder(strings.NewReader(doc), Options{})
	for {
		if _, err := d.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// Burp Suite's export declares its elements and attributes in an internal
// subset: that is accepted; anything that declares or references entities
// is not.
func TestInternalSubset(t *testing.T) {
	burp := `<?xml version="1.0"?>
<!DOCTYPE issues [
<!ELEMENT issues (issue*)>
<!ATTLIST issues burpVersion CDATA "">
<!-- a comment with ] and > in it -->
<!ATTLIST request base64 (true|false) "false">
<!ATTLIST x y CDATA "a > b">
<?pi data?>
]>
<issues burpVersion="2023.1"><issue/></issues>`
	if err := readAll(burp); err != nil {
		t.Fatalf("Burp DTD refused: %v", err)
	}
	for name, doc := range map[string]string{
		"entity":           `<!DOCTYPE a [<!ELEMENT a ANY><!ENTITY x "y">]><a>&x;</a>`,
		"parameter entity": `<!DOCTYPE a [<!ENTITY % p SYSTEM "http://x/"> %p;]><a/>`,
		"pe in element":    `<!DOCTYPE a [<!ELEMENT a %content;>]><a/>`,
		"notation":         `<!DOCTYPE a [<!NOTATION n SYSTEM "x">]><a/>`,
		"conditional":      `<!DOCTYPE a [<![INCLUDE[<!ELEMENT a ANY>]]>]><a/>`,
	} {
		if err := readAll(doc); !errors.Is(err, scan.ErrUnsafe) {
			t.Errorf("%s: %v, want ErrUnsafe", name, err)
		}
	}
	for name, doc := range map[string]string{
		"garbage":    `<!DOCTYPE a [ hello ]><a/>`,
		"unfinished": `<!DOCTYPE a [<!ELEMENT a ANY>`,
	} {
		if err := readAll(doc); !errors.Is(err, scan.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

func TestScanSubsetShort(t *testing.T) {
	for _, b := range []string{"", "<!ELEM", "<!ATTLIST a b CDATA \"x", "<!--", "<!EN"} {
		if _, err := ScanSubset([]byte(b)); !errors.Is(err, ErrSubsetShort) {
			t.Errorf("%q: %v", b, err)
		}
	}
}
