package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/core/redact"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// CaseSource is what a referral package reads of a case, with the case
// service's access rules.
type CaseSource interface {
	Get(ctx context.Context, id string) (cases.Case, error)
	Parties(ctx context.Context, id string) ([]cases.Party, error)
	Notes(ctx context.Context, id string) ([]cases.Note, error)
	Assessment(ctx context.Context, id string) (cases.Matrix, error)
}

// NoticeSource lists a case's notices and their payments.
type NoticeSource interface {
	List(ctx context.Context, f notices.ListFilter) ([]notices.Notice, error)
	Payments(ctx context.Context, id string) ([]notices.Payment, error)
}

// EvidenceSource lists and opens exhibits and records their export in the
// chain of custody.
type EvidenceSource interface {
	List(ctx context.Context, caseID string) ([]evidence.Exhibit, error)
	Open(ctx context.Context, id string) (io.ReadCloser, int64, error)
	RecordExport(ctx context.Context, id, recipient, note string) error
}

// Registers resolves the operators, products and people a package names.
type Registers interface {
	Operator(ctx context.Context, id string) (operators.Operator, error)
	Product(ctx context.Context, id string) (products.Product, error)
	UserName(ctx context.Context, id string) (string, error)
	AuthorityName(ctx context.Context, id string) (string, error)
}

// Renderer draws the PDFs.
type Renderer interface {
	// SummaryPDF draws the aggregate report with its tables and charts.
	SummaryPDF(w io.Writer, s Summary) error
	// CasePDF draws a referral package's case.pdf.
	CasePDF(w io.Writer, f CaseFile) error
}

// ExportDeps are what referral packages need.
type ExportDeps struct {
	Cases     CaseSource
	Notices   NoticeSource
	Evidence  EvidenceSource
	Registers Registers
	Renderer  Renderer
	Tx        txn.Runner
	Log       audit.Log
}

type exporter struct{ ExportDeps }

// UseExports enables referral packages and PDF rendering.
func (s *Service) UseExports(d ExportDeps) { s.exports = &exporter{d} }

// RenderSummary draws the summary as a PDF.
func (s *Service) RenderSummary(w io.Writer, sum Summary) error {
	if s.exports == nil || s.exports.Renderer == nil {
		return apperr.New(apperr.Unavailable, "PDF rendering is not configured")
	}
	return s.exports.Renderer.SummaryPDF(w, sum)
}

// ExportRequest is a supervisor's request for a referral package.
type ExportRequest struct {
	Recipient       string
	Purpose         string
	IncludeEvidence bool
	// ExhibitIDs selects the exhibits to include; empty means every exhibit
	// the case holds except documents TradeWarden generated (R8).
	ExhibitIDs []string
}

// Package is a referral package ready to be streamed as a ZIP archive: the
// export is already recorded (custody and audit) when it is returned.
type Package struct {
	ID          string
	CaseID      string
	CaseRef     string
	GeneratedAt time.Time
	// Files are in archive order, manifest.json last.
	Files []PackageFile
}

// PackageFile is one file of a package. Generated files carry their bytes;
// exhibits are opened when streamed and must hash to SHA256.
type PackageFile struct {
	Path       string
	MediaType  string
	Size       int64
	SHA256     string
	ExhibitID  string
	ExhibitRef string
	content    []byte
	open       func(ctx context.Context) (io.ReadCloser, int64, error)
}

