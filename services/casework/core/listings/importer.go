package listings

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
)

// Import defaults and limits.
const (
	DefaultBatchSize = 1000
	MaxBatchSize     = 10000
	// DefaultMaxLine is the longest NDJSON line (or CSV record) accepted.
	DefaultMaxLine = 1 << 20
	// MaxRejected is how many rejected lines an import reports in detail;
	// RejectedTotal counts them all.
	MaxRejected = 1000
)

// ImportOptions tunes one import.
type ImportOptions struct {
	Format Format
	// Key names the import for resumption: a re-run with the same key skips
	// the batches a previous, interrupted run committed (when the input
	// starts with the same bytes). Empty disables resumption.
	Key       string
	BatchSize int
	MaxLine   int
	// Progress, when set, is called after every committed batch.
	Progress func(Progress)
}

// Progress is the state of a running import.
type Progress struct {
	Bytes     int64 // input bytes read and committed, including skipped ones
	Lines     int64
	Imported  int64
	Updated   int64
	Unchanged int64
	Rejected  int64
}

// LineError is a rejected line and why.
type LineError struct {
	Line  int64
	Error string
}

// ImportResult is what an import did.
type ImportResult struct {
	Imported  int64 // new listings
	Updated   int64 // existing listings whose content or observation changed
	Unchanged int64 // lines identical to what is stored
	// Rejected lists the first MaxRejected bad lines; RejectedTotal counts all.
	Rejected      []LineError
	RejectedTotal int64
	Lines         int64 // lines read by this run (after any resumed prefix)
	// ResumedAfterLine is the last line a previous interrupted run
	// committed, when this run continued from it; 0 otherwise.
	ResumedAfterLine int64
	// IgnoredFields counts, per unknown field name, the lines that gave
	// it a value; MappedFields the lines that used each alias.
	IgnoredFields map[string]int64
	MappedFields  map[string]MappedField
	// DataQuality counts the listings with each kind of unusable data
	// (DataGTINPlaceholder, QualityGTINInvalid, QualityVDPInvalid,
	// DataCategoryUnmapped); UnmappedCategories the seller categories
	// that map to no category code, with how many listings gave each.
	DataQuality        map[string]int64
	UnmappedCategories map[string]int64
}

// MappedField is the field an alias was read as, and on how many lines.
type MappedField struct {
	Field string
	Lines int64
}

// Counters of ImportResult.DataQuality beside the listings' own flags.
const (
	DataGTINPlaceholder  = "gtin_placeholder"
	DataCategoryUnmapped = "category_unmapped"
)

// Bounds on the distinct names an import report counts; the rest are
// counted under OtherNames.
const (
	maxReportFields     = 100
	maxReportCategories = 100
	OtherNames          = "(others)"
)

func bump(m map[string]int64, key string, n int64, limit int) {
	if _, ok := m[key]; !ok && len(m) >= limit {
		key = OtherNames
	}
	m[key] += n
}

// importStats are the report's counts over some lines.
type importStats struct {
	ignored, quality, categories map[string]int64
	mapped                       map[string]MappedField
}

func newImportStats() *importStats {
	return &importStats{ignored: map[string]int64{}, quality: map[string]int64{}, categories: map[string]int64{},
		mapped: map[string]MappedField{}}
}

func (st *importStats) notes(n FieldNotes) {
	for i, name := range n.Ignored {
		if !slices.Contains(n.Ignored[:i], name) {
			bump(st.ignored, name, 1, maxReportFields)
		}
	}
	for _, m := range n.Mapped {
		addMapped(st.mapped, m.From, MappedField{Field: m.To, Lines: 1})
	}
}

// addMapped counts lines that used the alias from (aliases are a fixed
// table, so the map stays small).
func addMapped(dst map[string]MappedField, from string, m MappedField) {
	cur, ok := dst[from]
	if !ok {
		dst[from] = m
		return
	}
	cur.Lines += m.Lines
	dst[from] = cur
}

func (st *importStats) listing(l Listing) {
	for _, q := range l.Quality {
		st.quality[q]++
	}
	if l.gtinPlaceholder {
		st.quality[DataGTINPlaceholder]++
	}
	if l.SellerCategory != "" && l.Category == "" {
		st.quality[DataCategoryUnmapped]++
		bump(st.categories, clip(l.SellerCategory), 1, maxReportCategories)
	}
}

// add merges a chunk's counts into the result.
func (r *ImportResult) add(st *importStats) {
	if st == nil {
		return
	}
	merge := func(dst *map[string]int64, src map[string]int64, limit int) {
		if len(src) == 0 {
			return
		}
		if *dst == nil {
			*dst = map[string]int64{}
		}
		for k, v := range src {
			bump(*dst, k, v, limit)
		}
	}
	merge(&r.IgnoredFields, st.ignored, maxReportFields)
	merge(&r.DataQuality, st.quality, maxReportFields)
	merge(&r.UnmappedCategories, st.categories, maxReportCategories)
	if len(st.mapped) > 0 && r.MappedFields == nil {
		r.MappedFields = map[string]MappedField{}
	}
	for k, m := range st.mapped {
		addMapped(r.MappedFields, k, m)
	}
}

