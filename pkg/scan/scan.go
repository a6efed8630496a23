// Package scan holds the types every scan-report parser produces: a Report
// with its Items (findings) and Components (SBOM entries), severities, dedup
// keys and the errors that tell a bad report apart from a failed read.
//
// The parsers live in subpackages, one per format (nmap, nessus, gvm,
// cyclonedx, testssl, trivy, grype, osv, spdx, openvex, depcheck, zap,
// burp), and detect picks one by sniffing the content. The
// package knows nothing about regulations: mapping items to requirements is
// the caller's business, so items carry raw facts (ports, services, tool ids,
// CVEs, scores) rather than verdicts.
package scan

import (
	"fmt"
	"io"
	"time"
)

// Format names a report format.
type Format string

// The formats the parsers understand; FormatOther is what detection returns
// for anything else.
const (
	FormatNmap      Format = "nmap"
	FormatNessus    Format = "nessus"
	FormatGVM       Format = "gvm"
	FormatCycloneDX Format = "cyclonedx"
	FormatTestSSL   Format = "testssl"
	FormatTrivy     Format = "trivy"
	FormatGrype     Format = "grype"
	FormatOSV       Format = "osv"
	FormatSPDX      Format = "spdx"
	FormatOpenVEX   Format = "openvex"
	// FormatDependencyCheck is OWASP Dependency-Check, XML or JSON.
	FormatDependencyCheck Format = "dependency-check"
	FormatZAP             Format = "zap"
	FormatBurp            Format = "burp"
	FormatOther           Format = "other"
)

// Formats of credential crackers, protocol auditors and CSV exports.
const (
	FormatNcrack     Format = "ncrack"
	FormatHydra      Format = "hydra"
	FormatSSHAudit   Format = "ssh-audit"
	FormatSSLyze     Format = "sslyze"
	FormatNuclei     Format = "nuclei"
	FormatNessusCSV  Format = "nessus-csv"
	FormatGVMCSV     Format = "gvm-csv"
	FormatTestSSLCSV Format = "testssl-csv"
)

// Kind says what sort of fact an Item records.
type Kind string

// The kinds of item the parsers emit.
const (
	// KindOpenPort is a port found open (or open|filtered, see Item.State).
	KindOpenPort Kind = "open_port"
	// KindScript is one nmap NSE script result (port or host script).
	KindScript Kind = "script"
	// KindVulnerability is a scanner finding with a severity above info or a CVE.
	KindVulnerability Kind = "vulnerability"
	// KindInfo is an informational scanner finding (severity info, no CVE),
	// such as Nessus "Service Detection" or a GVM log result.
	KindInfo Kind = "info"
	// KindComponentVulnerability is one (vulnerability, affected component)
	// pair from an SBOM.
	KindComponentVulnerability Kind = "component_vulnerability"
	// KindTLSCheck is one testssl.sh check result.
	KindTLSCheck Kind = "tls_check"
	// KindCredential is a login a tool proved works (a default, blank or
	// guessed password): brute-force and default-account checks, crackers.
	KindCredential Kind = "credential"
)

// Limits shared by all parsers. They bound memory per record on hostile
// input; a report is never held whole, so there is no bound on item count.
const (
	// MaxOutput is the longest Item.Output kept; longer text is cut and
	// Item.OutputTruncated is set.
	MaxOutput = 8 << 10
	// MaxField is the longest short field (title, product, version, host
	// name...) kept; longer values are cut silently.
	MaxField = 1 << 10
	// MaxDepth is the deepest element or JSON nesting accepted.
	MaxDepth = 256
	// MaxToken is the largest single XML tag, attribute value, CDATA section
	// or JSON string accepted, in bytes.
	MaxToken = 16 << 20
	// MaxText is the largest XML text node accepted, in bytes. Text is
	// streamed, so this bounds abuse rather than memory.
	MaxText = 16 << 20
	// MaxWarnings is the number of warnings kept on a Report; further ones
	// are counted in a final summary warning.
	MaxWarnings = 100
	// MaxHosts is the number of host summaries kept on a Report; further
	// hosts still yield items but are only counted in a warning.
	MaxHosts = 100_000
)

