// Package native is Intake's own import dialect (POST /api/v1/imports and
// PATCH): the options of DESIGN §3 in our names, plus the names the design
// says our endpoint accepts from the seeds (Copernica's keyFields and
// ignoreEmptyFields, PackageX's action, duplicate_handling and
// column_mapping, Plannr's type, TextUs's headers). Its option parsing
// (Translate) is the one the file dialects share: each passes its own
// dialect.Rules. A request in PackageX's or TextUs's shape at the native
// endpoint is read by that seed's rules (RulesFor).
package native

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/importer"
)

// Rules are Intake's own: the design's defaults (DESIGN §3).
var Rules = dialect.Rules{Name: "intake"}

// PackageXRules are PackageX's: its field limits, its default duplicate
// handling (ignore_all), contacts need a name (and are identified by it
// when they have no email), and a bad value fails its row whole. They live here, not in packagex, because packagex builds on
// this package (its answer is this package's job view) and the native
// endpoint reads a request in PackageX's shape by them too.
var PackageXRules = dialect.Rules{Name: "packagex", Duplicates: intake.DuplicatesIgnoreAll, Limits: PackageXLimits,
	Required: []string{intake.FieldName}, InvalidFields: intake.InvalidFieldsSkipRow, NameIdentity: true}

// TextUsShapeRules are TextUs's rules for a request in its shape at the
// native endpoint: contacts are people you text, so they match on phone,
// need a name, and a bad value fails its row whole. (The TextUs route also
// sets phones to region US: see textus.Rules.)
var TextUsShapeRules = dialect.Rules{Name: "textus", MatchFields: []string{intake.FieldPhone},
	Required: []string{intake.FieldName}, InvalidFields: intake.InvalidFieldsSkipRow}

// RulesFor says which rules a request to POST /api/v1/imports is read by.
// The design lets that endpoint take the seeds' names, so a request in
// PackageX's shape (data, column_mapping) or TextUs's (headers) means what
// it means at the seed's own URL. This is the one place a request's keys
// choose rules; every dialect route states its own.
func RulesFor(p dialect.Params) dialect.Rules {
	switch {
	case p.Has("data") || p.Has("column_mapping"):
		return PackageXRules
	case p.Has("headers") || p.Has("headers[]"):
		return TextUsShapeRules
	}
	return Rules
}

// Create is POST /api/v1/imports's translation (a dialect.Translate): a
// file is required, and its options are read by RulesFor's rules.
func Create(in dialect.Request) (dialect.Translation, error) {
	if !in.HasFile {
		return dialect.Translation{}, intake.Invalid("File is required.", intake.FieldError{Field: "file", Message: "File is required."})
	}
	rules := RulesFor(in.Params)
	req, err := Translate(rules, in.Params, in.Registry)
	// Intake's own imports can wait for a person when a column is
	// uncertain; a request read by a seed's rules has no mapping step.
	req.MappingStep = rules.Name == Rules.Name
	return dialect.Translation{ImportRequest: req}, err
}

// Translate reads a new upload's options by rules. reg is the tenant's
// fields: a custom field is a match field by its bare name too. Errors:
// EINVALID with a field error per bad option.
func Translate(rules dialect.Rules, p dialect.Params, reg *intake.Registry) (intake.ImportRequest, error) {
	req := intake.ImportRequest{Spec: rules.Spec(), Autostart: !rules.WaitForMapping, Remap: true}
	return parse(p, req, rules, reg)
}

// Patch translates a PATCH of a stored job: absent options keep the job's
// values; a mapping given replaces the job's mapping. The job keeps the
// fields it required beyond its match fields.
func Patch(p dialect.Params, im *intake.Import, reg *intake.Registry) (intake.ImportRequest, error) {
	rules := dialect.Rules{Name: "patch", Required: slices.DeleteFunc(slices.Clone(im.Spec.Required),
		func(f string) bool { return slices.Contains(im.Spec.MatchFields, f) })}
	return parse(p, intake.ImportRequest{Spec: im.Spec, Name: im.Name}, rules, reg)
}

// parser is one request's options being read.
type parser struct {
	errs                 dialect.Errors
	req                  intake.ImportRequest
	rules                dialect.Rules
	mode, dups, resource string
	match                []string
	matchSet             bool
}