// Open returns the file's bytes.
func (f PackageFile) Open(ctx context.Context) (io.ReadCloser, error) {
	if f.open == nil {
		return io.NopCloser(bytes.NewReader(f.content)), nil
	}
	rc, size, err := f.open(ctx)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.Path, err)
	}
	if size != f.Size {
		rc.Close()
		return nil, fmt.Errorf("open %s: stored size %d, recorded %d", f.Path, size, f.Size)
	}
	return rc, nil
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func generated(path, mediaType string, b []byte) PackageFile {
	return PackageFile{Path: path, MediaType: mediaType, Size: int64(len(b)), SHA256: hashOf(b), content: b}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// exhibitPath is where an exhibit goes in the archive: exhibits/EX-001_name.
func exhibitPath(ex evidence.Exhibit) string {
	ref := ex.Ref
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	name := strings.Trim(unsafeName.ReplaceAllString(ex.Filename, "_"), "._")
	if name == "" {
		name = "exhibit"
	}
	return "exhibits/" + unsafeName.ReplaceAllString(ref, "_") + "_" + name
}

// Export builds a referral package of a case for another agency, applies
// the redaction rules, and records the export in each exported exhibit's
// chain of custody and in the audit log, in one transaction, before any
// byte is handed out.
func (s *Service) Export(ctx context.Context, caseID string, req ExportRequest) (Package, error) {
	if s.exports == nil {
		return Package{}, apperr.New(apperr.Unavailable, "referral packages are not configured")
	}
	x := s.exports
	var fe apperr.Fields
	req.Recipient, req.Purpose = strings.TrimSpace(req.Recipient), strings.TrimSpace(req.Purpose)
	fe.Check(req.Recipient == "" || len(req.Recipient) > 300, "recipient", "is required: the agency receiving the package (max 300 characters)")
	fe.Check(req.Purpose == "" || len(req.Purpose) > 2000, "purpose", "is required: why the package is shared (max 2000 characters)")
	fe.Check(len(req.ExhibitIDs) > 0 && !req.IncludeEvidence, "exhibit_ids", "needs include_evidence: true")
	fe.Check(len(req.ExhibitIDs) > 500, "exhibit_ids", "must list at most 500 exhibits")
	if err := fe.Err(); err != nil {
		return Package{}, err
	}
	p, _ := principal.From(ctx)
	c, err := x.Cases.Get(ctx, caseID)
	if err != nil {
		return Package{}, err
	}
	// The owner decides what leaves: collaborators do not pass the case on.
	if c.AuthorityID != p.Authority.ID {
		return Package{}, apperr.New(apperr.Forbidden, "only the owning authority (%s) may export case %s", c.AuthorityCode, c.Reference)
	}
	now := s.now().UTC().Truncate(time.Second)
	b := &builder{ctx: ctx, x: x, red: newRedactor(), file: CaseFile{PackageID: ids.New(), GeneratedAt: now, Recipient: req.Recipient,
		Purpose: req.Purpose}}
	b.file.GeneratedBy = Issuer{Name: p.Name, Email: p.Email, AuthorityCode: p.Authority.Code, AuthorityName: p.Authority.Name}
	b.red.name(p.UserID, p.Name)
	exhibits, selected, err := b.build(c, req)
	if err != nil {
		return Package{}, err
	}
	var pdf bytes.Buffer
	if err := x.Renderer.CasePDF(&pdf, b.file); err != nil {
		return Package{}, fmt.Errorf("render case.pdf: %w", err)
	}
	caseJSON, err := b.file.JSON()
	if err != nil {
		return Package{}, fmt.Errorf("encode case.json: %w", err)
	}
	pkg := Package{ID: b.file.PackageID, CaseID: c.ID, CaseRef: c.Reference, GeneratedAt: now}
	pkg.Files = append(pkg.Files, generated("case.pdf", "application/pdf", pdf.Bytes()), generated("case.json", "application/json", caseJSON))
	for _, ex := range selected {
		id := ex.ID
		pkg.Files = append(pkg.Files, PackageFile{Path: exhibitPath(ex), MediaType: ex.MediaType, Size: ex.Size, SHA256: ex.SHA256,
			ExhibitID: ex.ID, ExhibitRef: ex.Ref, open: func(ctx context.Context) (io.ReadCloser, int64, error) {
				return x.Evidence.Open(ctx, id)
			}})
	}
	manifest, err := b.manifest(pkg, exhibits)
	if err != nil {
		return Package{}, err
	}
	mf := generated("manifest.json", "application/json", manifest)
	pkg.Files = append(pkg.Files, mf)
	err = x.Tx.InTx(ctx, func(ctx context.Context) error {
		note := fmt.Sprintf("referral package %s: %s", pkg.ID, req.Purpose)
		for _, ex := range selected {
			if err := x.Evidence.RecordExport(ctx, ex.ID, req.Recipient, note); err != nil {
				return fmt.Errorf("record export of %s: %w", ex.Ref, err)
			}
		}
		files := make([]map[string]any, 0, len(pkg.Files))
		for _, f := range pkg.Files {
			files = append(files, map[string]any{"path": f.Path, "sha256": f.SHA256, "size": f.Size})
		}
		refs := make([]string, 0, len(selected))
		for _, ex := range selected {
			refs = append(refs, ex.Ref)
		}
		rules := make([]string, 0, len(b.file.Redactions))
		for _, r := range b.file.Redactions {
			rules = append(rules, r.ID)
		}
		return x.Log.Record(ctx, audit.Event{Action: "case.export", ObjectType: "case", ObjectID: c.ID, CaseID: c.ID,
			Detail: map[string]any{"package_id": pkg.ID, "recipient": req.Recipient, "purpose": req.Purpose,
				"include_evidence": req.IncludeEvidence, "exhibit_refs": refs, "files": files, "redaction_rules": rules}})
	})
	if err != nil {
		return Package{}, fmt.Errorf("record export of %s: %w", c.Reference, err)
	}
	return pkg, nil
}

// builder gathers and redacts a package's content.
type builder struct {
	ctx  context.Context
	x    *exporter
	red  *redactor
	file CaseFile
	// text redacts free text: the complainant (R1) and sole traders (R4).
	text *redact.Scrubber
	// soleTraders are the operators redacted as sole traders (R4).
	soleTraders map[string]bool
	// noticePDFs maps an issued notice's exhibit to the notice.
	noticePDFs map[string]notices.Notice
}

// build fills the case file and returns the case's exhibits and those
// selected for the package.
func (b *builder) build(c cases.Case, req ExportRequest) (all, selected []evidence.Exhibit, err error) {
	ctx, x, red := b.ctx, b.x, b.red
	authName, err := x.Registers.AuthorityName(ctx, c.AuthorityID)
	if err != nil {
		return nil, nil, fmt.Errorf("authority of %s: %w", c.Reference, err)
	}
	ns, err := x.Notices.List(ctx, notices.ListFilter{CaseID: c.ID, Limit: 1000})
	if err != nil {
		return nil, nil, fmt.Errorf("notices of %s: %w", c.Reference, err)
	}
	slices.SortFunc(ns, func(a, b notices.Notice) int { return a.CreatedAt.Compare(b.CreatedAt) })
	issued := slices.DeleteFunc(ns, func(n notices.Notice) bool { return n.IssuedAt == nil }) // drafts are the authority's own deliberation
	if err := b.nameIssuers(issued); err != nil {
		return nil, nil, err
	}
	parties, err := x.Cases.Parties(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("parties of %s: %w", c.Reference, err)
	}
	ops, err := b.operators(parties, issued)
	if err != nil {
		return nil, nil, err
	}
	b.redaction(c, parties, issued, ops)

	info := CaseInfo{Reference: c.Reference, AuthorityCode: c.AuthorityCode, AuthorityName: authName, Title: b.text.Text(c.Title),
		Summary: c.SharedSummary(b.text), Origin: string(c.Origin), Status: string(c.Status), Risk: string(c.Risk), OpenedAt: c.CreatedAt,
		ClosedAt: c.ClosedAt, ClosureReason: string(c.ClosureReason), OfficerInCharge: red.officer(c.AssigneeID),
		Scope: ScopeInfo{Connectable: c.Scope.Connectable, UKConsumerProduct: c.Scope.UKConsumerProduct,
			UsedOrSecondHand: c.Scope.UsedOrSecondHand, Excepted: c.Scope.Excepted, ExceptedCategory: c.Scope.ExceptedCategory,
			InScope: c.Scope.InScope()}}
	if c.Origin == cases.Complaint || !c.Complainant.Empty() {
		red.apply(RuleComplainant)
	}
	if c.ClosureNote != "" || c.Scope.Notes != "" || (c.ClosureReq != nil && c.ClosureReq.Note != "") {
		red.apply(RuleFreeText)
	}
	b.file.Case = info

	prods := map[string]products.Product{}
	for _, id := range c.ProductIDs {
		pr, err := x.Registers.Product(ctx, id)
		if err != nil {
			return nil, nil, fmt.Errorf("product %s: %w", id, err)
		}
		prods[id] = pr
		b.file.Products = append(b.file.Products, b.product(pr))
	}
	for _, pt := range parties {
		o := ops[pt.OperatorID]
		info := PartyInfo{Role: string(pt.Role), Country: o.Country, SoleTrader: b.soleTraders[o.ID], AddedBy: red.officer(pt.AddedBy)}
		if b.soleTraders[o.ID] {
			info.Operator = red.soleTrader(o.ID)
		} else {
			info.Operator, info.CompanyNumber, info.Address, info.Website, info.VDPURL = o.Name, o.CompanyNumber, o.Address, o.Website, o.VDPURL
		}
		if pr, ok := prods[pt.ProductID]; ok {
			info.Product = pr.Brand + " " + pr.Model
		}
		b.file.Parties = append(b.file.Parties, info)
	}

	all, err = x.Evidence.List(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("exhibits of %s: %w", c.Reference, err)
	}
	refOf := map[string]string{}
	for _, ex := range all {
		refOf[ex.ID] = ex.Ref
	}
	if err := b.assessment(c, refOf); err != nil {
		return nil, nil, err
	}
	b.noticePDFs = map[string]notices.Notice{}
	for _, n := range issued {
		ni, err := b.notice(n, refOf, ops[n.OperatorID])
		if err != nil {
			return nil, nil, err
		}
		b.file.Notices = append(b.file.Notices, ni)
		if n.ExhibitID != "" {
			b.noticePDFs[n.ExhibitID] = n
		}
	}
	if err := b.notes(c); err != nil {
		return nil, nil, err
	}
	selected, err = b.selectExhibits(all, req)
	if err != nil {
		return nil, nil, err
	}
	b.file.Redactions = red.applied()
	return all, selected, nil
}

// nameIssuers registers the officers issued notices print by name (R3):
// who issued and who approved each.
func (b *builder) nameIssuers(issued []notices.Notice) error {
	for _, n := range issued {
		for _, id := range []string{n.IssuerID, n.ApproverID} {
			if id == "" {
				continue
			}
			name, err := b.x.Registers.UserName(b.ctx, id)
			if err != nil {
				return fmt.Errorf("officer of %s: %w", n.Reference, err)
			}
			b.red.name(id, name)
		}
	}
	return nil
}

// operators loads every operator the package names: parties and notice recipients.
func (b *builder) operators(parties []cases.Party, issued []notices.Notice) (map[string]operators.Operator, error) {
	ops := map[string]operators.Operator{}
	var want []string
	for _, pt := range parties {
		want = append(want, pt.OperatorID)
	}
	for _, n := range issued {
		want = append(want, n.OperatorID)
	}
	for _, id := range want {
		if _, ok := ops[id]; ok {
			continue
		}
		o, err := b.x.Registers.Operator(b.ctx, id)
		if err != nil {
			return nil, fmt.Errorf("operator %s: %w", id, err)
		}
		ops[id] = o
	}
	return ops, nil
}

// redaction decides who is a sole trader — one now, or one when any notice
// was issued to it (R4) — labels them in the order the package names them,
// and builds the free-text redaction of the complainant and sole traders.
func (b *builder) redaction(c cases.Case, parties []cases.Party, issued []notices.Notice, ops map[string]operators.Operator) {
	b.soleTraders = map[string]bool{}
	atIssue := map[string][]*notices.Recipient{}
	for _, n := range issued {
		if r := n.Recipient; r != nil {
			atIssue[n.OperatorID] = append(atIssue[n.OperatorID], r)
			if r.SoleTrader {
				b.soleTraders[n.OperatorID] = true
			}
		}
	}
	for id, o := range ops {
		if o.SoleTrader {
			b.soleTraders[id] = true
		}
	}
	order := []string{}
	for _, pt := range parties {
		order = append(order, pt.OperatorID)
	}
	for _, n := range issued {
		order = append(order, n.OperatorID)
	}
	ids := []redact.Identity{c.ComplainantIdentity()}
	done := map[string]bool{}
	for _, id := range order {
		if !b.soleTraders[id] || done[id] {
			continue
		}
		done[id] = true
		o := ops[id]
		who := redact.Identity{Label: b.red.soleTrader(id), Names: append([]string{o.Name}, o.TradingNames...),
			Addresses: []string{o.Address}, Contacts: webContacts(o.Website, o.VDPURL)}
		for _, r := range atIssue[id] {
			who.Names = append(append(who.Names, r.Name), r.TradingNames...)
			who.Addresses = append(who.Addresses, r.Address)
		}
		ids = append(ids, who)
	}
	b.text = redact.New(c.Origin == cases.Complaint || !c.Complainant.Empty(), ids...)
}

// webContacts are a sole trader's web addresses, with and without the
// scheme, so either form is redacted.
func webContacts(urls ...string) []string {
	var out []string
	for _, u := range urls {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		out = append(out, u)
		if host := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"); host != u {
			out = append(out, strings.TrimSuffix(host, "/"))
		}
	}
	return out
}

