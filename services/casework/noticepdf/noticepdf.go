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

	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// VerifyPath is the public endpoint where a reference and verification code
// (or the PDF itself) can be checked; it is printed on every page.
const VerifyPath = "/api/v1/notices/verify"

// Renderer draws notices as PDFs. It holds no state and is safe for
// concurrent use.
type Renderer struct{}

var _ notices.Renderer = (*Renderer)(nil)

// New returns a Renderer.
func New() *Renderer { return &Renderer{} }

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
