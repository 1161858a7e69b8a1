package intake

import (
	"maps"
	"slices"
	"time"
)

// Contact is a person in a tenant's address book.
//
// Email, CustomerNumber and ExternalID are unique per tenant when present. Email is
// stored normalised (trimmed, lower-cased), which is how "compared
// case-insensitively" is kept cheap: equality on the stored value.
type Contact struct {
	ID             int64  `json:"id"`
	Email          string `json:"email,omitempty"`
	CustomerNumber string `json:"customer_number,omitempty"`
	// ExternalID is the record's id in the system it was exported from
	// (HubSpot's Record ID, Salesforce's Id); unique per tenant.
	ExternalID string `json:"external_id,omitempty"`
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	Name       string `json:"name,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Company    string `json:"company,omitempty"`
	Address    string `json:"address,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	// State is the address's state, province or region.
	State      string            `json:"state,omitempty"`
	Country    string            `json:"country,omitempty"`
	Notes      string            `json:"notes,omitempty"`
	Tags       []string          `json:"tags"`
	Custom     map[string]string `json:"custom,omitempty"`
	Alternates []Alternate       `json:"alternates,omitempty"`
	// AlternateNames are other names of the person (PackageX: at most 5).
	AlternateNames []string `json:"alternate_names,omitempty"`
	IsPrimary      bool     `json:"is_primary,omitempty"`
	// Groups and Locations are the names of the contact's groups (of
	// resource contact) and locations, sorted.
	Groups    []string `json:"groups,omitempty"`
	Locations []string `json:"locations,omitempty"`
	// Events are the events the contact takes part in; read-only, shown by
	// GET /contacts/{id} (imports neither read nor write them).
	Events []ContactEvent `json:"events,omitempty"`
	// Collections are the contact's child records, per collection (the
	// first 50 of each, with a link to the rest); read-only, shown by
	// GET /contacts/{id}.
	Collections []ContactCollection `json:"collections,omitempty"`
	CreatedAt   time.Time           `json:"created_at"`
	UpdatedAt   time.Time           `json:"updated_at"`
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
	return c.Email != "" || c.CustomerNumber != "" || c.ExternalID != "" || c.Phone != "" || c.Name != ""
}

// column returns a pointer to the scalar field name of c, nil for a name
// that is not one. It is the one place that ties the registry's names to
// the struct's fields.
func (c *Contact) column(name string) *string {
	switch name {
	case FieldEmail:
		return &c.Email
	case FieldCustomerNumber:
		return &c.CustomerNumber
	case FieldExternalID:
		return &c.ExternalID
	case FieldFirstName:
		return &c.FirstName
	case FieldLastName:
		return &c.LastName
	case FieldName:
		return &c.Name
	case FieldPhone:
		return &c.Phone
	case FieldCompany:
		return &c.Company
	case FieldAddress:
		return &c.Address
	case FieldCity:
		return &c.City
	case FieldPostalCode:
		return &c.PostalCode
	case FieldState:
		return &c.State
	case FieldCountry:
		return &c.Country
	case FieldNotes:
		return &c.Notes
	}
	return nil
}

// list returns a pointer to the list field name of c, nil for a name that
// is not one.
func (c *Contact) list(name string) *[]string {
	switch name {
	case FieldTags:
		return &c.Tags
	case FieldGroups:
		return &c.Groups
	case FieldLocations:
		return &c.Locations
	case FieldAlternateNames:
		return &c.AlternateNames
	}
	return nil
}

// ContactColumns lists the registry's scalar fields: the ones a store keeps
// in a text column of their own, in registry order.
var ContactColumns = func() []Field {
	var out []Field
	var c Contact
	for _, f := range ContactFields {
		if c.column(f.Name) != nil {
			out = append(out, f)
		}
	}
	return out
}()

// SameData reports whether a and b hold the same data, ignoring ID and
// timestamps. The importer uses it to skip writes that would change nothing,
// which makes re-running an upsert file cheap and leaves no dead rows.
func (c *Contact) SameData(o *Contact) bool {
	for _, f := range ContactColumns {
		if *f.Column(c) != *f.Column(o) {
			return false
		}
	}
	return slices.Equal(c.Tags, o.Tags) && maps.Equal(c.Custom, o.Custom) && slices.Equal(c.Alternates, o.Alternates) &&
		slices.Equal(c.AlternateNames, o.AlternateNames) && c.IsPrimary == o.IsPrimary &&
		slices.Equal(c.Groups, o.Groups) && slices.Equal(c.Locations, o.Locations)
}
