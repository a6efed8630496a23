package cases

import (
	"fmt"
	"sync"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/redact"
)

// Standing says how an authority holds a case.
type Standing string

// Standings.
const (
	// Owner is the authority that opened the case: it alone assigns,
	// renames, transitions, closes, refers, drafts notices and exports.
	Owner Standing = "owner"
	// Referred is an authority with a referral awaiting its decision. Its
	// supervisors see what a referral package would carry and no exhibit
	// content.
	Referred Standing = "referred"
	// Collaborator is an authority that accepted a referral; its Level says
	// whether it may add evidence and notes.
	Collaborator Standing = "collaborator"
)

// Access is how the caller's authority holds a case, and the redaction that
// applies to what it reads.
type Access struct {
	Standing Standing
	// Level is the collaboration level (offered, while Referred).
	Level AccessLevel
	text  *lazyScrubber
}

// lazyScrubber builds a case's redaction on first use: most accesses are
// the owner's, or never read free text.
type lazyScrubber struct {
	once sync.Once
	c    Case
	s    *redact.Scrubber
}

func (l *lazyScrubber) get() *redact.Scrubber {
	if l == nil {
		return nil
	}
	l.once.Do(func() { l.s = l.c.Redactor() })
	return l.s
}

// AccessFor returns how an authority holds the case; false when it has no
// access (another authority's case, or a declined or revoked referral).
func (c Case) AccessFor(authorityID string) (Access, bool) {
	if authorityID == "" {
		return Access{}, false
	}
	if c.AuthorityID == authorityID {
		return Access{Standing: Owner}, true
	}
	sh, ok := c.ShareFor(authorityID)
	if !ok || !sh.Live() {
		return Access{}, false
	}
	a := Access{Standing: Collaborator, Level: sh.Level, text: &lazyScrubber{c: Case{Origin: c.Origin, Complainant: c.Complainant}}}
	if sh.Status == SharePending {
		a.Standing = Referred
	}
	return a, true
}

// SeesContent reports whether the authority may read exhibit content,
// custody, findings and the timeline: the owner and collaborators, not an
// authority still deciding on a referral.
func (a Access) SeesContent() bool { return a.Standing == Owner || a.Standing == Collaborator }

// Text redacts free text of the case for the authority: the complainant's
// identity and contact details never leave the owning authority (R1).
func (a Access) Text(s string) string {
	if a.Standing == Owner {
		return s
	}
	return a.text.get().Text(s)
}

// JSON redacts the string values of a JSON document, as Text.
func (a Access) JSON(raw string) string {
	if a.Standing == Owner {
		return raw
	}
	return a.text.get().JSON(raw)
}

// Redactor is the complainant redaction (R1) of the case's free text: the
// recorded complainant's name, address, e-mail and telephone and, in a
// complaint case, any e-mail address, UK telephone number or postcode.
func (c Case) Redactor() *redact.Scrubber {
	contacts := c.Origin == Complaint || !c.Complainant.Empty()
	return redact.New(contacts, c.ComplainantIdentity())
}

// ComplainantIdentity is the recorded complainant as an identity to redact.
func (c Case) ComplainantIdentity() redact.Identity {
	k := c.Complainant
	id := redact.Identity{Label: redact.Complainant}
	if k.Name != "" {
		id.Names = []string{k.Name}
	}
	if k.Address != "" {
		id.Addresses = []string{k.Address}
	}
	for _, v := range []string{k.Email, k.Phone} {
		if v != "" {
			id.Contacts = append(id.Contacts, v)
		}
	}
	return id
}

// SharedSummary is the summary as it may leave the owning authority (R1):
// with the complainant taken out, or withheld whole for a complaint whose
// complainant was never recorded (nobody knows whom to take out).
func (c Case) SharedSummary(scrub *redact.Scrubber) string {
	if c.Summary == "" {
		return ""
	}
	if c.Origin == Complaint && c.Complainant.Empty() {
		return redact.ComplaintWithheld
	}
	return scrub.Text(c.Summary)
}

// viewFor is the case as an authority with access a sees it.
func (c Case) viewFor(a Access, viewerID string) Case {
	if a.Standing == Owner {
		return c
	}
	v := c
	v.Title = a.Text(c.Title)
	v.Summary = c.SharedSummary(a.text.get())
	v.Complainant = Complainant{}
	v.Shares = nil
	if sh, ok := c.ShareFor(viewerID); ok {
		v.Shares = []Share{sh}
	}
	if a.Standing == Collaborator {
		v.ClosureNote = a.Text(c.ClosureNote)
		v.Scope.Notes = a.Text(c.Scope.Notes)
		if r := c.ClosureReq; r != nil {
			cr := *r
			cr.Note = a.Text(r.Note)
			v.ClosureReq = &cr
		}
		return v
	}
	// Referred: what a referral package carries. Officers are not named
	// (R2); closure, triage and closure-request notes stay (R5).
	v.AssigneeID, v.CreatedBy, v.ClosureNote, v.Scope.Notes, v.ClosureReq = "", "", "", "", nil
	for i := range v.Shares {
		v.Shares[i].ReferredBy = ""
	}
	return v
}

// notesFor are the notes an authority may read: all of them for the owner;
// for others the notes marked shareable (R5) and those their own authority
// wrote, with the complainant taken out; authors unnamed while referred (R2).
func notesFor(a Access, viewerID string, all []Note) []Note {
	if a.Standing == Owner {
		return all
	}
	out := []Note{}
	for _, n := range all {
		own := n.AuthorityID == viewerID && viewerID != ""
		if !n.Shareable && !own {
			continue
		}
		if !own {
			n.Body = a.Text(n.Body)
		}
		if a.Standing == Referred {
			n.AuthorID, n.Author = "", ""
		}
		out = append(out, n)
	}
	return out
}

// partiesFor hides, while referred, who linked each party (R2) and which
// sole trader a party is (R4: a label, numbered as a package numbers them).
func partiesFor(a Access, all []Party, soleTraders map[string]bool) []Party {
	if a.Standing != Referred {
		return all
	}
	out := make([]Party, len(all))
	labels := map[string]string{}
	for i, p := range all {
		p.AddedBy = ""
		if soleTraders[p.OperatorID] {
			if labels[p.OperatorID] == "" {
				labels[p.OperatorID] = fmt.Sprintf("Sole trader %d", len(labels)+1)
			}
			p.OperatorID, p.OperatorName, p.OperatorLabel = "", "", labels[p.OperatorID]
		}
		out[i] = p
	}
	return out
}

// matrixFor redacts the assessment: rationales lose the complainant; while
// referred the assessors are unnamed (R2) and findings are counted, not
// shown (they are exhibit content).
func matrixFor(a Access, m Matrix) Matrix {
	if a.Standing == Owner {
		return m
	}
	out := Matrix{Counts: m.Counts, Rows: make([]Row, len(m.Rows))}
	for i, r := range m.Rows {
		r.Rationale, r.Reason = a.Text(r.Rationale), a.Text(r.Reason)
		if a.Standing == Referred {
			r.UpdatedBy, r.Findings, r.FindingIDs, r.Detached = "", nil, nil, nil
		}
		out.Rows[i] = r
	}
	return out
}

// timelineFor redacts the complainant from audit details for collaborators.
func timelineFor(a Access, es []audit.Entry) []audit.Entry {
	if a.Standing == Owner {
		return es
	}
	for i := range es {
		es[i].Detail = a.JSON(es[i].Detail)
	}
	return es
}
