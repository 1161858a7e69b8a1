package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/intake/intake"
)

func TestNormalizePackageXFields(t *testing.T) {
	t.Parallel()
	px := normalizer{region: "NL", limits: map[string]int{"email": 127, "phone": 31, "alternate_phones": 31, "groups": 20}}
	plain := normalizer{region: "NL"}
	for _, tc := range []struct {
		name   string
		n      normalizer
		fields map[string]string
		check  func(c intake.Contact) bool
		codes  []string
	}{
		{"groups split on , and ;, one per name ignoring case, sorted", plain, map[string]string{"groups": "VIP; leads,vip ,,Board"},
			func(c intake.Contact) bool { return slices.Equal(c.Groups, []string{"Board", "VIP", "leads"}) }, nil},
		{"locations likewise", plain, map[string]string{"locations": "__Search Contacts Test,AA Write Test"},
			func(c intake.Contact) bool {
				return slices.Equal(c.Locations, []string{"AA Write Test", "__Search Contacts Test"})
			}, nil},
		{"alternate names: at most 5", plain, map[string]string{"alternate_names": "a,b,c,d,e"},
			func(c intake.Contact) bool { return len(c.AlternateNames) == 5 }, nil},
		{"a sixth alternate name is an error", plain, map[string]string{"alternate_names": "a,b,c,d,e,f"}, nil, []string{intake.CodeInvalidValue}},
		{"is_primary yes", plain, map[string]string{"is_primary": " Yes "}, func(c intake.Contact) bool { return c.IsPrimary }, nil},
		{"is_primary 0", plain, map[string]string{"is_primary": "0"}, func(c intake.Contact) bool { return !c.IsPrimary }, nil},
		{"is_primary TRUE", plain, map[string]string{"is_primary": "TRUE"}, func(c intake.Contact) bool { return c.IsPrimary }, nil},
		{"is_primary maybe", plain, map[string]string{"is_primary": "maybe"}, nil, []string{intake.CodeInvalidValue}},
		{"a dialect's email limit", px, map[string]string{"email": strings.Repeat("a", 116) + "@example.com"}, nil, []string{intake.CodeTooLong}},
		{"at the email limit", px, map[string]string{"email": strings.Repeat("a", 115) + "@example.com"},
			func(c intake.Contact) bool { return len(c.Email) == 127 }, nil},
		{"a phone's raw text counts, before parsing", px, map[string]string{"phone": "+31 6 1234 5678 ext. 123456789012"}, nil, []string{intake.CodeTooLong}},
		{"an alternate's limit holds for every kind", px, map[string]string{"alternate_phones_fax": "+31 6 1234 5678 ext. 123456789012"}, nil, []string{intake.CodeTooLong}},
		{"the groups cell's length", px, map[string]string{"groups": "a,b,c,d,e,f,g,h,i,j,k"}, nil, []string{intake.CodeTooLong}},
		{"without limits the registry's hold", plain, map[string]string{"email": strings.Repeat("a", 116) + "@example.com"},
			func(c intake.Contact) bool { return len(c.Email) == 128 }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, errs := tc.n.build(tc.fields)
			var codes []string
			for _, e := range errs {
				codes = append(codes, e.Code)
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

func TestMergeMemberships(t *testing.T) {
	t.Parallel()
	stored := &intake.Contact{ID: 1, Email: "ann@example.com", Groups: []string{"Leads", "VIP"}, Locations: []string{"HQ"},
		AlternateNames: []string{"Annie"}, IsPrimary: true}
	for _, tc := range []struct {
		name        string
		fields      map[string]string
		ignoreEmpty bool
		want        string // groups locations alternate_names is_primary
	}{
		{"merge adds groups, stored spelling wins", map[string]string{"groups": "vip,Board"}, true, "[Board Leads VIP] [HQ] [Annie] true"},
		{"merge keeps groups for an empty cell", map[string]string{"groups": "", "locations": ""}, true, "[Leads VIP] [HQ] [Annie] true"},
		{"a file without the columns keeps everything", map[string]string{"name": "Ann"}, false, "[Leads VIP] [HQ] [Annie] true"},
		{"overwrite replaces groups, stored spelling wins", map[string]string{"groups": "vip;board"}, false, "[VIP board] [HQ] [Annie] true"},
		{"overwrite with an empty cell clears", map[string]string{"groups": "", "locations": "", "alternate_names": "", "is_primary": ""}, false, "[] [] [] false"},
		{"is_primary no, merged", map[string]string{"is_primary": "no"}, true, "[Leads VIP] [HQ] [Annie] false"},
		{"alternate names replace as tags do", map[string]string{"alternate_names": "A.,Ann"}, true, "[Leads VIP] [HQ] [A. Ann] true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, errs := normalizer{region: "NL"}.build(tc.fields)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			m := merge(stored, &Item{Fields: tc.fields, Data: &c}, tc.ignoreEmpty)
			got := strings.Join([]string{join(m.Groups), join(m.Locations), join(m.AlternateNames)}, " ") + map[bool]string{true: " true", false: " false"}[m.IsPrimary]
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func join(l []string) string { return "[" + strings.Join(l, " ") + "]" }

func TestPrepareGroupRows(t *testing.T) {
	t.Parallel()
	spec := &intake.ImportSpec{Mode: intake.ModeUpsert, MatchFields: intake.GroupMatchFields}
	for _, tc := range []struct {
		name   string
		fields map[string]string
		key    string
		codes  []string
	}{
		{"a contact group", map[string]string{"name": " Frodo Baggins ", "resource": "Contact", "children": "a@b.nl"}, "contact\x1ffrodo baggins", nil},
		{"a location group, plural resource", map[string]string{"name": "F", "resource": "locations"}, "location\x1ff", nil},
		{"no name", map[string]string{"name": "", "resource": "contact"}, "", []string{intake.CodeRequired}},
		{"no resource", map[string]string{"name": "F"}, "", []string{intake.CodeRequired}},
		{"an unknown resource", map[string]string{"name": "F", "resource": "team"}, "team\x1ff", []string{intake.CodeInvalidValue}},
		{"a name over 255", map[string]string{"name": strings.Repeat("n", 256), "resource": "contact"}, "contact\x1f" + strings.Repeat("n", 256), []string{intake.CodeTooLong}},
		{"a location over 63", map[string]string{"name": "F", "resource": "contact", "location": strings.Repeat("l", 64)}, "contact\x1ff", []string{intake.CodeTooLong}},
		{"children over 2047", map[string]string{"name": "F", "resource": "contact", "children": strings.Repeat("c,", 1024)}, "contact\x1ff", []string{intake.CodeTooLong}},
		{"a location child over 63", map[string]string{"name": "F", "resource": "location", "children": "ok:::," + strings.Repeat("l", 64)}, "location\x1ff", []string{intake.CodeTooLong}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := Record{Row: 2, Fields: tc.fields}
			it := groups{}.Prepare(spec, rec)
			var codes []string
			for _, e := range it.Errs {
				codes = append(codes, e.Code)
			}
			if !slices.Equal(codes, tc.codes) || it.Key != tc.key || groups.Key(groups{}, spec, rec) != tc.key {
				t.Fatalf("codes %v key %q, want %v %q", codes, it.Key, tc.codes, tc.key)
			}
		})
	}
}
