package intake

import (
	"encoding/json"
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
// or several values) with the built-in registry: see Registry.ParseMatchFields.
func ParseMatchFields(values ...string) ([]string, error) {
	var builtin *Registry
	return builtin.ParseMatchFields(values...)
}

// Resources an import can write.
const (
	ResourceContacts     = "contacts"
	ResourceParticipants = "participants" // needs EventKey
	ResourceGroups       = "groups"
	// A collection's records: CollectionResource(NAME), "collection:NAME".
)

// ImportSpec is everything that says what an import does, in our native
// names (DESIGN §3): each dialect translates its own request into one, and
// the importer runs it. It is stored with an import job.
type ImportSpec struct {
	// Resource is what the rows are; "" means contacts.
	Resource          string            `json:"resource,omitempty"`
	Mode              Mode              `json:"mode"`
	MatchFields       []string          `json:"match_fields"`
	Mapping           map[string]string `json:"mapping,omitempty"` // source column → field; "" leaves a column out
	IgnoreEmptyFields bool              `json:"ignore_empty_fields"`
	Duplicates        Duplicates        `json:"duplicates"`
	SkipOnError       bool              `json:"skip_on_error"`
	// Required lists the fields the columns must provide before a job can
	// start: the match fields, plus name in the PackageX and TextUs dialects.
	Required []string `json:"required_fields,omitempty"`
	// Region is the phone region (ISO alpha-2) for numbers without a
	// country code; "" means the server's default.
	Region string `json:"region,omitempty"`

	// EventKey is the event a participants import adds to.
	EventKey string `json:"event_key,omitempty"`
	// CreateContacts lets a participants import create the contacts it
	// does not find (default true); false fails those rows.
	CreateContacts bool `json:"create_contacts"`
	// RemoveMissing deletes, after a file completes, the tenant's contacts
	// the file did not match or create (only those in RemoveMissingGroup
	// when it is set).
	RemoveMissing      bool   `json:"remove_missing,omitempty"`
	RemoveMissingGroup string `json:"remove_missing_group,omitempty"`
	// RemoveMissingSelection, when set, narrows remove_missing to the
	// members of the tenant's selection of that name (as last rebuilt):
	// "mirror this list inside that selection only".
	RemoveMissingSelection string `json:"remove_missing_selection,omitempty"`
	// DeleteTarget is what mode delete removes: DeleteProfile ("" too)
	// deletes the contacts, their child records with them;
	// DeleteSubprofile deletes only the child records the rows' child key
	// fields (Order.OrderID) match, never a contact (Copernica's deleteTarget).
	DeleteTarget string `json:"delete_target,omitempty"`
	// JoinGroup is a contact group every row of a file joins, on top of
	// its own groups column (Copernica's database: created on first use).
	JoinGroup string `json:"join_group,omitempty"`
	// Analysis is what a job in status analyzing still has to do (an
	// Analysis as JSON, kept as text so it stays out of the API's
	// schemas: it is the job's own bookkeeping); nil once it is configured.
	Analysis json.RawMessage `json:"analysis,omitempty" hidden:"true"`
	// Limits are a dialect's own maximum lengths by field name (PackageX's
	// email ≤ 127, phone ≤ 31, …), stricter than the registry's.
	Limits map[string]int `json:"limits,omitempty"`
	// InvalidFields says what a bad value in a field that is neither a
	// match field nor required does: InvalidFieldsSkipField (the design's
	// default, as HubSpot does) leaves that field unset and writes the rest
	// of the row, reported with outcome partial; InvalidFieldsSkipRow ("",
	// the strict behaviour) fails the row. skip_on_error=false is strict.
	InvalidFields string `json:"invalid_fields,omitempty"`
	// HeaderRow is the file's header row (1-based); 0 at upload means find
	// it below notes and titles. A job stores the row it used.
	HeaderRow int `json:"header_row,omitempty"`
	// RowOffset is how many lines Intake wrote above the file's own (1: a
	// header for a headerless TextUs file): row numbers subtract it, so a
	// report counts the file's own lines.
	RowOffset int `json:"row_offset,omitempty"`
	// Path is where the records are in a JSON file ("data.people"); ""
	// at upload means find them. A job stores the path it used.
	Path string `json:"path,omitempty"`
	// Recognition is what the server read in the file's columns; a job
	// keeps it with its options, the API shows it at the job's top level.
	Recognition *Recognition `json:"recognition,omitempty"`
	// Preview runs the import without writing and keeps its change set
	// (mode validate does too); the job ends previewed.
	Preview bool `json:"preview,omitempty"`
	// Followups sends the import's record events (contact.created, …) to
	// the tenant's webhooks (Copernica's followups); Rebuild rebuilds the
	// tenant's selections when the import completes (Copernica's rebuild).
	Followups bool `json:"followups,omitempty"`
	Rebuild   bool `json:"rebuild,omitempty"`
	// NameIdentity says a contact's name identifies it too (PackageX, whose
	// contacts require a name and may lack an email): a row without a match
	// value is matched on its name, and rows sharing a name are in-file
	// duplicates as rows sharing a match value are.
	NameIdentity bool `json:"name_identity,omitempty"`
	// DiscardUpload deletes the uploaded file when the job ends, whether it
	// ran in the request or on the queue (PackageX's save_upload false);
	// the finished job says so in its warnings.
	DiscardUpload bool `json:"discard_upload,omitempty"`
	// JoinLocation is a location every imported contact gets, on top of its
	// own locations column (PackageX's location_id, resolved to its name).
	JoinLocation string `json:"join_location,omitempty"`
}

// Previews reports whether the spec only previews its changes.
func (s *ImportSpec) Previews() bool { return s.Preview || s.Mode == ModeValidate }

// InvalidFields values.
const (
	InvalidFieldsSkipField = "skip_field"
	InvalidFieldsSkipRow   = "skip_row"
)

// DefaultSpec returns the design's defaults: contacts, upsert on email, keep
// stored values for empty cells, the last of in-file duplicates wins, bad
// rows skipped.
func DefaultSpec() ImportSpec {
	return ImportSpec{
		Resource:          ResourceContacts,
		Mode:              ModeUpsert,
		MatchFields:       []string{FieldEmail},
		IgnoreEmptyFields: true,
		Duplicates:        DuplicatesUseLast,
		SkipOnError:       true,
		CreateContacts:    true,
		InvalidFields:     InvalidFieldsSkipField,
	}
}

// RowError is why one row or record was not written, or was written only in
// part: where it is, which field and column, a stable Code and a sentence a
// person understands. It is the only row-level error type: readers, the
// importer, the stores and every dialect's response use it.
type RowError struct {
	// Row is the row number in the file (the header is row 1), or the
	// 0-based index of a record in a request.
	Row     int     `json:"row"`
	Column  string  `json:"column,omitempty"` // the column as the file names it
	Field   string  `json:"field,omitempty"`  // the Intake field at fault, if one is
	Value   string  `json:"value,omitempty"`
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Outcome Outcome `json:"outcome,omitempty"`
	// Values are the row's original cells, for errors.csv.
	Values []string `json:"-"`
	// ContactID is the contact a line that is no row of the file is
	// about: a contact remove_missing removed (Row then only orders the
	// report, after the file's last row). 0 otherwise.
	ContactID int64 `json:"contact_id,omitempty"`
}

// FormulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (OWASP's CSV injection list): errors.csv puts a ' before
// such a cell, and the importer strips it again from an uploaded report.
const FormulaStarts = "=+-@\t\r"

// Error returns the message, so a reader can hand a RowError on as an error.
func (e *RowError) Error() string { return e.Message }

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
	CodeAmbiguousMatch  = "ambiguous_match"
	CodeRemoved         = "removed"
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
	// OutcomePartial marks, in an error report, a row that was written
	// without the fields whose values were invalid.
	OutcomePartial Outcome = "partial"
	// OutcomeRemoved is a stored contact the file did not contain, deleted
	// by remove_missing (or, validating, that would be). It is not a row of
	// the file: it is counted in deleted, not in the processed rows.
	OutcomeRemoved Outcome = "removed"
)

