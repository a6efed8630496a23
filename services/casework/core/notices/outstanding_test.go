package notices_test

import (
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

func TestOutstandingWork(t *testing.T) {
	day := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	at := func(d int) *time.Time { v := day.AddDate(0, 0, d); return &v }
	penalty := &notices.PenaltyTerms{AmountPence: 500_000}
	for _, tc := range []struct {
		name string
		ns   []notices.Notice
		paid map[string]int64
		want []cases.OutstandingKind
	}{
		{"nothing", nil, nil, nil},
		{"draft", []notices.Notice{{ID: "a", Type: notices.Compliance, Status: notices.Draft}}, nil, []cases.OutstandingKind{cases.DraftPending}},
		{"pending approval", []notices.Notice{{ID: "a", Type: notices.Stop, Status: notices.PendingApproval}}, nil, []cases.OutstandingKind{cases.ApprovalPending}},
		{"approved not issued", []notices.Notice{{ID: "a", Type: notices.Recall, Status: notices.Approved}}, nil, []cases.OutstandingKind{cases.IssuePending}},
		{"served, not complied", []notices.Notice{{ID: "a", Type: notices.Compliance, Status: notices.Served, IssuedAt: at(0)}}, nil,
			[]cases.OutstandingKind{cases.NoticeInForce}},
		{"breached", []notices.Notice{{ID: "a", Type: notices.Compliance, Status: notices.Breached, IssuedAt: at(0)}}, nil, []cases.OutstandingKind{cases.NoticeInForce}},
		{"appealed", []notices.Notice{{ID: "a", Type: notices.Stop, Status: notices.Appealed, IssuedAt: at(0)}}, nil, []cases.OutstandingKind{cases.NoticeInForce}},
		{"complied, withdrawn, revoked, cancelled", []notices.Notice{{ID: "a", Type: notices.Compliance, Status: notices.Complied}, {ID: "b", Type: notices.Stop, Status: notices.Withdrawn},
			{ID: "c", Type: notices.Recall, Status: notices.Revoked}, {ID: "d", Type: notices.Compliance, Status: notices.Cancelled}}, nil, nil},
		{"penalty unpaid", []notices.Notice{{ID: "p", Type: notices.Penalty, Status: notices.Served, IssuedAt: at(0), Penalty: penalty}},
			map[string]int64{"p": 100_000}, []cases.OutstandingKind{cases.PenaltyUnpaid}},
		{"penalty marked complied but unpaid", []notices.Notice{{ID: "p", Type: notices.Penalty, Status: notices.Complied, IssuedAt: at(0), Penalty: penalty}},
			nil, []cases.OutstandingKind{cases.PenaltyUnpaid}},
		{"penalty paid in full", []notices.Notice{{ID: "p", Type: notices.Penalty, Status: notices.Served, IssuedAt: at(0), Penalty: penalty}},
			map[string]int64{"p": 500_000}, nil},
		{"penalty revoked", []notices.Notice{{ID: "p", Type: notices.Penalty, Status: notices.Revoked, IssuedAt: at(0), Penalty: penalty}}, nil, nil},
		{"intent issued, not served", []notices.Notice{{ID: "i", Type: notices.Intent, Status: notices.Issued, IssuedAt: at(0), OperatorID: "op"}}, nil,
			[]cases.OutstandingKind{cases.IntentUndecided}},
		{"intent served, no compliance notice", []notices.Notice{{ID: "i", Type: notices.Intent, Status: notices.Served, IssuedAt: at(0), OperatorID: "op"}}, nil,
			[]cases.OutstandingKind{cases.IntentUndecided}},
		{"intent followed by a complied compliance notice", []notices.Notice{{ID: "i", Type: notices.Intent, Status: notices.Served, IssuedAt: at(0), OperatorID: "op"},
			{ID: "c", Type: notices.Compliance, Status: notices.Complied, IssuedAt: at(11), OperatorID: "op"}}, nil, nil},
		{"intent followed only for another operator", []notices.Notice{{ID: "i", Type: notices.Intent, Status: notices.Served, IssuedAt: at(0), OperatorID: "op"},
			{ID: "c", Type: notices.Compliance, Status: notices.Complied, IssuedAt: at(11), OperatorID: "other"}}, nil, []cases.OutstandingKind{cases.IntentUndecided}},
		{"penalty intent revoked", []notices.Notice{{ID: "i", Type: notices.PenaltyIntent, Status: notices.Revoked, IssuedAt: at(0)}}, nil, nil},
	} {
		got := notices.Outstanding(tc.ns, tc.paid)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %+v, want %v", tc.name, got, tc.want)
			continue
		}
		for i, w := range got {
			if w.Kind != tc.want[i] || w.Detail == "" || w.NoticeID == "" {
				t.Errorf("%s: %+v, want %v", tc.name, w, tc.want[i])
			}
		}
	}
}
