// Package store is the contract between the import engine and a database:
// the Store and Tx interfaces and the types they exchange. It holds no SQL;
// internal/sqlite and internal/postgres implement it (their shared SQL is in
// internal/sqlstore), and storetest is the one suite both must pass.
package store

import (
	"context"
	"time"

	"github.com/intake/intake"
)

// ContactUniqueFields are the contact fields whose non-empty values are
// unique within a tenant. InsertContacts and UpdateContacts return an
// ECONFLICT *intake.Error when another contact of the same tenant already
// holds one of these values (an empty value is never a conflict), and leave
// the transaction for the caller to roll back or to undo with a Savepoint.
// The importer relies on it: its optimistic path inserts a chunk of keys it
// has not looked up and falls back to looking them up on ECONFLICT, so a
// store must enforce these keys itself (a unique index), not leave it to the
// caller.
var ContactUniqueFields = []string{intake.FieldEmail, intake.FieldCustomerNumber, intake.FieldExternalID}

// Store is a tenant-scoped persistence layer: every part below, for
// wiring (cmd/intake, the shared suite). Every method that takes a
// tenantID reads or writes that tenant's rows only. A consumer declares
// the small interface it uses, in its own package (importer.Store,
// directory.Store, imports.Store, webhook and selection take Webhooks and
// Selections): it says what the consumer touches and is easy to stand in
// for.
type Store interface {
	Tenants
	ContactReader
	// GroupReader reads groups and locations (groups.go).
	GroupReader
	Writer
	JobStore
	// Events are the tenant's events and participants (events.go).
	Events
	// BulkImports record synchronous bulk imports (bulk.go).
	BulkImports
	FieldReader
	// CollectionReader reads collections and records (collections.go).
	CollectionReader
	// Ops: key management, heartbeats, idempotency keys, readiness (ops.go).
	Ops
	// Settings are the tenant's defaults (settings.go).
	Settings
	// Webhooks and Selections are what follows an import (webhooks.go).
	Webhooks
	Selections

	// Close releases the database.
	Close() error
}

// Tenants creates tenants and keys and authenticates requests (the CLI's
// keys command, HTTP's authentication).
type Tenants interface {
	// EnsureTenant returns the tenant with slug, creating it if needed.
	EnsureTenant(ctx context.Context, slug string) (intake.Tenant, error)
	// CreateAPIKey stores a key by its hash with its scopes.
	CreateAPIKey(ctx context.Context, tenantID int64, hash string, scopes []string) error
	// Authenticate returns the principal of the key whose hash is given,
	// or an EUNAUTHORIZED error.
	Authenticate(ctx context.Context, hash string) (intake.Principal, error)
}

// ContactReader reads a tenant's contacts outside an import.
type ContactReader interface {
	// GetContact returns one contact; ENOTFOUND if it is not the tenant's.
	GetContact(ctx context.Context, tenantID, id int64) (intake.Contact, error)
	// ListContacts returns up to f.Limit contacts with id > f.After in id order.
	ListContacts(ctx context.Context, tenantID int64, f ContactFilter) ([]intake.Contact, error)
}

// Writer runs a tenant's write transactions (the import pipeline, and the
// CRUD writes of contacts, groups, locations and collections).
type Writer interface {
	// Write runs fn in one transaction that holds the tenant's write lock, so
	// two imports into one tenant never both decide "absent" for one key.
	// fn's error rolls everything back and is returned.
	Write(ctx context.Context, tenantID int64, fn func(Tx) error) error
}

// FieldReader reads a tenant's custom field definitions.
type FieldReader interface {
	// ListFields returns the tenant's custom field definitions, by name.
	ListFields(ctx context.Context, tenantID int64) ([]intake.CustomField, error)
}

