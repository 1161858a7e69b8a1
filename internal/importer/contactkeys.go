package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/intake/intake"
)

// fallbackPrefix starts the key of a contact matched on its external id
// because it has no value for a match field (itemKey); no match value
// starts with it, so the two kinds of key never meet.
const fallbackPrefix = "\x1e" + intake.FieldExternalID + "\x1f"

// itemKey is the key a contact is matched on: its match key, or, when a
// match value is missing (a row without email under the default spec), its
// external id. The external id is unique per tenant, so such a row can
// only ever be that contact: creating another would fail on the unique
// index. A row with a match value is matched on it alone; if its external
// id belongs to another contact, it fails as any taken unique value does.
func itemKey(c *intake.Contact, fields []string) string {
	if k := matchKey(c, fields); k != "" {
		return k
	}
	return fallbackKey(c, fields)
}

// fallbackKey is c's external id key, "" when c has none or the match
// fields already hold it.
func fallbackKey(c *intake.Contact, fields []string) string {
	if c.ExternalID == "" || slices.Contains(fields, intake.FieldExternalID) {
		return ""
	}
	return fallbackPrefix + c.ExternalID
}

// matchKey joins the contact's values of the match fields; "" if any is empty.
func matchKey(c *intake.Contact, fields []string) string {
	var b strings.Builder
	for i, f := range fields {
		v := fieldValue(c, f)
		if v == "" {
			return ""
		}
		if i > 0 {
			b.WriteByte(0x1f)
		}
		b.WriteString(v)
	}
	return b.String()
}

// fieldValue is a contact's value of a match field, in its compared form.
func fieldValue(c *intake.Contact, name string) string {
	if custom, ok := strings.CutPrefix(name, intake.CustomPrefix); ok {
		return c.Custom[custom]
	}
	f, ok := intake.LookupField(name)
	if !ok || f.Column(c) == nil {
		return ""
	}
	if f.Type == intake.TypeName {
		return strings.ToLower(*f.Column(c))
	}
	return *f.Column(c)
}

// describeKey renders a contact's match key for messages: `email "a@b.nl"`,
// or `external id "123"` for a contact matched on its fallback key.
func describeKey(c *intake.Contact, fields []string) string {
	if matchKey(c, fields) == "" && fallbackKey(c, fields) != "" {
		return fmt.Sprintf("external id %q", c.ExternalID)
	}
	if matchKey(c, fields) == "" && c.Name != "" {
		return fmt.Sprintf("name %q", c.Name) // matched on its name (spec.NameIdentity)
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		v := fieldValue(c, f)
		if f == intake.FieldName {
			v = c.Name
		}
		parts[i] = fmt.Sprintf("%s %q", label(f), v)
	}
	return strings.Join(parts, " and ")
}
