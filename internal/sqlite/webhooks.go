package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Webhook subscriptions, their outbox and deliveries (store.Webhooks,
// store.FollowupTx). Events are stored as ",type,type," so one LIKE finds
// the subscriptions that take a type.

const webhookCols = `id, tenant_id, url, events, description, secret, status, paused_reason, failing_since, created_at, updated_at`

func joinEvents(events []string) string { return "," + strings.Join(events, ",") + "," }

func splitEvents(s string) []string { return strings.Split(strings.Trim(s, ","), ",") }

func scanWebhook(s scanner) (intake.Webhook, error) {
	var w intake.Webhook
	var events string
	var failing sql.NullInt64
	var created, updated int64
	err := s.Scan(&w.ID, &w.TenantID, &w.URL, &events, &w.Description, &w.Secret, &w.Status, &w.PausedReason, &failing, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return w, intake.Errorf(intake.ENOTFOUND, "Webhook not found.")
	}
	w.Events, w.CreatedAt, w.UpdatedAt = splitEvents(events), fromMicros(created), fromMicros(updated)
	if failing.Valid {
		at := fromMicros(failing.Int64)
		w.FailingSince = &at
	}
	return w, err
}

// CreateWebhook implements store.Webhooks.
func (db *DB) CreateWebhook(ctx context.Context, w *intake.Webhook) error {
	now := db.now().UTC()
	err := db.write.QueryRowContext(ctx, `INSERT INTO webhooks (tenant_id, url, events, description, secret, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, w.TenantID, w.URL, joinEvents(w.Events), w.Description, w.Secret, w.Status,
		micros(now), micros(now)).Scan(&w.ID)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	w.CreatedAt, w.UpdatedAt = fromMicros(micros(now)), fromMicros(micros(now))
	return nil
}

// ListWebhooks implements store.Webhooks.
func (db *DB) ListWebhooks(ctx context.Context, tenantID, after int64, limit int) ([]intake.Webhook, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`, tenantID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	var out []intake.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		w.Secret = ""
		out = append(out, w)
	}
	return out, rows.Err()
}

// GetWebhook implements store.Webhooks.
func (db *DB) GetWebhook(ctx context.Context, tenantID, id int64) (intake.Webhook, error) {
	return scanWebhook(db.read.QueryRowContext(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = ? AND id = ?`, tenantID, id))
}

// UpdateWebhook implements store.Webhooks.
func (db *DB) UpdateWebhook(ctx context.Context, tenantID, id int64, fn func(*intake.Webhook) error) (intake.Webhook, error) {
	t, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return intake.Webhook{}, fmt.Errorf("begin: %w", err)
	}
	defer t.Rollback()
	w, err := scanWebhook(t.QueryRowContext(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return w, err
	}
	if err := fn(&w); err != nil {
		return w, err
	}
	w.UpdatedAt = fromMicros(micros(db.now()))
	var failing any
	if w.FailingSince != nil {
		failing = micros(*w.FailingSince)
	}
	_, err = t.ExecContext(ctx, `UPDATE webhooks SET url = ?, events = ?, description = ?, secret = ?, status = ?, paused_reason = ?,
		failing_since = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`, w.URL, joinEvents(w.Events), w.Description, w.Secret,
		w.Status, w.PausedReason, failing, micros(w.UpdatedAt), tenantID, id)
	if err != nil {
		return w, fmt.Errorf("update webhook %d: %w", id, err)
	}
	return w, t.Commit()
}

// DeleteWebhook implements store.Webhooks.
func (db *DB) DeleteWebhook(ctx context.Context, tenantID, id int64) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM webhooks WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if err != nil {
		return fmt.Errorf("delete webhook %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Webhook not found.")
	}
	_, err = db.write.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE tenant_id = ? AND webhook_id = ?`, tenantID, id)
	return err
}

const deliveryCols = `d.id, d.webhook_id, e.event_id, e.type, d.status, d.attempts, d.status_code, d.last_error, d.next_attempt_at, d.created_at, d.updated_at`

func scanDelivery(s scanner, extra ...any) (intake.WebhookDelivery, error) {
	var d intake.WebhookDelivery
	var next sql.NullInt64
	var created, updated int64
	dest := append([]any{&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.Status, &d.Attempts, &d.StatusCode, &d.LastError,
		&next, &created, &updated}, extra...)
	if err := s.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return d, intake.Errorf(intake.ENOTFOUND, "Delivery not found.")
		}
		return d, err
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	if next.Valid {
		at := fromMicros(next.Int64)
		d.NextAttemptAt = &at
	}
	return d, nil
}

// ListDeliveries implements store.Webhooks.
func (db *DB) ListDeliveries(ctx context.Context, tenantID, webhookID, before int64, limit int) ([]intake.WebhookDelivery, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event
		WHERE d.tenant_id = ?1 AND d.webhook_id = ?2 AND (?3 = 0 OR d.id < ?3) ORDER BY d.id DESC LIMIT ?4`, tenantID, webhookID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	defer rows.Close()
	var out []intake.WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("list deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PendingDelivery implements store.Webhooks.
func (db *DB) PendingDelivery(ctx context.Context, tenantID, id int64) (intake.WebhookDelivery, []byte, error) {
	var body []byte
	d, err := scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryCols+`, e.body FROM webhook_deliveries d
		JOIN webhook_events e ON e.id = d.event WHERE d.tenant_id = ? AND d.id = ?`, tenantID, id), &body)
	return d, body, err
}

// SaveDeliveryAttempt implements store.Webhooks.
func (db *DB) SaveDeliveryAttempt(ctx context.Context, tenantID int64, d *intake.WebhookDelivery) error {
	var next any
	if d.NextAttemptAt != nil {
		next = micros(*d.NextAttemptAt)
	}
	d.UpdatedAt = fromMicros(micros(db.now()))
	_, err := db.write.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, status_code = ?, last_error = ?,
		next_attempt_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`, d.Status, d.Attempts, d.StatusCode, d.LastError, next,
		micros(d.UpdatedAt), tenantID, d.ID)
	if err != nil {
		return fmt.Errorf("save delivery %d: %w", d.ID, err)
	}
	return nil
}

