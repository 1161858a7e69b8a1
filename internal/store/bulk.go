package store

import (
	"context"

	"github.com/intake/intake"
)

// BulkImports keeps the record of synchronous bulk imports.
type BulkImports interface {
	// RecordBulkImport stores b as a bulk import of b.TenantID and sets
	// its ID and timestamps.
	RecordBulkImport(ctx context.Context, b *intake.BulkImport) error
	// ListBulkImports returns up to limit of the tenant's bulk imports
	// with id < before (0 = newest), newest first.
	ListBulkImports(ctx context.Context, tenantID, before int64, limit int) ([]intake.BulkImport, error)
	// GetBulkImport returns one; ENOTFOUND if it is not the tenant's.
	GetBulkImport(ctx context.Context, tenantID, id int64) (intake.BulkImport, error)
}
