package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// ListAPIKeys implements store.Ops.
func (db *DB) ListAPIKeys(ctx context.Context, tenantID int64) ([]intake.APIKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT k.id, k.tenant_id, t.slug, k.scopes, k.created_at, k.revoked_at
		FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE $1 = 0 OR k.tenant_id = $1 ORDER BY k.id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []intake.APIKey
	for rows.Next() {
		var k intake.APIKey
		var scopes string
		if err := rows.Scan(&k.ID, &k.TenantID, &k.TenantSlug, &scopes, &k.CreatedAt, &k.RevokedAt); err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		k.Scopes, k.CreatedAt = strings.Split(scopes, ","), k.CreatedAt.UTC()
		if k.RevokedAt != nil {
			at := k.RevokedAt.UTC()
			k.RevokedAt = &at
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey implements store.Ops.
func (db *DB) RevokeAPIKey(ctx context.Context, tenantID, id int64) error {
	tag, err := db.pool.Exec(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3)
		WHERE id = $1 AND ($2 = 0 OR tenant_id = $2)`, id, tenantID, db.timestamp())
	if err != nil {
		return fmt.Errorf("revoke api key %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return intake.Errorf(intake.ENOTFOUND, "API key %d not found.", id)
	}
	return nil
}

// BeatWorker implements store.Heartbeats.
func (db *DB) BeatWorker(ctx context.Context, id string, at time.Time) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO workers (id, started_at, heartbeat_at) VALUES ($1, $2, $2)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at`, id, at.UTC())
	if err != nil {
		return fmt.Errorf("heartbeat %s: %w", id, err)
	}
	return nil
}

// LiveWorkers implements store.Heartbeats.
func (db *DB) LiveWorkers(ctx context.Context, since time.Time) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT id FROM workers WHERE heartbeat_at >= $1 ORDER BY id`, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("live workers: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("live workers: %w", err)
	}
	return ids, nil
}

// ForgetWorker implements store.Heartbeats.
func (db *DB) ForgetWorker(ctx context.Context, id string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM workers WHERE id = $1`, id); err != nil {
		return fmt.Errorf("forget worker %s: %w", id, err)
	}
	return nil
}

// ReserveIdempotencyKey implements store.Idempotency. One INSERT … ON
// CONFLICT decides it, so two requests with one key never both get it: the
// row lock of the conflict makes the second wait and see the first's row.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, r store.IdempotencyReservation) (store.IdempotencyRecord, bool, error) {
	var token string
	err := db.pool.QueryRow(ctx, `INSERT INTO idempotency_keys (tenant_id, key, token, owner, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id, key) DO UPDATE SET token = EXCLUDED.token, owner = EXCLUDED.owner, request_hash = '',
			status = NULL, headers = '', body = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
		WHERE idempotency_keys.expires_at <= $5
		   OR (idempotency_keys.status IS NULL AND NOT EXISTS (
		       SELECT 1 FROM workers w WHERE w.id = idempotency_keys.owner AND w.heartbeat_at >= $7))
		RETURNING token`, r.TenantID, r.Key, r.Token, r.Owner, r.Now.UTC(), r.ExpiresAt.UTC(), r.LiveSince.UTC()).Scan(&token)
	if err == nil {
		return store.IdempotencyRecord{Token: token, Owner: r.Owner, CreatedAt: r.Now, ExpiresAt: r.ExpiresAt}, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.IdempotencyRecord{}, false, fmt.Errorf("reserve idempotency key: %w", err)
	}
	var rec store.IdempotencyRecord
	var status *int32
	err = db.pool.QueryRow(ctx, `SELECT token, owner, request_hash, status, headers, coalesce(body, ''::bytea), created_at, expires_at
		FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`, r.TenantID, r.Key).
		Scan(&rec.Token, &rec.Owner, &rec.RequestHash, &status, &rec.Headers, &rec.Body, &rec.CreatedAt, &rec.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
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
	_, err := db.pool.Exec(ctx, `UPDATE idempotency_keys SET request_hash = $1, status = $2, headers = $3, body = $4
		WHERE tenant_id = $5 AND key = $6 AND token = $7`, rec.RequestHash, rec.Status, rec.Headers, rec.Body, tenantID, key, token)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey implements store.Idempotency.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, tenantID int64, key, token string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND token = $3`, tenantID, key, token)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// PurgeIdempotencyKeys implements store.Idempotency.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE expires_at < $1`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// ImportStatusCounts implements store.Ops.
func (db *DB) ImportStatusCounts(ctx context.Context) (map[intake.ImportStatus]int, error) {
	rows, err := db.pool.Query(ctx, `SELECT status, count(*) FROM imports GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count imports: %w", err)
	}
	defer rows.Close()
	out := map[intake.ImportStatus]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count imports: %w", err)
		}
		out[intake.ImportStatus(s)] = n
	}
	return out, rows.Err()
}

// Ready implements store.Ops: the pool answers and goose finds no pending
// migration in the store's schema.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	if pending {
		return errors.New("postgres: migrations pending; run intake migrate")
	}
	return nil
}
