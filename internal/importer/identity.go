package importer

import (
	"fmt"
	"strings"

	"github.com/intake/intake"
)

// A contact identified by its name (spec.NameIdentity, PackageX): a row
// without a match value (no email) is keyed on its name, and every
// contact is indexed by its name too, so the row finds the stored contact
// of that name. Two stored contacts of one name are an ambiguous match,
// reported on the row with both ids; nothing picks one silently.

// namePrefix starts a name key; no match value starts with it (as
// fallbackPrefix), so a name key never meets an email.
const namePrefix = "\x1e" + intake.FieldName + "\x1f"

// nameKey is c's name key, "" when c has no name.
func nameKey(c *intake.Contact) string {
	if n := strings.ToLower(strings.TrimSpace(c.Name)); n != "" {
		return namePrefix + n
	}
	return ""
}

// soloKey marks a name key carried by a row without a match value, for
// the duplicate scan; it never meets a name key or a match value.
func soloKey(key string) string { return "\x1esolo" + key }

// isNameKey reports whether key is a name key.
func isNameKey(key string) bool { return strings.HasPrefix(key, namePrefix) }

// recordName is a record's name as Prepare builds it (the name column,
// else first and last name), for the duplicate scan.
func (r *contacts) recordName(fields map[string]string) string {
	if v := strings.TrimSpace(fields[intake.FieldName]); v != "" {
		if f, ok := r.norm.reg.Lookup(intake.FieldName); ok {
			if out, re := r.norm.value(f, v); re == nil {
				return out
			}
		}
		return v
	}
	return derivedName(fields)
}

// AltKey implements altKeyer: under spec.NameIdentity a row keyed on its
// email is a duplicate of a row of the same name too (the seed's Kylo Ren
// with and without an email), so its name is its second key; "" otherwise.
func (r *contacts) AltKey(spec *intake.ImportSpec, rec Record) string {
	if !spec.NameIdentity {
		return ""
	}
	if k := r.Key(spec, rec); k == "" || isNameKey(k) {
		return ""
	}
	return nameKey(&intake.Contact{Name: r.recordName(splitMultiValues(rec.Fields))})
}

// AltKey implements altKeyer for a contact row. A row with keyed children
// is one child of a contact, so rows sharing a name are not duplicates.
func (f *family) AltKey(_ *intake.ImportSpec, rec Record) string {
	if len(f.keyed) > 0 {
		return ""
	}
	return f.contacts.AltKey(&f.spec, rec)
}

// altKeyer is a Resource whose rows have a second identity besides their
// key: rows sharing either are in-file duplicates.
type altKeyer interface {
	AltKey(spec *intake.ImportSpec, rec Record) string
}

// ambiguous is the error of a row whose key two or more stored contacts
// share: it names them by id, so the tenant can merge or rename them.
func ambiguous(spec *intake.ImportSpec, in *intake.Contact, matches []*intake.Contact) intake.RowError {
	ids := make([]string, len(matches))
	for i, m := range matches {
		ids[i] = fmt.Sprint(m.ID)
	}
	field := spec.MatchFields[0]
	if in.Email == "" && spec.NameIdentity {
		field = intake.FieldName
	}
	return intake.RowError{Field: field, Code: intake.CodeAmbiguousMatch,
		Message: fmt.Sprintf("%d contacts have %s (ids %s); match on a unique field to choose one, or merge them.",
			len(matches), describeKey(in, spec.MatchFields), strings.Join(ids, ", "))}
}

// addAltKeys records a row's second identity for the duplicate scan
// (altKeyer): a row keyed on its email adds its name key; a row keyed on
// its name marks the name as carried by a row without a match value
// (soloKey, added twice so the sealed scan keeps it).
func (p *pass) addAltKeys(key string, rec Record) {
	ak, ok := p.res.(altKeyer)
	if !ok {
		return
	}
	if isNameKey(key) {
		p.dups.Add(soloKey(key), rec.Row)
		p.dups.Add(soloKey(key), rec.Row)
		return
	}
	p.dups.Add(ak.AltKey(p.spec, rec), rec.Row)
}

// duplicate applies the in-file duplicate policy to a prepared item: by
// its key, then by its second identity (altKeyer), which is a name.
func (p *pass) duplicate(it *Item, rec Record) {
	fields := p.spec.MatchFields
	if isNameKey(it.Key) {
		fields = []string{intake.FieldName}
	}
	out, re := p.dups.Verdict(p.spec.Duplicates, it.Key, rec.Row, p.noun, fields)
	if ak, ok := p.res.(altKeyer); ok && re == nil {
		// A row with an email is a duplicate by name only of rows without
		// one: two people of one name with two emails are two people.
		if alt := ak.AltKey(p.spec, rec); alt != "" && p.dups.Repeats(soloKey(alt)) {
			out, re = p.dups.Verdict(p.spec.Duplicates, alt, rec.Row, p.noun, []string{intake.FieldName})
		}
	}
	if re != nil {
		it.set(out, *re)
	}
}
