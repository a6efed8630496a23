// Command benchreport turns `go test -bench` output (and the load test's
// summary line) into the figures table `make bench` prints: each figure beside
// the raw-library baseline measured in the same run, with their ratio.
//
//	go run ./tests/benchreport var/bench.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// result is one benchmark line: its metrics by unit.
type result map[string]float64

// figure is one row of the table: a measured figure and, optionally, the raw
// baseline it is compared with.
type figure struct {
	name           string
	bench, metric  string
	base, baseUnit string
	scale          float64 // multiply the metric by this for display
	unit           string
	lowerIsBetter  bool
}

var figures = []figure{
	{name: "failed login, unknown vs known email", bench: "BenchmarkFailedLogin/unknown", metric: "ns/op", base: "BenchmarkFailedLogin/known", baseUnit: "ns/op", scale: 1e-6, unit: "ms", lowerIsBetter: true},
	{name: "onboarding, existing vs new email", bench: "BenchmarkOnboarding/existing", metric: "ns/op", base: "BenchmarkOnboarding/new", baseUnit: "ns/op", scale: 1e-6, unit: "ms", lowerIsBetter: true},
	{name: "authenticated GET case, in-process", bench: "BenchmarkGetCase", metric: "ns/op", scale: 1e-6, unit: "ms", lowerIsBetter: true},
	{name: "authorization decision (cached casbin)", bench: "BenchmarkCan", metric: "ns/op", base: "BenchmarkRawCasbinEnforce", baseUnit: "ns/op", scale: 1e-3, unit: "µs", lowerIsBetter: true},
	{name: "listing search p95 (query mix, facets)", bench: "BenchmarkSearchMix", metric: "p95-ms", base: "BenchmarkRawBleveSearchMix", baseUnit: "p95-ms", scale: 1, unit: "ms", lowerIsBetter: true},
	{name: "  model-number queries p95", bench: "BenchmarkSearchMix", metric: "model-p95-ms", base: "BenchmarkRawBleveSearchMix", baseUnit: "model-p95-ms", scale: 1, unit: "ms", lowerIsBetter: true},
	{name: "  title queries p95", bench: "BenchmarkSearchMix", metric: "title-p95-ms", base: "BenchmarkRawBleveSearchMix", baseUnit: "title-p95-ms", scale: 1, unit: "ms", lowerIsBetter: true},
	{name: "  filter-only queries p95", bench: "BenchmarkSearchMix", metric: "filter-p95-ms", base: "BenchmarkRawBleveSearchMix", baseUnit: "filter-p95-ms", scale: 1, unit: "ms", lowerIsBetter: true},
	{name: "product search p95 (grouped by product)", bench: "BenchmarkSearchProducts", metric: "p95-ms", scale: 1, unit: "ms", lowerIsBetter: true},
	{name: "listing indexing rate (Bleve adapter)", bench: "BenchmarkIndex", metric: "docs/s", base: "BenchmarkRawBleveIndex", baseUnit: "docs/s", scale: 1, unit: "docs/s"},
	{name: "listing import, end to end vs raw Bleve", bench: "BenchmarkListingImport/end-to-end", metric: "listings/s", base: "BenchmarkListingImport/raw-bleve", baseUnit: "listings/s", scale: 1, unit: "/s"},
	{name: "listing import, end to end vs raw SQL", bench: "BenchmarkListingImport/end-to-end", metric: "listings/s", base: "BenchmarkListingImport/raw-sql", baseUnit: "listings/s", scale: 1, unit: "/s"},
	{name: "listing import peak Go heap", bench: "BenchmarkListingImport/end-to-end", metric: "MB-peak-heap", scale: 1, unit: "MB", lowerIsBetter: true},
	{name: "nmap XML parse (100 MB)", bench: "BenchmarkNmapParse100MB", metric: "MB/s", base: "BenchmarkNmapStdlibTokenLoop", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "nmap parse peak heap", bench: "BenchmarkNmapParse100MB", metric: "peak-MB", scale: 1, unit: "MB", lowerIsBetter: true},
	{name: "Nessus parse", bench: "BenchmarkNessusParse20MB", metric: "MB/s", base: "BenchmarkNessusStdlibTokenLoop", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "CycloneDX SBOM parse", bench: "BenchmarkCycloneDXParse", metric: "MB/s", base: "BenchmarkCycloneDXStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "Ncrack XML parse", bench: "BenchmarkNcrackParse", metric: "MB/s", base: "BenchmarkNcrackStdlibTokenLoop", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "Hydra JSON parse", bench: "BenchmarkHydraParse", metric: "MB/s", base: "BenchmarkHydraStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "ssh-audit JSON parse", bench: "BenchmarkSSHAuditParse", metric: "MB/s", base: "BenchmarkSSHAuditStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "sslyze JSON parse", bench: "BenchmarkSSLyzeParse", metric: "MB/s", base: "BenchmarkSSLyzeStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "Nuclei JSONL parse", bench: "BenchmarkNucleiParse", metric: "MB/s", base: "BenchmarkNucleiStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "Nessus CSV parse", bench: "BenchmarkNessusCSVParse", metric: "MB/s", base: "BenchmarkNessusCSVStdlibRead", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "Greenbone CSV parse", bench: "BenchmarkGVMCSVParse", metric: "MB/s", base: "BenchmarkGVMCSVStdlibRead", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "testssl.sh CSV parse", bench: "BenchmarkTestSSLCSVParse", metric: "MB/s", base: "BenchmarkTestSSLCSVStdlibRead", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "Trivy JSON parse", bench: "BenchmarkTrivyParse", metric: "MB/s", base: "BenchmarkTrivyStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "Grype JSON parse", bench: "BenchmarkGrypeParse", metric: "MB/s", base: "BenchmarkGrypeStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "OSV-Scanner JSON parse", bench: "BenchmarkOSVParse", metric: "MB/s", base: "BenchmarkOSVStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "SPDX JSON parse", bench: "BenchmarkSPDXParse", metric: "MB/s", base: "BenchmarkSPDXStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "OpenVEX parse", bench: "BenchmarkOpenVEXParse", metric: "MB/s", base: "BenchmarkOpenVEXStdlibUnmarshal", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "Dependency-Check XML parse", bench: "BenchmarkDependencyCheckParse", metric: "MB/s", base: "BenchmarkDependencyCheckStdlibTokenLoop", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "ZAP XML parse", bench: "BenchmarkZAPParse", metric: "MB/s", base: "BenchmarkZAPStdlibTokenLoop", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "Burp XML parse", bench: "BenchmarkBurpParse", metric: "MB/s", base: "BenchmarkBurpStdlibTokenLoop", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "700 scan findings imported into a case", bench: "BenchmarkEvidenceImport700Findings", metric: "ms/import", scale: 1, unit: "ms", lowerIsBetter: true},
	{name: "3-page notice render", bench: "BenchmarkRenderNotice3Pages", metric: "ns/op", base: "BenchmarkRawGofpdf3Page", baseUnit: "ns/op", scale: 1e-6, unit: "ms", lowerIsBetter: true},
	{name: "summary report, all authorities", bench: "BenchmarkSummaryReport", metric: "ns/op", scale: 1e-6, unit: "ms", lowerIsBetter: true},
	{name: "summary report, one authority", bench: "BenchmarkSummaryReport", metric: "own-ms", scale: 1, unit: "ms", lowerIsBetter: true},
	{name: "console case page p95 (200 findings, 10 notices)", bench: "BenchmarkConsoleCasePage/summary", metric: "p95-ms", base: "BenchmarkConsoleCasePage/api-get-case", baseUnit: "p95-ms", scale: 1, unit: "ms", lowerIsBetter: true},
	{name: "console findings page p95 (200 findings)", bench: "BenchmarkConsoleCasePage/findings", metric: "p95-ms", scale: 1, unit: "ms", lowerIsBetter: true},
	{name: "console findings page, gzip bytes", bench: "BenchmarkConsoleCasePage/findings", metric: "KB-gzip", scale: 1, unit: "KB", lowerIsBetter: true},
	{name: "evidence upload via HTTP to S3 vs raw PutObject (16 MiB)", bench: "BenchmarkEvidenceUploadS3/http-upload", metric: "MB/s", base: "BenchmarkEvidenceUploadS3/raw-putobject", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "  same upload via HTTP to the disk store", bench: "BenchmarkEvidenceUploadS3/http-upload-disk", metric: "MB/s", base: "BenchmarkEvidenceUploadS3/raw-putobject", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "evidence store upload to S3 vs raw PutObject (32 MiB)", bench: "BenchmarkS3Upload32MiB/evidence", metric: "MB/s", base: "BenchmarkS3Upload32MiB/raw-putobject", baseUnit: "MB/s", scale: 1, unit: "MB/s"},
	{name: "blob store write (64 MiB)", bench: "BenchmarkPut64MiB", metric: "MB/s", scale: 1, unit: "MB/s"},
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parse(r io.Reader) (map[string]result, []string, error) {
	out := map[string]result{}
	var extra []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "cpu: ") && !slices.Contains(extra, line) {
			extra = append(extra, line)
			continue
		}
		if strings.HasPrefix(line, "sustained ") {
			extra = append(extra, line)
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		res := result{}
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err == nil {
				res[fields[i+1]] = v
			}
		}
		// Several packages may define a benchmark of the same name; the last run wins.
		out[m[1]] = res
	}
	return out, extra, sc.Err()
}

