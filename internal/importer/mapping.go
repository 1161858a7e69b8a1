package importer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intake/intake"
)

// vocabulary is what the columns of one import may map to: a contact's
// fields (the tenant's registry, custom fields included), a participant's
// (its own, then a contact's) or a group's.
type vocabulary struct {
	noun    string                      // "a contact field (…)", in messages
	target  func(string) (string, bool) // a mapping target as a caller writes it
	suggest func(string) (string, bool) // a header nobody mapped
}

// vocabularyOf returns the vocabulary of an import of resource, with reg
// the tenant's fields (nil: the built-in ones).
func vocabularyOf(resource string, reg *intake.Registry) vocabulary {
	k, param, ok := KindOf(resource)
	if !ok {
		k, param, _ = KindOf(intake.ResourceContacts)
	}
	return k.vocabulary(reg, param)
}

func (v vocabulary) column(mapping map[string]string, header string) string {
	if f, ok := mapping[header]; ok {
		return f
	}
	f, _ := v.suggest(header)
	return f
}

// Target resolves a mapping target as a caller may write it: a field name,
// an alias the header suggestions know ("phone_number", "E-mail"),
// custom.NAME, or a custom field of reg (the tenant's fields; nil: the
// built-in ones) by its name or label. It is the one rule for what a column
// or key may map to.
func Target(reg *intake.Registry, s string) (string, bool) { return reg.Target(s) }

// TargetFor is Target for an import of resource.
func TargetFor(resource string, reg *intake.Registry, s string) (string, bool) {
	return vocabularyOf(resource, reg).target(s)
}

// Column is the field a column header or record key maps to: the caller's
// mapping when it names the header ("" = left out), else the field the
// header's own name suggests (a defined custom field's name or label
// included), else "". It is the one mapping rule: bulk record keys, file
// headers and keys a JSON file adds late all go through it.
func Column(reg *intake.Registry, mapping map[string]string, header string) string {
	return ColumnFor(intake.ResourceContacts, reg, mapping, header)
}

// ColumnFor is Column for an import of resource.
func ColumnFor(resource string, reg *intake.Registry, mapping map[string]string, header string) string {
	return vocabularyOf(resource, reg).column(mapping, header)
}

// ResolveMapping turns a file's headers and the caller's request into the
// mapping used (header → field, "" for a column left out). Columns the caller
// did not map are suggested from their header names. It returns the
// problems a caller must fix (a 422) and warnings (columns that will not be
// imported). reg is the tenant's fields (nil: the built-in ones).
func ResolveMapping(reg *intake.Registry, headers []string, req intake.ColumnMapping) (mapping map[string]string, problems []intake.FieldError, warnings []string) {
	return ResolveMappingFor(intake.ResourceContacts, reg, headers, req)
}

// ResolveMappingFor is ResolveMapping for an import of resource: a group
// import's columns map to the group fields, a participant's to its status
// and a contact's fields.
func ResolveMappingFor(resource string, reg *intake.Registry, headers []string, req intake.ColumnMapping) (mapping map[string]string, problems []intake.FieldError, warnings []string) {
	res := Recognize(resource, reg, headers, nil, "", req)
	return res.Mapping, res.Problems, res.Warnings
}

// Resolution is a file's mapping as Recognize resolved it.
type Resolution struct {
	Mapping  map[string]string // header → field, "" for a column left out
	Problems []intake.FieldError
	Warnings []string
	// Columns are the decisions, one per header, in file order.
	Columns []intake.ColumnDecision
	// Uncertain reports a column whose best guess is below
	// intake.ConfidenceThreshold (left out; the job may wait for a person).
	Uncertain bool
}

// Recognize turns a file's headers, a sample of its rows and the caller's
// request into the mapping used. Columns the caller mapped are taken as
// given; the others are recognised by their header's meaning and their
// values (rows, read with region for phones; nil: headers only). It
// returns the problems a caller must fix (a 422), warnings (columns that
// will not be imported, and why) and a decision per column.
func Recognize(resource string, reg *intake.Registry, headers []string, rows [][]string, region string, req intake.ColumnMapping) Resolution {
	v := vocabularyOf(resource, reg)
	r := &recognizer{headers: headers, mapping: map[string]string{}, used: map[string]string{},
		decisions: make([]intake.ColumnDecision, len(headers))}
	profiles := make([]profile, len(headers))
	for i, h := range headers {
		profiles[i] = profileColumn(rows, i, region)
		r.decisions[i] = intake.ColumnDecision{Header: h, Samples: profiles[i].samples}
		if r.decisions[i].Samples == nil {
			r.decisions[i].Samples = []string{}
		}
	}
	res := Resolution{}
	res.Problems = r.given(v, req)
	contacts := resource == "" || resource == intake.ResourceContacts
	var cands []candidate
	for i, h := range headers {
		if _, done := r.mapping[h]; done || req.ByPosition != nil {
			continue
		}
		if !contacts {
			if f := v.column(nil, h); f != "" && r.used[f] == "" {
				r.decide(candidate{col: i, reason: intake.ReasonHeader, conf: 1}, f)
			}
			continue
		}
		if c, ok := candidateOf(v, i, h, profiles[i]); ok {
			cands = append(cands, c)
		}
	}
	r.assign(cands)
	r.finish(v, contacts)
	res.Mapping, res.Warnings, res.Columns, res.Uncertain = r.mapping, r.warnings, r.decisions, r.uncertain
	return res
}

