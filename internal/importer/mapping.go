package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/source"
)

// MappingRequest is what a caller says about a file's columns, in any of
// the dialects' shapes.
type MappingRequest struct {
	// Mapping is ours and Plannr's: column header → field. A field of ""
	// or "ignore" leaves the column out.
	Mapping map[string]string
	// ColumnMapping is PackageX's: field → column header.
	ColumnMapping map[string]string
	// Declared is TextUs's headers list: the field of each column, in order.
	Declared []string
}

// Explicit reports whether the caller said anything about the columns.
func (m MappingRequest) Explicit() bool {
	return len(m.Mapping) > 0 || len(m.ColumnMapping) > 0 || m.Declared != nil
}

// fieldName resolves a field name as a caller may write it: a field, an
// alias a header suggestion knows ("phone_number", "business"), or custom.X.
func fieldName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if ValidTarget(s) {
		return s, true
	}
	if f, ok := source.Suggest([]string{s})[s]; ok {
		return f, true
	}
	return "", false
}

// ResolveMapping turns a file's headers and the caller's mapping into the
// mapping used (header → field). Columns the caller did not map are
// suggested from their header names. It returns the problems a caller must
// fix (a 422) and warnings (columns that will not be imported).
func ResolveMapping(headers []string, req MappingRequest) (mapping map[string]string, problems, warnings []string) {
	mapping = map[string]string{}
	used := map[string]string{} // field → header
	set := func(h, f string) {
		if prev, ok := used[f]; ok && prev != h {
			problems = append(problems, fmt.Sprintf("Columns %q and %q both map to %s.", prev, h, f))
			return
		}
		mapping[h], used[f] = f, h
	}
	if req.Declared != nil {
		var invalid []string
		for i, d := range req.Declared {
			f, ok := fieldName(d)
			if !ok {
				invalid = append(invalid, d)
				continue
			}
			if i < len(headers) {
				set(headers[i], f)
			}
		}
		if len(invalid) > 0 {
			problems = append(problems, "Invalid headers provided: "+strings.Join(invalid, ", ")+".")
		}
		if len(req.Declared) != len(headers) && len(invalid) == 0 {
			problems = append(problems, fmt.Sprintf("%d headers provided but the file has %d columns.", len(req.Declared), len(headers)))
		}
	}
	for _, f := range sortedKeys(req.ColumnMapping) {
		h := req.ColumnMapping[f]
		field, ok := fieldName(f)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("column_mapping: %q is not a contact field.", f))
		case !slices.Contains(headers, h):
			problems = append(problems, fmt.Sprintf("column_mapping: the file has no column %q (its columns: %s).", h, strings.Join(headers, ", ")))
		default:
			set(h, field)
		}
	}
	for _, h := range sortedKeys(req.Mapping) {
		v := strings.TrimSpace(req.Mapping[h])
		if !slices.Contains(headers, h) {
			problems = append(problems, fmt.Sprintf("mapping: the file has no column %q (its columns: %s).", h, strings.Join(headers, ", ")))
			continue
		}
		if v == "" || strings.EqualFold(v, "ignore") {
			mapping[h] = ""
			continue
		}
		field, ok := fieldName(v)
		if !ok {
			problems = append(problems, fmt.Sprintf("mapping: %q is not a contact field (use email, first_name, …, custom.NAME).", v))
			continue
		}
		set(h, field)
	}
	if req.Declared == nil {
		for _, h := range headers {
			if _, done := mapping[h]; done {
				continue
			}
			if f, ok := AutoField(h); ok && used[f] == "" {
				set(h, f)
			}
		}
	}
	for _, h := range headers {
		if mapping[h] == "" {
			delete(mapping, h)
			warnings = append(warnings, fmt.Sprintf("Column %q is not mapped to a field and will not be imported.", h))
		}
	}
	return mapping, problems, warnings
}

// AutoField is the field a header maps to when nobody mapped it: a known
// synonym ("E-mail", "fname") or a field's own name (custom.X included).
func AutoField(header string) (string, bool) {
	if f, ok := source.Suggest([]string{header})[header]; ok {
		return f, true
	}
	if ValidTarget(header) {
		return header, true
	}
	return "", false
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

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
