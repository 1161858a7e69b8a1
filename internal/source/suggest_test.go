package source

import (
	"reflect"
	"testing"
)

func TestSuggest(t *testing.T) {
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
		{"group", "groups"}, {"groups", "groups"},
		{"note", "notes"}, {"comments", "notes"}, {"notes", "notes"},
		{"alternate_emails_work", "alternate_emails_work"}, {"Alternate email (personal)", "alternate_emails_personal"},
		{"work email", "alternate_emails_work"}, {"home phone", "alternate_phones_home"},
		{"alternate_phones_mobile", "alternate_phones_mobile"}, {"Work Address", "alternate_addresses_work"},
		{"alternate_addresses_secondary", "alternate_addresses_secondary"},
	}
	for _, tt := range tests {
		got := Suggest([]string{tt.header})
		if want := map[string]string{tt.header: tt.field}; !reflect.DeepEqual(got, want) {
			t.Errorf("Suggest(%q) = %v, want %v", tt.header, got, want)
		}
	}
}

func TestSuggestLeavesOutUnknownAndTaken(t *testing.T) {
	t.Parallel()
	got := Suggest([]string{"E-mail", "Shoe size", "Email Address", "voornaam", "", "Telefoon"})
	want := map[string]string{"E-mail": "email", "voornaam": "first_name", "Telefoon": "phone"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Suggest = %v, want %v", got, want)
	}
}
