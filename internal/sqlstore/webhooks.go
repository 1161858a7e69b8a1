package sqlstore

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

func scanWebhook(r Row) (intake.Webhook, error) {
	var w intake.Webhook
	var events string
	err := r.Scan(&w.ID, &w.TenantID, &w.URL, &events, &w.Description, &w.Secret, &w.Status, &w.PausedReason, NullTime(&w.FailingSince),
		Time(&w.CreatedAt), Time(&w.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return w, intake.Errorf(intake.ENOTFOUND, "Webhook not found.")
	}
	w.Events = splitEvents(events)
	return w, err
}

// CreateWebhook implements store.Webhooks.
func (db *DB) CreateWebhook(ctx context.Context, w *intake.Webhook) error {
	now := db.Clock()
	err := db.Writer.QueryRow(ctx, `INSERT INTO webhooks (tenant_id, url, events, description, secret, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, w.TenantID, w.URL, joinEvents(w.Events), w.Description, w.Secret, w.Status,
		db.Dialect.Time(now)).Scan(&w.ID)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	w.CreatedAt, w.UpdatedAt = now, now
	return nil
}

// ListWebhooks implements store.Webhooks. Secrets are not listed.
func (db *DB) ListWebhooks(ctx context.Context, tenantID, after int64, limit int) ([]intake.Webhook, error) {
	rows, err := db.Reader.Query(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, after, limit)
	out, err := collect(rows, err, func(r Row) (intake.Webhook, error) {
		w, err := scanWebhook(r)
		w.Secret = ""
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// GetWebhook implements store.Webhooks.
func (db *DB) GetWebhook(ctx context.Context, tenantID, id int64) (intake.Webhook, error) {
	return scanWebhook(db.Reader.QueryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = $1 AND id = $2`, tenantID, id))
}

// UpdateWebhook implements store.Webhooks.
func (db *DB) UpdateWebhook(ctx context.Context, tenantID, id int64, fn func(*intake.Webhook) error) (intake.Webhook, error) {
	var w intake.Webhook
	err := db.InTx(ctx, func(q Querier) error {
		var err error
		w, err = scanWebhook(q.QueryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = $1 AND id = $2`+db.Dialect.ForUpdate, tenantID, id))
		if err != nil {
			return err
		}
		if err := fn(&w); err != nil {
			return err
		}
		w.UpdatedAt = db.Clock()
		_, err = q.Exec(ctx, `UPDATE webhooks SET url = $1, events = $2, description = $3, secret = $4, status = $5, paused_reason = $6,
		failing_since = $7, updated_at = $8 WHERE tenant_id = $9 AND id = $10`, w.URL, joinEvents(w.Events), w.Description, w.Secret,
			w.Status, w.PausedReason, db.Dialect.NullTime(w.FailingSince), db.Dialect.Time(w.UpdatedAt), tenantID, id)
		if err != nil {
			return fmt.Errorf("update webhook %d: %w", id, err)
		}
		return nil
	})
	return w, err
}

// DeleteWebhook implements store.Webhooks.
func (db *DB) DeleteWebhook(ctx context.Context, tenantID, id int64) error {
	return db.InTx(ctx, func(q Querier) error {
		n, err := q.Exec(ctx, `DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		if err != nil {
			return fmt.Errorf("delete webhook %d: %w", id, err)
		}
		if n == 0 {
			return intake.Errorf(intake.ENOTFOUND, "Webhook not found.")
		}
		_, err = q.Exec(ctx, `DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2`, tenantID, id)
		return err
	})
}

const deliveryCols = `d.id, d.webhook_id, e.event_id, e.type, d.status, d.attempts, d.status_code, d.last_error, d.next_attempt_at, d.created_at, d.updated_at`

func scanDelivery(r Row, extra ...any) (intake.WebhookDelivery, error) {
	var d intake.WebhookDelivery
	dest := append([]any{&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.Status, &d.Attempts, &d.StatusCode, &d.LastError,
		NullTime(&d.NextAttemptAt), Time(&d.CreatedAt), Time(&d.UpdatedAt)}, extra...)
	if err := r.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return d, intake.Errorf(intake.ENOTFOUND, "Delivery not found.")
		}
		return d, err
	}
	return d, nil
}