// options are the option names the dialects share, each with how it is
// read; specOption reads the rest.
var options = map[string]func(*parser, string, string){
	"name":         func(x *parser, _, v string) { x.req.Name = v },
	"mapping_name": func(x *parser, _, v string) { x.req.MappingName = v },
	"resource":     func(x *parser, _, v string) { x.resource = v },
	"type":         func(x *parser, _, v string) { x.resource = v },
	"mode":         (*parser).setMode,
	"action":       (*parser).setMode,
	"format":       func(x *parser, k, v string) { x.req.Format = x.errs.Format(x.rules, k, v) },
	"delimiter": func(x *parser, k, v string) {
		x.req.Delimiter, x.req.Remap = x.errs.Delim(k, v), true
	},
	"encoding": func(x *parser, _, v string) { x.req.Encoding, x.req.Remap = v, true },
	"sheet":    func(x *parser, _, v string) { x.req.Sheet, x.req.Remap = v, true },
	// path is where a JSON document's records are ("data.people"); the
	// reader finds them when it is not given.
	"path":               func(x *parser, _, v string) { x.req.Spec.Path, x.req.Remap = v, true },
	"duplicates":         func(x *parser, _, v string) { x.dups = v },
	"duplicate_handling": func(x *parser, _, v string) { x.dups = v },
	"upload_mode":        (*parser).setUploadMode,
	"mapping":            (*parser).setMapping,
	"field_mapping":      (*parser).setMapping,
	"column_mapping": func(x *parser, k, v string) {
		// PackageX's direction: field → header.
		x.req.Columns.ByHeader, x.req.Remap = invert(x.errs.Object(k, v)), true
	},
	"headers":   (*parser).addHeaders,
	"headers[]": (*parser).addHeaders,
	"data":      func(*parser, string, string) {}, // the file itself: received, not an option
	"autostart": func(x *parser, k, v string) { setBool(&x.req.Autostart, x.errs.Bool(k, v)) },
}

func init() {
	for _, k := range []string{"match_fields", "match_field", "keyFields", "key_fields", "match_fields[]", "keyFields[]"} {
		options[k] = (*parser).addMatch
	}
}

func (x *parser) setMode(_, v string) {
	x.mode = v
	if strings.EqualFold(v, "overwrite") {
		// PackageX's overwrite replaces data: an upsert that clears empty cells.
		x.mode, x.req.Spec.IgnoreEmptyFields = string(intake.ModeUpsert), false
	}
}

func (x *parser) setUploadMode(k, v string) {
	switch strings.ToLower(v) {
	case "", "async":
	case "sync":
		x.req.Sync = true
	default:
		x.errs.Add(k, v, "upload_mode must be async or sync.")
	}
}

func (x *parser) setMapping(k, v string) {
	x.req.Columns.ByHeader, x.req.Remap = x.errs.Object(k, v), true
}

func (x *parser) addHeaders(k, v string) {
	if v == "" || v == "null" {
		x.errs.Add(k, v, "Headers are a required field.")
		return
	}
	x.req.Columns.ByPosition = append(x.req.Columns.ByPosition, dialect.List(v)...)
	x.req.Remap = true
}

func (x *parser) addMatch(_, v string) {
	if !x.matchSet {
		x.match, x.matchSet = nil, true
	}
	x.match = append(x.match, dialect.List(v)...)
}

func parse(p dialect.Params, req intake.ImportRequest, rules dialect.Rules, reg *intake.Registry) (intake.ImportRequest, error) {
	x := &parser{req: req, rules: rules, mode: string(req.Spec.Mode), dups: string(req.Spec.Duplicates), resource: req.Spec.Resource}
	for _, o := range p {
		v := strings.TrimSpace(o.Value)
		if set, ok := options[o.Key]; ok {
			set(x, o.Key, v)
		} else {
			specOption(&x.errs, &x.req, o.Key, v)
		}
	}
	spec := &x.req.Spec
	if !x.matchSet {
		x.match = spec.MatchFields
	}
	checkSpec(&x.errs, spec, x.mode, x.dups, x.resource, x.match, reg)
	if spec.RemoveMissing && spec.Mode == intake.ModeDelete {
		x.errs.Add("remove_missing", "true", "remove_missing cannot be combined with mode delete: it would delete every contact.")
	}
	if err := x.errs.Err("The import options are not valid."); err != nil {
		return x.req, err
	}
	spec.Required = slices.Clone(spec.MatchFields)
	if spec.NameIdentity && slices.Equal(spec.MatchFields, []string{intake.FieldEmail}) {
		// A contact without an email is found by its name (PackageX): a
		// file needs no email column, only the name rules.Required adds.
		spec.Required = nil
	}
	for _, f := range rules.Required {
		if !slices.Contains(spec.Required, f) {
			spec.Required = append(spec.Required, f)
		}
	}
	return x.req, nil
}

