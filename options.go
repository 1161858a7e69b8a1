package intake

import (
	"slices"
	"strings"
)

// Mode says what an import does with a record whose match key exists or does not.
type Mode string

// Modes. Their decisions live in one table: importer.Decide.
const (
	ModeCreate      Mode = "create"
	ModeUpdate      Mode = "update"
	ModeUpsert      Mode = "upsert"
	ModeIgnoreOrAdd Mode = "ignore_or_add"
	ModeDelete      Mode = "delete"
	ModeValidate    Mode = "validate"
)

// Modes lists the native modes.
var Modes = []Mode{ModeCreate, ModeUpdate, ModeUpsert, ModeIgnoreOrAdd, ModeDelete, ModeValidate}

// modeAliases are the vendor dialects' names for our modes (DESIGN §3):
// Plannr store/update/validate, Copernica add/update/"update or add"/
// "ignore or add"/delete, PackageX merge/delete.
var modeAliases = map[string]Mode{
	"store": ModeCreate, "add": ModeCreate, "insert": ModeCreate,
	"update or add": ModeUpsert, "merge": ModeUpsert, "update_or_add": ModeUpsert,
	"ignore or add": ModeIgnoreOrAdd, "ignore_or_add": ModeIgnoreOrAdd,
}

// ParseMode resolves a mode or one of its aliases, case-insensitively.
// "" gives def. An unknown value is an EINVALID error listing the choices.
func ParseMode(s string, def Mode) (Mode, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return def, nil
	}
	if m := Mode(v); slices.Contains(Modes, m) {
		return m, nil
	}
	if m, ok := modeAliases[v]; ok {
		return m, nil
	}
	return "", Errorf(EINVALID, "Unknown mode %q: use one of create, update, upsert, ignore_or_add, delete, validate (or store, add, merge, \"update or add\", \"ignore or add\").", s)
}

// Duplicates says what happens to rows of one file that share a match key.
type Duplicates string

// Duplicate policies.
const (
	DuplicatesUseFirst  Duplicates = "use_first"  // the first row wins; later ones are skipped
	DuplicatesUseLast   Duplicates = "use_last"   // the last row wins; earlier ones are skipped
	DuplicatesIgnoreAll Duplicates = "ignore_all" // every row of a repeated key is skipped
	DuplicatesError     Duplicates = "error"      // the first row wins; later ones fail
)

// ParseDuplicates resolves a duplicate policy; "" gives DuplicatesUseLast.
func ParseDuplicates(s string) (Duplicates, error) {
	switch d := Duplicates(strings.ToLower(strings.TrimSpace(s))); d {
	case "":
		return DuplicatesUseLast, nil
	case DuplicatesUseFirst, DuplicatesUseLast, DuplicatesIgnoreAll, DuplicatesError:
		return d, nil
	}
	return "", Errorf(EINVALID, "Unknown duplicate handling %q: use one of use_first, use_last, ignore_all, error.", s)
}

// ParseMatchFields resolves a match field list ("email", "email,customer_number"
// or several values). Empty gives ["email"]. Allowed: email, customer_number,
// name, phone and custom.NAME.
func ParseMatchFields(values ...string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			// Field names fold case; a custom field's own name keeps it,
			// as it does in mappings (custom.MemberID).
			if name, ok := strings.CutPrefix(strings.ToLower(f), CustomPrefix); ok && name != "" {
				f = CustomPrefix + f[len(CustomPrefix):]
			} else {
				f = strings.ToLower(f)
			}
			switch {
			case f == "":
				continue
			case f == FieldEmail, f == FieldCustomerNumber, f == FieldName, f == FieldPhone:
			case strings.HasPrefix(f, CustomPrefix) && len(f) > len(CustomPrefix):
			case f == "phone_number":
				f = FieldPhone
			default:
				return nil, Errorf(EINVALID, "Unknown match field %q: use email, customer_number, name, phone or custom.FIELD.", v)
			}
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	if len(out) == 0 {
		out = []string{FieldEmail}
	}
	return out, nil
}

// Options are an import's settings, in our native names (DESIGN §3). Each
// dialect translates its own names into these.
type Options struct {
	Mode              Mode              `json:"mode"`
	MatchFields       []string          `json:"match_fields"`
	Mapping           map[string]string `json:"mapping,omitempty"` // source column → field
	IgnoreEmptyFields bool              `json:"ignore_empty_fields"`
	Duplicates        Duplicates        `json:"duplicates"`
	SkipOnError       bool              `json:"skip_on_error"`
	// Required lists the fields the columns must provide before a job can
	// start: the match fields, plus name in the PackageX and TextUs dialects.
	Required []string `json:"required_fields,omitempty"`
}

// DefaultOptions returns the design's defaults: upsert on email, keep stored
// values for empty cells, the last of in-file duplicates wins, bad rows skipped.
func DefaultOptions() Options {
	return Options{
		Mode:              ModeUpsert,
		MatchFields:       []string{FieldEmail},
		IgnoreEmptyFields: true,
		Duplicates:        DuplicatesUseLast,
		SkipOnError:       true,
	}
}

// RowError is why one record was not written: where it is, what is wrong
// (a stable Code) and a sentence a person understands.
type RowError struct {
	Index   int    `json:"index"`           // 0-based record index (API) or row number in the file (header = 1)
	Field   string `json:"field,omitempty"` // the field or column at fault, if one is
	Value   string `json:"value,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Row error codes.
const (
	CodeInvalidEmail    = "invalid_email"
	CodeInvalidPhone    = "invalid_phone"
	CodeInvalidCountry  = "invalid_country"
	CodeMissingIdentity = "missing_identity"
	CodeMissingMatchKey = "missing_match_key"
	CodeAlreadyExists   = "already_exists"
	CodeNotFound        = "not_found"
	CodeDuplicateInFile = "duplicate_in_file"
	CodeValueTaken      = "value_taken"
	CodeTooLong         = "too_long"
	CodeInvalidValue    = "invalid_value"
	CodeUnchanged       = "unchanged"
	CodeRowUnreadable   = "unreadable_row"
	CodeNotWrittenBatch = "not_written"
)

// Outcome is what happened to one record.
type Outcome string

// Outcomes. A validate run reports the outcome that would have happened.
const (
	OutcomeCreated Outcome = "created"
	OutcomeUpdated Outcome = "updated"
	OutcomeDeleted Outcome = "deleted"
	OutcomeSkipped Outcome = "skipped"
	OutcomeFailed  Outcome = "failed"
)
