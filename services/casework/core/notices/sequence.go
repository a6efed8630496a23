package notices

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // "the day on which the notification is given" is a UK day on any server

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/legalbasis"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// The statutory sequence: before a compliance notice (and, as TradeWarden
// applies the law, a stop, recall or penalty notice) the recipient is told
// of the intention, for the same breaches, and given the chance to make
// representations; the notice may be given only once the period for them
// has ended, and it says that they were considered and how the authority
// answered them. Where the law allows it, a stop or recall notice may
// instead carry a recorded reason why it cannot wait, which the approving
// supervisor approves with it. legalbasis records which provision says so.

// Missing steps, as a 409 problem names them (extension "missing_step").
const (
	// StepIntentGiven: the linked intent has not been served yet.
	StepIntentGiven = "notice_of_intent_given"
	// StepRepresentationsPeriod: the period for representations has not ended.
	StepRepresentationsPeriod = "representations_period"
	// StepRepresentationsResponse: representations were received but the
	// notice does not answer them.
	StepRepresentationsResponse = "representations_response"
	// StepUrgencyApproval: the urgency justification has not been approved.
	StepUrgencyApproval = "urgency_approval"
)

// Routes through the sequence.
const (
	RouteIntent  = "notice_of_intent"
	RouteUrgency = "urgency"
)

// Representation is written representations received on a notice of intent.
type Representation struct {
	ID         string
	NoticeID   string
	ReceivedAt time.Time
	From       string
	Text       string
	// ExhibitIDs are the exhibits of the case holding the attachments.
	ExhibitIDs []string
	RecordedBy string
	RecordedAt time.Time
}

// Sequence is where a notice stands in the statutory sequence.
type Sequence struct {
	// Required is false for notices that need no prior step.
	Required bool
	Step     legalbasis.Step
	// Route is RouteIntent or RouteUrgency (empty when not required).
	Route string
	// Intent is the notice of intent relied on, if one was found.
	Intent *Notice
	// GivenOn is the UK date the intent was given (served).
	GivenOn *time.Time
	// RepresentationsBy is the last day for representations the intent gave.
	RepresentationsBy *time.Time
	// EarliestIssue is the first UK date the notice may be given.
	EarliestIssue   *time.Time
	Representations []Representation
	Satisfied       bool
	// Missing names the step not yet taken (a Step* constant, or the
	// step's own name when no intent was given at all).
	Missing string
	// Reason explains Missing in words.
	Reason string
}

// london is where the Act's days are counted.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC // unreachable with time/tzdata linked in
	}
	return loc
}()