func (r *ImportResult) reject(line int64, msg string) {
	r.RejectedTotal++
	if len(r.Rejected) < MaxRejected {
		r.Rejected = append(r.Rejected, LineError{Line: line, Error: msg})
	}
}

// describeErr renders a validation error as one line of text.
func describeErr(err error) string {
	ae, ok := apperr.As(err)
	if !ok || len(ae.Fields) == 0 {
		return err.Error()
	}
	parts := make([]string, len(ae.Fields))
	for i, f := range ae.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// Import streams listings from r, committing them in batches (each batch,
// its index work and its audit entry in one transaction). Lines that fail
// validation are reported with their line number and skipped; the rest are
// kept. Listings are matched on (retailer, URL) or (retailer, listing_id):
// a match is updated when its content changed and left alone otherwise, so
// re-running an import never duplicates anything.
func (s *Service) Import(ctx context.Context, r io.Reader, opt ImportOptions) (ImportResult, error) {
	var res ImportResult
	if opt.Format != FormatNDJSON && opt.Format != FormatCSV {
		return res, apperr.InvalidField("format", "must be ndjson or csv")
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = DefaultBatchSize
	}
	opt.BatchSize = min(opt.BatchSize, MaxBatchSize)
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxLine
	}
	if len(opt.Key) > 200 {
		return res, apperr.InvalidField("resume_key", "must be at most 200 characters")
	}
	t := &tracker{src: r, h: sha256.New(), limit: 4*opt.MaxLine + 1<<20}
	var csvHeader []string
	if opt.Key != "" {
		cp, ok, err := s.store.GetCheckpoint(ctx, opt.Key)
		if err != nil {
			return res, err
		}
		if ok {
			resumed, err := s.skipPrefix(t, r, cp, opt.Format)
			if err != nil {
				return res, err
			}
			if resumed {
				res.ResumedAfterLine = cp.Lines
				if cp.Format == FormatCSV {
					csvHeader = cp.Header
				}
			}
		}
	}
	var dec decoder
	switch {
	case opt.Format == FormatNDJSON:
		dec = newNDJSONDecoder(t, t.lines+1, t.consumed, opt.MaxLine)
	case csvHeader != nil:
		dec = resumeCSV(t, csvHeader, t.lines, t.consumed)
	default:
		cd, err := readCSVHeader(t)
		if err != nil {
			return res, apperr.Wrap(err, apperr.Invalid, "the import cannot be read: %v", err)
		}
		dec, csvHeader = cd, cd.header
	}
	run := &importRun{s: s, opt: opt, t: t, res: &res, header: csvHeader, importID: opt.Key, startedAt: s.now().UTC()}
	if run.importID == "" {
		run.importID = ids.New()
	}
	// One goroutine decodes and validates the next batch while the caller's
	// goroutine commits the current one: the database's work (in its own
	// process, or SQLite's on this core) overlaps with parsing.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan chunk, 1)
	go run.read(ctx, dec, chunks)
	for ch := range chunks {
		res.Lines += ch.lines
		res.add(ch.stats)
		for _, le := range ch.rejected {
			res.reject(le.Line, le.Error)
		}
		if ch.err != nil {
			return res, ch.err
		}
		if err := run.commit(ctx, ch); err != nil {
			return res, err
		}
	}
	// The reader stops early, without an error of its own, only when the
	// caller gave up.
	return res, ctx.Err()
}

// chunk is one batch of validated lines with what was read up to its end.
type chunk struct {
	batch    []pending
	stats    *importStats
	rejected []LineError
	lines    int64 // lines read into this chunk
	at       position
	last     bool
	err      error // reading failed; nothing follows
}

// position is how far the input was read when a chunk was cut.
type position struct {
	offset int64
	lines  int64
	prefix string // hex SHA-256 of the first offset bytes
}

// read decodes and validates lines into chunks of at most BatchSize
// listings; it stops when ctx ends.
func (r *importRun) read(ctx context.Context, dec decoder, out chan<- chunk) {
	defer close(out)
	send := func(ch chunk) bool {
		select {
		case out <- ch:
			return true
		case <-ctx.Done():
			return false
		}
	}
	cur := chunk{batch: make([]pending, 0, r.opt.BatchSize), stats: newImportStats()}
	for {
		if err := ctx.Err(); err != nil {
			return
		}
		rec, err := dec.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			cur.batch, cur.err = nil, apperr.Wrap(err, apperr.Malformed, "reading the import stopped after line %d: %v", r.t.lines, err)
			send(cur)
			return
		}
		cur.lines++
		cur.stats.notes(rec.notes)
		if rec.err != "" {
			cur.rejected = append(cur.rejected, LineError{Line: rec.line, Error: rec.err})
			continue
		}
		l, err := parse(rec.in, r.s.now())
		if err != nil {
			cur.rejected = append(cur.rejected, LineError{Line: rec.line, Error: describeErr(err)})
			continue
		}
		cur.stats.listing(l)
		cur.batch = append(cur.batch, pending{line: rec.line, l: l, explicitProduct: l.ProductID != "" || rec.in.NoProduct,
			observed: strings.TrimSpace(rec.in.ObservedAt) != ""})
		if len(cur.batch) >= r.opt.BatchSize {
			cur.at = r.position()
			if !send(cur) {
				return
			}
			cur = chunk{batch: make([]pending, 0, r.opt.BatchSize), stats: newImportStats()}
		}
	}
	cur.at, cur.last = r.position(), true
	send(cur)
}