// Report is one parsed scan or SBOM. Stream functions return it without
// Items; Parse functions fill Items too.
type Report struct {
	Format      Format `json:"format"`
	Tool        string `json:"tool,omitempty"`
	ToolVersion string `json:"tool_version,omitempty"`
	// Name is the scan, task or report name where the tool records one.
	Name string `json:"name,omitempty"`
	// Args is the command line or invocation recorded by the tool.
	Args  string    `json:"args,omitempty"`
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// Hosts summarises the hosts the report covers (up hosts only for nmap),
	// in document order, at most MaxHosts.
	Hosts []Host `json:"hosts,omitempty"`
	// HostStats carries the tool's own host counts when it records them.
	HostStats *HostStats `json:"host_stats,omitempty"`
	// Subject is the component an SBOM describes (its metadata component).
	Subject *Component `json:"subject,omitempty"`
	// Components lists SBOM components, nested ones flattened in document
	// order with Parent set.
	Components []Component `json:"components,omitempty"`
	Items      []Item      `json:"items,omitempty"`
	// Skipped counts source records deliberately not turned into items; each
	// format documents which (e.g. testssl OK/INFO noise).
	Skipped int `json:"skipped,omitempty"`
	// Warnings are problems that did not stop parsing (replaced invalid
	// characters, unknown values, scanner-reported errors).
	Warnings []string `json:"warnings,omitempty"`

	droppedWarnings int
	droppedHosts    int
}

// HostStats are host counts as the tool reported them.
type HostStats struct {
	Up    int `json:"up"`
	Down  int `json:"down"`
	Total int `json:"total"`
}

// Host summarises one scanned host.
type Host struct {
	// Address is the IP address (IPv4 preferred), or the MAC or name when
	// the report has no IP.
	Address  string `json:"address"`
	Hostname string `json:"hostname,omitempty"`
	MAC      string `json:"mac,omitempty"`
	// OS is the tool's best operating-system guess, if any.
	OS string `json:"os,omitempty"`
}

// HostRef identifies the host an Item is about.
type HostRef struct {
	Address  string `json:"address,omitempty"`
	Hostname string `json:"hostname,omitempty"`
}

