package scan

import (
	"math"
	"strings"
)

// Severity is a normalised finding severity.
type Severity string

// The severities, lowest first. SeverityUnknown marks a finding the tool
// did not rate at all (e.g. an SBOM vulnerability without ratings), which is
// not the same as rating it informational.
const (
	SeverityUnknown  Severity = "unknown"
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities: unknown 0, info 1 … critical 5; anything else -1.
func (s Severity) Rank() int {
	switch s {
	case SeverityUnknown:
		return 0
	case SeverityInfo:
		return 1
	case SeverityLow:
		return 2
	case SeverityMedium:
		return 3
	case SeverityHigh:
		return 4
	case SeverityCritical:
		return 5
	}
	return -1
}

// Max returns the higher of two severities.
func (s Severity) Max(o Severity) Severity {
	if o.Rank() > s.Rank() {
		return o
	}
	return s
}

// SeverityFromCVSS maps a CVSS v2/v3/v4 base score to the CVSS v3
// qualitative rating: 0 info, 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high,
// 9.0–10 critical. Out-of-range or NaN scores give SeverityUnknown.
func SeverityFromCVSS(score float64) Severity {
	switch {
	case math.IsNaN(score) || score < 0 || score > 10:
		return SeverityUnknown
	case score == 0:
		return SeverityInfo
	case score < 4:
		return SeverityLow
	case score < 7:
		return SeverityMedium
	case score < 9:
		return SeverityHigh
	}
	return SeverityCritical
}

// SeverityFromLevel maps a tool's severity word or number to a Severity:
// Nessus 0–4 and risk_factor, GVM threat, CycloneDX rating severity and
// testssl.sh levels. ok reports whether the level was recognised.
func SeverityFromLevel(level string) (s Severity, ok bool) {
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "0", "none", "info", "informational", "information", "log", "ok", "debug", "pass", "passed":
		return SeverityInfo, true
	case "1", "low":
		return SeverityLow, true
	case "2", "medium", "moderate":
		return SeverityMedium, true
	case "3", "high", "important", "serious":
		return SeverityHigh, true
	case "4", "critical", "urgent":
		return SeverityCritical, true
	case "unknown", "":
		return SeverityUnknown, true
	}
	return SeverityUnknown, false
}
