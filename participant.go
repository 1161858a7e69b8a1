package intake

// FieldStatus is the one field a participant row has besides its contact's:
// the participant's status in the event (free text, "registered" when a row
// gives none).
const FieldStatus = "status"

// ParticipantFields are the fields of a participant row besides the contact
// fields: mapping targets and header suggestions of a participants import.
var ParticipantFields = []Field{
	{Name: FieldStatus, Type: TypeText, Max: 64,
		Synonyms: []string{"participant status", "registration status", "attendance", "rsvp"}},
}

// LookupIn returns the field of fields named name, exactly.
func LookupIn(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// SuggestIn is the field of fields that a header or mapping target names:
// a field's own name or a synonym, compared as SuggestField compares them.
func SuggestIn(fields []Field, header string) (string, bool) {
	h := normalizeHeader(header)
	for _, f := range fields {
		if normalizeHeader(f.Name) == h {
			return f.Name, true
		}
		for _, s := range f.Synonyms {
			if normalizeHeader(s) == h {
				return f.Name, true
			}
		}
	}
	return "", false
}

// CodeContactNotFound is the row error of a participant row whose contact
// does not exist when the import may not create contacts (create_contacts
// false).
const CodeContactNotFound = "contact_not_found"
