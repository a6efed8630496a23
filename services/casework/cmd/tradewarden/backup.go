package main

import (
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

func backupCommand() *cli.Command {
	return &cli.Command{
		Name:  "backup",
		Usage: "write a consistent online snapshot (database + evidence blobs + manifest) to a .tar.gz",
		Flags: []cli.Flag{&cli.StringFlag{Name: "out", Required: true, Usage: "archive to write (- for stdout)"}},
		Action: func(c *cli.Context) error {
			app, ctx, err := openApp(c)
			if err != nil {
				return err
			}
			defer app.Close()
			var w io.Writer = c.App.Writer
			var f *os.File
			if out := c.String("out"); out != "-" {
				if f, err = os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err != nil {
					return err
				}
				w = f
			}
			m, err := app.Backup(ctx, w)
			if f != nil {
				if cerr := f.Sync(); err == nil {
					err = cerr
				}
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					_ = os.Remove(f.Name())
				}
			}
			if err != nil {
				return err
			}
			if f != nil {
				fmt.Fprintf(c.App.ErrWriter, "backup written to %s: %s database, audit chain at entry %d (%s), %d blobs (%d bytes)\n",
					f.Name(), m.Engine, m.AuditSeq, m.AuditHead, m.Blobs, m.BlobBytes)
			}
			return nil
		},
	}
}

func restoreCommand() *cli.Command {
	return &cli.Command{
		Name:  "restore",
		Usage: "load a backup into an empty data directory / empty database, then verify it",
		Flags: []cli.Flag{&cli.StringFlag{Name: "from", Required: true, Usage: "archive written by `tradewarden backup`"}},
		Action: func(c *cli.Context) error {
			f, err := os.Open(c.String("from"))
			if err != nil {
				return err
			}
			defer f.Close()
			res, err := wiring.Restore(c.Context, config(c), f)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "restored %s backup of %s: %d blobs, audit chain intact (%d entries), %d issued notices and %d exhibits match it\n",
				res.Manifest.Engine, res.Manifest.CreatedAt.Format("2006-01-02 15:04:05Z07:00"), res.Blobs, res.Integrity.Chain.Entries,
				res.Integrity.IssuedNotices, res.Integrity.Exhibits)
			fmt.Fprintln(c.App.Writer, "run `tradewarden evidence verify --all` to re-hash every exhibit, and `tradewarden reindex` to rebuild search")
			return nil
		},
	}
}
