package intake

import (
	"slices"
	"time"
)

// Contact is a person in a tenant's address book.
//
// Email and CustomerNumber are unique per tenant when present. Email is
// stored normalised (trimmed, lower-cased), which is how "compared
// case-insensitively" is kept cheap: equality on the stored value.
type Contact struct {
	ID             int64             `json:"id"`
	Email          string            `json:"email,omitempty"`
	CustomerNumber string            `json:"customer_number,omitempty"`
	FirstName      string            `json:"first_name,omitempty"`
	LastName       string            `json:"last_name,omitempty"`
	Name           string            `json:"name,omitempty"`
	Phone          string            `json:"phone,omitempty"`
	Company        string            `json:"company,omitempty"`
	Address        string            `json:"address,omitempty"`
	City           string            `json:"city,omitempty"`
	PostalCode     string            `json:"postal_code,omitempty"`
	Country        string            `json:"country,omitempty"`
	Notes          string            `json:"notes,omitempty"`
	Tags           []string          `json:"tags"`
	Custom         map[string]string `json:"custom,omitempty"`
	Alternates     []Alternate       `json:"alternates,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

// Alternate is a secondary email, phone or address with a kind such as
// home, work, mobile, personal or other (PackageX's alternate_* columns).
type Alternate struct {
	Type  string `json:"type"` // email, phone or address
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Identified reports whether c has at least one value that identifies a
// person: a contact with none of them is never stored.
func (c *Contact) Identified() bool {
	return c.Email != "" || c.CustomerNumber != "" || c.Phone != "" || c.Name != ""
}

// SameData reports whether a and b hold the same data, ignoring ID and
// timestamps. The importer uses it to skip writes that would change nothing,
// which makes re-running an upsert file cheap and leaves no dead rows.
func (c *Contact) SameData(o *Contact) bool {
	return c.Email == o.Email && c.CustomerNumber == o.CustomerNumber &&
		c.FirstName == o.FirstName && c.LastName == o.LastName && c.Name == o.Name &&
		c.Phone == o.Phone && c.Company == o.Company && c.Address == o.Address &&
		c.City == o.City && c.PostalCode == o.PostalCode && c.Country == o.Country &&
		c.Notes == o.Notes && slices.Equal(c.Tags, o.Tags) &&
		mapsEqual(c.Custom, o.Custom) && slices.Equal(c.Alternates, o.Alternates)
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

// Contact field names as they appear in mappings, match fields and errors.
const (
	FieldEmail          = "email"
	FieldCustomerNumber = "customer_number"
	FieldFirstName      = "first_name"
	FieldLastName       = "last_name"
	FieldName           = "name"
	FieldPhone          = "phone"
	FieldCompany        = "company"
	FieldAddress        = "address"
	FieldCity           = "city"
	FieldPostalCode     = "postal_code"
	FieldCountry        = "country"
	FieldNotes          = "notes"
	FieldTags           = "tags"
	FieldGroups         = "groups"

	// CustomPrefix marks a custom field in a mapping or match field:
	// "custom.member_id".
	CustomPrefix = "custom."
)

// ContactFields lists the standard contact fields a column may map to.
var ContactFields = []string{
	FieldEmail, FieldCustomerNumber, FieldFirstName, FieldLastName, FieldName,
	FieldPhone, FieldCompany, FieldAddress, FieldCity, FieldPostalCode,
	FieldCountry, FieldNotes, FieldTags,
}

// AlternateField reports whether name is one of PackageX's alternate columns
// (alternate_emails_work, alternate_phones_mobile, …) and returns its type and kind.
func AlternateField(name string) (typ, kind string, ok bool) {
	for _, p := range []struct{ prefix, typ string }{
		{"alternate_emails_", "email"}, {"alternate_phones_", "phone"}, {"alternate_addresses_", "address"},
	} {
		if len(name) > len(p.prefix) && name[:len(p.prefix)] == p.prefix {
			return p.typ, name[len(p.prefix):], true
		}
	}
	return "", "", false
}
