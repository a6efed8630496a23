package notices

import (
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/legalbasis"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// s.28(6): not until the end of 10 days beginning with the day the intent
// was given — counted in UK days — and not before the representations date
// the intent itself gave has passed.
func TestStandingCountsTheStatutoryPeriod(t *testing.T) {
	step, _ := legalbasis.StepFor("compliance")
	// Served at 23:30 UTC on 1 July: 2 July in London, day 1 of the period.
	served := time.Date(2026, 7, 1, 23, 30, 0, 0, time.UTC)
	issued := served.Add(-time.Hour)
	reps := date(2026, 7, 11)
	in := Notice{ID: "i", Type: Intent, IssuedAt: &issued, ServedAt: &served, Deadline: &reps}
	for _, c := range []struct {
		today time.Time
		ok    bool
	}{{date(2026, 7, 11), false}, {date(2026, 7, 12), true}, {date(2026, 8, 1), true}} {
		seq := Sequence{Step: step}
		(&Service{}).standing(&seq, Notice{}, in, c.today)
		if seq.Satisfied != c.ok || !seq.GivenOn.Equal(date(2026, 7, 2)) || !seq.EarliestIssue.Equal(date(2026, 7, 12)) {
			t.Errorf("today %s: satisfied %v (want %v), given %s, earliest %s", c.today.Format(time.DateOnly), seq.Satisfied, c.ok,
				seq.GivenOn, seq.EarliestIssue)
		}
	}
	// A later representations date than the statutory minimum is honoured.
	later := date(2026, 7, 20)
	in.Deadline = &later
	seq := Sequence{Step: step}
	(&Service{}).standing(&seq, Notice{}, in, date(2026, 7, 15))
	if seq.Satisfied || seq.Missing != StepRepresentationsPeriod || !seq.EarliestIssue.Equal(date(2026, 7, 21)) {
		t.Errorf("later representations date: %+v", seq)
	}
	// Not served: not given.
	in.ServedAt = nil
	seq = Sequence{Step: step}
	(&Service{}).standing(&seq, Notice{}, in, date(2026, 9, 1))
	if seq.Satisfied || seq.Missing != StepIntentGiven {
		t.Errorf("unserved intent: %+v", seq)
	}
}

func TestIntentMustBeForTheSameOperatorAndBreaches(t *testing.T) {
	step, _ := legalbasis.StepFor("compliance")
	n := Notice{AuthorityID: "a", CaseID: "c", Type: Compliance, OperatorID: "op", RequirementIDs: []string{"PSTI-1"}, ProductIDs: []string{"p"}}
	good := Notice{AuthorityID: "a", CaseID: "c", Type: Intent, OperatorID: "op", RequirementIDs: []string{"PSTI-1", "5.1-1"},
		ProductIDs: []string{"p"}, Status: Served}
	if why := intentMismatch(n, good, step); why != "" {
		t.Fatalf("a matching intent is refused: %s", why)
	}
	for name, mutate := range map[string]func(*Notice){
		"another operator": func(in *Notice) { in.OperatorID = "other" },
		"other breaches":   func(in *Notice) { in.RequirementIDs = []string{"PSTI-2"} },
		"other products":   func(in *Notice) { in.ProductIDs = nil },
		"withdrawn":        func(in *Notice) { in.Status = Withdrawn },
		"proposes a stop":  func(in *Notice) { in.ProposedType = Stop },
		"another case":     func(in *Notice) { in.CaseID = "c2" },
		"penalty intent":   func(in *Notice) { in.Type = PenaltyIntent },
	} {
		in := good
		in.RequirementIDs = append([]string{}, good.RequirementIDs...)
		mutate(&in)
		if intentMismatch(n, in, step) == "" {
			t.Errorf("an intent with %s is accepted", name)
		}
	}
}

func TestUrgencyOnlyWhereTheLawAllowsIt(t *testing.T) {
	for _, c := range []struct {
		typ   Type
		field string
	}{{Compliance, "urgency"}, {Penalty, "urgency"}, {Information, "urgency"}, {Stop, ""}, {Recall, ""}} {
		var fe apperr.Fields
		d := Content{Type: c.typ, Urgency: "  cannot wait  "}
		validateSequence(&fe, &d)
		err := fe.Err()
		if (c.field == "") != (err == nil) || (err != nil && !strings.Contains(err.Error()+fieldsOf(err), c.field)) {
			t.Errorf("%s with urgency: %v", c.typ, err)
		}
		if c.field == "" && d.Urgency != "cannot wait" {
			t.Errorf("urgency not trimmed: %q", d.Urgency)
		}
	}
	var fe apperr.Fields
	d := Content{Type: Compliance, ProposedType: Stop}
	validateSequence(&fe, &d)
	if fe.Err() == nil {
		t.Error("a compliance notice may propose another notice")
	}
}

func fieldsOf(err error) string {
	var e *apperr.Error
	if ae, ok := err.(*apperr.Error); ok {
		e = ae
	}
	if e == nil {
		return ""
	}
	var b strings.Builder
	for _, f := range e.Fields {
		b.WriteString(f.Field + " ")
	}
	return b.String()
}

func TestOverdueIgnoresIntents(t *testing.T) {
	past := date(2020, 1, 1)
	for _, typ := range []Type{Intent, PenaltyIntent} {
		if (Notice{Type: typ, Status: Served, Deadline: &past}).Overdue(time.Now()) {
			t.Errorf("a served %s is overdue", typ)
		}
	}
	if !(Notice{Type: Compliance, Status: Served, Deadline: &past}).Overdue(time.Now()) {
		t.Error("a served compliance notice past its date is not overdue")
	}
}
