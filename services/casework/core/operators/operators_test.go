package operators

import (
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

func as(code string, national bool, roles ...principal.Role) principal.Principal {
	return principal.Principal{UserID: "u", Authority: principal.Authority{ID: "id-" + code, Code: code, National: national}, Roles: roles}
}

func TestSoleTraderRecordsChangeOnlyByTheirRecorder(t *testing.T) {
	yes, no := true, false
	name := "Jane Smith"
	sole := Operator{ID: "o1", Name: "Jane Smithson", SoleTrader: true, CreatedBy: "KENT-TS"}
	company := Operator{ID: "o2", Name: "Brightwave Ltd", CreatedBy: "KENT-TS"}
	legacy := Operator{ID: "o3", Name: "Old Trader", SoleTrader: true}
	kentOff := as("KENT-TS", false, principal.Officer)
	opssOff := as("OPSS", true, principal.Officer)
	opssAdmin := as("OPSS", true, principal.Admin)
	kentAdmin := as("KENT-TS", false, principal.Admin)
	kentAnalyst := as("KENT-TS", false, principal.Analyst)
	for _, tc := range []struct {
		name string
		p    principal.Principal
		o    Operator
		in   Input
		ok   bool
	}{
		{"recorder renames its sole trader", kentOff, sole, Input{Name: &name}, true},
		{"recorder clears the flag", kentOff, sole, Input{SoleTrader: &no}, true},
		{"another authority cannot unflag to unredact", opssOff, sole, Input{SoleTrader: &no}, false},
		{"another authority cannot rename a sole trader", opssOff, sole, Input{Name: &name}, false},
		{"another authority cannot flag a company", opssOff, company, Input{SoleTrader: &yes}, false},
		{"another authority may rename a company", opssOff, company, Input{Name: &name}, true},
		{"sending the flag unchanged is no change", opssOff, company, Input{SoleTrader: &no, Name: &name}, true},
		{"a national admin corrects anyone", opssAdmin, sole, Input{SoleTrader: &no}, true},
		{"a national admin corrects unattributed records", opssAdmin, legacy, Input{Name: &name}, true},
		{"nobody else changes unattributed sole traders", kentOff, legacy, Input{Name: &name}, false},
		{"a local admin is not a national admin", kentAdmin, sole, Input{Name: &name}, false},
		{"a local admin changes no operator", kentAdmin, company, Input{Name: &name}, false},
		{"analysts change nothing", kentAnalyst, company, Input{Name: &name}, false},
	} {
		if err := mayChange(tc.p, tc.o, tc.in); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestAnalystsNeverReadASoleTrader(t *testing.T) {
	o := Operator{Name: "Jane Smithson", TradingNames: []string{"SmartHomeDirect"}, Address: "7 Willow Close", CompanyNumber: "x",
		Website: "https://shd.example", VDPURL: "https://shd.example/vdp", Country: "GB", SoleTrader: true}
	for _, p := range []principal.Principal{as("KENT-TS", false, principal.Analyst), as("OPSS", true, principal.Analyst),
		as("KENT-TS", false, principal.Admin), {}} {
		v := ViewFor(p, o)
		if v.Name != SoleTraderLabel || v.TradingNames != nil || v.Address != "" || v.CompanyNumber != "" || v.Website != "" ||
			v.VDPURL != "" || v.Country != "GB" || !v.SoleTrader {
			t.Errorf("%v reads %+v", p.Roles, v)
		}
	}
	for _, p := range []principal.Principal{as("OPSS", false, principal.Officer), as("KENT-TS", false, principal.Supervisor),
		as("OPSS", true, principal.Admin), as("KENT-TS", false, principal.Analyst, principal.Officer)} {
		if ViewFor(p, o).Name != o.Name {
			t.Errorf("%v cannot read the sole trader", p.Roles)
		}
	}
	company := Operator{Name: "Brightwave Ltd", Address: "Unit 4"}
	if v := ViewFor(as("KENT-TS", false, principal.Analyst), company); v.Name != company.Name || v.Address != company.Address {
		t.Errorf("a company is redacted: %+v", v)
	}
}

func TestChangesNamesFields(t *testing.T) {
	a := Operator{Name: "A", TradingNames: []string{"x"}, Country: "GB"}
	b := a
	b.Name, b.TradingNames, b.SoleTrader = "B", []string{"y"}, true
	if got := changes(a, b); len(got) != 3 || got[0] != "name" || got[1] != "trading_names" || got[2] != "sole_trader" {
		t.Errorf("changes %v", got)
	}
}
