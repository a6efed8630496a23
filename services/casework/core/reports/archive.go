package reports

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// WriteZip streams the package as a ZIP archive to w, one file at a time
// (exhibits are copied from the blob store, never held in memory). Each
// exhibit is hashed as it is copied; should its bytes no longer match the
// recorded SHA-256 the archive is abandoned before its central directory,
// so the recipient gets an unreadable archive rather than altered evidence.
func (p Package) WriteZip(ctx context.Context, w io.Writer) error {
	zw := zip.NewWriter(w)
	for _, f := range p.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: p.GeneratedAt})
		if err != nil {
			return fmt.Errorf("add %s: %w", f.Path, err)
		}
		rc, err := f.Open(ctx)
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(fw, h), rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("copy %s: %w", f.Path, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); n != f.Size || got != f.SHA256 {
			return fmt.Errorf("%s: %d bytes hashing to %s, but the package records %d bytes hashing to %s: archive abandoned",
				f.Path, n, got, f.Size, f.SHA256)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish archive: %w", err)
	}
	return nil
}
