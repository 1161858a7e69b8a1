package intake

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// Collection is a tenant-defined record type (HubSpot's custom objects,
// Copernica's collections): typed fields, defined as custom fields are,
// key fields that find a record again, and whether its records belong to
// a contact. Records of a collection that belongs to contacts are a
// contact's children ("subprofiles"): their key is unique per contact.
type Collection struct {
	ID   int64  `json:"id"`
	Name string `json:"name" doc:"Letters, digits and _, starting with a letter; unique per tenant ignoring case (Order, charges)."`
	// Fields are the record fields, typed as custom fields are (text,
	// number, date, boolean, email, phone, list).
	Fields []CollectionField `json:"fields"`
	// KeyFields name the fields whose values find a record again (update,
	// upsert, delete); empty: every imported row is a new record.
	KeyFields []string `json:"key_fields"`
	// BelongsToContact says every record belongs to a contact; its key
	// is then unique per contact.
	BelongsToContact bool `json:"belongs_to_contact"`
	// ContentKey says a record without key fields is identified by its
	// whole content (a hash of every value): set on a collection an import
	// created without an id-like column, so re-sending a file adds
	// nothing. Setting key_fields clears it.
	ContentKey bool      `json:"content_key,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// CollectionField is one field of a collection, defined as a custom field
// is (CustomField) but for uniqueness: key fields identify a record.
type CollectionField struct {
	Name     string    `json:"name" doc:"Letters, digits and _, starting with a letter (OrderID, charge_date)."`
	Label    string    `json:"label,omitempty" doc:"A column with this header maps to the field by itself."`
	Type     FieldType `json:"type" enum:"text,number,date,boolean,email,phone,list"`
	Required bool      `json:"required,omitempty" doc:"A record is not written without a value."`
	Options  []string  `json:"options,omitempty" doc:"The allowed values of a list field; none allows any."`
}

// CollectionRecord is one record of a collection.
type CollectionRecord struct {
	ID           int64  `json:"id"`
	CollectionID int64  `json:"-"`
	Collection   string `json:"collection"`
	// ContactID is the contact the record belongs to; 0 for none.
	ContactID int64 `json:"contact_id,omitempty"`
	// Values are the record's field values in their stored form.
	Values map[string]string `json:"values"`
	// Key is the key fields' values joined, as the store indexes it; ""
	// when the collection has no key fields or a key value is empty.
	Key       string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ContactCollection is the first records of one collection under a
// contact, as GET /api/v1/contacts/{id} shows them, with where the rest are.
type ContactCollection struct {
	Collection string             `json:"collection"`
	Records    []CollectionRecord `json:"records"`
	// More says the contact has more records than shown: NextCursor
	// continues the list at Link.
	More       bool   `json:"-"`
	NextCursor string `json:"next_cursor,omitempty"`
	Link       string `json:"link" doc:"The records route filtered by this contact (with next_cursor when there are more)."`
}

// CollectionPrefix starts the resource of a collection import: collection:NAME.
const CollectionPrefix = "collection:"

// CollectionResource is the import resource that writes records of the
// collection name (collection:NAME). A dialect routes its own record types
// there (Plannr's charges, PackageX's items): a collection that does not
// exist yet is created on first use from the file's headers, as text
// fields, with a warning in the job.
func CollectionResource(name string) string { return CollectionPrefix + name }

// ParseCollectionResource returns the collection name of a collection:NAME
// resource (prefix compared ignoring case), and whether resource is one.
func ParseCollectionResource(resource string) (string, bool) {
	if len(resource) <= len(CollectionPrefix) || !strings.EqualFold(resource[:len(CollectionPrefix)], CollectionPrefix) {
		return "", false
	}
	return strings.TrimSpace(resource[len(CollectionPrefix):]), true
}

// Delete targets (Copernica's deleteTarget): what mode delete removes.
const (
	DeleteProfile    = "profile"    // the contact, its children with it
	DeleteSubprofile = "subprofile" // only the matching child records
)

// Links: the mapping targets that tie a collection record to its contact.
const (
	LinkContact        = "contact"                 // an email (has @) or else a customer number
	LinkContactID      = "contact_id"              // the contact's id
	LinkContactEmail   = "contact_email"           // the contact's email
	LinkContactNumber  = "contact_customer_number" // the contact's customer number
	maxCollectionField = 64
	maxCollectionCount = 200
)

// linkSynonyms are the headers that name a record's contact (Plannr's
// client columns among them), by link target.
var linkSynonyms = map[string][]string{
	LinkContact:       {"client", "contact", "profile", "owner"},
	LinkContactID:     {"client_id", "contact id", "profile_id"},
	LinkContactEmail:  {"client_email", "client email address", "contact email", "email", "e-mail", "profile_email"},
	LinkContactNumber: {"client_uuid", "client_number", "client no", "customer_number", "contact_uuid", "profile_number"},
}

// Links lists the link targets.
var Links = []string{LinkContact, LinkContactID, LinkContactEmail, LinkContactNumber}

// IsLink reports whether target is a link target.
func IsLink(target string) bool { return slices.Contains(Links, target) }

// SuggestLink is the link target a header names (client_email →
// contact_email), ignoring case, spaces and punctuation.
func SuggestLink(header string) (string, bool) {
	h := normalizeHeader(header)
	for _, l := range Links {
		if normalizeHeader(l) == h {
			return l, true
		}
		for _, s := range linkSynonyms[l] {
			if normalizeHeader(s) == h {
				return l, true
			}
		}
	}
	return "", false
}

var collectionNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// FieldFromHeader is the record field a header becomes when a collection
// is created from a file's headers: the header itself when it is a valid
// field name (OrderID), else lower-case words joined by _ ("Charge Date" →
// charge_date). "" when nothing usable is left.
func FieldFromHeader(h string) string {
	h = strings.TrimSpace(h)
	if collectionNamePattern.MatchString(h) && len(h) <= maxCollectionField {
		return h
	}
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(h) {
		switch {
		case r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			under = false
		default:
			under = true
		}
	}
	s := b.String()
	if s == "" {
		return ""
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "f_" + s
	}
	if len(s) > maxCollectionField {
		s = s[:maxCollectionField]
	}
	return s
}

// Field returns the collection's field name names, ignoring case.
func (c *Collection) Field(name string) (CollectionField, bool) {
	i := slices.IndexFunc(c.Fields, func(f CollectionField) bool { return strings.EqualFold(f.Name, name) })
	if i < 0 {
		return CollectionField{}, false
	}
	return c.Fields[i], true
}

// FieldFor is the collection's field a header or mapping target names: by
// name ignoring case, else by label or name ignoring spaces and punctuation.
func (c *Collection) FieldFor(s string) (CollectionField, bool) {
	if f, ok := c.Field(strings.TrimSpace(s)); ok {
		return f, true
	}
	h := normalizeHeader(s)
	for _, f := range c.Fields {
		if h != "" && (normalizeHeader(f.Name) == h || normalizeHeader(f.Label) == h) {
			return f, true
		}
	}
	return CollectionField{}, false
}

// Validate trims and checks a collection definition: its name, every field
// as a custom field is checked (names here may use capitals, OrderID, and
// no field is unique: key fields identify a record), key fields that name
// fields of a type that can identify (not boolean or list). Errors:
// EINVALID with a field error per problem.
func (c *Collection) Validate() error {
	var errs []FieldError
	bad := func(field, value, msg string) {
		errs = append(errs, FieldError{Field: field, Value: value, Message: msg})
	}
	c.Name = strings.TrimSpace(c.Name)
	if !collectionNamePattern.MatchString(c.Name) || len(c.Name) > maxCollectionField {
		bad("name", c.Name, "A collection name starts with a letter and has only letters, digits and _ (at most 64 characters).")
	}
	if len(c.Fields) > maxCollectionCount {
		bad("fields", "", "A collection has at most 200 fields.")
	}
	for i := range c.Fields {
		f := &c.Fields[i]
		if slices.ContainsFunc(c.Fields[:i], func(o CollectionField) bool { return strings.EqualFold(o.Name, f.Name) }) {
			bad("fields", f.Name, "Two fields are named \""+f.Name+"\".")
		}
		if IsLink(strings.ToLower(f.Name)) {
			bad("fields", f.Name, "\""+f.Name+"\" links a record to its contact; choose another field name.")
		}
		cf := CustomField{Name: f.Name, Label: f.Label, Type: f.Type, Required: f.Required, Options: f.Options}
		errs = append(errs, cf.validate(true)...)
		f.Name, f.Label, f.Options = cf.Name, cf.Label, cf.Options
	}
	keys := make([]string, 0, len(c.KeyFields))
	for _, k := range c.KeyFields {
		f, ok := c.Field(strings.TrimSpace(k))
		switch {
		case !ok:
			bad("key_fields", k, "Key field \""+k+"\" is not a field of the collection.")
		case f.Type == TypeBoolean || f.Type == TypeList:
			bad("key_fields", k, "A "+string(f.Type)+" field cannot be a key field: its values do not identify a record.")
		case !slices.Contains(keys, f.Name):
			keys = append(keys, f.Name)
		}
	}
	c.KeyFields = keys
	if len(keys) > 0 {
		c.ContentKey = false // key fields identify the records now
	}
	if len(errs) > 0 {
		return Invalid("The collection definition is not valid: "+errs[0].Message, errs...)
	}
	return nil
}

// ChildField is the child field a header or match field names
// (Order.OrderID): a collection of records under contacts, then a field.
// A defined collection spells both as defined and must have the field (and
// belong to contacts); an undefined one takes any valid names, as the
// collection will be created from them. custom.NAME is no child field.
func (r *Registry) ChildField(s string) (string, bool) {
	s = strings.TrimSpace(s)
	coll, field, ok := strings.Cut(s, ".")
	if !ok || strings.EqualFold(coll, strings.TrimSuffix(CustomPrefix, ".")) || !collectionNamePattern.MatchString(coll) {
		return "", false
	}
	if c, defined := r.Collection(coll); defined {
		f, ok := c.FieldFor(field)
		if !ok || !c.BelongsToContact {
			return "", false
		}
		return c.Name + "." + f.Name, true
	}
	if !collectionNamePattern.MatchString(field) || len(coll) > maxCollectionField || len(field) > maxCollectionField {
		return "", false
	}
	return coll + "." + field, true
}

// SplitChild splits a child field (Order.OrderID) into collection and
// field; ok is false for any other name.
func SplitChild(name string) (coll, field string, ok bool) {
	if strings.HasPrefix(name, CustomPrefix) {
		return "", "", false
	}
	coll, field, ok = strings.Cut(name, ".")
	return coll, field, ok && coll != "" && field != ""
}

// Collection returns the tenant's collection name names, ignoring case.
func (r *Registry) Collection(name string) (Collection, bool) {
	if r == nil {
		return Collection{}, false
	}
	c, ok := r.collections[strings.ToLower(name)]
	return c, ok
}

// Collections returns the tenant's collections, by name.
func (r *Registry) Collections() []Collection {
	if r == nil {
		return nil
	}
	out := make([]Collection, 0, len(r.collections))
	for _, c := range r.collections {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Collection) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// CollectionTarget resolves a mapping target or header of an import into
// collection coll: a link target (contact_email, client_email, …) or a
// field. A defined collection's own field names win over link synonyms
// (a field named email is that field); an undefined collection takes any
// header as a field (FieldFromHeader), as it will be created from them.
func (r *Registry) CollectionTarget(coll, s string) (string, bool) {
	if c, defined := r.Collection(coll); defined {
		if f, ok := c.FieldFor(s); ok {
			return f.Name, true
		}
		return SuggestLink(s)
	}
	if l, ok := SuggestLink(s); ok {
		return l, true
	}
	if f := FieldFromHeader(s); f != "" {
		return f, true
	}
	return "", false
}

// ParseCollectionMatchFields resolves the match fields of an import into
// collection coll. A defined collection matches on its key fields: none
// given (or email, the default of every import, when it is no field) means
// those, others are an EINVALID error. An undefined collection takes the
// given names as the key fields it will be created with.
func (r *Registry) ParseCollectionMatchFields(coll string, values ...string) ([]string, error) {
	var names []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				names = append(names, f)
			}
		}
	}
	c, defined := r.Collection(coll)
	if !defined {
		if slices.Equal(names, []string{FieldEmail}) {
			return nil, nil
		}
		var out []string
		for _, n := range names {
			f := FieldFromHeader(n)
			if f == "" || IsLink(f) {
				return nil, Errorf(EINVALID, "Match field %q cannot be a key field of collection %s.", n, coll)
			}
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
		return out, nil
	}
	if _, isField := c.Field(FieldEmail); len(names) == 0 || (!isField && slices.Equal(names, []string{FieldEmail})) {
		return slices.Clone(c.KeyFields), nil
	}
	var out []string
	for _, n := range names {
		if f, ok := c.FieldFor(n); ok && !slices.Contains(out, f.Name) {
			out = append(out, f.Name)
		}
	}
	if !sameSet(out, c.KeyFields) || len(out) != len(names) {
		return nil, Errorf(EINVALID, "Collection %s matches records on its key fields (%s); leave match_fields out or name those.",
			c.Name, strings.Join(c.KeyFields, ", "))
	}
	return slices.Clone(c.KeyFields), nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
