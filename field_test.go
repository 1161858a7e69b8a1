package intake_test

import (
	"testing"

	"github.com/intake/intake"
)

func TestSuggestField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header, field string
	}{
		{"email", "email"}, {"E-mail", "email"}, {"Email Address", "email"}, {"mail", "email"}, {" EMAIL ", "email"},
		{"fname", "first_name"}, {"First Name", "first_name"}, {"given name", "first_name"}, {"firstname", "first_name"},
		{"voornaam", "first_name"}, {"first_name", "first_name"},
		{"lname", "last_name"}, {"surname", "last_name"}, {"Last Name", "last_name"}, {"family name", "last_name"},
		{"achternaam", "last_name"},
		{"full name", "name"}, {"contact name", "name"}, {"Contactpersoon", "name"}, {"name", "name"},
		{"phone", "phone"}, {"phone_number", "phone"}, {"Phone Number", "phone"}, {"mobile", "phone"}, {"tel", "phone"},
		{"telephone", "phone"}, {"cell", "phone"},
		{"business", "company"}, {"organisation", "company"}, {"organization", "company"}, {"company name", "company"},
		{"zip", "postal_code"}, {"zip code", "postal_code"}, {"postcode", "postal_code"}, {"postal code", "postal_code"},
		{"customer number", "customer_number"}, {"customer_no", "customer_number"}, {"customer id", "customer_number"},
		{"client number", "customer_number"}, {"id_number", "customer_number"},
		{"street", "address"}, {"address line 1", "address"}, {"Address", "address"},
		{"town", "city"}, {"City", "city"},
		{"country code", "country"}, {"Country", "country"},
		{"tag", "tags"}, {"labels", "tags"}, {"Tags", "tags"},
		{"group", "groups"}, {"Groups", "groups"}, {"locations", "locations"}, {"Alternate Names", "alternate_names"},
		{"aka", "alternate_names"}, {"is_primary", "is_primary"}, {"Primary contact", "is_primary"}, {"ID Number", "customer_number"},
		{"Shoe size", ""}, {"", ""},
		{"note", "notes"}, {"comments", "notes"}, {"notes", "notes"},
		{"alternate_emails_work", "alternate_emails_work"}, {"Alternate email (personal)", "alternate_emails_personal"},
		{"work email", "alternate_emails_work"}, {"home phone", "alternate_phones_home"},
		{"alternate_phones_mobile", "alternate_phones_mobile"}, {"Work Address", "alternate_addresses_work"},
		{"alternate_addresses_secondary", "alternate_addresses_secondary"},
	}
	for _, tt := range tests {
		got, ok := intake.SuggestField(tt.header)
		if got != tt.field || ok != (tt.field != "") {
			t.Errorf("SuggestField(%q) = %q, %v; want %q", tt.header, got, ok, tt.field)
		}
	}
}

// TestRegistryIsOneSource checks that every field a header can suggest is
// a field LookupField knows, and that match fields parse by name.
func TestRegistryIsOneSource(t *testing.T) {
	t.Parallel()
	for _, f := range intake.ContactFields {
		for _, h := range append([]string{f.Name}, f.Synonyms...) {
			got, ok := intake.SuggestField(h)
			if !ok {
				t.Errorf("synonym %q of %s suggests nothing", h, f.Name)
				continue
			}
			if _, ok := intake.LookupField(got); !ok {
				t.Errorf("synonym %q suggests %q, which LookupField does not know", h, got)
			}
		}
	}
	for _, m := range intake.MatchFieldNames() {
		if got, err := intake.ParseMatchFields(m); err != nil || len(got) != 1 || got[0] != m {
			t.Errorf("ParseMatchFields(%q) = %v, %v", m, got, err)
		}
	}
	if _, err := intake.ParseMatchFields("company"); intake.ErrorCode(err) != intake.EINVALID {
		t.Errorf("company as a match field: %v, want EINVALID", err)
	}
	if got, err := intake.ParseMatchFields("E-mail, phone_number"); err != nil || len(got) != 2 || got[0] != "email" || got[1] != "phone" {
		t.Errorf("aliases: %v, %v", got, err)
	}
}
