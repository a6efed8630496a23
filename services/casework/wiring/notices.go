package wiring

import (
	"context"
	"io"

	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
)

// noticeExhibits lets notices cite and keep exhibits through the evidence service.
type noticeExhibits struct{ ev *evidence.Service }

var _ notices.Exhibits = noticeExhibits{}

func toExhibitRef(e evidence.Exhibit) notices.ExhibitRef {
	return notices.ExhibitRef{ID: e.ID, Ref: e.Ref, SHA256: e.SHA256, Description: e.Description}
}

func (n noticeExhibits) Lookup(ctx context.Context, caseID string, ids []string) ([]notices.ExhibitRef, error) {
	exs, err := n.ev.Lookup(ctx, caseID, ids)
	out := make([]notices.ExhibitRef, len(exs))
	for i, e := range exs {
		out[i] = toExhibitRef(e)
	}
	return out, err
}

func (n noticeExhibits) StoreIssued(ctx context.Context, caseID, filename string, content []byte, description string) (notices.ExhibitRef, error) {
	e, err := n.ev.StoreGenerated(ctx, caseID, filename, content, description)
	return toExhibitRef(e), err
}

func (n noticeExhibits) Findings(ctx context.Context, caseID string, ids []string) ([]notices.FindingDetail, error) {
	all, err := n.ev.Findings(ctx, evidence.FindingFilter{CaseID: caseID, Limit: 100000})
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var out []notices.FindingDetail
	for _, f := range all {
		if want[f.ID] {
			out = append(out, notices.FindingDetail{ID: f.ID, EvidenceID: f.EvidenceID, Title: f.Title, Severity: f.Severity,
				Status: string(f.Status), Host: f.Host, Port: f.Port, Protocol: f.Protocol, Service: f.Service})
		}
	}
	return out, nil
}

func (n noticeExhibits) Open(ctx context.Context, exhibitID string) (io.ReadCloser, int64, error) {
	return n.ev.Open(ctx, exhibitID)
}

// noticeDirectory resolves the names a notice prints.
type noticeDirectory struct {
	ops      *operators.Service
	prods    *products.Service
	ident    bunstore.Identity
	profiles *authorities.Service
}

var _ notices.Directory = noticeDirectory{}

func (d noticeDirectory) Operator(ctx context.Context, id string) (operators.Operator, error) {
	return d.ops.Get(ctx, id)
}

func (d noticeDirectory) Product(ctx context.Context, id string) (products.Product, error) {
	return d.prods.Get(ctx, id)
}

func (d noticeDirectory) AuthorityName(ctx context.Context, id string) (string, error) {
	a, err := d.ident.AuthorityByID(ctx, id)
	return a.Name, err
}

func (d noticeDirectory) UserEmail(ctx context.Context, id string) (string, error) {
	u, err := d.ident.UserByID(ctx, id)
	return u.Email, err
}

func (d noticeDirectory) Profile(ctx context.Context, authorityID string) (authorities.Profile, error) {
	return d.profiles.ByID(ctx, authorityID)
}

func (d noticeDirectory) UserName(ctx context.Context, id string) (string, error) {
	u, err := d.ident.UserByID(ctx, id)
	return u.Name, err
}

// authorityDirectory finds authorities for the profile service.
type authorityDirectory struct{ ident bunstore.Identity }

var _ authorities.Directory = authorityDirectory{}

func toAuthority(a identity.Authority) authorities.Authority {
	return authorities.Authority{ID: a.ID, Code: a.Code, Name: a.Name, National: a.National}
}

func (d authorityDirectory) AuthorityByCode(ctx context.Context, code string) (authorities.Authority, error) {
	a, err := d.ident.AuthorityByCode(ctx, code)
	return toAuthority(a), err
}

func (d authorityDirectory) AuthorityByID(ctx context.Context, id string) (authorities.Authority, error) {
	a, err := d.ident.AuthorityByID(ctx, id)
	return toAuthority(a), err
}
