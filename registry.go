package intake

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Custom field types beyond the built-in fields' own: a custom field is
// text, number, date, boolean, email, phone or list (TypeList with Options).
const (
	TypeNumber FieldType = "number" // a canonical decimal: "-12.5", "7"
	TypeDate   FieldType = "date"   // YYYY-MM-DD
)

// CustomFieldTypes lists the types a custom field may have.
var CustomFieldTypes = []FieldType{TypeText, TypeNumber, TypeDate, TypeBoolean, TypeEmail, TypePhone, TypeList}

// Row error codes of typed (custom) fields.
const (
	CodeInvalidNumber   = "invalid_number"
	CodeInvalidDate     = "invalid_date"
	CodeInvalidBoolean  = "invalid_boolean"
	CodeInvalidOption   = "invalid_option"
	CodeMissingRequired = "missing_required"
)

// Limits of a custom field definition.
const (
	maxCustomName  = 64
	maxCustomLabel = 255
	maxOptions     = 1000
)

var customNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Validate trims f's label and options and checks the definition: a name
// of [a-z][a-z0-9_]* of at most 64 characters that is no built-in field, a
// known type, options only for a list, uniqueness only for types whose
// values identify someone. Errors: EINVALID with a field error per problem.
func (f *CustomField) Validate() error {
	if errs := f.validate(false); len(errs) > 0 {
		return Invalid("The field definition is not valid: "+errs[0].Message, errs...)
	}
	return nil
}

// validate checks f as a contact's custom field or, with inCollection, as
// a collection's field: there a name may use capitals (Copernica's
// OrderID), any name is free, and no field is unique (key fields are).
func (f *CustomField) validate(inCollection bool) []FieldError {
	var errs []FieldError
	prefix := ""
	if inCollection {
		prefix = "fields."
	}
	bad := func(field, value, msg string) {
		errs = append(errs, FieldError{Field: prefix + field, Value: value, Message: msg})
	}
	f.Label = strings.TrimSpace(f.Label)
	f.validateName(inCollection, bad)
	if utf8.RuneCountInString(f.Label) > maxCustomLabel {
		bad("label", f.Label, "A label has at most 255 characters.")
	}
	if !slices.Contains(CustomFieldTypes, f.Type) {
		bad("type", string(f.Type), "The type must be one of text, number, date, boolean, email, phone, list.")
	}
	if f.Unique && (f.Type == TypeBoolean || f.Type == TypeList) {
		bad("unique", string(f.Type), "A "+string(f.Type)+" field cannot be unique: its values do not identify a contact.")
	}
	if len(f.Options) > 0 && f.Type != TypeList {
		bad("options", strings.Join(f.Options, ","), "Only a list field has options.")
	}
	f.cleanOptions(bad)
	return errs
}

// validateName checks (and trims, in a collection) the field's name: a
// collection's field may use capitals and is never unique by itself; a
// contact's custom field is lower-case and no built-in field's name.
func (f *CustomField) validateName(inCollection bool, bad func(field, value, msg string)) {
	if inCollection {
		f.Name = strings.TrimSpace(f.Name)
		if !collectionNamePattern.MatchString(f.Name) || len(f.Name) > maxCustomName {
			bad("name", f.Name, "A field name starts with a letter and has only letters, digits and _ (at most 64 characters).")
		}
		if f.Unique {
			bad("unique", f.Name, "A collection's fields are not unique by themselves; name them in key_fields.")
		}
	} else {
		switch _, builtin := LookupField(f.Name); {
		case !customNamePattern.MatchString(f.Name):
			bad("name", f.Name, "A field name starts with a lower-case letter and has only a-z, 0-9 and _ (member_id).")
		case len(f.Name) > maxCustomName:
			bad("name", f.Name, "A field name has at most 64 characters.")
		case builtin:
			bad("name", f.Name, "\""+f.Name+"\" is a built-in contact field; choose another name.")
		}
	}
}

// cleanOptions trims the options and drops repeats (ignoring case), nil
// when none is left; an empty option, one with a separator or one too
// long is an error.
func (f *CustomField) cleanOptions(bad func(field, value, msg string)) {
	opts := make([]string, 0, len(f.Options))
	for _, o := range f.Options {
		o = strings.TrimSpace(o)
		switch {
		case o == "" || strings.ContainsAny(o, ",;"):
			bad("options", o, "An option is not empty and has no , or ; (they separate a list's values).")
		case utf8.RuneCountInString(o) > maxText:
			bad("options", o, "An option has at most 255 characters.")
		case !slices.ContainsFunc(opts, func(p string) bool { return strings.EqualFold(p, o) }):
			opts = append(opts, o)
		}
	}
	if len(opts) > maxOptions {
		bad("options", "", "A list field has at most 1000 options.")
	}
	f.Options = opts
	if len(f.Options) == 0 {
		f.Options = nil
	}
}

