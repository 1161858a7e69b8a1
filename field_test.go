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
		// Exporters' headers, by exporter.
		{"E-mail 1 - Value", "email"}, {"E-mail 2 - Value", "alternate_emails_other"}, {"Phone 1 - Value", "phone"},
		{"Organization Name", "company"}, {"Organization 1 - Name", "company"}, {"Address 1 - City", "city"},
		{"Address 1 - Postal Code", "postal_code"}, {"Address 1 - Country", "country"}, {"Labels", "tags"}, // Google
		{"Business Phone", "alternate_phones_work"}, {"Business City", "city"}, {"Business Postal Code", "postal_code"},
		{"Business Country/Region", "country"}, {"E-mail 2 Address", "alternate_emails_other"}, {"Categories", "tags"},
		{"E-mail Address", "email"}, {"Mobile Phone", "phone"}, // Outlook
		{"Country/Region", "country"}, {"Mobile Phone Number", "phone"}, {"Street Address", "address"}, // HubSpot
		{"CC", "country"}, {"TAGS", "tags"}, {"Email Address", "email"}, // Mailchimp, LinkedIn
		{"PLZ", "postal_code"}, {"Ort", "city"}, {"Straße", "address"}, {"Mobil", "phone"}, {"E-Mail-Adresse", "email"},
		{"Vorname", "first_name"}, {"Nachname", "last_name"}, {"Firma", "company"}, // German
		{"Prénom", "first_name"}, {"Nom", "last_name"}, {"Code postal", "postal_code"}, {"Ville", "city"}, {"Pays", "country"},
		{"Téléphone", "phone"}, {"Courriel", "email"}, // French
		{"Woonplaats", "city"}, {"Telefoonnummer", "phone"}, {"Bedrijfsnaam", "company"}, // Dutch
		{"Nombre", "first_name"}, {"Apellidos", "last_name"}, {"Correo electrónico", "email"}, {"Código postal", "postal_code"},
		{"Ciudad", "city"}, {"País", "country"}, {"Teléfono", "phone"}, // Spanish
		// Dotted paths of nested JSON.
		{"company.name", "company"}, {"address.city", "city"}, {"address.zip", "postal_code"},
		{"properties.email", "email"}, {"contact.address.street", "address"},
		{"Order.OrderID", ""}, {"Order.Email", ""}, {"event.name", ""},
	}
	for _, tt := range tests {
		got, ok := intake.SuggestField(tt.header)
		if got != tt.field || ok != (tt.field != "") {
			t.Errorf("SuggestField(%q) = %q, %v; want %q", tt.header, got, ok, tt.field)
		}
	}
}

// TestSynonymsNameKnownFields: every field synonyms.txt names is a field,
// so a typo there fails here instead of silently mapping nothing.
func TestSynonymsNameKnownFields(t *testing.T) {
	t.Parallel()
	for _, f := range intake.ContactFields {
		if len(f.Synonyms) == 0 {
			t.Errorf("field %s has no synonyms: is synonyms.txt loaded?", f.Name)
		}
	}
	for field := range intake.SynonymFields() {
		if _, ok := intake.LookupField(field); !ok {
			t.Errorf("synonyms.txt names %q, which is not a field", field)
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