// Item is one finding. Fields a format does not have stay empty.
type Item struct {
	// Key is stable for the same finding on a re-scan of the same target
	// (see Key), and differs between findings of one report.
	Key      string   `json:"key"`
	Kind     Kind     `json:"kind"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	Host     HostRef  `json:"host,omitzero"`
	Port     int      `json:"port,omitempty"`
	Protocol string   `json:"protocol,omitempty"`
	// State is the nmap port state ("open", "open|filtered") for ports, or
	// the VEX analysis state for SBOM vulnerabilities.
	State     string   `json:"state,omitempty"`
	Service   string   `json:"service,omitempty"`
	Tunnel    string   `json:"tunnel,omitempty"` // "ssl" when nmap saw TLS wrapping the service
	Product   string   `json:"product,omitempty"`
	Version   string   `json:"version,omitempty"`
	ExtraInfo string   `json:"extra_info,omitempty"`
	CPEs      []string `json:"cpes,omitempty"`
	// ToolID is the tool's identifier for the check: nmap script id or
	// "port", Nessus plugin id, GVM NVT OID, vulnerability id, testssl id.
	ToolID string `json:"tool_id"`
	// Family is the check's group: Nessus plugin family, GVM NVT family,
	// testssl section.
	Family     string   `json:"family,omitempty"`
	CVEs       []string `json:"cves,omitempty"`
	CWEs       []string `json:"cwes,omitempty"`
	CVSS       float64  `json:"cvss,omitempty"`
	CVSSVector string   `json:"cvss_vector,omitempty"`
	// Summary is a short description (Nessus synopsis, GVM summary tag,
	// SBOM vulnerability description), cut to MaxField.
	Summary string `json:"summary,omitempty"`
	// Output is the raw evidence text, cut to MaxOutput.
	Output          string        `json:"output,omitempty"`
	OutputTruncated bool          `json:"output_truncated,omitempty"`
	Component       *ComponentRef `json:"component,omitempty"`
	// Aliases are the advisory's other ids that are not CVEs (GHSA, OSV,
	// distribution ids), so a VEX statement or an officer can match them.
	Aliases []string `json:"aliases,omitempty"`
	// FixedVersions are the component versions the tool says fix the
	// vulnerability; empty when no fix is known.
	FixedVersions []string `json:"fixed_versions,omitempty"`
	// Credentials are the logins the item shows working, as the tool printed
	// them; they are the fact a universal-default-password finding rests on.
	Credentials []Credential `json:"credentials,omitempty"`
}

// Credential is one username/password pair a tool logged in with.
type Credential struct {
	// Service is what the login was for (telnet, http, ftp, mysql...).
	Service  string `json:"service,omitempty"`
	Username string `json:"username"`
	// Password is empty for a blank password; Blank says so explicitly.
	Password string `json:"password"`
	Blank    bool   `json:"blank,omitempty"`
	// Where is the path or realm the login applies to, when the tool says.
	Where string `json:"where,omitempty"`
}

// Component is one SBOM component.
type Component struct {
	BOMRef   string `json:"bom_ref,omitempty"`
	Type     string `json:"type,omitempty"`
	Group    string `json:"group,omitempty"`
	Name     string `json:"name"`
	Version  string `json:"version,omitempty"`
	PURL     string `json:"purl,omitempty"`
	CPE      string `json:"cpe,omitempty"`
	Supplier string `json:"supplier,omitempty"`
	// Parent is the bom-ref of the enclosing component for nested ones.
	Parent string `json:"parent,omitempty"`
}

// Ref returns the reference an Item carries for this component.
func (c Component) Ref() *ComponentRef {
	return &ComponentRef{BOMRef: c.BOMRef, Name: c.Name, Version: c.Version, PURL: c.PURL}
}

// ComponentRef names the component an Item is about.
type ComponentRef struct {
	BOMRef  string `json:"bom_ref,omitempty"`
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	PURL    string `json:"purl,omitempty"`
}

// Warn records a warning, keeping at most MaxWarnings of them.
func (r *Report) Warn(format string, args ...any) {
	if len(r.Warnings) >= MaxWarnings {
		r.droppedWarnings++
		return
	}
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

// AddHost records a host summary, keeping at most MaxHosts of them.
func (r *Report) AddHost(h Host) {
	if len(r.Hosts) >= MaxHosts {
		r.droppedHosts++
		return
	}
	r.Hosts = append(r.Hosts, h)
}

// Finish appends the summary warnings for anything Warn or AddHost dropped.
// Parsers call it once, at the end.
func (r *Report) Finish() {
	if r.droppedHosts > 0 {
		n := r.droppedHosts
		r.droppedHosts = 0
		r.Warn("%d host summaries beyond the first %d not kept", n, MaxHosts)
	}
	if r.droppedWarnings > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d further warnings not kept", r.droppedWarnings))
		r.droppedWarnings = 0
	}
}

// StreamFunc is the streaming form every format package exposes.
type StreamFunc func(r io.Reader, emit func(Item) error) (Report, error)

// Collect runs a streaming parser and gathers its items into the Report:
// each format's Parse is Collect over its Stream.
func Collect(stream StreamFunc, r io.Reader) (Report, error) {
	var items []Item
	rep, err := stream(r, func(it Item) error {
		items = append(items, it)
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	rep.Items = items
	return rep, nil
}