// Field is the registry entry of a defined custom field: custom.NAME, typed.
// Every custom field can be a match field, as custom.NAME always could; a
// unique one identifies a contact, others may match several (ambiguous_match).
func (f CustomField) Field() Field {
	return Field{Name: CustomPrefix + f.Name, Type: f.Type, Match: true, Unique: f.Unique, Required: f.Required,
		Options: f.Options, Custom: true}
}

// Registry is the fields of one tenant's contacts: the built-in registry
// (ContactFields, alternates, custom.NAME as untyped text) plus the
// tenant's defined custom fields with their types and rules. A nil
// *Registry is the built-in registry; LookupField, SuggestField and
// ParseMatchFields are its package-level forms.
type Registry struct {
	custom  map[string]CustomField // by name
	ordered []CustomField          // by name
	headers map[string]string      // normalised name or label → custom.NAME
	unique  []string               // the unique fields' names, in order
	// collections are the tenant's collections by lower-cased name.
	collections map[string]Collection
}

// NewRegistry returns the registry of a tenant with these custom fields
// and collections.
func NewRegistry(custom []CustomField, collections ...Collection) *Registry {
	r := &Registry{custom: make(map[string]CustomField, len(custom)), headers: map[string]string{},
		collections: make(map[string]Collection, len(collections))}
	for _, c := range collections {
		r.collections[strings.ToLower(c.Name)] = c
	}
	for _, f := range custom {
		r.custom[f.Name] = f
	}
	r.ordered = slices.SortedFunc(func(yield func(CustomField) bool) {
		for _, f := range r.custom {
			if !yield(f) {
				return
			}
		}
	}, func(a, b CustomField) int { return cmp.Compare(a.Name, b.Name) })
	// Names before labels, so one field's label never hides another's name.
	for _, f := range r.ordered {
		r.headers[normalizeHeader(f.Name)] = CustomPrefix + f.Name
		if f.Unique {
			r.unique = append(r.unique, f.Name)
		}
	}
	for _, f := range r.ordered {
		if h := normalizeHeader(f.Label); h != "" {
			if _, taken := r.headers[h]; !taken {
				r.headers[h] = CustomPrefix + f.Name
			}
		}
	}
	return r
}

// CustomFields returns the tenant's defined custom fields, by name.
func (r *Registry) CustomFields() []CustomField {
	if r == nil {
		return nil
	}
	return r.ordered
}

// Custom returns the definition of custom field name (without custom.).
func (r *Registry) Custom(name string) (CustomField, bool) {
	if r == nil {
		return CustomField{}, false
	}
	f, ok := r.custom[name]
	return f, ok
}

// Lookup returns the field name names, exactly as LookupField does, with
// a defined custom field's type and rules for custom.NAME.
func (r *Registry) Lookup(name string) (Field, bool) {
	if rest, ok := strings.CutPrefix(name, CustomPrefix); ok && r != nil {
		if f, ok := r.custom[rest]; ok {
			return f.Field(), true
		}
	}
	return LookupField(name)
}

// canonical spells a custom.NAME target or match field as its definition
// does (custom.Member_ID → custom.member_id); other names are returned as
// they are. Undefined custom names keep their case, as they always have.
func (r *Registry) canonical(name string) string {
	rest, ok := strings.CutPrefix(strings.ToLower(name), CustomPrefix)
	if !ok || rest == "" {
		return name
	}
	if _, defined := r.Custom(rest); defined {
		return CustomPrefix + rest
	}
	return CustomPrefix + name[len(CustomPrefix):]
}

// Suggest is the field a column header or record key means when nobody
// mapped it. A built-in field's own name wins; then a defined custom
// field's name or label (the tenant's own word beats a synonym we guessed);
// then SuggestField's synonyms, custom.NAME and alternate columns. Headers
// compare ignoring case, spaces and punctuation.
func (r *Registry) Suggest(header string) (string, bool) {
	h := normalizeHeader(header)
	if r != nil {
		if f, ok := headerIndex[h]; !ok || normalizeHeader(f) != h {
			if f, ok := r.headers[h]; ok {
				return f, true
			}
		}
		if c := r.canonical(strings.TrimSpace(header)); c != strings.TrimSpace(header) {
			return c, true
		}
	}
	if f, ok := SuggestField(header); ok {
		return f, true
	}
	// Order.OrderID: a field of child records under the row's contact.
	return r.ChildField(header)
}

// Target resolves a mapping target as a caller may write it: a field name,
// custom.NAME, a defined custom field's bare name or label, or an alias the
// header suggestions know ("phone_number", "E-mail").
func (r *Registry) Target(s string) (string, bool) {
	s = r.canonical(strings.TrimSpace(s))
	if f, ok := r.Lookup(s); ok {
		return f.Name, true
	}
	return r.Suggest(s)
}

