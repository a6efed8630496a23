package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/txn"
)

// ChangeHook runs inside the transaction of every case write.
type ChangeHook func(ctx context.Context, c Case) error

// Service implements case work and its record-level rules.
type Service struct {
	store       Store
	dir         Directory
	tx          txn.Runner
	log         audit.Log
	now         func() time.Time
	onChange    []ChangeHook
	links       LinkChecker
	findings    FindingSource
	findingReqs FindingRequirements
	outstanding OutstandingWork
}

// NewService wires the case service.
func NewService(store Store, dir Directory, tx txn.Runner, log audit.Log, now func() time.Time) *Service {
	return &Service{store: store, dir: dir, tx: tx, log: log, now: now}
}

// OnChange registers a hook run in the transaction of every case write.
func (s *Service) OnChange(h ChangeHook) { s.onChange = append(s.onChange, h) }

// need is the access a case operation requires.
type need int

const (
	needRead       need = iota // see the case
	needContribute             // add evidence, custody and notes: work rights, or a collaborator with edit_evidence_and_notes
	needWork                   // change it: the owning authority's assigned officer or a supervisor
	needSupervise              // supervisor decisions of the owning authority: assign, close, refer
)

// load returns the case if the caller may access it as needed, with the
// caller's access. A case of another authority (not referred to the
// caller's, or whose referral was declined or revoked) is NotFound, never
// Forbidden, so its existence does not leak; a pending referral shows only
// to the receiving authority's supervisors.
func (s *Service) load(ctx context.Context, id string, n need, forUpdate bool) (Case, principal.Principal, Access, error) {
	p, _ := principal.From(ctx)
	notFound := apperr.New(apperr.NotFound, "no case %q", id)
	if !ids.Valid(id) || p.Authority.ID == "" {
		return Case{}, p, Access{}, notFound
	}
	c, err := s.store.GetCase(ctx, id, forUpdate)
	if errors.Is(err, ErrNotFound) {
		return Case{}, p, Access{}, notFound
	}
	if err != nil {
		return Case{}, p, Access{}, fmt.Errorf("load case %s: %w", id, err)
	}
	acc, ok := c.AccessFor(p.Authority.ID)
	if !ok || (acc.Standing == Referred && !p.Has(principal.Supervisor)) {
		return Case{}, p, Access{}, notFound
	}
	if err := permit(c, p, acc, n); err != nil {
		return Case{}, p, Access{}, err
	}
	return c, p, acc, nil
}

// permit applies the record-level rules of a need to a visible case.
func permit(c Case, p principal.Principal, acc Access, n need) error {
	if n == needRead {
		return nil
	}
	switch acc.Standing {
	case Referred:
		return apperr.New(apperr.Forbidden, "case %s was referred to %s: accept the referral before working on it",
			c.Reference, p.Authority.Code)
	case Collaborator:
		if n != needContribute {
			return apperr.New(apperr.Forbidden, "only the owning authority (%s) may do this on case %s; %s collaborates on it",
				c.AuthorityCode, c.Reference, p.Authority.Code)
		}
		if acc.Level != EditEvidenceAndNotes {
			return apperr.New(apperr.Forbidden, "%s shares case %s with %s read-only: ask them for edit_evidence_and_notes access",
				c.AuthorityCode, c.Reference, p.Authority.Code)
		}
		if !p.Has(principal.Officer) && !p.Has(principal.Supervisor) {
			return apperr.New(apperr.Forbidden, "only officers and supervisors add evidence and notes")
		}
		return nil
	}
	switch {
	case p.Has(principal.Supervisor):
	case n == needSupervise:
		return apperr.New(apperr.Forbidden, "only a supervisor may do this")
	case p.Has(principal.Officer) && c.AssigneeID == p.UserID:
	default:
		return apperr.New(apperr.Forbidden, "only the officer assigned to case %s or a supervisor may change it", c.Reference)
	}
	return nil
}