func (b *builder) assessment(c cases.Case, refOf map[string]string) error {
	matrix, err := b.x.Cases.Assessment(b.ctx, c.ID)
	if err != nil {
		return fmt.Errorf("assessment of %s: %w", c.Reference, err)
	}
	for _, row := range matrix.Rows {
		a := AssessmentInfo{RequirementID: row.Requirement.ID, Title: row.Requirement.Title, Kind: string(row.Requirement.Kind),
			Verdict: string(row.Verdict), Rationale: b.text.Text(row.Rationale), Reason: b.text.Text(row.Reason),
			Findings: max(len(row.Findings), row.FindingsCount), UpdatedBy: b.red.officer(row.UpdatedBy)}
		if !row.UpdatedAt.IsZero() {
			t := row.UpdatedAt
			a.UpdatedAt = &t
		}
		for _, id := range row.EvidenceIDs {
			if ref, ok := refOf[id]; ok {
				a.Exhibits = append(a.Exhibits, ref)
			}
		}
		b.file.Assessment = append(b.file.Assessment, a)
	}
	return nil
}

func (b *builder) notes(c cases.Case) error {
	notes, err := b.x.Cases.Notes(b.ctx, c.ID)
	if err != nil {
		return fmt.Errorf("notes of %s: %w", c.Reference, err)
	}
	for _, n := range notes {
		if !n.Shareable {
			b.file.NotesWithheld++
			b.red.apply(RuleFreeText)
			continue
		}
		b.file.Notes = append(b.file.Notes, NoteInfo{At: n.CreatedAt, Author: b.red.officer(n.AuthorID), Body: b.text.Text(n.Body)})
	}
	return nil
}

