package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

var _ store.Mappings = (*DB)(nil)

// SaveMapping implements store.Mappings.
func (db *DB) SaveMapping(ctx context.Context, tenantID int64, m intake.SavedMapping) (intake.SavedMapping, error) {
	mj, _ := json.Marshal(m.Mapping)
	hj, _ := json.Marshal(m.Headers)
	now := fromMicros(micros(db.now()))
	var created int64
	err := db.write.QueryRowContext(ctx, `INSERT INTO saved_mappings (tenant_id, name, mapping, headers, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, name) DO UPDATE SET mapping = excluded.mapping, headers = excluded.headers, updated_at = excluded.updated_at
		RETURNING created_at`, tenantID, m.Name, string(mj), string(hj), micros(now), micros(now)).Scan(&created)
	if err != nil {
		return m, fmt.Errorf("save mapping %q: %w", m.Name, err)
	}
	m.CreatedAt, m.UpdatedAt = fromMicros(created), now
	return m, nil
}

// SavedMapping implements store.Mappings.
func (db *DB) SavedMapping(ctx context.Context, tenantID int64, name string) (intake.SavedMapping, error) {
	row := db.read.QueryRowContext(ctx, `SELECT name, mapping, headers, created_at, updated_at FROM saved_mappings
		WHERE tenant_id = ? AND name = ?`, tenantID, name)
	m, err := scanMapping(row)
	if errors.Is(err, sql.ErrNoRows) {
		return m, intake.Errorf(intake.ENOTFOUND, "There is no saved mapping %q.", name)
	}
	return m, err
}

// SavedMappings implements store.Mappings.
func (db *DB) SavedMappings(ctx context.Context, tenantID int64) ([]intake.SavedMapping, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name, mapping, headers, created_at, updated_at FROM saved_mappings
		WHERE tenant_id = ? ORDER BY name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list mappings: %w", err)
	}
	defer rows.Close()
	out := []intake.SavedMapping{}
	for rows.Next() {
		m, err := scanMapping(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func scanMapping(s scanner) (intake.SavedMapping, error) {
	var m intake.SavedMapping
	var mj, hj string
	var created, updated int64
	if err := s.Scan(&m.Name, &mj, &hj, &created, &updated); err != nil {
		return m, err
	}
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(mj), &m.Mapping); err != nil {
		return m, fmt.Errorf("mapping %q: %w", m.Name, err)
	}
	return m, json.Unmarshal([]byte(hj), &m.Headers)
}

// DeleteMapping implements store.Mappings.
func (db *DB) DeleteMapping(ctx context.Context, tenantID int64, name string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM saved_mappings WHERE tenant_id = ? AND name = ?`, tenantID, name)
	if err != nil {
		return fmt.Errorf("delete mapping %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "There is no saved mapping %q.", name)
	}
	return nil
}

// RememberMapping implements store.Mappings.
func (db *DB) RememberMapping(ctx context.Context, tenantID int64, key string, importID int64, mapping map[string]string) error {
	mj, _ := json.Marshal(mapping)
	_, err := db.write.ExecContext(ctx, `INSERT INTO remembered_mappings (tenant_id, header_key, import_id, mapping, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, header_key) DO UPDATE SET import_id = excluded.import_id, mapping = excluded.mapping, updated_at = excluded.updated_at`,
		tenantID, key, importID, string(mj), micros(db.now()))
	if err != nil {
		return fmt.Errorf("remember the mapping of import %d: %w", importID, err)
	}
	return nil
}

// RememberedMapping implements store.Mappings.
func (db *DB) RememberedMapping(ctx context.Context, tenantID int64, key string) (int64, map[string]string, error) {
	var id int64
	var mj string
	err := db.read.QueryRowContext(ctx, `SELECT import_id, mapping FROM remembered_mappings WHERE tenant_id = ? AND header_key = ?`,
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
