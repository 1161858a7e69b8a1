package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/intake/intake"
)

// Settings implements store.Settings.
func (db *DB) Settings(ctx context.Context, tenantID int64) (intake.Settings, error) {
	var s intake.Settings
	err := db.read.QueryRowContext(ctx, `SELECT region, undo_disabled, undo_days FROM tenants WHERE id = ?`, tenantID).Scan(&s.Region, &s.UndoDisabled, &s.UndoDays)
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
	res, err := db.write.ExecContext(ctx, `UPDATE tenants SET region = ?, undo_disabled = ?, undo_days = ? WHERE id = ?`, s.Region, s.UndoDisabled, s.UndoDays, tenantID)
	if err != nil {
		return fmt.Errorf("save settings of tenant %d: %w", tenantID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Tenant %d not found.", tenantID)
	}
	return nil
}