// ParseMatchFields resolves a match field list ("email", "email,customer_number"
// or several values). Empty gives ["email"]. Allowed: the match fields
// (email, customer_number, name, phone), by name or a synonym ("E-mail",
// "phone_number"), custom.NAME, and a defined custom field by its bare name
// (member_id) when no built-in field has that name. Errors: EINVALID.
func (r *Registry) ParseMatchFields(values ...string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if c := r.canonical(f); strings.HasPrefix(c, CustomPrefix) && c != CustomPrefix {
				f = c
			} else if s, ok := r.Suggest(f); ok {
				f = s
			}
			if _, _, child := SplitChild(f); child {
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
				continue
			}
			if fd, ok := r.Lookup(f); !ok || !fd.Match {
				names := MatchFieldNames()
				for _, cf := range r.CustomFields() {
					names = append(names, CustomPrefix+cf.Name)
				}
				return nil, Errorf(EINVALID, "Unknown match field %q: use %s or custom.FIELD.", v, strings.Join(names, ", "))
			}
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return r.checkChildKeys(out)
}

// checkChildKeys completes a match field list that has child key fields
// (Order.OrderID): the contact needs a match field of its own (email when
// none is given), and a defined collection's child keys must be its key
// fields, which its stored records are indexed by.
func (r *Registry) checkChildKeys(out []string) ([]string, error) {
	if len(OwnMatchFields(out)) == 0 {
		out = append([]string{FieldEmail}, out...)
	}
	for coll, fields := range ChildKeys(out) {
		if c, defined := r.Collection(coll); defined && !sameSet(fields, c.KeyFields) {
			return nil, Errorf(EINVALID, "Collection %s finds its records by its key fields (%s): name those as %s.FIELD in match_fields.",
				c.Name, strings.Join(c.KeyFields, ", "), c.Name)
		}
	}
	return out, nil
}

// ChildKeys returns the child key fields of match fields, by collection
// (Order → [OrderID]).
func ChildKeys(matchFields []string) map[string][]string {
	out := map[string][]string{}
	for _, f := range matchFields {
		if coll, field, ok := SplitChild(f); ok {
			out[coll] = append(out[coll], field)
		}
	}
	return out
}

// OwnMatchFields returns the match fields that are not child key fields:
// the ones that find the contact itself.
func OwnMatchFields(matchFields []string) []string {
	var out []string
	for _, f := range matchFields {
		if _, _, child := SplitChild(f); !child {
			out = append(out, f)
		}
	}
	return out
}

// UniqueCustom lists the names (without custom.) of the unique custom fields.
func (r *Registry) UniqueCustom() []string {
	if r == nil {
		return nil
	}
	return r.unique
}

// Target is one mapping target as GET /api/v1/fields lists it.
type Target struct {
	Name     string    `json:"name" doc:"What a mapping, a match field or a record key names: email, custom.member_id, …"`
	Label    string    `json:"label,omitempty"`
	Type     FieldType `json:"type"`
	Max      int       `json:"max,omitempty" doc:"The most characters (text) or items (list); absent: no limit."`
	Synonyms []string  `json:"synonyms,omitempty" doc:"Headers that map to the field by themselves (case, spaces and punctuation ignored)."`
	Match    bool      `json:"match" doc:"Whether it can be a match field."`
	Unique   bool      `json:"unique" doc:"Whether a value belongs to at most one contact."`
	Required bool      `json:"required,omitempty"`
	Options  []string  `json:"options,omitempty"`
	Custom   bool      `json:"custom,omitempty"`
}

// Targets lists every mapping target: the built-in fields in registry
// order, the alternate columns with a known kind, then the custom fields
// (their label is a synonym too).
func (r *Registry) Targets() []Target {
	var out []Target
	add := func(f Field, label string) {
		out = append(out, Target{Name: f.Name, Label: label, Type: f.Type, Max: f.Max, Synonyms: f.Synonyms,
			Match: f.Match, Unique: f.Unique, Required: f.Required, Options: f.Options, Custom: f.Custom})
	}
	for _, f := range ContactFields {
		add(f, "")
	}
	for _, a := range alternateKinds {
		for _, kind := range a.kinds {
			f, _ := alternateField("alternate_" + a.plural + "_" + kind)
			f.Synonyms = append([]string{"alternate " + a.typ + " " + kind, kind + " " + a.typ}, f.Synonyms...)
			add(f, "")
		}
	}
	for _, cf := range r.CustomFields() {
		f := cf.Field()
		if cf.Label != "" {
			f.Synonyms = []string{cf.Label}
		}
		add(f, cf.Label)
	}
	return out
}
