package sqlite

import (
	"context"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/sqlstore"
	"github.com/intake/intake/internal/store"
)

// The rest of the collection methods are shared (sqlstore); these two
// write a record at a time through one prepared statement, as
// InsertContacts does.

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
		res, err := stmt.ExecContext(ctx, t.TenantID, r.CollectionID, sqlstore.NullID(r.ContactID), r.Key, store.EncodeRecordValues(r.Values), now, now)
		if err != nil {
			return sqlstore.RecordConflict(dialect, err, r)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert record: %w", err)
		}
		r.CreatedAt, r.UpdatedAt = t.Now, t.Now
	}
	return nil
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
		if _, err := stmt.ExecContext(ctx, sqlstore.NullID(r.ContactID), r.Key, store.EncodeRecordValues(r.Values), now, t.TenantID, r.ID); err != nil {
			return sqlstore.RecordConflict(dialect, err, r)
		}
		r.UpdatedAt = t.Now
	}
	return nil
}