func main() {
	var in io.Reader = os.Stdin
	if len(os.Args) > 1 {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		in = f
	}
	results, extra, err := parse(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("\nmachine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Printf("\n%-42s %14s %14s %9s\n", "figure", "TradeWarden", "raw baseline", "ratio")
	fmt.Println(strings.Repeat("-", 82))
	for _, f := range figures {
		r, ok := results[f.bench]
		v, has := r[f.metric]
		if !ok || !has {
			fmt.Printf("%-42s %14s\n", f.name, "not run")
			continue
		}
		cell := func(x float64) string {
			return strconv.FormatFloat(x*f.scale, 'f', precision(x*f.scale), 64) + " " + f.unit
		}
		base, ratio := "", ""
		if b, ok := results[f.base][f.baseUnit]; ok && b > 0 {
			base = cell(b)
			ratio = fmt.Sprintf("%.2f×", v/b)
			if f.lowerIsBetter {
				ratio = fmt.Sprintf("%.2f× time", v/b)
			}
		}
		fmt.Printf("%-42s %14s %14s %9s\n", f.name, cell(v), base, ratio)
	}
	for _, e := range extra {
		if strings.HasPrefix(e, "cpu: ") {
			fmt.Println("\n" + e)
			continue
		}
		fmt.Println("\nloopback load test:", e)
	}
}

func precision(x float64) int {
	switch {
	case x >= 100:
		return 0
	case x >= 10:
		return 1
	default:
		return 2
	}
}
