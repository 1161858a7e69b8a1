package importer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intake/intake"
)

// index is a chunk's view of the stored contacts it touches, kept current
// as the chunk decides, so later items see what earlier ones did.
type index struct {
	fields  []string
	byKey   map[string][]*intake.Contact
	byEmail map[string]*intake.Contact
	byCust  map[string]*intake.Contact
	byExt   map[string]*intake.Contact
	// byCustom holds the values of the unique custom fields, by field name.
	byCustom map[string]map[string]*intake.Contact
	// byName indexes every contact by its name key too (spec.NameIdentity).
	byName bool
}

// newIndex indexes existing contacts by the match fields and every unique
// field, the unique custom fields (uniques) included.
func newIndex(fields, uniques []string, existing []intake.Contact) *index {
	return newIndexNamed(fields, uniques, existing, false)
}

// newIndexFor is newIndex for spec: its match fields, and its contacts'
// names when the spec identifies contacts by name.
func newIndexFor(spec *intake.ImportSpec, uniques []string, existing []intake.Contact) *index {
	return newIndexNamed(spec.MatchFields, uniques, existing, spec.NameIdentity)
}

func newIndexNamed(fields, uniques []string, existing []intake.Contact, byName bool) *index {
	ix := &index{fields: fields, byName: byName, byKey: map[string][]*intake.Contact{},
		byEmail: map[string]*intake.Contact{}, byCust: map[string]*intake.Contact{}, byExt: map[string]*intake.Contact{},
		byCustom: make(map[string]map[string]*intake.Contact, len(uniques))}
	for _, name := range uniques {
		ix.byCustom[name] = map[string]*intake.Contact{}
	}
	for i := range existing {
		ix.add(&existing[i])
	}
	return ix
}

func (ix *index) add(c *intake.Contact) {
	if k := matchKey(c, ix.fields); k != "" {
		ix.byKey[k] = append(ix.byKey[k], c)
	}
	// Every contact with an external id is found by it too: a row without
	// a match value falls back to it (itemKey).
	if k := fallbackKey(c, ix.fields); k != "" {
		ix.byKey[k] = append(ix.byKey[k], c)
	}
	if k := nameKey(c); ix.byName && k != "" {
		ix.byKey[k] = append(ix.byKey[k], c)
	}
	if c.ExternalID != "" {
		ix.byExt[c.ExternalID] = c
	}
	if c.Email != "" {
		ix.byEmail[c.Email] = c
	}
	if c.CustomerNumber != "" {
		ix.byCust[c.CustomerNumber] = c
	}
	for name, byValue := range ix.byCustom {
		if v := c.Custom[name]; v != "" {
			byValue[v] = c
		}
	}
}

// nameKey is c's name key when the index holds names, else "".
func (ix *index) nameKey(c *intake.Contact) string {
	if !ix.byName {
		return ""
	}
	return nameKey(c)
}

func (ix *index) remove(c *intake.Contact) {
	for _, k := range []string{matchKey(c, ix.fields), fallbackKey(c, ix.fields), ix.nameKey(c)} {
		if k != "" {
			ix.byKey[k] = slices.DeleteFunc(ix.byKey[k], func(o *intake.Contact) bool { return o == c })
		}
	}
	if ix.byExt[c.ExternalID] == c {
		delete(ix.byExt, c.ExternalID)
	}
	if ix.byEmail[c.Email] == c {
		delete(ix.byEmail, c.Email)
	}
	if ix.byCust[c.CustomerNumber] == c {
		delete(ix.byCust, c.CustomerNumber)
	}
	for name, byValue := range ix.byCustom {
		if v := c.Custom[name]; byValue[v] == c {
			delete(byValue, v)
		}
	}
}

// taken returns a row error if c's email, customer number, external id or the value of
// a unique custom field belongs to a contact other than self (nil for a
// new contact).
func (ix *index) taken(c, self *intake.Contact) *intake.RowError {
	if o := ix.byEmail[c.Email]; c.Email != "" && o != nil && o != self {
		return &intake.RowError{Field: intake.FieldEmail, Value: c.Email, Code: intake.CodeValueTaken,
			Message: fmt.Sprintf("The email %q already belongs to %s.", c.Email, owner(o))}
	}
	if o := ix.byCust[c.CustomerNumber]; c.CustomerNumber != "" && o != nil && o != self {
		return &intake.RowError{Field: intake.FieldCustomerNumber, Value: c.CustomerNumber, Code: intake.CodeValueTaken,
			Message: fmt.Sprintf("The customer number %q already belongs to %s.", c.CustomerNumber, owner(o))}
	}
	if o := ix.byExt[c.ExternalID]; c.ExternalID != "" && o != nil && o != self {
		return &intake.RowError{Field: intake.FieldExternalID, Value: c.ExternalID, Code: intake.CodeValueTaken,
			Message: fmt.Sprintf("The external id %q already belongs to %s.", c.ExternalID, owner(o))}
	}
	for _, name := range slices.Sorted(maps.Keys(ix.byCustom)) {
		v := c.Custom[name]
		if o := ix.byCustom[name][v]; v != "" && o != nil && o != self {
			return &intake.RowError{Field: intake.CustomPrefix + name, Value: v, Code: intake.CodeValueTaken,
				Message: fmt.Sprintf("The %s %q already belongs to %s; the field is unique.", intake.CustomPrefix+name, v, owner(o))}
		}
	}
	return nil
}

// owner names the contact a taken value belongs to: a stored one by id,
// or one an earlier record of the same chunk creates (it has no id yet).
func owner(o *intake.Contact) string {
	if o.ID == 0 {
		return "a contact an earlier record creates"
	}
	return fmt.Sprintf("another contact (id %d)", o.ID)
}

