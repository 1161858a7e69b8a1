package http

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
)

// importParams are an import's settings as sent, in any dialect: multipart
// fields and JSON bodies are both reduced to key → text and set here, so
// one parser serves every dialect. Objects and lists arrive as JSON text.
type importParams struct {
	Name, Resource, Mode, Format, Delimiter, Encoding, Sheet string
	Duplicates, UploadMode, Region                           string
	MatchFields                                              []string
	Map                                                      importer.MappingRequest
	IgnoreEmpty, SkipOnError, Autostart                      *bool
	// RequireName is set by the PackageX and TextUs dialects, whose
	// contacts need a name.
	RequireName bool
	fieldErrs   []error
}

func (p *importParams) bad(field, value, msg string) {
	p.fieldErrs = append(p.fieldErrs, &detail{Location: "body." + field, Value: value, Message: msg})
}

// set applies one parameter. Unknown keys are ignored, as the dialects'
// own APIs ignore them (Copernica's database, followups, rebuild…).
func (p *importParams) set(key, v string) {
	v = strings.TrimSpace(v)
	switch key {
	case "name":
		p.Name = v
	case "resource", "type":
		p.Resource = v
	case "mode", "action":
		// PackageX's "overwrite" replaces data: an upsert that clears
		// empty cells.
		if strings.EqualFold(v, "overwrite") {
			v = "upsert"
			f := false
			p.IgnoreEmpty = &f
		}
		p.Mode = v
	case "format":
		p.Format = strings.ToLower(v)
	case "delimiter":
		p.Delimiter = unescapeDelimiter(v)
	case "encoding":
		p.Encoding = v
	case "sheet":
		p.Sheet = v
	case "duplicates", "duplicate_handling":
		p.Duplicates = v
	case "upload_mode":
		p.UploadMode = strings.ToLower(v)
	case "region", "default_region":
		p.Region = strings.ToUpper(v)
	case "match_fields", "match_field", "keyFields", "key_fields", "match_fields[]", "keyFields[]":
		p.MatchFields = append(p.MatchFields, listValue(v)...)
	case "mapping", "field_mapping":
		p.Map.Mapping = p.object(key, v)
	case "column_mapping":
		p.Map.ColumnMapping = p.object(key, v)
		p.RequireName = true
	case "headers", "headers[]":
		if v == "" || v == "null" {
			p.bad(key, v, "Headers are a required field.")
			return
		}
		p.Map.Declared = append(p.Map.Declared, listValue(v)...)
		p.RequireName = true
	case "ignore_empty_fields", "ignoreEmptyFields":
		p.IgnoreEmpty = p.boolean(key, v)
	case "skip_on_error":
		p.SkipOnError = p.boolean(key, v)
	case "autostart":
		p.Autostart = p.boolean(key, v)
	}
}

func (p *importParams) object(key, v string) map[string]string {
	if v == "" {
		return nil
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		p.bad(key, v, "Must be a JSON object of strings.")
		return nil
	}
	m := make(map[string]string, len(raw))
	for k, x := range raw {
		m[k] = importer.CellString(x)
	}
	return m
}

func (p *importParams) boolean(key, v string) *bool {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on":
		b := true
		return &b
	case "false", "0", "no", "off":
		b := false
		return &b
	case "":
		return nil
	}
	p.bad(key, v, "Must be true or false.")
	return nil
}

// listValue reads a list sent as a JSON array or a comma list.
func listValue(v string) []string {
	if strings.HasPrefix(v, "[") {
		var xs []any
		if json.Unmarshal([]byte(v), &xs) == nil {
			out := make([]string, len(xs))
			for i, x := range xs {
				out[i] = importer.CellString(x)
			}
			return out
		}
	}
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// unescapeDelimiter accepts Copernica's "\t" written as two characters.
func unescapeDelimiter(v string) string {
	switch v {
	case `\t`, "tab", "TAB":
		return "\t"
	}
	if u, err := strconv.Unquote(`"` + v + `"`); err == nil {
		return u
	}
	return v
}

// options validates the parameters into import options.
func (p *importParams) options() intake.Options {
	o := intake.DefaultOptions()
	var err error
	if o.Mode, err = intake.ParseMode(p.Mode, intake.ModeUpsert); err != nil {
		p.bad("mode", p.Mode, intake.ErrorMessage(err))
	}
	if len(p.MatchFields) == 0 && p.Map.Declared != nil {
		// TextUs contacts are people you text: they match on phone.
		p.MatchFields = []string{intake.FieldPhone}
	}
	if o.MatchFields, err = intake.ParseMatchFields(p.MatchFields...); err != nil {
		p.bad("match_fields", strings.Join(p.MatchFields, ","), intake.ErrorMessage(err))
	}
	if o.Duplicates, err = intake.ParseDuplicates(p.Duplicates); err != nil {
		p.bad("duplicates", p.Duplicates, intake.ErrorMessage(err))
	}
	if p.IgnoreEmpty != nil {
		o.IgnoreEmptyFields = *p.IgnoreEmpty
	}
	if p.SkipOnError != nil {
		o.SkipOnError = *p.SkipOnError
	}
	switch strings.ToLower(p.Resource) {
	case "", "contacts", "contact", "clients", "client", "profiles":
		p.Resource = "contacts"
	default:
		p.bad("resource", p.Resource, fmt.Sprintf("Resource %q cannot be imported as a file yet; use contacts.", p.Resource))
	}
	switch p.Format {
	case "", "csv", "tsv", "xlsx", "json":
	default:
		p.bad("format", p.Format, "Format must be csv, tsv, xlsx or json.")
	}
	if n := len([]rune(p.Delimiter)); n > 1 {
		p.bad("delimiter", p.Delimiter, "The delimiter must be a single character.")
	}
	switch p.UploadMode {
	case "", "async", "sync":
	default:
		p.bad("upload_mode", p.UploadMode, "upload_mode must be async or sync.")
	}
	if p.Region != "" && len(p.Region) != 2 {
		p.bad("region", p.Region, "The region must be an ISO 3166-1 alpha-2 code such as NL.")
	}
	return o
}

// required lists the fields the import's columns must provide: the match
// fields always, and name for dialects whose contacts need one.
func (p *importParams) required(o intake.Options) []string {
	req := slices.Clone(o.MatchFields)
	if p.RequireName && !slices.Contains(req, intake.FieldName) {
		req = append(req, intake.FieldName)
	}
	return req
}
