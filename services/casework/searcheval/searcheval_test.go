package searcheval_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/searcheval"
)

func TestGenerateIsDeterministicAndLabelled(t *testing.T) {
	a := searcheval.Generate(7, 3000, 140)
	b := searcheval.Generate(7, 3000, 140)
	if !reflect.DeepEqual(a.Queries, b.Queries) || len(a.Docs) != 3000 || !reflect.DeepEqual(a.Docs, b.Docs) {
		t.Fatal("the same seed gave another corpus")
	}
	ids := map[string]bool{}
	for _, d := range a.Docs {
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		ids[d.ListingID] = true
	}
	kinds := map[string]int{}
	for _, q := range a.Queries {
		kinds[q.Kind]++
		for _, id := range q.Relevant {
			if !ids[id] {
				t.Fatalf("query %q labels unknown listing %s", q.Q, id)
			}
		}
	}
	for _, k := range searcheval.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s queries", k)
		}
	}
}

func TestReferenceFindsExactModels(t *testing.T) {
	c := searcheval.Generate(3, 2000, 70)
	rep, err := searcheval.Score(context.Background(), searcheval.NewReference(c.Docs).Engine(), c.Queries)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	searcheval.Print(&b, rep, rep)
	t.Log("\n" + b.String())
	if rep.Overall.Recall < 0.5 {
		t.Fatalf("reference recall@20 %.3f: the harness or the labels are broken", rep.Overall.Recall)
	}
}