// write loads the case for a change, runs fn, bumps the version, stores it,
// audits and notifies hooks, all in one transaction.
func (s *Service) write(ctx context.Context, id string, n need, allowClosed bool, action string,
	fn func(ctx context.Context, c *Case, p principal.Principal) (map[string]any, error)) (Case, error) {
	var out Case
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		c, p, _, err := s.load(ctx, id, n, true)
		if err != nil {
			return err
		}
		if !allowClosed && c.Status == Closed {
			return apperr.New(apperr.Conflict, "case %s is closed; a supervisor must reopen it first", c.Reference)
		}
		detail, err := fn(ctx, &c, p)
		if err != nil {
			return err
		}
		c.Version++
		c.UpdatedAt = s.now().UTC()
		if err := s.store.UpdateCase(ctx, c); err != nil {
			return err
		}
		if detail == nil {
			detail = map[string]any{}
		}
		detail["version"] = c.Version
		if err := s.record(ctx, c, action, detail); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return Case{}, fmt.Errorf("%s %s: %w", action, id, err)
	}
	return out, nil
}

func (s *Service) record(ctx context.Context, c Case, action string, detail map[string]any) error {
	for _, h := range s.onChange {
		if err := h(ctx, c); err != nil {
			return err
		}
	}
	return s.log.Record(ctx, audit.Event{Action: action, ObjectType: "case", ObjectID: c.ID, CaseID: c.ID, Detail: detail})
}

// NewCase is the input for opening a case.
type NewCase struct {
	Title       string
	Summary     string
	Complainant Complainant
	Origin      Origin
	Risk        Risk
	ProductIDs  []string
}

// Create opens a case in the caller's authority with the next reference.
func (s *Service) Create(ctx context.Context, in NewCase) (Case, error) {
	p, _ := principal.From(ctx)
	var fe apperr.Fields
	in.Title, in.Summary = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary)
	fe.Check(in.Title == "" || len(in.Title) > 300, "title", "is required (max 300 characters)")
	fe.Check(len(in.Summary) > 20000, "summary", "must be at most 20000 characters")
	fe.Check(!slices.Contains(Origins, in.Origin), "origin", "must be one of %s", join(Origins))
	if in.Risk == "" {
		in.Risk = "medium"
	}
	fe.Check(!slices.Contains(Risks, in.Risk), "risk_level", "must be one of %s", join(Risks))
	in.Complainant = checkComplainant(&fe, in.Complainant)
	if err := fe.Err(); err != nil {
		return Case{}, err
	}
	now := s.now().UTC()
	c := Case{ID: ids.New(), AuthorityID: p.Authority.ID, AuthorityCode: p.Authority.Code, Title: in.Title,
		Summary: in.Summary, Complainant: in.Complainant, Origin: in.Origin, Status: Intake, Risk: in.Risk, CreatedBy: p.UserID,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	// An officer who opens a case is its officer in charge until a supervisor reassigns it.
	if p.Has(principal.Officer) && !p.Has(principal.Supervisor) {
		c.AssigneeID = p.UserID
	}
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		productIDs, err := s.checkProducts(ctx, "product_ids", in.ProductIDs)
		if err != nil {
			return err
		}
		c.ProductIDs = productIDs
		seq, err := s.store.NextReference(ctx, p.Authority.ID, now.Year())
		if err != nil {
			return err
		}
		c.Reference = fmt.Sprintf("%s-%d-%06d", p.Authority.Code, now.Year(), seq)
		if err := s.store.CreateCase(ctx, c); err != nil {
			return err
		}
		// The complainant's details are not copied into the audit log, which
		// other authorities' collaborators read as the case timeline.
		return s.record(ctx, c, "case.create", map[string]any{"reference": c.Reference, "title": c.Title,
			"origin": c.Origin, "risk_level": c.Risk, "product_ids": c.ProductIDs, "assignee_id": c.AssigneeID,
			"complainant_recorded": !c.Complainant.Empty()})
	})
	if err != nil {
		return Case{}, fmt.Errorf("create case: %w", err)
	}
	return c, nil
}

