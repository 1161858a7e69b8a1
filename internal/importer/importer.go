// Package importer is Intake's import engine: the one pipeline every import
// runs through, whatever its entry point (a bulk request, a file job, a
// dialect). Run reads records, normalises them through a Resource, applies
// the in-file duplicate policy, decides per mode what happens to each record
// and writes set-based per chunk through a store.Tx, handing each chunk's
// outcomes to a Sink in the same transaction.
//
// It knows no HTTP, no SQL and no file format: callers hand it records
// (field → value) and get outcomes back. What a resource's records are and
// how they are looked up and written is the Resource's business. The
// contact API writes one contact through the same normaliser, merge and
// unique index (Engine.SaveContact), so there is one validation path.
package importer

import (
	"context"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// DefaultRegion is the phone region of numbers without a country code when
// neither the spec nor the engine names one.
const DefaultRegion = "NL"

// DefaultChunkSize is how many records one transaction carries. Measured with
// BenchmarkJobChunk: beyond ~2000 rows a chunk gains under 5 % on either
// store while progress and cancel get coarser and a resumed job redoes more.
const DefaultChunkSize = 2000

// Store is what the engine needs of a store: write transactions under
// the tenant's lock, and what shapes a tenant's field registry (custom
// fields, collections, settings). Every store.Store is one.
type Store interface {
	store.Writer
	store.FieldReader
	// ListCollections returns the tenant's collections, by name.
	ListCollections(ctx context.Context, tenantID int64) ([]intake.Collection, error)
	// Settings returns tenantID's settings (zero values when never set).
	Settings(ctx context.Context, tenantID int64) (intake.Settings, error)
}

// Engine runs imports against a store.
type Engine struct {
	Store Store
	// Region is the default phone region (ISO alpha-2) for numbers written
	// without a country code, when the spec names none. Default "NL".
	Region string
	// ChunkSize is the records per transaction; default DefaultChunkSize.
	ChunkSize int
}

// Record is one input record: Intake field names (email, first_name,
// custom.member_id, alternate_phones_work, …) to raw values. A field that is
// present with an empty value means "this column was in the file and empty";
// an absent field means "the file says nothing about it".
type Record struct {
	// Row is the row number in the file (header = 1) or the 0-based index
	// of a record in a request.
	Row    int
	Fields map[string]string
	// Values are the original cells, for the error report (nil for requests).
	Values []string
	// Err is set when the reader could not read the row; Fields is then empty.
	Err *intake.RowError
}

// Item is a record on its way through the pipeline, and then its outcome.
type Item struct {
	Row    int
	Fields map[string]string // the record's fields, for merging
	Values []string          // the original cells
	// Key is the composite match key; "" when a match value is missing.
	Key     string
	Outcome intake.Outcome // "" until decided
	// Errs says why the record was skipped or failed: every validation
	// error of a failed record, the first being the reason shown.
	Errs []intake.RowError
	// Partial are the field errors of a record written without those
	// fields (spec.InvalidFields skip_field); reported with outcome partial.
	Partial []intake.RowError
	// ID is the stored record's id once the record is matched or written.
	ID int64
	// Data is the resource's normalised record (*intake.Contact for contacts
	// and participants: a participant row's contact).
	Data any
	// ContactCreated is set when a participant row created its contact.
	ContactCreated bool
	// Changes are the record's fields before → after, read off the
	// chunk's undo images, when the run sends record events
	// (spec.Followups): what contact.updated carries (record.go).
	Changes []store.FieldChange

	// children are the child records a contact row carries (dotted
	// columns, Order.OrderID), and ownKey the contact's own match key
	// when Key also holds the children's keys (see family).
	children []childRow
	ownKey   string
}

// Failed reports whether the item has been rejected.
func (it *Item) Failed() bool { return it.Outcome == intake.OutcomeFailed }

// Err is the reason the item was skipped or failed, or nil.
func (it *Item) Err() *intake.RowError {
	if len(it.Errs) == 0 {
		return nil
	}
	return &it.Errs[0]
}

// set decides the item with a reason.
func (it *Item) set(outcome intake.Outcome, errs ...intake.RowError) {
	for i := range errs {
		errs[i].Row = it.Row
	}
	it.Outcome, it.Errs = outcome, errs
}

// Counts says what an import did (or, in validate mode, would do).
type Counts struct {
	Rows    int // records processed
	Created int
	Updated int
	Deleted int
	Skipped int
	Failed  int
	// Partial counts the created or updated records written without some
	// invalid fields (they are in Created or Updated too).
	Partial int
	// ContactsCreated counts the contacts participant rows created; the
	// other counts are of participants then.
	ContactsCreated int
}

// add counts the outcomes of items.
func (c *Counts) add(items []*Item) {
	for _, it := range items {
		if it.Outcome != intake.OutcomeRemoved {
			c.Rows++
		}
		if it.ContactCreated {
			c.ContactsCreated++
		}
		switch it.Outcome {
		case intake.OutcomeCreated, intake.OutcomeUpdated:
			if it.Outcome == intake.OutcomeCreated {
				c.Created++
			} else {
				c.Updated++
			}
			if len(it.Partial) > 0 {
				c.Partial++
			}
		case intake.OutcomeDeleted, intake.OutcomeRemoved:
			c.Deleted++
		case intake.OutcomeSkipped:
			c.Skipped++
		case intake.OutcomeFailed:
			c.Failed++
		}
	}
}

// Result is the end of a Run.
type Result struct {
	Counts
	// Warnings say what the run chose not to do (remove_missing skipped).
	Warnings []string
	// Total is the number of records in the input.
	Total int
	// Rejected is set when skip_on_error is false and a record failed:
	// nothing was written, and every record was reported as failed or
	// not written.
	Rejected bool
}

// Chunk is one transaction's worth of decided items, handed to the Sink.
type Chunk struct {
	Items []*Item
	// From is how many records earlier chunks (and attempts) committed.
	From int
	// Counts are cumulative: every record up to and including this chunk.
	Counts Counts
	// Total is the number of records in the input.
	Total int
}

// Sink receives the outcomes of each chunk inside the chunk's write
// transaction, after its writes: a file job stores its checkpoint and error
// report there, so both commit with the rows or not at all. An error rolls
// the chunk back and ends the Run with that error.
type Sink interface {
	Commit(ctx context.Context, tx store.Tx, c Chunk) error
}

// Input is the records of one import. Run reads it twice: once to count it
// and find in-file duplicates, once to import it.
type Input interface {
	// Open returns a cursor at the first record.
	Open(ctx context.Context) (Cursor, error)
}

// Cursor reads records in order.
type Cursor interface {
	// Next returns the next record, or io.EOF after the last. Another error
	// stops the import (an unusable file, a broken connection).
	Next() (Record, error)
	Close() error
}

// Options tune one Run.
type Options struct {
	// Resume is what earlier attempts committed: Run skips Resume.Rows
	// records and counts on from these counts.
	Resume Counts
	// Noun names a record in messages: "row" (default) or "record".
	Noun string
	// Registry is the tenant's fields when the caller has read them
	// already (to translate the request); nil: Run reads them.
	Registry *intake.Registry
	// ImportID is the job a file import runs for: remove_missing keeps
	// what the job has seen under it. 0 for a bulk request.
	ImportID int64
	// Committed, when set, is called after each chunk has committed
	// (progress reporting; tests stop a run there).
	Committed func(Chunk)
	// Stop, when closed, ends the run after the chunk in flight commits
	// (or during the duplicate scan), with ErrStopped: a graceful
	// shutdown. The job resumes from that checkpoint later.
	Stop <-chan struct{}
	// Scans, when set, keeps what the duplicate scan learned, so a resumed
	// run does not scan the whole input again (see scan.go).
	Scans ScanStore
	// Previewed says the job previewed these records before: each chunk is
	// compared with the stored change set (record.go).
	Previewed bool
}

// Clean makes a value storable in both databases: NUL characters, which
// PostgreSQL text and jsonb refuse (a whole batch would fail on one), are
// dropped, and invalid UTF-8 becomes U+FFFD. It also undoes the escape
// errors.csv puts before a cell a spreadsheet would run as a formula
// ('=…, '+…, '-…, '@…), so a fixed report re-imports with the value the
// original file had.
func Clean(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.IndexByte(intake.FormulaStarts, v[1]) >= 0 {
		v = v[1:]
	}
	if strings.IndexByte(v, 0) >= 0 {
		v = strings.ReplaceAll(v, "\x00", "")
	}
	return strings.ToValidUTF8(v, "\uFFFD")
}

// clean cleans every value of rec in place: the duplicate scan, the match
// key and the stored values all see the same text.
func clean(rec *Record) {
	for k, v := range rec.Fields {
		rec.Fields[k] = Clean(v)
	}
}

func joinFields(fields []string) string {
	labels := make([]string, len(fields))
	for i, f := range fields {
		labels[i] = label(f)
	}
	return strings.Join(labels, " + ")
}

// label is a field as messages name it: "customer number"; a custom field
// keeps its name (custom.member_id), which is how mappings write it.
func label(field string) string {
	if strings.HasPrefix(field, intake.CustomPrefix) {
		return field
	}
	return strings.ReplaceAll(field, "_", " ")
}
