package store

import (
	"context"

	"github.com/intake/intake"
)

// Mappings keeps a tenant's learned mappings: named mappings a person
// saved, and the last corrected mapping of each set of headers (by
// intake.HeaderKey), proposed when the same headers arrive again. Both
// stores implement it; the import service asks for it by this interface.
type Mappings interface {
	// SaveMapping creates or replaces the tenant's mapping of m's name.
	SaveMapping(ctx context.Context, tenantID int64, m intake.SavedMapping) (intake.SavedMapping, error)
	// SavedMapping returns the mapping named name. Errors: ENOTFOUND.
	SavedMapping(ctx context.Context, tenantID int64, name string) (intake.SavedMapping, error)
	// SavedMappings lists the tenant's mappings by name.
	SavedMappings(ctx context.Context, tenantID int64) ([]intake.SavedMapping, error)
	// DeleteMapping deletes the mapping named name. Errors: ENOTFOUND.
	DeleteMapping(ctx context.Context, tenantID int64, name string) error
	// RememberMapping keeps mapping as import importID's correction of
	// the headers of key, replacing an older one.
	RememberMapping(ctx context.Context, tenantID int64, key string, importID int64, mapping map[string]string) error
	// RememberedMapping returns the last correction of the headers of
	// key. Errors: ENOTFOUND.
	RememberedMapping(ctx context.Context, tenantID int64, key string) (importID int64, mapping map[string]string, err error)
}
