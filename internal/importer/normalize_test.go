package importer

import (
	"slices"
	"testing"

	"github.com/intake/intake"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	n := normalizer{region: "NL"}
	for _, tc := range []struct {
		name   string
		fields map[string]string
		check  func(c intake.Contact) bool
		codes  []string
	}{
		{"email is trimmed and lower-cased", map[string]string{"email": "  Ann.Smith@Example.COM "},
			func(c intake.Contact) bool { return c.Email == "ann.smith@example.com" }, nil},
		{"email without @ is invalid", map[string]string{"email": "ann-at-example.com"}, nil, []string{intake.CodeInvalidEmail}},
		{"email without a dotted domain is invalid", map[string]string{"email": "ann@localhost"}, nil, []string{intake.CodeInvalidEmail}},
		{"email with a display name is invalid", map[string]string{"email": "Ann <ann@example.com>"}, nil, []string{intake.CodeInvalidEmail}},
		{"email with two @ is invalid", map[string]string{"email": "a@b@example.com"}, nil, []string{intake.CodeInvalidEmail}},
		{"national phone uses the default region", map[string]string{"phone": "06-12345678"},
			func(c intake.Contact) bool { return c.Phone == "+31612345678" }, nil},
		{"phone with spaces and parentheses", map[string]string{"phone": "(020) 123 4567"},
			func(c intake.Contact) bool { return c.Phone == "+31201234567" }, nil},
		{"international phone keeps its country", map[string]string{"phone": "+1 415 555 2671"},
			func(c intake.Contact) bool { return c.Phone == "+14155552671" }, nil},
		{"letters are not a phone", map[string]string{"phone": "call me"}, nil, []string{intake.CodeInvalidPhone}},
		{"country code in lower case", map[string]string{"country": "de"},
			func(c intake.Contact) bool { return c.Country == "DE" }, nil},
		{"country name", map[string]string{"country": "The Netherlands"},
			func(c intake.Contact) bool { return c.Country == "NL" }, nil},
		{"unknown country is kept", map[string]string{"country": "Atlantis"},
			func(c intake.Contact) bool { return c.Country == "Atlantis" }, nil},
		{"tags split on comma and semicolon, deduplicated and sorted", map[string]string{"tags": " vip; lead,vip ,, newsletter"},
			func(c intake.Contact) bool { return slices.Equal(c.Tags, []string{"lead", "newsletter", "vip"}) }, nil},
		{"name is derived from first and last name", map[string]string{"first_name": " Zoë ", "last_name": "van Dijk"},
			func(c intake.Contact) bool { return c.Name == "Zoë van Dijk" && c.FirstName == "Zoë" }, nil},
		{"a given name wins over the derived one", map[string]string{"first_name": "A", "name": "Dr. A"},
			func(c intake.Contact) bool { return c.Name == "Dr. A" }, nil},
		{"too long a name", map[string]string{"first_name": string(make([]byte, 300))}, nil, []string{intake.CodeTooLong}},
		{"custom fields", map[string]string{"custom.member_id": " M-1 ", "custom.empty": ""},
			func(c intake.Contact) bool { return len(c.Custom) == 1 && c.Custom["member_id"] == "M-1" }, nil},
		{"alternate emails and phones", map[string]string{"alternate_emails_work": "A@Work.example", "alternate_phones_mobile": "0612345678"},
			func(c intake.Contact) bool {
				return slices.Equal(c.Alternates, []intake.Alternate{{Type: "email", Kind: "work", Value: "a@work.example"}, {Type: "phone", Kind: "mobile", Value: "+31612345678"}})
			}, nil},
		{"every error of a row is reported", map[string]string{"email": "x", "phone": "nope"}, nil, []string{intake.CodeInvalidEmail, intake.CodeInvalidPhone}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, errs := n.build(tc.fields)
			var codes []string
			for _, e := range errs {
				codes = append(codes, e.Code)
				if e.Message == "" || e.Field == "" {
					t.Errorf("error without field or message: %+v", e)
				}
			}
			if !slices.Equal(codes, tc.codes) {
				t.Fatalf("error codes = %v, want %v (%+v)", codes, tc.codes, errs)
			}
			if tc.check != nil && !tc.check(c) {
				t.Fatalf("contact = %+v", c)
			}
		})
	}
}

func TestDecideEveryCell(t *testing.T) {
	t.Parallel()
	// Written out by hand, not derived from Decide, so the test can fail.
	want := map[intake.Mode][2]intake.Outcome{ // [absent, exists]
		intake.ModeCreate:      {intake.OutcomeCreated, intake.OutcomeSkipped},
		intake.ModeIgnoreOrAdd: {intake.OutcomeCreated, intake.OutcomeSkipped},
		intake.ModeUpdate:      {intake.OutcomeSkipped, intake.OutcomeUpdated},
		intake.ModeUpsert:      {intake.OutcomeCreated, intake.OutcomeUpdated},
		intake.ModeDelete:      {intake.OutcomeSkipped, intake.OutcomeDeleted},
		intake.ModeValidate:    {intake.OutcomeCreated, intake.OutcomeUpdated},
	}
	for _, m := range intake.Modes {
		for i, exists := range []bool{false, true} {
			got, code := Decide(m, exists)
			if got != want[m][i] {
				t.Errorf("Decide(%s, exists=%v) = %s, want %s", m, exists, got, want[m][i])
			}
			if (got == intake.OutcomeSkipped) != (code != "") {
				t.Errorf("Decide(%s, exists=%v): outcome %s with code %q", m, exists, got, code)
			}
		}
	}
}

func TestParseModeAliases(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]intake.Mode{
		"": intake.ModeCreate, "store": intake.ModeCreate, "add": intake.ModeCreate, "UPSERT": intake.ModeUpsert,
		"update or add": intake.ModeUpsert, "merge": intake.ModeUpsert, "ignore or add": intake.ModeIgnoreOrAdd,
		"delete": intake.ModeDelete, "validate": intake.ModeValidate, "update": intake.ModeUpdate,
	} {
		if got, err := intake.ParseMode(in, intake.ModeCreate); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := intake.ParseMode("replace", intake.ModeCreate); intake.ErrorCode(err) != intake.EINVALID {
		t.Errorf("unknown mode: err = %v", err)
	}
}
