package intake

import (
	"strings"
	"unicode"
)

// FieldType says how a field's values are read, checked, stored and
// compared. The importer has one normaliser per type; a field only names it.
type FieldType string

// Field types.
const (
	TypeText    FieldType = "text"    // trimmed, at most Max characters
	TypeName    FieldType = "name"    // text that is compared ignoring case
	TypeEmail   FieldType = "email"   // lower-cased and validated
	TypePhone   FieldType = "phone"   // stored E.164
	TypeCountry FieldType = "country" // ISO 3166-1 alpha-2 when recognised
	TypeList    FieldType = "list"    // split on , or ;, a sorted set
	TypeBoolean FieldType = "boolean" // yes/no/true/false/1/0
)

// Field is one field a column, a record key or a match field may name.
// The registry (ContactFields) is the only place a contact field is defined:
// mapping, header suggestion, normalisation, merging, change detection,
// match keys and the stores' column lists all read it.
type Field struct {
	Name string
	Type FieldType
	// Max is the most characters (text) or items (list); 0 means no limit.
	Max int
	// Synonyms are header names that mean this field, compared as
	// normalizeHeader does ("E-mail", "e_mail" and "EMAIL" are one).
	Synonyms []string
	// Match reports whether the field can be a match field.
	Match bool
	// Unique reports whether a value belongs to at most one contact of a
	// tenant (stores enforce it; see store.ContactUniqueFields).
	Unique bool
	// Alternate, for PackageX's alternate_{emails,phones,addresses}_KIND
	// columns, is the alternate's type (email, phone, address) and Kind
	// its kind; both are "" for other fields.
	Alternate, Kind string
	// Custom reports a tenant-defined field (custom.NAME).
	Custom bool
	// Required and Options are a defined custom field's rules (see
	// CustomField): a contact is not created without a required field, and
	// a list field's values must be among its options (none: any).
	Required bool
	Options  []string
}

// Column is the field's value on a contact, for the scalar fields the
// stores keep in columns of their own.
func (f Field) Column(c *Contact) *string { return c.column(f.Name) }

// Contact field names as they appear in mappings, match fields and errors.
const (
	FieldEmail          = "email"
	FieldCustomerNumber = "customer_number"
	FieldExternalID     = "external_id"
	FieldFirstName      = "first_name"
	FieldLastName       = "last_name"
	FieldName           = "name"
	FieldPhone          = "phone"
	FieldCompany        = "company"
	FieldAddress        = "address"
	FieldCity           = "city"
	FieldPostalCode     = "postal_code"
	FieldState          = "state"
	FieldCountry        = "country"
	FieldNotes          = "notes"
	FieldTags           = "tags"

	// CustomPrefix marks a custom field in a mapping or match field:
	// "custom.member_id".
	CustomPrefix = "custom."
)

// Field length limits, in characters. They follow the strictest of the seed
// dialects (PackageX: 255 for names and addresses, 31 for phones) so that
// anything Intake accepts can be exported to them.
const (
	maxText  = 255
	maxEmail = 254
	maxNotes = 10000
	maxTags  = 100
)

// ContactFields is the contact field registry, in the stores' column order.
var ContactFields = withSynonyms([]Field{
	{Name: FieldEmail, Type: TypeEmail, Max: maxEmail, Match: true, Unique: true},
	{Name: FieldCustomerNumber, Type: TypeText, Max: maxText, Match: true, Unique: true},
	{Name: FieldExternalID, Type: TypeText, Max: maxText, Match: true, Unique: true},
	{Name: FieldFirstName, Type: TypeText, Max: maxText},
	{Name: FieldLastName, Type: TypeText, Max: maxText},
	{Name: FieldName, Type: TypeName, Max: maxText, Match: true},
	{Name: FieldPhone, Type: TypePhone, Match: true},
	{Name: FieldCompany, Type: TypeText, Max: maxText},
	{Name: FieldAddress, Type: TypeText, Max: maxText},
	{Name: FieldCity, Type: TypeText, Max: maxText},
	{Name: FieldPostalCode, Type: TypeText, Max: maxText},
	{Name: FieldState, Type: TypeText, Max: maxText},
	{Name: FieldCountry, Type: TypeCountry, Max: maxText},
	{Name: FieldNotes, Type: TypeText, Max: maxNotes},
	{Name: FieldTags, Type: TypeList, Max: maxTags},

	// PackageX's contact columns. Groups and locations join the contact to
	// them by name, case-insensitively, creating missing ones.
	{Name: FieldGroups, Type: TypeList, Max: maxTags},
	{Name: FieldLocations, Type: TypeList, Max: maxTags},
	{Name: FieldAlternateNames, Type: TypeList, Max: maxAlternateNames},
	{Name: FieldIsPrimary, Type: TypeBoolean},
})

