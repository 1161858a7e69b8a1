package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

const collectionCols = `id, name, fields, key_fields, belongs_to_contact, created_at, updated_at`

func scanCollection(row pgx.Row) (intake.Collection, error) {
	var c intake.Collection
	var fields, keys string // jsonb scans into a string as its JSON text
	if err := row.Scan(&c.ID, &c.Name, &fields, &keys, &c.BelongsToContact, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, store.DecodeCollection(&c, fields, keys)
}

// ListCollections implements store.CollectionReader.
func (db *DB) ListCollections(ctx context.Context, tenantID int64) ([]intake.Collection, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+collectionCols+` FROM collections WHERE tenant_id = $1 ORDER BY name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (intake.Collection, error) { return scanCollection(row) })
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	return out, nil
}

// FindCollection implements store.CollectionTx.
func (t *tx) FindCollection(ctx context.Context, name string) (intake.Collection, error) {
	c, err := scanCollection(t.tx.QueryRow(ctx, `SELECT `+collectionCols+` FROM collections
		WHERE tenant_id = $1 AND lower(name) = lower($2)`, t.TenantID, name))
	if errors.Is(err, pgx.ErrNoRows) {
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
	if c.ID == 0 {
		err := t.tx.QueryRow(ctx, `INSERT INTO collections (tenant_id, name, fields, key_fields, belongs_to_contact,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			t.TenantID, c.Name, fields, keys, c.BelongsToContact, t.Now).Scan(&c.ID)
		if err != nil {
			return collectionConflict(err, c.Name)
		}
		c.CreatedAt, c.UpdatedAt = t.Now, t.Now
		return nil
	}
	tag, err := t.tx.Exec(ctx, `UPDATE collections SET name = $1, fields = $2, key_fields = $3, belongs_to_contact = $4,
		updated_at = $5 WHERE tenant_id = $6 AND id = $7`, c.Name, fields, keys, c.BelongsToContact, t.Now, t.TenantID, c.ID)
	if err != nil {
		return collectionConflict(err, c.Name)
	}
	if tag.RowsAffected() == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Collection %q not found.", c.Name)
	}
	c.UpdatedAt = t.Now
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
	err := t.tx.QueryRow(ctx, `SELECT count(*) FROM collection_records WHERE tenant_id = $1 AND collection_id = $2`,
		t.TenantID, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count records of collection %d: %w", id, err)
	}
	return n, nil
}

const recordCols = `id, collection_id, coalesce(contact_id, 0), record_key, data, created_at, updated_at`

func queryRecords(ctx context.Context, q querier, query string, args ...any) ([]intake.CollectionRecord, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (intake.CollectionRecord, error) {
		var r intake.CollectionRecord
		var data string
		if err := row.Scan(&r.ID, &r.CollectionID, &r.ContactID, &r.Key, &data, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return r, err
		}
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		return r, store.DecodeRecordValues(&r, []byte(data))
	})
}

