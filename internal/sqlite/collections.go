package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

const collectionCols = `id, name, fields, key_fields, belongs_to_contact, created_at, updated_at`

func scanCollection(s scanner) (intake.Collection, error) {
	var c intake.Collection
	var fields, keys string
	var created, updated int64
	if err := s.Scan(&c.ID, &c.Name, &fields, &keys, &c.BelongsToContact, &created, &updated); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, store.DecodeCollection(&c, fields, keys)
}

// ListCollections implements store.CollectionReader.
func (db *DB) ListCollections(ctx context.Context, tenantID int64) ([]intake.Collection, error) {
	return listCollections(ctx, db.read, tenantID)
}

func listCollections(ctx context.Context, q querier, tenantID int64) ([]intake.Collection, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+collectionCols+` FROM collections WHERE tenant_id = ? ORDER BY name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	defer rows.Close()
	var out []intake.Collection
	for rows.Next() {
		c, err := scanCollection(rows)
		if err != nil {
			return nil, fmt.Errorf("list collections: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindCollection implements store.CollectionTx.
func (t *tx) FindCollection(ctx context.Context, name string) (intake.Collection, error) {
	c, err := scanCollection(t.tx.QueryRowContext(ctx, `SELECT `+collectionCols+` FROM collections
		WHERE tenant_id = ? AND intake_lower(name) = intake_lower(?)`, t.TenantID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return c, intake.Errorf(intake.ENOTFOUND, "Collection %q not found.", name)
	}
	if err != nil {
		return c, fmt.Errorf("find collection %q: %w", name, err)
	}
	return c, nil
}

// SaveCollection implements store.CollectionTx.
func (t *tx) SaveCollection(ctx context.Context, c *intake.Collection) error {
	fields, keys := store.EncodeCollection(c)
	now := micros(t.Now)
	if c.ID == 0 {
		err := t.tx.QueryRowContext(ctx, `INSERT INTO collections (tenant_id, name, fields, key_fields, belongs_to_contact,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			t.TenantID, c.Name, fields, keys, c.BelongsToContact, now, now).Scan(&c.ID)
		if err != nil {
			return collectionConflict(err, c.Name)
		}
		c.CreatedAt, c.UpdatedAt = fromMicros(now), fromMicros(now)
		return nil
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE collections SET name = ?, fields = ?, key_fields = ?, belongs_to_contact = ?,
		updated_at = ? WHERE tenant_id = ? AND id = ?`, c.Name, fields, keys, c.BelongsToContact, now, t.TenantID, c.ID)
	if err != nil {
		return collectionConflict(err, c.Name)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Collection %q not found.", c.Name)
	}
	c.UpdatedAt = fromMicros(now)
	return nil
}

func collectionConflict(err error, name string) error {
	if isUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A collection named %q exists already.", name)
	}
	return fmt.Errorf("save collection %q: %w", name, err)
}

// DeleteCollection implements store.CollectionTx; its records go with it
// (ON DELETE CASCADE).
func (t *tx) DeleteCollection(ctx context.Context, id int64) error {
	n, err := t.deleteIDs(ctx, "collections", []int64{id})
	if err == nil && n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Collection %d not found.", id)
	}
	return err
}

// CollectionSize implements store.CollectionTx.
func (t *tx) CollectionSize(ctx context.Context, id int64) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM collection_records WHERE tenant_id = ? AND collection_id = ?`,
		t.TenantID, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count records of collection %d: %w", id, err)
	}
	return n, nil
}

const recordCols = `id, collection_id, coalesce(contact_id, 0), record_key, data, created_at, updated_at`

