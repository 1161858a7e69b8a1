package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/intake/intake"
)

// Mapping columns hold JSON: text on SQLite, jsonb on PostgreSQL. Both
// take and give the JSON as a string, so one statement serves both.

// SaveMapping implements store.Mappings.
func (db *DB) SaveMapping(ctx context.Context, tenantID int64, m intake.SavedMapping) (intake.SavedMapping, error) {
	mj, err := json.Marshal(m.Mapping)
	if err != nil {
		return m, fmt.Errorf("save mapping %q: %w", m.Name, err)
	}
	hj, err := json.Marshal(m.Headers)
	if err != nil {
		return m, fmt.Errorf("save mapping %q: %w", m.Name, err)
	}
	now := db.Clock()
	err = db.Writer.QueryRow(ctx, `INSERT INTO saved_mappings (tenant_id, name, mapping, headers, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (tenant_id, name) DO UPDATE SET mapping = excluded.mapping, headers = excluded.headers, updated_at = excluded.updated_at
		RETURNING created_at`, tenantID, m.Name, string(mj), string(hj), db.Dialect.Time(now)).Scan(Time(&m.CreatedAt))
	if err != nil {
		return m, fmt.Errorf("save mapping %q: %w", m.Name, err)
	}
	m.UpdatedAt = now
	return m, nil
}

// SavedMapping implements store.Mappings.
func (db *DB) SavedMapping(ctx context.Context, tenantID int64, name string) (intake.SavedMapping, error) {
	m, err := scanMapping(db.Reader.QueryRow(ctx, `SELECT name, mapping, headers, created_at, updated_at FROM saved_mappings
		WHERE tenant_id = $1 AND name = $2`, tenantID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return m, intake.Errorf(intake.ENOTFOUND, "There is no saved mapping %q.", name)
	}
	if err != nil {
		return m, fmt.Errorf("read mapping %q: %w", name, err)
	}
	return m, nil
}

// SavedMappings implements store.Mappings.
func (db *DB) SavedMappings(ctx context.Context, tenantID int64) ([]intake.SavedMapping, error) {
	rows, err := db.Reader.Query(ctx, `SELECT name, mapping, headers, created_at, updated_at FROM saved_mappings
		WHERE tenant_id = $1 ORDER BY name`, tenantID)
	out, err := collect(rows, err, scanMapping)
	if err != nil {
		return nil, fmt.Errorf("list mappings: %w", err)
	}
	if out == nil {
		out = []intake.SavedMapping{}
	}
	return out, nil
}

func scanMapping(r Row) (intake.SavedMapping, error) {
	var m intake.SavedMapping
	var mj, hj string
	if err := r.Scan(&m.Name, &mj, &hj, Time(&m.CreatedAt), Time(&m.UpdatedAt)); err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(mj), &m.Mapping); err != nil {
		return m, fmt.Errorf("mapping %q: %w", m.Name, err)
	}
	return m, json.Unmarshal([]byte(hj), &m.Headers)
}

// DeleteMapping implements store.Mappings.
func (db *DB) DeleteMapping(ctx context.Context, tenantID int64, name string) error {
	n, err := db.Writer.Exec(ctx, `DELETE FROM saved_mappings WHERE tenant_id = $1 AND name = $2`, tenantID, name)
	if err != nil {
		return fmt.Errorf("delete mapping %q: %w", name, err)
	}
	if n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "There is no saved mapping %q.", name)
	}
	return nil
}

// RememberMapping implements store.Mappings.
func (db *DB) RememberMapping(ctx context.Context, tenantID int64, key string, importID int64, mapping map[string]string) error {
	mj, err := json.Marshal(mapping)
	if err == nil {
		_, err = db.Writer.Exec(ctx, `INSERT INTO remembered_mappings (tenant_id, header_key, import_id, mapping, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, header_key) DO UPDATE SET import_id = excluded.import_id, mapping = excluded.mapping, updated_at = excluded.updated_at`,
			tenantID, key, importID, string(mj), db.Dialect.Time(db.Clock()))
	}
	if err != nil {
		return fmt.Errorf("remember the mapping of import %d: %w", importID, err)
	}
	return nil
}

// RememberedMapping implements store.Mappings.
func (db *DB) RememberedMapping(ctx context.Context, tenantID int64, key string) (int64, map[string]string, error) {
	var id int64
	var mj string
	err := db.Reader.QueryRow(ctx, `SELECT import_id, mapping FROM remembered_mappings WHERE tenant_id = $1 AND header_key = $2`,
		tenantID, key).Scan(&id, &mj)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, intake.Errorf(intake.ENOTFOUND, "No mapping is remembered for these headers.")
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read the remembered mapping: %w", err)
	}
	var m map[string]string
	return id, m, json.Unmarshal([]byte(mj), &m)
}
