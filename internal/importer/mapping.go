package importer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intake/intake"
)

// Target resolves a mapping target as a caller may write it: a field name,
// an alias the header suggestions know ("phone_number", "E-mail"),
// custom.NAME, or a custom field of reg (the tenant's fields; nil: the
// built-in ones) by its name or label. It is the one rule for what a column
// or key may map to.
func Target(reg *intake.Registry, s string) (string, bool) {
	return reg.Target(s)
}

// Column is the field a column header or record key maps to: the caller's
// mapping when it names the header ("" = left out), else the field the
// header's own name suggests, else "". It is the one mapping rule: bulk
// record keys, file headers and keys a JSON file adds late all go through it.
// A header that names one of reg's custom fields (its name or label) maps
// to it.
func Column(reg *intake.Registry, mapping map[string]string, header string) string {
	if f, ok := mapping[header]; ok {
		return f
	}
	f, _ := reg.Suggest(header)
	return f
}

// Columns maps every header with Column.
func Columns(reg *intake.Registry, mapping map[string]string, headers []string) []string {
	cols := make([]string, len(headers))
	for i, h := range headers {
		cols[i] = Column(reg, mapping, h)
	}
	return cols
}

// ResolveMapping turns a file's headers and the caller's request into the
// mapping used (header → field, "" for a column left out). Columns the caller
// did not map are suggested from their header names. It returns the
// problems a caller must fix (a 422) and warnings (columns that will not be
// imported). reg is the tenant's fields (nil: the built-in ones).
func ResolveMapping(reg *intake.Registry, headers []string, req intake.ColumnMapping) (mapping map[string]string, problems []intake.FieldError, warnings []string) {
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
			f, ok := Target(reg, d)
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
		field, ok := Target(reg, v)
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
		if f := Column(reg, nil, h); f != "" && used[f] == "" {
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
