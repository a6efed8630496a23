package cyclonedx

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

type jsonOrg struct {
	Name string `json:"name"`
}

type jsonComponent struct {
	BOMRef       string          `json:"bom-ref"`
	Type         string          `json:"type"`
	Group        string          `json:"group"`
	Name         string          `json:"name"`
	Version      string          `json:"version"`
	PURL         string          `json:"purl"`
	CPE          string          `json:"cpe"`
	Supplier     *jsonOrg        `json:"supplier"`
	Manufacturer *jsonOrg        `json:"manufacturer"`
	Publisher    string          `json:"publisher"`
	Author       string          `json:"author"`
	Components   []jsonComponent `json:"components"`
}

func (c *jsonComponent) model() component {
	m := component{Component: scan.Component{
		BOMRef:  scan.FieldString(c.BOMRef),
		Type:    scan.FieldString(c.Type),
		Group:   scan.FieldString(c.Group),
		Name:    scan.FieldString(c.Name),
		Version: scan.FieldString(c.Version),
		PURL:    scan.FieldString(c.PURL),
		CPE:     scan.FieldString(c.CPE),
	}}
	switch {
	case c.Supplier != nil && c.Supplier.Name != "":
		m.Supplier = scan.FieldString(c.Supplier.Name)
	case c.Manufacturer != nil && c.Manufacturer.Name != "":
		m.Supplier = scan.FieldString(c.Manufacturer.Name)
	case c.Publisher != "":
		m.Supplier = scan.FieldString(c.Publisher)
	default:
		m.Supplier = scan.FieldString(c.Author)
	}
	for i := range c.Components {
		m.children = append(m.children, c.Components[i].model())
	}
	return m
}

type jsonTool struct {
	Vendor  string `json:"vendor"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonMetadata struct {
	Timestamp string          `json:"timestamp"`
	Tools     json.RawMessage `json:"tools"`
	Component *jsonComponent  `json:"component"`
}

type jsonVuln struct {
	ID         string `json:"id"`
	References []struct {
		ID string `json:"id"`
	} `json:"references"`
	Ratings []struct {
		Score    json.RawMessage `json:"score"`
		Severity string          `json:"severity"`
		Method   string          `json:"method"`
		Vector   string          `json:"vector"`
	} `json:"ratings"`
	CWEs        []json.RawMessage `json:"cwes"`
	Description string            `json:"description"`
	Detail      string            `json:"detail"`
	Analysis    *struct {
		State string `json:"state"`
	} `json:"analysis"`
	Affects []struct {
		Ref      string `json:"ref"`
		Versions []struct {
			Status string `json:"status"`
		} `json:"versions"`
	} `json:"affects"`
}

func (v *jsonVuln) model() vuln {
	m := vuln{
		id:          scan.FieldString(v.ID),
		description: v.Description,
		detail:      v.Detail,
	}
	for _, r := range v.References {
		m.refIDs = append(m.refIDs, r.ID)
	}
	for _, r := range v.Ratings {
		mr := rating{severity: r.Severity, method: r.Method, vector: scan.FieldString(r.Vector)}
		mr.score, mr.hasScore = parseScore(strings.Trim(string(r.Score), `"`))
		m.ratings = append(m.ratings, mr)
	}
	for _, c := range v.CWEs {
		// Numbers per the schema; some tools write "CWE-79" strings.
		s := strings.TrimPrefix(strings.Trim(string(c), `"`), "CWE-")
		if _, err := strconv.Atoi(s); err == nil {
			m.cwes = scan.AppendUnique(m.cwes, "CWE-"+s)
		}
	}
	if v.Analysis != nil {
		m.state = scan.FieldString(v.Analysis.State)
	}
	for _, a := range v.Affects {
		af := affect{ref: a.Ref}
		for _, ver := range a.Versions {
			af.statuses = append(af.statuses, ver.Status)
		}
		m.affects = append(m.affects, af)
	}
	return m
}

func parseJSON(r io.Reader, b *builder) error {
	d := jsonguard.NewDecoder(r)
	delim, err := d.Begin()
	if err != nil {
		return err
	}
	if delim != '{' {
		return scan.Malformedf(scan.Position{}, "CycloneDX JSON must be an object")
	}
	sawFormat := false
	err = d.Fields(func(key string) error {
		switch key {
		case "bomFormat":
			var s string
			if err := d.Value(&s); err != nil {
				return err
			}
			if s != "CycloneDX" {
				return scan.Malformedf(scan.Position{Offset: d.Offset()}, "bomFormat is %q, not CycloneDX", scan.FieldString(s))
			}
			sawFormat = true
			return nil
		case "specVersion":
			var s string
			if err := d.Value(&s); err != nil {
				return err
			}
			b.setSpec(scan.FieldString(s))
			return nil
		case "metadata":
			var m jsonMetadata
			if err := d.Value(&m); err != nil {
				return err
			}
			b.metadataJSON(&m)
			return nil
		case "components":
			return d.Array(func() error {
				var c jsonComponent
				if err := d.Value(&c); err != nil {
					return err
				}
				return b.addComponent(c.model(), "")
			})
		case "vulnerabilities":
			return d.Array(func() error {
				var v jsonVuln
				if err := d.Value(&v); err != nil {
					return err
				}
				return b.addVuln(v.model())
			})
		}
		return d.Skip()
	})
	if err != nil {
		return err
	}
	if !sawFormat {
		return scan.Malformedf(scan.Position{}, `no "bomFormat": "CycloneDX"`)
	}
	return d.End()
}

func (b *builder) metadataJSON(m *jsonMetadata) {
	if t, err := time.Parse(time.RFC3339, m.Timestamp); err == nil {
		b.rep.Start = t.UTC()
	}
	if m.Component != nil {
		// JSON components carry no nested vulnerabilities, so nothing is
		// emitted here and there is no error to return.
		_ = b.setSubject(m.Component.model())
	}
	raw := bytes.TrimSpace(m.Tools)
	switch {
	case len(raw) == 0:
	case raw[0] == '[': // 1.4: array of tools
		var tools []jsonTool
		if json.Unmarshal(raw, &tools) == nil && len(tools) > 0 {
			b.setTool(scan.FieldString(tools[0].Name), scan.FieldString(tools[0].Version))
		}
	case raw[0] == '{': // 1.5+: {components, services}
		var tools struct {
			Components []jsonComponent `json:"components"`
			Services   []jsonTool      `json:"services"`
		}
		if json.Unmarshal(raw, &tools) == nil {
			if len(tools.Components) > 0 {
				b.setTool(scan.FieldString(tools.Components[0].Name), scan.FieldString(tools.Components[0].Version))
			} else if len(tools.Services) > 0 {
				b.setTool(scan.FieldString(tools.Services[0].Name), scan.FieldString(tools.Services[0].Version))
			}
		}
	}
}
