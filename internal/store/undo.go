package store

import (
	"context"
	"encoding/json"
	"time"
)

// Undo kinds: what an undo row is a row of.
const (
	UndoContact     = "contact"
	UndoParticipant = "participant"
	UndoRecord      = "record"
	UndoGroup       = "group"
	UndoCollection  = "collection"
	UndoField       = "field"
	UndoLocation    = "location"
)

// UndoTable describes how one kind's rows are imaged and restored: the
// columns an image holds (id and tenant_id aside), which of them hold JSON,
// and the memberships kept in the image as id lists. Both stores build
// their SQL from these, so an image has the same keys on both.
type UndoTable struct {
	Kind, Table string
	Columns     []string
	JSON        []string
	Sets        []UndoSet
	// Created and Restored are the undo phases of a row the import created
	// (removed) and of one it changed or deleted (restored); lower first.
	Created, Restored int
	// Shared kinds (groups, locations, collections, fields) the import
	// created are removed when they are as it left them or nothing uses
	// them any more; changed ones are not reported.
	Shared bool
}

// UndoSet is a membership list in an image: the Other ids of Table's rows
// whose Own column is the row's id; Others is the table Other points to.
type UndoSet struct{ Key, Table, Own, Other, Others string }

// UndoTables are the recorded kinds, in undo order of their restoring.
var UndoTables = []UndoTable{
	{Kind: UndoContact, Table: "contacts", Columns: []string{"email", "customer_number", "external_id", "first_name", "last_name", "name",
		"phone", "company", "address", "city", "state", "postal_code", "country", "notes", "tags", "custom", "alternates",
		"alternate_names", "is_primary", "created_at", "updated_at"},
		JSON: []string{"tags", "custom", "alternates", "alternate_names"},
		Sets: []UndoSet{{"groups", "contact_groups", "contact_id", "group_id", "groups"},
			{"locations", "contact_locations", "contact_id", "location_id", "locations"}},
		Created: 30, Restored: 40},
	{Kind: UndoGroup, Table: "groups", Columns: []string{"name", "resource", "location_id", "created_at", "updated_at"},
		Sets: []UndoSet{{"members", "contact_groups", "group_id", "contact_id", "contacts"},
			{"location_members", "group_locations", "group_id", "location_id", "locations"}},
		Created: 90, Restored: 50, Shared: true},
	{Kind: UndoCollection, Table: "collections", Columns: []string{"name", "fields", "key_fields", "belongs_to_contact", "created_at", "updated_at"},
		JSON: []string{"fields", "key_fields"}, Created: 92, Restored: 60, Shared: true},
	{Kind: UndoParticipant, Table: "participants", Columns: []string{"event_id", "contact_id", "status", "custom", "created_at", "updated_at"},
		JSON: []string{"custom"}, Created: 20, Restored: 70},
	{Kind: UndoRecord, Table: "collection_records", Columns: []string{"collection_id", "contact_id", "record_key", "data", "created_at", "updated_at"},
		JSON: []string{"data"}, Created: 10, Restored: 80},
	{Kind: UndoLocation, Table: "locations", Columns: []string{"name", "created_at"}, Created: 91, Restored: 91, Shared: true},
	{Kind: UndoField, Table: "custom_fields", Columns: []string{"name", "label", "type", "required", "is_unique", "options", "created_at", "updated_at"},
		JSON: []string{"options"}, Created: 93, Restored: 93, Shared: true},
}

// UndoTableOf returns the description of kind.
func UndoTableOf(kind string) (UndoTable, bool) {
	for _, t := range UndoTables {
		if t.Kind == kind {
			return t, true
		}
	}
	return UndoTable{}, false
}

// UndoMarks are the highest row ids of the recorded tables before a chunk
// writes: rows of the tenant above them after it are the chunk's creations
// (the chunk holds the tenant's write lock).
type UndoMarks map[string]int64

// UndoRow is one recorded row: its images before the import (nil: created)
// and after its last chunk (nil: deleted), as JSON objects.
type UndoRow struct {
	ID     int64 // the undo row's own id
	Seq    int
	Kind   string
	RowID  int64
	Phase  int
	Before json.RawMessage
	After  json.RawMessage
}