// missingRequired checks a contact's required custom fields. A new contact
// (fields nil) needs a value for each; an update fails only when the
// record clears one (fields carries it, and the merged contact has none),
// so contacts stored before a field became required stay updatable.
func missingRequired(reg *intake.Registry, c *intake.Contact, fields map[string]string) []intake.RowError {
	var errs []intake.RowError
	for _, f := range reg.CustomFields() {
		name := intake.CustomPrefix + f.Name
		if !f.Required || c.Custom[f.Name] != "" {
			continue
		}
		if fields == nil {
			errs = append(errs, intake.RowError{Field: name, Code: intake.CodeMissingRequired,
				Message: fmt.Sprintf("%s is required: a new contact needs a value for it.", name)})
		} else if _, carried := fields[name]; carried {
			errs = append(errs, intake.RowError{Field: name, Code: intake.CodeMissingRequired,
				Message: fmt.Sprintf("%s is required and cannot be cleared.", name)})
		}
	}
	return errs
}

// merge applies an incoming record to a stored contact, field by field as
// the registry lists them. Only fields the record carries are touched; an
// empty value clears the stored one unless ignoreEmpty (the default) keeps
// it. A name the store derived from first and last name stays derived.
func merge(cur *intake.Contact, it *Item, ignoreEmpty bool) intake.Contact {
	m := *cur
	m.Tags = slices.Clone(cur.Tags)
	m.Custom = maps.Clone(cur.Custom)
	m.Alternates = slices.Clone(cur.Alternates)
	in := contactOf(it)
	present := func(name string) bool { _, ok := it.Fields[name]; return ok }
	for _, f := range intake.ContactColumns {
		if f.Name == intake.FieldName || !present(f.Name) {
			continue
		}
		if v := *f.Column(in); v != "" || !ignoreEmpty {
			*f.Column(&m) = v
		}
	}
	switch {
	case strings.TrimSpace(it.Fields[intake.FieldName]) != "" || (!ignoreEmpty && present(intake.FieldName)):
		m.Name = strings.TrimSpace(it.Fields[intake.FieldName])
	case cur.Name == strings.TrimSpace(cur.FirstName+" "+cur.LastName):
		m.Name = strings.TrimSpace(m.FirstName + " " + m.LastName)
	}
	if present(intake.FieldTags) && (len(in.Tags) > 0 || !ignoreEmpty) {
		m.Tags = in.Tags
	}
	mergePackageX(&m, cur, it, ignoreEmpty)
	for k, v := range it.Fields {
		f, ok := intake.LookupField(k)
		switch {
		case !ok:
		case f.Custom:
			name := strings.TrimPrefix(k, intake.CustomPrefix)
			if nv := in.Custom[name]; nv != "" {
				if m.Custom == nil {
					m.Custom = map[string]string{}
				}
				m.Custom[name] = nv
			} else if strings.TrimSpace(v) == "" && !ignoreEmpty {
				delete(m.Custom, name)
			}
		case f.Alternate != "":
			mergeAlternates(&m, in, f, ignoreEmpty)
		}
	}
	sortAlternates(m.Alternates)
	if len(m.Custom) == 0 {
		m.Custom = nil
	}
	return m
}

// mergePackageX merges PackageX's contact fields. Groups and locations
// are memberships: merging adds the record's to the stored ones, and
// overwriting (ignoreEmpty false) replaces them, an empty cell clearing
// them. Alternate names replace the stored ones as tags do.
func mergePackageX(m, cur *intake.Contact, it *Item, ignoreEmpty bool) {
	in := contactOf(it)
	present := func(name string) bool { _, ok := it.Fields[name]; return ok }
	m.AlternateNames = slices.Clone(cur.AlternateNames)
	if present(intake.FieldAlternateNames) && (len(in.AlternateNames) > 0 || !ignoreEmpty) {
		m.AlternateNames = in.AlternateNames
	}
	if present(intake.FieldIsPrimary) && (strings.TrimSpace(it.Fields[intake.FieldIsPrimary]) != "" || !ignoreEmpty) {
		m.IsPrimary = in.IsPrimary
	}
	for _, name := range []string{intake.FieldGroups, intake.FieldLocations} {
		f, _ := intake.LookupField(name)
		if !present(name) || (len(*f.List(in)) == 0 && ignoreEmpty) {
			continue
		}
		*f.List(m) = foldNames(*f.List(cur), *f.List(in), !ignoreEmpty)
	}
}

// mergeAlternates replaces m's alternates of f's type and kind with in's.
func mergeAlternates(m, in *intake.Contact, f intake.Field, ignoreEmpty bool) {
	var nv []intake.Alternate
	for _, a := range in.Alternates {
		if a.Type == f.Alternate && a.Kind == f.Kind {
			nv = append(nv, a)
		}
	}
	if len(nv) == 0 && ignoreEmpty {
		return
	}
	m.Alternates = slices.DeleteFunc(m.Alternates, func(a intake.Alternate) bool { return a.Type == f.Alternate && a.Kind == f.Kind })
	m.Alternates = append(m.Alternates, nv...)
}

// sortAlternates orders alternates so that equal contacts compare equal.
func sortAlternates(as []intake.Alternate) {
	slices.SortFunc(as, func(a, b intake.Alternate) int {
		return strings.Compare(a.Type+"\x00"+a.Kind+"\x00"+a.Value, b.Type+"\x00"+b.Kind+"\x00"+b.Value)
	})
}
