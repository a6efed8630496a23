package sshaudit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/sshaudit"
)

var benchDoc = sync.OnceValue(genSSHAudit)

// genSSHAudit builds an ssh-audit report with the most algorithms a list
// keeps (1,000 per category), about 1 MB, half of them noted fail or warn.
func genSSHAudit() []byte {
	var b bytes.Buffer
	b.WriteString(`{"additional_notes":[""],"banner":{"comments":null,"protocol":"2.0","raw":"SSH-2.0-dropbear_2019.78","software":"dropbear_2019.78"},` +
		`"compression":["none"],"cves":[],`)
	for _, cat := range []string{"enc", "kex", "key", "mac"} {
		fmt.Fprintf(&b, "%q:[", cat)
		for i := 0; i < 1000; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			switch i % 4 {
			case 0:
				fmt.Fprintf(&b, `{"algorithm":"%s-alg-%d","notes":{"fail":["using broken SHA-1 hash algorithm"],"info":["available since OpenSSH 2.1.0, Dropbear SSH 0.28"],"warn":["using encrypt-and-MAC mode"]}}`, cat, i)
			case 1:
				fmt.Fprintf(&b, `{"algorithm":"%s-alg-%d","keysize":2048,"notes":{"info":["available since OpenSSH 2.3.0"],"warn":["using weak cipher mode"]}}`, cat, i)
			default:
				fmt.Fprintf(&b, `{"algorithm":"%s-alg-%d","notes":{"info":["available since OpenSSH 6.5, Dropbear SSH 2013.62"]}}`, cat, i)
			}
		}
		b.WriteString("],")
	}
	b.WriteString(`"target":"localhost:2222"}`)
	return b.Bytes()
}

func BenchmarkSSHAuditParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := sshaudit.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkSSHAuditStdlibUnmarshal is the raw encoding/json baseline.
func BenchmarkSSHAuditStdlibUnmarshal(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			b.Fatal(err)
		}
	}
}
