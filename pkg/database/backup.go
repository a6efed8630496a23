package database

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"modernc.org/sqlite"
)

type sqliteBackuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// BackupSQLite writes a consistent online copy of the SQLite database to
// dstPath with SQLite's backup API; writers may keep writing meanwhile.
func (db *DB) BackupSQLite(ctx context.Context, dstPath string) error {
	if db.Engine != SQLite {
		return errors.New("backup api: not a SQLite database")
	}
	conn, err := db.DB.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite backup: get connection: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		b, ok := dc.(sqliteBackuper)
		if !ok {
			return fmt.Errorf("sqlite backup: driver connection %T has no backup API", dc)
		}
		bk, err := b.NewBackup(dstPath)
		if err != nil {
			return fmt.Errorf("sqlite backup: start: %w", err)
		}
		for {
			more, err := bk.Step(-1)
			if err != nil {
				_ = bk.Finish()
				return fmt.Errorf("sqlite backup: step: %w", err)
			}
			if !more {
				break
			}
		}
		if err := bk.Finish(); err != nil {
			return fmt.Errorf("sqlite backup: finish: %w", err)
		}
		return nil
	})
}

// pgConn splits a PostgreSQL URL into what libpq tools accept and the schema
// TradeWarden's search_path parameter selects (libpq has no search_path
// URL parameter).
func pgConn(raw string) (libpqURL, schema string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("parse postgres url: %w", err)
	}
	q := u.Query()
	schema = q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

// DumpPostgres writes a pg_dump custom-format archive of the database (just
// TradeWarden's schema when the URL names one) to w. pg_dump takes a
// consistent snapshot in one transaction while the service keeps running.
func DumpPostgres(ctx context.Context, rawURL string, w io.Writer) error {
	conn, schema, err := pgConn(rawURL)
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--no-owner", "--no-privileges", "--dbname=" + conn}
	if schema != "" {
		args = append(args, "--schema="+schema)
	}
	return runTool(ctx, "pg_dump", args, nil, w)
}

// RestorePostgres loads a DumpPostgres archive into an empty database.
func RestorePostgres(ctx context.Context, rawURL string, dump io.Reader) error {
	conn, _, err := pgConn(rawURL)
	if err != nil {
		return err
	}
	return runTool(ctx, "pg_restore", []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
		"--dbname=" + conn}, dump, io.Discard)
}

func runTool(ctx context.Context, name string, args []string, stdin io.Reader, stdout io.Writer) error {
	if _, err := exec.LookPath(name); err != nil {
		return fmt.Errorf("%s is needed for PostgreSQL backups (Debian: postgresql-client): %w", name, err)
	}
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, &stderr
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