// ukDate is the UK calendar date of t, as UTC midnight (how deadlines are stored).
func ukDate(t time.Time) time.Time {
	y, m, d := t.In(london).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ProposedOf is what an intent proposes (a compliance notice unless it says
// otherwise).
func ProposedOf(n Notice) Type {
	if n.Type == Intent && n.ProposedType == "" {
		return Compliance
	}
	return n.ProposedType
}

// InfoFor is the type information a notice prints: an intent is titled by
// what it proposes.
func InfoFor(n Notice) TypeInfo {
	info := Info[n.Type]
	if n.Type != Intent {
		return info
	}
	switch ProposedOf(n) {
	case Stop:
		info.Title = "Notice of intent to give a stop notice"
		info.LegalBasis = Info[Stop].LegalBasis
	case Recall:
		info.Title = "Notice of intent to give a recall notice"
		info.LegalBasis = Info[Recall].LegalBasis
	}
	return info
}

// givenOn is the day the intent was given: the day service was recorded.
func givenOn(in Notice) *time.Time {
	if in.ServedAt == nil {
		return nil
	}
	d := ukDate(*in.ServedAt)
	return &d
}

// intentMismatch says why in cannot be the intent n follows ("" if it can).
func intentMismatch(n, in Notice, step legalbasis.Step) string {
	switch {
	case in.AuthorityID != n.AuthorityID || in.CaseID != n.CaseID:
		return "it is not a notice of this case"
	case string(in.Type) != step.IntentType:
		return fmt.Sprintf("it is a %s, not a %s", strings.ToLower(Info[in.Type].Title), strings.ToLower(Info[Type(step.IntentType)].Title))
	case in.Type == Intent && ProposedOf(in) != n.Type:
		return fmt.Sprintf("it proposes a %s, not a %s", strings.ToLower(Info[ProposedOf(in)].Title), strings.ToLower(Info[n.Type].Title))
	case in.OperatorID != n.OperatorID:
		return "it was addressed to another operator"
	case in.Status == Withdrawn || in.Status == Revoked || in.Status == Cancelled:
		return "it was " + string(in.Status)
	}
	for _, r := range n.RequirementIDs {
		if !slices.Contains(in.RequirementIDs, r) {
			return fmt.Sprintf("it does not cite %s: the notice may cite only the breaches the intent gave notice of", r)
		}
	}
	for _, p := range n.ProductIDs {
		if !slices.Contains(in.ProductIDs, p) {
			return fmt.Sprintf("it does not name product %s", p)
		}
	}
	return ""
}

// checkIntentLink validates a draft's intent_id against the case.
func (s *Service) checkIntentLink(ctx context.Context, n Notice) error {
	step, needs := legalbasis.StepFor(string(n.Type))
	if n.IntentID == "" {
		return nil
	}
	if !needs {
		return apperr.InvalidField("intent_id", "a %s does not follow a notice of intent", strings.ToLower(Info[n.Type].Title))
	}
	if !ids.Valid(n.IntentID) {
		return apperr.InvalidField("intent_id", "is not a notice id")
	}
	in, err := s.store.GetNotice(ctx, n.IntentID, false)
	if err != nil || in.AuthorityID != n.AuthorityID {
		return apperr.InvalidField("intent_id", "no notice %q on this case", n.IntentID)
	}
	if why := intentMismatch(n, in, step); why != "" {
		return apperr.InvalidField("intent_id", "notice %s cannot precede this notice: %s", cmpRef(in), why)
	}
	return nil
}

func cmpRef(n Notice) string {
	if n.Reference != "" {
		return n.Reference
	}
	return n.ID
}

// Sequence returns where a notice the caller may read stands in the
// statutory sequence.
func (s *Service) Sequence(ctx context.Context, id string) (Sequence, error) {
	n, _, err := s.visible(ctx, id)
	if err != nil {
		return Sequence{}, err
	}
	return s.sequence(ctx, n)
}

// sequence works out n's standing now.
func (s *Service) sequence(ctx context.Context, n Notice) (Sequence, error) {
	step, needs := legalbasis.StepFor(string(n.Type))
	if !needs {
		return Sequence{Satisfied: true}, nil
	}
	seq := Sequence{Required: true, Step: step, Route: RouteIntent}
	if n.Urgency != "" && step.UrgencyAllowed {
		seq.Route = RouteUrgency
		seq.Satisfied = n.UrgencyApprovedBy != ""
		if !seq.Satisfied {
			seq.Missing, seq.Reason = StepUrgencyApproval, "the reason this notice cannot wait for a notice of intent has not been approved by a supervisor"
		}
		return seq, nil
	}
	candidates, err := s.intentCandidates(ctx, n, step)
	if err != nil {
		return Sequence{}, err
	}
	if len(candidates) == 0 {
		seq.Missing = step.Name
		seq.Reason = fmt.Sprintf("%s requires a %s to %s for the same breaches before this notice is given; none was issued",
			upper(step.Provision), strings.ToLower(Info[Type(step.IntentType)].Title), "the same operator")
		return seq, nil
	}
	today := ukDate(s.now())
	var best *Sequence
	for _, in := range candidates {
		c := seq
		in := in
		c.Intent = &in
		s.standing(&c, n, in, today)
		if best == nil || c.Satisfied && !best.Satisfied || rank(c) > rank(*best) {
			cp := c
			best = &cp
		}
	}
	reps, err := s.store.Representations(ctx, best.Intent.ID)
	if err != nil {
		return Sequence{}, err
	}
	best.Representations = reps
	if best.Satisfied && len(reps) > 0 && strings.TrimSpace(n.RepresentationsResponse) == "" {
		best.Satisfied = false
		best.Missing = StepRepresentationsResponse
		best.Reason = fmt.Sprintf("%d representation(s) were received on %s: the notice must say how the authority considered them "+
			"(representations_response)", len(reps), cmpRef(*best.Intent))
	}
	return *best, nil
}

// rank orders candidate intents by how far along they are.
func rank(s Sequence) int {
	switch {
	case s.Satisfied:
		return 3
	case s.Missing == StepRepresentationsPeriod:
		return 2
	case s.Intent != nil:
		return 1
	}
	return 0
}

// standing fills in how far intent in takes n, as of today (a UK date).
func (s *Service) standing(seq *Sequence, n, in Notice, today time.Time) {
	if in.IssuedAt == nil {
		seq.Missing, seq.Reason = StepIntentGiven, fmt.Sprintf("the notice of intent %s has not been issued", cmpRef(in))
		return
	}
	seq.GivenOn = givenOn(in)
	if seq.GivenOn == nil {
		seq.Missing, seq.Reason = StepIntentGiven, fmt.Sprintf("the notice of intent %s has not been given: record its service first", cmpRef(in))
		return
	}
	// "The period of N days beginning with the day on which the notification
	// is given" ends at the close of day N counting that day as the first.
	earliest := seq.GivenOn.AddDate(0, 0, seq.Step.MinDays)
	if in.Deadline != nil {
		seq.RepresentationsBy = in.Deadline
		if after := dateOf(*in.Deadline).AddDate(0, 0, 1); after.After(earliest) {
			earliest = after
		}
	}
	seq.EarliestIssue = &earliest
	if today.Before(earliest) {
		seq.Missing = StepRepresentationsPeriod
		seq.Reason = fmt.Sprintf("the period for representations on %s has not ended: the notice may be given from %s", cmpRef(in),
			earliest.Format("2 January 2006"))
		return
	}
	seq.Satisfied = true
}

// intentCandidates lists the intents that could precede n: the linked one
// (whatever it is, so a mismatch is reported), else every matching one.
func (s *Service) intentCandidates(ctx context.Context, n Notice, step legalbasis.Step) ([]Notice, error) {
	if n.IntentID != "" {
		in, err := s.store.GetNotice(ctx, n.IntentID, false)
		if err != nil {
			return nil, fmt.Errorf("load intent %s: %w", n.IntentID, err)
		}
		if intentMismatch(n, in, step) != "" {
			return nil, nil
		}
		return []Notice{in}, nil
	}
	all, err := s.store.ListNotices(ctx, ListFilter{AuthorityID: n.AuthorityID, CaseID: n.CaseID, Type: Type(step.IntentType), Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []Notice
	for _, in := range all {
		if intentMismatch(n, in, step) == "" {
			out = append(out, in)
		}
	}
	return out, nil
}

// requireSequence refuses to issue n until its sequence is complete, and
// links the intent relied on.
func (s *Service) requireSequence(ctx context.Context, n *Notice) (Sequence, error) {
	seq, err := s.sequence(ctx, *n)
	if err != nil {
		return Sequence{}, err
	}
	if !seq.Satisfied {
		e := apperr.New(apperr.Conflict, "cannot issue: %s", seq.Reason).With("missing_step", seq.Missing).
			With("provision", seq.Step.Provision)
		if seq.EarliestIssue != nil {
			e = e.With("earliest_issue", seq.EarliestIssue.Format(time.DateOnly))
		}
		return Sequence{}, e
	}
	if seq.Intent != nil {
		n.IntentID = seq.Intent.ID
	}
	return seq, nil
}

// validateSequence checks a draft's sequence fields (urgency, intent link,
// what an intent proposes, the response to representations).
func validateSequence(fe *apperr.Fields, d *Content) {
	d.Urgency = strings.TrimSpace(d.Urgency)
	d.RepresentationsResponse = strings.TrimSpace(d.RepresentationsResponse)
	d.IntentID = strings.TrimSpace(d.IntentID)
	step, needs := legalbasis.StepFor(string(d.Type))
	switch {
	case d.Urgency == "":
	case !needs:
		fe.Add("urgency", "a %s needs no prior notice, so there is nothing to skip", strings.ToLower(Info[d.Type].Title))
	case !step.UrgencyAllowed:
		fe.Add("urgency", "%s allows no exception for urgency: give a %s first", upper(step.Provision),
			strings.ToLower(Info[Type(step.IntentType)].Title))
	case d.IntentID != "":
		fe.Add("urgency", "give either intent_id or urgency, not both")
	case len(d.Urgency) > 5000:
		fe.Add("urgency", "must be at most 5000 characters")
	}
	fe.Check(len(d.RepresentationsResponse) > 20000, "representations_response", "must be at most 20000 characters")
	fe.Check(d.RepresentationsResponse != "" && !needs, "representations_response", "only a notice that follows a notice of intent answers representations")
	switch {
	case d.ProposedType == "":
	case d.Type != Intent:
		fe.Add("proposed_type", "only a notice of intent proposes another notice")
	case d.ProposedType != Compliance && d.ProposedType != Stop && d.ProposedType != Recall:
		fe.Add("proposed_type", "must be compliance, stop or recall")
	}
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// RepresentationInput is representations as an officer records them.
type RepresentationInput struct {
	From       string
	Text       string
	ReceivedAt time.Time
	ExhibitIDs []string
}

// RecordRepresentation records representations received on an issued
// notice of intent, with the exhibits that hold their attachments.
func (s *Service) RecordRepresentation(ctx context.Context, intentID string, in RepresentationInput) (Representation, error) {
	in.From, in.Text = strings.TrimSpace(in.From), strings.TrimSpace(in.Text)
	var fe apperr.Fields
	fe.Check(in.From == "" || len(in.From) > 500, "from", "say who made them (1 to 500 characters)")
	fe.Check(in.Text == "" || len(in.Text) > 50000, "text", "must be 1 to 50000 characters (attach long documents as exhibits)")
	fe.Check(in.ReceivedAt.IsZero(), "received_at", "is required")
	fe.Check(in.ReceivedAt.After(s.now().Add(5*time.Minute)), "received_at", "must not be in the future")
	fe.Check(len(in.ExhibitIDs) > 50, "exhibit_ids", "at most 50 exhibits")
	if err := fe.Err(); err != nil {
		return Representation{}, err
	}
	var rep Representation
	_, err := s.mutate(ctx, intentID, "notice.representation", func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error) {
		if _, err := s.workCase(ctx, *n, p, "record representations on"); err != nil {
			return nil, err
		}
		if n.Type != Intent && n.Type != PenaltyIntent {
			return nil, apperr.New(apperr.Conflict, "representations are recorded on a notice of intent, not on a %s", strings.ToLower(Info[n.Type].Title))
		}
		if n.IssuedAt == nil || n.Status == Withdrawn || n.Status == Revoked {
			return nil, wrongState(*n, "record representations on", Issued, Served)
		}
		if in.ReceivedAt.Before(*n.IssuedAt) {
			return nil, apperr.InvalidField("received_at", "must not be before the notice of intent was issued")
		}
		exhibits := unique(in.ExhibitIDs)
		if len(exhibits) > 0 {
			if _, err := s.exhibits.Lookup(ctx, n.CaseID, exhibits); err != nil {
				return nil, err
			}
		}
		rep = Representation{ID: ids.New(), NoticeID: n.ID, ReceivedAt: in.ReceivedAt.UTC(), From: in.From, Text: in.Text,
			ExhibitIDs: exhibits, RecordedBy: p.UserID, RecordedAt: s.now().UTC()}
		if err := s.store.AddRepresentation(ctx, rep); err != nil {
			return nil, err
		}
		late := n.Deadline != nil && ukDate(rep.ReceivedAt).After(dateOf(*n.Deadline))
		return map[string]any{"representation_id": rep.ID, "received_at": rep.ReceivedAt, "from": rep.From,
			"length": len(rep.Text), "exhibit_ids": exhibits, "late": late}, nil
	})
	return rep, err
}

// Representations lists the representations received on a notice of intent.
func (s *Service) Representations(ctx context.Context, id string) ([]Representation, error) {
	n, acc, err := s.visible(ctx, id)
	if err != nil {
		return nil, err
	}
	if !acc.SeesContent() {
		return nil, apperr.New(apperr.Forbidden, "notice %s is on a case referred to your authority: accept the referral to read representations", cmpRef(n))
	}
	return s.store.Representations(ctx, n.ID)
}
