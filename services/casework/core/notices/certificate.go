package notices

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// Certificate is what a certificate of service states: who served which
// notice, how, when and on whom, and when it is treated as served.
type Certificate struct {
	Notice        Notice // the notice as issued
	Title         string // the notice type's title
	CaseReference string
	Authority     authorities.Profile
	// Recipient is the operator the notice was issued to, as it printed them.
	Recipient Recipient
	Method    string
	ServedAt  time.Time
	ServedTo  string
	// DeemedServedOn is the UK day the notice is treated as served.
	DeemedServedOn time.Time
	ServerName     string
	ServerEmail    string
	RecordedAt     time.Time
}

// Serve records how and when the notice was served, fixes the day it is
// treated as served from the authority's deemed-service days (the appeal
// clock runs from that day) and keeps a certificate of service as an exhibit
// of the case. The certificate is rendered before the write transaction,
// which only stores it: a notice that changed meanwhile is refused, not
// certified from stale facts.
func (s *Service) Serve(ctx context.Context, id, method string, servedAt time.Time, servedTo string) (Notice, error) {
	method, servedTo = strings.TrimSpace(method), strings.TrimSpace(servedTo)
	var fe apperr.Fields
	fe.Check(!slices.Contains(ServeMethods, method), "method", "must be one of %s", strings.Join(ServeMethods, ", "))
	fe.Check(servedTo == "" || len(servedTo) > 500, "served_to", "say who it was served on (max 500 characters)")
	fe.Check(servedAt.IsZero(), "served_at", "is required")
	fe.Check(servedAt.After(s.now().Add(5*time.Minute)), "served_at", "must not be in the future")
	if err := fe.Err(); err != nil {
		return Notice{}, err
	}
	n, p, err := s.load(ctx, id, false)
	if err != nil {
		return Notice{}, fmt.Errorf("serve %s: %w", id, err)
	}
	if err := s.canServe(ctx, n, p, servedAt); err != nil {
		return Notice{}, fmt.Errorf("serve %s: %w", id, err)
	}
	cert, pdf, err := s.certificate(ctx, n, p, method, servedAt.UTC(), servedTo)
	if err != nil {
		return Notice{}, fmt.Errorf("serve %s: %w", id, err)
	}
	return s.mutate(ctx, id, "notice.serve", func(ctx context.Context, cur *Notice, p principal.Principal) (map[string]any, error) {
		if err := s.canServe(ctx, *cur, p, servedAt); err != nil {
			return nil, err
		}
		if cur.Version != n.Version {
			return nil, apperr.New(apperr.Conflict, "notice %s changed while its certificate of service was prepared: try again", cur.Reference)
		}
		sum := sha256.Sum256(pdf)
		ex, err := s.exhibits.StoreIssued(ctx, cur.CaseID, cur.Reference+"-certificate-of-service.pdf", pdf,
			fmt.Sprintf("Certificate of service of %s %s", Info[cur.Type].Title, cur.Reference))
		if err != nil {
			return nil, err
		}
		at, deemed := cert.ServedAt, cert.DeemedServedOn
		cur.Status, cur.ServedAt, cur.ServedBy, cur.ServeMethod, cur.ServedTo = Served, &at, p.UserID, method, servedTo
		cur.DeemedServedOn, cur.ServiceCertificateID = &deemed, ex.ID
		return map[string]any{"method": method, "served_at": at, "served_to": servedTo, "deemed_served_on": deemed.Format(time.DateOnly),
			"appeal_by": cur.AppealBy(), "certificate_exhibit_id": ex.ID, "certificate_exhibit_ref": ex.Ref,
			"certificate_sha256": hex.EncodeToString(sum[:])}, nil
	})
}

// canServe checks that p may record service of n now.
func (s *Service) canServe(ctx context.Context, n Notice, p principal.Principal, servedAt time.Time) error {
	if _, err := s.workCase(ctx, n, p, "serve"); err != nil {
		return err
	}
	if n.Status != Issued {
		return wrongState(n, "serve", Issued)
	}
	if servedAt.Before(*n.IssuedAt) {
		return apperr.InvalidField("served_at", "must not be before the notice was issued")
	}
	return nil
}

// certificate resolves and renders the certificate of service of n.
func (s *Service) certificate(ctx context.Context, n Notice, p principal.Principal, method string, at time.Time, to string) (Certificate, []byte, error) {
	c, err := s.cases.Get(ctx, n.CaseID)
	if err != nil {
		return Certificate{}, nil, err
	}
	prof, err := s.dir.Profile(ctx, n.AuthorityID)
	if err != nil {
		return Certificate{}, nil, err
	}
	cert := Certificate{Notice: n, Title: Info[n.Type].Title, CaseReference: c.Reference, Authority: prof, Method: method,
		ServedAt: at, ServedTo: to, DeemedServedOn: prof.DeemedServed(method, at), RecordedAt: s.now().UTC().Truncate(time.Second)}
	if n.Recipient != nil {
		cert.Recipient = *n.Recipient
	} else if op, err := s.dir.Operator(ctx, n.OperatorID); err == nil {
		cert.Recipient = *recipientOf(op)
	} else {
		return Certificate{}, nil, err
	}
	if cert.ServerName, err = s.dir.UserName(ctx, p.UserID); err != nil {
		return Certificate{}, nil, err
	}
	if cert.ServerEmail, err = s.dir.UserEmail(ctx, p.UserID); err != nil {
		return Certificate{}, nil, err
	}
	var buf bytes.Buffer
	if err := s.render.RenderCertificate(&buf, cert); err != nil {
		return Certificate{}, nil, fmt.Errorf("render certificate of service: %w", err)
	}
	return cert, buf.Bytes(), nil
}
