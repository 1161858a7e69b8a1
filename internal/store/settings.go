package store

import (
	"context"

	"github.com/intake/intake"
)

// Settings reads and writes a tenant's settings.
type Settings interface {
	// Settings returns tenantID's settings (zero values when never set).
	Settings(ctx context.Context, tenantID int64) (intake.Settings, error)
	// SaveSettings replaces tenantID's settings with s.
	SaveSettings(ctx context.Context, tenantID int64, s intake.Settings) error
}