// addWebhookEvent is FollowupTx.AddWebhookEvent on either transaction.
func addWebhookEvent(ctx context.Context, t *sql.Tx, tenantID int64, ev store.WebhookEvent) ([]int64, error) {
	rows, err := t.QueryContext(ctx, `SELECT id FROM webhooks WHERE tenant_id = ? AND status = ?
		AND (events LIKE '%,' || ? || ',%' OR events LIKE '%,*,%') ORDER BY id`, tenantID, intake.WebhookActive, ev.Type)
	if err != nil {
		return nil, fmt.Errorf("find webhooks: %w", err)
	}
	var hooks []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find webhooks: %w", err)
		}
		hooks = append(hooks, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(hooks) == 0 {
		return nil, err
	}
	at := micros(ev.At)
	var evRow int64
	if err := t.QueryRowContext(ctx, `INSERT INTO webhook_events (tenant_id, event_id, type, body, created_at) VALUES (?, ?, ?, ?, ?)
		RETURNING id`, tenantID, ev.ID, ev.Type, ev.Body, at).Scan(&evRow); err != nil {
		return nil, fmt.Errorf("store event: %w", err)
	}
	ids := make([]int64, len(hooks))
	for i, h := range hooks {
		if err := t.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (tenant_id, webhook_id, event, status, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, tenantID, h, evRow, intake.DeliveryPending, at, at, at).Scan(&ids[i]); err != nil {
			return nil, fmt.Errorf("store delivery: %w", err)
		}
	}
	return ids, nil
}

// AddWebhookEvent implements store.FollowupTx.
func (t *tx) AddWebhookEvent(ctx context.Context, ev store.WebhookEvent) ([]int64, error) {
	return addWebhookEvent(ctx, t.tx, t.tenantID, ev)
}

// RebuildSelections implements store.FollowupTx.
func (t *tx) RebuildSelections(ctx context.Context) error {
	return rebuildSelections(ctx, t.tx, t.tenantID, t.now)
}

// Driver implements store.FollowupTx.
func (t *tx) Driver() any { return t.tx }

// AddWebhookEvent implements store.FollowupTx.
func (t *jobTx) AddWebhookEvent(ctx context.Context, ev store.WebhookEvent) ([]int64, error) {
	return addWebhookEvent(ctx, t.tx, t.tenantID, ev)
}

// RebuildSelections implements store.FollowupTx.
func (t *jobTx) RebuildSelections(ctx context.Context) error {
	return rebuildSelections(ctx, t.tx, t.tenantID, t.now())
}
