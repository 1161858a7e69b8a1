package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/intake/intake"
	"github.com/jackc/pgx/v5"
)

// Settings implements store.Settings.
func (db *DB) Settings(ctx context.Context, tenantID int64) (intake.Settings, error) {
	var s intake.Settings
	err := db.pool.QueryRow(ctx, `SELECT region, undo_disabled, undo_days FROM tenants WHERE id = $1`, tenantID).Scan(&s.Region, &s.UndoDisabled, &s.UndoDays)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, intake.Errorf(intake.ENOTFOUND, "Tenant %d not found.", tenantID)
	}
	if err != nil {
		return s, fmt.Errorf("read settings of tenant %d: %w", tenantID, err)
	}
	return s, nil
}

// SaveSettings implements store.Settings.
func (db *DB) SaveSettings(ctx context.Context, tenantID int64, s intake.Settings) error {
	tag, err := db.pool.Exec(ctx, `UPDATE tenants SET region = $1, undo_disabled = $3, undo_days = $4 WHERE id = $2`, s.Region, tenantID, s.UndoDisabled, s.UndoDays)
	if err != nil {
		return fmt.Errorf("save settings of tenant %d: %w", tenantID, err)
	}
	if tag.RowsAffected() == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Tenant %d not found.", tenantID)
	}
	return nil
}
