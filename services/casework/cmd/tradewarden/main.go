// Command tradewarden is TradeWarden's single binary: the API server and the
// operator commands (migrations, authorities, users, demo data, audit checks).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/noticepdf"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newApp(os.Stdin, os.Stdout, os.Stderr).RunContext(ctx, os.Args)
	stop()
	if err != nil {
		var ec cli.ExitCoder
		if errors.As(err, &ec) {
			if msg := ec.Error(); msg != "" {
				fmt.Fprintln(os.Stderr, "tradewarden:", msg)
			}
			os.Exit(ec.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "tradewarden:", describe(err))
		os.Exit(2)
	}
}

// describe renders an error for a terminal, with field problems listed.
func describe(err error) string {
	ae, ok := apperr.As(err)
	if !ok {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(ae.Message)
	for _, f := range ae.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	return b.String()
}

// globalFlags are the settings every command honours. Each command and
// subcommand gets its own copy (withGlobalFlags), so they are accepted before
// and after the command name (`tradewarden --data D serve` and `tradewarden
// serve --data D`) and listed in every --help; flagString reads them.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "data", Value: "./var", EnvVars: []string{"TW_DATA_DIR"},
			Usage: "data directory (SQLite file, evidence blobs, search index)"},
		&cli.StringFlag{Name: "database-url", EnvVars: []string{"TW_DATABASE_URL"},
			Usage: "database URL: empty for SQLite in the data dir, or postgres://user@host:5432/db"},
		&cli.StringFlag{Name: "log-level", Value: "info", EnvVars: []string{"TW_LOG_LEVEL"},
			Usage: "debug, info, warn or error"},
		&cli.StringFlag{Name: "audit-key-file", EnvVars: []string{"TW_AUDIT_KEY_FILE"},
			Usage: "audit key (generated with mode 0600 on first start if absent); " +
				"default $TW_DATA_DIR/audit.key — keep it outside the data dir in production"},
		&cli.StringFlag{Name: "blob-store", Value: wiring.BlobStoreDisk, EnvVars: []string{"TW_BLOB_STORE"},
			Usage: "evidence store: disk (<data>/blobs) or s3 (AWS credentials from the standard environment or profile)"},
		&cli.StringFlag{Name: "s3-endpoint", EnvVars: []string{"TW_S3_ENDPOINT"},
			Usage: "S3-compatible endpoint, e.g. http://s3.internal:7070 (path-style); empty for AWS"},
		&cli.StringFlag{Name: "s3-bucket", EnvVars: []string{"TW_S3_BUCKET"}, Usage: "evidence bucket"},
		&cli.StringFlag{Name: "s3-region", Value: "us-east-1", EnvVars: []string{"TW_S3_REGION"}, Usage: "S3 region"},
		&cli.StringFlag{Name: "evidence-retention-days", Value: strconv.Itoa(wiring.DefaultRetentionDays), EnvVars: []string{"TW_EVIDENCE_RETENTION_DAYS"},
			Usage: "S3 Object Lock compliance retention of each exhibit, where the bucket has Object Lock enabled"},
		&cli.StringFlag{Name: "public-base-url", Value: noticepdf.DefaultBaseURL, EnvVars: []string{"TW_PUBLIC_BASE_URL"},
			Usage: "the address the public reaches this service at: notices print <url>/verify and a QR code of it"},
	}
}

// withGlobalFlags gives every command and subcommand, recursively, its own
// copy of the global flags (a flag value remembers whether it was set, so
// copies cannot be shared).
func withGlobalFlags(cmds []*cli.Command) []*cli.Command {
	for _, c := range cmds {
		c.Flags = append(c.Flags, globalFlags()...)
		withGlobalFlags(c.Subcommands)
	}
	return cmds
}

// flagString reads a flag that several command levels define: a value given
// on the command line at the innermost level that has one, else the
// environment variable, else the default. urfave/cli's own lookup stops at
// the innermost level that defines the flag, whose default (or environment
// value) would hide a value given before the command name.
func flagString(c *cli.Context, name string) string {
	env, fromEnv := envValue(c, name)
	for _, level := range c.Lineage() {
		if !slices.Contains(level.LocalFlagNames(), name) {
			continue
		}
		// A level reports the environment's value as set too; only a
		// different value can have come from the command line.
		if v := level.String(name); !fromEnv || v != env {
			return v
		}
	}
	if fromEnv {
		return env
	}
	return c.String(name)
}

// envValue is the value of the first environment variable of the named
// string flag that is set, as urfave/cli reads it.
func envValue(c *cli.Context, name string) (string, bool) {
	for _, level := range c.Lineage() {
		if level.Command == nil {
			continue
		}
		for _, f := range level.Command.Flags {
			sf, ok := f.(*cli.StringFlag)
			if !ok || sf.Name != name {
				continue
			}
			for _, ev := range sf.EnvVars {
				if v, ok := os.LookupEnv(ev); ok {
					return v, true
				}
			}
			return "", false
		}
	}
	return "", false
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:                 "tradewarden",
		Usage:                "enforcement case management for UK consumer connectable-product security (PSTI)",
		Version:              wiring.Version,
		Flags:                globalFlags(),
		Reader:               stdin,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		Commands: withGlobalFlags(withSearchFlags([]*cli.Command{
			serveCommand(), migrateCommand(), authorityCommand(), userCommand(), demoCommand(), auditCommand(),
			evidenceCommand(), scanCommand(), backupCommand(), restoreCommand(), noticeCommand(),
			importCommand(), reindexCommand(),
		})),
	}
}

// config reads the shared settings every subcommand honours.
func config(c *cli.Context) wiring.Config {
	return wiring.Config{
		DataDir:       flagString(c, "data"),
		DatabaseURL:   flagString(c, "database-url"),
		AuditKeyFile:  flagString(c, "audit-key-file"),
		PublicBaseURL: flagString(c, "public-base-url"),
		Search:        searchConfig(c),
		Blob: wiring.BlobConfig{Store: flagString(c, "blob-store"), Endpoint: flagString(c, "s3-endpoint"),
			Bucket: flagString(c, "s3-bucket"), Region: flagString(c, "s3-region"), RetentionDays: retentionDays(flagString(c, "evidence-retention-days"))},
		Log: newLogger(c.App.ErrWriter, flagString(c, "log-level")),
	}
}

// retentionDays parses TW_EVIDENCE_RETENTION_DAYS; a value that is not a
// positive number becomes -1, which the S3 store rejects at start-up.
func retentionDays(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return -1
	}
	return n
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// openApp opens the database (migrating first) for an operator command.
func openApp(c *cli.Context) (*wiring.App, context.Context, error) {
	return openAppWith(c, func(*wiring.Config) {})
}

// openAppWith is openApp with the configuration adjusted first.
func openAppWith(c *cli.Context, adjust func(*wiring.Config)) (*wiring.App, context.Context, error) {
	cfg := config(c)
	cfg.MigrateOnOpen = true
	adjust(&cfg)
	app, err := wiring.Open(c.Context, cfg)
	if err != nil {
		return nil, nil, err
	}
	return app, principal.System(c.Context, cliActor()), nil
}

// cliActor labels CLI changes in the audit log with the operating-system user.
func cliActor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return "cli:" + name
}
