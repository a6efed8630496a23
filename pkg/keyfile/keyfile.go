// Package keyfile reads and creates small secret files: random bytes,
// base64-encoded on one labelled line under explanatory comments, created
// with mode 0600 so only the owning user can read them.
package keyfile

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotExist is returned by Load when the file does not exist.
var ErrNotExist = fs.ErrNotExist

// Load reads the secret stored under label in path. loose reports that the
// file is readable or writable by group or others.
func Load(path, label string) (secret []byte, loose bool, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("read key file: %w", err)
	}
	if st, err := os.Stat(path); err == nil {
		loose = st.Mode().Perm()&0o077 != 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		value, ok := strings.CutPrefix(line, label+":")
		if !ok {
			return nil, loose, fmt.Errorf("key file %s: expected a %q line", path, label)
		}
		secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
		if err != nil {
			return nil, loose, fmt.Errorf("key file %s: the %s value is not base64: %w", path, label, err)
		}
		return secret, loose, nil
	}
	return nil, loose, fmt.Errorf("key file %s holds no %q line", path, label)
}

// Create writes a new random secret of size bytes to path (which must not
// exist) with mode 0600, creating its directory with mode 0700 if needed.
// The file is synced before Create returns, so a crash never leaves a
// half-written key; comments head the file.
func Create(path, label string, size int, comments []string) ([]byte, error) {
	secret := make([]byte, size)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	var b bytes.Buffer
	for _, c := range comments {
		b.WriteString("# " + c + "\n")
	}
	b.WriteString(label + ":" + base64.StdEncoding.EncodeToString(secret) + "\n")
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		_ = os.Remove(path)
		return nil, fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		_ = os.Remove(path)
		return nil, fmt.Errorf("sync key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close key file: %w", err)
	}
	return secret, syncDir(dir)
}

// Rename moves a key file into place atomically and makes the move durable.
func Rename(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("install key file: %w", err)
	}
	return syncDir(filepath.Dir(to))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