// Names of PackageX's contact fields, and the most alternate names a
// contact has (PackageX: 5).
const (
	FieldGroups         = "groups"
	FieldLocations      = "locations"
	FieldAlternateNames = "alternate_names"
	FieldIsPrimary      = "is_primary"
	maxAlternateNames   = 5
)

// List is the field's value on a contact for the list fields (tags,
// groups, locations, alternate names); nil for other fields.
func (f Field) List(c *Contact) *[]string { return c.list(f.Name) }

// alternateKinds are PackageX's alternate columns by type, with the kinds
// its docs list; any other kind is accepted by name (alternate_phones_fax).
var alternateKinds = []struct {
	typ, plural string
	kinds       []string
}{
	{"email", "emails", []string{"other", "personal", "work", "social", "education"}},
	{"phone", "phones", []string{"home", "mobile", "work", "other", "education"}},
	{"address", "addresses", []string{"secondary", "home", "work", "education", "other"}},
}

// alternateField returns the field of an alternate_{emails,phones,addresses}_KIND name.
func alternateField(name string) (Field, bool) {
	for _, a := range alternateKinds {
		if kind, ok := strings.CutPrefix(name, "alternate_"+a.plural+"_"); ok && kind != "" {
			typ := map[string]FieldType{"email": TypeEmail, "phone": TypePhone, "address": TypeText}[a.typ]
			return Field{Name: name, Type: typ, Max: maxText, Alternate: a.typ, Kind: kind, Synonyms: synonyms[name]}, true
		}
	}
	return Field{}, false
}

// LookupField returns the contact field name names: a registry field,
// custom.NAME, or an alternate column. Names are exact (mapping targets are
// field names); headers go through SuggestField.
func LookupField(name string) (Field, bool) {
	if f, ok := fieldIndex[name]; ok {
		return f, true
	}
	if rest, ok := strings.CutPrefix(name, CustomPrefix); ok && strings.TrimSpace(rest) != "" {
		return Field{Name: name, Type: TypeText, Match: true, Custom: true}, true
	}
	return alternateField(name)
}

// fieldIndex is ContactFields by name: LookupField runs for every value of
// every row, so it is a map, not a scan.
var fieldIndex = func() map[string]Field {
	m := make(map[string]Field, len(ContactFields))
	for _, f := range ContactFields {
		m[f.Name] = f
	}
	return m
}()

// headerIndex maps a normalised header to a field name: every field's own
// name and its synonyms, alternates included ("Alternate email (work)" as
// well as "alternate_emails_work").
var headerIndex = func() map[string]string {
	m := map[string]string{}
	add := func(h, field string) {
		if _, taken := m[normalizeHeader(h)]; !taken {
			m[normalizeHeader(h)] = field
		}
	}
	for _, f := range ContactFields {
		add(f.Name, f.Name)
		for _, s := range f.Synonyms {
			add(s, f.Name)
		}
	}
	for _, a := range alternateKinds {
		for _, kind := range a.kinds {
			f, _ := alternateField("alternate_" + a.plural + "_" + kind)
			add(f.Name, f.Name)
			add("alternate "+a.typ+" "+kind, f.Name)
			add(kind+" "+a.typ, f.Name)
			for _, s := range f.Synonyms {
				add(s, f.Name)
			}
		}
	}
	return m
}()

// nestParents are the object names under which JSON APIs nest a contact's
// fields: {"address": {"city": …}}, {"properties": {"email": …}}.
var nestParents = map[string]bool{
	"address": true, "addresses": true, "location": true, "home": true, "contact": true,
	"person": true, "profile": true, "user": true, "customer": true, "member": true,
	"details": true, "properties": true, "attributes": true, "fields": true,
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

// SuggestField is the field a column header or record key means when nobody
// mapped it: a field's own name or a known synonym, ignoring case, spaces
// and punctuation ("E-mail", "fname", "Phone Number"), or custom.NAME and
// alternate columns by their exact name.
func SuggestField(header string) (string, bool) {
	if f, ok := headerIndex[normalizeHeader(header)]; ok {
		return f, true
	}
	// A dotted path from nested JSON (address.city, properties.email)
	// means its last part when the parent is where an API nests a person's
	// details. Other dotted names (Order.OrderID) are left to collections.
	if i := strings.LastIndexByte(header, '.'); i > 0 {
		parent := header[:i]
		parent = parent[strings.LastIndexByte(parent, '.')+1:]
		if nestParents[normalizeHeader(parent)] {
			if f, ok := headerIndex[normalizeHeader(header[i+1:])]; ok {
				return f, true
			}
		}
	}
	if f, ok := LookupField(strings.TrimSpace(header)); ok {
		return f.Name, true
	}
	return "", false
}

// MatchFieldNames lists the registry fields that can be match fields.
func MatchFieldNames() []string {
	var out []string
	for _, f := range ContactFields {
		if f.Match {
			out = append(out, f.Name)
		}
	}
	return out
}