// Recorder is the part of a Tx that records what an import changes, in the
// import's transaction and set-based: a few statements per chunk whatever
// its size.
type Recorder interface {
	// UndoMarks reads the marks before a chunk writes.
	UndoMarks(ctx context.Context) (UndoMarks, error)
	// RecordBefore keeps the current images of rows ids of kind, about to
	// change or go, under import importID's chunk seq. A row recorded
	// before keeps its first image (and moves to chunk seq).
	// by is the column ids are of: "id", or "contact_id" for the rows
	// deleting a contact takes with it. Rows above upTo (the kind's mark)
	// are the chunk's own creations, recorded as created instead.
	RecordBefore(ctx context.Context, importID int64, seq int, kind, by string, ids []int64, upTo int64) error
	// RecordAfter stores the after image of the rows the chunk recorded
	// before it wrote (touched: kind → ids), then records the tenant's rows
	// created since marks with theirs.
	RecordAfter(ctx context.Context, importID int64, seq int, marks UndoMarks, touched map[string][]int64) error
	// ChunkRows returns the rows recorded under chunk seq.
	ChunkRows(ctx context.Context, importID int64, seq int) ([]UndoRow, error)
	// SaveChanges stores change-set rows of an import.
	SaveChanges(ctx context.Context, importID int64, cs []Change) error
	// PreviewChanges returns the stored change-set rows of an import for
	// rows from..to (inclusive).
	PreviewChanges(ctx context.Context, importID int64, from, to int) ([]Change, error)
	// ClearReport drops an import's row errors: a started preview's run
	// reports its rows again.
	ClearReport(ctx context.Context, importID int64) error
}

// Undoer is the part of a Tx an undo job runs through.
type Undoer interface {
	// NextUndoRows returns up to limit rows of import importID not undone
	// yet, in phase and id order.
	NextUndoRows(ctx context.Context, importID int64, limit int) ([]UndoRow, error)
	// CurrentImages returns the current images of rows ids of kind (a row
	// that does not exist is absent).
	CurrentImages(ctx context.Context, kind string, ids []int64) (map[int64]json.RawMessage, error)
	// Restore writes the before images of the undo rows ids (all of one
	// kind): an existing row is overwritten, a missing one inserted with
	// its id; memberships become the image's.
	Restore(ctx context.Context, kind string, ids []int64) error
	// RemoveCreated deletes the rows the undo rows ids (all of one kind)
	// name; with ifUnused, a shared kind's row only when nothing uses it.
	// It returns how many it removed.
	RemoveCreated(ctx context.Context, kind string, ids []int64, ifUnused bool) (int64, error)
	// UndoSize counts import importID's undo rows.
	UndoSize(ctx context.Context, importID int64) (int, error)
	// MarkUndone marks undo rows done, so a resumed undo goes on after them.
	MarkUndone(ctx context.Context, ids []int64) error
}

// Change is one row of a change set.
type Change struct {
	// Row is the row in the file (a preview's); a finished import's
	// changes, read off its undo records, name their record by Kind and
	// RecordID instead.
	Row      int           `json:"row,omitempty"`
	Kind     string        `json:"kind,omitempty"`
	Outcome  string        `json:"outcome"`
	RecordID int64         `json:"record_id,omitempty"`
	Changes  []FieldChange `json:"changes"`
	// ID is the stored row's id, the list's cursor.
	ID int64 `json:"-"`
}

// MarshalJSON writes a preview's row always (a bulk call's first record is
// row 0) and leaves it out of a finished import's entries, which name
// their record by Kind and RecordID instead.
func (c Change) MarshalJSON() ([]byte, error) {
	type change Change
	if c.Kind != "" {
		return json.Marshal(change(c))
	}
	return json.Marshal(struct {
		change
		Row int `json:"row"`
	}{change(c), c.Row})
}

// FieldChange is one field's value before and after.
type FieldChange struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// ChangeFilter narrows ListChanges. Zero values mean "any".
type ChangeFilter struct {
	After   int64 // the cursor: rows with a greater id
	Limit   int
	Outcome string
	Field   string // rows that change this field
}

// ChangeSummary counts a change set per outcome and per changed field.
type ChangeSummary struct {
	Outcomes map[string]int
	Fields   map[string]FieldCount
}

// FieldCount counts the updates of one field: to a value, and to empty.
type FieldCount struct {
	Changed int `json:"changed"`
	Cleared int `json:"cleared"`
}

// ChangeReader reads the change sets previews stored, tenant-scoped, and
// sweeps undo data past its window.
type ChangeReader interface {
	// ListChanges returns up to f.Limit change rows of the tenant's import.
	ListChanges(ctx context.Context, tenantID, importID int64, f ChangeFilter) ([]Change, error)
	// ChangeSummary counts the tenant's import's change set.
	ChangeSummary(ctx context.Context, tenantID, importID int64) (ChangeSummary, error)
	// UndoRows returns up to limit undo rows of the tenant's import with
	// ids above after, in id order: what a finished import changed.
	UndoRows(ctx context.Context, tenantID, importID, after int64, limit int) ([]UndoRow, error)
	// SweepUndo deletes the undo rows of imports that ended more than their
	// tenant's undo window ago (def days when the tenant sets none), and
	// returns how many it deleted.
	SweepUndo(ctx context.Context, now time.Time, def int) (int64, error)
}