// ListDeliveries implements store.Webhooks.
func (db *DB) ListDeliveries(ctx context.Context, tenantID, webhookID, before int64, limit int) ([]intake.WebhookDelivery, error) {
	rows, err := db.Reader.Query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event
		WHERE d.tenant_id = $1 AND d.webhook_id = $2 AND ($3 = 0 OR d.id < $3) ORDER BY d.id DESC LIMIT $4`, tenantID, webhookID, before, limit)
	out, err := collect(rows, err, func(r Row) (intake.WebhookDelivery, error) { return scanDelivery(r) })
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return out, nil
}

// PendingDelivery implements store.Webhooks.
func (db *DB) PendingDelivery(ctx context.Context, tenantID, id int64) (intake.WebhookDelivery, []byte, error) {
	var body []byte
	d, err := scanDelivery(db.Reader.QueryRow(ctx, `SELECT `+deliveryCols+`, e.body FROM webhook_deliveries d
		JOIN webhook_events e ON e.id = d.event WHERE d.tenant_id = $1 AND d.id = $2`, tenantID, id), &body)
	return d, body, err
}

// SaveDeliveryAttempt implements store.Webhooks.
func (db *DB) SaveDeliveryAttempt(ctx context.Context, tenantID int64, d *intake.WebhookDelivery) error {
	d.UpdatedAt = db.Clock()
	_, err := db.Writer.Exec(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = $2, status_code = $3, last_error = $4,
		next_attempt_at = $5, updated_at = $6 WHERE tenant_id = $7 AND id = $8`, d.Status, d.Attempts, d.StatusCode, d.LastError,
		db.Dialect.NullTime(d.NextAttemptAt), db.Dialect.Time(d.UpdatedAt), tenantID, d.ID)
	if err != nil {
		return fmt.Errorf("save delivery %d: %w", d.ID, err)
	}
	return nil
}

// AddWebhookEvent implements store.FollowupTx: the event once, and one
// pending delivery per active subscription that takes its type, in one
// INSERT … SELECT over the subscriptions' ids.
func (t *Tx) AddWebhookEvent(ctx context.Context, ev store.WebhookEvent) ([]int64, error) {
	rows, err := t.Q.Query(ctx, `SELECT id FROM webhooks WHERE tenant_id = $1 AND status = $2
		AND (events LIKE '%,' || $3 || ',%' OR events LIKE '%,*,%') ORDER BY id`, t.TenantID, intake.WebhookActive, ev.Type)
	hooks, err := collect(rows, err, func(r Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil || len(hooks) == 0 {
		return nil, err
	}
	at := t.Dialect.Time(ev.At)
	var evRow int64
	if err := t.Q.QueryRow(ctx, `INSERT INTO webhook_events (tenant_id, event_id, type, body, created_at) VALUES ($1, $2, $3, $4, $5)
		RETURNING id`, t.TenantID, ev.ID, ev.Type, ev.Body, at).Scan(&evRow); err != nil {
		return nil, fmt.Errorf("store event: %w", err)
	}
	rows, err = t.Q.Query(ctx, `INSERT INTO webhook_deliveries (tenant_id, webhook_id, event, status, next_attempt_at, created_at, updated_at)
		SELECT $1, h.value, $2, $3, $4, $4, $4 FROM (`+t.Dialect.Each("$5", "bigint")+`) h WHERE true ORDER BY h.value RETURNING id`,
		t.TenantID, evRow, intake.DeliveryPending, at, t.Dialect.List(hooks))
	ids, err := collect(rows, err, func(r Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("store deliveries: %w", err)
	}
	return ids, nil
}
