package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/listings"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

// searchFlags select and reach the listing search engine.
func searchFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "search", Value: wiring.SearchBleve, EnvVars: []string{"TW_SEARCH"},
			Usage: "listing search engine: bleve (on disk under <data>/search) or elasticsearch"},
		&cli.StringFlag{Name: "search-dir", EnvVars: []string{"TW_SEARCH_DIR"}, Usage: "Bleve index directory (default <data>/search)"},
		&cli.StringFlag{Name: "elasticsearch-url", EnvVars: []string{"TW_ELASTICSEARCH_URL"}, Usage: "Elasticsearch URL, e.g. https://es:9200"},
		&cli.StringFlag{Name: "elasticsearch-username", EnvVars: []string{"TW_ELASTICSEARCH_USERNAME"}, Usage: "Elasticsearch basic-auth user"},
		&cli.StringFlag{Name: "elasticsearch-password", EnvVars: []string{"TW_ELASTICSEARCH_PASSWORD"}, Usage: "Elasticsearch basic-auth password"},
		&cli.StringFlag{Name: "elasticsearch-api-key", EnvVars: []string{"TW_ELASTICSEARCH_API_KEY"}, Usage: "Elasticsearch API key"},
		&cli.StringFlag{Name: "elasticsearch-ca-cert", EnvVars: []string{"TW_ELASTICSEARCH_CA_CERT"}, Usage: "PEM file of the cluster's CA"},
		&cli.StringFlag{Name: "elasticsearch-index", EnvVars: []string{"TW_ELASTICSEARCH_INDEX"}, Usage: "index alias (default tradewarden-listings)"},
	}
}

// searchCommands are the commands that open the listing search engine.
var searchCommands = []string{"serve", "import", "reindex", "demo"}

// withSearchFlags adds the search flags to the commands that use them.
func withSearchFlags(cmds []*cli.Command) []*cli.Command {
	for _, c := range cmds {
		if slices.Contains(searchCommands, c.Name) {
			c.Flags = append(c.Flags, searchFlags()...)
			for _, sub := range c.Subcommands {
				sub.Flags = append(sub.Flags, searchFlags()...)
			}
		}
	}
	return cmds
}

// searchConfig reads the search flags (empty for commands without them).
func searchConfig(c *cli.Context) wiring.SearchConfig {
	return wiring.SearchConfig{Engine: flagString(c, "search"), Dir: flagString(c, "search-dir"),
		ElasticURL: flagString(c, "elasticsearch-url"), ElasticUsername: flagString(c, "elasticsearch-username"),
		ElasticPassword: flagString(c, "elasticsearch-password"), ElasticAPIKey: flagString(c, "elasticsearch-api-key"),
		ElasticCACert: flagString(c, "elasticsearch-ca-cert"), ElasticIndex: flagString(c, "elasticsearch-index")}
}

func importCommand() *cli.Command {
	return &cli.Command{
		Name:  "import",
		Usage: "bulk-import data",
		Subcommands: []*cli.Command{{
			Name:      "listings",
			Usage:     "import listings from an NDJSON or CSV file; re-running after an interruption resumes where it stopped",
			ArgsUsage: "FILE",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "format", Usage: "ndjson or csv (default: from the file extension)"},
				&cli.IntFlag{Name: "batch-size", Value: listings.DefaultBatchSize, Usage: "listings committed per transaction"},
				&cli.BoolFlag{Name: "restart", Usage: "ignore the checkpoint of an interrupted import of this file"},
				&cli.BoolFlag{Name: "quiet", Usage: "no progress bar"},
			},
			Action: importListings,
		}},
	}
}

func importListings(c *cli.Context) error {
	if c.NArg() != 1 {
		return cli.Exit("name one FILE to import", 2)
	}
	name := c.Args().First()
	format, ok := listings.ParseFormat(c.String("format"))
	if c.String("format") == "" {
		format, ok = listings.ParseFormat(filepath.Ext(name))
	}
	if !ok {
		return cli.Exit("cannot tell the format of "+name+": pass --format ndjson or --format csv", 2)
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return err
	}
	app, ctx, err := openApp(c)
	if err != nil {
		return err
	}
	defer app.Close()
	owned, err := app.OpenSearch(ctx)
	if err != nil {
		return err
	}
	key := "file:" + abs
	if c.Bool("restart") {
		if err := app.Search.Store.DeleteCheckpoint(ctx, key); err != nil {
			return err
		}
	}
	// Index while importing when no server holds the index.
	stopIndexing := func() {}
	if owned {
		ictx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			app.Search.Indexer.Run(ictx, func(err error) { app.Log.Warn("search indexing failed; it will be retried", "err", err) })
		}()
		stopIndexing = func() { cancel(); <-done }
	}
	bar := newBar(c, info.Size(), "importing", true)
	start := time.Now()
	res, err := app.Listings.Import(ctx, f, listings.ImportOptions{Format: format, Key: key, BatchSize: c.Int("batch-size"),
		Progress: func(p listings.Progress) {
			n := p.Imported + p.Updated + p.Unchanged
			bar.Describe(fmt.Sprintf("importing: %d listings (%.0f/s)", n, float64(n)/max(time.Since(start).Seconds(), 0.001)))
			_ = bar.Set64(p.Bytes)
		}})
	stopIndexing()
	_ = bar.Finish()
	w := c.App.Writer
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(c.App.ErrWriter, "interrupted: committed batches are kept; run the same command again to resume\n")
			return cli.Exit("", 130)
		}
		return fmt.Errorf("import %s: %w (committed batches are kept; run the same command again to resume)", name, err)
	}
	if res.ResumedAfterLine > 0 {
		fmt.Fprintf(w, "resumed after line %d (committed by an earlier, interrupted run)\n", res.ResumedAfterLine)
	}
	fmt.Fprintf(w, "imported %d, updated %d, unchanged %d, rejected %d (%d lines in %.1fs)\n", res.Imported, res.Updated,
		res.Unchanged, res.RejectedTotal, res.Lines, time.Since(start).Seconds())
	printFeedReport(w, res)
	for _, r := range res.Rejected {
		fmt.Fprintf(c.App.ErrWriter, "line %d: %s\n", r.Line, r.Error)
	}
	if res.RejectedTotal > int64(len(res.Rejected)) {
		fmt.Fprintf(c.App.ErrWriter, "… and %d more rejected lines\n", res.RejectedTotal-int64(len(res.Rejected)))
	}
	if !owned {
		fmt.Fprintln(w, "search index: updates queued for the running tradewarden server, which owns the index")
		return nil
	}
	return drainIndex(c, app)
}

