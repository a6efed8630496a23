package searcheval

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// TopK is the cut-off of recall@k and all-found.
const TopK = 20

// Engine answers a free-text query with listing ids, best first, at most limit.
type Engine func(ctx context.Context, q string, limit int) ([]string, error)

// IndexEngine adapts a search.Index (text only, no filters).
func IndexEngine(idx search.Index) Engine {
	return func(ctx context.Context, q string, limit int) ([]string, error) {
		res, err := idx.Search(ctx, search.Query{Q: q, Limit: limit})
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(res.Items))
		for i, h := range res.Items {
			ids[i] = h.ListingID
		}
		return ids, nil
	}
}

// Figures are the mean scores of a set of queries.
type Figures struct {
	Queries    int
	Recall     float64 // recall@20, relevant capped at 20
	RPrecision float64 // precision at rank R = number relevant
	AllFound   float64 // share of queries whose every relevant listing ranks in the top max(20, R)
}

// Report is an engine's figures overall and per query kind.
type Report struct {
	Overall Figures
	ByKind  map[string]Figures
	// Misses are up to a few failed queries per kind, for tuning.
	Misses map[string][]string
}

// Score runs every query through e.
func Score(ctx context.Context, e Engine, queries []Query) (Report, error) {
	rep := Report{ByKind: map[string]Figures{}, Misses: map[string][]string{}}
	sum := map[string]*Figures{"": {}}
	for _, q := range queries {
		limit := min(search.MaxLimit, max(TopK, len(q.Relevant)))
		got, err := e(ctx, q.Q, limit)
		if err != nil {
			return rep, fmt.Errorf("query %q: %w", q.Q, err)
		}
		rel := map[string]bool{}
		for _, id := range q.Relevant {
			rel[id] = true
		}
		R := len(q.Relevant)
		var at20, atR, atLimit int
		for i, id := range got {
			if !rel[id] {
				continue
			}
			if i < TopK {
				at20++
			}
			if i < R {
				atR++
			}
			atLimit++
		}
		f := Figures{Queries: 1, Recall: float64(at20) / float64(min(R, TopK)), RPrecision: float64(atR) / float64(R)}
		if atLimit == R {
			f.AllFound = 1
		} else if len(rep.Misses[q.Kind]) < 3 {
			rep.Misses[q.Kind] = append(rep.Misses[q.Kind], fmt.Sprintf("%q found %d/%d", q.Q, atLimit, R))
		}
		for _, k := range []string{"", q.Kind} {
			if sum[k] == nil {
				sum[k] = &Figures{}
			}
			s := sum[k]
			s.Queries++
			s.Recall += f.Recall
			s.RPrecision += f.RPrecision
			s.AllFound += f.AllFound
		}
	}
	for k, s := range sum {
		if s.Queries > 0 {
			n := float64(s.Queries)
			s.Recall /= n
			s.RPrecision /= n
			s.AllFound /= n
		}
		if k == "" {
			rep.Overall = *s
		} else {
			rep.ByKind[k] = *s
		}
	}
	return rep, nil
}

// Print writes the engine's and the reference's figures side by side.
func Print(w io.Writer, engine, reference Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tqueries\trecall@20\tref\tR-prec\tref\tall-found\tref\t")
	row := func(name string, e, r Figures) {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\n", name, e.Queries,
			e.Recall, r.Recall, e.RPrecision, r.RPrecision, e.AllFound, r.AllFound)
	}
	for _, k := range Kinds {
		if f, ok := engine.ByKind[k]; ok {
			row(k, f, reference.ByKind[k])
		}
	}
	row("overall", engine.Overall, reference.Overall)
	_ = tw.Flush()
	for _, k := range Kinds {
		if m := engine.Misses[k]; len(m) > 0 {
			fmt.Fprintf(w, "  missed %s: %s\n", k, strings.Join(m, "; "))
		}
	}
}
