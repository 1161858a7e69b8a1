package intake

import (
	"strings"
)

// GroupFields is the field registry of a group import (PackageX's group
// CSV): what its columns may map to. It is apart from ContactFields because
// a group row is not a contact: its "name" is the group's.
var GroupFields = []Field{
	{Name: GroupFieldName, Type: TypeName, Max: maxText, Synonyms: []string{"group", "group name"}},
	{Name: GroupFieldResource, Type: TypeText, Synonyms: []string{"type", "group type", "kind"}},
	{Name: GroupFieldLocation, Type: TypeText, Max: maxGroupLocation, Synonyms: []string{"location name", "site"}},
	{Name: GroupFieldChildren, Type: TypeText, Max: maxGroupChildren, Synonyms: []string{"members", "member", "contacts"}},
}

// Group field names, and PackageX's limits on them (characters).
const (
	GroupFieldName     = "name"
	GroupFieldResource = "resource"
	GroupFieldLocation = "location"
	GroupFieldChildren = "children"
	maxGroupLocation   = 63
	maxGroupChildren   = 2047
)

// GroupMatchFields is the key of a group: its name and its resource, the
// name compared ignoring case. A group import always matches on it.
var GroupMatchFields = []string{GroupFieldName, GroupFieldResource}

// Row error codes of group imports and PackageX's limits.
const (
	// CodeRequired: a value the row must have is empty (a group's name or
	// resource; a PackageX contact's name).
	CodeRequired = "required"
	// CodeUnknownMember: a group's children name a contact that does not exist.
	CodeUnknownMember = "unknown_member"
)

// LookupGroupField returns the group field name names.
func LookupGroupField(name string) (Field, bool) { return LookupIn(GroupFields, name) }

// SuggestGroupField is the group field a column header means: a field's
// own name or a synonym, ignoring case, spaces and punctuation.
func SuggestGroupField(header string) (string, bool) { return SuggestIn(GroupFields, header) }

// ParseGroupResource reads a group's resource: contact or location, in any
// case, singular or plural. ok is false for anything else.
func ParseGroupResource(v string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "contact", "contacts":
		return GroupOfContacts, true
	case "location", "locations":
		return GroupOfLocations, true
	}
	return "", false
}

// Child is one entry of a group's children: a contact (by email, or by
// name when it has no email) or a location name.
type Child struct {
	Name, Email string
}

// String renders the child as a person would name it in a message.
func (c Child) String() string {
	switch {
	case c.Email != "" && c.Name != "":
		return c.Name + " <" + c.Email + ">"
	case c.Email != "":
		return c.Email
	}
	return c.Name
}

// ParseChildren splits a children cell on commas. Each entry is PackageX's
// "Name:::email" or "Name:::" form, or a bare email (it has an @) or a bare
// name. Empty entries are dropped.
func ParseChildren(v string) []Child {
	var out []Child
	for _, e := range strings.Split(v, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		var c Child
		if name, email, ok := strings.Cut(e, ":::"); ok {
			c = Child{Name: strings.TrimSpace(name), Email: strings.ToLower(strings.TrimSpace(email))}
		} else if strings.Contains(e, "@") {
			c.Email = strings.ToLower(e)
		} else {
			c.Name = e
		}
		if c.Name != "" || c.Email != "" {
			out = append(out, c)
		}
	}
	return out
}

// Validate trims a new group's values and checks them against PackageX's
// limits: name 1–255 characters, resource contact or location, location at
// most 63. The error is EINVALID with a field error per problem.
func (g *Group) Validate() error {
	g.Name, g.Location = strings.TrimSpace(g.Name), strings.TrimSpace(g.Location)
	var fields []FieldError
	if n := len([]rune(g.Name)); n == 0 || n > maxText {
		fields = append(fields, FieldError{Field: "name", Value: g.Name, Code: CodeRequired, Message: "The name must be 1–255 characters."})
	}
	if r, ok := ParseGroupResource(g.Resource); ok {
		g.Resource = r
	} else {
		fields = append(fields, FieldError{Field: "resource", Value: g.Resource, Code: CodeInvalidValue, Message: "The resource must be contact or location."})
	}
	if len([]rune(g.Location)) > maxGroupLocation {
		fields = append(fields, FieldError{Field: "location", Value: g.Location, Code: CodeTooLong, Message: "The location must be at most 63 characters."})
	}
	if len(fields) > 0 {
		return Invalid("", fields...)
	}
	return nil
}

// Validate trims a new location's name and checks it: 1–63 characters.
func (l *Location) Validate() error {
	l.Name = strings.TrimSpace(l.Name)
	if n := len([]rune(l.Name)); n == 0 || n > maxGroupLocation {
		return Invalid("", FieldError{Field: "name", Value: l.Name, Code: CodeRequired, Message: "The name must be 1–63 characters."})
	}
	return nil
}
