package depcheck

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

type jsonDependency struct {
	FileName string `json:"fileName"`
	FilePath string `json:"filePath"`
	Packages []struct {
		ID string `json:"id"`
	} `json:"packages"`
	Vulnerabilities []struct {
		Name     string `json:"name"`
		Severity string `json:"severity"`
		CVSSv2   *struct {
			Score float64 `json:"score"`
		} `json:"cvssv2"`
		CVSSv3 *struct {
			BaseScore float64 `json:"baseScore"`
		} `json:"cvssv3"`
		CWEs               []string `json:"cwes"`
		Description        string   `json:"description"`
		VulnerableSoftware []struct {
			Software struct {
				Matched             json.RawMessage `json:"vulnerabilityIdMatched"`
				VersionEndExcluding string          `json:"versionEndExcluding"`
			} `json:"software"`
		} `json:"vulnerableSoftware"`
	} `json:"vulnerabilities"`
	SuppressedVulnerabilities []json.RawMessage `json:"suppressedVulnerabilities"`
}

func parseJSON(r io.Reader, b *builder) error {
	d := jsonguard.NewDecoder(r)
	delim, err := d.Begin()
	if err != nil {
		return err
	}
	if delim != '{' {
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "a Dependency-Check report is a JSON object")
	}
	schema, sawDeps := "", false
	err = d.Fields(func(k string) error {
		switch k {
		case "reportSchema":
			return d.Value(&schema)
		case "scanInfo":
			var si struct {
				EngineVersion string `json:"engineVersion"`
			}
			if err := d.Value(&si); err != nil {
				return err
			}
			b.rep.ToolVersion = scan.FieldString(si.EngineVersion)
		case "projectInfo":
			var pi struct {
				Name       string `json:"name"`
				ReportDate string `json:"reportDate"`
			}
			if err := d.Value(&pi); err != nil {
				return err
			}
			b.rep.Name, b.rep.Start = scan.FieldString(pi.Name), parseTime(pi.ReportDate)
			b.project()
		case "dependencies":
			sawDeps = true
			return d.Array(func() error {
				var jd jsonDependency
				if err := d.Value(&jd); err != nil {
					return err
				}
				return b.dependency(jd.model(b))
			})
		default:
			return d.Skip()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if schema == "" && !sawDeps {
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "no reportSchema and no dependencies: not a Dependency-Check report")
	}
	return d.End()
}

func (jd *jsonDependency) model(b *builder) dependency {
	dep := dependency{fileName: scan.FieldString(jd.FileName), filePath: scan.FieldString(jd.FilePath)}
	for _, p := range jd.Packages {
		if strings.HasPrefix(p.ID, "pkg:") {
			dep.purl = scan.FieldString(p.ID)
			break
		}
	}
	b.suppressed += len(jd.SuppressedVulnerabilities)
	for _, jv := range jd.Vulnerabilities {
		v := vulnerability{name: scan.FieldString(jv.Name), severity: jv.Severity, description: jv.Description}
		if jv.CVSSv3 != nil {
			v.v3 = jv.CVSSv3.BaseScore
		}
		if jv.CVSSv2 != nil {
			v.v2 = jv.CVSSv2.Score
		}
		for _, c := range jv.CWEs {
			v.cwes = appendCWE(v.cwes, c)
		}
		for _, s := range jv.VulnerableSoftware {
			// vulnerabilityIdMatched is the string "true" in the report
			// template; accept the boolean too.
			m := strings.Trim(string(s.Software.Matched), `"`)
			if m == "true" && s.Software.VersionEndExcluding != "" {
				v.fixed = scan.AppendUnique(v.fixed, scan.FieldString(s.Software.VersionEndExcluding))
			}
		}
		dep.vulns = append(dep.vulns, v)
	}
	return dep
}
