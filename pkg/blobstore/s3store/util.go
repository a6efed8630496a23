package s3store

import (
	"encoding/base64"
	"io/fs"
)

var base64Std = base64.StdEncoding

func fsSkipAll() error { return fs.SkipAll }
