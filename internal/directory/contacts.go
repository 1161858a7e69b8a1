package directory

import (
	"context"

	"github.com/intake/intake"
)

// CreateContact creates one contact from fields (Intake field names to raw
// values) by the import rules (importer.Engine.SaveContact) and returns it
// as stored. Errors: EINVALID, ECONFLICT.
func (s *Service) CreateContact(ctx context.Context, tenantID int64, fields map[string]string) (intake.Contact, error) {
	id, err := s.Engine.SaveContact(ctx, tenantID, 0, fields)
	if err != nil {
		return intake.Contact{}, err
	}
	return s.Store.GetContact(ctx, tenantID, id)
}

// UpdateContact patches contact id with fields: only those change, an
// empty value clears one. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) UpdateContact(ctx context.Context, tenantID, id int64, fields map[string]string) (intake.Contact, error) {
	if _, err := s.Engine.SaveContact(ctx, tenantID, id, fields); err != nil {
		return intake.Contact{}, err
	}
	return s.Store.GetContact(ctx, tenantID, id)
}

// DeleteContact deletes contact id. ENOTFOUND if it is not the tenant's.
func (s *Service) DeleteContact(ctx context.Context, tenantID, id int64) error {
	return s.Engine.DeleteContact(ctx, tenantID, id)
}
