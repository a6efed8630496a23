package bunstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/uptrace/bun/migrate"

	"github.com/tradewarden/tradewarden/pkg/database"
)

//go:embed migrations
var migrationFS embed.FS

// MigrationFS returns the embedded migration tree for an engine.
func MigrationFS(engine database.Engine) (fs.FS, error) {
	dir := "migrations/sqlite"
	if engine == database.Postgres {
		dir = "migrations/pg"
	}
	return fs.Sub(migrationFS, dir)
}

func migrator(db *database.DB) (*migrate.Migrator, error) {
	sub, err := MigrationFS(db.Engine)
	if err != nil {
		return nil, err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	return migrate.NewMigrator(db.DB, ms, migrate.WithMarkAppliedOnSuccess(true)), nil
}

// Migrate applies pending migrations under the migration lock, waiting up to
// lockWait for another process that holds it.
func Migrate(ctx context.Context, db *database.DB, lockWait time.Duration, log *slog.Logger) error {
	m, err := migrator(db)
	if err != nil {
		return err
	}
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("init migration tables: %w", err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		err = m.Lock(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w (if no other tradewarden is migrating, a crashed one left the lock: run `tradewarden migrate --unlock`)", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	defer func() {
		if uerr := m.Unlock(context.WithoutCancel(ctx)); uerr != nil {
			log.Error("release migration lock", "err", uerr)
		}
	}()
	group, err := m.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if !group.IsZero() {
		log.Info("applied migrations", "group", group.ID, "count", len(group.Migrations), "engine", db.Engine)
	}
	return nil
}

// Unlock removes a migration lock left by a crashed process.
func Unlock(ctx context.Context, db *database.DB) error {
	m, err := migrator(db)
	if err != nil {
		return err
	}
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("init migration tables: %w", err)
	}
	return m.Unlock(ctx)
}

// Pending reports how many migrations are not applied yet.
func Pending(ctx context.Context, db *database.DB) (int, error) {
	m, err := migrator(db)
	if err != nil {
		return 0, err
	}
	if err := m.Init(ctx); err != nil {
		return 0, fmt.Errorf("init migration tables: %w", err)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration status: %w", err)
	}
	return len(ms.Unapplied()), nil
}

// ErrPending is returned when the schema is behind the binary.
var ErrPending = errors.New("database has pending migrations")