// JobStore keeps import jobs: their bookkeeping transactions, reads, and
// the retention sweep (internal/imports).
type JobStore interface {
	// Jobs runs fn in one transaction scoped to tenantID for import-job
	// bookkeeping. Unlike Write it does not take the tenant's write lock, so
	// on PostgreSQL creating or starting a job never waits for an import
	// that holds it (SQLite has one writer: there every write transaction,
	// this one too, waits for the one in progress). fn's error rolls back
	// and is returned.
	Jobs(ctx context.Context, tenantID int64, fn func(JobTx) error) error
	// GetImport returns one import job; ENOTFOUND if it is not the tenant's.
	GetImport(ctx context.Context, tenantID, id int64) (intake.Import, error)
	// ListImports returns up to limit jobs with id < before (0 = newest), newest first.
	ListImports(ctx context.Context, tenantID int64, before int64, limit int) ([]intake.Import, error)
	// ListImportErrors returns up to limit row errors of a job with row > afterRow, in row order.
	ListImportErrors(ctx context.Context, tenantID, importID int64, afterRow, limit int) ([]intake.RowError, error)
	// ExpiredImports returns up to limit jobs of any tenant that ended
	// (completed, failed, cancelled) before before and have not expired
	// yet, oldest first. It is the retention sweep's one query across
	// tenants: the sweep is the system's, not a tenant's.
	ExpiredImports(ctx context.Context, before time.Time, limit int) ([]intake.Import, error)
	// ExpireImport deletes a job's row errors and sets its ExpiredAt;
	// ENOTFOUND if it is not the tenant's.
	ExpireImport(ctx context.Context, tenantID, id int64) error
	// ParkedImports returns up to limit jobs of any tenant that await their
	// mapping and were last changed before before, oldest first: the
	// parking sweep's one query across tenants (internal/imports).
	ParkedImports(ctx context.Context, before time.Time, limit int) ([]intake.Import, error)
}

// ContactFilter narrows ListContacts. Zero values mean "any".
type ContactFilter struct {
	After          int64
	Limit          int
	Email          string
	CustomerNumber string
	ExternalID     string
	Tag            string
	UpdatedSince   time.Time
	// Q is a prefix of the name, first name, last name or email,
	// compared ignoring case.
	Q string
	// Group, Location and Event name a group (of contacts), a location
	// and an event key the contact must belong to.
	Group, Location, Event string
	// Custom holds custom field values the contact must have, exactly.
	Custom map[string]string
}

// Lookup names the key values whose contacts FindContacts returns.
type Lookup struct {
	Emails          []string
	CustomerNumbers []string
	ExternalIDs     []string
	Phones          []string
	Names           []string            // compared case-insensitively
	Custom          map[string][]string // custom field → values
	IDs             []int64             // the contacts with these ids
}

// JobTx is a transaction for import-job bookkeeping, from Store.Jobs. It
// never takes the tenant's import write lock: on PostgreSQL an
// all-or-nothing import holds that lock for minutes, and creating or
// starting another job must not wait for it. A job queue on the same
// database enqueues inside it (Enqueue), so a job and its queue entry are
// committed together or not at all.
type JobTx interface {
	// CreateImport stores a new import job of im.TenantID, which must be the
	// transaction's tenant, and sets its ID and timestamps.
	CreateImport(ctx context.Context, im *intake.Import) error
	// UpdateImport reads the tenant's job locked (FOR UPDATE on PostgreSQL;
	// SQLite has one writer), lets fn change it and stores it. fn's error is
	// returned and nothing is stored; ENOTFOUND when the job is not the
	// tenant's.
	UpdateImport(ctx context.Context, id int64, fn func(*intake.Import) error) (intake.Import, error)
	// Enqueue schedules the transaction tenant's import importID on the job
	// queue the store is paired with (Pairable), inside this transaction.
	// It is an error when the store has no queue.
	Enqueue(ctx context.Context, importID int64) error
	// ParkedBytes sums the upload sizes of the transaction tenant's jobs
	// that await their mapping: what the tenant keeps stored, unimported.
	ParkedBytes(ctx context.Context) (int64, error)
	// EnqueuePass is Enqueue for a later pass over the import's file (a
	// started preview applies in pass 1): a queue job of its own.
	EnqueuePass(ctx context.Context, importID int64, pass int) error
	// FollowupTx writes the webhook events of a job's end (webhooks.go).
	FollowupTx
}

// Enqueuer is a job queue's insert inside a driver transaction of type TTx
// (*sql.Tx on SQLite, pgx.Tx on PostgreSQL): River's InsertTx, typed.
type Enqueuer[TTx any] interface {
	InsertTx(ctx context.Context, tx TTx, tenantID, importID int64, pass int) error
	// InsertDeliveriesTx schedules webhook deliveries inside tx.
	InsertDeliveriesTx(ctx context.Context, tx TTx, tenantID int64, ids []int64) error
}

// Pairable is a store whose job transactions are TTx on the driver's side.
// Pairing it with a queue of the same TTx is checked when the program is
// compiled, not asserted at run time: a SQLite store cannot be paired with
// a PostgreSQL queue. Pair before the store serves; JobTx.Enqueue then
// inserts through q.
type Pairable[TTx any] interface {
	Store
	Pair(q Enqueuer[TTx])
}

