package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// ListAPIKeys implements store.Ops.
func (db *DB) ListAPIKeys(ctx context.Context, tenantID int64) ([]intake.APIKey, error) {
	rows, err := db.Reader.Query(ctx, `SELECT k.id, k.tenant_id, t.slug, k.scopes, k.created_at, k.revoked_at
		FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE $1 = 0 OR k.tenant_id = $1 ORDER BY k.id`, tenantID)
	out, err := collect(rows, err, func(r Row) (intake.APIKey, error) {
		var k intake.APIKey
		var scopes string
		err := r.Scan(&k.ID, &k.TenantID, &k.TenantSlug, &scopes, Time(&k.CreatedAt), NullTime(&k.RevokedAt))
		k.Scopes = strings.Split(scopes, ",")
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return out, nil
}

// RevokeAPIKey implements store.Ops.
func (db *DB) RevokeAPIKey(ctx context.Context, tenantID, id int64) error {
	n, err := db.Writer.Exec(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3)
		WHERE id = $1 AND ($2 = 0 OR tenant_id = $2)`, id, tenantID, db.Dialect.Time(db.Clock()))
	if err != nil {
		return fmt.Errorf("revoke api key %d: %w", id, err)
	}
	if n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "API key %d not found.", id)
	}
	return nil
}

// BeatWorker implements store.Heartbeats.
func (db *DB) BeatWorker(ctx context.Context, id string, at time.Time) error {
	_, err := db.Writer.Exec(ctx, `INSERT INTO workers (id, started_at, heartbeat_at) VALUES ($1, $2, $2)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`, id, db.Dialect.Time(at))
	if err != nil {
		return fmt.Errorf("heartbeat %s: %w", id, err)
	}
	return nil
}

// LiveWorkers implements store.Heartbeats.
func (db *DB) LiveWorkers(ctx context.Context, since time.Time) ([]string, error) {
	rows, err := db.Reader.Query(ctx, `SELECT id FROM workers WHERE heartbeat_at >= $1 ORDER BY id`, db.Dialect.Time(since))
	out, err := collect(rows, err, func(r Row) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("live workers: %w", err)
	}
	return out, nil
}

// ForgetWorker implements store.Heartbeats.
func (db *DB) ForgetWorker(ctx context.Context, id string) error {
	if _, err := db.Writer.Exec(ctx, `DELETE FROM workers WHERE id = $1`, id); err != nil {
		return fmt.Errorf("forget worker %s: %w", id, err)
	}
	return nil
}

// ReserveIdempotencyKey implements store.Idempotency. One INSERT … ON
// CONFLICT decides it, so two requests with one key never both get it: on
// PostgreSQL the conflict's row lock makes the second wait and see the
// first's row; SQLite has one writer, so none sees the key half taken.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, r store.IdempotencyReservation) (store.IdempotencyRecord, bool, error) {
	var token string
	d := db.Dialect
	err := db.Writer.QueryRow(ctx, `INSERT INTO idempotency_keys (tenant_id, key, token, owner, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id, key) DO UPDATE SET token = excluded.token, owner = excluded.owner, request_hash = '',
			status = NULL, headers = '', body = NULL, created_at = excluded.created_at, expires_at = excluded.expires_at
		WHERE idempotency_keys.expires_at <= $5
		   OR (idempotency_keys.status IS NULL AND NOT EXISTS (
		       SELECT 1 FROM workers w WHERE w.id = idempotency_keys.owner AND w.heartbeat_at >= $7))
		RETURNING token`, r.TenantID, r.Key, r.Token, r.Owner, d.Time(r.Now), d.Time(r.ExpiresAt), d.Time(r.LiveSince)).Scan(&token)
	if err == nil {
		return store.IdempotencyRecord{Token: token, Owner: r.Owner, CreatedAt: r.Now, ExpiresAt: r.ExpiresAt}, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return store.IdempotencyRecord{}, false, fmt.Errorf("reserve idempotency key: %w", err)
	}
	var rec store.IdempotencyRecord
	var status *int64
	err = db.Writer.QueryRow(ctx, `SELECT token, owner, request_hash, status, headers, body, created_at, expires_at
		FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`, r.TenantID, r.Key).
		Scan(&rec.Token, &rec.Owner, &rec.RequestHash, &status, &rec.Headers, &rec.Body, Time(&rec.CreatedAt), Time(&rec.ExpiresAt))
	if errors.Is(err, sql.ErrNoRows) {
		return db.ReserveIdempotencyKey(ctx, r) // released meanwhile: try again
	}
	if err != nil {
		return rec, false, fmt.Errorf("read idempotency key: %w", err)
	}
	if status != nil {
		rec.Status = int(*status)
	}
	return rec, false, nil
}

// CompleteIdempotencyKey implements store.Idempotency.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, tenantID int64, key, token string, rec store.IdempotencyRecord) error {
	_, err := db.Writer.Exec(ctx, `UPDATE idempotency_keys SET request_hash = $1, status = $2, headers = $3, body = $4
		WHERE tenant_id = $5 AND key = $6 AND token = $7`, rec.RequestHash, rec.Status, rec.Headers, rec.Body, tenantID, key, token)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey implements store.Idempotency.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, tenantID int64, key, token string) error {
	_, err := db.Writer.Exec(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND token = $3`, tenantID, key, token)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// PurgeIdempotencyKeys implements store.Idempotency.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	n, err := db.Writer.Exec(ctx, `DELETE FROM idempotency_keys WHERE expires_at < $1`, db.Dialect.Time(before))
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	return int(n), nil
}

// ImportStatusCounts implements store.Ops.
func (db *DB) ImportStatusCounts(ctx context.Context) (map[intake.ImportStatus]int, error) {
	rows, err := db.Reader.Query(ctx, `SELECT status, count(*) FROM imports GROUP BY status`)
	type count struct {
		status string
		n      int
	}
	counts, err := collect(rows, err, func(r Row) (count, error) {
		var c count
		return c, r.Scan(&c.status, &c.n)
	})
	if err != nil {
		return nil, fmt.Errorf("count imports: %w", err)
	}
	out := make(map[intake.ImportStatus]int, len(counts))
	for _, c := range counts {
		out[intake.ImportStatus(c.status)] = c.n
	}
	return out, nil
}
