// Package selection owns a tenant's selections: named, saved filters over
// its contacts (the contact list's own query parameters) whose members are
// materialised with a count, rebuilt on demand and after imports that ask
// for it (ImportSpec.Rebuild, done by the webhook service in the
// transaction that ends the import). It knows no SQL and no HTTP.
package selection

import (
	"context"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Service keeps selections.
type Service struct {
	Store store.Selections
}

// Create saves a selection and builds its members at once. Errors:
// EINVALID (no name, an unknown filter parameter), ECONFLICT (name taken).
func (s *Service) Create(ctx context.Context, tenantID int64, name string, filter map[string]string) (intake.Selection, error) {
	sel := intake.Selection{TenantID: tenantID, Name: strings.TrimSpace(name), Filter: filter}
	if sel.Name == "" {
		return sel, intake.Invalid("A selection needs a name.", intake.FieldError{Field: "name", Message: "Name the selection."})
	}
	if sel.Filter == nil {
		sel.Filter = map[string]string{}
	}
	if _, err := store.SelectionFilter(sel.Filter); err != nil {
		return sel, err
	}
	if err := s.Store.CreateSelection(ctx, &sel); err != nil {
		return sel, err
	}
	return s.Store.RebuildSelection(ctx, tenantID, sel.ID)
}

// List returns up to limit selections with id > after.
func (s *Service) List(ctx context.Context, tenantID, after int64, limit int) ([]intake.Selection, error) {
	return s.Store.ListSelections(ctx, tenantID, after, limit)
}

// Get returns one selection; ENOTFOUND.
func (s *Service) Get(ctx context.Context, tenantID, id int64) (intake.Selection, error) {
	return s.Store.GetSelection(ctx, tenantID, id)
}

// Delete removes a selection; ENOTFOUND.
func (s *Service) Delete(ctx context.Context, tenantID, id int64) error {
	return s.Store.DeleteSelection(ctx, tenantID, id)
}

// Rebuild recomputes a selection's members now; ENOTFOUND.
func (s *Service) Rebuild(ctx context.Context, tenantID, id int64) (intake.Selection, error) {
	return s.Store.RebuildSelection(ctx, tenantID, id)
}

// Contacts pages a selection's members as of its last rebuild; ENOTFOUND.
func (s *Service) Contacts(ctx context.Context, tenantID, id, after int64, limit int) ([]intake.Contact, error) {
	if _, err := s.Store.GetSelection(ctx, tenantID, id); err != nil {
		return nil, err
	}
	return s.Store.SelectionContacts(ctx, tenantID, id, after, limit)
}
