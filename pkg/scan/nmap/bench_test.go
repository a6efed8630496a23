package nmap_test

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/scantest"
	"github.com/tradewarden/tradewarden/pkg/scan/nmap"
)

// benchSize is the size of the generated nmap file.
const benchSize = 100 << 20

var (
	benchOnce sync.Once
	benchDir  string
	benchFile string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchInput generates the 100 MB report once per test binary run; every
// benchmark and every b.N round reads the same file.
func benchInput(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "nmap-bench-")
		if benchErr != nil {
			return
		}
		benchFile = filepath.Join(benchDir, "scan.xml")
		benchErr = writeBenchReport(benchFile, benchSize)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchFile
}

// writeBenchReport writes a report shaped like `nmap -sV -sC -oX` over a
// large network: many hosts, each with closed/filtered summaries, a mix of
// open and closed ports, service and CPE details, script output with
// nested tables, OS matches and timing elements.
func writeBenchReport(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	cw := &countingWriter{w: w}
	rng := rand.New(rand.NewPCG(1, 2))
	fmt.Fprintf(cw, `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<!-- Nmap 7.94SVN scan initiated Tue Nov 26 10:35:02 2024 as: nmap -sV -sC -oX big.xml 10.0.0.0/8 -->
<nmaprun scanner="nmap" args="nmap -sV -sC -oX big.xml 10.0.0.0/8" start="1732617302" startstr="Tue Nov 26 10:35:02 2024" version="7.94SVN" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="1000" services="1,3-4,6-7,9,13,17,19-26,30,32-33,37,42-43,49,53,70,79-85,88-90"/>
<verbose level="0"/>
<debugging level="0"/>
`)
	hosts := 0
	for cw.n < size-4096 {
		writeBenchHost(cw, rng, hosts)
		hosts++
	}
	fmt.Fprintf(cw, `<runstats><finished time="1732700000" timestr="Wed Nov 27 09:33:20 2024" summary="Nmap done" elapsed="82698.00" exit="success"/><hosts up="%d" down="0" total="%d"/>
</runstats>
</nmaprun>
`, hosts, hosts)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

var benchServices = []struct {
	port                   int
	name, product, version string
	cpe                    string
}{
	{21, "ftp", "vsftpd", "3.0.3", "cpe:/a:vsftpd:vsftpd:3.0.3"},
	{22, "ssh", "OpenSSH", "8.2p1 Ubuntu 4ubuntu0.5", "cpe:/a:openbsd:openssh:8.2p1"},
	{23, "telnet", "BusyBox telnetd", "", "cpe:/a:busybox:busybox"},
	{53, "domain", "dnsmasq", "2.80", "cpe:/a:thekelleys:dnsmasq:2.80"},
	{80, "http", "lighttpd", "1.4.55", "cpe:/a:lighttpd:lighttpd:1.4.55"},
	{443, "http", "nginx", "1.18.0", "cpe:/a:igor_sysoev:nginx:1.18.0"},
	{554, "rtsp", "Hikvision 7513 POE IP camera rtspd", "", "cpe:/h:hikvision:7513_poe_ip_camera"},
	{1900, "upnp", "Portable SDK for UPnP devices", "1.6.6", "cpe:/a:upnp_project:libupnp:1.6.6"},
	{8080, "http-proxy", "", "", ""},
}

func writeBenchHost(w io.Writer, rng *rand.Rand, i int) {
	ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
	fmt.Fprintf(w, `<host starttime="1732617304" endtime="1732617518"><status state="up" reason="arp-response" reason_ttl="0"/>
<address addr="%s" addrtype="ipv4"/>
<address addr="00:1A:2B:%02X:%02X:%02X" addrtype="mac" vendor="Acme Devices"/>
<hostnames>
<hostname name="host-%d.lab.test" type="PTR"/>
</hostnames>
<ports><extraports state="closed" count="991">
<extrareasons reason="reset" count="991" proto="tcp" ports="1-20,24-52,54-79,81-442,444-553,555-1899,1901-8079,8081-65535"/>
</extraports>
`, ip, i>>16&255, i>>8&255, i&255, i)
	for _, s := range benchServices {
		switch r := rng.IntN(10); {
		case r < 5:
			continue
		case r < 7:
			fmt.Fprintf(w, `<port protocol="tcp" portid="%d"><state state="closed" reason="reset" reason_ttl="64"/><service name="%s" method="table" conf="3"/></port>
`, s.port, s.name)
			continue
		}
		fmt.Fprintf(w, `<port protocol="tcp" portid="%d"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="%s"`, s.port, s.name)
		if s.product != "" {
			fmt.Fprintf(w, ` product="%s"`, s.product)
		}
		if s.version != "" {
			fmt.Fprintf(w, ` version="%s"`, s.version)
		}
		if s.port == 443 {
			w.Write([]byte(` tunnel="ssl"`))
		}
		w.Write([]byte(` ostype="Linux" method="probed" conf="10">`))
		if s.cpe != "" {
			fmt.Fprintf(w, `<cpe>%s</cpe><cpe>cpe:/o:linux:linux_kernel</cpe>`, s.cpe)
		}
		w.Write([]byte(`</service>`))
		switch s.port {
		case 22:
			w.Write([]byte(`<script id="ssh-hostkey" output="&#xa;  3072 aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99 (RSA)&#xa;  256 10:20:30:40:50:60:70:80:90:a0:b0:c0:d0:e0:f0:01 (ECDSA)&#xa;  256 01:23:45:67:89:ab:cd:ef:fe:dc:ba:98:76:54:32:10 (ED25519)"><table>
<elem key="type">ssh-rsa</elem>
<elem key="bits">3072</elem>
<elem key="fingerprint">aabbccddeeff00112233445566778899</elem>
<elem key="key">AAAAB3NzaC1yc2EAAAADAQABAAABgQC7vbqajDhA1pAtGHcPHyD8FCzGhUGsKh7lZ0H4bq3l0y3Yc9Yg</elem>
</table>
<table>
<elem key="type">ecdsa-sha2-nistp256</elem>
<elem key="bits">256</elem>
<elem key="fingerprint">102030405060708090a0b0c0d0e0f001</elem>
<elem key="key">AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBE2W</elem>
</table>
</script>`))
		case 21:
			w.Write([]byte(`<script id="ftp-anon" output="Anonymous FTP login allowed (FTP code 230)&#xa;drwxr-xr-x    2 0        0            4096 Jan 01  2024 pub"/>`))
		case 80, 8080:
			fmt.Fprintf(w, `<script id="http-title" output="Login &amp; Status - Device %d"><elem key="title">Login &amp; Status - Device %d</elem>
</script><script id="http-server-header" output="%s"><elem>%s</elem>
</script>`, i, i, s.product, s.product)
			if rng.IntN(4) == 0 {
				w.Write([]byte(`<script id="http-default-accounts" output="&#xa;  [Generic camera] at /&#xa;    admin:admin&#xa;"><table key="Generic camera">
<elem key="path">/</elem>
<table key="credentials">
<table>
<elem key="username">admin</elem>
<elem key="password">admin</elem>
</table>
</table>
</table>
</script>`))
			}
		case 443:
			w.Write([]byte(`<script id="ssl-cert" output="Subject: commonName=device.lab.test/organizationName=Acme/countryName=GB&#xa;Issuer: commonName=device.lab.test/organizationName=Acme/countryName=GB&#xa;Public Key type: rsa&#xa;Public Key bits: 2048&#xa;Signature Algorithm: sha256WithRSAEncryption&#xa;Not valid before: 2023-01-01T00:00:00&#xa;Not valid after:  2033-01-01T00:00:00&#xa;MD5:   0f1e 2d3c 4b5a 6978 8796 a5b4 c3d2 e1f0&#xa;SHA-1: 0102 0304 0506 0708 090a 0b0c 0d0e 0f10 1112 1314"><table key="subject">
<elem key="commonName">device.lab.test</elem>
<elem key="organizationName">Acme</elem>
<elem key="countryName">GB</elem>
</table>
<table key="pubkey">
<elem key="type">rsa</elem>
<elem key="bits">2048</elem>
<elem key="exponent">65537</elem>
</table>
<elem key="sig_algo">sha256WithRSAEncryption</elem>
<table key="validity">
<elem key="notBefore">2023-01-01T00:00:00</elem>
<elem key="notAfter">2033-01-01T00:00:00</elem>
</table>
<elem key="pem">-&#45;&#45;&#45;&#45;BEGIN CERTIFICATE-&#45;&#45;&#45;&#45;&#xa;MIIDXTCCAkWgAwIBAgIJAKZ7QfN2ZzB4MA0GCSqGSIb3DQEBCwUAMEUxCzAJBgNVBAYTAkdCMRMwEQYDVQQIDApTb21lLVN0YXRlMSEwHwYDVQQKDBhJbnRlcm5ldCBXaWRnaXRzIFB0eSBMdGQwHhcNMjMwMTAxMDAwMDAwWhcNMzMwMTAxMDAwMDAwWjBFMQswCQYDVQQGEwJHQjETMBEGA1UECAwKU29tZS1TdGF0ZTEhMB8GA1UECgwYSW50ZXJuZXQgV2lkZ2l0cyBQdHkgTHRk&#xa;-&#45;&#45;&#45;&#45;END CERTIFICATE-&#45;&#45;&#45;&#45;&#xa;</elem>
</script><script id="ssl-enum-ciphers" output="&#xa;  TLSv1.2: &#xa;    ciphers: &#xa;      TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (secp256r1) - A&#xa;      TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (secp256r1) - A&#xa;      TLS_RSA_WITH_AES_128_CBC_SHA (rsa 2048) - A&#xa;    compressors: &#xa;      NULL&#xa;    cipher preference: server&#xa;  least strength: A"><table key="TLSv1.2">
<table key="ciphers">
<table>
<elem key="kex_info">secp256r1</elem>
<elem key="strength">A</elem>
<elem key="name">TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</elem>
</table>
</table>
<elem key="cipher preference">server</elem>
</table>
<elem key="least strength">A</elem>
</script>`))
		case 554:
			w.Write([]byte(`<script id="rtsp-methods" output="OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER"/>`))
		}
		w.Write([]byte("</port>\n"))
	}
	fmt.Fprintf(w, `</ports>
<os><portused state="open" proto="tcp" portid="22"/>
<osmatch name="Linux 4.15 - 5.8" accuracy="100" line="67120">
<osclass type="general purpose" vendor="Linux" osfamily="Linux" osgen="4.X" accuracy="100"><cpe>cpe:/o:linux:linux_kernel:4</cpe></osclass>
</osmatch>
</os>
<uptime seconds="%d" lastboot="Tue Nov 12 11:35:07 2024"/>
<distance value="1"/>
<tcpsequence index="262" difficulty="Good luck!" values="A1B2C3D4,A1B2C3E0,A1B2C3F1,A1B2C402,A1B2C413,A1B2C424"/>
<times srtt="512" rttvar="167" to="100000"/>
</host>
`, rng.IntN(1e6))
}

func BenchmarkNmapParse100MB(b *testing.B) {
	path := benchInput(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		items := 0
		_, err = nmap.Stream(f, func(scan.Item) error { items++; return nil })
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if items == 0 {
			b.Fatal("no items")
		}
		b.ReportMetric(float64(items), "items")
	}
	b.StopTimer()
	peak.Report(b)
}

// BenchmarkNmapStdlibTokenLoop is the raw baseline: encoding/xml's Token
// loop over the same file, doing nothing with the tokens.
func BenchmarkNmapStdlibTokenLoop(b *testing.B) {
	path := benchInput(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	peak := scantest.StartPeakHeap()
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d := xml.NewDecoder(f)
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
	b.StopTimer()
	peak.Report(b)
}