// printFeedReport prints what the import made of fields and data beyond
// the listing format: ignored fields, aliases, data-quality counts.
func printFeedReport(w io.Writer, res listings.ImportResult) {
	counts := func(m map[string]int64) string {
		keys := slices.Sorted(maps.Keys(m))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s (%d)", k, m[k])
		}
		return strings.Join(parts, ", ")
	}
	if len(res.IgnoredFields) > 0 {
		fmt.Fprintf(w, "ignored fields (lines): %s\n", counts(res.IgnoredFields))
	}
	if len(res.MappedFields) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(res.MappedFields)) {
			m := res.MappedFields[k]
			parts = append(parts, fmt.Sprintf("%s as %s (%d)", k, m.Field, m.Lines))
		}
		fmt.Fprintf(w, "fields read by alias (lines): %s\n", strings.Join(parts, ", "))
	}
	if len(res.DataQuality) > 0 {
		fmt.Fprintf(w, "data quality (listings): %s\n", counts(res.DataQuality))
	}
	if len(res.UnmappedCategories) > 0 {
		fmt.Fprintf(w, "seller categories with no category code (listings): %s\n", counts(res.UnmappedCategories))
	}
}

// drainIndex indexes what is left in the outbox, with a progress bar.
func drainIndex(c *cli.Context, app *wiring.App) error {
	ctx := c.Context
	lag, err := app.Search.Indexer.Lag(ctx)
	if err != nil {
		return err
	}
	if lag.Pending > 0 {
		bar := newBar(c, lag.Pending, "indexing", false)
		for {
			n, err := app.Search.Indexer.Step(ctx)
			if err != nil {
				_ = bar.Finish()
				return fmt.Errorf("index listings: %w (the work stays queued; the server retries it)", err)
			}
			if n == 0 {
				break
			}
			_ = bar.Add(n)
		}
		_ = bar.Finish()
	}
	if lag, err = app.Search.Indexer.Lag(ctx); err == nil && lag.Pending > 0 {
		fmt.Fprintf(c.App.Writer, "search index: %d changes wait for a retry after an indexing error; "+
			"the server (or the next import) indexes them\n", lag.Pending)
		return nil
	}
	fmt.Fprintln(c.App.Writer, "search index up to date")
	return nil
}

// newBar returns a progress bar on stderr (silent with --quiet).
func newBar(c *cli.Context, total int64, what string, bytes bool) *progressbar.ProgressBar {
	out := c.App.ErrWriter
	if c.Bool("quiet") {
		out = io.Discard
	}
	return progressbar.NewOptions64(total, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(bytes), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionFullWidth(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(out) }))
}

func reindexCommand() *cli.Command {
	return &cli.Command{
		Name: "reindex",
		Usage: "rebuild the listing search index from the database; searches keep being served from the old index " +
			"until the new one is complete (a running server does the rebuild when it owns the index)",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "quiet", Usage: "no progress bar"}},
		Action: func(c *cli.Context) error {
			app, ctx, err := openApp(c)
			if err != nil {
				return err
			}
			defer app.Close()
			owned, err := app.OpenSearch(ctx)
			if err != nil {
				return err
			}
			total, err := app.Search.Store.CountListings(ctx)
			if err != nil {
				return err
			}
			bar := newBar(c, total, "reindexing", false)
			start := time.Now()
			var done int64
			if owned {
				err = app.Search.Indexer.Rebuild(ctx, func(d, t int64) {
					done = d
					bar.ChangeMax64(max(t, 1))
					_ = bar.Set64(d)
				})
			} else {
				fmt.Fprintln(c.App.ErrWriter, "the running tradewarden server owns the index: asking it to rebuild")
				var r listings.Rebuild
				if r, err = listings.RequestRebuild(ctx, app.Search.Store, cliActor(), time.Now()); err == nil {
					r, err = listings.WaitRebuild(ctx, app.Search.Store, r.ID, 300*time.Millisecond, func(r listings.Rebuild) {
						if r.Total > 0 {
							bar.ChangeMax64(r.Total)
						}
						_ = bar.Set64(r.Done)
					})
					done = r.Done
				}
			}
			_ = bar.Finish()
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "reindexed %d listings in %.1fs\n", done, time.Since(start).Seconds())
			if owned {
				return drainIndex(c, app)
			}
			return nil
		},
	}
}