// specOption parses the options that only set a field of the spec.
func specOption(errs *dialect.Errors, req *intake.ImportRequest, key, v string) {
	spec := &req.Spec
	switch key {
	case "region", "default_region":
		spec.Region = strings.ToUpper(v)
	case "ignore_empty_fields", "ignoreEmptyFields":
		setBool(&spec.IgnoreEmptyFields, errs.Bool(key, v))
	case "event_key":
		spec.EventKey = v
	case "create_contacts":
		setBool(&spec.CreateContacts, errs.Bool(key, v))
	case "skip_on_error":
		setBool(&spec.SkipOnError, errs.Bool(key, v))
	case "header_row":
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 1000 {
			errs.Add(key, v, "header_row must be the number of the file's header row, from 1 to 1000.")
			return
		}
		spec.HeaderRow, req.Remap = n, true
	case "invalid_fields":
		switch v = strings.ToLower(strings.TrimSpace(v)); v {
		case intake.InvalidFieldsSkipField, intake.InvalidFieldsSkipRow:
			spec.InvalidFields = v
		default:
			errs.Add(key, v, "invalid_fields must be skip_field (write the row without the bad values) or skip_row (fail the row).")
		}
	case "remove_missing", "removeMissing":
		setBool(&spec.RemoveMissing, errs.Bool(key, v))
	case "preview":
		setBool(&spec.Preview, errs.Bool(key, v))
	case "remove_missing_group":
		spec.RemoveMissingGroup = v
	case "remove_missing_selection":
		spec.RemoveMissingSelection = v
	case "followups":
		setBool(&spec.Followups, errs.Bool(key, v))
	case "rebuild":
		setBool(&spec.Rebuild, errs.Bool(key, v))
	case "deleteTarget", "delete_target":
		spec.DeleteTarget = checkDeleteTarget(errs, key, v)
	}
}

// checkSpec parses the spec's named options into it.
func checkSpec(errs *dialect.Errors, spec *intake.ImportSpec, mode, dups, resource string, match []string, reg *intake.Registry) {
	var err error
	if spec.Mode, err = intake.ParseMode(mode, intake.ModeUpsert); err != nil {
		errs.Add("mode", mode, intake.ErrorMessage(err))
	}
	kind, param, ok := importer.KindOf(resource)
	if ok {
		spec.Resource = kind.Resource(param)
	} else {
		errs.Add("resource", resource, fmt.Sprintf("Resource %q cannot be imported as a file; use %s.", resource, importer.KindNames()))
		kind, _, _ = importer.KindOf(intake.ResourceContacts)
	}
	if spec.MatchFields, err = kind.MatchFields(reg, param, match); err != nil {
		errs.Add("match_fields", strings.Join(match, ","), intake.ErrorMessage(err))
	}
	if kind.OwnLimits {
		spec.Limits = nil
	}
	if spec.DeleteTarget == intake.DeleteSubprofile && spec.Mode == intake.ModeDelete && len(intake.ChildKeys(spec.MatchFields)) == 0 {
		errs.Add("delete_target", spec.DeleteTarget, "delete_target subprofile deletes child records by their key: name it in match_fields (keyFields), e.g. email,Order.OrderID.")
	}
	if spec.Duplicates, err = intake.ParseDuplicates(dups); err != nil {
		errs.Add("duplicates", dups, intake.ErrorMessage(err))
	}
	switch {
	case !kind.NeedsEvent:
		spec.EventKey = "" // a participants option: other resources ignore it
	case spec.EventKey == "":
		errs.Add("event_key", "", "event_key is required for resource "+kind.Name+": the key of the event the rows are added to.")
	}
	if spec.Region != "" && len(spec.Region) != 2 {
		errs.Add("region", spec.Region, "The region must be an ISO 3166-1 alpha-2 code such as NL.")
	}
}

// checkDeleteTarget reads Copernica's deleteTarget: profile deletes
// contacts (what mode delete does), subprofile only the child records the
// rows' child keys find (Order.OrderID), never a contact.
func checkDeleteTarget(errs *dialect.Errors, key, v string) string {
	switch strings.ToLower(v) {
	case "", "profile", "profiles":
		return ""
	case "subprofile", "subprofiles":
		return intake.DeleteSubprofile
	}
	errs.Add(key, v, "deleteTarget must be profile or subprofile.")
	return ""
}

// PackageXLimits are PackageX's documented maximum lengths of its contact
// columns (characters of the cell as sent; a phone before it is parsed).
// alternate_emails, alternate_phones and alternate_addresses hold for every
// kind; alternate names are at most 5 in every dialect (the registry).
var PackageXLimits = map[string]int{
	intake.FieldName: 255, intake.FieldEmail: 127, intake.FieldPhone: 31, intake.FieldAddress: 255, intake.FieldNotes: 255,
	"alternate_emails": 127, "alternate_phones": 31, "alternate_addresses": 255,
	intake.FieldGroups: 2047, intake.FieldLocations: 2047,
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// invert turns PackageX's field → header mapping into header → field.
func invert(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for f, h := range m {
		out[h] = f
	}
	return out
}
