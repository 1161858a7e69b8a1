// Package native is Intake's own import dialect (POST /api/v1/imports and
// PATCH): the options of DESIGN §3 in our names, plus the names the design
// says our endpoint accepts from the seeds (Copernica's keyFields and
// ignoreEmptyFields, PackageX's action, duplicate_handling and
// column_mapping, Plannr's type, TextUs's headers). A request in PackageX's
// shape (a data URI or column_mapping) or TextUs's (headers) gets that
// seed's rules: contacts need a name, and TextUs contacts match on phone.
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

// Create translates the options of a new upload. reg is the tenant's
// fields: a custom field is a match field by its bare name too.
func Create(p dialect.Params, reg *intake.Registry) (intake.ImportRequest, error) {
	return parse(p, intake.ImportRequest{Spec: intake.DefaultSpec(), Autostart: true, Remap: true, MappingStep: true}, true, reg)
}

// Patch translates a PATCH of a stored job: absent options keep the job's
// values; a mapping given replaces the job's mapping.
func Patch(p dialect.Params, im *intake.Import, reg *intake.Registry) (intake.ImportRequest, error) {
	return parse(p, intake.ImportRequest{Spec: im.Spec, Name: im.Name}, false, reg)
}

// seedShape says which seed's rules a request's shape calls for.
type seedShape struct{ packageX, textUs bool }

func parse(p dialect.Params, req intake.ImportRequest, fresh bool, reg *intake.Registry) (intake.ImportRequest, error) {
	var errs dialect.Errors
	spec := &req.Spec
	mode, dups, resource := string(spec.Mode), string(spec.Duplicates), spec.Resource
	var match []string
	var shape seedShape
	matchSet := false
	for _, x := range p {
		v := strings.TrimSpace(x.Value)
		switch x.Key {
		case "name":
			req.Name = v
		case "mapping_name":
			req.MappingName = v
		case "resource", "type":
			resource = v
		case "mode", "action":
			mode = v
			if strings.EqualFold(v, "overwrite") {
				// PackageX's overwrite replaces data: an upsert that clears empty cells.
				mode, spec.IgnoreEmptyFields = string(intake.ModeUpsert), false
			}
		case "format":
			req.Format = strings.ToLower(v)
		case "delimiter", "encoding", "sheet":
			setReading(&req, x.Key, v)
		case "duplicates", "duplicate_handling":
			dups = v
		case "upload_mode":
			switch strings.ToLower(v) {
			case "", "async":
			case "sync":
				req.Sync = true
			default:
				errs.Add("upload_mode", v, "upload_mode must be async or sync.")
			}
		case "match_fields", "match_field", "keyFields", "key_fields", "match_fields[]", "keyFields[]":
			if !matchSet {
				match, matchSet = nil, true
			}
			match = append(match, dialect.List(v)...)
		case "mapping", "field_mapping":
			req.Columns.ByHeader, req.Remap = errs.Object(x.Key, v), true
		case "column_mapping":
			// PackageX's direction: field → header.
			req.Columns.ByHeader, req.Remap, shape.packageX = invert(errs.Object(x.Key, v)), true, true
		case "headers", "headers[]":
			if v == "" || v == "null" {
				errs.Add(x.Key, v, "Headers are a required field.")
				continue
			}
			req.Columns.ByPosition = append(req.Columns.ByPosition, dialect.List(v)...)
			req.Remap, shape.textUs = true, true
		case "data":
			shape.packageX = true
		case "autostart":
			setBool(&req.Autostart, errs.Bool(x.Key, v))
		default:
			specOption(&errs, &req, x.Key, v)
		}
	}
	if fresh && !matchSet && shape.textUs {
		// TextUs contacts are people you text: they match on phone.
		match, matchSet = []string{intake.FieldPhone}, true
	}
	if !matchSet {
		match = spec.MatchFields
	}
	requireName := shape.packageX || shape.textUs || slices.Contains(spec.Required, intake.FieldName)
	if fresh && (shape.packageX || shape.textUs) && !p.Has("invalid_fields") {
		// The seeds fail a row with a bad value whole; their clients count
		// on failed rows, so no row of theirs is written in part.
		spec.InvalidFields = intake.InvalidFieldsSkipRow
	}
	if fresh && shape.packageX {
		// PackageX's rules for a request in its shape: its limits, and its
		// default duplicate handling, ignore_all.
		spec.Limits = PackageXLimits
		if !p.Has("duplicate_handling") && !p.Has("duplicates") {
			dups = string(intake.DuplicatesIgnoreAll)
		}
	}
	checkSpec(&errs, spec, mode, dups, resource, match, reg)
	if spec.RemoveMissing && spec.Mode == intake.ModeDelete {
		errs.Add("remove_missing", "true", "remove_missing cannot be combined with mode delete: it would delete every contact.")
	}
	checkReading(&errs, &req)
	if err := errs.Err("The import options are not valid."); err != nil {
		return req, err
	}
	spec.Required = slices.Clone(spec.MatchFields)
	if requireName && !slices.Contains(spec.Required, intake.FieldName) {
		spec.Required = append(spec.Required, intake.FieldName)
	}
	return req, nil
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

// setReading sets how the file is read; the mapping is then made again.
func setReading(req *intake.ImportRequest, key, v string) {
	switch key {
	case "delimiter":
		req.Delimiter = dialect.Delimiter(v)
	case "encoding":
		req.Encoding = v
	case "sheet":
		req.Sheet = v
	}
	req.Remap = true
}

func checkReading(errs *dialect.Errors, req *intake.ImportRequest) {
	switch req.Format {
	case "", "csv", "tsv", "xlsx", "json", "vcard":
	default:
		errs.Add("format", req.Format, "Format must be csv, tsv, xlsx, json or vcard.")
	}
	if n := len([]rune(req.Delimiter)); n > 1 {
		errs.Add("delimiter", req.Delimiter, "The delimiter must be a single character.")
	}
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
