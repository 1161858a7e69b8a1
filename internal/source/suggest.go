package source

import (
	"strings"
	"unicode"
)

// synonyms maps a normalised header name (see normalizeHeader) to an Intake
// field. Every field's own name is added by init, so "first_name" and
// "First Name" both map to first_name.
var synonyms = map[string]string{
	// email
	"mail": "email", "emailaddress": "email", "emailadres": "email", "mailaddress": "email",
	"primaryemail": "email",
	// customer_number
	"customerno": "customer_number", "customerid": "customer_number", "customernr": "customer_number",
	"clientnumber": "customer_number", "clientid": "customer_number", "clientno": "customer_number",
	"idnumber": "customer_number", "klantnummer": "customer_number", "accountnumber": "customer_number",
	// first_name
	"fname": "first_name", "givenname": "first_name", "forename": "first_name", "voornaam": "first_name",
	"vorname": "first_name", "prenom": "first_name",
	// last_name
	"lname": "last_name", "surname": "last_name", "familyname": "last_name", "achternaam": "last_name",
	"nachname": "last_name", "nom": "last_name",
	// name
	"fullname": "name", "contactname": "name", "contactpersoon": "name", "contact": "name", "naam": "name",
	"displayname": "name",
	// phone
	"phonenumber": "phone", "mobile": "phone", "tel": "phone", "telephone": "phone", "cell": "phone",
	"cellphone": "phone", "mobilephone": "phone", "mobilenumber": "phone", "telefoon": "phone",
	"telefoonnummer": "phone", "telefon": "phone", "mobiel": "phone",
	// company
	"business": "company", "organisation": "company", "organization": "company", "companyname": "company",
	"bedrijf": "company", "bedrijfsnaam": "company", "firma": "company", "employer": "company",
	// address
	"street": "address", "addressline1": "address", "streetaddress": "address", "address1": "address",
	"adres": "address", "straat": "address",
	// city
	"town": "city", "plaats": "city", "woonplaats": "city", "stad": "city",
	// postal_code
	"zip": "postal_code", "zipcode": "postal_code", "postcode": "postal_code", "postalcode": "postal_code",
	// country
	"countrycode": "country", "land": "country",
	// notes
	"note": "notes", "comments": "notes", "comment": "notes", "remarks": "notes", "opmerkingen": "notes",
	// tags and groups
	"tag": "tags", "labels": "tags", "label": "tags",
	"group": "groups",
	// alternate emails
	"otheremail": "alternate_emails_other", "personalemail": "alternate_emails_personal",
	"workemail": "alternate_emails_work", "businessemail": "alternate_emails_work",
	"socialemail": "alternate_emails_social", "educationemail": "alternate_emails_education",
	"schoolemail": "alternate_emails_education",
	// alternate phones
	"homephone": "alternate_phones_home", "workphone": "alternate_phones_work",
	"businessphone": "alternate_phones_work", "otherphone": "alternate_phones_other",
	"educationphone": "alternate_phones_education", "schoolphone": "alternate_phones_education",
	"alternatemobile": "alternate_phones_mobile",
	// alternate addresses
	"secondaryaddress": "alternate_addresses_secondary", "homeaddress": "alternate_addresses_home",
	"workaddress": "alternate_addresses_work", "businessaddress": "alternate_addresses_work",
	"educationaddress": "alternate_addresses_education", "schooladdress": "alternate_addresses_education",
	"otheraddress": "alternate_addresses_other",
}

// fields are Intake's field names.
var fields = []string{
	"email", "customer_number", "first_name", "last_name", "name", "phone", "company", "address",
	"city", "postal_code", "country", "notes", "tags", "groups",
	"alternate_emails_other", "alternate_emails_personal", "alternate_emails_work",
	"alternate_emails_social", "alternate_emails_education",
	"alternate_phones_home", "alternate_phones_mobile", "alternate_phones_work",
	"alternate_phones_other", "alternate_phones_education",
	"alternate_addresses_secondary", "alternate_addresses_home", "alternate_addresses_work",
	"alternate_addresses_education", "alternate_addresses_other",
}

func init() {
	for _, f := range fields {
		synonyms[normalizeHeader(f)] = f
		// "Alternate email (work)" as well as "alternate_emails_work".
		if rest, ok := strings.CutPrefix(f, "alternate_"); ok {
			kind, sub, _ := strings.Cut(rest, "_")
			singular := strings.TrimSuffix(kind, "es")
			if kind == "emails" || kind == "phones" {
				singular = strings.TrimSuffix(kind, "s")
			}
			synonyms[normalizeHeader("alternate "+singular+" "+sub)] = f
			synonyms[normalizeHeader(sub+" "+singular)] = f
		}
	}
	// "mobile phone" means the main phone; see "mobile" above.
	synonyms["mobilephone"] = "phone"
}

// normalizeHeader lowercases a header and drops everything but letters and
// digits, so "E-mail", "e_mail" and "EMail " compare equal.
func normalizeHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Suggest proposes a mapping from headers to Intake fields, ignoring case,
// spaces and punctuation and knowing common synonyms (in English and some
// Dutch). It returns header → field for the headers it recognises; others
// are absent. When two headers map to the same field only the first gets it.
func Suggest(headers []string) map[string]string {
	out := make(map[string]string)
	taken := make(map[string]bool)
	for _, h := range headers {
		f, ok := synonyms[normalizeHeader(h)]
		if !ok || taken[f] {
			continue
		}
		if _, dup := out[h]; dup {
			continue
		}
		taken[f] = true
		out[h] = f
	}
	return out
}