// Tx is one tenant-scoped write transaction. Its batch methods take a whole
// batch in one call: implementations use COPY, multi-row statements or
// prepared statements inside, never a round trip per record where avoidable.
type Tx interface {
	// ParticipantTx writes participants (events.go).
	ParticipantTx
	// FindContacts returns every contact whose id, email, customer number, phone,
	// name or custom value is among l's.
	FindContacts(ctx context.Context, l Lookup) ([]intake.Contact, error)
	// InsertContacts stores new contacts and sets their ID, CreatedAt and
	// UpdatedAt. A value of a ContactUniqueFields field already taken in the
	// tenant (or twice in cs) is an ECONFLICT error.
	InsertContacts(ctx context.Context, cs []*intake.Contact) error
	// UpdateContacts overwrites the stored contacts with the same IDs and
	// sets UpdatedAt. Taking another contact's value of a
	// ContactUniqueFields field is an ECONFLICT error.
	UpdateContacts(ctx context.Context, cs []*intake.Contact) error
	// DeleteContacts removes the contacts with these IDs.
	DeleteContacts(ctx context.Context, ids []int64) error
	// CollectionTx writes collections and their records (collections.go);
	// DeleteContacts deletes the contacts' records with them.
	CollectionTx
	// GroupTx writes groups and locations (groups.go); InsertContacts and
	// UpdateContacts write the contacts' Groups and Locations as it says.
	GroupTx
	// Savepoint runs fn inside a savepoint: if fn fails, what it wrote is
	// undone, the transaction stays usable, and fn's error is returned.
	Savepoint(ctx context.Context, fn func() error) error
	// MarkSeen records that import importID matched or created the
	// contacts ids (remove_missing); marking one twice is no error.
	MarkSeen(ctx context.Context, importID int64, ids []int64) error
	// UnseenContacts returns, in id order, the tenant's contacts that
	// import importID has not marked seen, only those in the contact group
	// named group (ignoring case) when group is not "". The contacts carry
	// their ID, email, customer number and name only.
	UnseenContacts(ctx context.Context, importID int64, group string) ([]intake.Contact, error)
	// ForgetSeen drops what import importID marked seen.
	ForgetSeen(ctx context.Context, importID int64) error
	// ListFields returns the tenant's custom field definitions, by name,
	// as this transaction sees them.
	ListFields(ctx context.Context) ([]intake.CustomField, error)
	// SaveField stores a custom field definition: a new one when f.ID is 0
	// (setting ID and timestamps), else the tenant's field with that ID
	// (setting UpdatedAt). ECONFLICT when the tenant has a field of that
	// name already; ENOTFOUND when f.ID is not the tenant's.
	SaveField(ctx context.Context, f *intake.CustomField) error
	// DeleteField removes the tenant's field definition with this id;
	// ENOTFOUND if there is none. Contacts keep their values of it.
	DeleteField(ctx context.Context, id int64) error
	// DuplicateCustomValue returns a value of custom field name that more
	// than one of the tenant's contacts hold, and whether there is one.
	DuplicateCustomValue(ctx context.Context, name string) (string, bool, error)
	// SaveImportProgress is a job's checkpoint, committed with the chunk's
	// writes: it stores im's counters and ProcessedRows and the chunk's row
	// errors, but only if the stored job is still running and its
	// ProcessedRows is still from. Otherwise (cancelled, or another worker
	// moved on) it returns an ESTATE error, and the caller rolls back.
	SaveImportProgress(ctx context.Context, im *intake.Import, from int, errs []intake.RowError) error
	// FollowupTx writes a chunk's webhook events with it; SelectionTx
	// narrows remove_missing to a selection (webhooks.go).
	FollowupTx
	SelectionTx
}

// CreateImport stores a new import job of im.TenantID and sets its ID and
// timestamps: JobTx.CreateImport in a transaction of its own. It is written
// once here, over Jobs, not in every backend.
func CreateImport(ctx context.Context, s JobStore, im *intake.Import) error {
	return s.Jobs(ctx, im.TenantID, func(tx JobTx) error { return tx.CreateImport(ctx, im) })
}

// UpdateImport reads a job, lets fn change it and stores the result, in one
// transaction (JobTx.UpdateImport); fn's error aborts and is returned.
// ENOTFOUND if it is not the tenant's.
func UpdateImport(ctx context.Context, s JobStore, tenantID, id int64, fn func(*intake.Import) error) (intake.Import, error) {
	var im intake.Import
	err := s.Jobs(ctx, tenantID, func(tx JobTx) error {
		var err error
		im, err = tx.UpdateImport(ctx, id, fn)
		return err
	})
	return im, err
}
