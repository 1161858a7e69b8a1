package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// ListAPIKeys implements store.Ops.
func (db *DB) ListAPIKeys(ctx context.Context, tenantID int64) ([]intake.APIKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT k.id, k.tenant_id, t.slug, k.scopes, k.created_at, k.revoked_at
		FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE ?1 = 0 OR k.tenant_id = ?1 ORDER BY k.id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []intake.APIKey
	for rows.Next() {
		var k intake.APIKey
		var scopes string
		var created int64
		var revoked sql.NullInt64
		if err := rows.Scan(&k.ID, &k.TenantID, &k.TenantSlug, &scopes, &created, &revoked); err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		k.Scopes, k.CreatedAt = strings.Split(scopes, ","), fromMicros(created)
		if revoked.Valid {
			at := fromMicros(revoked.Int64)
			k.RevokedAt = &at
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey implements store.Ops.
func (db *DB) RevokeAPIKey(ctx context.Context, tenantID, id int64) error {
	res, err := db.write.ExecContext(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?3)
		WHERE id = ?1 AND (?2 = 0 OR tenant_id = ?2)`, id, tenantID, micros(db.now()))
	if err != nil {
		return fmt.Errorf("revoke api key %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "API key %d not found.", id)
	}
	return nil
}

// BeatWorker implements store.Heartbeats.
func (db *DB) BeatWorker(ctx context.Context, id string, at time.Time) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO workers (id, started_at, heartbeat_at) VALUES (?1, ?2, ?2)
		ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`, id, micros(at))
	if err != nil {
		return fmt.Errorf("heartbeat %s: %w", id, err)
	}
	return nil
}

// LiveWorkers implements store.Heartbeats.
func (db *DB) LiveWorkers(ctx context.Context, since time.Time) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM workers WHERE heartbeat_at >= ? ORDER BY id`, micros(since))
	if err != nil {
		return nil, fmt.Errorf("live workers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("live workers: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ForgetWorker implements store.Heartbeats.
func (db *DB) ForgetWorker(ctx context.Context, id string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM workers WHERE id = ?`, id); err != nil {
		return fmt.Errorf("forget worker %s: %w", id, err)
	}
	return nil
}

// ReserveIdempotencyKey implements store.Idempotency. One UPSERT decides
// it: SQLite has one writer, so no other request sees the key half taken.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, r store.IdempotencyReservation) (store.IdempotencyRecord, bool, error) {
	var token string
	err := db.write.QueryRowContext(ctx, `INSERT INTO idempotency_keys (tenant_id, key, token, owner, created_at, expires_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6)
		ON CONFLICT (tenant_id, key) DO UPDATE SET token = excluded.token, owner = excluded.owner, request_hash = '',
			status = NULL, headers = '', body = NULL, created_at = excluded.created_at, expires_at = excluded.expires_at
		WHERE idempotency_keys.expires_at <= ?5
		   OR (idempotency_keys.status IS NULL AND NOT EXISTS (
		       SELECT 1 FROM workers w WHERE w.id = idempotency_keys.owner AND w.heartbeat_at >= ?7))
		RETURNING token`, r.TenantID, r.Key, r.Token, r.Owner, micros(r.Now), micros(r.ExpiresAt), micros(r.LiveSince)).Scan(&token)
	if err == nil {
		return store.IdempotencyRecord{Token: token, Owner: r.Owner, CreatedAt: r.Now, ExpiresAt: r.ExpiresAt}, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return store.IdempotencyRecord{}, false, fmt.Errorf("reserve idempotency key: %w", err)
	}
	var rec store.IdempotencyRecord
	var status sql.NullInt64
	var created, expires int64
	err = db.read.QueryRowContext(ctx, `SELECT token, owner, request_hash, status, headers, coalesce(body, x''), created_at, expires_at
		FROM idempotency_keys WHERE tenant_id = ? AND key = ?`, r.TenantID, r.Key).
		Scan(&rec.Token, &rec.Owner, &rec.RequestHash, &status, &rec.Headers, &rec.Body, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return db.ReserveIdempotencyKey(ctx, r) // released meanwhile: try again
	}
	if err != nil {
		return rec, false, fmt.Errorf("read idempotency key: %w", err)
	}
	rec.Status, rec.CreatedAt, rec.ExpiresAt = int(status.Int64), fromMicros(created), fromMicros(expires)
	return rec, false, nil
}

// CompleteIdempotencyKey implements store.Idempotency.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, tenantID int64, key, token string, rec store.IdempotencyRecord) error {
	_, err := db.write.ExecContext(ctx, `UPDATE idempotency_keys SET request_hash = ?, status = ?, headers = ?, body = ?
		WHERE tenant_id = ? AND key = ? AND token = ?`, rec.RequestHash, rec.Status, rec.Headers, rec.Body, tenantID, key, token)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey implements store.Idempotency.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, tenantID int64, key, token string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ? AND token = ?`, tenantID, key, token)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// PurgeIdempotencyKeys implements store.Idempotency.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at < ?`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ImportStatusCounts implements store.Ops.
func (db *DB) ImportStatusCounts(ctx context.Context) (map[intake.ImportStatus]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT status, count(*) FROM imports GROUP BY status`)
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

// Ready implements store.Ops: the reader pool answers and goose finds no
// pending migration (a reader suffices, so the check never waits for the
// one writer).
func (db *DB) Ready(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.read, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("sqlite migrations: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("sqlite migrations: %w", err)
	}
	if pending {
		return errors.New("sqlite: migrations pending; run intake migrate")
	}
	return nil
}