// ListRecords implements store.CollectionReader.
func (db *DB) ListRecords(ctx context.Context, tenantID int64, f store.RecordFilter) ([]intake.CollectionRecord, error) {
	args := []any{tenantID, f.CollectionID, f.After}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	q := `SELECT ` + recordCols + ` FROM collection_records WHERE tenant_id = $1 AND collection_id = $2 AND id > $3`
	if f.ContactID != 0 {
		q += ` AND contact_id = ` + arg(f.ContactID)
	}
	for _, name := range slices.Sorted(maps.Keys(f.Values)) {
		q += ` AND data->>` + arg(name) + `::text = ` + arg(f.Values[name])
	}
	rs, err := queryRecords(ctx, db.pool, q+` ORDER BY id LIMIT `+arg(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	return rs, nil
}

// FindRecords implements store.CollectionTx: the keys are two arrays
// unnested side by side, compared as the unique index is built.
func (t *tx) FindRecords(ctx context.Context, collectionID int64, keys []store.RecordKey, ids []int64) ([]intake.CollectionRecord, error) {
	contacts, ks := make([]int64, 0, len(keys)), make([]string, 0, len(keys))
	for _, k := range keys {
		if k.Key != "" {
			contacts, ks = append(contacts, k.ContactID), append(ks, k.Key)
		}
	}
	if ids == nil {
		ids = []int64{}
	}
	rs, err := queryRecords(ctx, t.tx, `SELECT `+recordCols+` FROM collection_records
		WHERE tenant_id = $1 AND collection_id = $2 AND (
		  (record_key <> '' AND (coalesce(contact_id, 0), record_key) IN (SELECT * FROM unnest($3::bigint[], $4::text[])))
		  OR id = ANY($5))
		ORDER BY id`, t.TenantID, collectionID, contacts, ks, ids)
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

// InsertRecords implements store.CollectionTx: one INSERT per record, all
// sent as one batch (one round trip), which returns each record's id in
// order whatever the keys are.
func (t *tx) InsertRecords(ctx context.Context, rs []*intake.CollectionRecord) error {
	if len(rs) == 0 {
		return nil
	}
	var b pgx.Batch
	for _, r := range rs {
		b.Queue(`INSERT INTO collection_records (tenant_id, collection_id, contact_id, record_key, data, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, t.TenantID, r.CollectionID, nullID(r.ContactID), r.Key,
			store.EncodeRecordValues(r.Values), t.Now)
	}
	res := t.tx.SendBatch(ctx, &b)
	for _, r := range rs {
		if err := res.QueryRow().Scan(&r.ID); err != nil {
			res.Close()
			return recordConflict(err, r)
		}
		r.CreatedAt, r.UpdatedAt = t.Now, t.Now
	}
	return res.Close()
}

func recordConflict(err error, r *intake.CollectionRecord) error {
	if isUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A record with key %q exists already.", strings.ReplaceAll(r.Key, "\x1f", ", "))
	}
	return fmt.Errorf("write record: %w", err)
}

// UpdateRecords implements store.CollectionTx as one batch.
func (t *tx) UpdateRecords(ctx context.Context, rs []*intake.CollectionRecord) error {
	if len(rs) == 0 {
		return nil
	}
	var b pgx.Batch
	for _, r := range rs {
		b.Queue(`UPDATE collection_records SET contact_id = $1, record_key = $2, data = $3, updated_at = $4
			WHERE tenant_id = $5 AND id = $6`, nullID(r.ContactID), r.Key, store.EncodeRecordValues(r.Values), t.Now, t.TenantID, r.ID)
	}
	res := t.tx.SendBatch(ctx, &b)
	for _, r := range rs {
		if _, err := res.Exec(); err != nil {
			res.Close()
			return recordConflict(err, r)
		}
		r.UpdatedAt = t.Now
	}
	return res.Close()
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
	if _, err := t.tx.Exec(ctx, `INSERT INTO import_seen_records (import_id, record_id)
		SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, importID, ids); err != nil {
		return fmt.Errorf("mark %d records seen: %w", len(ids), err)
	}
	return nil
}

// UnseenRecords implements store.CollectionTx.
func (t *tx) UnseenRecords(ctx context.Context, importID, collectionID int64, seenContactsOnly bool) ([]intake.CollectionRecord, error) {
	rs, err := queryRecords(ctx, t.tx, `SELECT `+recordCols+` FROM collection_records r
		WHERE r.tenant_id = $1 AND r.collection_id = $2
		  AND NOT EXISTS (SELECT 1 FROM import_seen_records s WHERE s.import_id = $3 AND s.record_id = r.id)
		  AND (NOT $4 OR EXISTS (SELECT 1 FROM import_seen s WHERE s.import_id = $3 AND s.contact_id = r.contact_id))
		ORDER BY r.id`, t.TenantID, collectionID, importID, seenContactsOnly)
	if err != nil {
		return nil, fmt.Errorf("find unseen records: %w", err)
	}
	return rs, nil
}

// querier is what the reads here need: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}
