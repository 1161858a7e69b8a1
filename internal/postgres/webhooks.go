package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Webhook subscriptions, their outbox and deliveries (store.Webhooks,
// store.FollowupTx). Events are stored as ",type,type," so one LIKE finds
// the subscriptions that take a type.

const webhookCols = `id, tenant_id, url, events, description, secret, status, paused_reason, failing_since, created_at, updated_at`

func joinEvents(events []string) string { return "," + strings.Join(events, ",") + "," }

func splitEvents(s string) []string { return strings.Split(strings.Trim(s, ","), ",") }

func scanWebhook(s pgx.Row) (intake.Webhook, error) {
	var w intake.Webhook
	var events string
	err := s.Scan(&w.ID, &w.TenantID, &w.URL, &events, &w.Description, &w.Secret, &w.Status, &w.PausedReason, &w.FailingSince,
		&w.CreatedAt, &w.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return w, intake.Errorf(intake.ENOTFOUND, "Webhook not found.")
	}
	w.Events = splitEvents(events)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	if w.FailingSince != nil {
		at := w.FailingSince.UTC()
		w.FailingSince = &at
	}
	return w, err
}

// CreateWebhook implements store.Webhooks.
func (db *DB) CreateWebhook(ctx context.Context, w *intake.Webhook) error {
	now := db.timestamp()
	err := db.pool.QueryRow(ctx, `INSERT INTO webhooks (tenant_id, url, events, description, secret, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, w.TenantID, w.URL, joinEvents(w.Events), w.Description, w.Secret, w.Status,
		now).Scan(&w.ID)
	if err != nil {
		return fmt.Errorf("create webhook: %w", err)
	}
	w.CreatedAt, w.UpdatedAt = now, now
	return nil
}

// ListWebhooks implements store.Webhooks.
func (db *DB) ListWebhooks(ctx context.Context, tenantID, after int64, limit int) ([]intake.Webhook, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, after, limit)
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
	return scanWebhook(db.pool.QueryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = $1 AND id = $2`, tenantID, id))
}

// UpdateWebhook implements store.Webhooks.
func (db *DB) UpdateWebhook(ctx context.Context, tenantID, id int64, fn func(*intake.Webhook) error) (intake.Webhook, error) {
	t, err := db.pool.Begin(ctx)
	if err != nil {
		return intake.Webhook{}, fmt.Errorf("begin: %w", err)
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	w, err := scanWebhook(t.QueryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, tenantID, id))
	if err != nil {
		return w, err
	}
	if err := fn(&w); err != nil {
		return w, err
	}
	w.UpdatedAt = db.timestamp()
	_, err = t.Exec(ctx, `UPDATE webhooks SET url = $1, events = $2, description = $3, secret = $4, status = $5, paused_reason = $6,
		failing_since = $7, updated_at = $8 WHERE tenant_id = $9 AND id = $10`, w.URL, joinEvents(w.Events), w.Description, w.Secret,
		w.Status, w.PausedReason, w.FailingSince, w.UpdatedAt, tenantID, id)
	if err != nil {
		return w, fmt.Errorf("update webhook %d: %w", id, err)
	}
	return w, t.Commit(ctx)
}

// DeleteWebhook implements store.Webhooks.
func (db *DB) DeleteWebhook(ctx context.Context, tenantID, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return fmt.Errorf("delete webhook %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Webhook not found.")
	}
	_, err = db.pool.Exec(ctx, `DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2`, tenantID, id)
	return err
}

const deliveryCols = `d.id, d.webhook_id, e.event_id, e.type, d.status, d.attempts, d.status_code, d.last_error, d.next_attempt_at, d.created_at, d.updated_at`

func scanDelivery(s pgx.Row, extra ...any) (intake.WebhookDelivery, error) {
	var d intake.WebhookDelivery
	dest := append([]any{&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.Status, &d.Attempts, &d.StatusCode, &d.LastError,
		&d.NextAttemptAt, &d.CreatedAt, &d.UpdatedAt}, extra...)
	if err := s.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return d, intake.Errorf(intake.ENOTFOUND, "Delivery not found.")
		}
		return d, err
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	if d.NextAttemptAt != nil {
		at := d.NextAttemptAt.UTC()
		d.NextAttemptAt = &at
	}
	return d, nil
}

// ListDeliveries implements store.Webhooks.
func (db *DB) ListDeliveries(ctx context.Context, tenantID, webhookID, before int64, limit int) ([]intake.WebhookDelivery, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event
		WHERE d.tenant_id = $1 AND d.webhook_id = $2 AND ($3 = 0 OR d.id < $3) ORDER BY d.id DESC LIMIT $4`, tenantID, webhookID, before, limit)
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
	d, err := scanDelivery(db.pool.QueryRow(ctx, `SELECT `+deliveryCols+`, e.body FROM webhook_deliveries d
		JOIN webhook_events e ON e.id = d.event WHERE d.tenant_id = $1 AND d.id = $2`, tenantID, id), &body)
	return d, body, err
}

// SaveDeliveryAttempt implements store.Webhooks.
func (db *DB) SaveDeliveryAttempt(ctx context.Context, tenantID int64, d *intake.WebhookDelivery) error {
	d.UpdatedAt = db.timestamp()
	_, err := db.pool.Exec(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = $2, status_code = $3, last_error = $4,
		next_attempt_at = $5, updated_at = $6 WHERE tenant_id = $7 AND id = $8`, d.Status, d.Attempts, d.StatusCode, d.LastError,
		d.NextAttemptAt, d.UpdatedAt, tenantID, d.ID)
	if err != nil {
		return fmt.Errorf("save delivery %d: %w", d.ID, err)
	}
	return nil
}

// addWebhookEvent is FollowupTx.AddWebhookEvent on either transaction.
func addWebhookEvent(ctx context.Context, t pgx.Tx, tenantID int64, ev store.WebhookEvent) ([]int64, error) {
	rows, err := t.Query(ctx, `SELECT id FROM webhooks WHERE tenant_id = $1 AND status = $2
		AND (events LIKE '%,' || $3 || ',%' OR events LIKE '%,*,%') ORDER BY id`, tenantID, intake.WebhookActive, ev.Type)
	if err != nil {
		return nil, fmt.Errorf("find webhooks: %w", err)
	}
	hooks, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(hooks) == 0 {
		return nil, err
	}
	at := ev.At.UTC().Truncate(time.Microsecond)
	var evRow int64
	if err := t.QueryRow(ctx, `INSERT INTO webhook_events (tenant_id, event_id, type, body, created_at) VALUES ($1, $2, $3, $4, $5)
		RETURNING id`, tenantID, ev.ID, ev.Type, ev.Body, at).Scan(&evRow); err != nil {
		return nil, fmt.Errorf("store event: %w", err)
	}
	rows, err = t.Query(ctx, `INSERT INTO webhook_deliveries (tenant_id, webhook_id, event, status, next_attempt_at, created_at, updated_at)
		SELECT $1, h, $2, $3, $4, $4, $4 FROM unnest($5::bigint[]) AS h ORDER BY h RETURNING id`, tenantID, evRow, intake.DeliveryPending, at, hooks)
	if err != nil {
		return nil, fmt.Errorf("store deliveries: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
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
