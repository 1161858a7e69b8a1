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
	err := db.read.QueryRowContext(ctx, `SELECT region FROM tenants WHERE id = ?`, tenantID).Scan(&s.Region)
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
	res, err := db.write.ExecContext(ctx, `UPDATE tenants SET region = ? WHERE id = ?`, s.Region, tenantID)
	if err != nil {
		return fmt.Errorf("save settings of tenant %d: %w", tenantID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Tenant %d not found.", tenantID)
	}
	return nil
}
