package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/intake/intake"
)

// RecordFilter narrows ListRecords. Zero values mean "any".
type RecordFilter struct {
	CollectionID int64
	After        int64
	Limit        int
	// ContactID: only the records of this contact.
	ContactID int64
	// Values: the record's field NAME is VALUE exactly, as stored.
	Values map[string]string
}

// RecordKey names a stored record: its contact (0 for none) and its key.
type RecordKey struct {
	ContactID int64
	Key       string
}

// CollectionReader reads a tenant's collections and their records.
type CollectionReader interface {
	// ListCollections returns the tenant's collections, by name.
	ListCollections(ctx context.Context, tenantID int64) ([]intake.Collection, error)
	// ListRecords returns up to f.Limit records of collection f.CollectionID
	// with id > f.After, in id order. Records carry no Collection name.
	ListRecords(ctx context.Context, tenantID int64, f RecordFilter) ([]intake.CollectionRecord, error)
}

// CollectionTx writes collections and their records inside a Tx, a whole
// batch per call.
type CollectionTx interface {
	// FindCollection returns the tenant's collection named name, ignoring
	// case; ENOTFOUND when there is none.
	FindCollection(ctx context.Context, name string) (intake.Collection, error)
	// SaveCollection stores a new collection when c.ID is 0 (setting ID and
	// timestamps), else updates the tenant's collection c.ID (UpdatedAt).
	// ECONFLICT when the name (ignoring case) is taken; ENOTFOUND when c.ID
	// is not the tenant's.
	SaveCollection(ctx context.Context, c *intake.Collection) error
	// DeleteCollection removes a collection with its records; ENOTFOUND
	// when it is not the tenant's.
	DeleteCollection(ctx context.Context, id int64) error
	// CollectionSize counts a collection's records.
	CollectionSize(ctx context.Context, id int64) (int64, error)
	// FindRecords returns the records of collection id whose (contact, key)
	// is among keys (non-empty keys only) or whose id is among ids.
	FindRecords(ctx context.Context, collectionID int64, keys []RecordKey, ids []int64) ([]intake.CollectionRecord, error)
	// InsertRecords stores new records (CollectionID, ContactID, Key,
	// Values) and sets their ID and timestamps. A (contact, key) taken in
	// the collection is an ECONFLICT error.
	InsertRecords(ctx context.Context, rs []*intake.CollectionRecord) error
	// UpdateRecords stores the ContactID, Key and Values of the records
	// with these IDs and sets their UpdatedAt.
	UpdateRecords(ctx context.Context, rs []*intake.CollectionRecord) error
	// DeleteRecords removes the tenant's records with these IDs and returns
	// how many it removed.
	DeleteRecords(ctx context.Context, ids []int64) (int64, error)
	// MarkRecordsSeen records that import importID matched or wrote these
	// records (remove_missing); marking one twice is no error. ForgetSeen
	// forgets them too.
	MarkRecordsSeen(ctx context.Context, importID int64, ids []int64) error
	// UnseenRecords returns, in id order, the records of collection id that
	// import importID has not marked seen; with seenContactsOnly, only
	// those of contacts it marked seen (MarkSeen): a contact's children the
	// file did not contain.
	UnseenRecords(ctx context.Context, importID, collectionID int64, seenContactsOnly bool) ([]intake.CollectionRecord, error)
}

// EncodeCollection renders a collection's fields and key fields as the
// JSON text both stores keep them in.
func EncodeCollection(c *intake.Collection) (fields, keys string) {
	fs := c.Fields
	if fs == nil {
		fs = []intake.CollectionField{}
	}
	f, _ := json.Marshal(fs)
	k, _ := json.Marshal(nonNil(c.KeyFields))
	return string(f), string(k)
}

// DecodeCollection reads them back.
func DecodeCollection(c *intake.Collection, fields, keys string) error {
	if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
		return fmt.Errorf("collection %q: decode fields: %w", c.Name, err)
	}
	if err := json.Unmarshal([]byte(keys), &c.KeyFields); err != nil {
		return fmt.Errorf("collection %q: decode key fields: %w", c.Name, err)
	}
	if c.Fields == nil {
		c.Fields = []intake.CollectionField{}
	}
	if c.KeyFields == nil {
		c.KeyFields = []string{}
	}
	return nil
}

// EncodeRecordValues renders a record's values as JSON text.
func EncodeRecordValues(vs map[string]string) string {
	if vs == nil {
		vs = map[string]string{}
	}
	b, _ := json.Marshal(vs)
	return string(b)
}

// DecodeRecordValues reads a record's values.
func DecodeRecordValues(r *intake.CollectionRecord, raw []byte) error {
	r.Values = map[string]string{}
	if err := json.Unmarshal(raw, &r.Values); err != nil {
		return fmt.Errorf("record %d: decode values: %w", r.ID, err)
	}
	return nil
}

// RecordKeysJSON renders keys as one JSON parameter [[contact, "key"], …].
func RecordKeysJSON(keys []RecordKey) string {
	rows := make([][2]any, 0, len(keys))
	for _, k := range keys {
		if k.Key != "" {
			rows = append(rows, [2]any{k.ContactID, k.Key})
		}
	}
	b, _ := json.Marshal(rows)
	return string(b)
}