// ColumnMapping is what a caller said about a file's columns, reduced by
// its dialect to the two forms there are.
type ColumnMapping struct {
	// ByHeader maps a column header to a field; "" or "ignore" leaves the
	// column out. Ours and Plannr's mapping; PackageX's column_mapping
	// (field → header) is turned around into this.
	ByHeader map[string]string
	// ByPosition names the field of each column, in order (TextUs's headers).
	ByPosition []string
}

// Explicit reports whether the caller said anything about the columns.
func (m ColumnMapping) Explicit() bool { return len(m.ByHeader) > 0 || m.ByPosition != nil }

// ImportRequest is an import as a dialect translated it from a request:
// the spec, what the caller said about the columns, how to read the file
// and when to run. The import service turns it into a job.
type ImportRequest struct {
	Spec    ImportSpec
	Columns ColumnMapping
	// Remap is set when the request says something about the columns or
	// how to read them, so the mapping is resolved again (PATCH).
	Remap     bool
	Name      string
	Autostart bool // false leaves the job awaiting its mapping
	// MappingStep is set by a dialect whose jobs can wait for a person
	// (native, Plannr): a column below the confidence threshold makes the
	// job wait in awaiting_mapping instead of leaving the column out.
	MappingStep bool
	// Unattended is set for a route whose client has no way to map or
	// start a job (Copernica, PackageX, TextUs): a required field no
	// column maps to then refuses the request, or fails a job analysed
	// later, instead of leaving it awaiting a mapping nobody will give.
	// (autostart=false still waits: the client asked for it.)
	Unattended bool
	// MappingName names a saved mapping the columns are mapped by (the
	// request's own mapping wins where both name a header).
	MappingName string
	// Learned, set by the import service, are the headers mapped by a
	// saved or remembered mapping, with that reason, and LearnedFrom
	// where it came from.
	Learned     map[string]string
	LearnedFrom *MappingSource
	Sync        bool // queue the job and answer when it has ended
	Format      string
	Delimiter   string
	Encoding    string
	Sheet       string
	// Warnings are the dialect's words about options it accepted but does
	// not honour; the job carries them.
	Warnings []string
}
