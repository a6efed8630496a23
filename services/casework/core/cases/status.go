package cases

import "slices"

// Status is a case's lifecycle state.
type Status string

// Case states.
const (
	Intake        Status = "intake"
	Triage        Status = "triage"
	Investigating Status = "investigating"
	Decision      Status = "decision"
	Enforcement   Status = "enforcement"
	Monitoring    Status = "monitoring"
	Closed        Status = "closed"
	Reopened      Status = "reopened"
)

// Statuses lists every state in lifecycle order.
var Statuses = []Status{Intake, Triage, Investigating, Decision, Enforcement, Monitoring, Closed, Reopened}

// transitions is the lifecycle: forward through the stages, back one step
// when more work is needed, closure from triage (out of scope) or once a
// decision is taken, and reopening after closure.
var transitions = map[Status][]Status{
	Intake:        {Triage},
	Triage:        {Investigating, Closed},
	Investigating: {Decision, Triage},
	Decision:      {Enforcement, Monitoring, Investigating, Closed},
	Enforcement:   {Monitoring, Closed},
	Monitoring:    {Enforcement, Closed},
	Closed:        {Reopened},
	Reopened:      {Triage, Investigating},
}

// Allowed returns the states a case may move to from s.
func (s Status) Allowed() []Status { return transitions[s] }

// CanMoveTo reports whether s → to is a legal transition.
func (s Status) CanMoveTo(to Status) bool { return slices.Contains(transitions[s], to) }

// Open reports whether the case is still being worked.
func (s Status) Open() bool { return s != Closed }

// ClosureReason says why a case was closed.
type ClosureReason string

// Closure reasons.
const (
	OutOfScope          ClosureReason = "out_of_scope"
	Duplicate           ClosureReason = "duplicate"
	NoBreachFound       ClosureReason = "no_breach_found"
	ComplianceAchieved  ClosureReason = "compliance_achieved"
	EnforcementComplete ClosureReason = "enforcement_complete"
	ReferredElsewhere   ClosureReason = "referred_elsewhere"
	NoFurtherAction     ClosureReason = "no_further_action"
)

// ClosureReasons lists every closure reason.
var ClosureReasons = []ClosureReason{OutOfScope, Duplicate, NoBreachFound, ComplianceAchieved, EnforcementComplete,
	ReferredElsewhere, NoFurtherAction}

// closableFrom lists the reasons that may close a case in each state: from
// triage only a case that is out of scope or a duplicate.
func closableFrom(s Status) []ClosureReason {
	if s == Triage {
		return []ClosureReason{OutOfScope, Duplicate}
	}
	return ClosureReasons
}
