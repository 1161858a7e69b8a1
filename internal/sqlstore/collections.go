package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

const collectionCols = `id, name, fields, key_fields, belongs_to_contact, content_key, created_at, updated_at`

func scanCollection(s Row) (intake.Collection, error) {
	var c intake.Collection
	var fields, keys string
	if err := s.Scan(&c.ID, &c.Name, &fields, &keys, &c.BelongsToContact, &c.ContentKey, Time(&c.CreatedAt), Time(&c.UpdatedAt)); err != nil {
		return c, err
	}
	return c, store.DecodeCollection(&c, fields, keys)
}

// ListCollections implements store.CollectionReader.
func (db *DB) ListCollections(ctx context.Context, tenantID int64) ([]intake.Collection, error) {
	rows, err := db.Reader.Query(ctx, `SELECT `+collectionCols+` FROM collections WHERE tenant_id = $1 ORDER BY name`, tenantID)
	out, err := collect(rows, err, scanCollection)
	if err != nil {
		return nil, fmt.Errorf("list collections: %w", err)
	}
	return out, nil
}

// FindCollection implements store.CollectionTx.
func (t *Tx) FindCollection(ctx context.Context, name string) (intake.Collection, error) {
	lower := t.Dialect.Lower
	c, err := scanCollection(t.Q.QueryRow(ctx, `SELECT `+collectionCols+` FROM collections
		WHERE tenant_id = $1 AND `+lower+`(name) = `+lower+`($2)`, t.TenantID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return c, intake.Errorf(intake.ENOTFOUND, "Collection %q not found.", name)
	}
	if err != nil {
		return c, fmt.Errorf("find collection %q: %w", name, err)
	}
	return c, nil
}

// SaveCollection implements store.CollectionTx.
func (t *Tx) SaveCollection(ctx context.Context, c *intake.Collection) error {
	fields, keys := store.EncodeCollection(c)
	if c.ID == 0 {
		err := t.Q.QueryRow(ctx, `INSERT INTO collections (tenant_id, name, fields, key_fields, belongs_to_contact,
			content_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			t.TenantID, c.Name, fields, keys, c.BelongsToContact, c.ContentKey, t.now()).Scan(&c.ID)
		if err != nil {
			return t.collectionConflict(err, c.Name)
		}
		c.CreatedAt, c.UpdatedAt = t.Now, t.Now
		return nil
	}
	n, err := t.Q.Exec(ctx, `UPDATE collections SET name = $1, fields = $2, key_fields = $3, belongs_to_contact = $4,
		content_key = $5, updated_at = $6 WHERE tenant_id = $7 AND id = $8`, c.Name, fields, keys, c.BelongsToContact, c.ContentKey,
		t.now(), t.TenantID, c.ID)
	if err != nil {
		return t.collectionConflict(err, c.Name)
	}
	if n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Collection %q not found.", c.Name)
	}
	c.UpdatedAt = t.Now
	return nil
}

func (t *Tx) collectionConflict(err error, name string) error {
	if t.Dialect.IsUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A collection named %q exists already.", name)
	}
	return fmt.Errorf("save collection %q: %w", name, err)
}

// DeleteCollection implements store.CollectionTx; its records go with it
// (ON DELETE CASCADE).
func (t *Tx) DeleteCollection(ctx context.Context, id int64) error {
	n, err := t.DeleteIDs(ctx, "collections", []int64{id})
	if err == nil && n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Collection %d not found.", id)
	}
	return err
}

// CollectionSize implements store.CollectionTx.
func (t *Tx) CollectionSize(ctx context.Context, id int64) (int64, error) {
	var n int64
	err := t.Q.QueryRow(ctx, `SELECT count(*) FROM collection_records WHERE tenant_id = $1 AND collection_id = $2`,
		t.TenantID, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count records of collection %d: %w", id, err)
	}
	return n, nil
}

// RecordCols is what every record SELECT returns, in QueryRecords' order.
const RecordCols = `id, collection_id, coalesce(contact_id, 0), record_key, data, created_at, updated_at`

// QueryRecords runs a SELECT of RecordCols and scans its rows.
func QueryRecords(ctx context.Context, q Querier, query string, args ...any) ([]intake.CollectionRecord, error) {
	rows, err := q.Query(ctx, query, args...)
	return collect(rows, err, func(s Row) (intake.CollectionRecord, error) {
		var r intake.CollectionRecord
		var data string
		if err := s.Scan(&r.ID, &r.CollectionID, &r.ContactID, &r.Key, &data, Time(&r.CreatedAt), Time(&r.UpdatedAt)); err != nil {
			return r, err
		}
		return r, store.DecodeRecordValues(&r, []byte(data))
	})
}

// ListRecords implements store.CollectionReader.
func (db *DB) ListRecords(ctx context.Context, tenantID int64, f store.RecordFilter) ([]intake.CollectionRecord, error) {
	args := []any{tenantID, f.CollectionID, f.After}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	q := `SELECT ` + RecordCols + ` FROM collection_records WHERE tenant_id = $1 AND collection_id = $2 AND id > $3`
	if f.ContactID != 0 {
		q += ` AND contact_id = ` + arg(f.ContactID)
	}
	for _, name := range slices.Sorted(maps.Keys(f.Values)) {
		q += ` AND ` + db.Dialect.JSONField("data", arg(db.Dialect.JSONKey(name))) + ` = ` + arg(f.Values[name])
	}
	rs, err := QueryRecords(ctx, db.Reader, q+` ORDER BY id LIMIT `+arg(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	return rs, nil
}

// FindRecords implements store.CollectionTx: the keys are one JSON
// parameter, compared as the unique index is built.
func (t *Tx) FindRecords(ctx context.Context, collectionID int64, keys []store.RecordKey, ids []int64) ([]intake.CollectionRecord, error) {
	type key struct {
		C int64  `json:"c"`
		K string `json:"k"`
	}
	ks := make([]key, 0, len(keys))
	for _, k := range keys {
		if k.Key != "" {
			ks = append(ks, key{k.ContactID, k.Key})
		}
	}
	if ids == nil {
		ids = []int64{}
	}
	b, _ := json.Marshal(ks)
	rs, err := QueryRecords(ctx, t.Q, `SELECT `+RecordCols+` FROM collection_records
		WHERE tenant_id = $1 AND collection_id = $2 AND (
		  (record_key <> '' AND (coalesce(contact_id, 0), record_key) IN
		     (SELECT u.c, u.k FROM `+t.Dialect.Records("$3", "c bigint", "k text")+`))
		  OR `+t.Dialect.In("id", "$4")+`)
		ORDER BY id`, t.TenantID, collectionID, string(b), t.Dialect.List(ids))
	if err != nil {
		return nil, fmt.Errorf("find records: %w", err)
	}
	return rs, nil
}

// RecordConflict is the error of a record write that failed.
func RecordConflict(d *Dialect, err error, r *intake.CollectionRecord) error {
	if d.IsUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A record with key %q exists already.", strings.ReplaceAll(r.Key, "\x1f", ", "))
	}
	return fmt.Errorf("write record: %w", err)
}

// NullID is an optional id: NULL for 0.
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// DeleteRecords implements store.CollectionTx.
func (t *Tx) DeleteRecords(ctx context.Context, ids []int64) (int64, error) {
	return t.DeleteIDs(ctx, "collection_records", ids)
}

// MarkRecordsSeen implements store.CollectionTx.
func (t *Tx) MarkRecordsSeen(ctx context.Context, importID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := t.Q.Exec(ctx, `INSERT INTO import_seen_records (import_id, record_id)
		SELECT $1, v.value FROM (`+t.Dialect.Each("$2", "bigint")+`) v WHERE true ON CONFLICT DO NOTHING`,
		importID, t.Dialect.List(ids)); err != nil {
		return fmt.Errorf("mark %d records seen: %w", len(ids), err)
	}
	return nil
}

// UnseenRecords implements store.CollectionTx.
func (t *Tx) UnseenRecords(ctx context.Context, importID, collectionID int64, seenContactsOnly bool) ([]intake.CollectionRecord, error) {
	rs, err := QueryRecords(ctx, t.Q, `SELECT `+RecordCols+` FROM collection_records r
		WHERE r.tenant_id = $1 AND r.collection_id = $2
		  AND NOT EXISTS (SELECT 1 FROM import_seen_records s WHERE s.import_id = $3 AND s.record_id = r.id)
		  AND (NOT $4 OR EXISTS (SELECT 1 FROM import_seen s WHERE s.import_id = $3 AND s.contact_id = r.contact_id))
		ORDER BY r.id`, t.TenantID, collectionID, importID, seenContactsOnly)
	if err != nil {
		return nil, fmt.Errorf("find unseen records: %w", err)
	}
	return rs, nil
}
