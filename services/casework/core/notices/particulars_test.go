package notices_test

import (
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// The issue entry records the particulars' hash from the notice in memory;
// verification recomputes it from the notice read back from either engine,
// so representation details must not change it, while every particular must.
func TestParticularsHash(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.FixedZone("BST", 3600))
	n := notices.Notice{ID: "n1", Reference: "KENT-TS-CN-2026-0001", Type: notices.Compliance, AuthorityID: "a1", CaseID: "c1",
		OperatorID: "o1", Steps: []string{"Set unique passwords."}, Reasons: "Default password.", IssuedAt: &at, SHA256: "ab"}
	base := notices.ParticularsOf(n).Hash()

	same := n
	utc := at.UTC().Truncate(time.Microsecond)
	same.IssuedAt, same.ProductIDs, same.Status, same.ServedTo = &utc, []string{}, notices.Served, "Acme Ltd"
	if notices.ParticularsOf(same).Hash() != base {
		t.Fatal("time zone, sub-microsecond digits, empty lists or later events changed the hash")
	}
	for name, edit := range map[string]func(*notices.Notice){
		"steps":    func(n *notices.Notice) { n.Steps = []string{"Nothing."} },
		"reasons":  func(n *notices.Notice) { n.Reasons = "None." },
		"sha256":   func(n *notices.Notice) { n.SHA256 = "cd" },
		"deadline": func(n *notices.Notice) { d := at.AddDate(0, 0, 1); n.Deadline = &d },
		"penalty":  func(n *notices.Notice) { n.Penalty = &notices.PenaltyTerms{AmountPence: 1} },
		"contributors": func(n *notices.Notice) {
			n.Contributors = []notices.Contributor{{UserID: "u9", Roles: []notices.ContributorRole{notices.Editor}}}
		},
	} {
		changed := n
		edit(&changed)
		p := notices.ParticularsOf(changed)
		if p.Hash() == base {
			t.Errorf("%s: a changed particular kept the hash", name)
		}
		for field, h := range p.FieldHashes() {
			if want := notices.ParticularsOf(n).FieldHashes()[field]; (h != want) != (field == name) {
				t.Errorf("%s: field hash of %s changed=%v", name, field, h != want)
			}
		}
	}
}