func (s *Service) checkProducts(ctx context.Context, field string, in []string) ([]string, error) {
	out := []string{}
	for _, id := range in {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > 100 {
		return nil, apperr.InvalidField(field, "must list at most 100 products")
	}
	if len(out) == 0 {
		return out, nil
	}
	exists, err := s.dir.ExistingProducts(ctx, out)
	if err != nil {
		return nil, err
	}
	var fe apperr.Fields
	for i, id := range out {
		fe.Check(!exists[id], fmt.Sprintf("%s[%d]", field, i), "no product %q", id)
	}
	return out, fe.Err()
}

// Get returns a case the caller may see, as the caller's authority may see
// it (see Access).
func (s *Service) Get(ctx context.Context, id string) (Case, error) {
	c, _, err := s.Access(ctx, id)
	return c, err
}

// Access returns a case the caller may see, redacted for the caller's
// authority, with that authority's access to it.
func (s *Service) Access(ctx context.Context, id string) (Case, Access, error) {
	c, p, acc, err := s.load(ctx, id, needRead, false)
	if err != nil {
		return Case{}, Access{}, err
	}
	return c.viewFor(acc, p.Authority.ID), acc, nil
}

// ByReference returns the case with the reference, if the caller may see it.
func (s *Service) ByReference(ctx context.Context, reference string) (Case, error) {
	id, err := s.store.CaseIDByReference(ctx, strings.ToUpper(strings.TrimSpace(reference)))
	if errors.Is(err, ErrNotFound) {
		return Case{}, apperr.New(apperr.NotFound, "no case %q", reference)
	}
	if err != nil {
		return Case{}, err
	}
	return s.Get(ctx, id)
}

// ForWork returns a case the caller may change: its assigned officer or a
// supervisor of the owning authority.
func (s *Service) ForWork(ctx context.Context, id string) (Case, error) {
	c, _, _, err := s.load(ctx, id, needWork, false)
	return c, err
}

// ForEvidence returns a case the caller may add evidence and custody
// entries to: as ForWork, or an officer or supervisor of an authority
// collaborating with edit_evidence_and_notes access. The case is the
// caller's view of it.
func (s *Service) ForEvidence(ctx context.Context, id string) (Case, Access, error) {
	c, p, acc, err := s.load(ctx, id, needContribute, false)
	if err != nil {
		return Case{}, Access{}, err
	}
	return c.viewFor(acc, p.Authority.ID), acc, nil
}

// List returns a page of the cases visible to the caller's authority, each
// as that authority may see it.
func (s *Service) List(ctx context.Context, f ListFilter) ([]Case, error) {
	p, _ := principal.From(ctx)
	f.AuthorityID = p.Authority.ID
	f.IncludePending = p.Has(principal.Supervisor)
	list, err := s.store.ListCases(ctx, f)
	if err != nil {
		return nil, err
	}
	for i, c := range list {
		if acc, ok := c.AccessFor(p.Authority.ID); ok {
			list[i] = c.viewFor(acc, p.Authority.ID)
		}
	}
	return list, nil
}

// Patch is a partial update of a case's descriptive fields.
type Patch struct {
	Title       *string
	Summary     *string
	Complainant *Complainant
	Risk        *Risk
	ProductIDs  *[]string
	Scope       *Scope
}

// Update applies a patch when version matches the stored one.
func (s *Service) Update(ctx context.Context, id string, version int, in Patch) (Case, error) {
	return s.write(ctx, id, needWork, false, "case.update", func(ctx context.Context, c *Case, _ principal.Principal) (map[string]any, error) {
		if c.Version != version {
			return nil, apperr.New(apperr.PreconditionFailed, "case %s is at version %d, not %d: reload it and retry", c.Reference, c.Version, version).
				With("current_version", c.Version)
		}
		var fe apperr.Fields
		changed := map[string]any{}
		if in.Title != nil {
			t := strings.TrimSpace(*in.Title)
			if !fe.Check(t == "" || len(t) > 300, "title", "must be 1 to 300 characters") {
				c.Title, changed["title"] = t, t
			}
		}
		if in.Summary != nil {
			t := strings.TrimSpace(*in.Summary)
			if !fe.Check(len(t) > 20000, "summary", "must be at most 20000 characters") {
				c.Summary, changed["summary"] = t, "changed"
			}
		}
		if in.Complainant != nil {
			c.Complainant, changed["complainant"] = checkComplainant(&fe, *in.Complainant), "changed"
		}
		if in.Risk != nil {
			if !fe.Check(!slices.Contains(Risks, *in.Risk), "risk_level", "must be one of %s", join(Risks)) {
				c.Risk, changed["risk_level"] = *in.Risk, *in.Risk
			}
		}
		if in.Scope != nil {
			sc := *in.Scope
			sc.ExceptedCategory, sc.Notes = strings.TrimSpace(sc.ExceptedCategory), strings.TrimSpace(sc.Notes)
			fe.Check(isTrue(sc.Excepted) && sc.ExceptedCategory == "", "scope.excepted_category",
				"is required when the product is in an excepted category (PSTI Sch 3)")
			fe.Check(len(sc.Notes) > 5000, "scope.notes", "must be at most 5000 characters")
			c.Scope, changed["scope"] = sc, scopeDetail(sc)
		}
		if err := fe.Err(); err != nil {
			return nil, err
		}
		if in.ProductIDs != nil {
			ps, err := s.checkProducts(ctx, "product_ids", *in.ProductIDs)
			if err != nil {
				return nil, err
			}
			c.ProductIDs, changed["product_ids"] = ps, ps
		}
		return changed, nil
	})
}

// checkComplainant trims and bounds the complainant's details.
func checkComplainant(fe *apperr.Fields, k Complainant) Complainant {
	k = Complainant{Name: strings.TrimSpace(k.Name), Email: strings.TrimSpace(k.Email), Phone: strings.TrimSpace(k.Phone),
		Address: strings.TrimSpace(k.Address)}
	fe.Check(len(k.Name) > 300, "complainant.name", "must be at most 300 characters")
	fe.Check(len(k.Email) > 320 || (k.Email != "" && !strings.Contains(k.Email, "@")), "complainant.email", "must be an e-mail address")
	fe.Check(len(k.Phone) > 40, "complainant.phone", "must be at most 40 characters")
	fe.Check(len(k.Address) > 1000, "complainant.address", "must be at most 1000 characters")
	return k
}

func scopeDetail(sc Scope) map[string]any {
	return map[string]any{"connectable": sc.Connectable, "uk_consumer_product": sc.UKConsumerProduct,
		"used_or_second_hand": sc.UsedOrSecondHand, "excepted": sc.Excepted, "excepted_category": sc.ExceptedCategory,
		"in_scope": sc.InScope()}
}

// TransitionResult says what a transition did.
type TransitionResult struct {
	Case Case
	// ClosureRequested is true when an officer asked to close and a
	// supervisor must now decide.
	ClosureRequested bool
}

// Transition moves a case to another state (see MoveCase).
func (s *Service) Transition(ctx context.Context, id string, to Status, reason, note string) (TransitionResult, error) {
	return s.MoveCase(ctx, id, Move{To: to, Reason: reason, Note: note})
}

// MoveCase moves a case to another state. Closing needs a reason and a
// supervisor, and no work outstanding unless the supervisor overrides;
// an officer asking to close records a closure request instead.
func (s *Service) MoveCase(ctx context.Context, id string, m Move) (TransitionResult, error) {
	to, reason, note := m.To, m.Reason, m.Note
	if !slices.Contains(Statuses, to) {
		return TransitionResult{}, apperr.InvalidField("to", "must be one of %s", join(Statuses))
	}
	p, _ := principal.From(ctx)
	if to == Closed && !p.Has(principal.Supervisor) && strings.TrimSpace(m.Override) != "" {
		return TransitionResult{}, apperr.New(apperr.Forbidden, "only a supervisor may close a case with work outstanding (override_reason)")
	}
	if to == Closed && !p.Has(principal.Supervisor) {
		c, err := s.requestClosure(ctx, id, ClosureReason(reason), note)
		return TransitionResult{Case: c, ClosureRequested: err == nil}, err
	}
	n := needWork
	if to == Closed || to == Reopened {
		n = needSupervise
	}
	c, err := s.write(ctx, id, n, true, "case.transition", func(ctx context.Context, c *Case, p principal.Principal) (map[string]any, error) {
		from := c.Status
		if !from.CanMoveTo(to) {
			return nil, apperr.New(apperr.Conflict, "case %s cannot move from %s to %s; allowed: %s", c.Reference, from, to, join(from.Allowed())).
				With("from", from).With("allowed", from.Allowed())
		}
		detail := map[string]any{"from": from, "to": to}
		if note = strings.TrimSpace(note); note != "" {
			detail["note"] = note
		}
		switch {
		case from == Triage && to == Investigating && !c.Scope.InScope():
			return nil, apperr.New(apperr.Conflict, "record the triage answers showing the product is in PSTI scope "+
				"(connectable, UK consumer product, not used, not excepted) before investigating")
		case to == Closed:
			r, err := s.closureReason(*c, ClosureReason(reason))
			if err != nil {
				return nil, err
			}
			left, err := s.closeCheck(ctx, *c, r, m.Override)
			if err != nil {
				return nil, err
			}
			if len(left) > 0 {
				detail["outstanding"] = left
				if o := strings.TrimSpace(m.Override); o != "" {
					detail["override_reason"] = o
				}
			}
			now := s.now().UTC()
			c.ClosedAt, c.ClosureReason, c.ClosureNote, c.ClosureReq = &now, r, note, nil
			detail["reason"] = r
		case to == Reopened:
			if strings.TrimSpace(reason) == "" {
				return nil, apperr.InvalidField("reason", "say why the case is reopened")
			}
			c.ClosedAt, c.ClosureReason, c.ClosureNote = nil, "", ""
			detail["reason"] = strings.TrimSpace(reason)
		}
		c.Status = to
		return detail, nil
	})
	return TransitionResult{Case: c}, err
}

func (s *Service) closureReason(c Case, r ClosureReason) (ClosureReason, error) {
	if r == "" && c.ClosureReq != nil {
		r = c.ClosureReq.Reason
	}
	allowed := closableFrom(c.Status)
	if !slices.Contains(allowed, r) {
		return "", apperr.InvalidField("reason", "closing from %s needs a reason: one of %s", c.Status, join(allowed))
	}
	if r == OutOfScope && !c.Scope.OutOfScope() {
		return "", apperr.New(apperr.Conflict, "record a triage answer that puts the product out of PSTI scope before closing as out_of_scope")
	}
	return r, nil
}

func (s *Service) requestClosure(ctx context.Context, id string, reason ClosureReason, note string) (Case, error) {
	return s.write(ctx, id, needWork, false, "case.closure_requested", func(ctx context.Context, c *Case, p principal.Principal) (map[string]any, error) {
		if !c.Status.CanMoveTo(Closed) {
			return nil, apperr.New(apperr.Conflict, "case %s cannot be closed from %s; allowed: %s", c.Reference, c.Status, join(c.Status.Allowed())).
				With("from", c.Status).With("allowed", c.Status.Allowed())
		}
		r, err := s.closureReason(*c, reason)
		if err != nil {
			return nil, err
		}
		c.ClosureReq = &ClosureRequest{Reason: r, Note: strings.TrimSpace(note), RequestedBy: p.UserID, RequestedAt: s.now().UTC()}
		detail := map[string]any{"reason": r, "note": c.ClosureReq.Note}
		// The request stands; the supervisor who decides it sees what is left.
		if s.outstanding != nil {
			work, err := s.outstanding(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			if len(work) > 0 {
				detail["outstanding"] = OutstandingDetail(work)
			}
		}
		return detail, nil
	})
}

// Assign makes an officer of the caller's authority the officer in charge.
func (s *Service) Assign(ctx context.Context, id, officerID string) (Case, error) {
	return s.write(ctx, id, needSupervise, false, "case.assign", func(ctx context.Context, c *Case, p principal.Principal) (map[string]any, error) {
		roles, err := s.dir.UserRoles(ctx, officerID, p.Authority.ID)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(roles, string(principal.Officer)) {
			return nil, apperr.InvalidField("officer_id", "is not an officer of %s", p.Authority.Code)
		}
		prev := c.AssigneeID
		c.AssigneeID = officerID
		return map[string]any{"officer_id": officerID, "previous_officer_id": prev}, nil
	})
}

func join[T ~string](vs []T) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}