func (b *builder) product(p products.Product) ProductInfo {
	out := ProductInfo{ID: p.ID, Brand: p.Brand, Model: p.Model, GTIN: p.GTIN, Category: p.Category, Variants: p.Variants,
		FirmwareVersions: p.FirmwareVersions, Excepted: p.Excepted, ExceptedReason: p.ExceptedReason, SoCPresent: p.SoC.Present,
		SoCStandard: p.SoC.Standard, SoCVersion: p.SoC.Version, SoCDate: p.SoC.Date, SoCSignatory: b.red.individual(p.SoC.Signatory),
		SupportShortened: p.Shortened()}
	if p.Support != nil {
		end := p.Support.EndDate
		out.SupportEnd = &end
	}
	return out
}

// notice is an issued notice's particulars, its recipient as at issue.
func (b *builder) notice(n notices.Notice, refOf map[string]string, o operators.Operator) (NoticeInfo, error) {
	red := b.red
	info := notices.Info[n.Type]
	recipient := o.Name
	if n.Recipient != nil {
		recipient = n.Recipient.Name
	}
	steps := make([]string, len(n.Steps))
	for i, st := range n.Steps {
		steps[i] = b.text.Text(st)
	}
	ni := NoticeInfo{Reference: n.Reference, Type: string(n.Type), Title: info.Title, LegalBasis: info.LegalBasis, Status: string(n.Status),
		Recipient: recipient, RequirementIDs: n.RequirementIDs, Steps: steps, Reasons: b.text.Text(n.Reasons), IssuedAt: n.IssuedAt,
		IssuedBy: red.officer(n.IssuerID), ApprovedBy: red.officer(n.ApproverID), ServedAt: n.ServedAt, ServeMethod: n.ServeMethod,
		Deadline: n.Deadline, SHA256: n.SHA256, Verification: n.Verification, ExhibitRef: refOf[n.ExhibitID]}
	if b.soleTraders[n.OperatorID] {
		ni.Recipient, ni.RecipientSoleTrader = red.soleTrader(n.OperatorID), true
	}
	if n.ServedTo != "" {
		red.apply(RuleServedOn)
	}
	if n.OutcomeNote != "" || n.ClosedReason != "" {
		red.apply(RuleFreeText)
	}
	if n.Penalty != nil {
		amount := n.Penalty.AmountPence
		ni.PenaltyPence = &amount
		pays, err := b.x.Notices.Payments(b.ctx, n.ID)
		if err != nil {
			return NoticeInfo{}, fmt.Errorf("payments of %s: %w", n.Reference, err)
		}
		var paid int64
		for _, p := range pays {
			paid += p.AmountPence
		}
		ni.PaidPence = &paid
	}
	return ni, nil
}

