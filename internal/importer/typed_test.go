package importer

import (
	"slices"
	"testing"

	"github.com/intake/intake"
)

func TestNormalizeNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want, us string // us: the US reading when it differs ("" = same)
		ok           bool
	}{
		{"42", "42", "", true},
		{"+007", "7", "", true},
		{"-12.50", "-12.5", "", true},
		{"12,5", "12.5", "125", true},
		{"1.234,56", "1234.56", "", true},
		{"1,234.56", "1234.56", "", true},
		{"1.234.567", "1234567", "", true},
		{"1 234 567", "1234567", "", true},
		{"1'000", "1000", "", true},
		{".5", "0.5", "", true},
		{"-0.00", "0", "", true},
		{"100.", "100", "", true},
		{"123456789012345678901234567890.123", "123456789012345678901234567890.123", "", true},
		{"abc", "", "", false},
		{"12a", "", "", false},
		{"1e5", "", "", false},
		{"-", "", "", false},
		{"1.2.3,4,5", "", "", false},
	} {
		got, ok := normalizeNumber(tc.in, false)
		if ok != tc.ok || got != tc.want {
			t.Errorf("normalizeNumber(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		want := tc.want
		if tc.us != "" {
			want = tc.us
		}
		if got, ok := normalizeNumber(tc.in, true); ok != tc.ok || got != want {
			t.Errorf("US normalizeNumber(%q) = %q, %v; want %q", tc.in, got, ok, want)
		}
	}
}

func TestNormalizeDate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, dayFirst, monthFirst string // "" = not a date
	}{
		{"2025-03-04", "2025-03-04", "2025-03-04"},
		{"2025-3-4", "2025-03-04", "2025-03-04"},
		{"2025/03/04", "2025-03-04", "2025-03-04"},
		{"2025-03-04T10:00:00Z", "2025-03-04", "2025-03-04"},
		{"04-03-2025", "2025-03-04", "2025-04-03"},
		{"4/3/2025", "2025-03-04", "2025-04-03"},
		{"04.03.2025", "2025-03-04", "2025-04-03"},
		{"31-12-2025", "2025-12-31", ""},
		{"12/31/2025", "", "2025-12-31"},
		{"5 March 2025", "2025-03-05", "2025-03-05"},
		{"Mar 5, 2025", "2025-03-05", "2025-03-05"},
		{"5-mar-2025", "2025-03-05", "2025-03-05"},
		{"29-02-2024", "2024-02-29", ""},
		{"29-02-2025", "", ""},
		{"2025-02-30", "", ""},
		{"2025-13-01", "", ""},
		{"0000-01-01", "", ""},
		{"04-03-25", "", ""},
		{"yesterday", "", ""},
	} {
		for _, c := range []struct {
			monthFirst bool
			want       string
		}{{false, tc.dayFirst}, {true, tc.monthFirst}} {
			got, ok := normalizeDate(tc.in, c.monthFirst)
			if ok != (c.want != "") || got != c.want {
				t.Errorf("normalizeDate(%q, monthFirst %v) = %q, %v; want %q", tc.in, c.monthFirst, got, ok, c.want)
			}
		}
	}
}

func TestNormalizeBoolean(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"yes": "true", "YES": "true", "y": "true", "True": "true", "1": "true", "ja": "true",
		"no": "false", "N": "false", "false": "false", "0": "false", "Nee": "false", "maybe": "", "2": "", "on": ""} {
		got, ok := normalizeBoolean(in)
		if ok != (want != "") || got != want {
			t.Errorf("normalizeBoolean(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestTypedCustomFields runs a record's custom values through the
// normaliser with a tenant's definitions: stored forms, and one row error
// per bad value with its field, value and code.
func TestTypedCustomFields(t *testing.T) {
	t.Parallel()
	reg := intake.NewRegistry([]intake.CustomField{
		{Name: "age", Type: intake.TypeNumber},
		{Name: "born", Type: intake.TypeDate},
		{Name: "vip", Type: intake.TypeBoolean},
		{Name: "work", Type: intake.TypeEmail},
		{Name: "fax", Type: intake.TypePhone},
		{Name: "level", Type: intake.TypeList, Options: []string{"Gold", "Silver"}},
		{Name: "hobbies", Type: intake.TypeList},
	})
	n := normalizer{region: "NL", reg: reg}
	c, errs := n.build(map[string]string{"email": "a@example.com", "custom.age": " 042,0 ", "custom.born": "3-4-2001",
		"custom.vip": "Ja", "custom.work": "A@Work.Example", "custom.fax": "020 123 4567", "custom.level": "silver;gold;Gold",
		"custom.hobbies": "chess, Go, chess", "custom.note": "free text"})
	want := map[string]string{"age": "42", "born": "2001-04-03", "vip": "true", "work": "a@work.example", "fax": "+31201234567",
		"level": "Gold, Silver", "hobbies": "Go, chess", "note": "free text"}
	if len(errs) != 0 || !mapsEqual(c.Custom, want) || c.Email != "a@example.com" {
		t.Fatalf("custom = %v (errors %v), want %v", c.Custom, errs, want)
	}
	us := normalizer{region: "US", reg: reg, monthFirst: true}
	if c, _ := us.build(map[string]string{"custom.born": "3-4-2001"}); c.Custom["born"] != "2001-03-04" {
		t.Fatalf("US date = %q, want month first", c.Custom["born"])
	}
	c, errs = n.build(map[string]string{"email": "b@example.com", "custom.age": "forty", "custom.born": "31-02-2001",
		"custom.vip": "perhaps", "custom.work": "not-an-email", "custom.fax": "call me", "custom.level": "Gold, Bronze"})
	type fieldErr struct{ field, value, code string }
	var got []fieldErr
	for _, e := range errs {
		got = append(got, fieldErr{e.Field, e.Value, e.Code})
	}
	wantErrs := []fieldErr{
		{"custom.age", "forty", intake.CodeInvalidNumber},
		{"custom.born", "31-02-2001", intake.CodeInvalidDate},
		{"custom.fax", "call me", intake.CodeInvalidPhone},
		{"custom.level", "Gold, Bronze", intake.CodeInvalidOption},
		{"custom.vip", "perhaps", intake.CodeInvalidBoolean},
		{"custom.work", "not-an-email", intake.CodeInvalidEmail},
	}
	if !slices.Equal(got, wantErrs) {
		t.Fatalf("errors:\n got %v\nwant %v", got, wantErrs)
	}
	// A custom email that fails never stands in for the contact's email.
	if c.Email != "b@example.com" {
		t.Fatalf("email = %q", c.Email)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
