package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/sqlstore"
	"github.com/intake/intake/internal/store"
)

// The rest of the collection methods are shared (sqlstore); these two
// pipeline a statement per record in one batch, one round trip.

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
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, t.TenantID, r.CollectionID, sqlstore.NullID(r.ContactID), r.Key,
			store.EncodeRecordValues(r.Values), t.Now)
	}
	res := t.tx.SendBatch(ctx, &b)
	for _, r := range rs {
		if err := res.QueryRow().Scan(&r.ID); err != nil {
			res.Close()
			return sqlstore.RecordConflict(dialect, err, r)
		}
		r.CreatedAt, r.UpdatedAt = t.Now, t.Now
	}
	return res.Close()
}

// UpdateRecords implements store.CollectionTx as one batch.
func (t *tx) UpdateRecords(ctx context.Context, rs []*intake.CollectionRecord) error {
	if len(rs) == 0 {
		return nil
	}
	var b pgx.Batch
	for _, r := range rs {
		b.Queue(`UPDATE collection_records SET contact_id = $1, record_key = $2, data = $3, updated_at = $4
			WHERE tenant_id = $5 AND id = $6`, sqlstore.NullID(r.ContactID), r.Key, store.EncodeRecordValues(r.Values), t.Now, t.TenantID, r.ID)
	}
	res := t.tx.SendBatch(ctx, &b)
	for _, r := range rs {
		if _, err := res.Exec(); err != nil {
			res.Close()
			return sqlstore.RecordConflict(dialect, err, r)
		}
		r.UpdatedAt = t.Now
	}
	return res.Close()
}
