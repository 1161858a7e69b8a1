package dialect

import "github.com/intake/intake"

// Request is a create request as every file dialect receives it: the
// options as sent, whether a file came with them, and the tenant's fields
// (read once per request by the service that calls the translation).
type Request struct {
	Params Params
	// HasFile says whether the request carried a file (or data, source or
	// location standing for one).
	HasFile bool
	// FileProblem is what was wrong with the file, found while receiving
	// it, for a dialect that answers it only after its options (TextUs
	// checks headers first); nil when the file was fine or absent.
	FileProblem error
	// Registry is the tenant's fields.
	Registry *intake.Registry
}

// Translation is a translated create request: the import, and what the
// create path must do besides.
type Translation struct {
	intake.ImportRequest
	// Warnings are the translation's own notes for the answer.
	Warnings []string
	// Hold keeps the options until the file arrives by a later upload
	// (PackageX's upload_mode async): no job is made yet.
	Hold bool
	// DiscardWhenDone deletes the file once a sync job has ended
	// (PackageX's save_upload false).
	DiscardWhenDone bool
	// LocationID is a location every imported contact gets (PackageX's
	// location_id); the service resolves it among the tenant's locations
	// into Spec.JoinLocation, or refuses it (EINVALID). 0 is none.
	LocationID int64
	// HeaderRow, when set, says whether a file's first row is its header
	// row; a file whose first row is not gets Columns.ByPosition written
	// above it, so no row is taken for a header and lost (TextUs).
	HeaderRow func(first []string) bool
}

// Translate is the one signature of a file dialect's translation: a
// request in its names → an import. Errors: EINVALID with a field error
// per bad option, or the dialect's own error value, which its encoder
// renders.
type Translate func(Request) (Translation, error)