func (r *importRun) position() position {
	return position{offset: r.t.consumed, lines: r.t.lines, prefix: hex.EncodeToString(r.t.h.Sum(nil))}
}

// skipPrefix reads the part of the input an interrupted run committed and
// checks it is the same bytes. On a mismatch a seekable input starts over;
// any other input is refused, since what was read cannot be re-read.
func (s *Service) skipPrefix(t *tracker, r io.Reader, cp Checkpoint, f Format) (bool, error) {
	if cp.Format != f {
		return false, apperr.New(apperr.Conflict, "resume key %q belongs to a %s import, not %s", cp.Key, cp.Format, f)
	}
	n, err := io.CopyN(t.h, r, cp.Offset)
	if err == nil && hex.EncodeToString(t.h.Sum(nil)) == cp.PrefixSHA256 {
		t.consumed = cp.Offset
		t.lines = cp.Lines
		return true, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the committed part of the import: %w", err)
	}
	if sk, ok := r.(io.Seeker); ok {
		if _, err := sk.Seek(0, io.SeekStart); err != nil {
			return false, fmt.Errorf("rewind the import: %w", err)
		}
		t.h.Reset()
		return false, nil
	}
	return false, apperr.New(apperr.Conflict, "resume key %q names an interrupted import whose first %d bytes differ from this "+
		"input (%d bytes matched in length); send the import again without the key, or with a new one", cp.Key, cp.Offset, n).
		With("committed_lines", cp.Lines)
}

// pending is a validated line waiting for its batch to commit.
type pending struct {
	line            int64
	l               Listing
	explicitProduct bool
	// observed is whether the line gave its observation time; without one,
	// an unchanged listing keeps the time it was last seen with new content.
	observed bool
}

// importRun is the state one Import call carries between batches.
type importRun struct {
	s         *Service
	opt       ImportOptions
	t         *tracker
	res       *ImportResult
	header    []string
	importID  string
	startedAt time.Time
}

// commit writes one batch, retrying when a concurrent writer claimed one of
// its keys first. The last commit also clears the checkpoint.
func (r *importRun) commit(ctx context.Context, ch chunk) error {
	var (
		c   counts
		err error
	)
	for attempt := 0; attempt < 3; attempt++ {
		c, err = r.tryCommit(ctx, ch)
		if !errors.Is(err, ErrKeyTaken) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("import batch ending at line %d: %w", ch.at.lines, err)
	}
	r.res.Imported += c.imported
	r.res.Updated += c.updated
	r.res.Unchanged += c.unchanged
	for _, le := range c.rejected {
		r.res.reject(le.Line, le.Error)
	}
	if r.opt.Progress != nil {
		r.opt.Progress(Progress{Bytes: ch.at.offset, Lines: ch.at.lines, Imported: r.res.Imported, Updated: r.res.Updated,
			Unchanged: r.res.Unchanged, Rejected: r.res.RejectedTotal})
	}
	return nil
}

func (r *importRun) tryCommit(ctx context.Context, ch chunk) (counts, error) {
	var c counts
	batch := ch.batch
	err := r.s.tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = r.s.writeBatch(ctx, batch); err != nil {
			return err
		}
		if r.opt.Key != "" {
			if ch.last {
				err = r.s.store.DeleteCheckpoint(ctx, r.opt.Key)
			} else {
				err = r.s.store.SaveCheckpoint(ctx, r.checkpoint(ctx, ch.at))
			}
			if err != nil {
				return err
			}
		}
		if len(batch) == 0 {
			return nil
		}
		return r.s.log.Record(ctx, audit.Event{Action: "listing.import_batch", ObjectType: "listing_import",
			ObjectID: r.importID, Detail: map[string]any{"format": r.opt.Format, "first_line": batch[0].line,
				"last_line": batch[len(batch)-1].line, "imported": c.imported, "updated": c.updated,
				"unchanged": c.unchanged, "rejected": len(c.rejected)}})
	})
	return c, err
}

func (r *importRun) checkpoint(ctx context.Context, at position) Checkpoint {
	return Checkpoint{Key: r.opt.Key, Format: r.opt.Format, Header: r.header, Offset: at.offset, Lines: at.lines,
		PrefixSHA256: at.prefix, Actor: actor(ctx), StartedAt: r.startedAt, UpdatedAt: r.s.now().UTC()}
}
