package directory

import (
	"context"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
)

// Settings returns the tenant's settings.
func (s *Service) Settings(ctx context.Context, tenantID int64) (intake.Settings, error) {
	return s.Store.Settings(ctx, tenantID)
}

// SaveSettings checks and stores the tenant's settings and returns them as
// stored. The region is upper-cased; "" clears it (the server's default
// applies again). Errors: EINVALID naming the field.
func (s *Service) SaveSettings(ctx context.Context, tenantID int64, set intake.Settings) (intake.Settings, error) {
	set.Region = strings.ToUpper(strings.TrimSpace(set.Region))
	if set.Region != "" && !importer.KnownRegion(set.Region) {
		msg := "The region must be an ISO 3166-1 alpha-2 code such as NL or DE (\"\" for the server's default)."
		return intake.Settings{}, intake.Invalid(msg, intake.FieldError{Field: "region", Value: set.Region, Message: msg})
	}
	if err := s.Store.SaveSettings(ctx, tenantID, set); err != nil {
		return intake.Settings{}, err
	}
	return set, nil
}
