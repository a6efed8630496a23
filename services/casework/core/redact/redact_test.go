package redact_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tradewarden/tradewarden/services/casework/core/redact"
)

func complainant() redact.Identity {
	return redact.Identity{Label: redact.Complainant, Names: []string{"Mrs Eleanor Whitcombe"},
		Addresses: []string{"14 Orchard Lane, Canterbury CT1 2AB"}, Contacts: []string{"eleanor@example.org", "01227 555019"}}
}

func TestTextRedactsTheRecordedPersonAndKeepsTheRest(t *testing.T) {
	s := redact.New(true, complainant())
	for _, tc := range []struct{ in, want string }{
		{"Complaint from Eleanor Whitcombe, 14 Orchard Lane, Canterbury CT1 2AB, tel 01227 555019: the camera accepted admin/admin.",
			"Complaint from [redacted: complainant (R1)], [redacted: complainant (R1)], tel [redacted: complainant (R1)]: the camera accepted admin/admin."},
		// Each word of the name, any case, any spacing of the number.
		{"Mrs WHITCOMBE's daughter rang from 01227-555-019.", "Mrs [redacted: complainant (R1)]'s daughter rang from [redacted: complainant (R1)]."},
		{"Eleanor   Whitcombe lives on Orchard Lane", "[redacted: complainant (R1)] lives on [redacted: complainant (R1)]"},
		// A name inside a longer word is another word.
		{"Whitcomberly Ltd imports the Eleanora range", "Whitcomberly Ltd imports the Eleanora range"},
		// Contact details of anyone, in complaint text.
		{"Neighbour: bob.jones@mail.example, +44 7700 900123, ME14 1XX", "Neighbour: " + redact.ContactDetails + ", " + redact.ContactDetails + ", " + redact.ContactDetails},
		{"Model HS100 v2, firmware 1.0.3, 30 units, order 204-5551234", "Model HS100 v2, firmware 1.0.3, 30 units, order 204-5551234"},
		{"", ""},
	} {
		if got := s.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestWithoutContactsOnlyIdentitiesGo(t *testing.T) {
	s := redact.New(false, redact.Identity{Label: "Sole trader 1", Names: []string{"Jane Smithson", "SmartHomeDirect"},
		Addresses: []string{"7 Willow Close, Ashford TN23 4QP"}, Contacts: []string{"https://smarthomedirect.example"}})
	in := "Jane Smithson (trading as SmartHomeDirect, https://smarthomedirect.example) of 7 Willow Close; office@brightwave.example, 01227 555019"
	want := "Sole trader 1 (trading as Sole trader 1, Sole trader 1) of Sole trader 1; office@brightwave.example, 01227 555019"
	if got := s.Text(in); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// Labels are not re-read as names: one pass over the original text.
	s2 := redact.New(false, redact.Identity{Label: "Sole trader 1", Names: []string{"Sole Trader"}})
	if got := s2.Text("Sole Trader"); got != "Sole trader 1" {
		t.Errorf("got %q", got)
	}
}

func TestNilAndEmptyScrubbersAreNoOps(t *testing.T) {
	var s *redact.Scrubber
	if s.Text("Eleanor 01227 555019") != "Eleanor 01227 555019" || s.JSON(`{"a":"b"}`) != `{"a":"b"}` {
		t.Error("nil scrubber changed text")
	}
	if got, changed := redact.New(false).Changed("Eleanor"); changed || got != "Eleanor" {
		t.Error("empty scrubber changed text")
	}
}

func TestJSONRedactsValuesNotKeys(t *testing.T) {
	s := redact.New(true, complainant())
	got := s.JSON(`{"Whitcombe":"called Whitcombe","n":3,"list":["eleanor@example.org",{"x":"Orchard Lane"}]}`)
	if strings.Contains(got, `"called Whitcombe"`) || strings.Contains(got, "eleanor@") || strings.Contains(got, `"Orchard Lane"`) ||
		!strings.Contains(got, `"Whitcombe":`) || !strings.Contains(got, `"n":3`) {
		t.Errorf("JSON: %s", got)
	}
	if s.JSON(`not json Whitcombe`) != `not json Whitcombe` {
		t.Error("unparseable JSON changed")
	}
	if raw := `{"a": "nothing here"}`; s.JSON(raw) != raw {
		t.Error("unchanged JSON re-encoded")
	}
}

// bareName finds the complainant's surname as a whole word, the way the
// scrubber matches it.
var bareName = regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])whitcombe([^\p{L}\p{N}]|$)`)

func FuzzText(f *testing.F) {
	f.Add("Complaint from Eleanor Whitcombe, tel 01227 555019, CT1 2AB")
	f.Add("\xff\xfe Whitcombe\x00")
	f.Add("whitcombe@x.example Whitcombe's WHITCOMBE")
	s := redact.New(true, complainant())
	f.Fuzz(func(t *testing.T, in string) {
		out := s.Text(in)
		if bareName.MatchString(out) {
			t.Fatalf("%q kept the name: %q", in, out)
		}
		if again := s.Text(in); again != out {
			t.Fatalf("not deterministic: %q then %q", out, again)
		}
	})
}
