package wiring

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/services/casework/core/integrity"
)

// BackupManifest describes a backup archive; it is the archive's first entry.
type BackupManifest struct {
	Format    int       `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	Version   string    `json:"version"`
	Engine    string    `json:"engine"`
	// AuditSeq and AuditHead pin the audit chain the snapshot ends with.
	AuditSeq  int64  `json:"audit_seq"`
	AuditHead string `json:"audit_head"`
	// AuditKeyID names the key the chain is sealed with. The key itself is
	// never archived: a backup must not carry what would let its holder
	// rewrite the log it protects. Restore needs the key file in place.
	AuditKeyID string `json:"audit_key_id,omitempty"`
	Blobs      int    `json:"blobs"`
	BlobBytes  int64  `json:"blob_bytes"`
	// Index records the search index state; the index itself is rebuilt from
	// the database on restore rather than copied.
	Index map[string]any `json:"index"`
}

const (
	manifestName = "manifest.json"
	sqliteName   = "database/tradewarden.db"
	pgDumpName   = "database/postgres.dump"
	blobPrefix   = "blobs/"
)

// Backup writes a consistent online snapshot as a gzipped tar: the manifest,
// the database (SQLite backup API, or pg_dump), then every blob. Blobs are
// immutable and committed before the rows that reference them, so copying
// them after the database snapshot captures every blob it references.
func (a *App) Backup(ctx context.Context, w io.Writer) (BackupManifest, error) {
	tmp, err := os.MkdirTemp("", "tw-backup-")
	if err != nil {
		return BackupManifest{}, err
	}
	defer os.RemoveAll(tmp)
	dbFile, name := filepath.Join(tmp, "db"), sqliteName
	if a.DB.Engine == database.SQLite {
		err = a.DB.BackupSQLite(ctx, dbFile)
	} else {
		name = pgDumpName
		err = dumpTo(ctx, a.Cfg.DatabaseURL, dbFile)
	}
	if err != nil {
		return BackupManifest{}, fmt.Errorf("snapshot database: %w", err)
	}
	m := BackupManifest{Format: 1, CreatedAt: a.Cfg.Now().UTC(), Version: Version, Engine: string(a.DB.Engine), Index: a.indexManifest(ctx)}
	if m.AuditSeq, m.AuditHead, err = a.Audit.Head(ctx); err != nil {
		return BackupManifest{}, err
	}
	if m.AuditKeyID, err = a.Audit.KeyID(ctx); err != nil {
		return BackupManifest{}, err
	}
	var shas []string
	err = a.Blobs.Walk(ctx, func(i blobstore.Info) error {
		shas = append(shas, i.SHA256)
		m.Blobs++
		m.BlobBytes += i.Size
		return nil
	})
	if err != nil {
		return BackupManifest{}, fmt.Errorf("list blobs: %w", err)
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := addBytes(tw, manifestName, mb); err != nil {
		return BackupManifest{}, err
	}
	if err := addFile(tw, name, dbFile); err != nil {
		return BackupManifest{}, err
	}
	for _, sha := range shas {
		rc, size, err := a.Blobs.Open(ctx, sha)
		if err != nil {
			return BackupManifest{}, fmt.Errorf("open blob %s: %w", sha, err)
		}
		err = addReader(tw, blobPrefix+sha, size, rc)
		rc.Close()
		if err != nil {
			return BackupManifest{}, err
		}
	}
	if err := tw.Close(); err != nil {
		return BackupManifest{}, err
	}
	return m, gz.Close()
}

func dumpTo(ctx context.Context, url, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := database.DumpPostgres(ctx, url, f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	return addReader(tw, name, int64(len(b)), strings.NewReader(string(b)))
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return addReader(tw, name, st.Size(), f)
}

func addReader(tw *tar.Writer, name string, size int64, r io.Reader) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o640, Size: size, ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	if _, err := io.Copy(tw, r); err != nil {
		return fmt.Errorf("archive %s: %w", name, err)
	}
	return nil
}

// indexManifest records what the search index held when the backup was
// taken. The index is derived data, so it is not archived: a restored
// instance rebuilds it from the database on start, and these figures say
// what it should then hold.
func (a *App) indexManifest(ctx context.Context) map[string]any {
	m := map[string]any{"rebuilt_on_restore": true}
	rt := a.Search
	if rt == nil {
		return m
	}
	m["engine"] = rt.Cfg.Engine
	if n, err := rt.Store.CountListings(ctx); err == nil {
		m["database_listings"] = n
	}
	if lag, err := rt.Store.OutboxLag(ctx); err == nil {
		m["outbox_pending"] = lag.Pending
	}
	if rt.Index != nil && rt.Owned() {
		if n, err := rt.Index.Count(ctx); err == nil {
			m["indexed_documents"] = n
		}
	}
	return m
}

// RestoreResult summarises a restore.
type RestoreResult struct {
	Manifest BackupManifest
	Blobs    int
	// Integrity is the check of the restored audit chain and stored state.
	Integrity integrity.Report
}

// Restore loads a Backup archive into an empty data directory and database,
// checking every blob's hash as it is written, then migrates forward and
// verifies the audit chain (with the audit key, which must already be in
// place when the chain is keyed) and the stored state against it.
func Restore(ctx context.Context, cfg Config, r io.Reader) (RestoreResult, error) {
	var res RestoreResult
	if cfg.DataDir == "" {
		cfg.DataDir = "var"
	}
	sqlitePath, err := requireEmpty(ctx, cfg)
	if err != nil {
		return res, err
	}
	// Blobs go back into the configured store: the disk, or the bucket.
	blobs, _, err := openBlobs(ctx, cfg)
	if err != nil {
		return res, err
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return res, fmt.Errorf("not a TradeWarden backup (gzip): %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("read backup: %w", err)
		}
		switch {
		case h.Name == manifestName:
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&res.Manifest); err != nil {
				return res, fmt.Errorf("read manifest: %w", err)
			}
			if err := checkRestoreKey(cfg, res.Manifest); err != nil {
				return res, err
			}
		case h.Name == sqliteName:
			if sqlitePath == "" {
				return res, errors.New("this backup holds a SQLite database; restore it with an empty TW_DATABASE_URL")
			}
			if err := writeFile(sqlitePath, tr); err != nil {
				return res, err
			}
		case h.Name == pgDumpName:
			if sqlitePath != "" {
				return res, errors.New("this backup holds a PostgreSQL dump; set TW_DATABASE_URL to an empty PostgreSQL database")
			}
			if err := database.RestorePostgres(ctx, cfg.DatabaseURL, tr); err != nil {
				return res, err
			}
		case strings.HasPrefix(h.Name, blobPrefix):
			want := strings.TrimPrefix(h.Name, blobPrefix)
			if !blobstore.ValidHash(want) {
				return res, fmt.Errorf("backup entry %q is not a blob", h.Name)
			}
			// Staged first, so a corrupt entry never reaches the store.
			st, err := blobs.Stage(ctx, tr, max(h.Size, 1))
			if err != nil {
				return res, fmt.Errorf("restore blob %s: %w", want, err)
			}
			if st.SHA256() != want {
				_ = st.Discard()
				return res, fmt.Errorf("blob %s in the backup is corrupt (its bytes hash to %s)", want, st.SHA256())
			}
			if _, err := st.Commit(ctx); err != nil {
				return res, fmt.Errorf("restore blob %s: %w", want, err)
			}
			res.Blobs++
		default:
			return res, fmt.Errorf("unexpected entry %q in backup", h.Name)
		}
	}
	if res.Manifest.Format != 1 {
		return res, errors.New("the backup has no manifest; it is not a TradeWarden backup")
	}
	if res.Blobs != res.Manifest.Blobs {
		return res, fmt.Errorf("the backup holds %d blobs but its manifest lists %d", res.Blobs, res.Manifest.Blobs)
	}
	cfg.MigrateOnOpen, cfg.AuditKeyReadOnly = true, true
	app, err := Open(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer app.Close()
	checker := app.Integrity
	if res.Manifest.AuditKeyID == "" {
		// A backup from before the keyed chain: its log is unkeyed, whatever key is configured.
		checker = app.checker(nil)
	}
	// Every blob was re-hashed as it was written above.
	if res.Integrity, err = checker.Check(ctx, integrity.Options{}); err != nil {
		return res, err
	}
	seq, head, err := app.Audit.Head(ctx)
	if err != nil {
		return res, err
	}
	if p, bad := res.Integrity.First(); bad {
		return res, fmt.Errorf("the restored data does not verify: %s", p.Reason)
	}
	if seq < res.Manifest.AuditSeq || (seq == res.Manifest.AuditSeq && head != res.Manifest.AuditHead) {
		return res, fmt.Errorf("the restored audit chain ends at entry %d (%s), not where the backup's manifest says (%d, %s)",
			seq, head, res.Manifest.AuditSeq, res.Manifest.AuditHead)
	}
	return res, nil
}

// checkRestoreKey refuses, before anything is written, to restore a keyed
// log without its key.
func checkRestoreKey(cfg Config, m BackupManifest) error {
	if m.AuditKeyID == "" {
		return nil
	}
	path := cfg.AuditKeyPath()
	k, err := readKey(cfg, path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("this backup's audit log is sealed with key %s, and backups never hold the key: "+
			"put that key file at %s (or point TW_AUDIT_KEY_FILE at it) and restore again", m.AuditKeyID, abs(path))
	}
	if err != nil {
		return err
	}
	if k.ID() != m.AuditKeyID {
		return fmt.Errorf("this backup's audit log is sealed with key %s but %s holds key %s", m.AuditKeyID, abs(path), k.ID())
	}
	return nil
}

// requireEmpty refuses to restore over existing data. It returns the SQLite
// file to write, or "" for PostgreSQL.
func requireEmpty(ctx context.Context, cfg Config) (string, error) {
	if strings.HasPrefix(cfg.DatabaseURL, "postgres") {
		db, err := database.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
		if err != nil {
			return "", err
		}
		defer db.Close()
		if _, err := db.NewSelect().Table("audit_head").Count(ctx); err == nil {
			return "", errors.New("restore needs an empty database: this one already has TradeWarden tables")
		}
		return "", nil
	}
	path := filepath.Join(cfg.DataDir, database.DefaultFile)
	if p, ok := strings.CutPrefix(cfg.DatabaseURL, "sqlite:"); ok {
		path = strings.TrimPrefix(p, "//")
	}
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return "", fmt.Errorf("restore needs an empty data directory: %s already exists", path)
	}
	if entries, _ := os.ReadDir(filepath.Join(cfg.DataDir, "blobs", "sha256")); len(entries) > 0 {
		return "", errors.New("restore needs an empty data directory: it already holds evidence blobs")
	}
	return path, nil
}

func writeFile(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
