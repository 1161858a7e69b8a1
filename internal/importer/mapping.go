package importer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intake/intake"
)

// Target resolves a mapping target as a caller may write it: a field name,
// an alias the header suggestions know ("phone_number", "E-mail"), or
// custom.NAME. It is the one rule for what a column or key may map to.
func Target(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if f, ok := intake.LookupField(s); ok {
		return f.Name, true
	}
	return intake.SuggestField(s)
}

// resourceFields are the fields a resource's rows carry besides a
// contact's (a participant's status); nil for contacts.
func resourceFields(resource string) []intake.Field {
	if resource == intake.ResourceParticipants {
		return intake.ParticipantFields
	}
	return nil
}

// TargetFor is Target for the rows of resource: its own fields first, then
// the contact fields.
func TargetFor(resource, s string) (string, bool) {
	if f, ok := intake.SuggestIn(resourceFields(resource), s); ok {
		return f, true
	}
	return Target(s)
}

// ColumnFor is Column for the rows of resource: the caller's mapping, else
// the resource's own fields, else the contact fields.
func ColumnFor(resource string, mapping map[string]string, header string) string {
	if f, ok := mapping[header]; ok {
		return f
	}
	if f, ok := intake.SuggestIn(resourceFields(resource), header); ok {
		return f
	}
	return Column(nil, header)
}

// Column is the field a column header or record key maps to: the caller's
// mapping when it names the header ("" = left out), else the field the
// header's own name suggests, else "". It is the one mapping rule: bulk
// record keys, file headers and keys a JSON file adds late all go through it.
func Column(mapping map[string]string, header string) string {
	if f, ok := mapping[header]; ok {
		return f
	}
	f, _ := intake.SuggestField(header)
	return f
}

// Columns maps every header with Column.
func Columns(mapping map[string]string, headers []string) []string {
	cols := make([]string, len(headers))
	for i, h := range headers {
		cols[i] = Column(mapping, h)
	}
	return cols
}

// ResolveMapping turns a file's headers and the caller's request into the
// mapping used (header → field, "" for a column left out). Columns the caller
// did not map are suggested from their header names. It returns the
// problems a caller must fix (a 422) and warnings (columns that will not be
// imported).
func ResolveMapping(headers []string, req intake.ColumnMapping) (mapping map[string]string, problems []intake.FieldError, warnings []string) {
	return ResolveMappingFor(intake.ResourceContacts, headers, req)
}

// ResolveMappingFor is ResolveMapping for the rows of resource, whose own
// fields (a participant's status) are targets and suggestions too.
func ResolveMappingFor(resource string, headers []string, req intake.ColumnMapping) (mapping map[string]string, problems []intake.FieldError, warnings []string) {
	mapping = map[string]string{}
	used := map[string]string{} // field → header
	problem := func(field, value, format string, args ...any) {
		problems = append(problems, intake.FieldError{Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
	}
	set := func(h, f string) {
		if prev, ok := used[f]; ok && prev != h {
			problem("mapping", h, "Columns %q and %q both map to %s.", prev, h, f)
			return
		}
		mapping[h], used[f] = f, h
	}
	if req.ByPosition != nil {
		var invalid []string
		for i, d := range req.ByPosition {
			f, ok := TargetFor(resource, d)
			if !ok {
				invalid = append(invalid, d)
				continue
			}
			if i < len(headers) {
				set(headers[i], f)
			}
		}
		if len(invalid) > 0 {
			problem("headers", strings.Join(invalid, ", "), "Invalid headers provided: %s.", strings.Join(invalid, ", "))
		} else if len(req.ByPosition) != len(headers) {
			problem("headers", "", "%d headers provided but the file has %d columns.", len(req.ByPosition), len(headers))
		}
	}
	for _, h := range slices.Sorted(maps.Keys(req.ByHeader)) {
		v := strings.TrimSpace(req.ByHeader[h])
		if !slices.Contains(headers, h) {
			problem("mapping."+h, v, "The file has no column %q (its columns: %s).", h, strings.Join(headers, ", "))
			continue
		}
		if v == "" || strings.EqualFold(v, "ignore") {
			mapping[h] = ""
			continue
		}
		field, ok := TargetFor(resource, v)
		if !ok {
			problem("mapping."+h, v, "%q is not a contact field (use email, first_name, …, custom.NAME; GET /api/v1/fields lists them).", v)
			continue
		}
		set(h, field)
	}
	for _, h := range headers {
		if _, done := mapping[h]; done || req.ByPosition != nil {
			continue
		}
		if f := ColumnFor(resource, nil, h); f != "" && used[f] == "" {
			set(h, f)
		}
	}
	for _, h := range headers {
		if mapping[h] == "" {
			mapping[h] = ""
			warnings = append(warnings, fmt.Sprintf("Column %q is not mapped to a field and will not be imported.", h))
		}
	}
	return mapping, problems, warnings
}

// MissingRequired lists the required fields no column maps to. name is
// satisfied by first_name or last_name too, since name is derived from them.
func MissingRequired(mapping map[string]string, required []string) []string {
	have := map[string]bool{}
	for _, f := range mapping {
		have[f] = true
	}
	var missing []string
	for _, r := range required {
		if have[r] || (r == intake.FieldName && (have[intake.FieldFirstName] || have[intake.FieldLastName])) {
			continue
		}
		missing = append(missing, r)
	}
	return missing
}
