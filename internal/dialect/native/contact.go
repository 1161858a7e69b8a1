package native

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
)

// readOnly are the keys of a contact as GET shows it that no request
// writes; they are ignored, so a fetched contact can be sent back.
var readOnly = []string{"id", "created_at", "updated_at", "events"}

// alternatePlural is the column word of each alternate type.
var alternatePlural = map[string]string{"email": "emails", "phone": "phones", "address": "addresses"}

// Contact translates a contact API body (POST /contacts, PATCH
// /contacts/{id}) into the fields a record has, for the import pipeline
// to normalise: keys are field names (email, first_name, tags, …,
// custom.NAME, alternate_phones_work, …) or a defined custom field's bare
// name; "custom" is an object of NAME → value; "alternates" a list of
// {type, kind, value}; lists (tags) are arrays or , or ; separated text;
// null and "" mean empty (a PATCH clears the field). reg is the tenant's
// fields. Errors: EINVALID naming each key that is no field.
func Contact(body map[string]any, reg *intake.Registry) (map[string]string, error) {
	fields := map[string]string{}
	var errs dialect.Errors
	for _, k := range slices.Sorted(maps.Keys(body)) {
		v := body[k]
		switch {
		case slices.Contains(readOnly, k):
		case k == "custom":
			custom, ok := v.(map[string]any)
			if !ok && v != nil {
				errs.Add("custom", dialect.CellString(v), "custom is an object of field name → value.")
			}
			for name, cv := range custom {
				target, ok := reg.Target(intake.CustomPrefix + name)
				if !ok {
					errs.Add("custom."+name, dialect.CellString(cv), fmt.Sprintf("%q is not a valid custom field name.", name))
					continue
				}
				fields[target] = dialect.CellString(cv)
			}
		case k == "alternates":
			alternates(&errs, fields, v)
		default:
			name, ok := fieldName(reg, k)
			if !ok {
				errs.Add(k, dialect.CellString(v), fmt.Sprintf("%q is not a contact field (use email, first_name, …, custom.NAME; GET /api/v1/fields lists them).", k))
				continue
			}
			fields[name] = dialect.CellString(v)
		}
	}
	if err := errs.Err("The contact has keys that are not contact fields."); err != nil {
		return nil, err
	}
	return fields, nil
}

// fieldName resolves a body key: a field's exact name, or a defined custom
// field's bare name.
func fieldName(reg *intake.Registry, k string) (string, bool) {
	if f, ok := reg.Lookup(k); ok {
		return f.Name, true
	}
	if _, ok := reg.Custom(k); ok {
		return intake.CustomPrefix + k, true
	}
	return "", false
}

// alternates turns a list of {type, kind, value} into alternate_TYPES_KIND
// fields, one value per type and kind (as PackageX's columns hold).
func alternates(errs *dialect.Errors, fields map[string]string, v any) {
	if v == nil {
		return
	}
	list, ok := v.([]any)
	if !ok {
		errs.Add("alternates", dialect.CellString(v), "alternates is a list of {type, kind, value}.")
		return
	}
	for i, x := range list {
		a, _ := x.(map[string]any)
		typ, kind := strings.ToLower(dialect.CellString(a["type"])), strings.ToLower(dialect.CellString(a["kind"]))
		at := fmt.Sprintf("alternates[%d]", i)
		plural, ok := alternatePlural[typ]
		if !ok || kind == "" {
			errs.Add(at, dialect.CellString(x), "An alternate has a type (email, phone or address) and a kind (home, work, …).")
			continue
		}
		name := "alternate_" + plural + "_" + kind
		if _, dup := fields[name]; dup {
			errs.Add(at, dialect.CellString(x), fmt.Sprintf("A contact has one alternate %s of kind %s.", typ, kind))
			continue
		}
		fields[name] = dialect.CellString(a["value"])
	}
}
