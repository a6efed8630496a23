package wiring

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tradewarden/tradewarden/pkg/keyfile"
	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// AuditKeyName is the key file's name under the data directory when
// TW_AUDIT_KEY_FILE is not set.
const AuditKeyName = "audit.key"

const auditKeyLabel = "tradewarden-audit-key-v1"

var auditKeyComments = []string{
	"TradeWarden audit key: seals the audit chain (HMAC-SHA-256) and signs its checkpoints (ed25519).",
	"Keep it secret and OUTSIDE the database and its backups (TW_AUDIT_KEY_FILE), and keep a copy in escrow:",
	"without it the keyed audit log can no longer be verified. Every node sharing a database needs this same file.",
}

// AuditKeyPath is where cfg keeps the audit key.
func (cfg Config) AuditKeyPath() string {
	if cfg.AuditKeyFile != "" {
		return cfg.AuditKeyFile
	}
	dir := cfg.DataDir
	if dir == "" {
		dir = "var"
	}
	return filepath.Join(dir, AuditKeyName)
}

// pendingKeySuffix marks a key generated for a database that is not yet
// bound to it: installed under its real name only once bound, so a crash in
// between never leaves a key file the database does not know.
const pendingKeySuffix = ".new"

// loadedKey is the audit key and where it came from.
type loadedKey struct {
	key *audit.Key
	// pending is the path of a generated key not yet installed ("" if none).
	pending string
	// fresh is set when the key was generated for this database just now.
	fresh bool
}

// loadAuditKey reads the key file, or its pending predecessor; when create
// is set and there is neither, it generates one (mode 0600).
func loadAuditKey(cfg Config, create bool) (loadedKey, error) {
	path := cfg.AuditKeyPath()
	k, err := readKey(cfg, path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return loadedKey{key: k}, err
	}
	pending := path + pendingKeySuffix
	if k, err = readKey(cfg, pending); err == nil {
		return loadedKey{key: k, pending: pending, fresh: true}, nil
	}
	if !errors.Is(err, fs.ErrNotExist) || !create {
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		return loadedKey{}, err
	}
	secret, err := keyfile.Create(pending, auditKeyLabel, audit.SecretSize, auditKeyComments)
	if err != nil {
		return loadedKey{}, fmt.Errorf("create audit key %s: %w", path, err)
	}
	k, err = audit.NewKey(secret)
	if err != nil {
		return loadedKey{}, err
	}
	cfg.Log.Info("generated a new audit key: keep a copy outside the database and its backups", "path", abs(path), "key_id", k.ID())
	return loadedKey{key: k, pending: pending, fresh: true}, nil
}

func readKey(cfg Config, path string) (*audit.Key, error) {
	secret, loose, err := keyfile.Load(path, auditKeyLabel)
	if err != nil {
		return nil, err
	}
	if loose {
		cfg.Log.Warn("the audit key file is readable by other users: chmod 600 it", "path", abs(path))
	}
	k, err := audit.NewKey(secret)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	return k, nil
}

// bindAuditKey binds the database to the loaded key (beginning the keyed
// chain if needed), then installs a freshly generated key file.
func (a *App) bindAuditKey(ctx context.Context, lk loadedKey) error {
	path := a.Cfg.AuditKeyPath()
	if lk.key == nil {
		return nil
	}
	ctx = principal.System(ctx, "audit-key")
	started, err := a.Store.BindAuditKey(ctx, lk.fresh)
	if err != nil {
		if lk.pending != "" && errors.Is(err, bunstore.ErrAuditKeyMismatch) {
			// The key was generated because the file was missing, but the
			// database is already keyed: the file was lost or misplaced.
			_ = os.Remove(lk.pending)
			return fmt.Errorf("%w; the key file %s does not exist: restore it (it is not part of database backups) "+
				"or point TW_AUDIT_KEY_FILE at it", err, abs(path))
		}
		return fmt.Errorf("bind audit key %s: %w", abs(path), err)
	}
	if started {
		a.Log.Info("the audit chain is keyed from now on", "key_id", lk.key.ID())
	}
	if lk.pending != "" {
		return keyfile.Rename(lk.pending, path)
	}
	return nil
}

// BindAuditKeyToUnkeyedLog begins the keyed chain on a database whose log
// holds only unkeyed entries, with the existing key file (operator command:
// a database from a release before the keyed chain, with a key provisioned
// beforehand). The unkeyed chain must verify first.
func (a *App) BindAuditKeyToUnkeyedLog(ctx context.Context) (bool, error) {
	if a.AuditKey == nil {
		return false, fmt.Errorf("no audit key at %s", abs(a.Cfg.AuditKeyPath()))
	}
	switch bound, err := a.Audit.KeyID(ctx); {
	case err != nil:
		return false, err
	case bound == a.AuditKey.ID():
		return false, nil
	case bound != "":
		return false, fmt.Errorf("%w (%s; TW_AUDIT_KEY_FILE holds %s)", bunstore.ErrAuditKeyMismatch, bound, a.AuditKey.ID())
	}
	res, err := audit.Verify(ctx, a.Audit, audit.VerifyOptions{})
	if err != nil {
		return false, err
	}
	if !res.OK {
		return false, fmt.Errorf("the unkeyed audit chain does not verify (entry %v: %s): refusing to seal it", deref(res.FirstBad), res.Reason)
	}
	return a.Store.BindAuditKey(principal.System(ctx, "audit-key"), true)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Checkpoint verifies the chain and signs its head, for escrow; taking it is
// itself audited. A broken chain is never signed.
func (a *App) Checkpoint(ctx context.Context) (audit.Checkpoint, error) {
	if a.AuditKey == nil {
		return audit.Checkpoint{}, fmt.Errorf("no audit key at %s: checkpoints are signed with it", abs(a.Cfg.AuditKeyPath()))
	}
	res, err := audit.Verify(ctx, a.Audit, audit.VerifyOptions{Key: a.AuditKey})
	if err != nil {
		return audit.Checkpoint{}, err
	}
	if !res.OK {
		return audit.Checkpoint{}, fmt.Errorf("refusing to sign a checkpoint of a broken chain: entry %d: %s", deref(res.FirstBad), res.Reason)
	}
	cp := a.AuditKey.NewCheckpoint(res.HeadSeq, res.HeadHash, res.KeyedFrom, a.Cfg.Now())
	err = a.Audit.Record(ctx, audit.Event{Action: audit.ActionCheckpoint, ObjectType: "audit_log", ObjectID: cp.KeyID,
		Detail: map[string]any{"seq": cp.Seq, "hash": cp.Hash, "taken_at": cp.TakenAt}})
	return cp, err
}
