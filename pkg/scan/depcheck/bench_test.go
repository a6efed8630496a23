package depcheck_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/depcheck"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
)

var benchDoc = sync.OnceValue(func() []byte { return genXML(20 << 20) })

// genXML builds a Dependency-Check 2.5 XML report of about size bytes:
// jar dependencies with evidence, package ids and two NVD
// vulnerabilities each.
func genXML(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd">` +
		`<scanInfo><engineVersion>9.0.9</engineVersion></scanInfo><projectInfo><name>fw</name><reportDate>2024-11-20T14:02:11Z</reportDate></projectInfo><dependencies>`)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<dependency isVirtual="false"><fileName>lib%d-1.%d.0.jar</fileName><filePath>/app/lib/lib%d-1.%d.0.jar</filePath>`+
			`<md5>ba5a6a10bae6ce2abbabec9facae23a4</md5><sha1>ae917bbce68733468b1972113e0e1fc5dc7444a0</sha1>`+
			`<evidenceCollected><evidence type="vendor" confidence="HIGH"><source>file</source><name>name</name><value>lib%d</value></evidence>`+
			`<evidence type="version" confidence="HIGHEST"><source>pom</source><name>version</name><value>1.%d.0</value></evidence></evidenceCollected>`+
			`<identifiers><package confidence="HIGH"><id>pkg:maven/org.example/lib%d@1.%d.0</id></package></identifiers><vulnerabilities>`, i, i%50, i, i%50, i, i%50, i, i%50)
		for v := range 2 {
			fmt.Fprintf(&b, `<vulnerability source="NVD"><name>CVE-2023-%d</name><severity>HIGH</severity><cvssV2><score>7.5</score><severity>HIGH</severity></cvssV2>`+
				`<cvssV3><baseScore>9.8</baseScore><attackVector>NETWORK</attackVector><baseSeverity>CRITICAL</baseSeverity></cvssV3><cwes><cwe>CWE-502</cwe></cwes>`+
				`<description>Deserialisation of untrusted data in lib%d before 1.%d.1 allows remote code execution.</description>`+
				`<references><reference><source>MISC</source><url>https://example.test/%d</url><name>advisory</name></reference></references>`+
				`<vulnerableSoftware><software vulnerabilityIdMatched="true" versionEndExcluding="1.%d.1">cpe:2.3:a:example:lib%d:*:*:*:*:*:*:*:*</software></vulnerableSoftware></vulnerability>`,
				10000+2*i+v, i, i%50, i, i%50, i)
		}
		b.WriteString(`</vulnerabilities></dependency>`)
	}
	b.WriteString(`</dependencies></analysis>`)
	return b.Bytes()
}

func BenchmarkDependencyCheckParse(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if _, err := depcheck.Stream(bytes.NewReader(doc), func(scan.Item) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkDependencyCheckStdlibTokenLoop is the raw baseline: reading
// every token with encoding/xml and doing nothing with it.
func BenchmarkDependencyCheckStdlibTokenLoop(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(doc))
		for {
			if _, err := d.RawToken(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
