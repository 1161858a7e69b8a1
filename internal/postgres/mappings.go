package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

var _ store.Mappings = (*DB)(nil)

// SaveMapping implements store.Mappings.
func (db *DB) SaveMapping(ctx context.Context, tenantID int64, m intake.SavedMapping) (intake.SavedMapping, error) {
	now := db.timestamp()
	err := db.pool.QueryRow(ctx, `INSERT INTO saved_mappings (tenant_id, name, mapping, headers, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (tenant_id, name) DO UPDATE SET mapping = excluded.mapping, headers = excluded.headers, updated_at = excluded.updated_at
		RETURNING created_at`, tenantID, m.Name, m.Mapping, m.Headers, now).Scan(&m.CreatedAt)
	if err != nil {
		return m, fmt.Errorf("save mapping %q: %w", m.Name, err)
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), now
	return m, nil
}

// SavedMapping implements store.Mappings.
func (db *DB) SavedMapping(ctx context.Context, tenantID int64, name string) (intake.SavedMapping, error) {
	var m intake.SavedMapping
	err := db.pool.QueryRow(ctx, `SELECT name, mapping, headers, created_at, updated_at FROM saved_mappings
		WHERE tenant_id = $1 AND name = $2`, tenantID, name).Scan(&m.Name, &m.Mapping, &m.Headers, &m.CreatedAt, &m.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, intake.Errorf(intake.ENOTFOUND, "There is no saved mapping %q.", name)
	}
	if err != nil {
		return m, fmt.Errorf("read mapping %q: %w", name, err)
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, nil
}

// SavedMappings implements store.Mappings.
func (db *DB) SavedMappings(ctx context.Context, tenantID int64) ([]intake.SavedMapping, error) {
	rows, err := db.pool.Query(ctx, `SELECT name, mapping, headers, created_at, updated_at FROM saved_mappings
		WHERE tenant_id = $1 ORDER BY name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list mappings: %w", err)
	}
	defer rows.Close()
	out := []intake.SavedMapping{}
	for rows.Next() {
		var m intake.SavedMapping
		if err := rows.Scan(&m.Name, &m.Mapping, &m.Headers, &m.CreatedAt, &m.UpdatedAt); err != nil {
			return nil, fmt.Errorf("list mappings: %w", err)
		}
		m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteMapping implements store.Mappings.
func (db *DB) DeleteMapping(ctx context.Context, tenantID int64, name string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM saved_mappings WHERE tenant_id = $1 AND name = $2`, tenantID, name)
	if err != nil {
		return fmt.Errorf("delete mapping %q: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return intake.Errorf(intake.ENOTFOUND, "There is no saved mapping %q.", name)
	}
	return nil
}

// RememberMapping implements store.Mappings.
func (db *DB) RememberMapping(ctx context.Context, tenantID int64, key string, importID int64, mapping map[string]string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO remembered_mappings (tenant_id, header_key, import_id, mapping, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, header_key) DO UPDATE SET import_id = excluded.import_id, mapping = excluded.mapping, updated_at = excluded.updated_at`,
		tenantID, key, importID, mapping, db.timestamp())
	if err != nil {
		return fmt.Errorf("remember the mapping of import %d: %w", importID, err)
	}
	return nil
}

// RememberedMapping implements store.Mappings.
func (db *DB) RememberedMapping(ctx context.Context, tenantID int64, key string) (int64, map[string]string, error) {
	var id int64
	var m map[string]string
	err := db.pool.QueryRow(ctx, `SELECT import_id, mapping FROM remembered_mappings WHERE tenant_id = $1 AND header_key = $2`,
		tenantID, key).Scan(&id, &m)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, intake.Errorf(intake.ENOTFOUND, "No mapping is remembered for these headers.")
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read the remembered mapping: %w", err)
	}
	return id, m, nil
}
