package importer

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/intake/intake"
)

// TestOneMappingRule: a header, a record key and a late JSON key map by
// the same rule, and a target that is no field is refused the same way in
// every form.
func TestOneMappingRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ header, want string }{
		{"Email", "email"}, {"E-mail", "email"}, {"email", "email"}, {"First Name", "first_name"},
		{"custom.MemberID", "custom.MemberID"}, {"alternate_phones_work", "alternate_phones_work"},
		// Groups is a contact field now: a Groups column joins contacts to groups.
		{"Groups", "groups"}, {"Shoe size", ""}, {"Hobbies", ""},
	} {
		if got := Column(nil, nil, tc.header); got != tc.want {
			t.Errorf("Column(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	if got := Column(nil, map[string]string{"Email": ""}, "Email"); got != "" {
		t.Errorf("a column the caller left out maps to %q", got)
	}
	if got := Column(nil, map[string]string{"Mail": "email"}, "Mail"); got != "email" {
		t.Errorf("a mapped column maps to %q", got)
	}
	for _, target := range []string{"hobbies", "shoe_size"} {
		if _, ok := Target(nil, target); ok {
			t.Errorf("Target(%q) is accepted; it is no contact field", target)
		}
	}
}

func TestResolveMapping(t *testing.T) {
	t.Parallel()
	headers := []string{"E-mail", "Hobbies", "Naam", "Mail"}
	for _, tc := range []struct {
		name     string
		req      intake.ColumnMapping
		want     map[string]string
		problems int
		warnings int
	}{
		{"suggested, unknown columns warned and kept out, a second email an alternate", intake.ColumnMapping{},
			map[string]string{"E-mail": "email", "Hobbies": "", "Naam": "name", "Mail": "alternate_emails_other"}, 0, 1},
		{"a caller's mapping wins and may leave a column out", intake.ColumnMapping{ByHeader: map[string]string{"Mail": "email", "E-mail": "ignore"}},
			map[string]string{"E-mail": "", "Hobbies": "", "Naam": "name", "Mail": "email"}, 0, 2},
		{"a target that is no field is a problem", intake.ColumnMapping{ByHeader: map[string]string{"Hobbies": "hobbies"}}, nil, 1, 0},
		{"two columns on one field is a problem", intake.ColumnMapping{ByHeader: map[string]string{"Mail": "email", "Naam": "email"}}, nil, 1, 0},
		{"a column the file lacks is a problem", intake.ColumnMapping{ByHeader: map[string]string{"Phone": "phone"}}, nil, 1, 0},
		{"by position, invalid names", intake.ColumnMapping{ByPosition: []string{"email", "nope", "name", "phone"}}, nil, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, problems, warnings := ResolveMapping(nil, headers, tc.req)
			if len(problems) != tc.problems {
				t.Fatalf("problems %v, want %d", problems, tc.problems)
			}
			if tc.problems > 0 {
				for _, p := range problems {
					if p.Message == "" || p.Field == "" {
						t.Errorf("problem without field or message: %+v", p)
					}
				}
				return
			}
			if !maps.Equal(got, tc.want) || len(warnings) != tc.warnings {
				t.Fatalf("mapping %v warnings %v, want %v and %d warnings", got, warnings, tc.want, tc.warnings)
			}
		})
	}
}

// TestResolveMappingWithCustomFields: a header naming a defined custom
// field (its name or label) maps to it, and a mapping may target one by its
// bare name.
func TestResolveMappingWithCustomFields(t *testing.T) {
	t.Parallel()
	reg := intake.NewRegistry([]intake.CustomField{
		{Name: "member_id", Label: "Member No", Type: intake.TypeNumber, Unique: true},
		{Name: "born", Type: intake.TypeDate},
	})
	headers := []string{"E-mail", "Member No", "BORN", "Lidnummer", "Shoe size"}
	got, problems, _ := ResolveMapping(reg, headers, intake.ColumnMapping{})
	want := map[string]string{"E-mail": "email", "Member No": "custom.member_id", "BORN": "custom.born", "Lidnummer": "customer_number", "Shoe size": ""}
	if len(problems) != 0 || !maps.Equal(got, want) {
		t.Fatalf("suggested %v (%v), want %v", got, problems, want)
	}
	got, problems, _ = ResolveMapping(reg, headers, intake.ColumnMapping{ByHeader: map[string]string{"Lidnummer": "member_id", "Member No": "", "Shoe size": "custom.shoe"}})
	want = map[string]string{"E-mail": "email", "Member No": "", "BORN": "custom.born", "Lidnummer": "custom.member_id", "Shoe size": "custom.shoe"}
	if len(problems) != 0 || !maps.Equal(got, want) {
		t.Fatalf("mapped %v (%v), want %v", got, problems, want)
	}
	// Without the tenant's registry the bare name is no target.
	if _, problems, _ := ResolveMapping(nil, headers, intake.ColumnMapping{ByHeader: map[string]string{"Lidnummer": "member_id"}}); len(problems) != 1 {
		t.Fatalf("bare name without a registry: %v", problems)
	}
}

// Regression: every unknown header of a mapping repeated the file's whole
// column list; 20,000 of them against 1,000 long column names made
// gigabytes of messages.
func TestMappingProblemsStaySmall(t *testing.T) {
	t.Parallel()
	headers := make([]string, 1000)
	for i := range headers {
		headers[i] = fmt.Sprintf("%03d-%s", i, strings.Repeat("x", 100))
	}
	req := intake.ColumnMapping{ByHeader: map[string]string{}}
	for i := range 20000 {
		req.ByHeader[fmt.Sprintf("nope-%d", i)] = "email"
	}
	_, problems, _ := ResolveMapping(nil, headers, req)
	total := 0
	for _, p := range problems {
		total += len(p.Message)
	}
	if len(problems) != 20000 || total > 20000*400 {
		t.Fatalf("%d problems, %d bytes of messages", len(problems), total)
	}
}
