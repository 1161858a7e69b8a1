package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/intake/intake"
)

// EnsureTenant implements store.Store.
func (db *DB) EnsureTenant(ctx context.Context, slug string) (intake.Tenant, error) {
	t := intake.Tenant{Slug: slug}
	// DO UPDATE (a no-op) rather than DO NOTHING so RETURNING yields the
	// existing row too.
	err := db.Writer.QueryRow(ctx, `INSERT INTO tenants (slug, created_at) VALUES ($1, $2)
		 ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug
		 RETURNING id, created_at`, slug, db.Dialect.Time(db.Clock())).Scan(&t.ID, Time(&t.CreatedAt))
	if err != nil {
		return t, fmt.Errorf("ensure tenant %q: %w", slug, err)
	}
	return t, nil
}

// CreateAPIKey implements store.Store.
func (db *DB) CreateAPIKey(ctx context.Context, tenantID int64, hash string, scopes []string) error {
	_, err := db.Writer.Exec(ctx, `INSERT INTO api_keys (tenant_id, hash, scopes, created_at) VALUES ($1, $2, $3, $4)`,
		tenantID, hash, strings.Join(scopes, ","), db.Dialect.Time(db.Clock()))
	if err != nil {
		return fmt.Errorf("create api key: %w", err)
	}
	return nil
}

// Authenticate implements store.Store.
func (db *DB) Authenticate(ctx context.Context, hash string) (intake.Principal, error) {
	var p intake.Principal
	var scopes string
	err := db.Reader.QueryRow(ctx,
		`SELECT t.id, t.slug, t.created_at, k.scopes, k.id FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
		 WHERE k.hash = $1 AND k.revoked_at IS NULL`, // no cache: a revoked key fails from the next request on
		hash).Scan(&p.Tenant.ID, &p.Tenant.Slug, Time(&p.Tenant.CreatedAt), &scopes, &p.KeyID)
	if errors.Is(err, sql.ErrNoRows) {
		return p, intake.Errorf(intake.EUNAUTHORIZED, "The API key is not valid.")
	}
	if err != nil {
		return p, fmt.Errorf("authenticate: %w", err)
	}
	p.Scopes = strings.Split(scopes, ",")
	return p, nil
}

// Settings implements store.Settings.
func (db *DB) Settings(ctx context.Context, tenantID int64) (intake.Settings, error) {
	var s intake.Settings
	err := db.Reader.QueryRow(ctx, `SELECT region, undo_disabled, undo_days FROM tenants WHERE id = $1`, tenantID).Scan(&s.Region, &s.UndoDisabled, &s.UndoDays)
	if errors.Is(err, sql.ErrNoRows) {
		return s, intake.Errorf(intake.ENOTFOUND, "Tenant %d not found.", tenantID)
	}
	if err != nil {
		return s, fmt.Errorf("read settings of tenant %d: %w", tenantID, err)
	}
	return s, nil
}

// SaveSettings implements store.Settings.
func (db *DB) SaveSettings(ctx context.Context, tenantID int64, s intake.Settings) error {
	n, err := db.Writer.Exec(ctx, `UPDATE tenants SET region = $1, undo_disabled = $3, undo_days = $4 WHERE id = $2`, s.Region, tenantID, s.UndoDisabled, s.UndoDays)
	if err != nil {
		return fmt.Errorf("save settings of tenant %d: %w", tenantID, err)
	}
	if n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Tenant %d not found.", tenantID)
	}
	return nil
}
