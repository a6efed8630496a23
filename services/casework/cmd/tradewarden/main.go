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

var globalFlags = []cli.Flag{
	&cli.StringFlag{Name: "data", Value: "./var", EnvVars: []string{"TW_DATA_DIR"},
		Usage: "data directory (SQLite file, evidence blobs, search index)"},
	&cli.StringFlag{Name: "database-url", EnvVars: []string{"TW_DATABASE_URL"},
		Usage: "database URL: empty for SQLite in the data dir, or postgres://user@host:5432/db"},
	&cli.StringFlag{Name: "log-level", Value: "info", EnvVars: []string{"TW_LOG_LEVEL"},
		Usage: "debug, info, warn or error"},
	&cli.StringFlag{Name: "audit-key-file", EnvVars: []string{"TW_AUDIT_KEY_FILE"},
		Usage: "audit key (generated with mode 0600 on first start if absent); default $TW_DATA_DIR/audit.key — keep it outside the data dir in production"},
	&cli.StringFlag{Name: "public-base-url", Value: noticepdf.DefaultBaseURL, EnvVars: []string{"TW_PUBLIC_BASE_URL"},
		Usage: "the address the public reaches this service at: notices print <url>/verify and a QR code of it"},
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:                 "tradewarden",
		Usage:                "enforcement case management for UK consumer connectable-product security (PSTI)",
		Version:              wiring.Version,
		Flags:                globalFlags,
		Reader:               stdin,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		Commands: withSearchFlags([]*cli.Command{
			serveCommand(), migrateCommand(), authorityCommand(), userCommand(), demoCommand(), auditCommand(),
			evidenceCommand(), scanCommand(), backupCommand(), restoreCommand(), noticeCommand(),
			importCommand(), reindexCommand(),
		}),
	}
}

// config reads the shared settings every subcommand honours.
func config(c *cli.Context) wiring.Config {
	return wiring.Config{
		DataDir:       c.String("data"),
		DatabaseURL:   c.String("database-url"),
		AuditKeyFile:  c.String("audit-key-file"),
		PublicBaseURL: c.String("public-base-url"),
		Search:        searchConfig(c),
		Log:           newLogger(c.App.ErrWriter, c.String("log-level")),
	}
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
