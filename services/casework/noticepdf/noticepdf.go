// Package noticepdf renders enforcement notices (PSTI compliance, stop,
// recall and penalty notices, information notices and notices of intent) as
// A4 PDFs, implementing notices.Renderer on top of pkg/pdfdoc.
//
// A notice is the regulator's legal act and is read by courts, so every
// statutory particular is printed from the resolved notices.Document:
// recipient, products, grounds, a schedule of breaches tied to hashed
// exhibits, the steps and deadline, consequences, appeal or representations,
// penalty figures, evidence, signature, and on every page the reference,
// verification code and page count. The same Document always gives the same
// bytes.
package noticepdf

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// VerifyPath is the public page where a reference and verification code (or
// the PDF itself) can be checked; its absolute URL is printed on every page.
const VerifyPath = "/verify"

// DefaultBaseURL is where the service answers when TW_PUBLIC_BASE_URL is not set.
const DefaultBaseURL = "http://127.0.0.1:8080"

// Renderer draws notices as PDFs. It holds only its configuration and is
// safe for concurrent use.
type Renderer struct {
	baseURL string
}

var _ notices.Renderer = (*Renderer)(nil)

// Option configures a Renderer.
type Option func(*Renderer)

// WithBaseURL sets the public address of the service (TW_PUBLIC_BASE_URL),
// from which the printed verification URL and QR code are built.
func WithBaseURL(u string) Option {
	return func(r *Renderer) {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			r.baseURL = u
		}
	}
}

// New returns a Renderer.
func New(opts ...Option) *Renderer {
	r := &Renderer{baseURL: DefaultBaseURL}
	for _, o := range opts {
		o(r)
	}
	return r
}

// VerifyURL is the absolute address of the public verification page.
func (r *Renderer) VerifyURL() string { return r.baseURL + VerifyPath }

// Render refuses documents that cannot make a valid notice rather than print
// one that is missing a statutory particular.
var (
	// ErrUnknownType is returned for a type missing from notices.Info.
	ErrUnknownType = errors.New("unknown notice type")
	// ErrIncomplete is returned when a particular every notice needs is missing.
	ErrIncomplete = errors.New("notice document is incomplete")
	// ErrNoPenaltyTerm is returned for a penalty notice without its figures.
	ErrNoPenaltyTerm = errors.New("penalty notice has no penalty terms")
)

// Render writes d as a PDF to w.
func (r *Renderer) Render(w io.Writer, d notices.Document) error {
	n, err := prepare(d)
	if err != nil {
		return fmt.Errorf("render notice: %w", err)
	}
	n.verifyURL = r.VerifyURL()
	doc := n.layout()
	if err := doc.Write(w); err != nil {
		return fmt.Errorf("render %s: %w", n.name(), err)
	}
	return nil
}

// prepare checks that d can make a notice a court could rely on and resolves
// what every section needs.
func prepare(d notices.Document) (*notice, error) {
	info := d.Info
	if info.Title == "" {
		info = notices.Info[d.Notice.Type]
	}
	if info.Title == "" {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, d.Notice.Type)
	}
	var missing []string
	if d.Date.IsZero() {
		missing = append(missing, "date")
	}
	if d.AuthorityName == "" {
		missing = append(missing, "issuing authority")
	}
	if d.Recipient.Name == "" {
		missing = append(missing, "recipient")
	}
	if !d.Draft && d.Notice.Reference == "" {
		missing = append(missing, "reference")
	}
	if !d.Draft && d.Notice.Verification == "" {
		missing = append(missing, "verification code")
	}
	if !d.Draft && d.IssuerName == "" {
		missing = append(missing, "issuing officer")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: no %s", ErrIncomplete, joinAnd(missing))
	}
	t := d.Notice.Type
	if (t == notices.Penalty || t == notices.PenaltyIntent) && d.Notice.Penalty == nil {
		return nil, ErrNoPenaltyTerm
	}
	return &notice{d: d, info: info, t: t}, nil
}
