package blevesearch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
)

// On disk, dir holds generations gen-NNNNNN/ (each with meta.json and one
// Bleve index per shard) and CURRENT, which names the live generation.
// CURRENT is replaced by rename, so a crash leaves either the old or the new
// generation live; any other gen-* directory is debris of an interrupted
// rebuild (or the old generation of a finished one) and is removed on open.
const (
	currentFile = "CURRENT"
	metaFile    = "meta.json"
	genPrefix   = "gen-"
	// formatVersion changes whenever the document layout changes; an index
	// written with another version must be rebuilt.
	formatVersion = 3
)

type genMeta struct {
	Format int `json:"format"`
	Shards int `json:"shards"`
}

// ErrFormat is returned by Open when the index was written by an
// incompatible version; Rebuild from the database fixes it.
var ErrFormat = errors.New("search index format is not supported; rebuild it")

// Open opens (or creates) the engine stored under dir.
func Open(dir string, opts Options) (*Engine, error) {
	if dir == "" {
		return nil, errors.New("open search index: empty directory")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	e, err := newEngine(dir, opts)
	if err != nil {
		return nil, err
	}
	name, err := readCurrent(dir)
	if err != nil {
		return nil, err
	}
	var g *generation
	if name == "" {
		if err := removeStale(dir, ""); err != nil {
			return nil, err
		}
		name = genName(1)
		if g, err = e.createGeneration(name); err != nil {
			return nil, err
		}
		if err := writeCurrent(dir, name); err != nil {
			_ = g.close()
			return nil, err
		}
	} else {
		if g, err = e.openGeneration(name); err != nil {
			return nil, err
		}
		if err := removeStale(dir, name); err != nil {
			_ = g.close()
			return nil, err
		}
	}
	e.gen.Store(g)
	e.warm()
	return e, nil
}

func genName(seq int) string { return fmt.Sprintf("%s%06d", genPrefix, seq) }

func genSeq(name string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(name, genPrefix))
	if err != nil {
		return 0
	}
	return n
}

func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", currentFile, err)
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, genPrefix) || genSeq(name) == 0 || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%s names %q, not a generation", currentFile, name)
	}
	return name, nil
}

// writeCurrent atomically points CURRENT at name.
func writeCurrent(dir, name string) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("write %s: %w", currentFile, err)
	}
	if _, err := f.WriteString(name + "\n"); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", currentFile, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync %s: %w", currentFile, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", currentFile, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentFile)); err != nil {
		return fmt.Errorf("switch %s: %w", currentFile, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// removeStale deletes every generation directory except keep.
func removeStale(dir, keep string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	for _, en := range entries {
		if en.IsDir() && strings.HasPrefix(en.Name(), genPrefix) && en.Name() != keep {
			if err := os.RemoveAll(filepath.Join(dir, en.Name())); err != nil {
				return fmt.Errorf("remove stale generation %s: %w", en.Name(), err)
			}
		}
	}
	_ = os.Remove(filepath.Join(dir, currentFile+".tmp"))
	return nil
}

func shardPath(genDir string, i int) string { return filepath.Join(genDir, fmt.Sprintf("shard-%d", i)) }

// createGeneration makes an empty generation; name "" means in memory.
func (e *Engine) createGeneration(name string) (*generation, error) {
	g := &generation{name: name}
	var genDir string
	if name != "" {
		genDir = filepath.Join(e.dir, name)
		if err := os.MkdirAll(genDir, 0o750); err != nil {
			return nil, fmt.Errorf("create generation: %w", err)
		}
	}
	idxs := make([]bleve.Index, 0, e.opts.Shards)
	for i := 0; i < e.opts.Shards; i++ {
		path := ""
		if genDir != "" {
			path = shardPath(genDir, i)
		}
		idx, err := e.newShardIndex(path)
		if err != nil {
			for _, o := range idxs {
				_ = o.Close()
			}
			return nil, err
		}
		idxs = append(idxs, idx)
	}
	g.shards = e.wrapShards(idxs)
	if genDir != "" {
		b, _ := json.Marshal(genMeta{Format: formatVersion, Shards: e.opts.Shards})
		if err := os.WriteFile(filepath.Join(genDir, metaFile), b, 0o640); err != nil {
			_ = g.close()
			return nil, fmt.Errorf("write generation meta: %w", err)
		}
	}
	return g, nil
}

func (e *Engine) openGeneration(name string) (*generation, error) {
	genDir := filepath.Join(e.dir, name)
	b, err := os.ReadFile(filepath.Join(genDir, metaFile))
	if err != nil {
		return nil, fmt.Errorf("read generation meta: %w", err)
	}
	var meta genMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("parse generation meta: %w", err)
	}
	if meta.Format != formatVersion || meta.Shards <= 0 {
		return nil, fmt.Errorf("%w (format %d, shards %d)", ErrFormat, meta.Format, meta.Shards)
	}
	idxs := make([]bleve.Index, 0, meta.Shards)
	for i := 0; i < meta.Shards; i++ {
		idx, err := bleve.Open(shardPath(genDir, i))
		if err != nil {
			for _, o := range idxs {
				_ = o.Close()
			}
			return nil, fmt.Errorf("open shard %d of %s: %w", i, name, err)
		}
		idxs = append(idxs, idx)
	}
	return &generation{name: name, shards: e.wrapShards(idxs)}, nil
}

// removeGeneration deletes a closed generation's files.
func (e *Engine) removeGeneration(g *generation) error {
	if g.name == "" || e.dir == "" {
		return nil
	}
	if err := os.RemoveAll(filepath.Join(e.dir, g.name)); err != nil {
		return fmt.Errorf("remove generation %s: %w", g.name, err)
	}
	return nil
}
