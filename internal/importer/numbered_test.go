package importer

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/intake/intake"
)

// googleHeaders are Google Contacts' current CSV columns for two emails,
// two phones and two addresses (other columns left out).
var googleHeaders = []string{"First Name", "Last Name",
	"E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value",
	"Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
	"Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box",
	"Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
	"Address 2 - Label", "Address 2 - Street", "Address 2 - City", "Address 2 - Region", "Address 2 - Postal Code", "Address 2 - Country",
}

func TestLayoutRoutesNumberedFamiliesByLabel(t *testing.T) {
	t.Parallel()
	row := func(cells map[string]string) []string {
		out := make([]string, len(googleHeaders))
		for i, h := range googleHeaders {
			out[i] = cells[h]
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		cells map[string]string
		want  map[string]string
	}{
		{"number 1 is primary, number 2 goes to its label's alternate",
			map[string]string{"E-mail 1 - Label": "* Work", "E-mail 1 - Value": "a@work.example", "E-mail 2 - Label": "Home", "E-mail 2 - Value": "a@home.example",
				"Phone 1 - Label": "Mobile", "Phone 1 - Value": "06 1234 5678", "Phone 2 - Label": "Work", "Phone 2 - Value": "020 123 4567"},
			map[string]string{"email": "a@work.example", "alternate_emails_personal": "a@home.example",
				"phone": "06 1234 5678", "alternate_phones_work": "020 123 4567"}},
		{"the value marked * is primary even when it is number 2",
			map[string]string{"E-mail 1 - Label": "Other", "E-mail 1 - Value": "old@example.com", "E-mail 2 - Label": "* Home", "E-mail 2 - Value": "new@example.com"},
			map[string]string{"email": "new@example.com", "alternate_emails_other": "old@example.com"}},
		{"a custom label goes to other",
			map[string]string{"E-mail 1 - Label": "* Home", "E-mail 1 - Value": "a@x.example", "E-mail 2 - Label": "Newsletter", "E-mail 2 - Value": "b@x.example",
				"Phone 1 - Label": "Main", "Phone 1 - Value": "1", "Phone 2 - Label": "Home Fax", "Phone 2 - Value": "2"},
			map[string]string{"email": "a@x.example", "alternate_emails_other": "b@x.example", "phone": "1", "alternate_phones_other": "2"}},
		{"a multi-value cell pairs with the label cell's parts",
			map[string]string{"E-mail 1 - Label": "* Home ::: Work", "E-mail 1 - Value": "a@home.example ::: a@work.example"},
			map[string]string{"email": "a@home.example", "alternate_emails_work": "a@work.example"}},
		{"a second value of a kind already taken goes to other",
			map[string]string{"E-mail 1 - Label": "* Work ::: Work ::: Work", "E-mail 1 - Value": "a@1.example ::: a@2.example ::: a@3.example"},
			map[string]string{"email": "a@1.example", "alternate_emails_work": "a@2.example", "alternate_emails_other": "a@3.example"}},
		{"address 1 fills the address fields, address 2 its label's alternate as one line",
			map[string]string{"Address 1 - Label": "Home", "Address 1 - Street": "Domstraße 1", "Address 1 - City": "Köln", "Address 1 - Region": "NRW",
				"Address 1 - Postal Code": "50667", "Address 1 - Country": "Germany", "Address 1 - Formatted": "Domstraße 1\n50667 Köln",
				"Address 2 - Label": "Work", "Address 2 - Street": "1 Main St", "Address 2 - City": "Denver", "Address 2 - Region": "CO",
				"Address 2 - Postal Code": "80202", "Address 2 - Country": "US"},
			map[string]string{"address": "Domstraße 1", "city": "Köln", "state": "NRW", "postal_code": "50667", "country": "Germany",
				"alternate_addresses_work": "1 Main St, 80202 Denver, CO, US"}},
		{"an address of only a city is that city; an empty address 2 is nothing",
			map[string]string{"Address 1 - Label": "* Home", "Address 1 - City": "Oslo", "Address 2 - Label": "Other", "Address 2 - Street": ""},
			map[string]string{"city": "Oslo"}},
		{"an address given only formatted is one line in the address",
			map[string]string{"Address 1 - Label": "Home", "Address 1 - Formatted": "Domstraße 1\n50667 Köln\n"},
			map[string]string{"address": "Domstraße 1, 50667 Köln"}},
		{"an empty row sets nothing but the names it has",
			map[string]string{"First Name": "Ann"},
			map[string]string{"first_name": "Ann"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mapping, problems, _ := ResolveMapping(nil, googleHeaders, intake.ColumnMapping{})
			if len(problems) > 0 {
				t.Fatal(problems)
			}
			l := NewLayout(intake.ResourceContacts, nil, mapping, googleHeaders)
			got := l.Fields(row(tc.cells))
			for k, v := range got {
				if v == "" {
					delete(got, k) // empty cells of plainly mapped columns
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("fields\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestLayoutLeavesFamiliesTheCallerMapped(t *testing.T) {
	t.Parallel()
	headers := []string{"E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value"}
	mapping, _, _ := ResolveMapping(nil, headers, intake.ColumnMapping{ByHeader: map[string]string{"E-mail 2 - Value": "alternate_emails_work"}})
	got := NewLayout(intake.ResourceContacts, nil, mapping, headers).Fields([]string{"* Home", "a@x.example", "Other", "b@x.example"})
	if want := map[string]string{"email": "a@x.example", "alternate_emails_work": "b@x.example"}; !maps.Equal(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
}

func TestResolveMappingExplainsNumberedFamilies(t *testing.T) {
	t.Parallel()
	_, _, warnings := ResolveMapping(nil, googleHeaders, intake.ColumnMapping{})
	joined := strings.Join(warnings, "\n")
	for _, h := range []string{"E-mail 1 - Label", "Address 2 - City", "Phone 2 - Label"} {
		if strings.Contains(joined, `"`+h+`"`) {
			t.Errorf("warned that %q is not imported: %s", h, joined)
		}
	}
	if !strings.Contains(joined, `"Address 1 - PO Box"`) {
		t.Errorf("PO Box has no field, so it is not imported; warnings: %s", joined)
	}
	n := slices.IndexFunc(warnings, func(w string) bool { return strings.Contains(w, "numbered email, phone, address columns") })
	if n < 0 {
		t.Errorf("no note on the email family: %s", joined)
	}
}
