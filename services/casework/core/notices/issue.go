package notices

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// canIssue checks that p may issue n now.
func canIssue(n Notice, p principal.Principal) error {
	if err := needSupervisor(n, p, "issue"); err != nil {
		return err
	}
	if n.Status == Issued || n.Status.Frozen() {
		return apperr.New(apperr.Conflict, "notice is already issued as %s", n.Reference).With("reference", n.Reference)
	}
	if n.Status != Approved {
		return wrongState(n, "issue", Approved)
	}
	return nil
}

// prepared is a notice as it would be issued with one number, and its PDF.
type prepared struct {
	notice Notice
	pdf    []byte
}

// prepareIssue numbers n with seq, resolves its document and renders the
// PDF. It writes nothing, so Issue runs it outside the write transaction
// (on SQLite, outside the single-writer queue): the render, the slow part,
// never holds the database.
func (s *Service) prepareIssue(ctx context.Context, n Notice, p principal.Principal, now time.Time, seq int64) (prepared, error) {
	info := Info[n.Type]
	n.Reference = fmt.Sprintf("%s-%s-%d-%04d", n.AuthorityCode, info.Code, now.Year(), seq)
	n.Status, n.IssuerID, n.IssuedAt = Issued, p.UserID, &now
	n.Verification = VerificationCode(n)
	doc, err := s.document(ctx, n, false, now)
	if err != nil {
		return prepared{}, err
	}
	n.Recipient = recipientOf(doc.Recipient)
	var buf bytes.Buffer
	if err := s.render.Render(&buf, doc); err != nil {
		return prepared{}, fmt.Errorf("render notice: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	n.SHA256 = hex.EncodeToString(sum[:])
	return prepared{notice: n, pdf: buf.Bytes()}, nil
}

// keyedMutex is a mutex per key, held only while in use.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	mu   sync.Mutex
	refs int
}

// Lock locks key and returns its unlock.
func (k *keyedMutex) Lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