func queryRecords(ctx context.Context, q querier, query string, args ...any) ([]intake.CollectionRecord, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []intake.CollectionRecord
	for rows.Next() {
		var r intake.CollectionRecord
		var data string
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.CollectionID, &r.ContactID, &r.Key, &data, &created, &updated); err != nil {
			return nil, err
		}
		r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
		if err := store.DecodeRecordValues(&r, []byte(data)); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ListRecords implements store.CollectionReader.
func (db *DB) ListRecords(ctx context.Context, tenantID int64, f store.RecordFilter) ([]intake.CollectionRecord, error) {
	q := `SELECT ` + recordCols + ` FROM collection_records WHERE tenant_id = ? AND collection_id = ? AND id > ?`
	args := []any{tenantID, f.CollectionID, f.After}
	if f.ContactID != 0 {
		q += ` AND contact_id = ?`
		args = append(args, f.ContactID)
	}
	for _, name := range slices.Sorted(maps.Keys(f.Values)) {
		q += ` AND json_extract(data, ?) = ?`
		args = append(args, jsonPath(name), f.Values[name])
	}
	rs, err := queryRecords(ctx, db.read, q+` ORDER BY id LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	return rs, nil
}

// FindRecords implements store.CollectionTx: the keys are one JSON
// parameter, compared as the unique index is built.
func (t *tx) FindRecords(ctx context.Context, collectionID int64, keys []store.RecordKey, ids []int64) ([]intake.CollectionRecord, error) {
	rs, err := queryRecords(ctx, t.tx, `SELECT `+recordCols+` FROM collection_records
		WHERE tenant_id = ?1 AND collection_id = ?2 AND (
		  (record_key <> '' AND (coalesce(contact_id, 0), record_key) IN
		     (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?3)))
		  OR id IN (SELECT value FROM json_each(?4)))
		ORDER BY id`, t.TenantID, collectionID, store.RecordKeysJSON(keys), store.IDsJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("find records: %w", err)
	}
	return rs, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// InsertRecords implements store.CollectionTx with one prepared statement
// run per record, as InsertContacts does.
func (t *tx) InsertRecords(ctx context.Context, rs []*intake.CollectionRecord) error {
	if len(rs) == 0 {
		return nil
	}
	stmt, err := t.tx.PrepareContext(ctx, `INSERT INTO collection_records (tenant_id, collection_id, contact_id, record_key,
		data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare insert records: %w", err)
	}
	defer stmt.Close()
	now := micros(t.Now)
	for _, r := range rs {
		res, err := stmt.ExecContext(ctx, t.TenantID, r.CollectionID, nullID(r.ContactID), r.Key, store.EncodeRecordValues(r.Values), now, now)
		if err != nil {
			return recordConflict(err, r)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert record: %w", err)
		}
		r.CreatedAt, r.UpdatedAt = t.Now, t.Now
	}
	return nil
}

func recordConflict(err error, r *intake.CollectionRecord) error {
	if isUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A record with key %q exists already.", strings.ReplaceAll(r.Key, "\x1f", ", "))
	}
	return fmt.Errorf("write record: %w", err)
}

// UpdateRecords implements store.CollectionTx.
func (t *tx) UpdateRecords(ctx context.Context, rs []*intake.CollectionRecord) error {
	if len(rs) == 0 {
		return nil
	}
	stmt, err := t.tx.PrepareContext(ctx, `UPDATE collection_records SET contact_id = ?, record_key = ?, data = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`)
	if err != nil {
		return fmt.Errorf("prepare update records: %w", err)
	}
	defer stmt.Close()
	now := micros(t.Now)
	for _, r := range rs {
		if _, err := stmt.ExecContext(ctx, nullID(r.ContactID), r.Key, store.EncodeRecordValues(r.Values), now, t.TenantID, r.ID); err != nil {
			return recordConflict(err, r)
		}
		r.UpdatedAt = t.Now
	}
	return nil
}

// DeleteRecords implements store.CollectionTx.
func (t *tx) DeleteRecords(ctx context.Context, ids []int64) (int64, error) {
	return t.deleteIDs(ctx, "collection_records", ids)
}

// MarkRecordsSeen implements store.CollectionTx.
func (t *tx) MarkRecordsSeen(ctx context.Context, importID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT OR IGNORE INTO import_seen_records (import_id, record_id)
		SELECT ?, value FROM json_each(?)`, importID, store.IDsJSON(ids)); err != nil {
		return fmt.Errorf("mark %d records seen: %w", len(ids), err)
	}
	return nil
}

// UnseenRecords implements store.CollectionTx.
func (t *tx) UnseenRecords(ctx context.Context, importID, collectionID int64, seenContactsOnly bool) ([]intake.CollectionRecord, error) {
	rs, err := queryRecords(ctx, t.tx, `SELECT `+recordCols+` FROM collection_records r
		WHERE r.tenant_id = ?1 AND r.collection_id = ?2
		  AND NOT EXISTS (SELECT 1 FROM import_seen_records s WHERE s.import_id = ?3 AND s.record_id = r.id)
		  AND (NOT ?4 OR EXISTS (SELECT 1 FROM import_seen s WHERE s.import_id = ?3 AND s.contact_id = r.contact_id))
		ORDER BY r.id`, t.TenantID, collectionID, importID, seenContactsOnly)
	if err != nil {
		return nil, fmt.Errorf("find unseen records: %w", err)
	}
	return rs, nil
}

// querier is what the reads here need: the read pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
