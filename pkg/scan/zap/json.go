package zap

import (
	"encoding/json"
	"io"
	"reflect"
	"strconv"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/internal/jsonguard"
)

type jsonInstance struct {
	URI       string `json:"uri"`
	Method    string `json:"method"`
	Param     string `json:"param"`
	Attack    string `json:"attack"`
	Evidence  string `json:"evidence"`
	OtherInfo string `json:"otherinfo"`
}

// flex is a string ZAP may also write as a number (ids, codes, ports).
type flex string

// UnmarshalJSON accepts a string or a bare number.
func (f *flex) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] != '"' {
		if _, err := strconv.ParseFloat(string(b), 64); err != nil {
			return &json.UnmarshalTypeError{Value: "non-number", Type: reflect.TypeFor[string]()}
		}
		*f = flex(b)
		return nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	*f = flex(s)
	return err
}

type jsonAlert struct {
	PluginID   flex           `json:"pluginid"`
	AlertRef   flex           `json:"alertRef"`
	Alert      string         `json:"alert"`
	Name       string         `json:"name"`
	RiskCode   flex           `json:"riskcode"`
	Confidence flex           `json:"confidence"`
	Desc       string         `json:"desc"`
	Solution   string         `json:"solution"`
	OtherInfo  string         `json:"otherinfo"`
	Reference  string         `json:"reference"`
	CWEID      flex           `json:"cweid"`
	WASCID     flex           `json:"wascid"`
	Instances  []jsonInstance `json:"instances"`
}

func (j *jsonAlert) model() alert {
	a := alert{pluginID: string(j.PluginID), alertRef: string(j.AlertRef), name: j.Name, riskCode: string(j.RiskCode),
		confidence: string(j.Confidence), desc: j.Desc, solution: j.Solution, otherInfo: j.OtherInfo, reference: j.Reference,
		cweID: string(j.CWEID), wascID: string(j.WASCID)}
	if a.name == "" {
		a.name = j.Alert
	}
	for _, in := range j.Instances {
		a.instances = append(a.instances, instance{uri: in.URI, method: in.Method, param: in.Param, attack: in.Attack,
			evidence: in.Evidence, otherInfo: in.OtherInfo})
	}
	return a
}

func parseJSON(r io.Reader, b *builder) error {
	d := jsonguard.NewDecoder(r)
	delim, err := d.Begin()
	if err != nil {
		return err
	}
	if delim != '{' {
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "a ZAP JSON report is an object")
	}
	sawSite := false
	err = d.Fields(func(k string) error {
		switch k {
		case "@version":
			var v string
			if err := d.Value(&v); err != nil {
				return err
			}
			b.rep.ToolVersion = scan.FieldString(v)
		case "site":
			sawSite = true
			return d.Array(func() error { return jsonSite(d, b) })
		default:
			return d.Skip()
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !sawSite {
		return scan.Malformedf(scan.Position{Offset: d.Offset()}, "no site array: not a ZAP report")
	}
	return d.End()
}

// jsonSite reads one site; its attributes come before its alerts in ZAP's
// output, which is what lets alerts stream.
func jsonSite(d *jsonguard.Decoder, b *builder) error {
	var s site
	return d.Object(func(k string) error {
		var fv flex
		switch k {
		case "@name", "@host", "@port", "@ssl":
			if err := d.Value(&fv); err != nil {
				return err
			}
		case "alerts":
			if s.host == "" {
				s = fromURL(s.name)
			}
			b.site(s)
			return d.Array(func() error {
				var ja jsonAlert
				if err := d.Value(&ja); err != nil {
					return err
				}
				return b.alert(s, ja.model())
			})
		default:
			return d.Skip()
		}
		v := string(fv)
		switch k {
		case "@name":
			s.name = scan.FieldString(v)
		case "@host":
			s.host = scan.FieldString(v)
		case "@port":
			s.port, _ = strconv.Atoi(v)
		case "@ssl":
			s.ssl = v == "true"
		}
		return nil
	})
}
