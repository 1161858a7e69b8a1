package intake_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/intake/intake"
)

// tenantFields is a tenant with a unique number, a labelled date, a list
// and a field whose name is a built-in synonym (mobile → phone).
var tenantFields = intake.NewRegistry([]intake.CustomField{
	{Name: "member_id", Label: "Member No.", Type: intake.TypeNumber, Unique: true},
	{Name: "birthday", Label: "Date of birth", Type: intake.TypeDate, Required: true},
	{Name: "level", Type: intake.TypeList, Options: []string{"Gold", "Silver"}},
	{Name: "mobile", Type: intake.TypeText},
	{Name: "nickname", Label: "E-mail", Type: intake.TypeText},
})

func TestRegistrySuggest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ header, want string }{
		{"member_id", "custom.member_id"},
		{"Member ID", "custom.member_id"},
		{"Member No.", "custom.member_id"},
		{"date of birth", "custom.birthday"},
		{"LEVEL", "custom.level"},
		{"custom.Member_ID", "custom.member_id"},
		// The tenant's own field beats a synonym we guessed…
		{"Mobile", "custom.mobile"},
		// …but never a built-in field's own name: a label "E-mail" does
		// not take the email column (e-mail normalises to email).
		{"E-mail", "email"},
		{"Phone", "phone"},
		{"custom.undefined", "custom.undefined"},
		{"Shoe size", ""},
	} {
		got, _ := tenantFields.Suggest(tc.header)
		if got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	// The built-in registry knows no custom field by its bare name.
	var builtin *intake.Registry
	if got, ok := builtin.Suggest("member_id"); ok {
		t.Errorf("the built-in registry suggests %q for member_id", got)
	}
}

func TestRegistryLookupTypesCustomFields(t *testing.T) {
	t.Parallel()
	f, ok := tenantFields.Lookup("custom.member_id")
	if !ok || f.Type != intake.TypeNumber || !f.Unique || !f.Match || !f.Custom {
		t.Fatalf("custom.member_id = %+v, %v", f, ok)
	}
	if f, _ := tenantFields.Lookup("custom.birthday"); !f.Required || f.Type != intake.TypeDate {
		t.Fatalf("custom.birthday = %+v", f)
	}
	// Undefined custom fields stay untyped text, as in the built-in registry.
	if f, ok := tenantFields.Lookup("custom.other"); !ok || f.Type != intake.TypeText || f.Unique {
		t.Fatalf("custom.other = %+v, %v", f, ok)
	}
	if f, ok := intake.LookupField("custom.member_id"); !ok || f.Type != intake.TypeText {
		t.Fatalf("built-in custom.member_id = %+v, %v", f, ok)
	}
}

func TestRegistryParseMatchFields(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"custom.member_id", []string{"custom.member_id"}, false},
		{"member_id", []string{"custom.member_id"}, false},
		{"Member_ID", []string{"custom.member_id"}, false},
		{"email, member_id", []string{"email", "custom.member_id"}, false},
		{"E-mail", []string{"email"}, false},
		{"custom.Unknown", []string{"custom.Unknown"}, false},
		{"shoe_size", nil, true},
		{"city", nil, true},
	} {
		got, err := tenantFields.ParseMatchFields(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("ParseMatchFields(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
	// The built-in registry has no bare custom names.
	if _, err := intake.ParseMatchFields("member_id"); err == nil {
		t.Error("the built-in registry accepts member_id as a match field")
	}
	_, err := tenantFields.ParseMatchFields("shoe_size")
	if err == nil || !strings.Contains(intake.ErrorMessage(err), "custom.member_id") {
		t.Errorf("the unknown match field error does not list the custom fields: %v", err)
	}
}

func TestRegistryTargets(t *testing.T) {
	t.Parallel()
	targets := tenantFields.Targets()
	byName := map[string]intake.Target{}
	for _, tg := range targets {
		byName[tg.Name] = tg
	}
	if e := byName["email"]; e.Type != intake.TypeEmail || !e.Match || !e.Unique || e.Max != 254 || !slices.Contains(e.Synonyms, "mail") {
		t.Errorf("email target = %+v", e)
	}
	if c := byName["city"]; c.Match || c.Max != 255 {
		t.Errorf("city target = %+v", c)
	}
	if a := byName["alternate_phones_work"]; a.Type != intake.TypePhone || !slices.Contains(a.Synonyms, "work phone") {
		t.Errorf("alternate_phones_work target = %+v", a)
	}
	m := byName["custom.member_id"]
	if !m.Custom || m.Type != intake.TypeNumber || !m.Unique || !m.Match || m.Label != "Member No." || !slices.Equal(m.Synonyms, []string{"Member No."}) {
		t.Errorf("custom.member_id target = %+v", m)
	}
	if l := byName["custom.level"]; !slices.Equal(l.Options, []string{"Gold", "Silver"}) {
		t.Errorf("custom.level target = %+v", l)
	}
	if targets[0].Name != "email" || !targets[len(targets)-1].Custom {
		t.Errorf("targets are not built-in first, custom last: %s … %s", targets[0].Name, targets[len(targets)-1].Name)
	}
}

func TestCustomFieldValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		f        intake.CustomField
		errField string
	}{
		{"a unique number", intake.CustomField{Name: "member_id", Type: intake.TypeNumber, Unique: true}, ""},
		{"a list with options", intake.CustomField{Name: "level", Type: intake.TypeList, Options: []string{" Gold ", "gold", "Silver"}}, ""},
		{"an upper-case name", intake.CustomField{Name: "MemberID", Type: intake.TypeText}, "name"},
		{"a name with a dot", intake.CustomField{Name: "a.b", Type: intake.TypeText}, "name"},
		{"a name starting with a digit", intake.CustomField{Name: "1st", Type: intake.TypeText}, "name"},
		{"a name over 64 characters", intake.CustomField{Name: strings.Repeat("a", 65), Type: intake.TypeText}, "name"},
		{"a built-in field's name", intake.CustomField{Name: "customer_number", Type: intake.TypeText}, "name"},
		{"an alternate column's name", intake.CustomField{Name: "alternate_emails_work", Type: intake.TypeText}, "name"},
		{"an unknown type", intake.CustomField{Name: "x", Type: "money"}, "type"},
		{"a unique boolean", intake.CustomField{Name: "x", Type: intake.TypeBoolean, Unique: true}, "unique"},
		{"options on a text field", intake.CustomField{Name: "x", Type: intake.TypeText, Options: []string{"a"}}, "options"},
		{"an option with a comma", intake.CustomField{Name: "x", Type: intake.TypeList, Options: []string{"a,b"}}, "options"},
		{"a label over 255 characters", intake.CustomField{Name: "x", Type: intake.TypeText, Label: strings.Repeat("l", 256)}, "label"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.f.Validate()
			if tc.errField == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			ie, ok := err.(*intake.Error)
			if !ok || ie.Code != intake.EINVALID || ie.Fields[0].Field != tc.errField {
				t.Fatalf("Validate = %#v, want EINVALID on %s", err, tc.errField)
			}
		})
	}
	f := intake.CustomField{Name: "level", Type: intake.TypeList, Options: []string{" Gold ", "gold", "Silver"}}
	if err := f.Validate(); err != nil || !slices.Equal(f.Options, []string{"Gold", "Silver"}) {
		t.Fatalf("options = %v (%v), want trimmed and deduplicated ignoring case", f.Options, err)
	}
}