// withheldPDF says why a generated exhibit stays out of the package (R8),
// or "" when it may be copied: an issued notice's PDF, unless the notice
// went to a sole trader.
func (b *builder) withheldPDF(ex evidence.Exhibit) string {
	if !ex.Generated {
		return ""
	}
	n, ok := b.noticePDFs[ex.ID]
	switch {
	case !ok:
		return "a document TradeWarden generated (rule R8): verify it with the issuing authority by its SHA-256"
	case b.soleTraders[n.OperatorID]:
		return "the issued notice " + n.Reference + " prints a sole trader's name and address (rules R4, R8): its particulars are in " +
			"case.json and case.pdf; verify the original with the issuing authority by its reference, SHA-256 and verification code"
	}
	return ""
}

// selectExhibits picks the exhibits to copy: those asked for, or every one
// the case holds. Issued notices' PDFs are copied unless they went to a
// sole trader; other generated documents are withheld (R8).
func (b *builder) selectExhibits(all []evidence.Exhibit, req ExportRequest) ([]evidence.Exhibit, error) {
	info := func(ex evidence.Exhibit) ExhibitInfo {
		return ExhibitInfo{ID: ex.ID, Ref: ex.Ref, Filename: ex.Filename, SHA256: ex.SHA256, Size: ex.Size, MediaType: ex.MediaType,
			Description: b.text.Text(ex.Description), Kind: ex.Kind, PowerUsed: ex.PowerUsed, CollectedAt: ex.CollectedAt,
			CollectedBy: b.red.individual(ex.CollectedBy)}
	}
	if len(b.noticePDFs) > 0 {
		b.red.apply(RuleGeneratedDoc)
	}
	if !req.IncludeEvidence {
		return nil, nil
	}
	var picked []evidence.Exhibit
	if len(req.ExhibitIDs) == 0 {
		picked = all
	} else {
		byID := map[string]evidence.Exhibit{}
		for _, ex := range all {
			byID[ex.ID] = ex
		}
		var fe apperr.Fields
		seen := map[string]bool{}
		for i, id := range req.ExhibitIDs {
			ex, ok := byID[id]
			switch {
			case !ok:
				fe.Add(fmt.Sprintf("exhibit_ids[%d]", i), "no exhibit %q on this case", id)
			case b.withheldPDF(ex) != "":
				fe.Add(fmt.Sprintf("exhibit_ids[%d]", i), "%s cannot leave in a package: %s", ex.Ref, b.withheldPDF(ex))
			case !seen[id]:
				seen[id] = true
				picked = append(picked, ex)
			}
		}
		if err := fe.Err(); err != nil {
			return nil, err
		}
	}
	var out []evidence.Exhibit
	for _, ex := range picked {
		ex.Filename = b.text.Text(ex.Filename)
		if why := b.withheldPDF(ex); why != "" {
			b.red.apply(RuleGeneratedDoc)
			w := info(ex)
			w.Reason = why
			b.file.Withheld = append(b.file.Withheld, w)
			continue
		}
		e := info(ex)
		e.Path = exhibitPath(ex)
		b.file.Exhibits = append(b.file.Exhibits, e)
		out = append(out, ex)
	}
	return out, nil
}

