package importer

import (
	"slices"
	"strings"

	"github.com/intake/intake"
)

// Kind is what one resource is to an import: its name, the scope a key
// needs for it, what its columns may map to, how its records are keyed and
// what writes them. Each resource's file registers its Kind once (see
// contacts.go, participants.go, groups.go, records.go); the pipeline, the
// mapping, the native dialect, the job view and authorization read the
// registry instead of switching on resource names, so a new resource is
// one file here plus its store methods.
type Kind struct {
	// Name is the resource as an ImportSpec names it ("participants"); for
	// a parametric kind, the prefix of its resources (collection:NAME).
	Name string
	// Aliases are other names a request may give it, compared ignoring case.
	Aliases []string
	// Param says the resources of this kind are Name:PARAM, one per PARAM
	// (a collection's records: collection:orders).
	Param bool
	// Scope is the API key scope an import of it needs besides the route's
	// ("" none: the imports or contacts scope suffices).
	Scope string
	// CreatesContacts says rows may create the contacts they name
	// (create_contacts, which then needs the contacts scope), counted in
	// the job's contacts_created.
	CreatesContacts bool
	// NeedsEvent says the rows are added to the event spec.EventKey names.
	NeedsEvent bool
	// OwnLimits says the kind's fields carry their own length limits: a
	// dialect's contact limits (spec.Limits) do not apply.
	OwnLimits bool
	// KeyFields are the kind's fixed match fields (nil: the caller's,
	// checked against the tenant's fields; see MatchFields).
	KeyFields []string
	// FixedKeyHelp is the message for match fields other than KeyFields.
	FixedKeyHelp string

	// vocabulary is what the columns of an import may map to, with reg the
	// tenant's fields and param the parametric kind's name.
	vocabulary func(reg *intake.Registry, param string) vocabulary
	// match checks the caller's match fields of a kind without KeyFields
	// (nil: they are the tenant's contact fields).
	match func(reg *intake.Registry, param string, given []string) ([]string, error)
	// newResource builds the Resource that writes the records of spec; it
	// may settle spec.MatchFields.
	newResource func(spec *intake.ImportSpec, reg *intake.Registry, region, param string, importID int64) (Resource, error)
}

// kinds are the registered kinds, in registration order.
var kinds []*Kind

// register adds a kind; each resource's file calls it once.
func register(k *Kind) *Kind {
	kinds = append(kinds, k)
	return k
}

// KindOf returns the kind of a resource as a request or an ImportSpec
// names it ("" is contacts; names and aliases compare ignoring case) and,
// for a parametric kind, its parameter. ok is false for an unknown name
// or a parametric kind without its parameter.
func KindOf(resource string) (k *Kind, param string, ok bool) {
	name := strings.TrimSpace(resource)
	if name == "" {
		name = intake.ResourceContacts
	}
	if prefix, p, found := strings.Cut(name, ":"); found {
		for _, k := range kinds {
			if k.Param && strings.EqualFold(k.Name, prefix) {
				p = strings.TrimSpace(p) // the parameter keeps its case
				return k, p, p != ""
			}
		}
		return nil, "", false
	}
	name = strings.ToLower(name)
	for _, k := range kinds {
		if !k.Param && (k.Name == name || slices.Contains(k.Aliases, name)) {
			return k, "", true
		}
	}
	return nil, "", false
}

// Resource is the resource an ImportSpec stores for the kind: its name,
// or name:param for a parametric kind.
func (k *Kind) Resource(param string) string {
	if k.Param {
		return k.Name + ":" + param
	}
	return k.Name
}

// MatchFields checks the caller's match fields (given, as sent: comma lists
// allowed) and returns those an import of the kind uses.
func (k *Kind) MatchFields(reg *intake.Registry, param string, given []string) ([]string, error) {
	if k.KeyFields != nil {
		// The default (email) is not the caller's choice: it stands for
		// "left out".
		if !slices.Equal(given, k.KeyFields) && !slices.Equal(given, []string{intake.FieldEmail}) {
			return nil, intake.Invalid(k.FixedKeyHelp, intake.FieldError{Field: "match_fields", Value: strings.Join(given, ","), Message: k.FixedKeyHelp})
		}
		return slices.Clone(k.KeyFields), nil
	}
	if k.match != nil {
		return k.match(reg, param, given)
	}
	return reg.ParseMatchFields(given...)
}

// KindNames lists the resources an import may name, for messages:
// "contacts, participants, groups or collection:NAME".
func KindNames() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name
		if k.Param {
			names[i] += ":NAME"
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
