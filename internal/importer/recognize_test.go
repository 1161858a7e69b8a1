package importer

import (
	"maps"
	"testing"

	"github.com/intake/intake"
)

// TestRecognizeByMeaning: headers are read as prefix, concept and
// qualifiers in many languages; a second value of a kind becomes an
// alternate of its kind; address parts go by their group.
func TestRecognizeByMeaning(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		headers []string
		want    map[string]string
	}{
		{"Pipedrive's prefix and qualifier", []string{"Person - Name", "Person - Email - Work", "Person - Phone - Mobile", "Organization - Name"},
			map[string]string{"Person - Name": "name", "Person - Email - Work": "email", "Person - Phone - Mobile": "phone", "Organization - Name": "company"}},
		{"Mobile beside Phone is an alternate mobile", []string{"Phone", "Mobile", "Email", "Secondary Email", "E-mail 3 Address"},
			map[string]string{"Phone": "phone", "Mobile": "alternate_phones_mobile", "Email": "email", "Secondary Email": "alternate_emails_other", "E-mail 3 Address": "alternate_emails_other"}},
		{"Salesforce's account and mailing address", []string{"Account Name", "Mailing Street", "Mailing Zip", "Mailing Country", "Other Street", "Other City", "Email Opt Out"},
			map[string]string{"Account Name": "company", "Mailing Street": "address", "Mailing Zip": "postal_code", "Mailing Country": "country",
				"Other Street": "alternate_addresses_other", "Other City": "alternate_addresses_other", "Email Opt Out": ""}},
		{"a numbered home address; its second line", []string{"Home Address 1", "Home Address 2", "Home City", "Home Zip", "Home Country"},
			map[string]string{"Home Address 1": "address", "Home Address 2": FieldAddressLine2, "Home City": "city", "Home Zip": "postal_code", "Home Country": "country"}},
		{"Brevo's attributes", []string{"EMAIL", "SMS", "LANDLINE_NUMBER", "WHATSAPP"},
			map[string]string{"EMAIL": "email", "LANDLINE_NUMBER": "phone", "SMS": "alternate_phones_mobile", "WHATSAPP": "alternate_phones_other"}},
		{"French, German, Polish", []string{"Téléphone mobile", "Courriel", "Nachname", "Kod pocztowy", "Miasto"},
			map[string]string{"Téléphone mobile": "phone", "Courriel": "email", "Nachname": "last_name", "Kod pocztowy": "postal_code", "Miasto": "city"}},
		{"camelCase and snake_case", []string{"firstName", "LAST_NAME", "emailAddress", "zip_code"},
			map[string]string{"firstName": "first_name", "LAST_NAME": "last_name", "emailAddress": "email", "zip_code": "postal_code"}},
		{"words that only look like a field", []string{"Middle Name", "Phone Country Code", "Last Modified", "IP Address", "Contact Owner"},
			map[string]string{"Middle Name": "", "Phone Country Code": "", "Last Modified": "", "IP Address": "", "Contact Owner": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Recognize(intake.ResourceContacts, nil, tc.headers, nil, "NL", intake.ColumnMapping{})
			if !maps.Equal(res.Mapping, tc.want) {
				t.Fatalf("mapping %v\nwant    %v", res.Mapping, tc.want)
			}
			for _, c := range res.Columns {
				if c.Target != "" && (c.Reason != intake.ReasonHeader || c.Confidence < intake.ConfidenceThreshold) {
					t.Errorf("column %+v", c)
				}
			}
		})
	}
}

// TestUnknownHeaderOfEmailsIsEmail: a header nobody knows whose values are
// email addresses maps to email, or to an alternate when email is taken;
// a column of dates or links fits no field and is left out.
func TestUnknownHeaderOfEmailsIsEmail(t *testing.T) {
	t.Parallel()
	rows := [][]string{{"ann@x.nl", "b@y.de", "2024-01-02", "https://x.nl"}, {"bob@y.de", "c@z.fr", "2024-02-03", "https://y.de"}, {"cy@z.fr", "", "2024-03-04", "https://z.fr"}}
	res := Recognize(intake.ResourceContacts, nil, []string{"Kontaktpunkt", "Zweitkontakt", "Angelegt", "Webseite"}, rows, "NL", intake.ColumnMapping{})
	want := map[string]string{"Kontaktpunkt": "email", "Zweitkontakt": "alternate_emails_other", "Angelegt": "", "Webseite": ""}
	if !maps.Equal(res.Mapping, want) {
		t.Fatalf("mapping %v, want %v", res.Mapping, want)
	}
	if c := res.Columns[0]; c.Reason != intake.ReasonContent || c.Confidence < 0.9 || len(c.Samples) != 3 {
		t.Fatalf("decision %+v", c)
	}
}

// TestPhoneReadByItsAddressCountry: the row's phones are read in the
// country of the address the phone belongs to, else any country column.
func TestPhoneReadByItsAddressCountry(t *testing.T) {
	t.Parallel()
	n := normalizer{region: "NL"}
	for _, tc := range []struct {
		name    string
		headers []string
		row     []string
		phone   string
		country string
	}{
		{"the home phone by the home country", []string{"Email", "Business Country", "Home Phone", "Home Street", "Home Country"},
			[]string{"a@x.de", "France", "0221 100056", "Domstraße 1", "Deutschland"}, "+49221100056", "FR"},
		{"no own country: any country column", []string{"Email", "Phone", "Street", "City", "Other Street", "Other Country"},
			[]string{"a@x.de", "0221 100056", "Domstraße 1", "Köln", "Hauptstraße 2", "Allemagne"}, "+49221100056", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Recognize(intake.ResourceContacts, nil, tc.headers, nil, "NL", intake.ColumnMapping{})
			l := NewLayout(intake.ResourceContacts, nil, res.Mapping, tc.headers)
			c, errs := n.build(l.Fields(tc.row))
			if len(errs) > 0 || c.Phone != tc.phone || c.Country != tc.country {
				t.Fatalf("mapping %v: contact phone %q country %q, errors %v", res.Mapping, c.Phone, c.Country, errs)
			}
		})
	}
}

// TestSplitNameOnlyWhereUnambiguous: a full name fills first and last name
// only when it can be cut one way.
func TestSplitNameOnlyWhereUnambiguous(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][2]string{
		"Ann Smit": {"Ann", "Smit"}, "Smit, Ann": {"Ann", "Smit"}, "O'Brien, Seán": {"Seán", "O'Brien"}, "Jean-Luc Picard": {"Jean-Luc", "Picard"},
		"Anouk de Vries": {}, "Mary Ann Smit": {}, "Dr. Ann Smit": {}, "Ann": {}, "ann smit": {}, "Smit, Ann Marie": {}, "ACME 2 BV": {},
	} {
		if f, l := splitName(in); f != want[0] || l != want[1] {
			t.Errorf("%q split as %q %q, want %q", in, f, l, want)
		}
	}
	// A "Nom" column of full names beside no first name is the name.
	rows := [][]string{{"Anouk de Vries"}, {"Élodie Martin"}, {"Louis Moreau"}}
	res := Recognize(intake.ResourceContacts, nil, []string{"Nom"}, rows, "NL", intake.ColumnMapping{})
	if res.Mapping["Nom"] != "name" {
		t.Fatalf("mapping %v", res.Mapping)
	}
}
