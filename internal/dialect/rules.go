package dialect

import (
	"slices"
	"strings"

	"github.com/intake/intake"
)

// Rules are what sets one dialect apart from another before any of its
// options are read: its defaults, its limits, the fields it requires and
// how strict it is. They are data, written once per dialect, so the option
// parsing every file dialect shares (native.Translate) never guesses a
// dialect's rules from which keys a request happens to carry.
type Rules struct {
	// Name names the dialect in messages.
	Name string
	// Formats are the file formats it takes; nil is every format Intake
	// reads (Formats).
	Formats []string
	// Mode is its default mode; "" is upsert.
	Mode intake.Mode
	// MatchFields are its default match fields; nil is the spec's (email).
	MatchFields []string
	// Duplicates is its default duplicate handling; "" is the spec's.
	Duplicates intake.Duplicates
	// Limits are its maximum lengths by field, stricter than the registry's.
	Limits map[string]int
	// Required are fields every row must map besides the match fields
	// (PackageX and TextUs contacts need a name).
	Required []string
	// InvalidFields is its strictness: InvalidFieldsSkipRow fails a row
	// with a bad value whole (the seeds' clients count failed rows); ""
	// keeps the design's skip_field.
	InvalidFields string
	// Region is its phone region for numbers without a country code.
	Region string
	// WaitForMapping makes every import wait for its mapping (Plannr's
	// two-step start), whatever autostart says.
	WaitForMapping bool
	// NameIdentity says its contacts are identified by their name when
	// they have no email (PackageX: name required, email optional).
	NameIdentity bool
}

// Formats are the file formats Intake reads, the one allow-list every
// dialect narrows.
var Formats = []string{"csv", "tsv", "xlsx", "json", "vcard"}

// Spec is the spec a request of these rules starts from, before its options.
func (r Rules) Spec() intake.ImportSpec {
	spec := intake.DefaultSpec()
	if r.Mode != "" {
		spec.Mode = r.Mode
	}
	if r.MatchFields != nil {
		spec.MatchFields = slices.Clone(r.MatchFields)
	}
	if r.Duplicates != "" {
		spec.Duplicates = r.Duplicates
	}
	if r.InvalidFields != "" {
		spec.InvalidFields = r.InvalidFields
	}
	spec.Limits, spec.Region, spec.NameIdentity = r.Limits, r.Region, r.NameIdentity
	return spec
}

// Format checks a format option against the rules' allow-list and returns
// it lower-cased; "" (detect it) is always allowed.
func (e *Errors) Format(r Rules, key, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	allowed := r.Formats
	if allowed == nil {
		allowed = Formats
	}
	if v != "" && !slices.Contains(allowed, v) {
		e.Add(key, v, "format must be "+orList(allowed)+".")
	}
	return v
}

// Delim checks a delimiter option (see Delimiter): one character.
func (e *Errors) Delim(key, v string) string {
	d := Delimiter(v)
	if len([]rune(d)) > 1 {
		e.Add(key, d, "The delimiter must be a single character such as \"\\t\", \",\" or \";\".")
	}
	return d
}

// orList renders a, b or c.
func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}