// given applies the caller's mapping (by header or by position) and
// returns its problems.
func (r *recognizer) given(v vocabulary, req intake.ColumnMapping) (problems []intake.FieldError) {
	headers := r.headers
	problem := func(field, value, format string, args ...any) {
		problems = append(problems, intake.FieldError{Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
	}
	set := func(i int, f string) {
		h := headers[i]
		if prev, ok := r.used[f]; ok && prev != h {
			problem("mapping", h, "Columns %q and %q both map to %s.", prev, h, f)
			return
		}
		r.decide(candidate{col: i, reason: intake.ReasonGiven, conf: 1}, f)
	}
	index := make(map[string]int, len(headers))
	for i, h := range headers {
		if _, dup := index[h]; !dup {
			index[h] = i
		}
	}
	if req.ByPosition != nil {
		var invalid []string
		for i, d := range req.ByPosition {
			f, ok := v.target(d)
			if !ok {
				invalid = append(invalid, d)
				continue
			}
			if i < len(headers) {
				set(i, f)
			}
		}
		if len(invalid) > 0 {
			problem("headers", strings.Join(invalid, ", "), "Invalid headers provided: %s.", strings.Join(invalid, ", "))
		} else if len(req.ByPosition) != len(headers) {
			problem("headers", "", "%d headers provided but the file has %d columns.", len(req.ByPosition), len(headers))
		}
	}
	columns := listCut(headers, maxListInMessage)
	for _, h := range slices.Sorted(maps.Keys(req.ByHeader)) {
		target := strings.TrimSpace(req.ByHeader[h])
		i, isHeader := index[h]
		if !isHeader {
			problem("mapping."+h, target, "The file has no column %q (its columns: %s).", h, columns)
			continue
		}
		if target == "" || strings.EqualFold(target, "ignore") {
			r.mapping[h] = ""
			r.decisions[i].Reason, r.decisions[i].Confidence = intake.ReasonGiven, 1
			continue
		}
		field, ok := v.target(target)
		if !ok {
			problem("mapping."+h, target, "%q is not %s.", target, v.noun)
			continue
		}
		set(i, field)
	}
	return problems
}

// finish explains the numbered families and the columns left out.
func (r *recognizer) finish(v vocabulary, contacts bool) {
	routed := map[int]bool{}
	if contacts {
		var kinds []string
		for _, f := range findNumbered(v, r.mapping, r.headers) {
			for _, c := range f.columns {
				routed[c] = true
			}
			kinds = append(kinds, f.kind.name)
		}
		if len(kinds) > 0 {
			r.warnings = append(r.warnings, fmt.Sprintf("The numbered %s columns are imported by their label, row by row: "+
				"the value marked * (else the first) is the primary field, the others alternates of their label's kind "+
				"(home, work, mobile; any other label: other); their mapping shows where number 1 and 2 go without labels.",
				strings.Join(kinds, ", ")))
		}
	}
	for i, h := range r.headers {
		if r.mapping[h] == "" {
			r.mapping[h] = ""
			if !routed[i] && r.decisions[i].Suggested == "" {
				r.warnings = append(r.warnings, fmt.Sprintf("Column %q is not mapped to a field and will not be imported.", h))
			}
		}
	}
}

// maxListInMessage bounds the list of a file's columns repeated in each
// problem: a mapping of thousands of unknown headers against a file of a
// thousand long column names once made gigabytes of messages.
const maxListInMessage = 300

// listCut joins names with ", ", cut near max bytes with "…".
func listCut(names []string, max int) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		if b.Len()+len(n) > max {
			b.WriteString("…")
			break
		}
		b.WriteString(n)
	}
	return b.String()
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