type manifestFile struct {
	Path       string `json:"path"`
	MediaType  string `json:"media_type"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	ExhibitRef string `json:"exhibit_ref,omitempty"`
	ExhibitID  string `json:"exhibit_id,omitempty"`
}

type manifestExhibit struct {
	Ref    string `json:"ref"`
	ID     string `json:"id"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Path   string `json:"path,omitempty"`
	Status string `json:"status"` // included, withheld or not_selected
}

type manifestDoc struct {
	Format        string            `json:"format"`
	PackageID     string            `json:"package_id"`
	CaseReference string            `json:"case_reference"`
	GeneratedAt   time.Time         `json:"generated_at"`
	GeneratedBy   issuerDoc         `json:"generated_by"`
	Recipient     string            `json:"recipient"`
	Purpose       string            `json:"purpose"`
	Files         []manifestFile    `json:"files"`
	Exhibits      []manifestExhibit `json:"exhibits"`
	Redactions    []redactionDoc    `json:"redactions"`
}

// manifest lists every other file of the package with its SHA-256, and
// every exhibit of the case with whether it is included.
func (b *builder) manifest(pkg Package, all []evidence.Exhibit) ([]byte, error) {
	f := b.file
	d := manifestDoc{Format: PackageFormat, PackageID: pkg.ID, CaseReference: pkg.CaseRef, GeneratedAt: pkg.GeneratedAt,
		GeneratedBy: issuerDoc{Name: f.GeneratedBy.Name, Email: f.GeneratedBy.Email, AuthorityCode: f.GeneratedBy.AuthorityCode,
			AuthorityName: f.GeneratedBy.AuthorityName},
		Recipient: f.Recipient, Purpose: f.Purpose, Files: []manifestFile{}, Exhibits: []manifestExhibit{},
		Redactions: redactionDocs(f.Redactions)}
	included := map[string]string{}
	for _, file := range pkg.Files {
		d.Files = append(d.Files, manifestFile{Path: file.Path, MediaType: file.MediaType, Size: file.Size, SHA256: file.SHA256,
			ExhibitRef: file.ExhibitRef, ExhibitID: file.ExhibitID})
		if file.ExhibitID != "" {
			included[file.ExhibitID] = file.Path
		}
	}
	withheld := map[string]bool{}
	for _, w := range f.Withheld {
		withheld[w.ID] = true
	}
	for _, ex := range all {
		me := manifestExhibit{Ref: ex.Ref, ID: ex.ID, SHA256: ex.SHA256, Size: ex.Size, Status: "not_selected"}
		switch {
		case included[ex.ID] != "":
			me.Path, me.Status = included[ex.ID], "included"
		case withheld[ex.ID]:
			me.Status = "withheld"
		}
		d.Exhibits = append(d.Exhibits, me)
	}
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest.json: %w", err)
	}
	return out, nil
}
