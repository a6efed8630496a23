package requirements

import (
	"strings"
	"testing"
)

// minimal is a small but complete catalogue; each case below breaks one rule.
const minimal = `{
  "conditions": [{"n": 1, "text": "passwords are used"}],
  "psti": [
    {"id": "PSTI-1", "kind": "psti", "title": "Passwords", "summary": "s", "legal_ref": "Sch 1 para 1", "deemed_by": ["5.1-1"]},
    {"id": "PSTI-2", "kind": "psti", "title": "Reporting", "summary": "s", "legal_ref": "Sch 1 para 2"},
    {"id": "PSTI-3", "kind": "psti", "title": "Updates", "summary": "s", "legal_ref": "Sch 1 para 3"},
    {"id": "PSTI-SOC", "kind": "psti_soc", "title": "SoC", "summary": "s", "legal_ref": "s.9"}
  ],
  "en303645": {"citation": "EN", "clauses": [
    {"clause": "5.1", "title": "Passwords", "provisions": [
      {"id": "5.1-1", "status": "MC", "conditions": [1], "title": "Unique", "summary": "s"},
      {"id": "5.1-3", "status": "M", "title": "Crypto", "summary": "s"}
    ]}
  ]},
  "cop": {"citation": "CoP", "guidelines": [
    {"id": "COP-1", "clause": "5.1", "title": "No default passwords", "summary": "s"}
  ]}
}`

func TestParseMinimal(t *testing.T) {
	c, err := parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	got := c.all()
	if len(got) != 7 || got[4].ID != "5.1-1" || got[6].LegalRef != "CoP, guideline 1" || len(got[6].MapsTo) != 2 {
		t.Errorf("parsed %+v", got)
	}
}

func TestParseRejects(t *testing.T) {
	for name, tc := range map[string]struct{ old, new, want string }{
		"bad json":          {`"psti": [`, `"psti": [[`, "decode"},
		"unknown field":     {`"summary": "s", "legal_ref": "s.9"`, `"summary": "s", "legal_ref": "s.9", "x": 1`, "unknown field"},
		"duplicate id":      {`"id": "5.1-3"`, `"id": "5.1-1"`, "defined twice"},
		"case-folded dup":   {`"id": "PSTI-2", "kind": "psti"`, `"id": "psti-1", "kind": "psti"`, "defined twice"},
		"bad status":        {`"status": "M",`, `"status": "S",`, "is not M, R, MC or RC"},
		"M with conditions": {`"status": "M",`, `"status": "M", "conditions": [1],`, "cannot have conditions"},
		"MC without":        {`"status": "MC", "conditions": [1],`, `"status": "MC",`, "needs conditions"},
		"undefined cond":    {`"conditions": [1]`, `"conditions": [2]`, "condition 2 is not defined"},
		"unsorted conds":    {`"conditions": [1]`, `"conditions": [1, 1]`, "ascending"},
		"wrong clause":      {`"id": "5.1-3"`, `"id": "5.2-3"`, "id must be 5.1-"},
		"deemed unknown":    {`"deemed_by": ["5.1-1"]`, `"deemed_by": ["5.1-9"]`, "not an EN 303 645 provision"},
		"deemed by cop":     {`"deemed_by": ["5.1-1"]`, `"deemed_by": ["COP-1"]`, "not an EN 303 645 provision"},
		"cop bad clause":    {`"clause": "5.1", "title": "No`, `"clause": "5.7", "title": "No`, "has no provisions"},
		"cop bad id":        {`"COP-1"`, `"CoP-1"`, "id must look like COP-1"},
		"psti kind":         {`"id": "PSTI-SOC", "kind": "psti_soc"`, `"id": "PSTI-SOC", "kind": "psti"`, "want \"psti_soc\""},
		"psti bad id":       {`"id": "PSTI-3"`, `"id": "PSTI-3a"`, "must look like PSTI-1"},
		"core missing":      {`"id": "PSTI-3"`, `"id": "PSTI-4"`, `core requirement "PSTI-3" missing`},
		"empty summary":     {`"title": "Crypto", "summary": "s"`, `"title": "Crypto", "summary": ""`, "5.1-3: title, summary"},
		"condition twice":   {`"conditions": [{"n": 1, "text": "passwords are used"}]`, `"conditions": [{"n": 1, "text": "a"}, {"n": 1, "text": "b"}]`, "defined twice"},
		"empty citation":    {`"citation": "EN"`, `"citation": ""`, "empty citation"},
		"malformed clause":  {`"clause": "5.1", "title": "Passwords"`, `"clause": "5.x", "title": "Passwords"`, "malformed"},
		"clause no title":   {`"clause": "5.1", "title": "Passwords"`, `"clause": "5.1", "title": ""`, "empty title"},
	} {
		t.Run(name, func(t *testing.T) {
			data := strings.Replace(minimal, tc.old, tc.new, 1)
			if data == minimal {
				t.Fatalf("fixture has no %q", tc.old)
			}
			_, err := parse([]byte(data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parse error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestEmbeddedCatalogueParses(t *testing.T) {
	if _, err := parse(catalogueJSON); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := parse(catalogueJSON); err != nil {
			b.Fatal(err)
		}
	}
}
