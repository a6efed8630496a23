package cli_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tradewarden/tradewarden/pkg/scan"
	"github.com/tradewarden/tradewarden/pkg/scan/detect"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
)

// TestCorpusCoverage: on the corpus of real third-party reports, at least
// 95% of medium-or-worse findings cite a requirement, as `scan coverage`
// prints it.
func TestCorpusCoverage(t *testing.T) {
	out := newInstance(t).mustRun("", "scan", "coverage", "--json", "../corpus/defectdojo")
	var rep struct {
		Coverage struct {
			Serious struct {
				Findings int `json:"findings"`
				Cited    int `json:"cited"`
			} `json:"medium_or_worse"`
			Unmapped []any `json:"unmapped_medium_or_worse"`
		} `json:"coverage"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("scan coverage --json: %v\n%.300s", err, out)
	}
	s := rep.Coverage.Serious
	if share := float64(s.Cited) / float64(max(s.Findings, 1)); s.Findings < 1000 || share < 0.95 {
		t.Fatalf("medium-or-worse coverage %.3f of %d findings; citing nothing: %v", share, s.Findings, rep.Coverage.Unmapped)
	}
}

// TestLabelledPrecisionRecall: on the labelled findings, the citations the
// rules make are the ones a reviewer would make (precision and recall ≥ 0.95).
func TestLabelledPrecisionRecall(t *testing.T) {
	rules := evidence.DefaultRules()
	lf, err := os.Open("../corpus/labels.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	type label struct {
		File, Key  string
		Expect     []string
		NoneReason string `json:"none_reason"`
	}
	byFile := map[string][]label{}
	sc := bufio.NewScanner(lf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l label
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		if len(l.Expect) == 0 && l.NoneReason == "" {
			t.Fatalf("label %s %s cites nothing without a reason", l.File, l.Key)
		}
		byFile[l.File] = append(byFile[l.File], l)
	}
	var made, right, expected, found, n int
	for file, labels := range byFile {
		f, err := os.Open(filepath.Join("../..", file))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := detect.Parse(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		items := map[string]scan.Item{}
		for _, it := range rep.Items {
			if _, ok := items[it.Key]; !ok {
				items[it.Key] = it
			}
		}
		for _, l := range labels {
			it, ok := items[l.Key]
			if !ok {
				t.Errorf("%s: no finding %s", file, l.Key)
				continue
			}
			n++
			got := rules.Apply(rep.Format, it).Requirements
			made += len(got)
			expected += len(l.Expect)
			for _, id := range got {
				if slices.Contains(l.Expect, id) {
					right++
				} else {
					t.Logf("over-cited %s on %s: %s", id, file, it.Title)
				}
			}
			for _, id := range l.Expect {
				if slices.Contains(got, id) {
					found++
				} else {
					t.Logf("missed %s on %s: %s", id, file, it.Title)
				}
			}
		}
	}
	precision, recall := float64(right)/float64(max(made, 1)), float64(found)/float64(max(expected, 1))
	t.Logf("%d labelled findings: precision %.3f, recall %.3f", n, precision, recall)
	if n < 300 || precision < 0.95 || recall < 0.95 {
		t.Fatalf("%d labelled findings: precision %.3f, recall %.3f (want ≥ 0.95 each)", n, precision, recall)
	}
}
