// Package integrity checks that what the database holds is what the audit
// log recorded: the hash chain itself (keyed, against escrowed checkpoints)
// and, beyond it, the stored state the law relies on — every issued notice
// still has the particulars and PDF hash recorded when it was issued, and
// every exhibit still has the SHA-256 and size recorded at upload, with
// stored bytes that hash to it. An edit made straight in the database (a
// notice's steps, an exhibit's sha256 rewritten together with its blob)
// passes the chain check but not these.
package integrity

import (
	"context"
	"fmt"
	"slices"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// Notices reads issued notices, across authorities.
type Notices interface {
	// IssuedNotices calls fn for every notice that has a reference, an issue
	// time or a PDF.
	IssuedNotices(ctx context.Context, fn func(notices.Notice) error) error
	// NoticeByID loads any notice; notices.ErrNotFound when there is none.
	NoticeByID(ctx context.Context, id string) (notices.Notice, error)
}

// Exhibits reads every exhibit with the code of the authority owning its case.
type Exhibits interface {
	ExhibitsWithAuthority(ctx context.Context, fn func(ex evidence.Exhibit, authority string) error) error
}

// Blobs reads stored bytes without recording anything.
type Blobs interface {
	// Size returns the stored size; an error wrapping evidence.ErrBlobMissing when absent.
	Size(sha string) (int64, error)
	// Verify re-hashes the stored bytes (see evidence.Blobs).
	Verify(ctx context.Context, sha string) (ok bool, actual string, err error)
}

// Checker runs the integrity checks.
type Checker struct {
	log      audit.Reader
	key      *audit.Key
	notices  Notices
	exhibits Exhibits
	blobs    Blobs
}

// New returns a checker; key may be nil (an unkeyed log).
func New(log audit.Reader, key *audit.Key, ns Notices, ex Exhibits, blobs Blobs) *Checker {
	return &Checker{log: log, key: key, notices: ns, exhibits: ex, blobs: blobs}
}

// Options says how thoroughly to check.
type Options struct {
	// Checkpoints are escrowed heads the log must still extend.
	Checkpoints []audit.Checkpoint
	// Rehash re-reads every stored blob and hashes it; otherwise only its
	// presence and size are checked.
	Rehash bool
}

// Check kinds.
const (
	CheckChain      = "chain"
	CheckCheckpoint = "checkpoint"
	CheckNotice     = "notice"
	CheckExhibit    = "exhibit"
)

// Problem is one thing that does not verify.
type Problem struct {
	Check string `json:"check"`
	// EntryID is the audit entry concerned: the first broken one, or the
	// one that recorded what the stored object now contradicts.
	EntryID *int64 `json:"entry_id,omitempty"`
	// Authority owns the object ("" for the chain itself).
	Authority  string `json:"authority,omitempty"`
	ObjectType string `json:"object_type,omitempty"`
	ObjectID   string `json:"object_id,omitempty"`
	Reference  string `json:"reference,omitempty"`
	// Field names what differs (several joined with ", ").
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// Report is the outcome of a check.
type Report struct {
	OK    bool         `json:"ok"`
	Chain audit.Result `json:"chain"`
	// IssuedNotices and Exhibits count what was compared with the log.
	IssuedNotices int  `json:"issued_notices"`
	Exhibits      int  `json:"exhibits"`
	Rehashed      bool `json:"blobs_rehashed"`
	// Problems lists every failure, chain first, then stored state in log order.
	Problems []Problem `json:"problems"`
}

// First returns the first problem, if any.
func (r Report) First() (Problem, bool) {
	if len(r.Problems) == 0 {
		return Problem{}, false
	}
	return r.Problems[0], true
}

// Check verifies the chain, then every issued notice and exhibit against it.
func (c *Checker) Check(ctx context.Context, o Options) (Report, error) {
	rec := newRecorded()
	chain, err := audit.Verify(ctx, c.log, audit.VerifyOptions{Key: c.key, Checkpoints: o.Checkpoints, Each: rec.add})
	if err != nil {
		return Report{}, err
	}
	r := &run{c: c, o: o, rec: rec, head: chain.HeadSeq, rep: Report{Chain: chain, Rehashed: o.Rehash, Problems: []Problem{}}}
	r.chainProblems()
	if err := r.checkExhibits(ctx); err != nil {
		return Report{}, err
	}
	if err := r.checkNotices(ctx); err != nil {
		return Report{}, err
	}
	r.sort()
	r.rep.OK = len(r.rep.Problems) == 0
	return r.rep, nil
}

// run is one check in progress.
type run struct {
	c    *Checker
	o    Options
	rec  *recorded
	head int64
	rep  Report
	// pdfs maps exhibit ids to stored hashes, to check issued notices' PDFs.
	pdfs map[string]string
	// state collects stored-state problems, sorted after the chain's.
	state []Problem
}

func (r *run) chainProblems() {
	ch := r.rep.Chain
	if !ch.OK && (ch.FirstBad != nil || len(ch.Checkpoints) == 0) {
		r.rep.Problems = append(r.rep.Problems, Problem{Check: CheckChain, EntryID: ch.FirstBad, Reason: ch.Reason})
	}
	for _, cp := range ch.Checkpoints {
		if !cp.OK {
			r.rep.Problems = append(r.rep.Problems, Problem{Check: CheckCheckpoint, Reason: cp.Reason,
				ObjectType: "checkpoint", ObjectID: fmt.Sprint(cp.Seq)})
		}
	}
}

func (r *run) problem(p Problem) { r.state = append(r.state, p) }

// sort orders stored-state problems by the audit entry they contradict.
func (r *run) sort() {
	slices.SortStableFunc(r.state, func(a, b Problem) int {
		switch {
		case a.EntryID == nil && b.EntryID == nil:
			return 0
		case a.EntryID == nil:
			return 1
		case b.EntryID == nil:
			return -1
		}
		return int(*a.EntryID - *b.EntryID)
	})
	r.rep.Problems = append(r.rep.Problems, r.state...)
}

// createdAfterHead reports whether the log records the object after the
// head the chain check read: it was created while the check ran.
func (r *run) createdAfterHead(ctx context.Context, objectType, id string, actions ...string) (bool, error) {
	later, err := r.c.log.List(ctx, audit.Filter{ObjectType: objectType, ObjectID: id, Ascending: true, Before: r.head, Limit: 50})
	if err != nil {
		return false, fmt.Errorf("look up later audit entries of %s %s: %w", objectType, id, err)
	}
	return slices.ContainsFunc(later, func(e audit.Entry) bool { return slices.Contains(actions, e.Action) }), nil
}

func seqPtr(v int64) *int64 { return &v }
